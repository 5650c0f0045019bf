// deploy/slurm/ on a real Slurm (one local node, 2 CPUs; .ci/setup.d/30-slurm.sh starts it in CI,
// and without it CI fails rather than skips): the job array runs one shard per task on every CPU
// of its node, finalize runs only after every shard succeeded (afterok) and never after a failed
// one, a failed shard is rerun alone, and the finalized dataset equals a one-machine
// `dwgen generate --layout partitioned` run, sha256 for sha256.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempDir } from './helpers/dwgen.js';
import { expectSameDataset, oneMachineRun, writeShardConfig } from './helpers/shards.js';
import { ensureCluster, jobRecords, stopCluster, submit, waitForJob, type JobRecord } from './helpers/slurm.js';

const TIMEOUT = 300_000; // a bound, not a timing: a job that never ends fails the test here

// Checked in each test, not in beforeAll: a missing cluster must fail every test (a beforeAll
// that throws makes vitest report the tests as skipped).
let cluster: { startedHere: boolean } | Error | undefined;
function requireCluster(): void {
  if (cluster === undefined) {
    try {
      cluster = { startedHere: ensureCluster() };
    } catch (err) {
      cluster = err as Error;
    }
  }
  if (cluster instanceof Error) throw cluster;
}
afterAll(() => {
  if (cluster !== undefined && !(cluster instanceof Error) && cluster.startedHere) stopCluster();
}, 60_000);

/** Every job log in dir, for a failure message. */
function logs(dir: string): string {
  if (!existsSync(dir)) return '(no logs)';
  return readdirSync(dir)
    .sort()
    .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8')}`)
    .join('\n');
}

const brief = (records: JobRecord[]): string[] =>
  records.map((r) => `${r.arrayTaskId ?? '-'} ${r.state} ${r.exitCode}`).sort();

/**
 * A stand-in for dwgen that records how the sbatch scripts call it: its arguments, the Slurm
 * variables it sees, and (for finalize) how many shards had finished when it started.
 * STUB_FAIL_PART=K makes shard K exit 1.
 */
function writeStub(dir: string): { stub: string; log: string } {
  const log = join(dir, 'calls');
  mkdirSync(log);
  const stub = join(dir, 'dwgen-stub.sh');
  writeFileSync(
    stub,
    `#!/usr/bin/env bash
set -eu
log=${JSON.stringify(log)}
if [ "$1" = generate ]; then
  part=; prev=
  for a in "$@"; do [ "$prev" = --part ] && part=$a; prev=$a; done
  printf '%s\\n' "$@" >"$log/generate-$part-$SLURM_JOB_ID.args"
  echo "SLURM_ARRAY_TASK_ID=$SLURM_ARRAY_TASK_ID SLURM_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK" >"$log/generate-$part-$SLURM_JOB_ID.env"
  sleep 1 # a window in which a finalize without afterok would start
  [ "\${STUB_FAIL_PART:-}" = "$part" ] && exit 1
  touch "$log/done-$part-$SLURM_JOB_ID"
else
  printf '%s\\n' "$@" >"$log/finalize-$SLURM_JOB_ID.args"
  ls "$log" | grep -c '^done-' >"$log/finalize-$SLURM_JOB_ID.saw" || true
fi
`,
  );
  chmodSync(stub, 0o755);
  return { stub, log };
}

const calls = (log: string, prefix: string): string[] => readdirSync(log).filter((f) => f.startsWith(prefix)).sort();
const lines = (path: string): string[] => readFileSync(path, 'utf8').trimEnd().split('\n');

