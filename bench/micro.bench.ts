// Micro-benchmarks of each dwgen layer (issue 5): random streams, fact generation, CSV (and Parquet)
// encoding per table, customers vs faker's templates, and fast-csv / string-concat baselines. Run: npm run bench
//
// Flags: --scale N (run context, default 10) · --quick (a few ms per case: smoke test) ·
//        --out-dir DIR (results JSON, default bench/results) · --no-save · --label TEXT (recorded, e.g. a commit)
// One tinybench op = one batch (N draws, one partition, one table's pre-generated batches …);
// rows/s = rows per op × ops/s, from the mean latency.
import { faker } from '@faker-js/faker/locale/en_US';
import { Bench, type Task } from 'tinybench';
import type { ColumnBatch } from '../src/core/columns.js';
import { generateCustomers } from '../src/core/dimensions.js';
import { InventoryAccumulator, OrderBatchColumns, countOrderPartition, generateOrderPartition } from '../src/core/facts.js';
import { below, deriveStream } from '../src/core/random.js';
import { LOYALTY_STATUSES, TABLES, TABLE_NAMES, type TableName } from '../src/core/tables.js';
import { ByteWriter } from '../src/streams/byteWriter.js';
import { CsvTableEncoder } from '../src/streams/csvEncoder.js';
import { ParquetEncoder } from '../src/parquet/parquetEncoder.js';
import { concatFormat, fastCsvFormat } from './lib/baselines.js';
import { buildRunContext, pregenerateBatches, rowsOf } from './lib/fixture.js';
import { DEFAULT_RESULTS_DIR, fmtRatio, machine, parseFlags, ratio, round, saveResults, si } from './lib/report.js';

const flags = parseFlags(process.argv.slice(2), ['quick', 'no-save']);
const quick = flags.has('quick');
const scale = Number(flags.get('scale') ?? 10);
if (!(scale > 0)) throw new Error(`--scale must be > 0, got ${flags.get('scale')}`);
const outDir = flags.get('out-dir') ?? DEFAULT_RESULTS_DIR;

interface CaseInfo {
  group: string;
  /** What one "row" is for this case. */
  unit: string;
  rowsPerOp: number;
  /** Bytes produced per op (encoders), else 0. */
  bytesPerOp: number;
}

const bench = new Bench(
  quick
    ? { name: 'dwgen micro (quick)', time: 5, iterations: 1, warmup: false, throws: true }
    : { name: 'dwgen micro', time: 1000, iterations: 8, warmupTime: 200, warmupIterations: 2, throws: true },
);
const info = new Map<string, CaseInfo>();
function add(name: string, c: CaseInfo, fn: () => unknown): void {
  info.set(name, c);
  bench.add(name, fn);
}
let sink = 0; // consumes results so V8 cannot drop the work

// ---- set-up (untimed) --------------------------------------------------------------------------
const t0 = performance.now();
const ctx = buildRunContext(scale);
const { plan, facts } = ctx;
const batches = pregenerateBatches(ctx);
const setupSeconds = (performance.now() - t0) / 1000;

