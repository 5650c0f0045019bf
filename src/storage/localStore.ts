// The local file system as a Store: every fsync, rename, `.tmp-<pid>` name, journal and lock of a
// run lives here. A part file is written under `<path>.tmp-<pid>` (hashed as it is written) by the
// thread that encodes it, closed without fsync, and committed later by the main thread (fsync,
// then rename into place): a worker blocked in fsync would hold a core the generation needs.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, writeSync, readFileSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { io, ioAsync, UsageError } from '../errors.js';
import { FSYNC, SingleFileWriter, type Resumable } from './localAppendFile.js';
import { pidAlive } from './lockHolder.js';
import { PARTIAL_SUFFIX, STATE_DIR, type AppendFile, type AppendResume, type FinishedPart, type LocalStoreDescription, type PartSink, type PendingPart, type Store, type StoreLock } from './store.js';

/** The temporary name a file is written under until it is complete. */
export function temporaryName(finalPath: string): string {
  return `${finalPath}.tmp-${process.pid}`;
}

/** A part file written under its temporary name, hashed as it goes. */
class LocalPartSink implements PartSink {
  readonly path: string;
  private readonly file: string;
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  /** Once closed, the descriptor number may belong to another file of this process: never close it twice. */
  private open = true;
  private bytes = 0;

  constructor(path: string, file: string) {
    this.path = path;
    this.file = file;
    this.fd = io(file, () => {
      mkdirSync(dirname(file), { recursive: true });
      return openSync(temporaryName(file), 'w');
    });
  }

  write(chunk: Uint8Array): void {
    this.hash.update(chunk);
    io(this.file, () => {
      let written = 0;
      while (written < chunk.length) written += writeSync(this.fd, chunk, written, chunk.length - written);
    });
    this.bytes += chunk.length;
  }

  async finish(): Promise<FinishedPart> {
    this.close();
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex'), pending: { path: this.path } };
  }

  async abort(): Promise<void> {
    try {
      this.close();
    } catch {
      /* the file goes anyway */
    }
    rmSync(temporaryName(this.file), { force: true });
  }

  private close(): void {
    if (!this.open) return;
    this.open = false;
    io(this.file, () => closeSync(this.fd));
  }
}


function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns for a path under
 * /proc (it retries the ENOENT forever), so a bad --out could hang the run instead of failing.
 */
function makeDirectories(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
    makeDirectories(parent);
    mkdirSync(dir);
  }
}

