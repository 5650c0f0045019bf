// Executes a run: builds the dimensions and the shared arrays, then the phases of its units (the
// small dimensions, customers partitions, the counting pre-pass, order partitions, inventory
// partitions) on the executor, publishing each part through the store and recording each finished
// partition. The same code runs a one-machine run, one shard of N (its dealt partitions, keeping
// the inventory deltas), and the finalize of a sharded run (inventory from every shard's deltas).
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/config.js';
import { DateTextTable } from '../core/calendar.js';
import type { ColumnBatch } from '../core/columns.js';
import { mergeInventoryDeltas, type InventoryDeltas, type PartitionCounts, type PartitionKeys } from '../core/facts.js';
import { buildDimensionModel } from '../core/model.js';
import { makePlan, type Plan } from '../core/plan.js';
import { TABLES, TABLE_NAMES, partitionKindOf, type StepName, type TableName } from '../core/tables.js';
import { giveSpareChunks } from '../streams/byteWriter.js';
import { CsvTableEncoder } from '../streams/csvEncoder.js';
import { CsvPartWriter, ParquetPartWriter, type Format, type PartResult, type PartWriter } from '../streams/tableOutput.js';
import { dataPath, partPath, type AppendFile, type AppendResume, type PendingPart, type Store } from '../storage/store.js';
import type { OutputTarget, ParquetOutput, Task, TaskResult, WorkerSetup } from '../workers/tasks.js';
import { Executor, runInOrder } from './executor.js';
import { ORDER_TABLES, reuseDecision, runUnits, shardOf, type RunUnits } from './plan.js';
import { sharedCountsPath, type PartEntry, type PartitionRecord, type RunRecords, type Shard, type SingleRecord, type UnitKind } from './records.js';

export type Layout = 'single' | 'partitioned';

/** One machine; one shard of N; or the finalize of N shards (their records, shard 1 first). */
export type RunMode = { kind: 'all' } | { kind: 'shard'; shard: Shard } | { kind: 'finalize'; shards: readonly RunRecords[] };

export interface RunOptions {
  config: Config;
  store: Store;
  /** This run's own records (its state prefix). */
  records: RunRecords;
  mode: RunMode;
  workers: number;
  layout: Layout;
  /** Output formats; Parquet is always one file per partition. */
  formats: readonly Format[];
  parquet: ParquetOutput;
  /** Tables to write; what they depend on is computed without being written. */
  tables: readonly TableName[];
  /** Reuse every partition whose record and files verify (the records must be of this configuration). */
  resume: boolean;
  /**
   * Shards share one counting pre-pass: its counts are kept under .dwgen/counts/<key>.json (key:
   * records.ts countsKey, the config's sha256 and the output revision, which determine them), so a
   * shard that finds them skips the pass.
   */
  countsKey?: string;
  onProgress?: (event: ProgressEvent) => void;
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
  /** Bytes of the table written so far (every format). */
  bytesDone: number;
  /** The whole run (this shard's share): rows written of every table so far, and in all (the fact tables' once counted). */
  runRowsDone: number;
  runRowsTotal: number;
  runBytesDone: number;
}

export interface RunOutcome {
  plan: Plan;
  /** Row count of every table, written or not. */
  rowCounts: Record<TableName, number>;
  /** Wall time in seconds of each logical step this run executed (fused steps share the pass that ran them). */
  stepSeconds: Partial<Record<StepName, number>>;
  /** On resume: partitions reused from the records and partitions (re)generated. */
  resumed: { reused: number; regenerated: number } | null;
  /** Wall time of the counting pre-pass (0 when its counts were read from a record). */
  countSeconds: number;
}

/** Order partitions' deltas merged in one pass over the merged arrays (facts.ts mergeInventoryDeltas): half the time of one by one at SF 100. */
const MERGE_BATCH = 8;

/** The table files' partition: data/<table>/part-NNNNN.<format> (or the single file). */
const partPattern = /^data\/([a-z_]+)\/part-(\d{5})\.(csv|parquet)(\.tmp-\d+)?$/;

/**
 * Whether a data path belongs to this run's own units (a shard removes and sweeps only its own
 * partitions' files; finalize only inventory's).
 */
export function ownsPath(plan: Plan, mode: RunMode, path: string): boolean {
  if (mode.kind === 'all') return true;
  const single = /^data\/([a-z_]+)\.csv/.exec(path);
  const m = partPattern.exec(path);
  const table = (m?.[1] ?? single?.[1]) as TableName | undefined;
  if (!table || !TABLE_NAMES.includes(table)) return false;
  const kind = partitionKindOf(table);
  if (mode.kind === 'finalize') return kind === 'inventory';
  if (!m) return false;
  return kind !== 'inventory' && shardOf(plan, { kind, partition: Number(m[2]) }, mode.shard.parts) === mode.shard.part;
}

