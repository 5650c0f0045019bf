// What is known of a customer from its key alone: its loyalty tier, its home store and its ZIP
// code (so its city and state). All are keyed hashes (random.ts keyHash), not stream draws, so the
// customers table and the orders of that customer, generated on different workers, agree.
//
// The home store is drawn first, by the population each store serves (the ZIPs whose nearest
// store in their census region it is), then the ZIP among the store's ZIPs by population: the
// same joint distribution as drawing the ZIP by population, but an order needs only the small
// per-store table (stores × 16 bytes, in L1) instead of the 42,000-ZIP one.
import type { Config } from '../config/config.js';
import { GEO_STATES, type CityNames, type GeoArrays } from './geography.js';
import { AliasTable, hashBase, keyHash } from './random.js';
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

export class CustomerTraits {
  private readonly loyalty: AliasTable;
  private readonly homeStores: AliasTable;
  private readonly arrays: CustomerTraitArrays;
  private readonly tierBase: number;
  private readonly storeBase: number;
  private readonly zipBase: number;

  constructor(config: Config, arrays: CustomerTraitArrays) {
    this.loyalty = AliasTable.build(LOYALTY_STATUSES.map((k) => config.customers.loyalty_weights[k]));
    this.homeStores = new AliasTable(arrays.homeStoreAlias);
    this.arrays = arrays;
    this.tierBase = hashBase(config.seed, 'customer_tier');
    this.storeBase = hashBase(config.seed, 'customer_home_store');
    this.zipBase = hashBase(config.seed, 'customer_zip');
  }

  /** Loyalty tier of customer `key`, an index into LOYALTY_STATUSES. */
  tier(key: number): number {
    return this.loyalty.pickWith(keyHash(this.tierBase, key));
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
