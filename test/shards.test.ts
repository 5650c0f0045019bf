// Scale-out: N shards as separate processes (in shuffled order, one killed and rerun) plus
// finalize give byte for byte what one machine writes with --layout partitioned; finalize and
// generate refuse what cannot make a dataset, before anything is written.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_REVISION } from '../src/core/outputRevision.js';
import { CLI, ROOT, SMALL_CONFIG, checksums, sha256, tempDir } from './helpers/dwgen.js';

interface Run {
  status: number | null;
  stderr: string;
}

function dwgen(args: string[], env: Record<string, string> = {}): Run {
  const e: Record<string, string | undefined> = { ...process.env, ...env };
  for (const k of ['DWGEN_FAULT', 'JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN']) if (!(k in env)) delete e[k];
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: e, timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

const flags = (out: string, quiet = true): string[] => ['--config', SMALL_CONFIG, '--out', out, '--workers', '2', '--format', 'both', ...(quiet ? ['--quiet'] : [])];
const shard = (out: string, n: number, k: number, extra: string[] = [], env: Record<string, string> = {}): Run =>
  dwgen(['generate', ...flags(out), '--parts', String(n), '--part', String(k), ...extra], env);

/** sha256 of every data file and of schema.json. */
const dataset = (out: string): Record<string, string> => ({ ...checksums(join(out, 'data')), 'metadata/schema.json': sha256(join(out, 'metadata/schema.json')) });

/** A fixed shuffle of 1..n (the order the shards run in must not matter). */
const shuffled = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 5 + 2) % n) + 1);

let reference: Record<string, string>;

beforeAll(() => {
  const out = tempDir();
  const r = dwgen(['generate', ...flags(out), '--layout', 'partitioned']);
  expect(r.status, r.stderr).toBe(0);
  reference = dataset(out);
  // The test means something only with several partitions of every table kind.
  expect(Object.keys(reference).filter((f) => f.startsWith('orders/')).length).toBe(2 * 9);
  expect(Object.keys(reference).filter((f) => f.startsWith('customers/')).length).toBe(2 * 3);
  expect(Object.keys(reference).filter((f) => f.startsWith('inventory/')).length).toBe(2 * 4);
}, 60_000);

describe('N shards plus finalize equal one machine', () => {
  it.each([1, 3, 7])('N = %i, shards in shuffled order, one killed mid-run and rerun', (n) => {
    const out = tempDir();
    const order = shuffled(n);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    for (const [i, k] of order.entries()) {
      if (i === 0) {
        // Killed once its first order partition is recorded; a rerun with the same flags continues.
        const killed = shard(out, n, k, [], { DWGEN_FAULT: [0, 1, 2, 3, 4, 5, 6, 7, 8].map((p) => `orders:${p}:kill`).join(',') });
        expect(killed.status, killed.stderr).toBeNull();
      }
      const r = shard(out, n, k);
      expect(r.status, r.stderr).toBe(0);
    }
    // The counting pre-pass ran once: later shards read the counts the first one shared.
    const ran = order.filter((k) => (JSON.parse(readFileSync(join(out, `.dwgen/shard-${String(k).padStart(5, '0')}-of-${String(n).padStart(5, '0')}/run.json`), 'utf8')) as { count_seconds: number }).count_seconds > 0);
    expect(ran.length).toBeLessThanOrEqual(1);
    // A shard never writes the dataset's metadata: only finalize does.
    expect(readdirSync(join(out, 'metadata'))).toEqual([]);
    expect(existsSync(join(out, 'data/inventory'))).toBe(false);
    const f = dwgen(['finalize', '--out', out, '--workers', '2', '--quiet']);
    expect(f.status, f.stderr).toBe(0);
    expect(dataset(out)).toEqual(reference);
    // Finalize again: idempotent.
    expect(dwgen(['finalize', '--out', out, '--workers', '2', '--quiet']).status).toBe(0);
    expect(dataset(out)).toEqual(reference);
  }, 120_000);

  it('a shard rerun with the same flags reuses what its records verify', () => {
    const out = tempDir();
    expect(shard(out, 2, 2).status).toBe(0);
    const again = dwgen(['generate', ...flags(out, false), '--parts', '2', '--part', '2', '--verbose']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/regenerating|generating (customers|orders) partition/);
    expect(again.stderr).toMatch(/^dwgen: resumed: reused 6 partitions, generated 0$/m); // shard 2 of 2: 1 customers + 5 order partitions
  });

  it('the shard number comes from JOB_COMPLETION_INDEX (0-based) or from --part-from-env', () => {
    const out = tempDir();
    expect(dwgen(['generate', ...flags(out), '--parts', '2'], { JOB_COMPLETION_INDEX: '1' }).status).toBe(0);
    expect(existsSync(join(out, '.dwgen/shard-00002-of-00002/run.json'))).toBe(true);
    expect(dwgen(['generate', ...flags(out), '--parts', '2', '--part-from-env', 'TASK'], { TASK: '0' }).status).toBe(0);
    expect(existsSync(join(out, '.dwgen/shard-00001-of-00002/run.json'))).toBe(true);
    expect(dwgen(['finalize', '--out', out, '--quiet']).status).toBe(0);
    expect(dataset(out)).toEqual(reference);
  }, 60_000);
});

