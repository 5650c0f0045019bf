// The run plan: row counts of every dimension and fact driver at a scale factor, and how the
// orders, customers and inventory rows are cut into fixed-size partitions (set by the config,
// never by the worker count, so the output cannot depend on the machine).
import { scaledCount as scaled, type Config } from '../config/config.js';
import { parseIsoDay } from './calendar.js';

export interface Range {
  /** Index of the first row (0-based); its key is first + 1. */
  readonly first: number;
  readonly count: number;
}

export interface Plan {
  readonly seed: number;
  readonly scaleFactor: number;
  readonly customers: number;
  readonly products: number;
  readonly stores: number;
  readonly promotions: number;
  /** First calendar day (days since 1970-01-01) and the number of days. */
  readonly firstDay: number;
  readonly days: number;
  readonly orders: number;
  readonly ordersPerPartition: number;
  readonly orderPartitions: number;
  readonly customersPerPartition: number;
  readonly customerPartitions: number;
  /** Inventory is written by ranges of whole stores: this many stores per partition. */
  readonly storesPerInventoryPartition: number;
  readonly inventoryPartitions: number;
}

export function makePlan(config: Config): Plan {
  const sf = config.scale_factor;
  const root = Math.sqrt(sf);
  const customers = scaled(config.customers.count_per_scale_factor, sf);
  const products = scaled(config.products.count_per_sqrt_scale_factor, root);
  const stores = scaled(config.stores.count_per_sqrt_scale_factor, root);
  const orders = scaled(config.orders.count_per_scale_factor, sf);
  const p = config.partitions;
  const storesPerInventoryPartition = Math.max(1, Math.floor(p.inventory_rows_per_partition / products));
  return {
    seed: config.seed,
    scaleFactor: sf,
    customers,
    products,
    stores,
    promotions: scaled(config.promotions.count_per_sqrt_scale_factor, root),
    firstDay: parseIsoDay(config.calendar.start_date)!,
    days: config.calendar.days,
    orders,
    ordersPerPartition: p.orders_per_partition,
    orderPartitions: Math.ceil(orders / p.orders_per_partition),
    customersPerPartition: p.customers_per_partition,
    customerPartitions: Math.ceil(customers / p.customers_per_partition),
    storesPerInventoryPartition,
    inventoryPartitions: Math.ceil(stores / storesPerInventoryPartition),
  };
}

export function orderRange(plan: Plan, partition: number): Range {
  const first = partition * plan.ordersPerPartition;
  return { first, count: Math.min(plan.ordersPerPartition, plan.orders - first) };
}

export function customerRange(plan: Plan, partition: number): Range {
  const first = partition * plan.customersPerPartition;
  return { first, count: Math.min(plan.customersPerPartition, plan.customers - first) };
}

/** The stores (0-based range) whose inventory rows one inventory partition writes. */
export function inventoryStoreRange(plan: Plan, partition: number): Range {
  const first = partition * plan.storesPerInventoryPartition;
  return { first, count: Math.min(plan.storesPerInventoryPartition, plan.stores - first) };
}
