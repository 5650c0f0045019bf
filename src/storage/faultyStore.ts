// TEST-ONLY fault injection, so the tests can stop or break a run at an exact point instead of
// guessing with timers. It wraps a Store (and, in src/workers/faultyPartitionWorker.ts, the
// partition worker); production code paths hold none of it. The spec comes from the environment
// variable DWGEN_FAULT, a comma-separated list of
//
//   kind:partition:mode[:attempts]
//
// kind      customers | orders | inventory (a partition of that phase) or metadata (partition 0:
//           between schema.json and generation_lineage.yaml)
// mode      throw   — the worker throws before generating the partition
//           exit    — the worker thread calls process.exit(1)
//           enospc  — the partition's first file write fails with ENOSPC (no space left on device)
//           eacces  — the partition's first file write fails with EACCES (permission denied)
//           kill    — the process SIGKILLs itself once the partition is recorded
//           sigint / sigterm — the process sends itself that signal once the partition is recorded
//           pause   — once the partition is recorded, prints "dwgen: paused …" and waits for
//                     SIGINT/SIGTERM (lets a test run a second dwgen against a live one)
// attempts  throw/exit fire only on attempts ≤ this number (1 = the first try only, so the retry
//           succeeds); without it they fire on every attempt.
//
// Never set it in production: it exists only for the test suite.
import { isTableName, partitionKindOf } from '../core/tables.js';
import { io } from '../errors.js';
import type { AppendFile, AppendResume, FinishedPart, PartSink, PendingPart, Store, StoreDescription, StoreLock } from './store.js';

export type FaultMode = 'throw' | 'exit' | 'enospc' | 'eacces' | 'kill' | 'sigint' | 'sigterm' | 'pause';

export interface Fault {
  kind: string;
  partition: number;
  mode: FaultMode;
  attempts: number | null;
}

const MODES: readonly FaultMode[] = ['throw', 'exit', 'enospc', 'eacces', 'kill', 'sigint', 'sigterm', 'pause'];

export function parseFaults(text: string | undefined): Fault[] {
  if (!text) return [];
  return text.split(',').map((item) => {
    const [kind, partition, mode, attempts] = item.trim().split(':');
    if (!/^\d+$/.test(partition ?? '') || !MODES.includes(mode as FaultMode) || (attempts !== undefined && !/^\d+$/.test(attempts))) {
      throw new Error(`DWGEN_FAULT: cannot parse '${item}' (kind:partition:mode[:attempts], mode one of ${MODES.join(', ')})`);
    }
    return { kind, partition: Number(partition), mode: mode as FaultMode, attempts: attempts === undefined ? null : Number(attempts) };
  });
}

/** The injected fault for this point, if any (attempt counts from 1). */
export function faultAt(faults: readonly Fault[], kind: string, partition: number, modes: readonly FaultMode[], attempt = 1): Fault | undefined {
  return faults.find((f) => f.kind === kind && f.partition === partition && modes.includes(f.mode) && (f.attempts === null || attempt <= f.attempts));
}

/** The errno-style error an injected write fault raises. */
function injectedWriteError(mode: FaultMode): NodeJS.ErrnoException {
  const code = mode === 'enospc' ? 'ENOSPC' : 'EACCES';
  const err: NodeJS.ErrnoException = new Error(`${code}: ${mode === 'enospc' ? 'no space left on device' : 'permission denied'}, write (injected by DWGEN_FAULT)`);
  err.code = code;
  return err;
}

/** The phase a data file belongs to: data/<table>/part-NNNNN.* or data/<table>.csv. */
function phaseOf(path: string): string | null {
  const m = /^data\/([a-z_]+)(?:\/|\.csv$)/.exec(path);
  return m && isTableName(m[1]) ? partitionKindOf(m[1]) : null;
}

const partitionOf = (path: string): number | null => {
  const m = /\/part-(\d{5})\.[a-z]+$/.exec(path);
  return m ? Number(m[1]) : null;
};

export class FaultyStore implements Store {
  private readonly inner: Store;
  private readonly faults: Fault[];
  /** Write faults fire once per partition (the partition's first file write). */
  private readonly fired = new Set<string>();

  constructor(inner: Store, spec: string) {
    this.inner = inner;
    this.faults = parseFaults(spec);
  }