describe('refusals (exit 2, one line)', () => {
  it('finalize refuses a missing shard, naming it and the command that writes it', () => {
    const out = tempDir();
    expect(shard(out, 3, 1).status).toBe(0);
    expect(shard(out, 3, 3).status).toBe(0);
    const r = dwgen(['finalize', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dwgen finalize: error: shard 2 of 3 is missing (no .dwgen/shard-00002-of-00003/run.json): rerun 'dwgen generate --parts 3 --part 2 --out ${out}' with the flags of the other shards\n`);
    expect(readdirSync(join(out, 'metadata'))).toEqual([]);
  });

  it('finalize refuses a shard of another seed', () => {
    const out = tempDir();
    expect(shard(out, 2, 1).status).toBe(0);
    expect(shard(out, 2, 2, ['--seed', '8']).status).toBe(0);
    const r = dwgen(['finalize', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dwgen finalize: error: shard 2 of 2 is of another configuration than shard 1 \(seed 7 vs 8\): rerun/);
  });

  it('finalize refuses shards written by a build of another output revision; a shard rerun with this build replaces it only with --force', () => {
    const out = tempDir();
    expect(shard(out, 2, 1).status).toBe(0);
    expect(shard(out, 2, 2).status).toBe(0);
    const manifest = join(out, '.dwgen/shard-00001-of-00002/run.json');
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    delete m.output_revision; // as a build before revisions were recorded wrote it
    writeFileSync(manifest, JSON.stringify(m));
    const r = dwgen(['finalize', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dwgen finalize: error: shard 1 of 2 was written by a dwgen build of output revision 2 or older, this one writes revision ${OUTPUT_REVISION}: generate every shard with this build (--force replaces them)\n`);
    const rerun = shard(out, 2, 1);
    expect(rerun.status).toBe(2);
    expect(rerun.stderr).toMatch(/different configuration \(output revision none vs \d+ \(written by a dwgen build whose data differs\)\)/);
    expect(shard(out, 2, 1, ['--force']).status).toBe(0);
    expect(dwgen(['finalize', '--out', out, '--quiet']).status).toBe(0);
  });

  it('finalize refuses an incomplete shard and a directory without shards', () => {
    const out = tempDir();
    expect(shard(out, 2, 1).status).toBe(0);
    expect(shard(out, 2, 2, [], { DWGEN_FAULT: 'customers:1:kill' }).status).toBeNull();
    expect(dwgen(['finalize', '--out', out]).stderr).toMatch(/^dwgen finalize: error: shard 2 of 2 is incomplete \(\.dwgen\/shard-00002-of-00002\/run\.json says running\)/);
    const empty = tempDir();
    const r = dwgen(['finalize', '--out', empty]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dwgen finalize: error: --out .* holds no shard state/);
  });

  it('a second N in one directory is refused before anything is written', () => {
    const out = tempDir();
    expect(shard(out, 3, 1).status).toBe(0);
    const before = checksums(join(out, 'data'));
    const r = shard(out, 2, 1);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`dwgen generate: error: --out ${out} holds shards of --parts 3 (.dwgen/shard-00001-of-00003): --parts 2 cannot share it; use the same N, --force, or another --out\n`);
    expect(checksums(join(out, 'data'))).toEqual(before);
  });

  it.each([
    [['--parts', '3', '--part', '4'], "dwgen generate: error: --part must be from 1 to 3 (--parts 3), got '4'"],
    [['--parts', '3', '--part', '1', '--layout', 'single'], 'dwgen generate: error: --parts writes the partitioned layout (data/<table>/part-NNNNN.*): --layout single cannot be sharded'],
    [['--parts', '3'], 'dwgen generate: error: --parts 3 needs --part K (1 to 3), --part-from-env VAR, or JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID in the environment'],
    [['--parts', '0', '--part', '1'], "dwgen generate: error: --parts must be a positive integer, got '0'"],
  ])('generate %j is refused and writes nothing', (extra, message) => {
    const out = join(tempDir(), 'ds');
    const r = dwgen(['generate', ...flags(out), ...extra]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(message + '\n');
    expect(existsSync(out)).toBe(false);
  });
});
