// Wires a run together: plans it, builds the dimensions and the shared arrays, runs partitions on
// a piscina pool (bounded window, results consumed in partition order), writes single-file or
// partitioned tables, and merges inventory aggregates. Returns what was written, for metadata.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import type { Config } from '../config/config.js';
import { DateTextTable } from '../core/calendar.js';
import type { ColumnBatch } from '../core/columns.js';
import { mergeInventoryDeltas, type InventoryDeltas, type PartitionCounts, type PartitionKeys } from '../core/facts.js';
import { buildDimensionModel } from '../core/model.js';
import { makePlan, type Plan } from '../core/plan.js';
import { TABLES, TABLE_NAMES, type StepName, type TableName } from '../core/tables.js';
import { CsvTableEncoder } from '../streams/csvEncoder.js';
import { InterruptedError, PartitionError } from '../errors.js';
import { faultAt, pauseFaultAt, signalFaultAt } from '../state/faults.js';
import { PARTIAL_SUFFIX, verifyFile, type PartEntry, type PartitionRecord, type PhaseKind, type RunState, type SingleRecord } from '../state/runState.js';
import { SingleFileWriter, type Resumable } from '../streams/singleFile.js';
import { giveSpareChunks, takeSpareChunks } from '../streams/byteWriter.js';
import { CsvPartWriter, ParquetPartWriter, commitPart, partFileName, type Format, type PartResult, type PartWriter } from '../streams/tableOutput.js';
import { SPARE_CHUNKS_PER_TASK, type OutputTarget, type ParquetOutput, type Task, type TaskResult, type WorkerSetup } from './tasks.js';

export type Layout = 'single' | 'partitioned';

export interface GenerateOptions {
  config: Config;
  /** Dataset root: files go to outDir/data. */
  outDir: string;
  workers: number;
  layout: Layout;
  /** Output formats; Parquet is always one file per partition. */
  formats: readonly Format[];
  parquet: ParquetOutput;
  /** Tables to write; what they depend on is computed without being written. */
  tables: readonly TableName[];
  onProgress?: (event: ProgressEvent) => void;
  /** The run's records under OUT/.dwgen (written as partitions finish). */
  state: RunState;
  /** Reuse every partition whose record and files verify (the records must be of this configuration). */
  resume: boolean;
  /** Aborted (reason: the signal name) to stop dispatching: partitions in flight finish and are recorded. */
  signal?: AbortSignal;
  /** One line per partition regenerated on resume (printed under --verbose). */
  log?: (line: string) => void;
  /** Warnings printed whatever the verbosity (a partition retried). */
  warn?: (line: string) => void;
}

export interface ProgressEvent {
  table: TableName;
  rowsDone: number;
  rowsTotal: number;
}

