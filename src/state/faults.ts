// TEST-ONLY fault injection, so the tests can stop or break a run at an exact point instead of
// guessing with timers. Read from the environment variable DWGEN_FAULT, a comma-separated list of
//
//   kind:partition:mode[:attempts]
//
// kind      customers | orders | inventory (a partition of that phase) or metadata (partition 0:
//           between schema.json and generation_lineage.yaml)
// mode      throw   — the worker throws before generating the partition
//           exit    — the worker thread calls process.exit(1)
//           enospc  — the partition's first file write fails with ENOSPC (no space left on device)
//           eacces  — the partition's first file write fails with EACCES (permission denied)
//           kill    — the main thread SIGKILLs its own process once the partition is recorded
//           sigint / sigterm — the main thread sends itself that signal once the partition is recorded
//           pause   — once the partition is recorded, the main thread prints "dwgen: paused …" and
//                     waits for SIGINT/SIGTERM (lets a test run a second dwgen against a live one)
// attempts  throw/exit/enospc/eacces fire only on attempts ≤ this number (1 = the first try only,
//           so the retry succeeds); without it they fire on every attempt.
//
// Never set it in production: it exists only for the test suite.

export type FaultMode = 'throw' | 'exit' | 'enospc' | 'eacces' | 'kill' | 'sigint' | 'sigterm' | 'pause';

export interface Fault {
  kind: string;
  partition: number;
  mode: FaultMode;
  attempts: number | null;
}

const MODES: readonly FaultMode[] = ['throw', 'exit', 'enospc', 'eacces', 'kill', 'sigint', 'sigterm', 'pause'];

export function parseFaults(text: string | undefined = process.env.DWGEN_FAULT): Fault[] {
  if (!text) return [];
  return text.split(',').map((item) => {
    const [kind, partition, mode, attempts] = item.trim().split(':');
    if (!/^\d+$/.test(partition ?? '') || !MODES.includes(mode as FaultMode) || (attempts !== undefined && !/^\d+$/.test(attempts))) {
      throw new Error(`DWGEN_FAULT: cannot parse '${item}' (kind:partition:mode[:attempts], mode one of ${MODES.join(', ')})`);
    }
    return { kind, partition: Number(partition), mode: mode as FaultMode, attempts: attempts === undefined ? null : Number(attempts) };
  });
}

let cached: Fault[] | null = null;

/** The injected fault for this point, if any (attempt counts from 1). */
export function faultAt(kind: string, partition: number, modes: readonly FaultMode[], attempt = 1): Fault | undefined {
  cached ??= parseFaults();
  return cached.find((f) => f.kind === kind && f.partition === partition && modes.includes(f.mode) && (f.attempts === null || attempt <= f.attempts));
}

/** The errno-style error an injected write fault raises. */
export function injectedWriteError(mode: 'enospc' | 'eacces'): NodeJS.ErrnoException {
  const code = mode === 'enospc' ? 'ENOSPC' : 'EACCES';
  const err: NodeJS.ErrnoException = new Error(`${code}: ${mode === 'enospc' ? 'no space left on device' : 'permission denied'}, write (injected by DWGEN_FAULT)`);
  err.code = code;
  return err;
}

/** Main-thread faults after a partition is recorded: SIGKILL or a real signal to this process. */
export function signalFaultAt(kind: string, partition: number): void {
  const f = faultAt(kind, partition, ['kill', 'sigint', 'sigterm']);
  if (!f) return;
  process.kill(process.pid, f.mode === 'kill' ? 'SIGKILL' : f.mode === 'sigint' ? 'SIGINT' : 'SIGTERM');
}

/** Main-thread pause after a partition is recorded: waits until the run is told to stop. */
export async function pauseFaultAt(kind: string, partition: number, signal: AbortSignal | undefined): Promise<void> {
  if (!faultAt(kind, partition, ['pause']) || !signal || signal.aborted) return;
  process.stderr.write(`dwgen: paused after ${kind} partition ${partition} (DWGEN_FAULT), pid ${process.pid}\n`);
  const keepAlive = setInterval(() => undefined, 1000); // an abort listener alone does not keep the process alive
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  clearInterval(keepAlive);
}
