// Fact generation for one order partition: orders, their lines, their aggregates, the processed
// orders and the returns all come from the partition's own streams and keyed hashes in a single
// pass, so totals need no second pass. Also the cheap counting pre-pass that makes transaction and
// return keys dense, and the per-(store, product) sales deltas that inventory merges. No I/O here.
import type { Config } from '../config/config.js';
import { NULL_DAY, NULL_KEY, type ColumnBatch } from './columns.js';
import { CustomerTraits, tierPopularitySamplers, type CustomerGeography, type CustomerTraitArrays } from './customerTraits.js';
import { CityNames, GEO_STATES, type GeoArrays } from './geography.js';
import { orderRange, type Plan } from './plan.js';
import { AliasTable, below, deriveStream, hashBase, keyHash, scatterStep, unit, type Stream, type ZipfKeySampler } from './random.js';
import { arenaViews, planArena, type ArrayKind as ArenaKind, type ArenaLayout } from './sharedArrays.js';
import {
  CATEGORY_NAMES, LOYALTY_STATUSES, STATUS_CANCELLED, STATUS_COMPLETED, STATUS_PROCESSING, STATUS_RETURNED, STATUS_SHIPPED, type TableName,
} from './tables.js';

/** The dimension columns fact generation reads, kept in one SharedArrayBuffer for all workers. */
export const FACT_ARRAY_KINDS = {
  productPrice: 'int32',
  /** Category of each product (index into CATEGORY_NAMES): its return rate. */
  productCategory: 'int32',
  /** Alias tables (AliasTable.entries) of product, customer, store and order-day popularity. */
  productAlias: 'float64',
  /** customerTraits.ts tierPopularityPlan: each loyalty tier's customer popularity, concatenated. */
  customerBucketAlias: 'float64',
  customerBucketStart: 'float64',
  customerTierBuckets: 'int32',
  storeAlias: 'float64',
  dayAlias: 'float64',
  promotionRate: 'int32',
  activePromotionOffsets: 'int32',
  activePromotionIds: 'int32',
  /** Merged inventory aggregates per inventory cell (see inventoryCell): Σ sold, then last sale day. */
  inventorySales: 'int32',
  /** The reference geography (geography.ts GeoArrays), the ZIPs' population alias table and each ZIP's home store. */
  geoZipCode: 'int32',
  geoZipCity: 'int32',
  geoZipLat: 'float64',
  geoZipLon: 'float64',
  geoZipWeight: 'float64',
  geoCityState: 'int32',
  geoCityNameOffsets: 'int32',
  geoCityNameBytes: 'uint8',
  geoAreaOffsets: 'int32',
  geoAreaCodes: 'int32',
  /** customerTraits.ts CustomerTraitArrays: home stores by population served, and each store's ZIPs. */
  homeStoreAlias: 'float64',
  homeZipOffsets: 'int32',
  homeZipIndex: 'int32',
  homeZipAlias: 'float64',
} as const satisfies Record<string, ArenaKind>;
export type FactArrayName = keyof typeof FACT_ARRAY_KINDS;
type ViewOf<K extends ArenaKind> = K extends 'int32' ? Int32Array : K extends 'uint8' ? Uint8Array : Float64Array;
export type FactArrays = { [K in FactArrayName]: ViewOf<(typeof FACT_ARRAY_KINDS)[K]> };
export type FactLayout = ArenaLayout<FactArrayName>;

export interface FactArraysInput {
  productPrice: Int32Array;
  productCategory: Int32Array;
  geo: GeoArrays;
  traits: CustomerTraitArrays;
  productWeights: ArrayLike<number>;
  /** customerTraits.ts tierPopularityPlan of the customers. */
  customerBuckets: { bucketStart: Float64Array; weights: Float64Array; tierBuckets: Int32Array };
  storeWeights: ArrayLike<number>;
  dayWeights: ArrayLike<number>;
  promotionRate: Int32Array;
  activePromotionOffsets: Int32Array;
  activePromotionIds: Int32Array;
}