export interface FileRecord {
  path: string;
  format: Format;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface TableRecord {
  rows: number;
  files: FileRecord[];
}

export interface RunResult {
  plan: Plan;
  /** Row count of every table, written or not. */
  rowCounts: Record<TableName, number>;
  /** The tables written, with their files. */
  written: Partial<Record<TableName, TableRecord>>;
  /** Wall time in seconds of each logical step (fused steps share the pass that ran them). */
  stepSeconds: Partial<Record<StepName, number>>;
  /** On --resume: partitions reused from the records and partitions (re)generated. */
  resumed: { reused: number; regenerated: number } | null;
}

const ORDER_TABLES = ['raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'returns'] as const;

/**
 * Young-generation cap of each worker's heap. V8's default (48 MB on 64-bit) lets every worker
 * hold tens of MB of short-lived batches between scavenges; 16 MB cut peak RSS at SF 10 with two
 * workers from 303 MB to 283 MB at no measurable cost (8 MB: 268 MB but more GC time).
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** The worker file, compiled: Node 20 cannot run a .ts worker itself. */
const WORKER_FILE = new URL('./partitionWorker.js', import.meta.url).href;

/**
 * Runs `count` tasks with at most `window` started and not yet consumed, consuming results strictly
 * in index order: memory holds at most `window` partition results, whatever the schedule.
 */
export async function runInOrder<R>(
  count: number,
  window: number,
  start: (index: number) => Promise<R>,
  consume: (index: number, result: R) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  const pending = new Map<number, Promise<R>>();
  let next = 0;
  let failure: unknown = null;
  const launch = (): void => {
    while (failure === null && !signal?.aborted && next < count && pending.size < window) {
      const p = start(next);
      p.catch(() => undefined); // observed below, in order
      pending.set(next, p);
      next++;
    }
  };
  try {
    launch();
    for (let i = 0; i < count; i++) {
      // Interrupted: what was in flight has been consumed (and recorded); nothing more starts.
      if (!pending.has(i)) throw new InterruptedError((signal?.reason as NodeJS.Signals) ?? 'SIGINT');
      const result = await pending.get(i)!;
      pending.delete(i);
      await consume(i, result);
      launch();
    }
  } catch (err) {
    failure = err;
    await Promise.allSettled(pending.values()); // let in-flight partitions finish or clean up
    throw err;
  }
}

const posixRelative = (root: string, path: string): string => relative(root, path).split(sep).join('/');

/** Removes what an earlier run left for a table (its single file and its CSV and Parquet parts), so no stale part survives. */
function clearTable(dataDir: string, table: TableName): void {
  rmSync(join(dataDir, `${table}.csv`), { force: true });
  const dir = join(dataDir, table);
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) if (/^part-\d{5}\.(csv|parquet)(\.tmp-\d+)?$/.test(e)) rmSync(join(dir, e), { force: true });
}

/** Removes every dwgen file of a table: its single file (and partial), its parts. */
export function removeTableFiles(dataDir: string, table: TableName): void {
  clearTable(dataDir, table);
  rmSync(join(dataDir, `${table}.csv${PARTIAL_SUFFIX}`), { force: true });
}

/**
 * Removes temporaries (`*.tmp-<pid>`) under data/, data/<table>/ and metadata/: with the lock
 * held, any of them is a leftover of a run that died. `pid` limits it to this process's own.
 */
export function sweepTemporaries(outDir: string, pid?: number): void {
  const pattern = pid === undefined ? /\.tmp-\d+$/ : new RegExp(`\\.tmp-${pid}$`);
  const dirs = [join(outDir, 'data'), join(outDir, 'metadata'), ...TABLE_NAMES.map((t) => join(outDir, 'data', t))];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const e of entries) if (pattern.test(e)) rmSync(join(dir, e), { force: true });
  }
}

/** A partition's outcome as the main thread consumes it: fresh from a worker, or reused from its record. */
interface PartitionOutcome {
  parts: PartEntry[];
  /** The chunks of single-file parts, by index into parts (fresh partitions only). */
  chunks: (Uint8Array[] | null)[];
  /** Part files left under their temporary names, to commit before the partition is recorded (fresh only). */
  uncommitted: string[];
  inventory: InventoryDeltas | null;
  fresh: boolean;
}

/** How a phase starts: which partitions are reusable, and where each single-file table continues. */
interface PhasePlan {
  /** Per partition: its verified record, or null when it must be generated. */
  records: (PartitionRecord | null)[];
  singles: Map<TableName, { done: SingleRecord } | { resume: Resumable | null }>;
}