// ---- random streams ----------------------------------------------------------------------------
const DRAWS = quick ? 10_000 : 1_000_000;
const rs = deriveStream(plan.seed, 'bench', 0);
add(`random: xoroshiro128+ next() ×${si(DRAWS)}`, { group: 'random', unit: 'draw', rowsPerOp: DRAWS, bytesPerOp: 0 }, () => {
  let acc = 0;
  for (let i = 0; i < DRAWS; i++) acc ^= rs.next();
  sink ^= acc;
});
add(`random: below(n=${plan.products}) ×${si(DRAWS)}`, { group: 'random', unit: 'draw', rowsPerOp: DRAWS, bytesPerOp: 0 }, () => {
  let acc = 0;
  for (let i = 0; i < DRAWS; i++) acc += below(rs, plan.products);
  sink ^= acc;
});
add(`random: AliasTable.pick (${plan.products} products, Zipf) ×${si(DRAWS)}`, { group: 'random', unit: 'draw', rowsPerOp: DRAWS, bytesPerOp: 0 }, () => {
  let acc = 0;
  for (let i = 0; i < DRAWS; i++) acc += facts.products.pick(rs);
  sink ^= acc;
});
add(`random: ZipfKeySampler.pick (${si(facts.tierCustomers[0].keys)} Bronze customers) ×${si(DRAWS)}`, { group: 'random', unit: 'draw', rowsPerOp: DRAWS, bytesPerOp: 0 }, () => {
  let acc = 0;
  for (let i = 0; i < DRAWS; i++) acc += facts.tierCustomers[0].pick(rs);
  sink ^= acc;
});
add(`random: an order's customer (tier, then a customer of it; ${si(plan.customers)} customers) ×${si(DRAWS)}`, { group: 'random', unit: 'draw', rowsPerOp: DRAWS, bytesPerOp: 0 }, () => {
  let acc = 0;
  for (let i = 0; i < DRAWS; i++) {
    const t = facts.orderTiers.pick(rs);
    acc += facts.traits.tiers.keyOf(t, facts.tierCustomers[t].pickRank(rs));
  }
  sink ^= acc;
});
const DERIVES = quick ? 1_000 : 100_000;
add(`random: deriveStream(seed, name, partition) ×${si(DERIVES)}`, { group: 'random', unit: 'stream', rowsPerOp: DERIVES, bytesPerOp: 0 }, () => {
  let acc = 0;
  for (let i = 0; i < DERIVES; i++) acc ^= deriveStream(plan.seed, 'order_lines', i).next();
  sink ^= acc;
});

// ---- fact generation, no encoding --------------------------------------------------------------
const partitionCounts = countOrderPartition(facts, 0);
const inventory = new InventoryAccumulator(plan);
const orderColumns = new OrderBatchColumns();
const factRows = rowsOf(batches.raw_orders) + rowsOf(batches.transactions_raw) + rowsOf(batches.order_aggregates) + rowsOf(batches.orders) + rowsOf(batches.returns);
const ordersInPartition = rowsOf(batches.raw_orders);
add(`facts: generateOrderPartition (${si(ordersInPartition)} orders → 5 tables)`, { group: 'facts', unit: 'fact row (all 5 tables)', rowsPerOp: factRows, bytesPerOp: 0 }, () => {
  let n = 0;
  generateOrderPartition(facts, 0, { firstTransaction: 0, firstReturn: 0 }, (_t, b) => (n += b.rowCount), inventory, orderColumns);
  sink ^= n;
});
add(`facts: countOrderPartition (dense-key pre-pass, ${si(ordersInPartition)} orders)`, { group: 'facts', unit: 'order', rowsPerOp: ordersInPartition, bytesPerOp: 0 }, () => {
  sink ^= countOrderPartition(facts, 0).lines;
});

// ---- CSV encoder per table ---------------------------------------------------------------------
const discard = (): void => undefined;
function csvBytes(table: TableName, list: readonly ColumnBatch[]): Buffer {
  const chunks: Uint8Array[] = [];
  const w = new ByteWriter((c) => chunks.push(Buffer.from(c)), true);
  const enc = new CsvTableEncoder(TABLES[table], ctx.dates);
  enc.writeHeader(w);
  for (const b of list) enc.writeBatch(w, b);
  w.flush();
  return Buffer.concat(chunks);
}
const encoderRows: Partial<Record<TableName, number>> = {};
for (const table of TABLE_NAMES) {
  const list = batches[table];
  const rows = rowsOf(list);
  encoderRows[table] = rows;
  const bytes = csvBytes(table, list).length;
  const enc = new CsvTableEncoder(TABLES[table], ctx.dates);
  const w = new ByteWriter(discard, true);
  add(`csv: ${table}`, { group: 'csv', unit: 'row', rowsPerOp: rows, bytesPerOp: bytes }, () => {
    enc.writeHeader(w);
    for (const b of list) enc.writeBatch(w, b);
    w.flush();
  });
}