/** Allocates the shared arena and fills it (alias tables built in place). Main thread only. */
export function buildFactArrays(plan: Plan, input: FactArraysInput): { buffer: SharedArrayBuffer; layout: FactLayout; arrays: FactArrays } {
  const cells = plan.stores * plan.products;
  const lengths: Record<FactArrayName, number> = {
    productPrice: plan.products,
    productAlias: 2 * plan.products,
    customerBucketAlias: 2 * input.customerBuckets.weights.length,
    customerBucketStart: input.customerBuckets.bucketStart.length,
    customerTierBuckets: input.customerBuckets.tierBuckets.length,
    storeAlias: 2 * plan.stores,
    dayAlias: 2 * plan.days,
    promotionRate: plan.promotions,
    activePromotionOffsets: input.activePromotionOffsets.length,
    activePromotionIds: Math.max(1, input.activePromotionIds.length),
    inventorySales: 2 * cells,
    productCategory: plan.products,
    ...(Object.fromEntries(Object.entries(input.geo).map(([k, v]) => [k, (v as ArrayLike<number>).length])) as Record<keyof GeoArrays, number>),
    ...(Object.fromEntries(Object.entries(input.traits).map(([k, v]) => [k, (v as ArrayLike<number>).length])) as Record<keyof CustomerTraitArrays, number>),
  };
  const spec = Object.fromEntries(
    (Object.keys(FACT_ARRAY_KINDS) as FactArrayName[]).map((k) => [k, { kind: FACT_ARRAY_KINDS[k], length: lengths[k] }]),
  ) as Record<FactArrayName, { kind: ArenaKind; length: number }>;
  const { layout, bytes } = planArena(spec);
  const buffer = new SharedArrayBuffer(bytes);
  const arrays = arenaViews(buffer, layout) as FactArrays;
  arrays.productPrice.set(input.productPrice);
  arrays.productCategory.set(input.productCategory);
  for (const [k, v] of Object.entries(input.geo)) (arrays[k as keyof GeoArrays] as Int32Array).set(v as Int32Array);
  for (const [k, v] of Object.entries(input.traits)) (arrays[k as keyof CustomerTraitArrays] as Float64Array).set(v as Float64Array);
  AliasTable.build(input.productWeights, arrays.productAlias);
  const { weights, bucketStart, tierBuckets } = input.customerBuckets;
  for (let t = 0; t + 1 < tierBuckets.length; t++) {
    AliasTable.build(weights.subarray(tierBuckets[t], tierBuckets[t + 1]), arrays.customerBucketAlias.subarray(2 * tierBuckets[t], 2 * tierBuckets[t + 1]));
  }
  arrays.customerBucketStart.set(bucketStart);
  arrays.customerTierBuckets.set(tierBuckets);
  AliasTable.build(input.storeWeights, arrays.storeAlias);
  AliasTable.build(input.dayWeights, arrays.dayAlias);
  arrays.promotionRate.set(input.promotionRate);
  arrays.activePromotionOffsets.set(input.activePromotionOffsets);
  arrays.activePromotionIds.set(input.activePromotionIds);
  for (let i = 1; i < arrays.inventorySales.length; i += 2) arrays.inventorySales[i] = NULL_DAY;
  return { buffer, layout, arrays };
}

/**
 * Popularity weights indexed by key − 1: Zipf weight of rank r lands on key (r × step mod n) + 1,
 * a fixed scatter, so the most popular keys are spread over the key range, not 1, 2, 3 …
 * With a head fraction h > 0 the weight of rank r (1-based) is (r + h × n)^−skew (Zipf–Mandelbrot):
 * the head is bounded, and the same share of the keys takes the same share of the draws at any n.
 */
export function scatteredZipfWeights(n: number, skew: number, headFraction = 0): Float64Array {
  const w = new Float64Array(n);
  const step = scatterStep(n);
  const offset = headFraction * n;
  let key = step % n; // rank 0 is not key 1
  for (let rank = 0; rank < n; rank++) {
    w[key] = skew === 0 ? 1 : Math.pow(rank + 1 + offset, -skew);
    key += step;
    if (key >= n) key -= n;
  }
  return w;
}

/**
 * The quantity distribution (over 1..10) of `weights` scaled by `factor`: a base quantity q becomes
 * ⌊q × factor + u⌋ for a uniform u (so the mean scales by the factor), kept in 1..10.
 */
export function scaledQuantityWeights(weights: readonly number[], factor: number): Float64Array {
  const out = new Float64Array(QUANTITY_MAX);
  for (let q = 1; q <= weights.length; q++) {
    const x = q * factor;
    const lo = Math.floor(x);
    const frac = x - lo;
    const at = (v: number): number => Math.min(QUANTITY_MAX, Math.max(1, v)) - 1;
    out[at(lo)] += weights[q - 1] * (1 - frac);
    out[at(lo + 1)] += weights[q - 1] * frac;
  }
  return out;
}

/** The largest quantity of an order line (config allows at most 10 quantity weights). */
export const QUANTITY_MAX = 10;

/** Everything a worker needs to generate facts: the plan, the config-derived small tables, views of the shared arena. */
export class FactContext {
  readonly plan: Plan;
  readonly arrays: FactArrays;
  readonly products: AliasTable;
  readonly traits: CustomerTraits;
  /** The loyalty tier of an order: tier t by its customers × its order factor. */
  readonly orderTiers: AliasTable;
  /** Per loyalty tier: its customers' popularity ranks (traits.tiers.keyOf maps a rank to the key). */
  readonly tierCustomers: ZipfKeySampler[];
  readonly stores: AliasTable;
  readonly days: AliasTable;
  readonly lineCounts: AliasTable;
  /** Quantity tables by 2 × tier + (1 when the line has a promotion): basket factor × promotion lift. */
  readonly quantities: AliasTable[];
  readonly reasons: AliasTable;
  readonly reasonNames: readonly string[];
  /**
   * Return probability of a line of each product (returns.rate × its category's factor, at most
   * 1), as a threshold on a uniform 32-bit draw: the line is returned when its draw is below.
   */
  readonly productReturnThreshold: Float64Array;
  /** The largest of productReturnThreshold: a line whose draw is not below it is never returned, whatever its product. */
  readonly maxReturnThreshold: number;
  readonly promotionRate: number;
  readonly returnWindowDays: number;
  readonly homeStoreShare: number;
  readonly cancelRate: number;
  /** Orders this many days or fewer before the last calendar day are Processing; then Shipped up to shippedAge. */
  readonly processingAge: number;
  readonly shippedAge: number;

