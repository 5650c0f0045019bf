// The in-memory model a run starts from: the plan, the small dimensions (dates, products,
// promotions, stores) and the shared arrays the fact generators read. Pure: no I/O.
import type { Config } from '../config/config.js';
import { activePromotionsByDay, generateDates, generateProducts, generatePromotions, generateStores, orderDayWeights, type Calendar, type Products, type Promotions } from './dimensions.js';
import type { ColumnBatch } from './columns.js';
import { buildFactArrays, FactContext, scatteredZipfWeights, type FactArrays, type FactLayout } from './facts.js';
import { makePlan, type Plan } from './plan.js';
import { ZipfKeySampler } from './random.js';

export interface DimensionModel {
  plan: Plan;
  /** Every day a date column can hold: customer sign-ups before the calendar to the last return after it. */
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
  const stores = generateStores(plan);
  const active = activePromotionsByDay(plan, promotions);
  const shared = buildFactArrays(plan, {
    productPrice: products.priceCents,
    productWeights: scatteredZipfWeights(plan.products, config.products.popularity_skew),
    customerBuckets: ZipfKeySampler.plan(plan.customers, config.customers.popularity_skew),
    storeWeights: scatteredZipfWeights(plan.stores, config.stores.size_skew),
    dayWeights: orderDayWeights(config, calendar),
    promotionRate: promotions.rateHundredths,
    activePromotionOffsets: active.offsets,
    activePromotionIds: active.ids,
  });
  const signupFloor = plan.firstDay - 1 - Math.max(1, config.customers.signup_years_before_start * 365);
  const dateText = { firstDay: signupFloor, days: plan.firstDay + plan.days + config.returns.max_days_after_order + 1 - signupFloor };
  return { plan, dateText, calendar, products, promotions, stores, shared };
}

/** A fact context over the model's own arrays (in-process use: tests, benches). */
export function factContextOf(config: Config, model: DimensionModel): FactContext {
  return new FactContext(config, model.plan, model.shared.buffer, model.shared.layout);
}
