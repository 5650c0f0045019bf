// The in-memory model a run starts from: the plan, the small dimensions (dates, products,
// promotions, stores) and the shared arrays the fact generators read. Pure: no I/O.
import type { Config } from '../config/config.js';
import { activePromotionsByDay, generateDates, generateProducts, generatePromotions, generateStores, orderDayWeights, type Calendar, type Products, type Promotions } from './dimensions.js';
import type { ColumnBatch } from './columns.js';
import { buildFactArrays, FactContext, scatteredZipfWeights, type FactArrays, type FactLayout } from './facts.js';
import { buildCustomerTraitArrays, tierPopularityPlan, type CustomerGeography } from './customerTraits.js';
import { CityNames, homeStoresOfZips, referenceGeography } from './geography.js';
import { makePlan, type Plan } from './plan.js';
import { AliasTable } from './random.js';

export interface DimensionModel {
  plan: Plan;
  /** Every day a date column can hold: customer sign-ups before the calendar to its last day (returns are cut there). */
  dateText: { firstDay: number; days: number };
  calendar: Calendar;
  products: Products;
  promotions: Promotions;
  stores: ColumnBatch;
  /** The SharedArrayBuffer (and its layout) handed to workers, and views of it. */
  shared: { buffer: SharedArrayBuffer; layout: FactLayout; arrays: FactArrays };
}

export function buildDimensionModel(config: Config, plan: Plan = makePlan(config)): DimensionModel {
  const calendar = generateDates(plan);
  const products = generateProducts(config, plan);
  const promotions = generatePromotions(config, plan);
  const geo = referenceGeography();
  const zipAlias = AliasTable.build(geo.geoZipWeight);
  const storeTable = generateStores(plan, geo, zipAlias, new CityNames(geo));
  const stores = storeTable.batch;
  const active = activePromotionsByDay(plan, promotions);
  const shared = buildFactArrays(plan, {
    productPrice: products.priceCents,
    productCategory: products.category,
    geo,
    traits: buildCustomerTraitArrays(plan.stores, homeStoresOfZips(geo, storeTable.zip), geo.geoZipWeight),
    productWeights: productPopularity(config, plan, products.priceCents),
    customerBuckets: tierPopularityPlan(config, plan.customers),
    storeWeights: scatteredZipfWeights(plan.stores, config.stores.size_skew),
    dayWeights: orderDayWeights(config, plan, calendar),
    promotionRate: promotions.rateHundredths,
    activePromotionOffsets: active.offsets,
    activePromotionIds: active.ids,
  });
  const signupFloor = plan.firstDay - 1 - Math.max(1, config.customers.signup_years_before_start * 365);
  const dateText = { firstDay: signupFloor, days: plan.firstDay + plan.days - signupFloor };
  return { plan, dateText, calendar, products, promotions, stores, shared };
}

/**
 * Product popularity: bounded-head Zipf over scattered ranks (scatteredZipfWeights), times
 * (median price ÷ price)^price_elasticity, so that cheap products sell more units and no
 * expensive product takes a large share of the revenue.
 */
export function productPopularity(config: Config, plan: Plan, priceCents: Int32Array): Float64Array {
  const w = scatteredZipfWeights(plan.products, config.products.popularity_skew, config.products.popularity_head_fraction);
  const e = config.products.price_elasticity;
  if (e === 0) return w;
  const sorted = Int32Array.from(priceCents).sort();
  const median = sorted[sorted.length >> 1];
  for (let i = 0; i < w.length; i++) w[i] *= Math.pow(median / priceCents[i], e);
  return w;
}

let local: { config: Config; geography: CustomerGeography } | null = null;

/** The customer geography of a model built in this process for `config` (in-process use of generateCustomers: tests, benches). */
export function localCustomerGeography(config: Config, plan: Plan = makePlan(config)): CustomerGeography {
  if (local?.config !== config) local = { config, geography: factContextOf(config, buildDimensionModel(config, plan)).customerGeography() };
  return local.geography;
}

/** A fact context over the model's own arrays (in-process use: tests, benches). */
export function factContextOf(config: Config, model: DimensionModel): FactContext {
  return new FactContext(config, model.plan, model.shared.buffer, model.shared.layout);
}