  constructor(config: Config, plan: Plan, buffer: SharedArrayBuffer, layout: FactLayout) {
    this.plan = plan;
    this.arrays = arenaViews(buffer, layout) as FactArrays;
    const a = this.arrays;
    this.products = new AliasTable(a.productAlias);
    this.traits = new CustomerTraits(config, plan.customers, a);
    const tierSizes = this.traits.tiers.sizes;
    this.orderTiers = AliasTable.build(LOYALTY_STATUSES.map((t, i) => tierSizes[i] * config.customers.loyalty_order_factors[t]));
    this.tierCustomers = tierPopularitySamplers(tierSizes, a.customerBucketAlias, a.customerBucketStart, a.customerTierBuckets);
    this.stores = new AliasTable(a.storeAlias);
    this.days = new AliasTable(a.dayAlias);
    this.lineCounts = AliasTable.build(config.orders.line_count_weights);
    this.quantities = LOYALTY_STATUSES.flatMap((t) =>
      [1, config.promotions.quantity_lift].map((lift) => AliasTable.build(scaledQuantityWeights(config.orders.quantity_weights, config.customers.loyalty_basket_factors[t] * lift))),
    );
    this.reasonNames = Object.keys(config.returns.reason_weights);
    this.reasons = AliasTable.build(Object.values(config.returns.reason_weights));
    const categoryRate = CATEGORY_NAMES.map((c) => Math.min(1, config.returns.rate * config.returns.category_factors[c]));
    this.productReturnThreshold = Float64Array.from(a.productCategory, (c) => Math.floor(categoryRate[c] * 4294967296));
    this.maxReturnThreshold = this.productReturnThreshold.reduce((m, t) => Math.max(m, t), 0);
    this.productHashBase = hashBase(config.seed, 'order_products');
    this.returnFlagHashBase = hashBase(config.seed, 'return_flags');
    this.promotionRate = config.orders.promotion_rate;
    this.returnWindowDays = config.returns.max_days_after_order;
    this.homeStoreShare = config.orders.home_store_share;
    this.cancelRate = config.orders.cancel_rate;
    this.processingAge = config.orders.processing_days;
    this.shippedAge = config.orders.processing_days + config.orders.shipping_days;
  }

  /**
   * The two per-line draws that the counting pre-pass needs, as keyed hashes of the line's index
   * in its partition rather than stream draws: the pre-pass can skip a line's product (and skip
   * the lines of an order that cannot be returned) without falling out of step with generation.
   */
  lineHashBases(partition: number): { product: number; returnFlag: number } {
    return { product: keyHash(this.productHashBase, partition), returnFlag: keyHash(this.returnFlagHashBase, partition) };
  }
  private readonly productHashBase: number;
  private readonly returnFlagHashBase: number;

  /**
   * Status of an order `dayIndex` days into the calendar (before returns): by its age at the last
   * calendar day, Processing, then Shipped, then Cancelled (when `cancelDraw` < cancel_rate) or Completed.
   */
  statusOf(dayIndex: number, cancelDraw: number): number {
    const age = this.plan.days - 1 - dayIndex;
    if (age < this.processingAge) return STATUS_PROCESSING;
    if (age < this.shippedAge) return STATUS_SHIPPED;
    return cancelDraw < this.cancelRate ? STATUS_CANCELLED : STATUS_COMPLETED;
  }

  /** The customer geography over the arena (city names decoded once). */
  customerGeography(): CustomerGeography {
    this.geography ??= { arrays: this.arrays, cityNames: new CityNames(this.arrays), stateNames: GEO_STATES, traits: this.traits };
    return this.geography;
  }
  private geography: CustomerGeography | null = null;
}

// ---- the counting pre-pass ---------------------------------------------------------------------

export interface PartitionCounts {
  lines: number;
  returns: number;
}

/**
 * Line and return counts of a partition, drawn exactly as generateOrderPartition draws them, at a
 * fraction of the cost: per order its shape (fillOrderShapes: line count, day and drawn status,
 * so whether it can be returned), per line of a returnable order its return draw and, when that
 * is below the highest return threshold, its product (its return rate). Prefix sums of these
 * give every partition its first transaction and return key.
 */
export function countOrderPartition(ctx: FactContext, partition: number): PartitionCounts {
  const { count } = orderRange(ctx.plan, partition);
  const shapeStream = deriveStream(ctx.plan.seed, 'order_shapes', partition);
  const bases = ctx.lineHashBases(partition);
  shapeScratch ??= {
    orderId: new Int32Array(ORDERS_PER_BATCH),
    lineCount: new Int32Array(ORDERS_PER_BATCH),
    orderDate: new Int32Array(ORDERS_PER_BATCH),
    status: new Uint8Array(ORDERS_PER_BATCH),
  };
  const shapes = shapeScratch;
  const counts: PartitionCounts = { lines: 0, returns: 0 };
  for (let batchStart = 0; batchStart < count; batchStart += ORDERS_PER_BATCH) {
    const batchOrders = Math.min(ORDERS_PER_BATCH, count - batchStart);
    fillOrderShapes(ctx, shapeStream, shapes, batchStart + 1, batchOrders);
    countBatchReturns(ctx, bases.product, bases.returnFlag, shapes, batchOrders, counts);
  }
  return counts;
}

/** The pre-pass's batch of order shapes, reused call after call (the pre-pass is synchronous). */
let shapeScratch: OrderShapeColumns | null = null;

/** Adds a batch's lines and returns (its shapes filled) to `counts`; counts.lines is the partition's lines before the batch. */
function countBatchReturns(ctx: FactContext, productBase: number, returnBase: number, shapes: OrderShapeColumns, batchOrders: number, counts: PartitionCounts): void {
  const threshold = ctx.productReturnThreshold;
  const maxThreshold = ctx.maxReturnThreshold;
  const products = ctx.products;
  let lines = counts.lines;
  let returns = counts.returns;
  for (let o = 0; o < batchOrders; o++) {
    const n = shapes.lineCount[o];
    if (shapes.status[o] === STATUS_COMPLETED) {
      for (let line = lines; line < lines + n; line++) {
        const returnDraw = keyHash(returnBase, line) >>> 0;
        if (returnDraw < maxThreshold && returnDraw < threshold[products.pickWith(keyHash(productBase, line))]) returns++;
      }
    }
    lines += n;
  }
  counts.lines = lines;
  counts.returns = returns;
}

