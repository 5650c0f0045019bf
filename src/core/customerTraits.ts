// What is known of a customer from its key alone: its loyalty tier, its home store and its ZIP
// code (so its city and state). All are pure functions of the key, not stream draws, so the
// customers table and the orders of that customer, generated on different workers, agree.
//
// Loyalty tiers split the customers by loyalty_weights into blocks of popularity ranks: block t
// holds tier t's ranks 0 .. n_t − 1, each tier has its own Zipf popularity over them, and a fixed
// affine scatter (the ZipfKeySampler's) maps the block index to the customer key. An order draws
// the tier first, by n_t × its order factor, then a customer of the tier by popularity: one draw
// each, where thinning the drawn customers by their tier's factor took two customers per order.
//
// The home store is drawn first, by the population each store serves (the ZIPs whose nearest
// store in their census region it is), then the ZIP among the store's ZIPs by population: the
// same joint distribution as drawing the ZIP by population, but an order needs only the small
// per-store table (stores × 16 bytes, in L1) instead of the 42,000-ZIP one.
import type { Config } from '../config/config.js';
import { GEO_STATES, type CityNames, type GeoArrays } from './geography.js';
import { AliasTable, ZipfKeySampler, hashBase, keyHash, modExact, modInverse, mulMod, scatterStep } from './random.js';
import { LOYALTY_STATUSES } from './tables.js';

/** The arena arrays the traits read (FACT_ARRAY_KINDS). */
export interface CustomerTraitArrays {
  /** Alias table (AliasTable.entries) of the stores by the population they serve. */
  homeStoreAlias: Float64Array;
  /** The ZIPs (geography indexes) served by store s: homeZipIndex[homeZipOffsets[s] .. homeZipOffsets[s + 1]). */
  homeZipOffsets: Int32Array;
  homeZipIndex: Int32Array;
  /** Alias entries of each store's ZIPs by population, at 2 × the same offsets. */
  homeZipAlias: Float64Array;
}

const TWO_POW_32 = 4294967296;

/**
 * The customers of each loyalty tier (LOYALTY_STATUSES order): `customers` split by the weights
 * with the largest-remainder method (ties to the earlier tier), so the shares are exact to one
 * customer. If that leaves no customer in any tier that orders (order factor > 0), one moves from
 * the largest tier to the heaviest tier that orders, so that someone can.
 */
