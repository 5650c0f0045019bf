// A run's durable state, kept in its store under a state prefix: `.dwgen/` for a one-machine run
// and for finalize, `.dwgen/shard-KKKKK-of-NNNNN/` for shard K of N (each shard owns its own, so
// shards on many hosts writing one dataset never touch each other's state or lock).
//
//   run.json                   the manifest: everything that determines the bytes (config and its
//                              hash, seed, scale, formats, layout, Parquet settings, tables, shard;
//                              never the worker count), the host, and whether the run completed
//   lock                       {pid, host, started_at} of the run writing here
//   counts.json                the counting pre-pass: lines and returns of every order partition
//   parts/<kind>-NNNNN.json    one record per finished unit (dimensions, customers, orders and
//                              inventory partitions): rows, bytes, sha256 of each file, written
//                              AFTER the files were published
//   parts/orders-NNNNN.inv     its inventory deltas (deltaRecord.ts: varints, ~4 bytes a cell, CRC-32),
//                              kept until the dataset is finalized
//   parts/single-<table>.json  a committed single-file table (rows, bytes, sha256)
//   journal/<table>.jsonl      single-file layout: the append file's journal (see the store)
//
// Nothing here is trusted blindly: every record is checked against the file it describes (size,
// then sha256) before its partition is reused. That is why records need no fsync: a record whose
// file did not survive a crash fails verification. The metadata documents are built from these
// records (see results.ts), so a process that generated nothing can still write them.
import { hostname } from 'node:os';
import type { Config } from '../config/config.js';
import type { InventoryDeltas, PartitionCounts } from '../core/facts.js';
import type { PartitionKind } from '../core/tables.js';
import { STATE_DIR, type Store } from '../storage/store.js';
import { decodeDeltaRecord, encodeDeltaRecord } from './deltaRecord.js';

export type UnitKind = PartitionKind;

/** One shard of N (1-based). */
export interface Shard {
  parts: number;
  part: number;
}

/** Everything that determines the output bytes. The worker count is deliberately absent. */
export interface RunManifest {
  tool: 'dwgen';
  tool_version: string;
  /** core/outputRevision.ts: the generator revision that wrote this run (absent before revision 3). */
  output_revision: number;
  config_sha256: string;
  seed: number;
  scale_factor: number;
  formats: string[];
  layout: string;
  parquet: { compression: string; row_group_bytes: number } | null;
  tables: string[];
  /** Set for shard runs: this shard's place among N. */
  shard?: Shard | null;
}

export interface StoredManifest extends RunManifest {
  state: 'running' | 'complete';
  /** The effective config (finalize needs it to build the inventory), and where it came from. */
  config?: Config;
  config_source?: string;
  host?: string;
  /** Wall time of the logical steps this run executed (finalize reports the shards'). */
  step_seconds?: Record<string, number>;
  /** Wall time of the counting pre-pass. */
  count_seconds?: number;
  started_at?: string;
  finished_at?: string;
}

/** One table's output of one partition in one format. */
export interface PartEntry {
  table: string;
  format: 'csv' | 'parquet';
  rows: number;
  bytes: number;
  /** The part file (dataset-relative posix path) and its sha256; null when the rows went into a single file. */
  path: string | null;
  sha256: string | null;
}

export interface PartitionRecord {
  kind: UnitKind;
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

/** Human-readable differences between two manifests ("seed 7 vs 8"); the shard's own number is not one. */
export function manifestDifferences(existing: RunManifest, wanted: RunManifest): string[] {
  const diffs: string[] = [];
  const fields: (keyof RunManifest)[] = ['seed', 'scale_factor', 'layout', 'formats', 'parquet', 'tables', 'config_sha256', 'tool_version', 'output_revision'];
  const show = (v: unknown): string =>
    v === null || v === undefined ? 'none' : Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  for (const f of fields) {
    if (f === 'config_sha256' && diffs.length > 0) continue; // seed and scale are part of the config hash
    const a = show(existing[f]);
    const b = show(wanted[f]);
    if (a === b) continue;
    if (f === 'config_sha256') diffs.push(`config (sha256 ${a.slice(0, 12)}… vs ${b.slice(0, 12)}…)`);
    else if (f === 'output_revision') diffs.push(`output revision ${a} vs ${b} (written by a dwgen build whose data differs)`);
    else diffs.push(`${f} ${a} vs ${b}`);
  }
  const parts = (m: RunManifest): number | null => m.shard?.parts ?? null;
  if (parts(existing) !== parts(wanted)) diffs.push(`shards ${parts(existing) ?? 'none'} vs ${parts(wanted) ?? 'none'}`);
  return diffs;
}

const pad = (n: number): string => String(n).padStart(5, '0');

/** The state prefix of shard K of N. */
export function shardStateDir(shard: Shard): string {
  return `${STATE_DIR}/shard-${pad(shard.part)}-of-${pad(shard.parts)}`;
}

/** Where shards share the counting pre-pass of a configuration (key: countsKey). */
export function sharedCountsPath(key: string): string {
  return `${STATE_DIR}/counts/${key}.json`;
}

/** What determines the pre-pass counts: the config (its sha256) and the generator's output revision. */
export function countsKey(manifest: Pick<RunManifest, 'config_sha256' | 'output_revision'>): string {
  return `${manifest.config_sha256}-r${manifest.output_revision}`;
}

/** Parses a shard state directory's name (`shard-00002-of-00007`). */
export function parseShardDir(name: string): Shard | null {
  const m = /^shard-(\d{5})-of-(\d{5})$/.exec(name);
  return m ? { part: Number(m[1]), parts: Number(m[2]) } : null;
}

const decode = <T>(bytes: Uint8Array | null): T | null => {
  if (bytes === null) return null;
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as T;
  } catch {
    return null;
  }
};

