// Bench helper (owned by the benchmarks, issue 5): builds a run's in-memory context the way
// src/run/generateRun.ts does (core/model.ts: plan, dimensions, shared fact arrays) and pre-generates batches.
import { DEFAULT_CONFIG, validateConfig, type Config } from '../../src/config/config.js';
import { DateTextTable } from '../../src/core/calendar.js';
import type { ColumnBatch, ColumnData } from '../../src/core/columns.js';
import { generateCustomers } from '../../src/core/dimensions.js';
import {
  FactContext, InventoryAccumulator, countOrderPartition, generateInventoryRows, generateOrderPartition, inventoryRules,
  mergeInventoryDeltas, type FactArrays, type PartitionKeys,
} from '../../src/core/facts.js';
import { buildDimensionModel, factContextOf } from '../../src/core/model.js';
import type { Plan } from '../../src/core/plan.js';
import { TABLE_NAMES, type TableName } from '../../src/core/tables.js';

export interface RunContext {
  config: Config;
  plan: Plan;
  dates: DateTextTable;
  facts: FactContext;
  arrays: FactArrays;
  dimensionBatches: Partial<Record<TableName, ColumnBatch>>;
}

/** The effective default config at a scale factor (validated, as the CLI does). */
export function benchConfig(scale: number): Config {
  const config = validateConfig(structuredClone(DEFAULT_CONFIG));
  config.scale_factor = scale;
  return config;
}

/** Everything a worker would hold, built on this thread from the same model generateRun builds. */
export function buildRunContext(scale: number): RunContext {
  const config = benchConfig(scale);
  const model = buildDimensionModel(config);
  const facts = factContextOf(config, model);
  return {
    config,
    plan: model.plan,
    dates: new DateTextTable(model.dateText.firstDay, model.dateText.days),
    facts,
    arrays: model.shared.arrays,
    dimensionBatches: { dates: model.calendar.batch, products: model.products.batch, stores: model.stores, promotions: model.promotions.batch },
  };
}

/** A copy of the first rowCount values of each column (generators reuse their arrays between batches). */
export function cloneBatch(b: ColumnBatch): ColumnBatch {
  return { rowCount: b.rowCount, columns: b.columns.map((c) => c.slice(0, b.rowCount) as ColumnData) };
}

/**
 * Batches of every table from the first order partition(s) (at most `maxOrders` orders), one customer
 * partition and the inventory of those sales (merged as the main thread does), copied so they can be
 * encoded again and again.
 */
export function pregenerateBatches(ctx: RunContext, maxOrders = ctx.plan.ordersPerPartition): Record<TableName, ColumnBatch[]> {
  const out = Object.fromEntries(TABLE_NAMES.map((t) => [t, [] as ColumnBatch[]])) as Record<TableName, ColumnBatch[]>;
  for (const [t, b] of Object.entries(ctx.dimensionBatches) as [TableName, ColumnBatch][]) out[t].push(b);
  generateCustomers(ctx.config, ctx.plan, 0, (b) => out.customers.push(cloneBatch(b)));
  const inventory = new InventoryAccumulator(ctx.plan);
  const keys: PartitionKeys = { firstTransaction: 0, firstReturn: 0 };
  let orders = 0;
  for (let p = 0; p < ctx.plan.orderPartitions && orders < maxOrders; p++) {
    const counts = countOrderPartition(ctx.facts, p);
    const r = generateOrderPartition(ctx.facts, p, { ...keys }, (t, b) => out[t].push(cloneBatch(b)), inventory);
    mergeInventoryDeltas(ctx.arrays, r.inventory);
    keys.firstTransaction += counts.lines;
    keys.firstReturn += counts.returns;
    orders += r.rows.raw_orders;
  }
  generateInventoryRows(ctx.plan, inventoryRules(ctx.config), ctx.arrays, 0, ctx.plan.stores, (b) => out.inventory.push(cloneBatch(b)));
  return out;
}

export const rowsOf = (batches: readonly ColumnBatch[]): number => batches.reduce((s, b) => s + b.rowCount, 0);