export function loyaltyTierSizes(config: Config, customers: number): number[] {
  const weights = LOYALTY_STATUSES.map((t) => config.customers.loyalty_weights[t]);
  const factors = LOYALTY_STATUSES.map((t) => config.customers.loyalty_order_factors[t]);
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (customers * w) / total);
  const sizes = exact.map(Math.floor);
  const byRemainder = exact.map((x, t) => ({ t, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.t - b.t);
  for (let left = customers - sizes.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++) sizes[byRemainder[k].t]++;
  if (!sizes.some((n, t) => n > 0 && factors[t] > 0)) {
    const largest = sizes.indexOf(Math.max(...sizes));
    const orders = weights.map((w, t) => (factors[t] > 0 ? w : -1));
    sizes[largest]--;
    sizes[orders.indexOf(Math.max(...orders))]++;
  }
  return sizes;
}

/** The tier blocks of the customer keys: a customer's tier from its key, and the key of a tier's popularity rank. */
export class LoyaltyTiers {
  readonly customers: number;
  /** Customers of each tier (loyaltyTierSizes). */
  readonly sizes: readonly number[];
  /** First block index of each tier, plus the end (customers). */
  readonly offsets: Int32Array;
  private readonly step: number;
  private readonly inverse: number;

  constructor(config: Config, customers: number) {
    this.customers = customers;
    const sizes = loyaltyTierSizes(config, customers);
    this.sizes = sizes;
    this.offsets = new Int32Array(sizes.length + 1);
    for (let t = 0; t < sizes.length; t++) this.offsets[t + 1] = this.offsets[t] + sizes[t];
    this.step = scatterStep(customers);
    this.inverse = modInverse(this.step, customers);
  }

  /** The customer key (1-based) of rank `rank` of tier `tier`. */
  keyOf(tier: number, rank: number): number {
    return modExact((this.offsets[tier] + rank) * this.step, this.customers) + 1; // < 2^51: step < 2^20
  }

  /** The tier (index into LOYALTY_STATUSES) of customer `key`. */
  tierOf(key: number): number {
    const block = mulMod(key - 1, this.inverse, this.customers);
    let t = 0;
    while (block >= this.offsets[t + 1]) t++;
    return t;
  }
}

/**
 * The customers' popularity by tier, for the shared arena: each tier's ZipfKeySampler.plan over its
 * own ranks, concatenated (`tierBuckets` holds each tier's first bucket, plus the end). A tier
 * without customers gets a one-rank plan that is never drawn (its order weight is 0).
 */
export function tierPopularityPlan(config: Config, customers: number): { weights: Float64Array; bucketStart: Float64Array; tierBuckets: Int32Array } {
  const plans = loyaltyTierSizes(config, customers).map((n) => ZipfKeySampler.plan(Math.max(1, n), config.customers.popularity_skew));
  const tierBuckets = new Int32Array(plans.length + 1);
  plans.forEach((p, t) => (tierBuckets[t + 1] = tierBuckets[t] + p.weights.length));
  const weights = new Float64Array(tierBuckets[plans.length]);
  const bucketStart = new Float64Array(tierBuckets[plans.length] + plans.length);
  plans.forEach((p, t) => {
    weights.set(p.weights, tierBuckets[t]);
    bucketStart.set(p.bucketStart, tierBuckets[t] + t);
  });
  return { weights, bucketStart, tierBuckets };
}

/** Each tier's popularity sampler (tiers of these sizes) over views of the arena arrays tierPopularityPlan filled (alias tables built). */
export function tierPopularitySamplers(sizes: readonly number[], bucketAlias: Float64Array, bucketStart: Float64Array, tierBuckets: Int32Array): ZipfKeySampler[] {
  return sizes.map((n, t) => {
    const from = tierBuckets[t];
    const to = tierBuckets[t + 1];
    return new ZipfKeySampler(Math.max(1, n), bucketAlias.subarray(2 * from, 2 * to), bucketStart.subarray(from + t, to + t + 1));
  });
}

export class CustomerTraits {
  readonly tiers: LoyaltyTiers;
  private readonly homeStores: AliasTable;
  private readonly arrays: CustomerTraitArrays;
  private readonly storeBase: number;
  private readonly zipBase: number;

  constructor(config: Config, customers: number, arrays: CustomerTraitArrays) {
    this.tiers = new LoyaltyTiers(config, customers);
    this.homeStores = new AliasTable(arrays.homeStoreAlias);
    this.arrays = arrays;
    this.storeBase = hashBase(config.seed, 'customer_home_store');
    this.zipBase = hashBase(config.seed, 'customer_zip');
  }

  /** Loyalty tier of customer `key`, an index into LOYALTY_STATUSES. */
  tier(key: number): number {
    return this.tiers.tierOf(key);
  }

  /** Home store (0-based) of customer `key`: the nearest store in its census region to its ZIP. */
  homeStore(key: number): number {
    return this.homeStores.pickWith(keyHash(this.storeBase, key));
  }

  /** Index (into the geography's ZIP arrays) of the ZIP code of customer `key`. */
  zip(key: number): number {
    const { homeZipOffsets, homeZipIndex, homeZipAlias } = this.arrays;
    const s = this.homeStore(key);
    const from = homeZipOffsets[s];
    const size = homeZipOffsets[s + 1] - from;
    const scaled = (keyHash(this.zipBase, key) >>> 0) * size; // an alias pick over the store's slice
    const bucket = Math.floor(scaled / TWO_POW_32);
    const at = 2 * (from + bucket);
    const local = scaled - bucket * TWO_POW_32 < homeZipAlias[at] ? bucket : homeZipAlias[at + 1];
    return homeZipIndex[from + local];
  }
}

/**
 * The per-store tables of CustomerTraitArrays from each ZIP's home store (homeStoresOfZips) and
 * population weight. A store that serves no ZIP gets weight 0 (no customer calls it home).
 */
export function buildCustomerTraitArrays(stores: number, homeStoreOfZip: Int32Array, zipWeight: Float64Array): CustomerTraitArrays {
  const offsets = new Int32Array(stores + 1);
  for (let z = 0; z < homeStoreOfZip.length; z++) offsets[homeStoreOfZip[z] + 1]++;
  for (let s = 0; s < stores; s++) offsets[s + 1] += offsets[s];
  const index = new Int32Array(homeStoreOfZip.length);
  const fill = offsets.slice(0, stores);
  for (let z = 0; z < homeStoreOfZip.length; z++) index[fill[homeStoreOfZip[z]]++] = z;
  const alias = new Float64Array(2 * homeStoreOfZip.length);
  const served = new Float64Array(stores);
  for (let s = 0; s < stores; s++) {
    const from = offsets[s];
    const to = offsets[s + 1];
    if (to === from) continue;
    const w = new Float64Array(to - from);
    for (let k = 0; k < w.length; k++) {
      w[k] = zipWeight[index[from + k]];
      served[s] += w[k];
    }
    AliasTable.build(w, alias.subarray(2 * from, 2 * to));
  }
  return { homeStoreAlias: AliasTable.build(served).entries, homeZipOffsets: offsets, homeZipIndex: index, homeZipAlias: alias };
}

/** The geography a customers generator reads: arena views on a worker, or a model's arrays in-process. */
export interface CustomerGeography {
  arrays: Pick<GeoArrays, 'geoZipCode' | 'geoZipCity' | 'geoCityState' | 'geoAreaOffsets' | 'geoAreaCodes'>;
  cityNames: CityNames;
  stateNames: readonly string[];
  traits: CustomerTraits;
}

export { GEO_STATES };
