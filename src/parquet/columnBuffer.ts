// Per-column accumulation of batch slices into growing typed buffers, already in Parquet physical
// form (INT32 words, INT64 lo/hi words, 0/1 bytes, enum codes, strings), with definition levels for
// OPTIONAL columns and running min/max/null-count statistics for the current row group.
import { NULL_DAY, NULL_KEY, type ColumnData } from '../core/columns.js';
import type { ParquetColumn } from './schema.js';

const TWO_32 = 4294967296;

/** Next capacity: doubling, but never past `limit` (the most a row group can hold) unless needed. */
function nextCapacity(current: number, need: number, limit: number): number {
  let cap = Math.max(current * 2, 1024);
  while (cap < need) cap *= 2;
  return Math.max(need, Math.min(cap, limit));
}

function grownInt32(a: Int32Array, need: number, limit: number): Int32Array {
  const b = new Int32Array(nextCapacity(a.length, need, limit));
  b.set(a);
  return b;
}

function grownUint8(a: Uint8Array, need: number, limit: number): Uint8Array {
  const b = new Uint8Array(nextCapacity(a.length, need, limit));
  b.set(a);
  return b;
}

function describe(col: ParquetColumn): string {
  return `column ${col.def.name} (${col.def.type})`;
}

/**
 * Buffers one column of the current row group. Values of null rows are not stored: `values` holds
 * only the `valueCount` non-null values, `levels[r]` is 1 for a present row and 0 for a null one.
 */
export class ColumnBuffer {
  readonly col: ParquetColumn;
  /** Rows buffered (including nulls). */
  rows = 0;
  /** Non-null values buffered. */
  valueCount = 0;
  /** Definition levels per row (OPTIONAL columns only). */
  levels: Uint8Array = new Uint8Array(0);
  /** 'i32' values. */
  i32: Int32Array = new Int32Array(0);
  /** 'i64' values as little-endian (lo, hi) word pairs. */
  words: Int32Array = new Int32Array(0);
  /** 'bool' 0/1 values or 'enum' codes. */
  bytes: Uint8Array = new Uint8Array(0);
  /** 'string' values. */
  strings: string[] = [];
  /** Min and max of the numeric values of this row group (i32, i64, bool, enum codes unused). */
  min = Infinity;
  max = -Infinity;
  /** For 'enum': which codes occur in this row group. */
  readonly usedCodes: Uint8Array;

  /** Most rows one row group can hold (Infinity when unknown), to bound buffer growth. */
  private readonly maxRows: number;

  constructor(col: ParquetColumn, maxRows = Infinity) {
    this.col = col;
    this.maxRows = maxRows;
    this.usedCodes = new Uint8Array(col.buffer === 'enum' ? 256 : 0);
  }

  get nullCount(): number {
    return this.rows - this.valueCount;
  }

  /** Starts a new row group, keeping the allocated buffers. */
  reset(): void {
    this.rows = 0;
    this.valueCount = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.usedCodes.fill(0);
    if (this.strings.length > 0) this.strings = [];
  }

  /** Appends rows [start, end) of one batch column. */
  append(data: ColumnData, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const col = this.col;
    if (col.optional) {
      if (this.levels.length < this.rows + n) this.levels = grownUint8(this.levels, this.rows + n, this.maxRows);
    }
    switch (col.buffer) {
      case 'i32':
        this.appendI32(data, start, end);
        break;
      case 'i64':
        this.appendI64(data, start, end);
        break;
      case 'bool':
      case 'enum':
        this.appendBytes(data, start, end);
        break;
      case 'string':
        this.appendStrings(data, start, end);
        break;
    }
    this.rows += n;
    if (col.decimalLimit !== undefined && this.valueCount > 0) {
      if (this.min < -col.decimalLimit || this.max > col.decimalLimit) {
        const bad = this.max > col.decimalLimit ? this.max : this.min;
        throw new RangeError(`Parquet: ${describe(col)} value ${bad} cents does not fit the declared precision`);
      }
    }
  }