/** Removes what an earlier run left of these tables that this run owns: single files, partial files and parts. */
export async function removeTableFiles(store: Store, plan: Plan, mode: RunMode, tables: readonly TableName[], records: RunRecords | null = null): Promise<void> {
  for (const t of tables) {
    const paths = (await store.list(`data/${t}`)).filter((p) => partPattern.test(p) && ownsPath(plan, mode, p));
    if (mode.kind === 'all') {
      paths.push(dataPath(t));
      if (records) await store.removeAppend(dataPath(t), records.journalPath(t));
    }
    await store.remove(paths);
  }
}

/** A partition's outcome as the main thread consumes it: fresh from a worker, or reused from its record. */
interface PartitionOutcome {
  parts: PartEntry[];
  /** The chunks of single-file parts, by index into parts (fresh partitions only). */
  chunks: (Uint8Array[] | null)[];
  /** Parts complete in the store, to publish before the partition is recorded (fresh only). */
  pending: PendingPart[];
  inventory: InventoryDeltas | null;
  fresh: boolean;
}

/** How a phase starts: which partitions are reusable, and where each single-file table continues. */
interface PhasePlan {
  /** Per partition of the phase's list: its verified record, or null when it must be generated. */
  records: (PartitionRecord | null)[];
  singles: Map<TableName, { done: SingleRecord } | { resume: AppendResume | null }>;
}

const STEP_OF_FACTS = ['generate_raw_orders', 'generate_raw_transactions', 'aggregate_transactions', 'process_orders', 'generate_returns'] as const;