/** sha256 and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

export class LocalStore implements Store {
  readonly description: LocalStoreDescription;
  readonly canAppend = true;
  readonly root: string;

  constructor(description: LocalStoreDescription) {
    this.description = description;
    this.root = description.root;
  }

  locate(path: string): string {
    return join(this.root, path);
  }

  async prepare(): Promise<void> {
    for (const dir of [this.root, join(this.root, 'data'), join(this.root, 'metadata'), join(this.root, STATE_DIR)]) {
      try {
        makeDirectories(dir);
        const probe = join(dir, `.dwgen-write-test-${process.pid}`);
        writeFileSync(probe, '');
        rmSync(probe);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new UsageError(`--out ${this.root}: cannot write ${dir} (${e.code ?? e.message})`);
      }
    }
  }

  createPart(path: string): PartSink {
    return new LocalPartSink(path, this.locate(path));
  }

  async commit(part: PendingPart): Promise<void> {
    const file = this.locate(part.path);
    const temporary = temporaryName(file);
    await ioAsync(file, async () => {
      if (FSYNC) {
        const handle = await open(temporary, 'r');
        try {
          await handle.sync(); // fsync flushes the file, whichever descriptor asks
        } finally {
          await handle.close();
        }
      }
      await rename(temporary, file);
    });
  }

  async discard(part: PendingPart): Promise<void> {
    await rm(temporaryName(this.locate(part.path)), { force: true });
  }

  async put(path: string, data: string | Uint8Array, options: { durable?: boolean } = {}): Promise<void> {
    const file = this.locate(path);
    io(file, () => {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = temporaryName(file);
      if (options.durable && FSYNC) {
        const fd = openSync(tmp, 'w');
        try {
          writeFileSync(fd, data);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } else {
        writeFileSync(tmp, data);
      }
      renameSync(tmp, file);
    });
  }

  async get(path: string): Promise<Uint8Array | null> {
    try {
      return await readFile(this.locate(path));
    } catch {
      return null;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = (rel: string): void => {
      let entries;
      try {
        entries = readdirSync(this.locate(rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const child = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) walk(child);
        else out.push(child);
      }
    };
    walk(prefix.replace(/\/+$/, ''));
    return out.sort();
  }

  async remove(paths: readonly string[]): Promise<void> {
    for (const p of paths) rmSync(this.locate(p), { force: true, recursive: true });
  }

  async verify(path: string, bytes: number, sha256: string): Promise<string | null> {
    const file = this.locate(path);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return `${path} is missing`;
    }
    if (size !== bytes) return `${path} has ${size} bytes, the record says ${bytes}`;
    try {
      const h = await hashFile(file);
      return h.sha256 === sha256 ? null : `${path}: checksum mismatch`;
    } catch (err) {
      return `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    }
  }

  /** An O_EXCL lock file {pid, host, started_at}; a lock whose pid no longer runs on this host is taken over. */
  async lock(path: string): Promise<StoreLock> {
    const file = this.locate(path);
    mkdirSync(dirname(file), { recursive: true });
    const mine = JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString() }) + '\n';
    const release = async (): Promise<void> => {
      if (readJson<{ pid?: number }>(file)?.pid === process.pid) rmSync(file, { force: true });
      try {
        rmdirSync(dirname(file)); // only when empty: a run refused before it wrote anything leaves nothing behind
      } catch {
        /* holds state */
      }
    };
    try {
      writeFileSync(file, mine, { flag: 'wx' });
      return { note: null, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`--out ${this.root}: cannot create the lock ${file} (${(err as NodeJS.ErrnoException).code})`);
    }
    const holder = readJson<{ pid?: number; host?: string; started_at?: string }>(file);
    const pid = holder?.pid;
    if (typeof pid === 'number' && pid !== process.pid && (holder?.host ?? hostname()) === hostname() && pidAlive(pid)) {
      throw new UsageError(`${file} is held by pid ${pid} (a dwgen run started ${holder?.started_at ?? 'at an unknown time'}): another run is writing to ${this.root}`);
    }
    if (typeof pid === 'number' && holder?.host && holder.host !== hostname()) {
      throw new UsageError(`${file} is held by pid ${pid} on host ${holder.host}: another run may be writing to ${this.root}; delete the lock if it is not`);
    }
    await this.put(path, mine);
    if (readJson<{ pid?: number }>(file)?.pid !== process.pid) throw new UsageError(`${file} was just taken by another run`);
    return { note: `taking over the stale lock ${file} (${typeof pid === 'number' ? `pid ${pid} is not running` : 'it is unreadable'})`, release };
  }

  /** Removes temporaries (`<path>.tmp-<pid>`) under the dataset's own directories whose final path `owned` accepts. */
  async sweep(options: { mine?: boolean; owned?: (path: string) => boolean } = {}): Promise<void> {
    const pattern = options.mine ? new RegExp(`\\.tmp-${process.pid}$`) : /\.tmp-\d+$/;
    for (const top of ['data', 'metadata', STATE_DIR]) {
      for (const p of await this.list(top)) {
        if (pattern.test(p) && (options.owned?.(p.replace(/\.tmp-\d+$/, '')) ?? true)) rmSync(this.locate(p), { force: true });
      }
    }
  }

  async openAppend(path: string, journal: string, resume: AppendResume | null, header: Uint8Array): Promise<AppendFile> {
    mkdirSync(dirname(this.locate(journal)), { recursive: true });
    const w = new SingleFileWriter(this.locate(path), this.locate(journal));
    await w.open(header, resume as Resumable | null);
    return w;
  }

  inspectAppend(path: string, journal: string): Promise<AppendResume | null> {
    return SingleFileWriter.inspect(this.locate(path), this.locate(journal));
  }

  async removeAppend(path: string, journal: string): Promise<void> {
    rmSync(this.locate(path) + PARTIAL_SUFFIX, { force: true });
    rmSync(this.locate(journal), { force: true });
  }
}
