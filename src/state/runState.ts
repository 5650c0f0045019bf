// A run's durable state, under OUT/.dwgen/, so an interrupted run can be resumed:
//
//   run.json                   the manifest: everything that determines the bytes (config hash, seed,
//                              scale, formats, layout, Parquet settings, tables; never the worker
//                              count) and whether the run completed
//   lock                       {pid, host, started_at} of the run writing here (created O_EXCL)
//   counts.json                the counting pre-pass: lines and returns of every order partition
//   parts/<kind>-NNNNN.json    one record per finished partition: rows, bytes, sha256 of each file,
//                              written atomically AFTER the files were renamed into place
//   parts/orders-NNNNN.inv     its inventory deltas (cells, sold, lastSale as raw Int32 arrays)
//   parts/single-<table>.json  a committed single-file table (rows, bytes, sha256)
//   journal/<table>.jsonl      single-file layout: after each partition appended to the table's
//                              .dwgen-partial file, its length, rows and prefix sha256
//
// Nothing here is trusted blindly: every record is checked against the file it describes (size,
// then sha256 of the content) before its partition is reused. That is why the records need no
// fsync: a record whose file did not survive a crash simply fails verification.
// When a run completes, the lock, the journals and the deltas are removed; the manifest, the
// counts and the small partition records stay (≈ 200 bytes per file) so `--resume` can later
// repair a damaged dataset by regenerating only the partitions whose files no longer verify.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { InventoryDeltas, PartitionCounts } from '../core/facts.js';
import { io } from '../errors.js';

export const STATE_DIR = '.dwgen';
export const PARTIAL_SUFFIX = '.dwgen-partial';

export type PhaseKind = 'customers' | 'orders' | 'inventory';

/** Everything that determines the output bytes. The worker count is deliberately absent. */
export interface RunManifest {
  tool: 'dwgen';
  tool_version: string;
  config_sha256: string;
  seed: number;
  scale_factor: number;
  formats: string[];
  layout: string;
  parquet: { compression: string; row_group_bytes: number } | null;
  tables: string[];
}

export interface StoredManifest extends RunManifest {
  state: 'running' | 'complete';
}

/** One table's output of one partition in one format. */
export interface PartEntry {
  table: string;
  format: 'csv' | 'parquet';
  rows: number;
  bytes: number;
  /** The part file (posix path relative to the dataset root) and its sha256; null when the rows went into a single file. */
  path: string | null;
  sha256: string | null;
}

export interface PartitionRecord {
  kind: PhaseKind;
  partition: number;
  parts: PartEntry[];
}

export interface SingleRecord {
  table: string;
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** A single-file table's state after a partition (p = −1: after the header). */
export interface JournalEntry {
  p: number;
  bytes: number;
  rows: number;
  sha256: string;
}

/** Human-readable differences between two manifests ("seed 7 (existing) vs 8 (this run)"). */
export function manifestDifferences(existing: RunManifest, wanted: RunManifest): string[] {
  const diffs: string[] = [];
  const fields: (keyof RunManifest)[] = ['seed', 'scale_factor', 'layout', 'formats', 'parquet', 'tables', 'config_sha256', 'tool_version'];
  const show = (v: unknown): string =>
    v === null || v === undefined ? 'none' : Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  for (const f of fields) {
    if (f === 'config_sha256' && diffs.length > 0) continue; // seed and scale are part of the config hash
    const a = show(existing[f]);
    const b = show(wanted[f]);
    if (a !== b) diffs.push(f === 'config_sha256' ? `config (sha256 ${a.slice(0, 12)}… vs ${b.slice(0, 12)}…)` : `${f} ${a} vs ${b}`);
  }
  return diffs;
}

const pad = (p: number): string => String(p).padStart(5, '0');

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  io(path, () => {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  });
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const DELTA_MAGIC = 0x56494744; // 'DGIV'

export class RunState {
  readonly root: string;
  readonly dir: string;
  private readonly partsDir: string;
  private readonly journalDir: string;
  private lockHeld = false;

  constructor(outDir: string) {
    this.root = outDir;
    this.dir = join(outDir, STATE_DIR);
    this.partsDir = join(this.dir, 'parts');
    this.journalDir = join(this.dir, 'journal');
  }

  get lockPath(): string {
    return join(this.dir, 'lock');
  }

  // ---- lock ----

