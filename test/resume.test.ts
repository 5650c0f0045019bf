// Nightly-build reliability: runs killed (SIGKILL) at exact points and resumed give the same bytes
// as an uninterrupted run, for both layouts; damaged files are regenerated alone; SIGINT/SIGTERM
// stop cleanly with the resume command; write errors and failing workers end with one clear line.
// The points are hit deterministically with the test-only DWGEN_FAULT hook (src/storage/faultyStore.ts).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, SMALL_CONFIG, checksums, generate, tempDir } from './helpers/dwgen.js';

interface Run {
  status: number | null;
  stderr: string;
}

function dwgen(args: string[], fault?: string): Run {
  const env = { ...process.env };
  delete env.DWGEN_FAULT;
  if (fault) env.DWGEN_FAULT = fault;
  const r = spawnSync(process.execPath, [CLI, 'generate', ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

const base = (out: string, layout: string): string[] => ['--config', SMALL_CONFIG, '--out', out, '--workers', '2', '--layout', layout, '--quiet'];

/** Every file under a directory, recursively, relative paths. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** Nothing under a final name is incomplete: every final-named data file equals the reference's. */
function expectOnlyCompleteFiles(out: string, reference: string, killed = false): void {
  const ref = checksums(join(reference, 'data'));
  for (const f of files(join(out, 'data'))) {
    if (/\.tmp-\d+$/.test(f)) {
      if (killed) continue; // SIGKILL cannot clean up: a temporary name, swept by the next run
      throw new Error(`temporary left behind: ${f}`);
    }
    if (f.endsWith('.dwgen-partial')) continue; // resumable state, under a temporary name
    expect(checksums(join(out, 'data'))[f], `${f} is complete`).toBe(ref[f]);
  }
  expect(existsSync(join(out, 'metadata/generation_lineage.yaml')), 'no lineage: the dataset is not marked complete').toBe(false);
}

function expectIdentical(out: string, reference: string): void {
  expect(checksums(join(out, 'data'))).toEqual(checksums(join(reference, 'data')));
  expect(readFileSync(join(out, 'metadata/schema.json'), 'utf8')).toBe(readFileSync(join(reference, 'metadata/schema.json'), 'utf8'));
  expect(existsSync(join(out, 'metadata/generation_lineage.yaml'))).toBe(true);
  // what only an unfinished run needs is gone; what stays is small
  const state = files(join(out, '.dwgen'));
  expect(state.filter((f) => f === 'lock' || f.startsWith('journal') || f.endsWith('.inv') || f.includes('.tmp-'))).toEqual([]);
  expect(state.reduce((s, f) => s + statSync(join(out, '.dwgen', f)).size, 0)).toBeLessThan(20_000);
}

const reference: Record<string, string> = {};

beforeAll(() => {
  reference.single = generate(['--config', SMALL_CONFIG, '--workers', '2', '--layout', 'single']);
  reference.partitioned = generate(['--config', SMALL_CONFIG, '--workers', '2', '--layout', 'partitioned']);
}, 60_000);

describe.each(['single', 'partitioned'])('%s layout', (layout) => {
  it('killed (SIGKILL) after the customers, mid-facts, mid-inventory and during the metadata, resumed each time: identical output', () => {
    const out = join(tempDir(), 'ds');
    const points = ['customers:2:kill', 'orders:4:kill', 'inventory:1:kill', 'metadata:0:kill'];
    let r = dwgen(base(out, layout), points[0]);
    expect(r.status, r.stderr).toBeNull(); // killed
    expectOnlyCompleteFiles(out, reference[layout], true);
    for (const point of [...points.slice(1), null]) {
      r = dwgen([...base(out, layout), '--resume'], point ?? undefined);
      expect(r.stderr).toMatch(/taking over the stale lock .*\.dwgen\/lock \(pid \d+ is not running\)/);
      if (point !== null) {
        expect(r.status, `${point}: ${r.stderr}`).toBeNull();
        if (!point.startsWith('metadata')) expectOnlyCompleteFiles(out, reference[layout], true);
        else expect(existsSync(join(out, 'metadata/generation_lineage.yaml'))).toBe(false);
      }
    }
    expect(r.status, r.stderr).toBe(0);
    expectIdentical(out, reference[layout]);
    // the lineage says it was resumed
    expect(readFileSync(join(out, 'metadata/generation_lineage.yaml'), 'utf8')).toMatch(/resumed:\n\s+note: .*\n\s+reused_partitions: \d+/);
  });

  it('SIGINT mid-run exits 130 with the resume command; running it completes identically', () => {
    const out = join(tempDir(), 'ds');
    const r = dwgen(base(out, layout), 'orders:2:sigint');
    expect(r.status, r.stderr).toBe(130);
    const line = r.stderr.split('\n').find((l) => l.startsWith('dwgen: resume with: '));
    expect(line, r.stderr).toBeDefined();
    expectOnlyCompleteFiles(out, reference[layout]);
    const command = line!.replace('dwgen: resume with: ', '').split(' ');
    expect(command.slice(0, 2)).toEqual(['dwgen', 'generate']);
    expect(command).toContain('--resume');
    expect(command[command.indexOf('--out') + 1]).toBe(out);
    const again = dwgen(command.slice(2));
    expect(again.status, again.stderr).toBe(0);
    expectIdentical(out, reference[layout]);
  });
});

describe('damaged files', () => {
  it('partitioned: a corrupted part file, then a deleted one, are the only partitions regenerated', () => {
    const out = join(tempDir(), 'ds');
    expect(dwgen(base(out, 'partitioned')).status).toBe(0);
    appendFileSync(join(out, 'data/transactions_raw/part-00003.csv'), 'x');
    let r = dwgen([...base(out, 'partitioned'), '--resume', '--verbose']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => /regenerat|generating/.test(l))).toEqual([
      expect.stringMatching(/^dwgen: regenerating orders partition 3: data\/transactions_raw\/part-00003.csv has \d+ bytes, the record says \d+$/),
    ]);
    expectIdentical(out, reference.partitioned);

    rmSync(join(out, 'data/customers/part-00001.csv'));
    r = dwgen([...base(out, 'partitioned'), '--resume', '--verbose']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => /regenerat|generating/.test(l))).toEqual(['dwgen: regenerating customers partition 1: data/customers/part-00001.csv is missing']);
    expectIdentical(out, reference.partitioned);

    // same size, different bytes: caught by the checksum
    const path = join(out, 'data/orders/part-00005.csv');
    const text = readFileSync(path, 'utf8');
    const i = text.lastIndexOf('Completed');
    expect(i).toBeGreaterThan(0);
    writeFileSync(path, text.slice(0, i) + 'Completex' + text.slice(i + 9));
    r = dwgen([...base(out, 'partitioned'), '--resume', '--verbose']);
    expect(r.stderr).toMatch(/^dwgen: regenerating orders partition 5: data\/orders\/part-00005.csv: checksum mismatch$/m);
    expectIdentical(out, reference.partitioned);
  });

  it('single file: a damaged table is rebuilt, the others are reused', () => {
    const out = join(tempDir(), 'ds');
    expect(dwgen(base(out, 'single')).status).toBe(0);
    appendFileSync(join(out, 'data/customers.csv'), 'x');
    const r = dwgen([...base(out, 'single'), '--resume', '--verbose']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/regenerating data\/customers.csv: it no longer matches its record/);
    expect(r.stderr).not.toMatch(/orders partition/);
    expectIdentical(out, reference.single);
  });
});

describe('failures', () => {
  it.each([
    ['partitioned', 'orders:3:enospc', /^dwgen generate: error: cannot write \/.*\/data\/raw_orders\/part-00003.csv: the disk is full \(ENOSPC\)$/],
    ['single', 'orders:3:eacces', /^dwgen generate: error: cannot write \/.*\/data\/raw_orders.csv: permission denied \(EACCES\)$/],
    ['partitioned', 'customers:1:eacces', /^dwgen generate: error: cannot write \/.*\/data\/customers\/part-00001.csv: permission denied \(EACCES\)$/],
  ])('%s, %s: one clear line, exit 1, nothing incomplete under a final name, then --resume completes', (layout, fault, message) => {
    const out = join(tempDir(), 'ds');
    const r = dwgen(base(out, layout), fault);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/retrying|\n\s+at /); // not retried, no stack trace
    expectOnlyCompleteFiles(out, reference[layout]);
    expect(dwgen([...base(out, layout), '--resume']).status).toBe(0);
    expectIdentical(out, reference[layout]);
  });

  it.each([
    ['single', 'orders:3:throw:1'],
    ['partitioned', 'orders:5:exit:1'],
    ['partitioned', 'inventory:0:throw:1'],
  ])('%s: a worker that fails once (%s) is retried on a fresh worker and the output is identical', (layout, fault) => {
    const out = join(tempDir(), 'ds');
    const r = dwgen(base(out, layout), fault);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/partition \d+ failed \((injected fault|worker exited).*\); retrying it on a fresh worker/);
    expectIdentical(out, reference[layout]);
  });

  it.each([
    ['single', 'orders:3:throw', /injected fault/],
    ['partitioned', 'orders:3:exit', /worker exited with code: 1/],
  ])('%s: a partition that always fails (%s) fails the run naming it, exit 1', (layout, fault, cause) => {
    const out = join(tempDir(), 'ds');
    const r = dwgen(base(out, layout), fault);
    expect(r.status, r.stderr).toBe(1);
    const line = r.stderr.split('\n').find((l) => l.startsWith('dwgen generate: error: '));
    expect(line).toMatch(/^dwgen generate: error: orders partition 3 failed twice \(the retry ran on a fresh worker\): /);
    expect(line).toMatch(cause);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expectOnlyCompleteFiles(out, reference[layout]);
  });
});