// ---- inventory deltas ----------------------------------------------------------------------------

/** Per-partition sales per (store, product): Σ quantity and the last sale day, as sparse arrays. */
export interface InventoryDeltas {
  cells: Int32Array;
  sold: Int32Array;
  lastSale: Int32Array;
}

/**
 * The inventory cell of (store, product), 0-based indices. Product-major: the stores of a popular
 * product are neighbours, so the skewed sales stream touches few cache lines.
 */
export function inventoryCell(plan: Pick<Plan, 'stores'>, storeIndex: number, productIndex: number): number {
  return productIndex * plan.stores + storeIndex;
}

/** Sale quantities take 4 bits of a packed log entry (at most QUANTITY_MAX = 10 units per line). */
const QUANTITY_BITS = 4;

/**
 * Collects a partition's sales and reduces them to sparse per-cell deltas. Sales are appended to
 * a log in generation order (sequential writes) as (cell, day and quantity), then sorted by cell
 * with a two-pass LSD radix sort — by the low half of the cell's bits, then by the high half, each
 * a stable counting pass over at most 2^16 counters that moves the two values themselves — and
 * reduced run by run in one sequential scan. A dense per-cell array would take a cache miss per
 * order line at large scale (4 MB at SF 10, 40 MB at SF 100).
 */
export class InventoryAccumulator {
  private readonly plan: Pick<Plan, 'stores'>;
  private readonly firstDay: number;
  /** inventoryCell of each sale */
  private cell: Int32Array = new Int32Array(4096);
  /** (day − first calendar day) << QUANTITY_BITS | quantity */
  private packed: Int32Array = new Int32Array(4096);
  private count = 0;
  /** Scratch as long as the log: the first sorting pass's output, then the reduction's runs (cell, Σ sold, last day offset). */
  private sortedCell: Int32Array = new Int32Array(0);
  private sortedPacked: Int32Array = new Int32Array(0);
  private runLast: Int32Array = new Int32Array(0);
  /** The radix digits: the low `lowBits` bits of a cell, then the rest. */
  private readonly lowBits: number;
  private readonly lowCounts: Int32Array;
  private readonly highCounts: Int32Array;

  constructor(plan: Pick<Plan, 'stores' | 'products' | 'firstDay'>) {
    this.plan = plan;
    this.firstDay = plan.firstDay;
    const cellCount = plan.stores * plan.products;
    if (cellCount > 2 ** 31) throw new Error(`${cellCount} inventory cells do not fit 31-bit cell indices`);
    const bits = Math.max(1, Math.ceil(Math.log2(cellCount)));
    this.lowBits = Math.ceil(bits / 2);
    this.lowCounts = new Int32Array((1 << this.lowBits) + 1);
    this.highCounts = new Int32Array((1 << (bits - this.lowBits)) + 1);
  }

  add(storeIndex: number, productIndex: number, quantity: number, day: number): void {
    if (this.count === this.cell.length) this.grow();
    const i = this.count++;
    this.cell[i] = inventoryCell(this.plan, storeIndex, productIndex);
    this.packed[i] = ((day - this.firstDay) << QUANTITY_BITS) | quantity;
  }

  private grow(): void {
    const n = this.cell.length * 2;
    const grown = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.cell = grown(this.cell);
    this.packed = grown(this.packed);
  }

  /**
   * A buffer the deltas of a later partition may be written into (one of an earlier partition's,
   * handed back once merged and recorded). A fresh buffer takes a page fault per 4 KB page on its
   * first write (about 10 µs each on a VM: ~1.4 MB, 350 pages, a partition at SF 100); a reused one none.
   */
  offerBuffer(buffer: ArrayBuffer): void {
    if (this.spare === null || buffer.byteLength > this.spare.byteLength) this.spare = buffer;
  }
  private spare: ArrayBuffer | null = null;

  /** A buffer for the three arrays of `runs` deltas: the offered one when it is large enough, else a new one with room to spare. */
  private outputBuffer(runs: number): ArrayBuffer {
    const bytes = 12 * runs;
    const spare = this.spare;
    if (spare !== null && spare.byteLength >= bytes) {
      this.spare = null;
      return spare;
    }
    return new ArrayBuffer(12 * Math.ceil(runs * 1.25)); // a neighbour partition's deltas fit it too
  }