  private appendI32(data: ColumnData, start: number, end: number): void {
    const col = this.col;
    const storage = col.def.storage;
    if (!(data instanceof Int32Array || (storage === 'cents' && data instanceof Float64Array))) {
      throw new TypeError(`Parquet: ${describe(col)} expects ${storage === 'cents' ? 'a Float64Array' : 'an Int32Array'}`);
    }
    const n = end - start;
    if (this.i32.length < this.valueCount + n) this.i32 = grownInt32(this.i32, this.valueCount + n, this.maxRows);
    const dst = this.i32;
    let min = this.min;
    let max = this.max;
    if (!col.optional) {
      const base = this.valueCount;
      for (let i = start; i < end; i++) {
        const v = data[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      dst.set(data.subarray(start, end), base); // Float64 → Int32 conversion for small decimals
      this.valueCount += n;
    } else {
      const levels = this.levels;
      let r = this.rows;
      let k = this.valueCount;
      if (storage === 'cents') {
        const src = data as Float64Array;
        for (let i = start; i < end; i++, r++) {
          const v = src[i]!;
          if (v !== v) {
            levels[r] = 0;
          } else {
            levels[r] = 1;
            dst[k++] = v;
            if (v < min) min = v;
            if (v > max) max = v;
          }
        }
      } else {
        const src = data as Int32Array;
        const nullValue = storage === 'day' ? NULL_DAY : NULL_KEY;
        for (let i = start; i < end; i++, r++) {
          const v = src[i]!;
          if (v === nullValue) {
            levels[r] = 0;
          } else {
            levels[r] = 1;
            dst[k++] = v;
            if (v < min) min = v;
            if (v > max) max = v;
          }
        }
      }
      this.valueCount = k;
    }
    this.min = min;
    this.max = max;
  }

  private appendI64(data: ColumnData, start: number, end: number): void {
    const col = this.col;
    if (!(data instanceof Float64Array)) throw new TypeError(`Parquet: ${describe(col)} expects a Float64Array`);
    const n = end - start;
    if (this.words.length < 2 * (this.valueCount + n)) this.words = grownInt32(this.words, 2 * (this.valueCount + n), 2 * this.maxRows);
    const w = this.words;
    let min = this.min;
    let max = this.max;
    let k = this.valueCount;
    const nullable = col.optional;
    const isCents = col.def.storage === 'cents';
    const levels = this.levels;
    let r = this.rows;
    for (let i = start; i < end; i++, r++) {
      const v = data[i]!;
      if (nullable) {
        if (isCents ? v !== v : v === NULL_KEY) {
          levels[r] = 0;
          continue;
        }
        levels[r] = 1;
      }
      const hi = Math.floor(v / TWO_32);
      w[2 * k] = v - hi * TWO_32; // ToInt32 keeps the low 32 bits
      w[2 * k + 1] = hi;
      k++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.valueCount = k;
    this.min = min;
    this.max = max;
  }

  private appendBytes(data: ColumnData, start: number, end: number): void {
    const col = this.col;
    if (!(data instanceof Uint8Array)) throw new TypeError(`Parquet: ${describe(col)} expects a Uint8Array`);
    const n = end - start;
    if (this.bytes.length < this.valueCount + n) this.bytes = grownUint8(this.bytes, this.valueCount + n, this.maxRows);
    this.bytes.set(data.subarray(start, end), this.valueCount);
    if (col.buffer === 'enum') {
      const used = this.usedCodes;
      for (let i = start; i < end; i++) used[data[i]!] = 1;
      const size = col.def.enumValues!.length;
      for (let c = size; c < 256; c++) {
        if (used[c] !== 0) throw new RangeError(`Parquet: ${describe(col)} has enum code ${c}, but only ${size} enumValues`);
      }
    } else {
      let min = this.min;
      let max = this.max;
      for (let i = start; i < end; i++) {
        const v = data[i]! === 0 ? 0 : 1;
        if (v < min) min = v;
        if (v > max) max = v;
        if (v !== data[i]) this.bytes[this.valueCount + i - start] = v;
      }
      this.min = min;
      this.max = max;
    }
    this.valueCount += n;
  }

  private appendStrings(data: ColumnData, start: number, end: number): void {
    const col = this.col;
    if (!Array.isArray(data)) throw new TypeError(`Parquet: ${describe(col)} expects a string[]`);
    const out = this.strings;
    if (!col.optional) {
      for (let i = start; i < end; i++) {
        const s = data[i];
        if (typeof s !== 'string') throw new TypeError(`Parquet: ${describe(col)} is not nullable but row value is ${String(s)}`);
        out.push(s);
      }
      this.valueCount += end - start;
    } else {
      const levels = this.levels;
      let r = this.rows;
      for (let i = start; i < end; i++, r++) {
        const s = data[i] as string | null | undefined;
        if (s === null || s === undefined) {
          levels[r] = 0;
        } else {
          levels[r] = 1;
          out.push(s);
        }
      }
      this.valueCount = out.length;
    }
  }
}