export async function generateDataset(options: GenerateOptions): Promise<RunResult> {
  const { config, outDir, layout, state, resume } = options;
  const selected = new Set(options.tables);
  const dataDir = join(outDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const plan = makePlan(config);
  const stepSeconds: Partial<Record<StepName, number>> = {};
  const written: Partial<Record<TableName, TableRecord>> = {};
  const rowCounts = {
    customers: plan.customers,
    products: plan.products,
    stores: plan.stores,
    promotions: plan.promotions,
    dates: plan.days,
    raw_orders: plan.orders,
    transactions_raw: 0,
    order_aggregates: plan.orders,
    orders: plan.orders,
    inventory: plan.stores * plan.products,
    returns: 0,
  } satisfies Record<TableName, number>;
  const rowsDone = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
  const progress = (table: TableName, rows: number): void => {
    rowsDone[table] += rows;
    options.onProgress?.({ table, rowsDone: rowsDone[table], rowsTotal: rowCounts[table] });
  };
  const formats = options.formats;
  const record = (table: TableName, file: FileRecord): void => {
    const entry = (written[table] ??= { rows: 0, files: [] });
    if (file.format === formats[0]) entry.rows += file.rows; // every format holds the same rows
    entry.files.push(file);
  };
  const partPath = (table: TableName, partition: number, format: Format): string =>
    format === 'csv' && layout === 'single' ? join(dataDir, `${table}.csv`) : join(dataDir, table, partFileName(partition, format));
  const singleLayout = layout === 'single' && formats.includes('csv');
  let reused = 0;
  let regenerated = 0;
  let mergeSeconds = 0;
  if (resume) sweepTemporaries(outDir);
  else for (const t of selected) removeTableFiles(dataDir, t);

  // ---- dimensions (small ones on the main thread, always rewritten: cheap and deterministic) ----
  let t0 = performance.now();
  const { calendar, products, promotions, stores, shared, dateText } = buildDimensionModel(config, plan);
  const dates = new DateTextTable(dateText.firstDay, dateText.days);
  // The workers start (threads, modules) while this thread writes the small dimension tables.
  const setup: WorkerSetup = {
    config,
    plan,
    buffer: shared.buffer,
    layout: shared.layout,
    dateText,
  };
  const pool = new Piscina({
    filename: WORKER_FILE,
    workerData: setup,
    minThreads: options.workers,
    maxThreads: options.workers,
    idleTimeout: 60_000,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  const smallTables: [TableName, ColumnBatch][] = [
    ['dates', calendar.batch],
    ['products', products.batch],
    ['stores', stores],
    ['promotions', promotions.batch],
  ];
  try {
    for (const [name, batch] of smallTables) {
      if (!selected.has(name)) continue;
      for (const format of formats) {
        const path = partPath(name, 0, format);
        const writer: PartWriter =
          format === 'csv' ? new CsvPartWriter(TABLES[name], dates, path) : new ParquetPartWriter(TABLES[name], path, options.parquet);
        try {
          writer.write(batch);
          const r = writer.finish();
          record(name, { path: posixRelative(outDir, path), format, rows: r.rows, bytes: r.bytes, sha256: r.sha256! });
          if (format === formats[0]) progress(name, r.rows);
        } catch (err) {
          writer.abort();
          throw err;
        }
      }
    }
  } catch (err) {
    await pool.destroy();
    throw err;
  }

  const window = options.workers * 2;
  const target = (tables: readonly TableName[]): OutputTarget => ({
    dataDir,
    tables: tables.filter((t) => selected.has(t)),
    csv: !formats.includes('csv') ? null : layout === 'single' ? 'memory' : 'parts',
    parquet: formats.includes('parquet') ? options.parquet : null,
  });

  /** Runs a task on a pool; one writing a single file's chunks takes spare chunk buffers along. */
  const dispatch = (on: Piscina, task: Task): Promise<TaskResult> => {
    const spare = 'output' in task && task.output.csv === 'memory' ? takeSpareChunks(SPARE_CHUNKS_PER_TASK) : [];
    if (spare.length === 0) return on.run(task) as Promise<TaskResult>;
    return on.run({ ...task, spare }, { transferList: spare }) as Promise<TaskResult>;
  };

  /** Runs a task; if it fails (an error, or its worker died) it runs once more on a fresh worker. */
  const run = async (kind: string, partition: number, task: (attempt: number) => Task): Promise<TaskResult> => {
    try {
      return await dispatch(pool, task(1));
    } catch (first) {
      // The environment refusing a write (disk full, permissions, read-only) fails the same way twice.
      if (/\((ENOSPC|EDQUOT|EACCES|EPERM|EROFS)\)$/.test((first as Error).message ?? '')) throw first;
      options.warn?.(`${kind} partition ${partition} failed (${(first as Error).message ?? String(first)}); retrying it on a fresh worker`);
      const fresh = new Piscina({
        filename: WORKER_FILE,
        workerData: setup,
        minThreads: 1,
        maxThreads: 1,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      try {
        return await dispatch(fresh, task(2));
      } catch (second) {
        throw new PartitionError(`${kind} partition ${partition} failed twice (the retry ran on a fresh worker): ${(second as Error).message ?? String(second)}`);
      } finally {
        await fresh.destroy();
      }
    }
  };

  /** Where a phase starts: verifies the records (re-hashing their files) and the single files' journals. */
  const planPhase = async (kind: PhaseKind, count: number, tables: readonly TableName[]): Promise<PhasePlan> => {
    const singles: PhasePlan['singles'] = new Map();
    let firstNeeded = count;
    if (singleLayout) {
      for (const t of tables) {
        if (!selected.has(t)) continue;
        const path = join(dataDir, `${t}.csv`);
        if (resume) {
          const done = state.readSingleRecord(t);
          if (done && (await verifyFile(outDir, done.path, done.bytes, done.sha256)) === null) {
            singles.set(t, { done });
            continue;
          }
          if (done) options.log?.(`regenerating ${done.path}: it no longer matches its record`);
          const r = await SingleFileWriter.inspect(path, state.journalPath(t));
          singles.set(t, { resume: r });
          firstNeeded = Math.min(firstNeeded, r ? r.entry.p + 1 : 0);
        } else {
          singles.set(t, { resume: null });
          firstNeeded = 0;
        }
      }
    }
    const records: (PartitionRecord | null)[] = [];
    for (let p = 0; p < count; p++) {
      records.push(null);
      if (!resume) continue;
      const rec = state.readRecord(kind, p);
      if (!rec) {
        options.log?.(`generating ${kind} partition ${p}: no record of it`);
        continue;
      }
      if (p >= firstNeeded) {
        options.log?.(`regenerating ${kind} partition ${p}: its rows are not in the single-file tables yet`);
        continue;
      }
      let why: string | null = null;
      for (const part of rec.parts) {
        if (part.path === null || part.sha256 === null) continue;
        why = await verifyFile(outDir, part.path, part.bytes, part.sha256);
        if (why !== null) break;
      }
      if (why === null) records[p] = rec;
      else options.log?.(`regenerating ${kind} partition ${p}: ${why}`);
    }
    return { records, singles };
  };

  /**
   * Runs one phase: reuses what its plan verified, generates the rest on the pool, consumes in
   * partition order (appending single files and journaling them), and records each finished
   * partition after its files are in place.
   */
  const singles = new Map<TableName, SingleFileWriter>();
  const commits: Promise<unknown>[] = [];
  const runPhase = async (
    kind: PhaseKind,
    count: number,
    tables: readonly TableName[],
    phase: PhasePlan,
    task: (partition: number, attempt: number, output: OutputTarget) => Task,
    reusedDeltas: ((partition: number) => Promise<InventoryDeltas | null>) | null = null,
    allArrived: () => void = () => undefined,
  ): Promise<void> => {
    const from = new Map<TableName, number>();
    // Inventory deltas are merged as each partition's result arrives (sums and maxima: the order
    // does not matter), so the merged arrays are complete once the last one is in (allArrived),
    // while the results are still being consumed in partition order.
    let arrived = 0;
    const merged = (outcome: PartitionOutcome): PartitionOutcome => {
      if (outcome.inventory) {
        const m0 = performance.now();
        mergeInventoryDeltas(shared.arrays, outcome.inventory);
        mergeSeconds += (performance.now() - m0) / 1000;
      }
      if (++arrived === count) allArrived();
      return outcome;
    };
    for (const [t, s] of phase.singles) {
      if ('done' in s) continue;
      const w = new SingleFileWriter(join(dataDir, `${t}.csv`), state.journalPath(t));
      singles.set(t, w);
      await w.open(new CsvTableEncoder(TABLES[t], dates).header(), s.resume);
      from.set(t, s.resume ? s.resume.entry.p + 1 : 0);
    }
    await runInOrder(
      count,
      window,
      async (p): Promise<PartitionOutcome> => {
        const rec = phase.records[p];
        if (rec) {
          reused++;
          return merged({ parts: rec.parts, chunks: [], uncommitted: [], inventory: reusedDeltas ? await reusedDeltas(p) : null, fresh: false });
        }
        if (resume) regenerated++;
        const r = (await run(kind, p, (attempt) => task(p, attempt, target(tables)))) as Extract<TaskResult, { parts: PartResult[] }>;
        return merged({
          parts: r.parts.map((part) => ({
            table: part.table,
            format: part.format,
            rows: part.rows,
            bytes: part.bytes,
            path: part.chunks ? null : posixRelative(outDir, partPath(part.table, p, part.format)),
            sha256: part.sha256,
          })),
          chunks: r.parts.map((part) => part.chunks),
          uncommitted: r.parts.filter((part) => part.uncommitted).map((part) => partPath(part.table, p, part.format)),
          inventory: 'inventory' in r ? r.inventory : null,
          fresh: true,
        });
      },
      async (p, r) => {
        await Promise.all(r.uncommitted.map(commitPart));
        for (let i = 0; i < r.parts.length; i++) {
          const part = r.parts[i];
          const table = part.table as TableName;
          if (part.path === null) {
            const w = singles.get(table);
            const chunks = r.chunks[i];
            if (w && chunks && p >= from.get(table)!) {
              const fault = faultAt(kind, p, ['enospc', 'eacces']);
              await w.append(chunks, part.rows, (fault?.mode as 'enospc' | 'eacces' | undefined) ?? null);
            }
            if (chunks) giveSpareChunks(chunks.map((c) => c.buffer)); // appended (or not needed): reusable
          } else {
            record(table, { path: part.path, format: part.format, rows: part.rows, bytes: part.bytes, sha256: part.sha256! });
          }
          if (part.format === formats[0]) progress(table, part.rows);
        }
        for (const [t, first] of from) if (p >= first) singles.get(t)!.mark(p);
        if (r.fresh) state.writeRecord({ kind, partition: p, parts: r.parts }, kind === 'orders' ? r.inventory : null);
        signalFaultAt(kind, p);
        await pauseFaultAt(kind, p, options.signal);
      },
      options.signal,
    );
    // The phase's single files are committed (fsync, rename, record) while the next phase runs: it
    // needs the merged deltas, not the files on disk. All commits are awaited before the run ends.
    const committing = Promise.all(
      tables.map(async (t) => {
        const s = phase.singles.get(t);
        if (!s) return;
        let file: SingleRecord;
        if ('done' in s) {
          file = s.done;
        } else {
          const w = singles.get(t)!;
          const r = await w.commit();
          singles.delete(t);
          file = { table: t, path: posixRelative(outDir, w.path), ...r };
          state.writeSingleRecord(file);
        }
        record(t, { path: file.path, format: 'csv', rows: file.rows, bytes: file.bytes, sha256: file.sha256 });
      }),
    );
    committing.catch(() => undefined); // awaited with the others
    commits.push(committing);
  };

  /** The orders phase, still consuming while the inventory phase runs (see below). */
  let ordersDone: Promise<void> = Promise.resolve();
  try {
    if (selected.has('customers')) {
      const phase = await planPhase('customers', plan.customerPartitions, ['customers']);
      await runPhase('customers', plan.customerPartitions, ['customers'], phase, (p, attempt, output) => ({ kind: 'customers', partition: p, attempt, output }));
    }
    stepSeconds.generate_dimensions = (performance.now() - t0) / 1000;

    const needOrders = ORDER_TABLES.some((t) => selected.has(t)) || selected.has('inventory');
    // Inventory is planned first: only if some of it must be written are the order partitions' deltas needed.
    const inventoryPhase = selected.has('inventory') ? await planPhase('inventory', plan.inventoryPartitions, ['inventory']) : null;
    const needDeltas = inventoryPhase !== null && inventoryPhase.records.some((r) => r === null);
    if (needOrders) {
      // Counting pre-pass: each partition's line and return counts give dense keys.
      t0 = performance.now();
      let counts = resume ? state.readCounts(plan.orderPartitions) : null;
      if (counts === null) {
        // A few tasks of consecutive partitions (each counts in ~2 ms: one task each was mostly
        // messaging), about two per worker so both stay busy; the counts do not depend on the split.
        const perTask = Math.ceil(plan.orderPartitions / (2 * options.workers));
        const tasks = Math.ceil(plan.orderPartitions / perTask);
        const fresh: PartitionCounts[] = [];
        await runInOrder(
          tasks,
          tasks,
          async (i) => {
            const first = i * perTask;
            const partitions = Math.min(perTask, plan.orderPartitions - first);
            return ((await run('count', first, (attempt) => ({ kind: 'count', partition: first, partitions, attempt }))) as Extract<TaskResult, { kind: 'count' }>).counts;
          },
          (i, c) => {
            for (let k = 0; k < c.length; k++) fresh[i * perTask + k] = c[k];
          },
          options.signal,
        );
        state.writeCounts(fresh);
        counts = fresh;
      }
      const keys: PartitionKeys[] = [];
      let lines = 0;
      let returns = 0;
      for (let p = 0; p < counts.length; p++) {
        keys[p] = { firstTransaction: lines, firstReturn: returns };
        lines += counts[p].lines;
        returns += counts[p].returns;
      }
      rowCounts.transactions_raw = lines;
      rowCounts.returns = returns;
      const countSeconds = (performance.now() - t0) / 1000;

      t0 = performance.now();
      const phase = await planPhase('orders', plan.orderPartitions, ORDER_TABLES);
      // A reused partition's deltas come from its record; after a completed run they are gone, and
      // the partition is generated again without writing anything, just for them.
      const reusedDeltas = needDeltas
        ? async (p: number): Promise<InventoryDeltas> =>
            state.readDeltas(p) ??
            ((await run('orders', p, (attempt) => ({ kind: 'orders', partition: p, attempt, keys: keys[p], output: target([]) }))) as Extract<TaskResult, { kind: 'orders' }>)
              .inventory
        : null;
      let allArrived!: () => void;
      const arrived = new Promise<void>((resolve) => (allArrived = resolve));
      const factStart = t0;
      ordersDone = runPhase('orders', plan.orderPartitions, ORDER_TABLES, phase, (p, attempt, output) => ({ kind: 'orders', partition: p, attempt, keys: keys[p], output }), reusedDeltas, allArrived).then(() => {
        const factSeconds = (performance.now() - factStart) / 1000 + countSeconds;
        for (const step of ['generate_raw_orders', 'generate_raw_transactions', 'aggregate_transactions', 'process_orders', 'generate_returns'] as const) {
          stepSeconds[step] = factSeconds;
        }
      });
      ordersDone.catch(() => undefined); // awaited below
      // The inventory phase needs every order partition's deltas merged, not the order tables
      // written: it starts when the last order partition's result is in, while the main thread
      // is still appending the previous ones to the single files.
      await Promise.race([arrived, ordersDone]);
    }

    if (inventoryPhase !== null) {
      t0 = performance.now();
      await runPhase('inventory', plan.inventoryPartitions, ['inventory'], inventoryPhase, (p, attempt, output) => ({ kind: 'inventory', partition: p, attempt, output }));
      stepSeconds.update_inventory = mergeSeconds + (performance.now() - t0) / 1000;
    } else {
      stepSeconds.update_inventory = mergeSeconds;
    }
    await ordersDone;
    await Promise.all(commits);
  } catch (err) {
    // Single files keep their partial file and journal: --resume continues from the last partition appended.
    await ordersDone.catch(() => undefined);
    await Promise.allSettled(commits);
    for (const w of singles.values()) await w.close();
    sweepTemporaries(outDir, process.pid);
    throw err;
  } finally {
    await pool.destroy();
  }
  return { plan, rowCounts, written, stepSeconds, resumed: resume ? { reused, regenerated } : null };
}
