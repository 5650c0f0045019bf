// S3Store against LocalStore: N MiB of part files written the way a run writes them (worker
// threads filling part files in a synchronous loop, the main thread committing each finished
// part), once to a temporary directory and once to s3rver on 127.0.0.1, alternating. Reports each
// store's throughput, the writer process's peak RSS and CPU time, the server's CPU time (where the
// time goes), and the S3 run's extra RSS against the bound docs/object-storage.md states:
// 35 MiB + workers × (30 MiB + (open part files + in flight) × part size). The writer is a child
// process, so s3rver (in this process) is not in its RSS; on 2 cores the two compete for the CPU.
// Run: npx tsx bench/s3.bench.ts [--mib 512] [--workers 2] [--part-size-mib 16] [--in-flight 2] [--file-mib 64] [--repeat 2]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeS3Directory, startS3Server } from '../test/helpers/s3Server.js';

const ROOT = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : fallback;
};
const MiB = 1024 * 1024;
const total = flag('mib', 512);
const workers = flag('workers', 2);
const partSizeMiB = flag('part-size-mib', 16);
const inFlight = flag('in-flight', 2);
const fileMiB = flag('file-mib', 64);
const repeat = flag('repeat', 2);
const OPEN_STORE = pathToFileURL(join(ROOT, 'dist/storage/openStore.js')).href;

/** The writer process: starts the workers, commits what they finish, reports time and peak RSS. */
const MAIN = `
import { Worker } from 'node:worker_threads';
const { openStore } = await import(process.env.OPEN_STORE);
const description = JSON.parse(process.env.STORE);
const store = openStore(description);
const files = ${Math.ceil(total / fileMiB)};
const t0 = performance.now();
let next = 0;
const commits = [];
await Promise.all(Array.from({ length: ${workers} }, () => new Promise((resolve, reject) => {
  const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { openStore: process.env.OPEN_STORE, description } });
  const give = () => next < files ? w.postMessage({ path: 'data/bench/part-' + String(next++).padStart(5, '0') + '.csv', bytes: ${fileMiB * MiB} }) : (w.terminate(), resolve());
  w.on('message', (pending) => { commits.push(store.commit(pending)); give(); });
  w.on('error', reject);
  give();
})));
await Promise.all(commits);
const seconds = (performance.now() - t0) / 1000;
const u = process.resourceUsage();
console.log(JSON.stringify({ seconds, maxRss: u.maxRSS * 1024, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 }));
process.exit(0);
`;

/** A worker: one part file per message, 64 KiB chunks in a synchronous loop (the bytes vary, so nothing compresses). */
const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
const { openStore } = await import(workerData.openStore);
const store = openStore(workerData.description);
const chunk = new Uint8Array(65536);
const words = new Uint32Array(chunk.buffer);
for (let i = 0; i < words.length; i++) words[i] = Math.imul(i + 1, 2654435761);
parentPort.on('message', async ({ path, bytes }) => {
  const sink = store.createPart(path);
  for (let written = 0; written < bytes; written += chunk.length) { words[0] = written; sink.write(chunk); }
  const done = await sink.finish();
  parentPort.postMessage(done.pending);
});
`;

interface Sample {
  seconds: number;
  maxRss: number;
  /** The writer's CPU seconds. */
  cpu: number;
  /** This process's (the server's) CPU seconds during the run. */
  serverCpu: number;
}

const dir = mkdtempSync(join(tmpdir(), 'dwgen-s3-bench-'));
writeFileSync(join(dir, 'main.mjs'), MAIN);
writeFileSync(join(dir, 'worker.mjs'), WORKER);
const s3rver = await startS3Server({ buckets: ['dwgen-bench'] });
const serverDirectory = s3rver.directory;
const { storeFromOut } = (await import(OPEN_STORE)) as typeof import('../src/storage/openStore.js');

/** Runs one writer (asynchronously: s3rver lives in this process's event loop). */
async function run(kind: 'local' | 's3', i: number): Promise<Sample> {
  const out = kind === 'local' ? join(dir, `local-${i}`) : `s3://dwgen-bench/run-${i}`;
  const description = storeFromOut(out, { partSize: partSizeMiB * MiB, inFlight, env: s3rver.env, faults: '' });
  const child = spawn(process.execPath, [join(dir, 'main.mjs')], {
    env: { ...process.env, ...s3rver.env, OPEN_STORE, STORE: JSON.stringify(description), DWGEN_FAULT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const before = process.cpuUsage();
  const status = await new Promise<number | null>((done) => child.on('close', done));
  const server = process.cpuUsage(before);
  if (status !== 0) throw new Error(`${kind} writer failed (${status}): ${stderr}`);
  rmSync(kind === 'local' ? out : join(serverDirectory, 'dwgen-bench', `run-${i}`), { recursive: true, force: true });
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as Sample), serverCpu: (server.user + server.system) / 1e6 };
}

const samples: Record<'local' | 's3', Sample[]> = { local: [], s3: [] };
try {
  for (let i = 0; i < repeat; i++) {
    samples.local.push(await run('local', i));
    samples.s3.push(await run('s3', i));
  }
} finally {
  await s3rver.stop();
  removeS3Directory(s3rver);
  rmSync(dir, { recursive: true, force: true });
}

const best = (list: Sample[]): Sample => list.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
const peak = (list: Sample[]): number => Math.max(...list.map((s) => s.maxRss));
const local = best(samples.local);
const s3 = best(samples.s3);
// docs/object-storage.md's figure: the SDK on the main thread (35 MiB), and per worker its
// uploader thread with the SDK (30 MiB) plus its part buffers (one per open part file, here 1).
const bound = 35 * MiB + workers * (30 * MiB + (1 + inFlight) * partSizeMiB * MiB);
console.log(`${total} MiB in ${fileMiB} MiB part files, ${workers} workers, part size ${partSizeMiB} MiB, ${inFlight} in flight per thread, best of ${repeat}`);
console.table({
  local: { 'MiB/s': +(total / local.seconds).toFixed(1), seconds: +local.seconds.toFixed(2), 'writer CPU s': +local.cpu.toFixed(2), 'server CPU s': 0, 'peak RSS MiB': +(peak(samples.local) / MiB).toFixed(0) },
  s3rver: { 'MiB/s': +(total / s3.seconds).toFixed(1), seconds: +s3.seconds.toFixed(2), 'writer CPU s': +s3.cpu.toFixed(2), 'server CPU s': +s3.serverCpu.toFixed(2), 'peak RSS MiB': +(peak(samples.s3) / MiB).toFixed(0) },
});
const extra = peak(samples.s3) - peak(samples.local);
console.log(`S3 / local throughput: ${(local.seconds / s3.seconds).toFixed(2)}`);
console.log(
  `S3 extra RSS ${(extra / MiB).toFixed(0)} MiB; bound 35 MiB + workers × (30 MiB + (1 open file + ${inFlight} in flight) × part size) = ${(bound / MiB).toFixed(0)} MiB: ${extra <= bound ? 'within' : 'OVER'}`,
);