export async function generateRun(options: RunOptions): Promise<RunOutcome> {
  const { config, store, records, mode, layout, resume } = options;
  const selected = new Set(options.tables);
  const plan = makePlan(config);
  const units: RunUnits =
    mode.kind === 'finalize'
      ? { dimensions: false, customers: [], orders: [], inventory: selected.has('inventory') ? Array.from({ length: plan.inventoryPartitions }, (_, i) => i) : [] }
      : runUnits(plan, options.tables, mode.kind === 'shard' ? mode.shard : null);
  const stepSeconds: Partial<Record<StepName, number>> = {};
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
  const bytesDone = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;
  const formats = options.formats;
  // This run's share of each table's rows (a shard writes its dealt partitions; finalize, inventory).
  const share = (t: TableName): number => {
    if (!selected.has(t)) return 0;
    const kind = partitionKindOf(t);
    if (kind === 'dimensions') return units.dimensions ? 1 : 0;
    if (kind === 'customers') return units.customers.length / plan.customerPartitions;
    if (kind === 'inventory') return units.inventory.length > 0 ? 1 : 0;
    return mode.kind !== 'finalize' ? units.orders.length / plan.orderPartitions : 0;
  };
  let runRowsDone = 0;
  let runBytesDone = 0;
  const progress = (table: TableName, rows: number, bytes: number): void => {
    rowsDone[table] += rows;
    bytesDone[table] += bytes;
    runRowsDone += rows;
    runBytesDone += bytes;
    const runRowsTotal = TABLE_NAMES.reduce((sum, t) => sum + Math.round(share(t) * rowCounts[t]), 0);
    options.onProgress?.({ table, rowsDone: rowsDone[table], rowsTotal: Math.round(share(table) * rowCounts[table]), bytesDone: bytesDone[table], runRowsDone, runRowsTotal, runBytesDone });
  };
  const pathOf = (table: TableName, partition: number, format: Format): string =>
    format === 'csv' && layout === 'single' ? dataPath(table) : partPath(table, partition, format);
  const singleLayout = layout === 'single' && formats.includes('csv');
  let reused = 0;
  let regenerated = 0;
  let mergeSeconds = 0;
  let countPassSeconds = 0;
  const owned = (path: string): boolean => ownsPath(plan, mode, path);
  // With the lock held, an unfinished write of this run's own units (a temporary file, an open
  // multipart upload) is a leftover of a run that died: gone before anything else.
  await store.sweep({ owned });
  if (!resume && mode.kind !== 'finalize') await removeTableFiles(store, plan, mode, options.tables, records);

  // ---- dimensions (small ones on the main thread, always rewritten: cheap and deterministic) ----
  let t0 = performance.now();
  const { calendar, products, promotions, stores, shared, dateText } = buildDimensionModel(config, plan);
  const dates = new DateTextTable(dateText.firstDay, dateText.days);
  // The workers start (threads, modules) while this thread writes the small dimension tables.
  const setup: WorkerSetup = { config, plan, buffer: shared.buffer, layout: shared.layout, dateText };
  const executor = new Executor(setup, options.workers, options.warn);
  const smallTables: [TableName, ColumnBatch][] = [
    ['dates', calendar.batch],
    ['products', products.batch],
    ['stores', stores],
    ['promotions', promotions.batch],
  ];
  try {
    if (units.dimensions) {
      const parts: PartEntry[] = [];
      for (const [name, batch] of smallTables) {
        if (!selected.has(name)) continue;
        for (const format of formats) {
          const path = pathOf(name, 0, format);
          const writer: PartWriter =
            format === 'csv' ? new CsvPartWriter(TABLES[name], dates, store.createPart(path)) : new ParquetPartWriter(TABLES[name], () => store.createPart(path), options.parquet);
          let r: PartResult;
          try {
            writer.write(batch);
            r = await writer.finish();
          } catch (err) {
            await writer.abort();
            throw err;
          }
          await store.commit(r.pending!);
          parts.push({ table: name, format, rows: r.rows, bytes: r.bytes, path, sha256: r.sha256 });
          progress(name, format === formats[0] ? r.rows : 0, r.bytes);
        }
      }
      await records.writeRecord({ kind: 'dimensions', partition: 0, parts }, null);
    }
  } catch (err) {
    await executor.destroy();
    throw err;
  }

  const window = options.workers * 2;
  const target = (tables: readonly TableName[]): OutputTarget => ({
    store: store.description,
    tables: tables.filter((t) => selected.has(t)),
    csv: !formats.includes('csv') ? null : layout === 'single' ? 'memory' : 'parts',
    parquet: formats.includes('parquet') ? options.parquet : null,
  });
  const run = (kind: string, partition: number, task: (attempt: number) => Task): Promise<TaskResult> => executor.run(`${kind} partition ${partition}`, task);

  /** Where a phase starts: verifies the records (re-hashing their files) and the single files' journals. */
  const planPhase = async (kind: UnitKind, partitions: readonly number[], tables: readonly TableName[]): Promise<PhasePlan> => {
    const singles: PhasePlan['singles'] = new Map();
    let firstNeeded = Infinity;
    if (singleLayout) {
      for (const t of tables) {
        if (!selected.has(t)) continue;
        if (resume) {
          const done = await records.readSingleRecord(t);
          if (done && (await store.verify(done.path, done.bytes, done.sha256)) === null) {
            singles.set(t, { done });
            continue;
          }
          if (done) options.log?.(`regenerating ${done.path}: it no longer matches its record`);
          const r = await store.inspectAppend(dataPath(t), records.journalPath(t));
          singles.set(t, { resume: r });
          firstNeeded = Math.min(firstNeeded, r ? r.entry.p + 1 : 0);
        } else {
          singles.set(t, { resume: null });
          firstNeeded = 0;
        }
      }
    }
    const phaseRecords: (PartitionRecord | null)[] = [];
    for (const p of partitions) {
      phaseRecords.push(null);
      if (!resume) continue;
      const rec = await records.readRecord(kind, p);
      let problem: string | null = null;
      if (rec && p < firstNeeded) {
        for (const part of rec.parts) {
          if (part.path === null || part.sha256 === null) continue;
          problem = await store.verify(part.path, part.bytes, part.sha256);
          if (problem !== null) break;
        }
      }
      const why = reuseDecision(kind, p, rec !== null, firstNeeded, problem);
      if (why === null) phaseRecords[phaseRecords.length - 1] = rec;
      else options.log?.(why);
    }
    return { records: phaseRecords, singles };
  };

  /**
   * Runs one phase: reuses what its plan verified, generates the rest on the pool, consumes in
   * partition order (appending single files and journaling them), and records each finished
   * partition after its files are published.
   */
  const appendFiles = new Map<TableName, AppendFile>();
  const commits: Promise<unknown>[] = [];
  const runPhase = async (
    kind: UnitKind,
    partitions: readonly number[],
    tables: readonly TableName[],
    phase: PhasePlan,
    task: (partition: number, attempt: number, output: OutputTarget) => Task,
    reusedDeltas: ((partition: number) => Promise<InventoryDeltas | null>) | null = null,
    allArrived: () => void = () => undefined,
  ): Promise<void> => {
    const from = new Map<TableName, number>();
    // Inventory deltas are merged as the partitions' results arrive, MERGE_BATCH at a time (sums
    // and maxima: the order does not matter), so the merged arrays are complete once the last one
    // is in (allArrived), while the results are still being consumed in partition order.
    let arrived = 0;
    const pending: InventoryDeltas[] = [];
    // A fresh partition's deltas are merged, then recorded (in partition order): once both are
    // done, their buffer goes back to the executor for a later partition's (no fresh pages).
    const usesLeft = new Map<InventoryDeltas, number>();
    const release = (d: InventoryDeltas): void => {
      const left = (usesLeft.get(d) ?? 1) - 1;
      if (left > 0) usesLeft.set(d, left);
      else {
        usesLeft.delete(d);
        executor.giveDeltaBuffer(d.cells.buffer);
      }
    };
    const merged = (outcome: PartitionOutcome): PartitionOutcome => {
      if (outcome.inventory) {
        pending.push(outcome.inventory);
        if (outcome.fresh) usesLeft.set(outcome.inventory, 2);
      }
      const last = ++arrived === partitions.length;
      if (pending.length > 0 && (last || pending.length === MERGE_BATCH)) {
        const m0 = performance.now();
        mergeInventoryDeltas(shared.arrays, pending);
        for (const d of pending) release(d);
        pending.length = 0;
        mergeSeconds += (performance.now() - m0) / 1000;
      }
      if (last) allArrived();
      return outcome;
    };
    if (partitions.length === 0) allArrived();
    for (const [t, s] of phase.singles) {
      if ('done' in s) continue;
      appendFiles.set(t, await store.openAppend(dataPath(t), records.journalPath(t), s.resume, new CsvTableEncoder(TABLES[t], dates).header()));
      from.set(t, s.resume ? s.resume.entry.p + 1 : 0);
    }
    await runInOrder(
      partitions.length,
      window,
      async (i): Promise<PartitionOutcome> => {
        const p = partitions[i];
        const rec = phase.records[i];
        if (rec) {
          reused++;
          return merged({ parts: rec.parts, chunks: [], pending: [], inventory: reusedDeltas ? await reusedDeltas(p) : null, fresh: false });
        }
        if (resume) regenerated++;
        const r = (await run(kind, p, (attempt) => task(p, attempt, target(tables)))) as Extract<TaskResult, { parts: PartResult[] }>;
        return merged({
          parts: r.parts.map((part) => ({
            table: part.table,
            format: part.format,
            rows: part.rows,
            bytes: part.bytes,
            path: part.chunks ? null : pathOf(part.table, p, part.format),
            sha256: part.sha256,
          })),
          chunks: r.parts.map((part) => part.chunks),
          pending: r.parts.flatMap((part) => (part.pending ? [part.pending] : [])),
          inventory: 'inventory' in r ? r.inventory : null,
          fresh: true,
        });
      },
      async (i, r) => {
        const p = partitions[i];
        await Promise.all(r.pending.map((part) => store.commit(part)));
        for (let k = 0; k < r.parts.length; k++) {
          const part = r.parts[k];
          const table = part.table as TableName;
          if (part.path === null) {
            const w = appendFiles.get(table);
            const chunks = r.chunks[k];
            if (w && chunks && p >= from.get(table)!) await w.append(chunks, part.rows);
            if (chunks) giveSpareChunks(chunks.map((c) => c.buffer)); // appended (or not needed): reusable
          }
          progress(table, part.format === formats[0] ? part.rows : 0, part.bytes);
        }
        for (const [t, first] of from) if (p >= first) appendFiles.get(t)!.mark(p);
        if (r.fresh) await records.writeRecord({ kind, partition: p, parts: r.parts }, kind === 'orders' ? r.inventory : null);
        if (r.fresh && r.inventory) release(r.inventory);
      },
      options.signal,
    );
    // The phase's single files are committed (fsync, rename, record) while the next phase runs: it
    // needs the merged deltas, not the files on disk. All commits are awaited before the run ends.
    const committing = Promise.all(
      tables.map(async (t) => {
        const s = phase.singles.get(t);
        if (!s || 'done' in s) return;
        const w = appendFiles.get(t)!;
        const r = await w.commit();
        appendFiles.delete(t);
        await records.writeSingleRecord({ table: t, path: dataPath(t), ...r });
      }),
    );
    committing.catch(() => undefined); // awaited with the others
    commits.push(committing);
  };

  /** The orders phase, still consuming while the inventory phase runs (see below). */
  let ordersDone: Promise<void> = Promise.resolve();
  try {
    if (units.customers.length > 0) {
      const phase = await planPhase('customers', units.customers, ['customers']);
      await runPhase('customers', units.customers, ['customers'], phase, (p, attempt, output) => ({ kind: 'customers', partition: p, attempt, output }));
    }
    stepSeconds.generate_dimensions = (performance.now() - t0) / 1000;

    // Inventory is planned first: only if some of it must be written are the order partitions' deltas needed.
    const inventoryPhase = units.inventory.length > 0 ? await planPhase('inventory', units.inventory, ['inventory']) : null;
    const needDeltas = inventoryPhase !== null && inventoryPhase.records.some((r) => r === null);
    if (units.orders.length > 0 || needDeltas) {
      // Counting pre-pass: each partition's line and return counts give dense keys. Every shard
      // runs it over all order partitions (about 2 ms each); finalize reads shard 1's.
      t0 = performance.now();
      const countsFrom = mode.kind === 'finalize' ? mode.shards[0] : records;
      let counts = resume || mode.kind === 'finalize' ? await countsFrom.readCounts(plan.orderPartitions) : null;
      const shared = mode.kind !== 'all' && options.countsKey ? sharedCountsPath(options.countsKey) : null;
      if (counts === null && shared !== null) {
        counts = await records.readCounts(plan.orderPartitions, shared);
        if (counts !== null) await records.writeCounts(counts);
      }
      const countStart = performance.now();
      if (counts === null) {
        // A few tasks of consecutive partitions (one task each was mostly messaging), about two
        // per worker so both stay busy; the counts do not depend on the split.
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
        await records.writeCounts(fresh);
        if (shared !== null) await records.writeCounts(fresh, shared);
        counts = fresh;
        countPassSeconds = (performance.now() - countStart) / 1000;
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
      // Finalize writes no order table: it runs every order partition as a reused one whose
      // deltas come from the shard that recorded them.
      const orderPartitions = mode.kind === 'finalize' ? Array.from({ length: plan.orderPartitions }, (_, i) => i) : units.orders;
      const phase: PhasePlan =
        mode.kind === 'finalize'
          ? { records: orderPartitions.map((p) => ({ kind: 'orders', partition: p, parts: [] })), singles: new Map() }
          : await planPhase('orders', orderPartitions, ORDER_TABLES);
      const deltasOf = (p: number): Promise<InventoryDeltas | null> =>
        mode.kind === 'finalize' ? mode.shards[shardOf(plan, { kind: 'orders', partition: p }, mode.shards.length) - 1].readDeltas(p) : records.readDeltas(p);
      // A reused partition's deltas come from its record; when they are gone, the partition is
      // generated again without writing anything, just for them.
      const reusedDeltas = needDeltas
        ? async (p: number): Promise<InventoryDeltas> =>
            (await deltasOf(p)) ??
            ((await run('orders', p, (attempt) => ({ kind: 'orders', partition: p, attempt, keys: keys[p], output: target([]) }))) as Extract<TaskResult, { kind: 'orders' }>).inventory
        : null;
      let allArrived!: () => void;
      const arrived = new Promise<void>((resolve) => (allArrived = resolve));
      const factStart = t0;
      ordersDone = runPhase('orders', orderPartitions, ORDER_TABLES, phase, (p, attempt, output) => ({ kind: 'orders', partition: p, attempt, keys: keys[p], output }), reusedDeltas, allArrived).then(() => {
        if (mode.kind === 'finalize') return;
        const factSeconds = (performance.now() - factStart) / 1000 + countSeconds;
        for (const step of STEP_OF_FACTS) stepSeconds[step] = factSeconds;
      });
      ordersDone.catch(() => undefined); // awaited below
      // The inventory phase needs every order partition's deltas merged, not the order tables
      // written: it starts when the last order partition's result is in, while the main thread
      // is still appending the previous ones to the single files.
      await Promise.race([arrived, ordersDone]);
    }

    if (inventoryPhase !== null) {
      t0 = performance.now();
      await runPhase('inventory', units.inventory, ['inventory'], inventoryPhase, (p, attempt, output) => ({ kind: 'inventory', partition: p, attempt, output }));
      stepSeconds.update_inventory = mergeSeconds + (performance.now() - t0) / 1000;
    } else if (mode.kind !== 'shard') {
      stepSeconds.update_inventory = mergeSeconds;
    }
    await ordersDone;
    await Promise.all(commits);
  } catch (err) {
    // Single files keep their partial file and journal: --resume continues from the last partition appended.
    await ordersDone.catch(() => undefined);
    await Promise.allSettled(commits);
    for (const w of appendFiles.values()) await w.close();
    await store.sweep({ mine: true, owned });
    throw err;
  } finally {
    await executor.destroy();
  }
  return { plan, rowCounts, stepSeconds, resumed: resume && mode.kind !== 'finalize' ? { reused, regenerated } : null, countSeconds: countPassSeconds };
}
