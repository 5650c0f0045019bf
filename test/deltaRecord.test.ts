import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InventoryAccumulator, OrderBatchColumns, generateOrderPartition } from '../src/core/facts.js';
import { deriveStream, below } from '../src/core/random.js';
import { decodeDeltaRecord, encodeDeltaRecord } from '../src/run/deltaRecord.js';
import { DEFAULT_CONFIG, validateConfig } from '../src/config/config.js';
import { buildDimensionModel, factContextOf } from '../src/core/model.js';

/** Deltas with every shape the codec must keep: gaps of 1 and of millions, large sums, days before 1970. */
function randomDeltas(n: number, seed: number) {
  const s = deriveStream(seed, 'delta-test', 0);
  const cells = new Int32Array(n);
  const sold = new Int32Array(n);
  const lastSale = new Int32Array(n);
  let cell = below(s, 1000);
  for (let k = 0; k < n; k++) {
    cells[k] = cell;
    cell += k % 97 === 0 ? 1 + below(s, 5_000_000) : 1 + below(s, 60);
    sold[k] = k % 89 === 0 ? 1 + below(s, 2_000_000) : 1 + below(s, 40);
    lastSale[k] = -400 + below(s, 30_000);
  }
  return { cells, sold, lastSale };
}

describe('inventory-deltas record', () => {
  it('decodes to exactly the deltas it was encoded from', () => {
    for (const n of [0, 1, 2, 1000, 50_000]) {
      const d = randomDeltas(n, n);
      const back = decodeDeltaRecord(encodeDeltaRecord(d));
      expect(back).not.toBeNull();
      expect(Array.from(back!.cells)).toEqual(Array.from(d.cells));
      expect(Array.from(back!.sold)).toEqual(Array.from(d.sold));
      expect(Array.from(back!.lastSale)).toEqual(Array.from(d.lastSale));
    }
  });

  it('encoded into the space of an earlier record, gives the same bytes; space too small is not written to', () => {
    const big = randomDeltas(5000, 1);
    const small = randomDeltas(300, 2);
    const first = encodeDeltaRecord(big);
    const space = new Uint8Array(first.buffer, first.byteOffset);
    const reused = encodeDeltaRecord(small, space);
    expect(reused.buffer).toBe(first.buffer);
    expect(Buffer.from(reused)).toEqual(Buffer.from(encodeDeltaRecord(small)));
    const tooSmall = new Uint8Array(16);
    const fresh = encodeDeltaRecord(big, tooSmall);
    expect(fresh.buffer).not.toBe(tooSmall.buffer);
    expect(Array.from(tooSmall)).toEqual(new Array(16).fill(0));
    expect(Array.from(decodeDeltaRecord(fresh)!.cells)).toEqual(Array.from(big.cells));
  });

  it('keeps a real order partition\'s deltas in under 5 bytes a cell (raw Int32 arrays took 12)', () => {
    const config = validateConfig(structuredClone(DEFAULT_CONFIG));
    const model = buildDimensionModel(config);
    const r = generateOrderPartition(factContextOf(config, model), 0, { firstTransaction: 0, firstReturn: 0 }, () => undefined, new InventoryAccumulator(model.plan), new OrderBatchColumns());
    const n = r.inventory.cells.length;
    expect(n).toBeGreaterThan(10_000);
    const bytes = encodeDeltaRecord(r.inventory);
    expect(bytes.length / n).toBeLessThan(5);
    const back = decodeDeltaRecord(bytes)!;
    expect(Buffer.from(back.cells.buffer).equals(Buffer.from(r.inventory.cells.buffer, r.inventory.cells.byteOffset, 4 * n))).toBe(true);
    expect(Array.from(back.sold)).toEqual(Array.from(r.inventory.sold));
    expect(Array.from(back.lastSale)).toEqual(Array.from(r.inventory.lastSale));
  });

  it('reads a truncated, extended, foreign or raw-Int32 record as damaged (null), never as other deltas', () => {
    const bytes = encodeDeltaRecord(randomDeltas(500, 7));
    expect(decodeDeltaRecord(bytes.subarray(0, bytes.length - 1))).toBeNull();
    expect(decodeDeltaRecord(bytes.subarray(0, 6))).toBeNull();
    expect(decodeDeltaRecord(Uint8Array.from([...bytes, 0]))).toBeNull();
    const foreign = bytes.slice();
    foreign[3] = 0x31;
    expect(decodeDeltaRecord(foreign)).toBeNull();
    const raw = new Int32Array([0x56494744, 1, 5, 3, 19000]); // the earlier format: magic 'DGIV', n, cells, sold, lastSale
    expect(decodeDeltaRecord(new Uint8Array(raw.buffer))).toBeNull();
    expect(decodeDeltaRecord(new Uint8Array(0))).toBeNull();
  });

  it('reads a flipped bit, or a well-formed record of impossible values, as damaged', () => {
    const bytes = encodeDeltaRecord(randomDeltas(500, 9));
    for (const at of [4, 40, bytes.length - 10, bytes.length - 1]) {
      const flipped = bytes.slice();
      flipped[at] ^= 0x04;
      expect(decodeDeltaRecord(flipped), `bit flipped at ${at}`).toBeNull();
    }
    /** A record of these varint bytes with a valid checksum. */
    const sealed = (body: number[]): Uint8Array => {
      const b = Uint8Array.from([0x44, 0x47, 0x49, 0x32, ...body, 0, 0, 0, 0]);
      new DataView(b.buffer).setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
      return b;
    };
    expect(decodeDeltaRecord(sealed([2, 0, 5, 1, 0, 3, 1, 0]))).toEqual({ cells: Int32Array.from([5, 8]), sold: Int32Array.from([1, 1]), lastSale: Int32Array.from([0, 0]) });
    expect(decodeDeltaRecord(sealed([2, 0, 5, 1, 0, 0, 1, 0]))).toBeNull(); // a gap of 0: the same cell twice
    expect(decodeDeltaRecord(sealed([1, 0, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 0]))).toBeNull(); // 2^31: no int32 cell
    expect(decodeDeltaRecord(sealed([2, 0, 0xfe, 0xff, 0xff, 0xff, 0x07, 1, 0, 2, 1, 0]))).toBeNull(); // cells past 2^31 − 1
    expect(decodeDeltaRecord(sealed([200, 0, 5, 1, 0]))).toBeNull(); // more cells than bytes
  });

  it('refuses deltas whose cells are not strictly increasing', () => {
    const d = { cells: Int32Array.from([4, 4]), sold: Int32Array.from([1, 1]), lastSale: Int32Array.from([1, 1]) };
    expect(() => encodeDeltaRecord(d)).toThrow(/not strictly increasing at 1/);
  });
});
