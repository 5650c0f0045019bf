// Bench helper (owned by the benchmarks, issue 5): the baselines dwgen is measured against, all on
// transactions_raw rows — fast-csv's formatter, per-row string concatenation, parquetjs-lite, and a raw write ceiling.
import { closeSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import * as fastCsv from 'fast-csv';
import { NULL_KEY, type ColumnBatch } from '../../src/core/columns.js';
import { TABLES } from '../../src/core/tables.js';

const require = createRequire(import.meta.url);

/** The transactions_raw columns the baselines format, in order (checked against the table definition). */
export const TX_COLUMNS = [
  'transaction_id', 'order_id', 'line_number', 'product_id', 'promotion_id', 'quantity', 'unit_price', 'discount_amount', 'line_total',
] as const;
const names = TABLES.transactions_raw.columns.map((c) => c.name);
if (names.join(',') !== TX_COLUMNS.join(',')) {
  throw new Error(`bench baselines expect transactions_raw columns ${TX_COLUMNS.join(',')}, the table has ${names.join(',')}: update bench/lib/baselines.ts`);
}

/** Integer cents as a two-place decimal, the way a row-at-a-time program would: exact for cents below 2^53 / 100. */
export const money = (cents: number): string => (cents / 100).toFixed(2);

type Cols = [Float64Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Float64Array, Float64Array, Float64Array];
const colsOf = (b: ColumnBatch): Cols => b.columns as unknown as Cols;

/** One row as the array of JS values a fast-csv user would hand over (money as 2-place strings, NULL as ''). */
function rowArray(c: Cols, r: number): (number | string)[] {
  return [c[0][r], c[1][r], c[2][r], c[3][r], c[4][r] === NULL_KEY ? '' : c[4][r], c[5][r], money(c[6][r]), money(c[7][r]), money(c[8][r])];
}

/** Discards what it is given, counting bytes. */
export class CountingSink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.bytes += chunk.length;
    cb();
  }
  override _writev(chunks: { chunk: Buffer }[], cb: () => void): void {
    for (const c of chunks) this.bytes += c.chunk.length;
    cb();
  }
}

/**
 * fast-csv's formatter over the rows (header first), into `sink` (default: a discarding counter):
 * builds each row's value array and writes it to the CsvFormatterStream, honouring backpressure.
 * Resolves with the bytes formatted.
 */
export async function fastCsvFormat(batches: readonly ColumnBatch[], sink: Writable & { bytes?: number } = new CountingSink()): Promise<number> {
  const stream = fastCsv.format({ headers: [...TX_COLUMNS], includeEndRowDelimiter: true });
  const done = new Promise<void>((res, rej) => {
    sink.on('finish', () => res());
    sink.on('error', rej);
    stream.on('error', rej);
  });
  stream.pipe(sink);
  for (const b of batches) {
    const c = colsOf(b);
    for (let r = 0; r < b.rowCount; r++) {
      if (!stream.write(rowArray(c, r))) await new Promise((res) => stream.once('drain', res));
    }
  }
  stream.end();
  await done;
  return sink.bytes ?? 0;
}

/**
 * Per-row string concatenation: one template string per row, appended to a text chunk that is
 * turned into bytes (Buffer.from, latin1: the rows are ASCII) every ~1 MB and handed to `consume`.
 * Returns the bytes produced.
 */
export function concatFormat(batches: readonly ColumnBatch[], consume: (chunk: Buffer) => void = () => undefined): number {
  let text = `${TX_COLUMNS.join(',')}\n`;
  let bytes = 0;
  for (const b of batches) {
    const c = colsOf(b);
    for (let r = 0; r < b.rowCount; r++) {
      const promo = c[4][r] === NULL_KEY ? '' : c[4][r];
      text += `${c[0][r]},${c[1][r]},${c[2][r]},${c[3][r]},${promo},${c[5][r]},${money(c[6][r])},${money(c[7][r])},${money(c[8][r])}\n`;
      if (text.length >= 1 << 20) {
        const buf = Buffer.from(text, 'latin1');
        bytes += buf.length;
        consume(buf);
        text = '';
      }
    }
  }
  const buf = Buffer.from(text, 'latin1');
  bytes += buf.length;
  consume(buf);
  return bytes;
}