  get description(): StoreDescription {
    return this.inner.description;
  }
  get canAppend(): boolean {
    return this.inner.canAppend;
  }
  locate(path: string): string {
    return this.inner.locate(path);
  }
  prepare(): Promise<void> {
    return this.inner.prepare();
  }

  /** Throws the injected write error (as the store reports it) when this is the partition's first write. */
  private writeFault(kind: string | null, partition: number | null, path: string): void {
    if (kind === null || partition === null) return;
    const f = faultAt(this.faults, kind, partition, ['enospc', 'eacces']);
    const key = `${kind}:${partition}`;
    if (!f || this.fired.has(key)) return;
    this.fired.add(key);
    io(this.locate(path), () => {
      throw injectedWriteError(f.mode);
    });
  }

  createPart(path: string): PartSink {
    const sink = this.inner.createPart(path);
    const kind = phaseOf(path);
    const partition = partitionOf(path);
    return {
      path: sink.path,
      write: (chunk: Uint8Array): void => {
        this.writeFault(kind, partition, path);
        sink.write(chunk);
      },
      finish: (): Promise<FinishedPart> => sink.finish(),
      abort: (): Promise<void> => sink.abort(),
    };
  }

  commit(part: PendingPart): Promise<void> {
    return this.inner.commit(part);
  }
  discard(part: PendingPart): Promise<void> {
    return this.inner.discard(part);
  }

  /** After a partition's record is put: kill, signal or pause; after schema.json: the metadata faults. */
  async put(path: string, data: string | Uint8Array, options?: { durable?: boolean }): Promise<void> {
    await this.inner.put(path, data, options);
    const record = /(?:^|\/)parts\/(customers|orders|inventory)-(\d{5})\.json$/.exec(path);
    if (record) await this.afterPoint(record[1], Number(record[2]));
    if (path === 'metadata/schema.json') await this.afterPoint('metadata', 0);
  }

  private async afterPoint(kind: string, partition: number): Promise<void> {
    const f = faultAt(this.faults, kind, partition, ['kill', 'sigint', 'sigterm', 'pause']);
    if (!f) return;
    if (f.mode !== 'pause') {
      process.kill(process.pid, f.mode === 'kill' ? 'SIGKILL' : f.mode === 'sigint' ? 'SIGINT' : 'SIGTERM');
      await new Promise((resolve) => setImmediate(resolve)); // let the signal handler run before the run goes on
      return;
    }
    process.stderr.write(`dwgen: paused after ${kind} partition ${partition} (DWGEN_FAULT), pid ${process.pid}\n`);
    const keepAlive = setInterval(() => undefined, 1000);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    clearInterval(keepAlive);
  }

  get(path: string): Promise<Uint8Array | null> {
    return this.inner.get(path);
  }
  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }
  remove(paths: readonly string[]): Promise<void> {
    return this.inner.remove(paths);
  }
  verify(path: string, bytes: number, sha256: string): Promise<string | null> {
    return this.inner.verify(path, bytes, sha256);
  }
  lock(path: string): Promise<StoreLock> {
    return this.inner.lock(path);
  }
  sweep(options?: { mine?: boolean; owned?: (path: string) => boolean }): Promise<void> {
    return this.inner.sweep(options);
  }

  /** The append file's first append of a faulted partition fails (partitions are appended in order). */
  async openAppend(path: string, journal: string, resume: AppendResume | null, header: Uint8Array): Promise<AppendFile> {
    const file = await this.inner.openAppend(path, journal, resume, header);
    const kind = phaseOf(path);
    let next = resume ? resume.entry.p + 1 : 0;
    return {
      path: file.path,
      append: async (chunks, rows) => {
        this.writeFault(kind, next, path);
        await file.append(chunks, rows);
      },
      mark: (partition) => {
        next = partition + 1;
        file.mark(partition);
      },
      commit: () => file.commit(),
      close: () => file.close(),
    };
  }
  inspectAppend(path: string, journal: string): Promise<AppendResume | null> {
    return this.inner.inspectAppend(path, journal);
  }
  removeAppend(path: string, journal: string): Promise<void> {
    return this.inner.removeAppend(path, journal);
  }
}