  /** Takes the lock, or refuses (exit 2) naming the lock file and its holder. Returns a note when a stale lock was taken over. */
  acquireLock(): string | null {
    mkdirSync(this.dir, { recursive: true });
    const mine = JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString() }) + '\n';
    try {
      writeFileSync(this.lockPath, mine, { flag: 'wx' });
      this.lockHeld = true;
      return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`--out ${this.root}: cannot create the lock ${this.lockPath} (${(err as NodeJS.ErrnoException).code})`);
    }
    const holder = readJson<{ pid?: number; host?: string; started_at?: string }>(this.lockPath);
    const pid = holder?.pid;
    if (typeof pid === 'number' && pid !== process.pid && (holder?.host ?? hostname()) === hostname() && pidAlive(pid)) {
      throw new UsageError(
        `${this.lockPath} is held by pid ${pid} (a dwgen run started ${holder?.started_at ?? 'at an unknown time'}): another run is writing to ${this.root}`,
      );
    }
    if (typeof pid === 'number' && holder?.host && holder.host !== hostname()) {
      throw new UsageError(`${this.lockPath} is held by pid ${pid} on host ${holder.host}: another run may be writing to ${this.root}; delete the lock if it is not`);
    }
    writeAtomic(this.lockPath, mine);
    if (readJson<{ pid?: number }>(this.lockPath)?.pid !== process.pid) {
      throw new UsageError(`${this.lockPath} was just taken by another run`);
    }
    this.lockHeld = true;
    return `taking over the stale lock ${this.lockPath} (${typeof pid === 'number' ? `pid ${pid} is not running` : 'it is unreadable'})`;
  }

  releaseLock(): void {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    if (readJson<{ pid?: number }>(this.lockPath)?.pid === process.pid) rmSync(this.lockPath, { force: true });
    try {
      rmdirSync(this.dir); // only when empty: a run refused before it wrote anything leaves nothing behind
    } catch {
      /* holds state */
    }
  }

  // ---- manifest ----

  readManifest(): StoredManifest | null {
    const m = readJson<StoredManifest>(join(this.dir, 'run.json'));
    return m && m.tool === 'dwgen' ? m : null;
  }

  writeManifest(manifest: RunManifest, state: StoredManifest['state']): void {
    mkdirSync(this.dir, { recursive: true });
    writeAtomic(join(this.dir, 'run.json'), JSON.stringify({ ...manifest, state }, null, 2) + '\n');
  }

  // ---- partition records ----

  private recordPath(kind: PhaseKind, partition: number, ext: 'json' | 'inv'): string {
    return join(this.partsDir, `${kind}-${pad(partition)}.${ext}`);
  }

  /** Writes a partition's record (its deltas first): call only once its files are in place. */
  writeRecord(record: PartitionRecord, deltas: InventoryDeltas | null): void {
    mkdirSync(this.partsDir, { recursive: true });
    if (deltas) {
      const n = deltas.cells.length;
      const buf = new Int32Array(2 + 3 * n);
      buf[0] = DELTA_MAGIC;
      buf[1] = n;
      buf.set(deltas.cells, 2);
      buf.set(deltas.sold, 2 + n);
      buf.set(deltas.lastSale, 2 + 2 * n);
      writeAtomic(this.recordPath(record.kind, record.partition, 'inv'), new Uint8Array(buf.buffer));
    }
    writeAtomic(this.recordPath(record.kind, record.partition, 'json'), JSON.stringify(record) + '\n');
  }

  readRecord(kind: PhaseKind, partition: number): PartitionRecord | null {
    const r = readJson<PartitionRecord>(this.recordPath(kind, partition, 'json'));
    return r && r.kind === kind && r.partition === partition && Array.isArray(r.parts) ? r : null;
  }

  /** The partition's inventory deltas, or null when they are gone (removed after a completed run) or damaged. */
  readDeltas(partition: number): InventoryDeltas | null {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.recordPath('orders', partition, 'inv'));
    } catch {
      return null;
    }
    if (bytes.length < 8 || bytes.length % 4 !== 0) return null;
    const all = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const n = all[1];
    if (all[0] !== DELTA_MAGIC || all.length !== 2 + 3 * n) return null;
    return { cells: all.slice(2, 2 + n), sold: all.slice(2 + n, 2 + 2 * n), lastSale: all.slice(2 + 2 * n) };
  }

  writeSingleRecord(record: SingleRecord): void {
    mkdirSync(this.partsDir, { recursive: true });
    writeAtomic(join(this.partsDir, `single-${record.table}.json`), JSON.stringify(record) + '\n');
  }

  readSingleRecord(table: string): SingleRecord | null {
    const r = readJson<SingleRecord>(join(this.partsDir, `single-${table}.json`));
    return r && r.table === table ? r : null;
  }

  removeSingleRecord(table: string): void {
    rmSync(join(this.partsDir, `single-${table}.json`), { force: true });
  }

  writeCounts(counts: PartitionCounts[]): void {
    mkdirSync(this.dir, { recursive: true });
    writeAtomic(join(this.dir, 'counts.json'), JSON.stringify(counts.map((c) => [c.lines, c.returns])) + '\n');
  }

  readCounts(partitions: number): PartitionCounts[] | null {
    const c = readJson<[number, number][]>(join(this.dir, 'counts.json'));
    if (!Array.isArray(c) || c.length !== partitions || !c.every((x) => Array.isArray(x) && Number.isInteger(x[0]) && Number.isInteger(x[1]))) return null;
    return c.map(([lines, returns]) => ({ lines, returns }));
  }

  journalPath(table: string): string {
    mkdirSync(this.journalDir, { recursive: true });
    return join(this.journalDir, `${table}.jsonl`);
  }

  /** Forgets every record (a fresh run of the same or a new configuration). Keeps the lock. */
  clearRecords(): void {
    rmSync(this.partsDir, { recursive: true, force: true });
    rmSync(this.journalDir, { recursive: true, force: true });
    rmSync(join(this.dir, 'counts.json'), { force: true });
    rmSync(join(this.dir, 'run.json'), { force: true });
  }

  /** After the metadata is written: drop what only an unfinished run needs (deltas, journals). */
  markComplete(manifest: RunManifest): void {
    this.writeManifest(manifest, 'complete');
    rmSync(this.journalDir, { recursive: true, force: true });
    let entries: string[] = [];
    try {
      entries = readdirSync(this.partsDir);
    } catch {
      return;
    }
    for (const e of entries) if (e.endsWith('.inv') || e.includes('.tmp-')) rmSync(join(this.partsDir, e), { force: true });
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

/** Checks a recorded file: null when it is intact, else why not ("missing", "size differs", "checksum mismatch"). */
export async function verifyFile(root: string, relPath: string, bytes: number, sha256: string): Promise<string | null> {
  const path = join(root, relPath);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return `${relPath} is missing`;
  }
  if (size !== bytes) return `${relPath} has ${size} bytes, the record says ${bytes}`;
  try {
    const h = await hashFile(path);
    return h.sha256 === sha256 ? null : `${relPath}: checksum mismatch`;
  } catch (err) {
    return `${relPath} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
}