// ---- Parquet encoder per table (dwgen's own, snappy: its default) -------------------------------
const PARQUET_NOTE = 'ParquetEncoder from src/parquet/parquetEncoder.ts, snappy (its default)';
for (const table of TABLE_NAMES) {
  const list = batches[table];
  const encodeAll = (): number => {
    const enc = new ParquetEncoder(TABLES[table]);
    let bytes = 0;
    for (const b of list) for (const c of enc.write(b)) bytes += c.length;
    for (const c of enc.finish()) bytes += c.length;
    return bytes;
  };
  const bytes = encodeAll();
  add(`parquet: ${table}`, { group: 'parquet', unit: 'row', rowsPerOp: rowsOf(list), bytesPerOp: bytes }, () => {
    sink ^= encodeAll();
  });
}

// ---- baselines on the same transaction rows ----------------------------------------------------
const tx = batches.transactions_raw;
const txRows = rowsOf(tx);
const dwgenTxCsv = csvBytes('transactions_raw', tx);
const fastChunks: Buffer[] = [];
const { Writable } = await import('node:stream');
await fastCsvFormat(tx, Object.assign(new Writable({ write: (c: Buffer, _e, cb) => (fastChunks.push(c), cb()) }), { bytes: 0 }));
const fastCsvOutput = Buffer.concat(fastChunks);
const concatChunks: Buffer[] = [];
concatFormat(tx, (c) => concatChunks.push(c));
const concatOutput = Buffer.concat(concatChunks);
const identical = { fast_csv: fastCsvOutput.equals(dwgenTxCsv), string_concat: concatOutput.equals(dwgenTxCsv) };
add('baseline: fast-csv format (transactions_raw)', { group: 'baseline', unit: 'row', rowsPerOp: txRows, bytesPerOp: fastCsvOutput.length }, async () => {
  sink ^= await fastCsvFormat(tx);
});
add('baseline: per-row string concat (transactions_raw)', { group: 'baseline', unit: 'row', rowsPerOp: txRows, bytesPerOp: concatOutput.length }, () => {
  sink ^= concatFormat(tx);
});

// ---- customers: dwgen (locale lists by index) vs faker's template methods ----------------------
const customerRows = rowsOf(batches.customers);
add(`customers: generateCustomers (${si(customerRows)} rows, picks by index)`, { group: 'customers', unit: 'customer', rowsPerOp: customerRows, bytesPerOp: 0 }, () => {
  let rows = 0;
  generateCustomers(ctx.config, plan, 0, (b) => (rows += b.rowCount));
  sink ^= rows;
});
const FAKER_ROWS = quick ? 50 : 2_000;
const loyaltyWeights = LOYALTY_STATUSES.map((k) => ({ weight: ctx.config.customers.loyalty_weights[k], value: k }));
const refDate = new Date(Date.UTC(2024, 0, 1));
add(`customers: faker template methods (${si(FAKER_ROWS)} rows, seeded)`, { group: 'customers', unit: 'customer', rowsPerOp: FAKER_ROWS, bytesPerOp: 0 }, () => {
  faker.seed(42);
  const first = new Array<string>(FAKER_ROWS);
  const last = new Array<string>(FAKER_ROWS);
  const email = new Array<string>(FAKER_ROWS);
  const phone = new Array<string>(FAKER_ROWS);
  const street = new Array<string>(FAKER_ROWS);
  const city = new Array<string>(FAKER_ROWS);
  const state = new Array<string>(FAKER_ROWS);
  const zip = new Array<string>(FAKER_ROWS);
  const tier = new Array<string>(FAKER_ROWS);
  const signup = new Array<Date>(FAKER_ROWS);
  for (let i = 0; i < FAKER_ROWS; i++) {
    first[i] = faker.person.firstName();
    last[i] = faker.person.lastName();
    email[i] = faker.internet.email({ firstName: first[i], lastName: last[i] });
    phone[i] = faker.phone.number({ style: 'national' });
    street[i] = faker.location.streetAddress();
    city[i] = faker.location.city();
    state[i] = faker.location.state({ abbreviated: true });
    zip[i] = faker.location.zipCode({ state: state[i] });
    tier[i] = faker.helpers.weightedArrayElement(loyaltyWeights);
    signup[i] = faker.date.past({ years: 5, refDate });
  }
  sink ^= first.length + zip.length;
});

// ---- run and report ----------------------------------------------------------------------------
const t1 = performance.now();
await bench.run();
const runSeconds = (performance.now() - t1) / 1000;