  /** The partition's deltas, sorted by cell; the log is emptied. Its arrays are views of one buffer (cells.buffer). */
  take(): InventoryDeltas {
    const n = this.count;
    if (this.sortedCell.length < n) {
      this.sortedCell = new Int32Array(this.cell.length);
      this.sortedPacked = new Int32Array(this.cell.length);
      this.runLast = new Int32Array(this.cell.length);
    }
    // Stable by the low digit (log -> scratch), then stable by the high digit (scratch -> log):
    // sorted by cell. The scratch arrays are reused partition after partition.
    const lowMask = (1 << this.lowBits) - 1;
    radixPass(n, this.cell, this.packed, this.sortedCell, this.sortedPacked, 0, lowMask, this.lowCounts);
    radixPass(n, this.sortedCell, this.sortedPacked, this.cell, this.packed, this.lowBits, this.highCounts.length - 2, this.highCounts);
    // Reduced run by run into the scratch arrays (free again once sorted), then copied out in one
    // allocation: the three arrays are views of one buffer, which the worker transfers.
    const cell = this.cell;
    const packed = this.packed;
    const runCell = this.sortedCell;
    const runSold = this.sortedPacked;
    const runLast = this.runLast;
    const quantityMask = (1 << QUANTITY_BITS) - 1;
    let r = -1;
    let previous = -1;
    for (let k = 0; k < n; k++) {
      const c = cell[k];
      const p = packed[k];
      const dayOffset = p >>> QUANTITY_BITS;
      if (c !== previous) {
        r++;
        runCell[r] = c;
        runSold[r] = p & quantityMask;
        runLast[r] = dayOffset;
        previous = c;
      } else {
        runSold[r] += p & quantityMask;
        if (dayOffset > runLast[r]) runLast[r] = dayOffset;
      }
    }
    const runs = r + 1;
    const out = this.outputBuffer(runs);
    const cells = new Int32Array(out, 0, runs);
    const sold = new Int32Array(out, 4 * runs, runs);
    const lastSale = new Int32Array(out, 8 * runs, runs);
    cells.set(runCell.subarray(0, runs));
    sold.set(runSold.subarray(0, runs));
    for (let k = 0; k < runs; k++) lastSale[k] = this.firstDay + runLast[k];
    this.count = 0;
    return { cells, sold, lastSale };
  }
}

/**
 * One stable counting-sort pass over the first n entries: moves (key, value) into (toKey, toValue)
 * by the digit (key >>> shift) & mask; `counts` is scratch of length mask + 2.
 */
function radixPass(n: number, key: Int32Array, value: Int32Array, toKey: Int32Array, toValue: Int32Array, shift: number, mask: number, counts: Int32Array): void {
  counts.fill(0);
  for (let k = 0; k < n; k++) counts[((key[k] >>> shift) & mask) + 1]++;
  for (let v = 1; v < counts.length; v++) counts[v] += counts[v - 1];
  for (let k = 0; k < n; k++) {
    const at = counts[(key[k] >>> shift) & mask]++;
    toKey[at] = key[k];
    toValue[at] = value[k];
  }
}

/**
 * Adds partitions' deltas into the merged arrays: sums and maxima, so any merge order (and any
 * grouping into calls) gives the same result. Several partitions at once are merged tile by
 * tile — every partition's cells in one stretch of MERGE_TILE_CELLS cells, then the next — so
 * the stretch stays in cache while all of them add to it: one pass over the merged arrays (40 MB
 * at SF 100) per call, not one per partition, whose cells miss the cache one by one.
 */
export function mergeInventoryDeltas(arrays: Pick<FactArrays, 'inventorySales'>, deltas: InventoryDeltas | readonly InventoryDeltas[]): void {
  const list = Array.isArray(deltas) ? (deltas as readonly InventoryDeltas[]) : [deltas as InventoryDeltas];
  const sales = arrays.inventorySales;
  const next = new Int32Array(list.length);
  const cellCount = sales.length / 2;
  for (let tileStart = 0; tileStart < cellCount; tileStart += MERGE_TILE_CELLS) {
    const tileEnd = Math.min(tileStart + MERGE_TILE_CELLS, cellCount);
    for (let j = 0; j < list.length; j++) {
      const { cells, sold, lastSale } = list[j];
      let k = next[j];
      for (; k < cells.length && cells[k] < tileEnd; k++) {
        const i = 2 * cells[k];
        sales[i] += sold[k];
        if (lastSale[k] > sales[i + 1]) sales[i + 1] = lastSale[k];
      }
      next[j] = k;
    }
  }
  for (let j = 0; j < list.length; j++) {
    if (next[j] !== list[j].cells.length) throw new Error(`inventory deltas: cell ${list[j].cells[next[j]]} is outside the ${cellCount} cells, or the cells are not sorted`);
  }
}

/** Cells per merge tile: 2 × 4 bytes each, 512 KB a tile (in L2). */
const MERGE_TILE_CELLS = 1 << 16;

// ---- the order partition -------------------------------------------------------------------------

