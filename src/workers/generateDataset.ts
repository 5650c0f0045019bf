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
import { activePromotionsByDay, generateDates, generateProducts, generatePromotions, generateStores, orderDayWeights } from '../core/dimensions.js';
import { buildFactArrays, mergeInventoryDeltas, scatteredZipfWeights, type PartitionKeys } from '../core/facts.js';
import { makePlan, type Plan } from '../core/plan.js';
import { ZipfKeySampler } from '../core/random.js';
import { TABLES, TABLE_NAMES, type StepName, type TableName } from '../core/tables.js';
import { CsvTableEncoder } from '../streams/csvEncoder.js';
import { SingleFileWriter } from '../streams/singleFile.js';
import { CsvPartWriter, ParquetPartWriter, partFileName, type Format, type PartResult, type PartWriter } from '../streams/tableOutput.js';
import type { OutputTarget, ParquetOutput, Task, TaskResult, WorkerSetup } from './tasks.js';

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
): Promise<void> {
  const pending = new Map<number, Promise<R>>();
  let next = 0;
  let failure: unknown = null;
  const launch = (): void => {
    while (failure === null && next < count && pending.size < window) {
      const p = start(next);
      p.catch(() => undefined); // observed below, in order
      pending.set(next, p);
      next++;
    }
  };
  try {
    launch();
    for (let i = 0; i < count; i++) {
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

export async function generateDataset(options: GenerateOptions): Promise<RunResult> {
  const { config, outDir, layout } = options;
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
  for (const t of selected) clearTable(dataDir, t);

  // ---- dimensions (small ones on the main thread) ----
  let t0 = performance.now();
  const calendar = generateDates(plan);
  const products = generateProducts(config, plan);
  const promotions = generatePromotions(config, plan);
  const stores = generateStores(plan);
  const signupFloor = plan.firstDay - 1 - Math.max(1, config.customers.signup_years_before_start * 365);
  const dateText = { first: signupFloor, days: plan.firstDay + plan.days + config.returns.max_days_after_order + 1 - signupFloor };
  const dates = new DateTextTable(dateText.first, dateText.days);
  const smallTables: [TableName, ColumnBatch][] = [
    ['dates', calendar.batch],
    ['products', products.batch],
    ['stores', stores],
    ['promotions', promotions.batch],
  ];
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
  const active = activePromotionsByDay(plan, promotions);
  const shared = buildFactArrays(plan, {
    productPrice: products.priceCents,
    productWeights: scatteredZipfWeights(plan.products, config.products.popularity_skew),
    customerBuckets: ZipfKeySampler.plan(plan.customers, config.customers.popularity_skew),
    storeWeights: scatteredZipfWeights(plan.stores, config.stores.size_skew),
    dayWeights: orderDayWeights(config, calendar),
    promotionRate: promotions.rateHundredths,
    activePromotionOffsets: active.offsets,
    activePromotionIds: active.ids,
  });

  const setup: WorkerSetup = {
    config,
    plan,
    buffer: shared.buffer,
    layout: shared.layout,
    dateTextFirstDay: dateText.first,
    dateTextDays: dateText.days,
  };
  const pool = new Piscina({
    filename: WORKER_FILE,
    workerData: setup,
    minThreads: options.workers,
    maxThreads: options.workers,
    idleTimeout: 60_000,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  const window = options.workers * 2;
  const target = (tables: readonly TableName[]): OutputTarget => ({
    dataDir,
    tables: tables.filter((t) => selected.has(t)),
    csv: !formats.includes('csv') ? null : layout === 'single' ? 'memory' : 'parts',
    parquet: formats.includes('parquet') ? options.parquet : null,
  });
  const run = (task: Task): Promise<TaskResult> => pool.run(task) as Promise<TaskResult>;

  /** Single-file tables open before their phase and commit after it; part files are recorded as they come. */
  const singles = new Map<TableName, SingleFileWriter>();
  const openSingles = async (tables: readonly TableName[]): Promise<void> => {
    if (layout !== 'single' || !formats.includes('csv')) return;
    for (const t of tables) {
      if (!selected.has(t)) continue;
      const w = new SingleFileWriter(join(dataDir, `${t}.csv`));
      singles.set(t, w);
      await w.open(new CsvTableEncoder(TABLES[t], dates).header());
    }
  };
  const commitSingles = async (tables: readonly TableName[]): Promise<void> => {
    for (const t of tables) {
      const w = singles.get(t);
      if (!w) continue;
      const r = await w.commit();
      singles.delete(t);
      record(t, { path: posixRelative(outDir, w.path), format: 'csv', ...r });
    }
  };
  const consumeParts = async (partition: number, parts: PartResult[]): Promise<void> => {
    for (const part of parts) {
      if (part.chunks) {
        await singles.get(part.table)!.append(part.chunks, part.rows);
      } else {
        const path = partPath(part.table, partition, part.format);
        record(part.table, { path: posixRelative(outDir, path), format: part.format, rows: part.rows, bytes: part.bytes, sha256: part.sha256! });
      }
      if (part.format === formats[0]) progress(part.table, part.rows);
    }
  };

  try {
    if (selected.has('customers')) {
      await openSingles(['customers']);
      await runInOrder(plan.customerPartitions, window, (p) => run({ kind: 'customers', partition: p, output: target(['customers']) }), (p, r) =>
        consumeParts(p, (r as Extract<TaskResult, { kind: 'customers' }>).parts),
      );
      await commitSingles(['customers']);
    }
    stepSeconds.generate_dimensions = (performance.now() - t0) / 1000;

    const needOrders = ORDER_TABLES.some((t) => selected.has(t)) || selected.has('inventory');
    if (needOrders) {
      // Counting pre-pass: each partition's line and return counts give dense keys.
      t0 = performance.now();
      const keys: PartitionKeys[] = [];
      let lines = 0;
      let returns = 0;
      await runInOrder(plan.orderPartitions, plan.orderPartitions, (p) => run({ kind: 'count', partition: p }), (p, r) => {
        const { counts } = r as Extract<TaskResult, { kind: 'count' }>;
        keys[p] = { firstTransaction: lines, firstReturn: returns };
        lines += counts.lines;
        returns += counts.returns;
      });
      rowCounts.transactions_raw = lines;
      rowCounts.returns = returns;
      const countSeconds = (performance.now() - t0) / 1000;

      t0 = performance.now();
      await openSingles(ORDER_TABLES);
      let mergeSeconds = 0;
      await runInOrder(plan.orderPartitions, window, (p) => run({ kind: 'orders', partition: p, keys: keys[p], output: target(ORDER_TABLES) }), async (p, r) => {
        const result = r as Extract<TaskResult, { kind: 'orders' }>;
        const m0 = performance.now();
        mergeInventoryDeltas(shared.arrays, result.inventory);
        mergeSeconds += (performance.now() - m0) / 1000;
        await consumeParts(p, result.parts);
      });
      await commitSingles(ORDER_TABLES);
      const factSeconds = (performance.now() - t0) / 1000 + countSeconds;
      for (const step of ['generate_raw_orders', 'generate_raw_transactions', 'aggregate_transactions', 'process_orders', 'generate_returns'] as const) {
        stepSeconds[step] = factSeconds;
      }
      stepSeconds.update_inventory = mergeSeconds;
    }

    if (selected.has('inventory')) {
      t0 = performance.now();
      await openSingles(['inventory']);
      await runInOrder(plan.inventoryPartitions, window, (p) => run({ kind: 'inventory', partition: p, output: target(['inventory']) }), (p, r) =>
        consumeParts(p, (r as Extract<TaskResult, { kind: 'inventory' }>).parts),
      );
      await commitSingles(['inventory']);
      stepSeconds.update_inventory = (stepSeconds.update_inventory ?? 0) + (performance.now() - t0) / 1000;
    }
  } catch (err) {
    for (const w of singles.values()) await w.abort();
    throw err;
  } finally {
    await pool.destroy();
  }
  return { plan, rowCounts, written, stepSeconds };
}
