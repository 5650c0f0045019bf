// Benchmark: Parquet writers encoding the same synthetic transactions_raw rows, in rows/s, plus the
// peak RSS of each writer measured in a child process. Run: npx tsx bench/parquetEncoders.bench.ts
// Env: BENCH_ROWS (default 300000), BENCH_ITERATIONS (default 3).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Bench } from 'tinybench';
import { NULL_KEY, type ColumnBatch } from '../src/core/columns.js';
import { TABLES } from '../src/core/tables.js';
import { COMPRESSIONS } from '../src/parquet/compression.js';
import { ParquetEncoder } from '../src/parquet/parquetEncoder.js';
import { rebatch, transactionsBatch } from '../test/parquetFixtures.js';

const require = createRequire(import.meta.url);
// parquetjs-lite 0.8.7 (CommonJS, untyped): no DECIMAL type, so money is written as DOUBLE there.
const parquetLite = require('parquetjs-lite') as {
  ParquetSchema: new (fields: Record<string, { type: string; optional?: boolean; compression?: string }>) => unknown;
  ParquetWriter: {
    openStream(schema: unknown, stream: Writable, opts?: { rowGroupSize?: number }): Promise<{
      appendRow(row: Record<string, unknown>): Promise<void>;
      close(): Promise<void>;
    }>;
  };
};

const ROWS = Number(process.env.BENCH_ROWS ?? 300_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3);
const BATCH_ROWS = 4096;
const T = TABLES.transactions_raw;

// Child mode (--rss NAME [ROWS]): run one writer once over batches generated on the fly, so the
// process's peak RSS is the writer's own memory, not the input's.
const rssArg = process.argv.indexOf('--rss');
const childRows = rssArg >= 0 ? Number(process.argv[rssArg + 2] ?? ROWS) : ROWS;

function* lazyBatches(rows: number): Generator<ColumnBatch> {
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    yield transactionsBatch(Math.min(BATCH_ROWS, rows - start), 42 + start, start + 1);
  }
}
const batches: Iterable<ColumnBatch> = rssArg >= 0 ? { [Symbol.iterator]: () => lazyBatches(childRows) } : rebatch(T, transactionsBatch(ROWS, 42), [BATCH_ROWS]);

/** A sink that only counts bytes (no file I/O in the measurement). */
class CountingSink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.bytes += chunk.length;
    cb();
  }
}

async function dwgen(compression: string): Promise<number> {
  const enc = new ParquetEncoder(T, { compression });
  let bytes = 0;
  for (const b of batches) for (const c of enc.write(b)) bytes += c.length;
  for (const c of enc.finish()) bytes += c.length;
  return bytes;
}

async function parquetjsLite(): Promise<number> {
  const comp = { compression: 'SNAPPY' };
  const schema = new parquetLite.ParquetSchema({
    transaction_id: { type: 'INT64', ...comp },
    order_id: { type: 'INT32', ...comp },
    line_number: { type: 'INT32', ...comp },
    product_id: { type: 'INT32', ...comp },
    promotion_id: { type: 'INT32', optional: true, ...comp },
    quantity: { type: 'INT32', ...comp },
    unit_price: { type: 'DOUBLE', ...comp },
    discount_amount: { type: 'DOUBLE', ...comp },
    line_total: { type: 'DOUBLE', ...comp },
  });
  const sink = new CountingSink();
  const writer = await parquetLite.ParquetWriter.openStream(schema, sink, { rowGroupSize: 100_000 });
  for (const b of batches) {
    const [tx, order, line, product, promo, qty, price, disc, total] = b.columns as [
      Float64Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Float64Array, Float64Array, Float64Array,
    ];
    for (let i = 0; i < b.rowCount; i++) {
      const row: Record<string, unknown> = {
        transaction_id: tx[i],
        order_id: order[i],
        line_number: line[i],
        product_id: product[i],
        quantity: qty[i],
        unit_price: price[i]! / 100,
        discount_amount: disc[i]! / 100,
        line_total: total[i]! / 100,
      };
      if (promo[i] !== NULL_KEY) row.promotion_id = promo[i];
      await writer.appendRow(row);
    }
  }
  await writer.close();
  return sink.bytes;
}