interface CaseResult extends CaseInfo {
  name: string;
  latency_ms_mean: number;
  latency_ms_p50: number;
  rme_percent: number;
  samples: number;
  ops_per_s: number;
  rows_per_s: number;
  mb_per_s: number | null;
}
function resultOf(task: Task): CaseResult {
  const c = info.get(task.name)!;
  const r = task.result;
  if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') throw new Error(`bench case '${task.name}' did not complete: ${r.state}`);
  const ops = 1000 / r.period;
  return {
    name: task.name,
    ...c,
    latency_ms_mean: round(r.period, 4),
    latency_ms_p50: round(r.latency.p50, 4),
    rme_percent: round(r.latency.rme, 2),
    samples: r.latency.samplesCount,
    ops_per_s: round(ops, 2),
    rows_per_s: Math.round(c.rowsPerOp * ops),
    mb_per_s: c.bytesPerOp > 0 ? round((c.bytesPerOp * ops) / 1e6, 1) : null,
  };
}
const results = bench.tasks.map(resultOf);
const byName = new Map(results.map((r) => [r.name, r]));

console.log(`dwgen micro-benchmarks — ${quick ? 'QUICK (smoke: numbers are not meaningful) — ' : ''}run context SF ${scale}, set-up ${setupSeconds.toFixed(1)} s`);
const m = machine();
console.log(`${m.cpu_model}, ${m.cores} cores, Node ${m.node}, ${m.date}, load ${m.load_average_1m}`);
console.table(
  bench.table((task) => {
    const r = byName.get(task.name)!;
    return {
      'Task name': task.name,
      'rows/op': r.rowsPerOp,
      'row =': r.unit,
      'latency mean (ms)': r.latency_ms_mean.toPrecision(4),
      '± (%)': r.rme_percent.toFixed(1),
      samples: r.samples,
      'ops/s': si(r.ops_per_s),
      'rows/s': si(r.rows_per_s),
      'MB/s': r.mb_per_s === null ? '' : r.mb_per_s.toFixed(0),
    };
  }),
);

const rowsPerS = (name: string): number => byName.get(name)?.rows_per_s ?? NaN;
const dwgenTx = rowsPerS('csv: transactions_raw');
const ratios = {
  csv_transactions_vs_fast_csv: ratio(dwgenTx, rowsPerS('baseline: fast-csv format (transactions_raw)')),
  csv_transactions_vs_string_concat: ratio(dwgenTx, rowsPerS('baseline: per-row string concat (transactions_raw)')),
  customers_vs_faker_templates: ratio(
    results.find((r) => r.name.startsWith('customers: generateCustomers'))!.rows_per_s,
    results.find((r) => r.name.startsWith('customers: faker'))!.rows_per_s,
  ),
};
console.log('\nRatios (dwgen ÷ baseline, rows/s on the same rows):');
console.table({
  'CSV transactions_raw ÷ fast-csv': { ratio: fmtRatio(ratios.csv_transactions_vs_fast_csv), 'baseline output identical to dwgen': identical.fast_csv },
  'CSV transactions_raw ÷ string concat': { ratio: fmtRatio(ratios.csv_transactions_vs_string_concat), 'baseline output identical to dwgen': identical.string_concat },
  'generateCustomers ÷ faker templates': { ratio: fmtRatio(ratios.customers_vs_faker_templates), 'baseline output identical to dwgen': 'n/a (different values)' },
});
console.log(`Parquet: ${PARQUET_NOTE}`);

const doc = {
  kind: 'micro',
  command: `tsx bench/micro.bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
  quick,
  scale,
  label: flags.get('label') ?? null,
  machine: m,
  setup_seconds: round(setupSeconds, 2),
  run_seconds: round(runSeconds, 2),
  parquet: { included: true, note: PARQUET_NOTE },
  baseline_output_identical: identical,
  ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round(v, 3)])),
  encoder_rows: encoderRows,
  partition_counts: partitionCounts,
  cases: results,
  sink: sink & 1,
};
if (!flags.has('no-save')) {
  const path = saveResults(outDir, 'micro', `sf${scale}${quick ? '-quick' : ''}`, doc);
  console.log(`results: ${path}`);
}