describe('deploy/slurm wiring (dwgen stand-in)', () => {
  it('each array task runs generate with its shard number and every CPU of the node; finalize runs once, after all of them', async () => {
    requireCluster();
    const dir = tempDir('dwgen-slurm-');
    const { stub, log } = writeStub(dir);
    const out = join(dir, 'ds');
    const job = submit(out, 3, ['--config', 'cfg.yaml', '--seed', '11'], { DWGEN: stub, DWGEN_LOG_DIR: join(dir, 'logs') }, dir);
    expect(job.stderr).toContain('2 CPUs each'); // the node's CPUs, read from sinfo
    const finalize = await waitForJob(job.finalize);
    const shards = jobRecords(job.shards);
    expect(brief(shards), logs(join(dir, 'logs'))).toEqual(['1 COMPLETED 0:0', '2 COMPLETED 0:0', '3 COMPLETED 0:0']);
    expect(brief(finalize), logs(join(dir, 'logs'))).toEqual(['- COMPLETED 0:0']);

    const generates = calls(log, 'generate-').filter((f) => f.endsWith('.args'));
    expect(generates.map((f) => f.split('-')[1])).toEqual(['1', '2', '3']);
    for (const f of generates) {
      const part = f.split('-')[1];
      expect(lines(join(log, f))).toEqual(['generate', '--out', out, '--parts', '3', '--part', part, '--workers', '2', '--config', 'cfg.yaml', '--seed', '11']);
      expect(lines(join(log, f.replace(/\.args$/, '.env')))).toEqual([`SLURM_ARRAY_TASK_ID=${part} SLURM_CPUS_PER_TASK=2`]);
    }
    const finals = calls(log, 'finalize-');
    expect(finals).toEqual([`finalize-${job.finalize}.args`, `finalize-${job.finalize}.saw`]);
    expect(lines(join(log, finals[0]))).toEqual(['finalize', '--out', out, '--workers', '2']);
    expect(lines(join(log, finals[1]))).toEqual(['3']);
  }, TIMEOUT);

  it('a failed shard cancels finalize (afterok never satisfied); rerunning that shard alone, then finalize, completes the build', async () => {
    requireCluster();
    const dir = tempDir('dwgen-slurm-');
    const { stub, log } = writeStub(dir);
    const out = join(dir, 'ds');
    // one CPU per job: two jobs fit on the node at once, so a finalize without afterok could start early
    const env = { DWGEN: stub, DWGEN_LOG_DIR: join(dir, 'logs'), DWGEN_CPUS: '1' };
    const first = submit(out, 3, [], { ...env, STUB_FAIL_PART: '2' }, dir);
    const firstFinalize = await waitForJob(first.finalize);
    expect(brief(await waitForJob(first.shards, 3)), logs(join(dir, 'logs'))).toEqual(['1 COMPLETED 0:0', '2 FAILED 1:0', '3 COMPLETED 0:0']);
    expect(firstFinalize.map((r) => r.state)).toEqual(['CANCELLED']);
    expect(firstFinalize[0].reason).toBe('DependencyNeverSatisfied');
    expect(calls(log, 'finalize-')).toEqual([]);
    expect(lines(join(log, calls(log, 'generate-1-').find((f) => f.endsWith('.args'))!))).toEqual(['generate', '--out', out, '--parts', '3', '--part', '1', '--workers', '1']);

    const rerun = submit(out, 3, [], { ...env, DWGEN_ARRAY: '2' }, dir);
    expect(brief(await waitForJob(rerun.finalize)), logs(join(dir, 'logs'))).toEqual(['- COMPLETED 0:0']);
    expect(brief(jobRecords(rerun.shards))).toEqual(['2 COMPLETED 0:0']);
    const generates = calls(log, 'generate-').filter((f) => f.endsWith('.args'));
    expect(generates.map((f) => f.split('-')[1])).toEqual(['1', '2', '2', '3']); // shard 2 twice, the others once
    for (const f of generates.filter((g) => g.startsWith('generate-2-'))) {
      expect(lines(join(log, f))).toEqual(['generate', '--out', out, '--parts', '3', '--part', '2', '--workers', '1']);
    }
    expect(lines(join(log, `finalize-${rerun.finalize}.args`))).toEqual(['finalize', '--out', out, '--workers', '1']);
    expect(lines(join(log, `finalize-${rerun.finalize}.saw`))).toEqual(['3']);
  }, TIMEOUT);
});

describe('deploy/slurm end to end: shards (generate --parts N --part K) and dwgen finalize', () => {
  it('a 3-shard array and its afterok finalize give the one-machine partitioned dataset, byte for byte', async () => {
    requireCluster();
    const dir = tempDir('dwgen-slurm-');
    const config = writeShardConfig(dir);
    const reference = oneMachineRun(config);
    const out = join(dir, 'ds');
    const job = submit(out, 3, ['--config', config, '--quiet'], { DWGEN: CLI, DWGEN_LOG_DIR: join(dir, 'logs') }, dir);
    const finalize = await waitForJob(job.finalize);
    expect(brief(jobRecords(job.shards)), logs(join(dir, 'logs'))).toEqual(['1 COMPLETED 0:0', '2 COMPLETED 0:0', '3 COMPLETED 0:0']);
    expect(brief(finalize), logs(join(dir, 'logs'))).toEqual(['- COMPLETED 0:0']);
    expectSameDataset(out, reference);
  }, TIMEOUT);
});