async function hyparquetWriter(): Promise<number> {
  // Accumulate the batches into whole columns (it is not a streaming writer), then write once.
  let n = 0;
  for (const b of batches) n += b.rowCount;
  const tx = new BigInt64Array(n);
  const i32 = [new Int32Array(n), new Int32Array(n), new Int32Array(n), new Int32Array(n)];
  const promo: (number | null)[] = new Array(n);
  const money = [new Array<number>(n), new Array<number>(n), new Array<number>(n)];
  let r = 0;
  for (const b of batches) {
    const c = b.columns as [Float64Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < b.rowCount; i++, r++) {
      tx[r] = BigInt(c[0][i]!);
      i32[0]![r] = c[1][i]!;
      i32[1]![r] = c[2][i]!;
      i32[2]![r] = c[3][i]!;
      i32[3]![r] = c[5][i]!;
      promo[r] = c[4][i] === NULL_KEY ? null : c[4][i]!;
      money[0]![r] = c[6][i]! / 100; // hyparquet-writer scales DECIMAL numbers by 10^scale itself
      money[1]![r] = c[7][i]! / 100;
      money[2]![r] = c[8][i]! / 100;
    }
  }
  const req = (name: string, type: string, extra: object = {}) => ({ name, type, repetition_type: 'REQUIRED', ...extra });
  const dec = (name: string, precision: number) => req(name, 'INT64', { converted_type: 'DECIMAL', scale: 2, precision });
  type Options = Parameters<typeof parquetWriteBuffer>[0];
  const buf = parquetWriteBuffer({
    rowGroupSize: n,
    schema: [
      { name: 'root', num_children: 9 },
      req('transaction_id', 'INT64'),
      req('order_id', 'INT32'),
      req('line_number', 'INT32'),
      req('product_id', 'INT32'),
      { name: 'promotion_id', type: 'INT32', repetition_type: 'OPTIONAL' },
      req('quantity', 'INT32'),
      dec('unit_price', 10),
      dec('discount_amount', 12),
      dec('line_total', 12),
    ] as Options['schema'],
    columnData: [
      { name: 'transaction_id', data: tx },
      { name: 'order_id', data: i32[0]! },
      { name: 'line_number', data: i32[1]! },
      { name: 'product_id', data: i32[2]! },
      { name: 'promotion_id', data: promo },
      { name: 'quantity', data: i32[3]! },
      { name: 'unit_price', data: money[0]! },
      { name: 'discount_amount', data: money[1]! },
      { name: 'line_total', data: money[2]! },
    ] as Options['columnData'],
  });
  return buf.byteLength;
}

const TASKS: Record<string, () => Promise<number>> = {
  'parquetjs-lite 0.8.7 (snappy, DOUBLE money)': parquetjsLite,
  'hyparquet-writer 0.17 (snappy, DECIMAL)': hyparquetWriter,
  ...Object.fromEntries(COMPRESSIONS.map((c) => [`dwgen ParquetEncoder (${c})`, () => dwgen(c)])),
};

if (rssArg >= 0) {
  const name = process.argv[rssArg + 1]!;
  if (name !== 'baseline') await TASKS[name]!();
  // VmHWM is this process's own high-water mark; getrusage's maxRSS would include the parent's
  // RSS at fork time (Linux carries it across exec).
  const hwm = /VmHWM:\s+(\d+) kB/.exec(existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '');
  const kb = hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ maxRssMB: Math.round(kb / 1024) }));
  process.exit(0);
}

const sizes: Record<string, number> = {};
const bench = new Bench({ name: `Parquet writers, ${ROWS} transactions_raw rows`, iterations: ITERATIONS, time: 0, warmupIterations: 1, warmupTime: 0 });
for (const [name, fn] of Object.entries(TASKS)) {
  bench.add(name, async () => {
    sizes[name] = await fn();
  });
}
await bench.run();
console.table(bench.table());

const self = fileURLToPath(import.meta.url);
const rssOf = (name: string, rows = ROWS): number => {
  const r = spawnSync(process.execPath, [...process.execArgv, self, '--rss', name, String(rows)], { encoding: 'utf8', env: process.env });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return (JSON.parse(line) as { maxRssMB: number }).maxRssMB;
  } catch {
    return NaN;
  }
};
const baseline = rssOf('baseline');
const summary = bench.tasks.map((t) => {
  const r = t.result as { latency?: { mean: number } } | undefined;
  const meanMs = r?.latency?.mean ?? NaN;
  return {
    writer: t.name,
    'rows/s': Math.round(ROWS / (meanMs / 1000)),
    'mean ms': Math.round(meanMs),
    'file MB': +((sizes[t.name] ?? NaN) / 1e6).toFixed(2),
    'peak RSS MB (own process)': rssOf(t.name),
  };
});
console.log(`\n${ROWS} rows in batches of ${BATCH_ROWS}; peak RSS of a process that only generates the batches: ${baseline} MB`);
console.table(summary);
// One default-sized row group (128 MiB estimate ≈ 2.5M transactions rows) and a bit more.
const big = Number(process.env.BENCH_RSS_ROWS ?? 3_000_000);
console.log(`peak RSS of dwgen ParquetEncoder over ${big} rows (default row groups): ` +
  COMPRESSIONS.map((c) => `${c} ${rssOf(`dwgen ParquetEncoder (${c})`, big)} MB`).join(', ') + `; generating only: ${rssOf('baseline', big)} MB`);
