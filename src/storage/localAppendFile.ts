// The local store's append file (the single-file layout), assembled on the main thread: header
// first, then each partition's chunks in partition order, written to data/<table>.csv.dwgen-partial
// and renamed into place when complete. After each partition it journals (OUT/.dwgen/journal/<table>.jsonl, one small line)
// the file's length, rows and the sha256 of that prefix (a copy of the running hash: no re-read),
// so an interrupted run can be resumed: truncate to the last boundary whose prefix still hashes
// to the journaled value and continue from the next partition.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync, writevSync } from 'node:fs';
import { open, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { ioAsync, io } from '../errors.js';
import { PARTIAL_SUFFIX, type AppendFile, type AppendResume, type JournalEntry } from './store.js';

/**
 * Whether finished files are fsynced before they are renamed into place (default yes), so the
 * metadata written last never claims a file the disk may not hold after a power cut.
 * DWGEN_FSYNC=0 turns it off (benchmarks measure its cost).
 */
export const FSYNC = process.env.DWGEN_FSYNC !== '0';

/** Where an interrupted single file can continue: after partition entry.p, with the hash state of that prefix. */
export interface Resumable extends AppendResume {
  /** The journal's entries up to and including `entry`, all verified, and the hash state of that prefix. */
  state: { entries: JournalEntry[]; hash: Hash };
}

/**
 * A single file asks the kernel to write back what it holds every this many bytes (an fdatasync in
 * the background, at most one in flight), so the fsync at commit does not flush gigabytes at once:
 * with the default dirty-page limits (10 % of memory) an SF 100 run otherwise ended on a ~2 s flush.
 * 64 MB (was 256): at SF 10 no file reached 256 MB, and the run ended on 240 ms of commit fsyncs
 * with both workers idle (now ~20 ms); every 32 MB cost more CPU than it saved.
 */
const BACKGROUND_SYNC_BYTES = 64 * 1024 * 1024;

export class SingleFileWriter implements AppendFile {
  readonly path: string;
  readonly partialPath: string;
  private readonly journalPath: string;
  private handle: FileHandle | null = null;
  private journalFd: number | null = null;
  private hash: Hash = createHash('sha256');
  private bytes = 0;
  private syncedAt = 0;
  /** The background fdatasync in flight; its error, if any, fails the commit. */
  private syncing: Promise<unknown> | null = null;
  rows = 0;

  constructor(path: string, journalPath: string) {
    this.path = path;
    this.partialPath = path + PARTIAL_SUFFIX;
    this.journalPath = journalPath;
  }

  /**
   * What an earlier run left of this table: the last journaled partition boundary whose prefix
   * (re-read from the partial file: a hash state cannot be stored) still has the journaled sha256.
   */
  static async inspect(path: string, journalPath: string): Promise<Resumable | null> {
    let lines: string[];
    try {
      lines = readFileSync(journalPath, 'utf8').split('\n');
    } catch {
      return null;
    }
    const entries: JournalEntry[] = [];
    for (const line of lines) {
      let e: JournalEntry;
      try {
        e = JSON.parse(line) as JournalEntry;
      } catch {
        break; // a torn last line
      }
      if (e.p !== entries.length - 1 || (entries.length > 0 && e.bytes < entries[entries.length - 1].bytes)) break;
      entries.push(e);
    }
    if (entries.length === 0) return null;
    let handle: FileHandle;
    try {
      handle = await open(path + PARTIAL_SUFFIX, 'r');
    } catch {
      return null;
    }
    const hash = createHash('sha256');
    let best: Resumable | null = null;
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let pos = 0;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        while (pos < e.bytes) {
          const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, e.bytes - pos), pos);
          if (bytesRead === 0) return best; // the file is shorter than the journal says
          hash.update(buf.subarray(0, bytesRead));
          pos += bytesRead;
        }
        if (hash.copy().digest('hex') !== e.sha256) return best;
        best = { entry: e, state: { entries: entries.slice(0, i + 1), hash: hash.copy() } };
      }
      return best;
    } finally {
      await handle.close();
    }
  }

  /** Starts the file with its header, or continues it after `resume.entry` (truncating whatever follows). */
  async open(header: Uint8Array, resume: Resumable | null): Promise<void> {
    await ioAsync(this.path, async () => {
      if (resume) {
        await truncate(this.partialPath, resume.entry.bytes);
        this.handle = await open(this.partialPath, 'a');
        this.hash = resume.state.hash.copy();
        this.bytes = resume.entry.bytes;
        this.rows = resume.entry.rows;
        const tmp = `${this.journalPath}.tmp-${process.pid}`;
        writeFileSync(tmp, resume.state.entries.map((e) => JSON.stringify(e) + '\n').join(''));
        renameSync(tmp, this.journalPath);
        this.journalFd = openSync(this.journalPath, 'a');
      } else {
        this.handle = await open(this.partialPath, 'w');
        this.journalFd = openSync(this.journalPath, 'w');
      }
    });
    if (!resume) {
      await this.append([header], 0);
      this.mark(-1);
    }
  }

  /**
   * Appends chunks in order and counts their rows. The write is synchronous (writev into the page
   * cache, ~10 ms per order partition): through libuv's thread pool it queued behind the fsyncs of
   * the files being committed (four threads), which stalled the next phase's first append for up
   * to 0.75 s at SF 30 while both workers waited for their next task.
   */
  async append(chunks: readonly Uint8Array[], rows: number): Promise<void> {
    if (chunks.length > 0) {
      io(this.path, () => {
        let pending = chunks.slice();
        while (pending.length > 0) {
          const bytesWritten = writevSync(this.handle!.fd, pending as Uint8Array[]);
          this.bytes += bytesWritten;
          pending = dropWritten(pending, bytesWritten);
        }
      });
      for (const c of chunks) this.hash.update(c);
      if (FSYNC && this.syncing === null && this.bytes - this.syncedAt >= BACKGROUND_SYNC_BYTES) {
        this.syncedAt = this.bytes;
        const done = this.handle!.datasync().then(() => {
          if (this.syncing === done) this.syncing = null;
        });
        done.catch(() => undefined); // observed at commit
        this.syncing = done;
      }
    }
    this.rows += rows;
  }

  /** Journals that everything up to partition `partition` is in the file (one small appended line). */
  mark(partition: number): void {
    const entry: JournalEntry = { p: partition, bytes: this.bytes, rows: this.rows, sha256: this.hash.copy().digest('hex') };
    const line = Buffer.from(JSON.stringify(entry) + '\n');
    io(this.journalPath, () => {
      let written = 0;
      while (written < line.length) written += writeSync(this.journalFd!, line, written, line.length - written);
    });
  }

  /** Fsyncs, closes and renames into place; the journal is no longer needed. */
  async commit(): Promise<{ rows: number; bytes: number; sha256: string }> {
    await ioAsync(this.path, async () => {
      await this.syncing;
      if (FSYNC) await this.handle!.sync();
      await this.handle!.close();
      this.handle = null;
      await rename(this.partialPath, this.path);
    });
    this.closeJournal();
    rmSync(this.journalPath, { force: true });
    return { rows: this.rows, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes, keeping the partial file and its journal for a later --resume. */
  async close(): Promise<void> {
    if (this.handle) await this.handle.close().catch(() => undefined);
    this.handle = null;
    this.closeJournal();
  }

  /** Closes and deletes the partial file and its journal. */
  async abort(): Promise<void> {
    await this.close();
    await rm(this.partialPath, { force: true });
    rmSync(this.journalPath, { force: true });
  }

  private closeJournal(): void {
    if (this.journalFd === null) return;
    try {
      closeSync(this.journalFd);
    } catch {
      /* already closed */
    }
    this.journalFd = null;
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
