// What is known of a customer from its key alone: its loyalty tier and its ZIP code (so its city,
// state and home store). Both are keyed hashes (random.ts keyHash), not stream draws, so the
// customers table and the orders of that customer, generated on different workers, agree.
import type { Config } from '../config/config.js';
import { GEO_STATES, cityNamesOf, referenceGeography, type GeoArrays } from './geography.js';
import { AliasTable, hashBase, keyHash } from './random.js';
import { LOYALTY_STATUSES } from './tables.js';

export class CustomerTraits {
  private readonly loyalty: AliasTable;
  private readonly zips: AliasTable;
  private readonly tierBase: number;
  private readonly zipBase: number;

  /** zipAlias: the alias table (AliasTable.entries) of the ZIP codes' population weights. */
  constructor(config: Config, zipAlias: Float64Array) {
    this.loyalty = AliasTable.build(LOYALTY_STATUSES.map((k) => config.customers.loyalty_weights[k]));
    this.zips = new AliasTable(zipAlias);
    this.tierBase = hashBase(config.seed, 'customer_tier');
    this.zipBase = hashBase(config.seed, 'customer_zip');
  }

  /** Loyalty tier of customer `key`, an index into LOYALTY_STATUSES. */
  tier(key: number): number {
    return this.loyalty.pickWith(keyHash(this.tierBase, key));
  }

  /** Index (into the geography's ZIP arrays) of the ZIP code of customer `key`: population-weighted. */
  zip(key: number): number {
    return this.zips.pickWith(keyHash(this.zipBase, key));
  }
}

/** The geography a customers generator reads: arena views on a worker, the reference data in-process. */
export interface CustomerGeography {
  arrays: Pick<GeoArrays, 'geoZipCode' | 'geoZipCity' | 'geoCityState' | 'geoAreaOffsets' | 'geoAreaCodes'>;
  cityNames: readonly string[];
  stateNames: readonly string[];
  traits: CustomerTraits;
}

let local: { config: Config; geography: CustomerGeography } | null = null;

/** The customer geography built in this process from the reference data (tests, benches). */
export function localCustomerGeography(config: Config): CustomerGeography {
  if (local?.config === config) return local.geography;
  const arrays = referenceGeography();
  const alias = AliasTable.build(arrays.geoZipWeight).entries;
  const geography = { arrays, cityNames: cityNamesOf(arrays), stateNames: GEO_STATES, traits: new CustomerTraits(config, alias) };
  local = { config, geography };
  return geography;
}
