// A store whose one data file is standard output: `dwgen generate --stdout --tables T` streams
// table T's CSV (the single-file bytes) into a pipe (psql COPY, gzip, `aws s3 cp -`). The run's
// records live in memory only (a pipe cannot be resumed), nothing else is written, and a reader
// that closes the pipe early (EPIPE: `| head`) ends the run quietly (PipeClosedError).
import { createHash } from 'node:crypto';
import { DwgenError } from '../errors.js';
import type { AppendFile, AppendResume, FinishedPart, PartSink, PendingPart, Store, StoreDescription, StoreLock } from './store.js';

/** The reader of standard output went away: not a failure of the run (exit 0, nothing printed). */
export class PipeClosedError extends DwgenError {
  override name = 'PipeClosedError';
  override readonly exitCode: number = 0;
}

/** Writes to a stream with backpressure; EPIPE (or a destroyed stream) becomes PipeClosedError. */
class StreamWriter {
  private readonly stream: NodeJS.WritableStream & { destroyed?: boolean };
  private closed = false;
  bytes = 0;
  readonly hash = createHash('sha256');

  constructor(stream: NodeJS.WritableStream) {
    this.stream = stream;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.closed = true;
    });
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.closed || this.stream.destroyed) throw new PipeClosedError('standard output was closed by its reader');
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
        this.stream.on('close', done);
      });
      if (this.closed) throw new PipeClosedError('standard output was closed by its reader');
    }
  }
}

export class StdoutStore implements Store {
  readonly description: StoreDescription = { kind: 'stdout' };
  readonly canAppend = true;
  private readonly out: StreamWriter;
  private readonly objects = new Map<string, Uint8Array>();

  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.out = new StreamWriter(stream);
  }

  locate(path: string): string {
    return `standard output (${path})`;
  }

  async prepare(): Promise<void> {}

  /** A small dimension table written whole (--stdout --tables dates): buffered, then streamed. */
  createPart(path: string): PartSink {
    const chunks: Uint8Array[] = [];
    const hash = createHash('sha256');
    let bytes = 0;
    return {
      path,
      write: (chunk) => {
        chunks.push(Uint8Array.from(chunk)); // the encoder reuses its buffer
        hash.update(chunk);
        bytes += chunk.length;
      },
      finish: async (): Promise<FinishedPart> => {
        for (const c of chunks) await this.out.write(c);
        return { path, bytes, sha256: hash.digest('hex'), pending: { path } };
      },
      abort: async () => undefined,
    };
  }

  async commit(_part: PendingPart): Promise<void> {}
  async discard(_part: PendingPart): Promise<void> {}

  async put(path: string, data: string | Uint8Array): Promise<void> {
    this.objects.set(path, typeof data === 'string' ? Buffer.from(data) : Uint8Array.from(data)); // a copy: the caller may reuse its bytes
  }
  async get(path: string): Promise<Uint8Array | null> {
    return this.objects.get(path) ?? null;
  }
  async list(prefix: string): Promise<string[]> {
    const p = prefix.replace(/\/+$/, '') + '/';
    return [...this.objects.keys()].filter((k) => k.startsWith(p)).sort();
  }
  async remove(paths: readonly string[]): Promise<void> {
    for (const p of paths) this.objects.delete(p);
  }
  async verify(path: string): Promise<string | null> {
    return `${path} is not kept (standard output)`;
  }
  async lock(): Promise<StoreLock> {
    return { note: null, release: async () => undefined };
  }
  async sweep(): Promise<void> {}

  async openAppend(path: string, _journal: string, _resume: AppendResume | null, header: Uint8Array): Promise<AppendFile> {
    const out = this.out;
    await out.write(header);
    let rows = 0;
    return {
      path,
      append: async (chunks, n) => {
        for (const c of chunks) await out.write(c);
        rows += n;
      },
      mark: () => undefined,
      commit: async () => ({ rows, bytes: out.bytes, sha256: out.hash.digest('hex') }),
      close: async () => undefined,
    };
  }
  async inspectAppend(): Promise<AppendResume | null> {
    return null;
  }
  async removeAppend(): Promise<void> {}
}
