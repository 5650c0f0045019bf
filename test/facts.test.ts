// Unit tests of the fact generator: the counting pre-pass agrees with generation, partitions are
// independent of each other, and inventory deltas merge to the same totals in any order.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.js';
import { valueAt, type ColumnBatch } from '../src/core/columns.js';
import { InventoryAccumulator, ORDERS_PER_BATCH, countOrderPartition, generateOrderPartition, mergeInventoryDeltas, type InventoryDeltas } from '../src/core/facts.js';
import { CUSTOMERS_PER_BATCH, generateCustomers } from '../src/core/dimensions.js';
import { buildDimensionModel, factContextOf } from '../src/core/model.js';
import { customerRange } from '../src/core/plan.js';

const D = DEFAULT_CONFIG;
const config: Config = { ...structuredClone(DEFAULT_CONFIG), scale_factor: 0.05 };
config.partitions.orders_per_partition = 1000;
const model = buildDimensionModel(config);
const ctx = factContextOf(config, model);
const plan = model.plan;

function run(partition: number, keys = { firstTransaction: 0, firstReturn: 0 }) {
  const batches: Record<string, ColumnBatch[]> = {};
  const copy = (b: ColumnBatch): ColumnBatch => ({ rowCount: b.rowCount, columns: b.columns.map((c) => c.slice(0, b.rowCount)) as ColumnBatch['columns'] });
  const result = generateOrderPartition(ctx, partition, keys, (t, b) => (batches[t] ??= []).push(copy(b)), new InventoryAccumulator(plan));
  return { batches, result };
}

describe('order partitions', () => {
  it('the counting pre-pass gives exactly the line and return counts that generation produces', () => {
    expect(plan.orderPartitions).toBe(5);
    for (let p = 0; p < plan.orderPartitions; p++) {
      const counts = countOrderPartition(ctx, p);
      const { result } = run(p);
      expect(result.rows.transactions_raw).toBe(counts.lines);
      expect(result.rows.returns).toBe(counts.returns);
      expect(result.rows.orders).toBe(1000);
    }
  });

  it.each([
    ['the default return rate', D.returns.rate],
    ['returns.rate 1 (a category factor of 1 or more returns every eligible line)', 1],
    ['no returns (rate 0)', 0],
  ])('over several batches of ORDERS_PER_BATCH, the pre-pass counts lines and returns exactly (%s)', (_what, rate) => {
    const c: Config = structuredClone(config);
    c.partitions.orders_per_partition = 2 * ORDERS_PER_BATCH + 777;
    c.returns.rate = rate;
    const m = buildDimensionModel(c);
    const x = factContextOf(c, m);
    for (let p = 0; p < m.plan.orderPartitions; p++) {
      const counts = countOrderPartition(x, p);
      const r = generateOrderPartition(x, p, { firstTransaction: 0, firstReturn: 0 }, () => undefined, new InventoryAccumulator(m.plan));
      expect([r.rows.transactions_raw, r.rows.returns]).toEqual([counts.lines, counts.returns]);
      if (rate === 0) expect(counts.returns).toBe(0);
      if (rate === 1) expect(counts.returns).toBeGreaterThan(counts.lines / 3);
    }
  });

  it('a partition is the same whether generated alone or after others, and keys continue from the given offsets', () => {
    const alone = run(3, { firstTransaction: 500, firstReturn: 20 });
    run(0);
    run(1);
    const again = run(3, { firstTransaction: 500, firstReturn: 20 });
    expect(again.batches).toEqual(alone.batches);
    const firstTx = alone.batches.transactions_raw[0];
    expect(firstTx.columns[0][0]).toBe(501);
    expect((alone.batches.raw_orders[0].columns[0] as Int32Array)[0]).toBe(3001);
    expect(alone.batches.returns.find((b) => b.rowCount > 0)!.columns[0][0]).toBe(21);
  });
});

