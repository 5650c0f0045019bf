// The real local Slurm for test/slurm.test.ts: makes sure the one-node test cluster is up (in CI
// .ci/setup.d/30-slurm.sh starts it; locally this starts it, as root, and says to stop it after),
// submits deploy/slurm/submit.sh and waits for jobs through scontrol.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './dwgen.js';

export const CLUSTER_SCRIPT = join(ROOT, 'scripts/slurm-test-cluster.sh');
export const SUBMIT = join(ROOT, 'deploy/slurm/submit.sh');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, cwd, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

/**
 * The cluster answers, or an Error saying why not. Never a skip: with DWGEN_TEST_SLURM=1 or in CI
 * (CI, CI_ENV_FILE) a missing cluster is a failure; locally the cluster is started here.
 * Returns true when this call started it (the caller stops it when done).
 */
export function ensureCluster(): boolean {
  if (run('bash', [CLUSTER_SCRIPT, 'status']).status === 0) return false;
  if (process.env.DWGEN_TEST_SLURM === '1') {
    throw new Error('DWGEN_TEST_SLURM=1 but the Slurm test cluster does not answer (bash scripts/slurm-test-cluster.sh status)');
  }
  if (process.env.CI || process.env.CI_ENV_FILE) {
    throw new Error('no Slurm cluster in CI: .ci/setup.d/30-slurm.sh must install and start it (it sets DWGEN_TEST_SLURM=1)');
  }
  const r = run('bash', [CLUSTER_SCRIPT, 'start']);
  if (r.status !== 0) {
    throw new Error(`could not start the local Slurm test cluster (as root: bash .ci/setup.d/30-slurm.sh installs and starts it):\n${r.stderr}`);
  }
  return true;
}

export function stopCluster(): void {
  run('bash', [CLUSTER_SCRIPT, 'stop']);
}

export interface Submitted {
  shards: string;
  finalize: string;
  stderr: string;
}

/** deploy/slurm/submit.sh OUT N [flags], run in cwd (where the jobs start); throws unless it printed both job ids. */
export function submit(out: string, parts: number, flags: string[], env: Record<string, string>, cwd: string): Submitted {
  // only what the test sets reaches submit.sh and the jobs: no DWGEN_* or SBATCH_* from the caller
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DWGEN|SBATCH_|SLURM_)/.test(k)));
  const r = run('bash', [SUBMIT, out, String(parts), ...flags], { ...base, ...env }, cwd);
  const shards = /^SHARDS_JOB_ID=(\d+)$/m.exec(r.stdout)?.[1];
  const finalize = /^FINALIZE_JOB_ID=(\d+)$/m.exec(r.stdout)?.[1];
  if (r.status !== 0 || !shards || !finalize) throw new Error(`submit.sh failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { shards, finalize, stderr: r.stderr };
}

export interface JobRecord {
  jobId: string;
  arrayTaskId?: string;
  state: string;
  exitCode: string;
  reason: string;
}

/** scontrol's records of a job (one per array task once the tasks have started). */
export function jobRecords(id: string): JobRecord[] {
  const r = run('scontrol', ['show', 'job', '-o', id]);
  if (r.status !== 0) throw new Error(`scontrol show job ${id} failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('JobId='))
    .map((l) => {
      const field = (k: string): string | undefined => new RegExp(`(?:^| )${k}=(\\S*)`).exec(l)?.[1];
      return { jobId: field('JobId')!, arrayTaskId: field('ArrayTaskId'), state: field('JobState')!, exitCode: field('ExitCode')!, reason: field('Reason') ?? '' };
    });
}

const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

/** Polls until every record of the job has ended (no timing asserted: the test's timeout bounds it). */
export async function waitForJob(id: string, tasks = 1): Promise<JobRecord[]> {
  for (;;) {
    const records = jobRecords(id);
    if (records.length >= tasks && records.every((j) => !ACTIVE.has(j.state))) return records;
    await new Promise((res) => setTimeout(res, 500));
  }
}