describe('lock and configuration', () => {
  it('a second run while one is writing is refused naming the lock and its pid; a stale lock is taken over', async () => {
    const out = join(tempDir(), 'ds');
    const env = { ...process.env, DWGEN_FAULT: 'customers:0:pause' };
    const first = spawn(process.execPath, [CLI, 'generate', ...base(out, 'single')], { cwd: ROOT, env });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      first.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('dwgen: paused')) resolve();
      });
      first.on('exit', () => reject(new Error(`first run exited: ${stderr}`)));
    });
    const second = dwgen(base(out, 'single'));
    expect(second.status).toBe(2);
    expect(second.stderr.trim()).toBe(
      `dwgen generate: error: ${join(out, '.dwgen/lock')} is held by pid ${first.pid} (a dwgen run started ${JSON.parse(readFileSync(join(out, '.dwgen/lock'), 'utf8')).started_at}): another run is writing to ${out}`,
    );
    const exit = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    first.kill('SIGTERM');
    expect(await exit).toBe(143);
    expect(stderr).toMatch(/resume with: dwgen generate .* --resume/);
    expect(existsSync(join(out, '.dwgen/lock'))).toBe(false);

    // a stale lock: its pid is not running
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(out, '.dwgen/lock'), JSON.stringify({ pid: dead, host: hostname(), started_at: 'yesterday' }));
    const third = dwgen([...base(out, 'single'), '--resume']);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr).toContain(`dwgen: note: taking over the stale lock ${join(out, '.dwgen/lock')} (pid ${dead} is not running)`);
    expectIdentical(out, reference.single);
  });

  it('a dataset of another configuration is refused without --force; the same one is regenerated; unrelated files are left alone', () => {
    const out = join(tempDir(), 'ds');
    expect(dwgen([...base(out, 'single'), '--tables', 'stores,customers']).status).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    for (const [args, diff] of [
      [['--seed', '8'], /seed 7 vs 8/],
      [['--layout', 'partitioned'], /layout single vs partitioned/],
      [['--tables', 'stores'], /tables customers,stores vs stores/],
    ] as const) {
      const r = dwgen([...base(out, 'single'), '--tables', 'stores,customers', ...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim()).toMatch(/^dwgen generate: error: --out .* holds a dwgen dataset of a different configuration \(.*\): use --force to replace it, or another --out$/);
      expect(r.stderr).toMatch(diff);
    }
    const resumeOther = dwgen([...base(out, 'single'), '--tables', 'stores', '--resume']);
    expect(resumeOther.status).toBe(2);
    expect(resumeOther.stderr).toMatch(/--resume needs the same flags and config as that run/);
    expect(readdirSync(join(out, 'data')).sort()).toEqual(['customers.csv', 'stores.csv']);

    const same = dwgen([...base(out, 'single'), '--tables', 'stores,customers']);
    expect(same.status, same.stderr).toBe(0);
    const forced = dwgen([...base(out, 'single'), '--tables', 'stores', '--seed', '8', '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(readdirSync(join(out, 'data')).sort()).toEqual(['stores.csv']);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');

    const unrelated = join(tempDir(), 'ds');
    mkdirSync(join(unrelated, 'data'), { recursive: true });
    writeFileSync(join(unrelated, 'data/readme.txt'), 'keep');
    expect(dwgen([...base(unrelated, 'single'), '--tables', 'stores']).status).toBe(0);
    expect(readFileSync(join(unrelated, 'data/readme.txt'), 'utf8')).toBe('keep');
  });
});