describe('inventory deltas', () => {
  /** `sales` pseudo-random sales into `acc`; returns the naive per-cell [Σ quantity, last day], by cell. */
  function addSales(acc: InventoryAccumulator, p: Pick<typeof plan, 'stores' | 'products' | 'firstDay' | 'days'>, sales: number, seed = 12345): Map<number, [number, number]> {
    const naive = new Map<number, [number, number]>();
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < sales; i++) {
      const s = next(p.stores);
      const product = next(p.products);
      const q = 1 + next(10);
      const d = p.firstDay + next(p.days);
      acc.add(s, product, q, d);
      const cell = product * p.stores + s;
      const [sum, last] = naive.get(cell) ?? [0, -Infinity];
      naive.set(cell, [sum + q, Math.max(last, d)]);
    }
    return naive;
  }
  function expectNaive(deltas: InventoryDeltas, naive: Map<number, [number, number]>): void {
    const cells = [...naive.keys()].sort((a, b) => a - b);
    expect([...deltas.cells]).toEqual(cells);
    expect(cells.map((_, i) => [deltas.sold[i], deltas.lastSale[i]])).toEqual(cells.map((c) => naive.get(c)));
  }

  it('equal the naive per-(store, product) sums and maxima, sorted by cell', () => {
    const acc = new InventoryAccumulator(plan);
    const naive = addSales(acc, plan, 20_000);
    expectNaive(acc.take(), naive);
    expect(acc.take().cells.length).toBe(0); // the log was emptied
  });

  it.each([
    ['one cell', 1, 1],
    ['2^16 cells (one 8-bit digit each way)', 256, 256],
    ['an odd bit count, 19 bits (10 low, 9 high)', 317, 1601],
    ['26 bits (13 + 13)', 5_000, 10_007],
  ])('are sorted by cell whatever the number of cells: %s', (_what, stores, products) => {
    const p = { stores, products, firstDay: plan.firstDay, days: plan.days };
    const acc = new InventoryAccumulator(p);
    for (const seed of [1, 2]) {
      const naive = addSales(acc, p, 30_000, seed); // the same accumulator twice: its scratch is reused
      expectNaive(acc.take(), naive);
    }
  });

  it('are written into an offered buffer when it is large enough, with the same values as into a new one', () => {
    const fresh = new InventoryAccumulator(plan);
    addSales(fresh, plan, 5_000, 7);
    const expected = fresh.take();
    const runs = expected.cells.length;
    expect(expected.sold.buffer).toBe(expected.cells.buffer); // one buffer, transferred once
    expect(expected.cells.buffer.byteLength).toBeGreaterThanOrEqual(12 * runs);

    const acc = new InventoryAccumulator(plan);
    const big = new ArrayBuffer(12 * runs + 8);
    acc.offerBuffer(new ArrayBuffer(12 * runs - 4)); // too small for these deltas: a larger offer replaces it
    acc.offerBuffer(big);
    addSales(acc, plan, 5_000, 7);
    const reused = acc.take();
    expect(reused.cells.buffer).toBe(big);
    expect([reused.cells, reused.sold, reused.lastSale].map((a) => [...a])).toEqual([expected.cells, expected.sold, expected.lastSale].map((a) => [...a]));

    const small = new ArrayBuffer(12 * runs - 4);
    acc.offerBuffer(small);
    addSales(acc, plan, 5_000, 7);
    const next = acc.take();
    expect(next.cells.buffer).not.toBe(small); // too small: a new buffer, the same values
    expect([...next.lastSale]).toEqual([...expected.lastSale]);
  });

  it('merge to the same totals in any order', () => {
    const deltas: InventoryDeltas[] = [];
    for (let p = 0; p < plan.orderPartitions; p++) deltas.push(run(p).result.inventory);
    /** Merged in `groups` of partitions, each group in one call (tile by tile). */
    const merged = (groups: number[][]): Int32Array => {
      const arrays = { inventorySales: new Int32Array(2 * plan.stores * plan.products) };
      for (let i = 1; i < arrays.inventorySales.length; i += 2) arrays.inventorySales[i] = -2147483648;
      for (const g of groups) mergeInventoryDeltas(arrays, g.length === 1 ? deltas[g[0]] : g.map((i) => deltas[i]));
      return arrays.inventorySales;
    };
    const forward = merged([[0], [1], [2], [3], [4]]);
    expect(merged([[4], [2], [0], [3], [1]])).toEqual(forward);
    expect(merged([[4, 2, 0, 3, 1]])).toEqual(forward);
    expect(merged([[3, 1], [], [0, 4, 2]])).toEqual(forward);
    let units = 0;
    for (let i = 0; i < forward.length; i += 2) units += forward[i];
    const runs = [0, 1, 2, 3, 4].map((p) => run(p).batches);
    const cancelled = new Set<number>(); // cancelled orders are not sold
    for (const b of runs.flatMap((r) => r.orders)) for (let i = 0; i < b.rowCount; i++) if ((b.columns[7] as Uint8Array)[i] === 3) cancelled.add((b.columns[0] as Int32Array)[i]);
    expect(cancelled.size).toBeGreaterThan(0);
    let soldUnits = 0;
    for (const b of runs.flatMap((r) => r.transactions_raw)) for (let i = 0; i < b.rowCount; i++) if (!cancelled.has((b.columns[1] as Int32Array)[i])) soldUnits += (b.columns[5] as Int32Array)[i];
    expect(units).toBe(soldUnits);
  });
});

