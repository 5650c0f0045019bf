// A single-file table assembled on the main thread: header first, then each partition's chunks
// in partition order, written under a temporary name and renamed into place when complete.
import { createHash, type Hash } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { temporaryName } from './tableOutput.js';

export class SingleFileWriter {
  readonly path: string;
  private handle: FileHandle | null = null;
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  rows = 0;

  constructor(path: string) {
    this.path = path;
  }

  async open(header: Uint8Array): Promise<void> {
    this.handle = await open(temporaryName(this.path), 'w');
    await this.append([header], 0);
  }

  /** Appends chunks in order (one writev call) and counts their rows. */
  async append(chunks: readonly Uint8Array[], rows: number): Promise<void> {
    if (chunks.length > 0) {
      for (const c of chunks) this.hash.update(c);
      let pending = chunks.slice();
      while (pending.length > 0) {
        const { bytesWritten } = await this.handle!.writev(pending as Uint8Array[]);
        this.bytes += bytesWritten;
        pending = dropWritten(pending, bytesWritten);
      }
    }
    this.rows += rows;
  }

  async commit(): Promise<{ rows: number; bytes: number; sha256: string }> {
    await this.handle!.close();
    this.handle = null;
    await rename(temporaryName(this.path), this.path);
    return { rows: this.rows, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    if (this.handle) await this.handle.close().catch(() => undefined);
    this.handle = null;
    await rm(temporaryName(this.path), { force: true });
  }
}

/** What is left of a list of buffers after a (possibly short) writev of `written` bytes. */
function dropWritten(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = written;
  for (const c of chunks) {
    if (skip >= c.length) {
      skip -= c.length;
      continue;
    }
    rest.push(skip > 0 ? c.subarray(skip) : c);
    skip = 0;
  }
  return rest;
}