/** The tables one order partition produces, in the order their batches are emitted. */
export const ORDER_PARTITION_TABLES = ['raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'returns'] as const satisfies readonly TableName[];
export type OrderPartitionTable = (typeof ORDER_PARTITION_TABLES)[number];

/** Receives each batch; it must consume the batch before returning (the arrays are reused). */
export type BatchConsumer<T extends string> = (table: T, batch: ColumnBatch) => void;

export interface PartitionKeys {
  /** 0-based index of the partition's first transaction and first return across the whole run. */
  firstTransaction: number;
  firstReturn: number;
}

/** Orders generated per batch: large enough to amortise the consumer call, small enough to stay in cache. */
export const ORDERS_PER_BATCH = 2048;
const LINES_MAX = 5; // config allows at most 5 lines per order

class OrderBatchColumns {
  readonly orderId = new Int32Array(ORDERS_PER_BATCH);
  readonly customerId = new Int32Array(ORDERS_PER_BATCH);
  readonly storeId = new Int32Array(ORDERS_PER_BATCH);
  readonly orderDate = new Int32Array(ORDERS_PER_BATCH);
  readonly lineCount = new Int32Array(ORDERS_PER_BATCH);
  readonly totalQuantity = new Int32Array(ORDERS_PER_BATCH);
  readonly gross = new Float64Array(ORDERS_PER_BATCH);
  readonly discount = new Float64Array(ORDERS_PER_BATCH);
  readonly total = new Float64Array(ORDERS_PER_BATCH);
  readonly status = new Uint8Array(ORDERS_PER_BATCH);
  /** Loyalty tier of each order's customer (not written: it picks the quantity table). */
  readonly tier = new Uint8Array(ORDERS_PER_BATCH);
  readonly txId = new Float64Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly txOrderId = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly txLine = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly txProduct = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly txPromotion = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly txQuantity = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly txUnitPrice = new Float64Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly txDiscount = new Float64Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly txTotal = new Float64Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtId = new Float64Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtOrderId = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtTxId = new Float64Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtProduct = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtStore = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtDate = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtQuantity = new Int32Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtRefund = new Float64Array(ORDERS_PER_BATCH * LINES_MAX);
  readonly rtReason = new Array<string>(ORDERS_PER_BATCH * LINES_MAX);
}

export interface OrderPartitionResult {
  rows: Record<OrderPartitionTable, number>;
  inventory: InventoryDeltas;
}

/**
 * Generates one partition of orders and everything that hangs off them, emitting column batches
 * table by table (raw_orders, transactions_raw, order_aggregates, orders, returns) every
 * ORDERS_PER_BATCH orders. Keys: order_id = range.first + i + 1; transaction and return keys
 * continue from `keys` (the prefix sums of countOrderPartition), so all three are dense.
 */
export function generateOrderPartition(
  ctx: FactContext,
  partition: number,
  keys: PartitionKeys,
  emit: BatchConsumer<OrderPartitionTable>,
  inventory: InventoryAccumulator,
  columns: OrderBatchColumns = new OrderBatchColumns(),
): OrderPartitionResult {
  const plan = ctx.plan;
  const range = orderRange(plan, partition);
  const bases = ctx.lineHashBases(partition);
  const cursor: OrderCursor = {
    orderStream: deriveStream(plan.seed, 'orders', partition),
    shapeStream: deriveStream(plan.seed, 'order_shapes', partition),
    productBase: bases.product,
    returnFlagBase: bases.returnFlag,
    linesBefore: 0,
    lineStream: deriveStream(plan.seed, 'order_lines', partition),
    returnStream: deriveStream(plan.seed, 'returns', partition),
    nextTx: keys.firstTransaction + 1,
    nextReturn: keys.firstReturn + 1,
    lines: 0,
    returns: 0,
  };
  const c = columns;
  const rows: Record<OrderPartitionTable, number> = { raw_orders: 0, transactions_raw: 0, order_aggregates: 0, orders: 0, returns: 0 };
  for (let batchStart = 0; batchStart < range.count; batchStart += ORDERS_PER_BATCH) {
    const batchOrders = Math.min(ORDERS_PER_BATCH, range.count - batchStart);
    fillOrderBatch(ctx, cursor, c, inventory, range.first + batchStart + 1, batchOrders);
    const nLines = cursor.lines;
    const nReturns = cursor.returns;
    emit('raw_orders', { rowCount: batchOrders, columns: [c.orderId, c.customerId, c.storeId, c.orderDate] });
    emit('transactions_raw', {
      rowCount: nLines,
      columns: [c.txId, c.txOrderId, c.txLine, c.txProduct, c.txPromotion, c.txQuantity, c.txUnitPrice, c.txDiscount, c.txTotal],
    });
    emit('order_aggregates', { rowCount: batchOrders, columns: [c.orderId, c.lineCount, c.totalQuantity, c.gross, c.discount, c.total] });
    emit('orders', {
      rowCount: batchOrders,
      columns: [c.orderId, c.customerId, c.storeId, c.orderDate, c.lineCount, c.totalQuantity, c.total, c.status],
    });
    emit('returns', {
      rowCount: nReturns,
      columns: [c.rtId, c.rtOrderId, c.rtTxId, c.rtProduct, c.rtStore, c.rtDate, c.rtQuantity, c.rtRefund, c.rtReason],
    });
    rows.raw_orders += batchOrders;
    rows.transactions_raw += nLines;
    rows.order_aggregates += batchOrders;
    rows.orders += batchOrders;
    rows.returns += nReturns;
  }
  return { rows, inventory: inventory.take() };
}

/** A partition's random streams and next keys, carried from batch to batch. */
interface OrderCursor {
  readonly orderStream: Stream;
  /** Per order: line count, day, cancel draw (what the counting pre-pass needs). */
  readonly shapeStream: Stream;
  /**
   * Per line, its product and return draw (what the pre-pass needs): keyed hashes (lineHashBases)
   * of the line's index in the partition, linesBefore + its index in the batch.
   */
  readonly productBase: number;
  readonly returnFlagBase: number;
  linesBefore: number;
  readonly lineStream: Stream;
  readonly returnStream: Stream;
  nextTx: number;
  nextReturn: number;
  /** Lines and returns of the batch just filled. */
  lines: number;
  returns: number;
}

/**
 * Fills one batch of orders (ids firstOrderId..) with their lines and returns, in passes that each
 * draw from one source: the orders' shapes (shape stream), their customers and stores (order
 * stream), the lines' products and return draws (keyed hashes), the lines' promotions, quantities
 * and money (line stream), the returns (return stream), then the sales inventory counts. Each
 * source is drawn in the same order as one pass over the orders would draw it, so splitting
 * changes no value. The shapes pass is the pre-pass's too (countOrderPartition), so the two cannot
 * draw differently. Each pass is a function of its own, called once per batch: each spends V8's
 * per-function inlining budget on its own few helpers (the alias picks, the generator's next()).
 */
function fillOrderBatch(ctx: FactContext, cursor: OrderCursor, c: OrderBatchColumns, inventory: InventoryAccumulator, firstOrderId: number, batchOrders: number): void {
  fillOrderShapes(ctx, cursor.shapeStream, c, firstOrderId, batchOrders);
  fillOrderCustomers(ctx, cursor.orderStream, c, batchOrders);
  const nLines = fillLineProducts(ctx, cursor, c, batchOrders);
  fillLineSales(ctx, cursor, c, batchOrders);
  const nReturns = fillReturns(ctx, cursor, c, batchOrders);
  recordSales(inventory, c, batchOrders);
  cursor.lines = nLines;
  cursor.linesBefore += nLines;
  cursor.returns = nReturns;
}

/** The columns the shape stream fills: what the counting pre-pass draws too. */
interface OrderShapeColumns {
  orderId: Int32Array;
  lineCount: Int32Array;
  orderDate: Int32Array;
  status: Uint8Array;
}

/**
 * Per order: its id, line count, day and drawn status (before returns), from the shape stream. The
 * counting pre-pass calls it too, so both draw the same shapes.
 */
function fillOrderShapes(ctx: FactContext, shapeStream: Stream, c: OrderShapeColumns, firstOrderId: number, batchOrders: number): void {
  const { lineCounts, days } = ctx;
  const firstDay = ctx.plan.firstDay;
  for (let o = 0; o < batchOrders; o++) {
    c.orderId[o] = firstOrderId + o;
    c.lineCount[o] = lineCounts.pick(shapeStream) + 1;
    const dayIndex = days.pick(shapeStream);
    c.orderDate[o] = firstDay + dayIndex;
    c.status[o] = ctx.statusOf(dayIndex, unit(shapeStream));
  }
}

/**
 * Per order: its loyalty tier (by the tier's customers × order factor), then one of the tier's
 * customers by popularity, then the store: the customer's home store, or any store by its traffic.
 */
function fillOrderCustomers(ctx: FactContext, orderStream: Stream, c: OrderBatchColumns, batchOrders: number): void {
  const { traits, orderTiers, tierCustomers, stores } = ctx;
  const tiers = traits.tiers;
  const homeShare = ctx.homeStoreShare;
  for (let o = 0; o < batchOrders; o++) {
    const tier = orderTiers.pick(orderStream);
    const customerId = tiers.keyOf(tier, tierCustomers[tier].pickRank(orderStream));
    c.tier[o] = tier;
    c.customerId[o] = customerId;
    c.storeId[o] = (unit(orderStream) < homeShare ? traits.homeStore(customerId) : stores.pick(orderStream)) + 1;
  }
}

/**
 * Per line of the batch: its order id and line number, and its product (a keyed hash of its index
 * in the partition, as the pre-pass draws it). Returns the batch's lines.
 */
function fillLineProducts(ctx: FactContext, cursor: OrderCursor, c: OrderBatchColumns, batchOrders: number): number {
  const { productBase, linesBefore } = cursor;
  const products = ctx.products;
  let n = 0;
  for (let o = 0; o < batchOrders; o++) {
    const orderId = c.orderId[o];
    const lineCount = c.lineCount[o];
    for (let l = 1; l <= lineCount; l++) {
      const lineInPartition = linesBefore + n;
      c.txOrderId[n] = orderId;
      c.txLine[n] = l;
      c.txProduct[n] = products.pickWith(keyHash(productBase, lineInPartition)) + 1;
      n++;
    }
  }
  return n;
}

/**
 * Per line (the line stream): its id, promotion (only one active on the order's day), quantity (the
 * tier's basket, lifted by a promotion) and money; per order its totals.
 */
function fillLineSales(ctx: FactContext, cursor: OrderCursor, c: OrderBatchColumns, batchOrders: number): void {
  const lineStream = cursor.lineStream;
  const { productPrice, promotionRate, activePromotionOffsets, activePromotionIds } = ctx.arrays;
  const quantities = ctx.quantities;
  const firstDay = ctx.plan.firstDay;
  const promoShare = ctx.promotionRate;
  let nextTx = cursor.nextTx;
  let n = 0;
  for (let o = 0; o < batchOrders; o++) {
    const lineCount = c.lineCount[o];
    const tier = c.tier[o];
    const dayIndex = c.orderDate[o] - firstDay;
    const promoFrom = activePromotionOffsets[dayIndex];
    const promoCount = activePromotionOffsets[dayIndex + 1] - promoFrom;
    let quantitySum = 0;
    let grossSum = 0;
    let discountSum = 0;
    for (let l = 0; l < lineCount; l++, n++) {
      const price = productPrice[c.txProduct[n] - 1];
      let promotionId = NULL_KEY;
      let promoted = 0;
      if (unit(lineStream) < promoShare && promoCount > 0) {
        promotionId = activePromotionIds[promoFrom + below(lineStream, promoCount)];
        promoted = 1;
      }
      const quantity = quantities[2 * tier + promoted].pick(lineStream) + 1;
      const gross = quantity * price;
      // Round half up: discount = round(gross × rate / 100), rate in hundredths.
      const discount = promoted === 1 ? Math.floor((gross * promotionRate[promotionId - 1] + 50) / 100) : 0;
      c.txId[n] = nextTx++;
      c.txPromotion[n] = promotionId;
      c.txQuantity[n] = quantity;
      c.txUnitPrice[n] = price;
      c.txDiscount[n] = discount;
      c.txTotal[n] = gross - discount;
      quantitySum += quantity;
      grossSum += gross;
      discountSum += discount;
    }
    c.totalQuantity[o] = quantitySum;
    c.gross[o] = grossSum;
    c.discount[o] = discountSum;
    c.total[o] = grossSum - discountSum;
  }
  cursor.nextTx = nextTx;
}

/**
 * The returns (the return stream): a line of a Completed order is returned when its return draw (a
 * keyed hash of its index in the partition, as the pre-pass draws it) is below its product's return
 * threshold; its order becomes Returned. The return date lies within the window after the order and
 * within the calendar. Returns the batch's returns.
 */
function fillReturns(ctx: FactContext, cursor: OrderCursor, c: OrderBatchColumns, batchOrders: number): number {
  const { returnStream, returnFlagBase, linesBefore } = cursor;
  const { productReturnThreshold, reasons, reasonNames } = ctx;
  const lastDay = ctx.plan.firstDay + ctx.plan.days - 1;
  const window = ctx.returnWindowDays;
  let nextReturn = cursor.nextReturn;
  let nReturns = 0;
  let n = 0;
  for (let o = 0; o < batchOrders; o++) {
    const lineCount = c.lineCount[o];
    if (c.status[o] !== STATUS_COMPLETED) {
      n += lineCount;
      continue;
    }
    const day = c.orderDate[o];
    const returnLastDay = Math.min(lastDay, day + window);
    let returned = false;
    for (let end = n + lineCount; n < end; n++) {
      const productIndex = c.txProduct[n] - 1;
      if (keyHash(returnFlagBase, linesBefore + n) >>> 0 >= productReturnThreshold[productIndex]) continue;
      returned = true;
      const quantity = c.txQuantity[n];
      const quantityReturned = 1 + below(returnStream, quantity);
      c.rtId[nReturns] = nextReturn++;
      c.rtOrderId[nReturns] = c.orderId[o];
      c.rtTxId[nReturns] = c.txId[n];
      c.rtProduct[nReturns] = productIndex + 1;
      c.rtStore[nReturns] = c.storeId[o];
      c.rtDate[nReturns] = day + below(returnStream, returnLastDay - day + 1);
      c.rtQuantity[nReturns] = quantityReturned;
      c.rtRefund[nReturns] = Math.floor((c.txTotal[n] * quantityReturned) / quantity);
      c.rtReason[nReturns] = reasonNames[reasons.pick(returnStream)];
      nReturns++;
    }
    if (returned) c.status[o] = STATUS_RETURNED;
  }
  cursor.nextReturn = nextReturn;
  return nReturns;
}

/** The sales of the batch's orders that were not cancelled, per line: (store, product, quantity, day). */
function recordSales(inventory: InventoryAccumulator, c: OrderBatchColumns, batchOrders: number): void {
  let n = 0;
  for (let o = 0; o < batchOrders; o++) {
    const lineCount = c.lineCount[o];
    if (c.status[o] === STATUS_CANCELLED) {
      n += lineCount;
      continue;
    }
    const storeIndex = c.storeId[o] - 1;
    const day = c.orderDate[o];
    for (let end = n + lineCount; n < end; n++) inventory.add(storeIndex, c.txProduct[n] - 1, c.txQuantity[n], day);
  }
}

export { OrderBatchColumns };

// ---- inventory rows ------------------------------------------------------------------------------

export interface InventoryRules {
  openingMin: number;
  openingMax: number;
  restockBatch: number;
}

export function inventoryRules(config: Config): InventoryRules {
  return {
    openingMin: config.inventory.opening_stock_min,
    openingMax: config.inventory.opening_stock_max,
    restockBatch: config.inventory.restock_batch,
  };
}

/**
 * Inventory rows of the stores [firstStore, firstStore + storeCount), one batch per store, products
 * in key order. Every column is a function of commutative aggregates (Σ sold, last sale day) and of
 * the store's own stream: opening stock is drawn per (store, product); when sales exceed it, whole
 * restock batches arrive, enough to keep closing stock ≥ 0, dated at the last sale.
 */
export function generateInventoryRows(
  plan: Plan,
  rules: InventoryRules,
  arrays: Pick<FactArrays, 'inventorySales'>,
  firstStore: number,
  storeCount: number,
  emit: (batch: ColumnBatch) => void,
): number {
  const n = plan.products;
  const storeId = new Int32Array(n);
  const productId = new Int32Array(n);
  const opening = new Int32Array(n);
  const sold = new Int32Array(n);
  const received = new Int32Array(n);
  const closing = new Int32Array(n);
  const lastRestock = new Int32Array(n);
  for (let p = 0; p < n; p++) productId[p] = p + 1;
  const span = rules.openingMax - rules.openingMin + 1;
  for (let s = firstStore; s < firstStore + storeCount; s++) {
    const stream = deriveStream(plan.seed, 'inventory', s);
    storeId.fill(s + 1);
    for (let p = 0; p < n; p++) {
      const cell = inventoryCell(plan, s, p);
      const open = rules.openingMin + below(stream, span);
      const units = arrays.inventorySales[2 * cell];
      const shortfall = units - open;
      const restock = shortfall > 0 ? Math.ceil(shortfall / rules.restockBatch) * rules.restockBatch : 0;
      opening[p] = open;
      sold[p] = units;
      received[p] = restock;
      closing[p] = open - units + restock;
      lastRestock[p] = restock > 0 ? arrays.inventorySales[2 * cell + 1] : NULL_DAY;
    }
    emit({ rowCount: n, columns: [storeId, productId, opening, sold, received, closing, lastRestock] });
  }
  return storeCount * n;
}