describe('mergeInventoryDeltas over many tiles', () => {
  it('merges a group of partitions in one call to the totals and last days of merging them one by one', () => {
    const cellCount = 1_000_003; // 16 tiles of 65,536 cells and a ragged end
    const deltasOf = (seed: number): InventoryDeltas => {
      const cells: number[] = [];
      for (let c = seed % 7; c < cellCount; c += 1 + ((c * 2654435761 + seed) >>> 0) % 23) cells.push(c);
      cells.push(cellCount - 1 - seed); // the last tile
      const sorted = [...new Set(cells)].sort((a, b) => a - b);
      return {
        cells: Int32Array.from(sorted),
        sold: Int32Array.from(sorted, (c) => 1 + ((c ^ seed) % 9)),
        lastSale: Int32Array.from(sorted, (c) => 19000 + ((c * 31 + seed) % 365)),
      };
    };
    const deltas = [1, 2, 3, 4, 5].map(deltasOf);
    const fresh = () => {
      const inventorySales = new Int32Array(2 * cellCount);
      for (let i = 1; i < inventorySales.length; i += 2) inventorySales[i] = -2147483648;
      return { inventorySales };
    };
    const oneByOne = fresh();
    for (const d of deltas) mergeInventoryDeltas(oneByOne, d);
    const grouped = fresh();
    mergeInventoryDeltas(grouped, [deltas[3], deltas[0], deltas[4]]);
    mergeInventoryDeltas(grouped, [deltas[2], deltas[1]]);
    expect(Buffer.from(grouped.inventorySales.buffer).equals(Buffer.from(oneByOne.inventorySales.buffer))).toBe(true);
    // and both are the plain sums and maxima
    const last = cellCount - 1 - 5;
    const expected = deltas.reduce((s, d) => { const k = d.cells.indexOf(last); return k < 0 ? s : s + d.sold[k]; }, 0);
    expect(expected).toBeGreaterThan(0);
    expect(grouped.inventorySales[2 * last]).toBe(expected);
  });

  it('refuses a cell outside the merged arrays (it would be dropped)', () => {
    const inventorySales = new Int32Array(2 * 100);
    const d = { cells: Int32Array.from([3, 100]), sold: Int32Array.from([1, 1]), lastSale: Int32Array.from([1, 1]) };
    expect(() => mergeInventoryDeltas({ inventorySales }, d)).toThrow(/cell 100 is outside the 100 cells/);
  });
});

describe('customer partitions', () => {
  const rowsOf = (batchRows?: number): { batches: number; rows: unknown[][] } => {
    const rows: unknown[][] = [];
    let batches = 0;
    generateCustomers(config, plan, 0, (b) => {
      batches++;
      for (let r = 0; r < b.rowCount; r++) rows.push(b.columns.map((c) => valueAt(c, r)));
    }, batchRows);
    return { batches, rows };
  };

  it('are emitted in bounded batches whose rows do not depend on the batch size', () => {
    const { first, count } = customerRange(plan, 0);
    expect(first).toBe(0);
    expect(count).toBe(500);
    const whole = rowsOf(count);
    expect(whole.batches).toBe(1);
    expect(whole.rows.map((r) => r[0])).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    // text built as bytes reads back as the values: e-mail with the key, phone, street, ZIP
    whole.rows.forEach((r) => {
      expect(r[3]).toMatch(new RegExp(`^[a-z0-9]+\\.[a-z0-9]+\\.${r[0]}@[a-z0-9.-]+$`));
      expect(r[4]).toMatch(/^\d{3}-\d{3}-\d{4}$/);
      expect(r[5]).toMatch(/^\d{1,4} \S.* \S+$/);
      expect(r[8]).toMatch(/^\d{5}$/);
    });
    const small = rowsOf(77);
    expect(small.batches).toBe(7);
    expect(small.rows).toEqual(whole.rows);
    expect(rowsOf().batches).toBe(Math.ceil(count / CUSTOMERS_PER_BATCH));
  });
});