interface ParquetLite {
  ParquetSchema: new (fields: Record<string, { type: string; optional?: boolean; compression?: string }>) => unknown;
  ParquetWriter: {
    openFile(schema: unknown, path: string, opts?: { rowGroupSize?: number }): Promise<{
      appendRow(row: Record<string, unknown>): Promise<void>;
      close(): Promise<void>;
    }>;
  };
}

/**
 * parquetjs-lite 0.8.7 writing the rows to `path` (SNAPPY, row groups of 64k rows). It has no DECIMAL
 * type, so money goes in as DOUBLE dollars; ids as INT64/INT32, promotion_id optional. Returns the file's bytes.
 */
export async function parquetjsWrite(batches: readonly ColumnBatch[], path: string): Promise<number> {
  const pq = require('parquetjs-lite') as ParquetLite;
  const c = 'SNAPPY';
  const schema = new pq.ParquetSchema({
    transaction_id: { type: 'INT64', compression: c },
    order_id: { type: 'INT32', compression: c },
    line_number: { type: 'INT32', compression: c },
    product_id: { type: 'INT32', compression: c },
    promotion_id: { type: 'INT32', optional: true, compression: c },
    quantity: { type: 'INT32', compression: c },
    unit_price: { type: 'DOUBLE', compression: c },
    discount_amount: { type: 'DOUBLE', compression: c },
    line_total: { type: 'DOUBLE', compression: c },
  });
  const writer = await pq.ParquetWriter.openFile(schema, path, { rowGroupSize: 65536 });
  for (const b of batches) {
    const k = colsOf(b);
    for (let r = 0; r < b.rowCount; r++) {
      const row: Record<string, unknown> = {
        transaction_id: k[0][r], order_id: k[1][r], line_number: k[2][r], product_id: k[3][r], quantity: k[5][r],
        unit_price: k[6][r] / 100, discount_amount: k[7][r] / 100, line_total: k[8][r] / 100,
      };
      if (k[4][r] !== NULL_KEY) row.promotion_id = k[4][r];
      await writer.appendRow(row);
    }
  }
  await writer.close();
  return statSync(path).size;
}

/**
 * The write ceiling: `bytes` written to `path` from one preallocated 1 MiB buffer in 1 MiB writeSync
 * calls, then closed (no fsync: dwgen does not fsync either). Returns the seconds taken; deletes the file.
 */
export function writeCeiling(path: string, bytes: number): number {
  const chunk = Buffer.alloc(1 << 20, 0x61);
  const t0 = performance.now();
  const fd = openSync(path, 'w');
  try {
    let left = bytes;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      let off = 0;
      while (off < n) off += writeSync(fd, chunk, off, n - off);
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
  const seconds = (performance.now() - t0) / 1000;
  unlinkSync(path);
  return seconds;
}

/**
 * Parses transactions_raw CSV text lines (no header; the table has no quoted fields) back into one
 * column batch, so the baselines format exactly the rows dwgen wrote.
 */
export function parseTransactionLines(lines: readonly string[]): ColumnBatch {
  const n = lines.length;
  const cols: Cols = [
    new Float64Array(n), new Int32Array(n), new Int32Array(n), new Int32Array(n), new Int32Array(n), new Int32Array(n),
    new Float64Array(n), new Float64Array(n), new Float64Array(n),
  ];
  const cents = (s: string): number => {
    const dot = s.indexOf('.');
    if (dot < 0 || s.length - dot !== 3) throw new Error(`not a two-place decimal: '${s}'`);
    return Number(s.slice(0, dot) + s.slice(dot + 1));
  };
  for (let r = 0; r < n; r++) {
    const f = lines[r].split(',');
    if (f.length !== 9) throw new Error(`transactions_raw line ${r + 1} has ${f.length} fields, expected 9`);
    cols[0][r] = Number(f[0]);
    cols[1][r] = Number(f[1]);
    cols[2][r] = Number(f[2]);
    cols[3][r] = Number(f[3]);
    cols[4][r] = f[4] === '' ? NULL_KEY : Number(f[4]);
    cols[5][r] = Number(f[5]);
    cols[6][r] = cents(f[6]);
    cols[7][r] = cents(f[7]);
    cols[8][r] = cents(f[8]);
  }
  return { rowCount: n, columns: cols };
}