export class RunRecords {
  readonly store: Store;
  /** The state prefix ('.dwgen' or '.dwgen/shard-KKKKK-of-NNNNN'). */
  readonly dir: string;

  constructor(store: Store, dir: string = STATE_DIR) {
    this.store = store;
    this.dir = dir;
  }

  get lockPath(): string {
    return `${this.dir}/lock`;
  }

  // ---- manifest ----

  async readManifest(): Promise<StoredManifest | null> {
    const m = decode<StoredManifest>(await this.store.get(`${this.dir}/run.json`));
    return m && m.tool === 'dwgen' ? m : null;
  }

  async writeManifest(manifest: StoredManifest): Promise<void> {
    await this.store.put(`${this.dir}/run.json`, JSON.stringify({ ...manifest, host: manifest.host ?? hostname() }, null, 2) + '\n');
  }

  // ---- partition records ----

  private recordPath(kind: UnitKind, partition: number, ext: 'json' | 'inv'): string {
    return `${this.dir}/parts/${kind}-${pad(partition)}.${ext}`;
  }

  /** Writes a partition's record (its deltas first): call only once its files are published. */
  async writeRecord(record: PartitionRecord, deltas: InventoryDeltas | null): Promise<void> {
    if (deltas) {
      const bytes = encodeDeltaRecord(deltas, this.recordSpace);
      this.recordSpace = undefined; // taken: a record written meanwhile encodes into space of its own
      try {
        await this.store.put(this.recordPath(record.kind, record.partition, 'inv'), bytes);
      } finally {
        // Written (a store keeps no reference once put settles): the space serves the next record.
        this.recordSpace = new Uint8Array(bytes.buffer, bytes.byteOffset);
      }
    }
    await this.store.put(this.recordPath(record.kind, record.partition, 'json'), JSON.stringify(record) + '\n');
  }
  /** Encoding space of the last delta record written, free for the next one. */
  private recordSpace: Uint8Array | undefined;

  async readRecord(kind: UnitKind, partition: number): Promise<PartitionRecord | null> {
    const r = decode<PartitionRecord>(await this.store.get(this.recordPath(kind, partition, 'json')));
    return r && r.kind === kind && r.partition === partition && Array.isArray(r.parts) ? r : null;
  }

  /** Every partition record held here. */
  async listRecords(): Promise<PartitionRecord[]> {
    const out: PartitionRecord[] = [];
    for (const path of await this.store.list(`${this.dir}/parts`)) {
      const m = /\/(dimensions|customers|orders|inventory)-(\d{5})\.json$/.exec(path);
      if (!m) continue;
      const r = await this.readRecord(m[1] as UnitKind, Number(m[2]));
      if (r) out.push(r);
    }
    return out;
  }

  /** The partition's inventory deltas, or null when they are gone (removed once finalized) or damaged. */
  async readDeltas(partition: number): Promise<InventoryDeltas | null> {
    const bytes = await this.store.get(this.recordPath('orders', partition, 'inv'));
    return bytes === null ? null : decodeDeltaRecord(bytes);
  }

  async writeSingleRecord(record: SingleRecord): Promise<void> {
    await this.store.put(`${this.dir}/parts/single-${record.table}.json`, JSON.stringify(record) + '\n');
  }

  async readSingleRecord(table: string): Promise<SingleRecord | null> {
    const r = decode<SingleRecord>(await this.store.get(`${this.dir}/parts/single-${table}.json`));
    return r && r.table === table ? r : null;
  }

  /** The counts of this run, or (`path`) the ones shards share. */
  async writeCounts(counts: PartitionCounts[], path = `${this.dir}/counts.json`): Promise<void> {
    await this.store.put(path, JSON.stringify(counts.map((c) => [c.lines, c.returns])) + '\n');
  }

  async readCounts(partitions: number, path = `${this.dir}/counts.json`): Promise<PartitionCounts[] | null> {
    const c = decode<[number, number][]>(await this.store.get(path));
    if (!Array.isArray(c) || c.length !== partitions || !c.every((x) => Array.isArray(x) && Number.isInteger(x[0]) && Number.isInteger(x[1]))) return null;
    return c.map(([lines, returns]) => ({ lines, returns }));
  }

  journalPath(table: string): string {
    return `${this.dir}/journal/${table}.jsonl`;
  }

  /** Forgets every record (a fresh run of the same or a new configuration). Keeps the lock and other shards' state. */
  async clearRecords(): Promise<void> {
    const mine = (await this.store.list(this.dir)).filter((p) => p !== this.lockPath && !p.slice(this.dir.length + 1).startsWith('shard-'));
    await this.store.remove(mine);
  }

  /** Drops what only an unfinished run needs: journals, and the inventory deltas unless a finalize still needs them. */
  async dropScratch(keepDeltas: boolean): Promise<void> {
    const paths = await this.store.list(this.dir);
    await this.store.remove(paths.filter((p) => p.startsWith(`${this.dir}/journal/`) || (!keepDeltas && p.startsWith(`${this.dir}/parts/`) && p.endsWith('.inv'))));
  }
}
