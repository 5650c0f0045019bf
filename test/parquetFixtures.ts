// Hand-built, deterministic column batches for the Parquet tests and benchmark (the real generator
// is not needed): synthetic transactions_raw rows, and batch re-slicing helpers.
import { NULL_KEY, allocateColumns, type ColumnBatch, type ColumnData } from '../src/core/columns.js';
import { TABLES, type TableDef } from '../src/core/tables.js';

/** mulberry32: a tiny seeded PRNG, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `rows` synthetic transactions_raw rows in one batch (about 30 % with a promotion). */
export function transactionsBatch(rows: number, seed = 1, firstTransaction = 1): ColumnBatch {
  const t = TABLES.transactions_raw;
  const cols = allocateColumns(t.columns, rows);
  const [txId, orderId, line, product, promo, qty, price, discount, total] = cols as [
    Float64Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Float64Array, Float64Array, Float64Array,
  ];
  const rnd = prng(seed);
  let order = Math.floor(firstTransaction / 3) + 1;
  let lines = 1 + Math.floor(rnd() * 5);
  let ln = 1;
  for (let i = 0; i < rows; i++) {
    if (ln > lines) {
      order++;
      ln = 1;
      lines = 1 + Math.floor(rnd() * 5);
    }
    txId[i] = firstTransaction + i;
    orderId[i] = order;
    line[i] = ln++;
    const p = 1 + Math.floor(1000 * rnd() ** 3);
    product[i] = p;
    const hasPromo = rnd() < 0.3;
    promo[i] = hasPromo ? 1 + Math.floor(rnd() * 100) : NULL_KEY;
    const q = 1 + Math.floor(rnd() * 10);
    qty[i] = q;
    const unit = 199 + ((p * 7919) % 50000); // cents
    price[i] = unit;
    const d = hasPromo ? Math.round((q * unit * (5 + (p % 45))) / 100) : 0;
    discount[i] = d;
    total[i] = q * unit - d;
  }
  return { rowCount: rows, columns: cols };
}

/** Copies rows [start, end) of a batch into a new batch (optionally with spare capacity). */
export function sliceBatch(table: TableDef, batch: ColumnBatch, start: number, end: number, spare = 0): ColumnBatch {
  const n = end - start;
  const cols = allocateColumns(table.columns, n + spare);
  cols.forEach((dst, c) => {
    const src = batch.columns[c]!;
    if (Array.isArray(dst)) {
      for (let i = 0; i < n; i++) dst[i] = (src as string[])[start + i]!;
    } else {
      (dst as Int32Array).set((src as Int32Array).subarray(start, end));
    }
  });
  return { rowCount: n, columns: cols as ColumnData[] };
}

/** Splits a batch into consecutive batches of the given sizes (cycled until the rows run out). */
export function rebatch(table: TableDef, batch: ColumnBatch, sizes: readonly number[]): ColumnBatch[] {
  const out: ColumnBatch[] = [];
  let start = 0;
  let k = 0;
  while (start < batch.rowCount) {
    const end = Math.min(batch.rowCount, start + sizes[k++ % sizes.length]!);
    out.push(sliceBatch(table, batch, start, end, k % 3)); // some batches carry unused capacity
    start = end;
  }
  return out;
}

/** Concatenates encoder output chunks into one buffer. */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of chunks) len += c.length;
  const out = new Uint8Array(len);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
