// The bytes of an order partition's inventory-deltas record (records.ts parts/orders-NNNNN.inv).
// Its cells are sorted and dense enough that the gaps between them are small, and its sums and
// days are small, so each value is an unsigned LEB128 varint: about 4 bytes a cell where three
// raw Int32 arrays took 12 (at SF 100, 130,000 cells a partition: 0.5 MB instead of 1.6 MB, and
// a run writes one per order partition).
//
//   'DGI2' (4 bytes) · n · dayBase (zigzag) · n × (cell gap, sold, lastSale − dayBase) · CRC-32
//
// The first gap is the first cell itself; dayBase is the earliest lastSale; the CRC-32 (4 bytes,
// little-endian) covers everything before it, so a flipped bit reads as damage, not as other
// deltas. Pure: no I/O.
import { crc32 } from 'node:zlib';
import type { InventoryDeltas } from '../core/facts.js';

const MAGIC = [0x44, 0x47, 0x49, 0x32]; // 'DGI2'
/** At most 5 bytes per varint (values < 2^32), 3 varints per cell. */
const MAX_VARINT = 5;
const INT32_MAX = 0x7fffffff;
const CRC_BYTES = 4;

/**
 * The record of `d`, as a view of `into` when that is large enough (its first bytes), else of a new
 * array: a caller that writes records one after another passes the previous record's array back
 * (`new Uint8Array(record.buffer)`) once it is written. A fresh half-megabyte array costs a page
 * fault per 4 KB on its first write (about 1 ms a record on a VM); a reused one none.
 */
export function encodeDeltaRecord(d: InventoryDeltas, into?: Uint8Array): Uint8Array {
  const { cells, sold, lastSale } = d;
  const n = cells.length;
  let dayBase = 0;
  if (n > 0) {
    dayBase = lastSale[0];
    for (let k = 1; k < n; k++) if (lastSale[k] < dayBase) dayBase = lastSale[k];
  }
  const size = MAGIC.length + 2 * MAX_VARINT + 3 * MAX_VARINT * n + CRC_BYTES;
  const out = into !== undefined && into.length >= size ? into : new Uint8Array(Math.ceil(size * 1.25)); // a larger record next time fits too
  out.set(MAGIC);
  let at = putVarint(out, MAGIC.length, n);
  at = putVarint(out, at, dayBase >= 0 ? 2 * dayBase : -2 * dayBase - 1);
  let previous = 0;
  for (let k = 0; k < n; k++) {
    const cell = cells[k];
    if (cell <= previous && k > 0) throw new Error(`inventory deltas: cells are not strictly increasing at ${k}`);
    at = putVarint(out, at, cell - previous);
    at = putVarint(out, at, sold[k]);
    at = putVarint(out, at, lastSale[k] - dayBase);
    previous = cell;
  }
  new DataView(out.buffer, out.byteOffset).setUint32(at, crc32(out.subarray(0, at)), true);
  return out.subarray(0, at + CRC_BYTES);
}

/** Writes v (0 ≤ v < 2^32, where & and >>> are exact) at `at` as a varint; returns the next offset. */
function putVarint(out: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}

/** The deltas of a record's bytes, or null when they are not a whole record (damaged, or another format). */
export function decodeDeltaRecord(record: Uint8Array): InventoryDeltas | null {
  if (record.length < MAGIC.length + 2 + CRC_BYTES || MAGIC.some((b, i) => record[i] !== b)) return null;
  const bytes = record.subarray(0, record.length - CRC_BYTES);
  if (new DataView(record.buffer, record.byteOffset).getUint32(bytes.length, true) !== crc32(bytes)) return null;
  let at = MAGIC.length;
  let bad = false;
  /** The next varint; values above INT32_MAX (no field can hold one) mark the record damaged. */
  const get = (): number => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT; i++) {
      if (at >= bytes.length) break;
      const b = bytes[at++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (v > INT32_MAX) break;
        return v;
      }
      scale *= 128;
    }
    bad = true;
    return 0;
  };
  const n = get();
  const zigzag = get();
  if (bad || 3 * n > bytes.length - at) return null;
  const dayBase = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  const cells = new Int32Array(n);
  const sold = new Int32Array(n);
  const lastSale = new Int32Array(n);
  let cell = 0;
  for (let k = 0; k < n && !bad; k++) {
    const gap = get();
    cell += gap;
    if ((gap === 0 && k > 0) || cell > INT32_MAX) bad = true; // cells are strictly increasing int32
    cells[k] = cell;
    sold[k] = get();
    const last = dayBase + get();
    if (last > INT32_MAX) bad = true;
    lastSale[k] = last;
  }
  return bad || at !== bytes.length ? null : { cells, sold, lastSale };
}
