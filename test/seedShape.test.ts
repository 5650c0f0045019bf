// metadata/generation_lineage.yaml and metadata/schema.json read by a program written only against
// the design document's excerpts: plain YAML and JSON, steps with string paths, tables with
// row_count, columns, primary_key, and {table, column, references} relationships. Nothing here
// imports dwgen's table definitions: every expected name below is the design's, written out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SMALL_CONFIG, generate } from './helpers/dwgen.js';

// ---- the design document, as a reader of it would write it down ----

const DIMENSIONS = ['customers', 'products', 'stores', 'promotions', 'dates'];
const ALL_TABLES = [...DIMENSIONS, 'raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'inventory', 'returns'];

/** Each step: the tables it reads and the table (or document) it writes. */
const STEPS: { name: string; inputs: string[] | null; output: string | string[] }[] = [
  { name: 'generate_dimensions', inputs: null, output: DIMENSIONS },
  { name: 'generate_raw_orders', inputs: ['customers', 'stores', 'dates'], output: 'raw_orders' },
  { name: 'generate_raw_transactions', inputs: ['raw_orders', 'products', 'promotions'], output: 'transactions_raw' },
  { name: 'aggregate_transactions', inputs: ['transactions_raw'], output: 'order_aggregates' },
  { name: 'process_orders', inputs: ['raw_orders', 'order_aggregates'], output: 'orders' },
  { name: 'update_inventory', inputs: ['stores', 'products', 'transactions_raw'], output: 'inventory' },
  { name: 'generate_returns', inputs: ['orders', 'transactions_raw', 'products'], output: 'returns' },
  { name: 'compile_full_lineage', inputs: ALL_TABLES, output: 'metadata/generation_lineage.yaml' },
];

/** Columns in order with their types (transaction_id and return_id are BIGINT: they may pass 2^31 at large scale). */
const COLUMNS: Record<string, [string, string][]> = {
  customers: [['customer_id', 'INTEGER'], ['first_name', 'VARCHAR(50)'], ['last_name', 'VARCHAR(50)'], ['email', 'VARCHAR(100)'], ['phone', 'VARCHAR(20)'],
    ['address', 'VARCHAR(100)'], ['city', 'VARCHAR(50)'], ['state', 'CHAR(2)'], ['zip_code', 'VARCHAR(10)'], ['loyalty_status', 'VARCHAR(10)'], ['signup_date', 'DATE']],
  products: [['product_id', 'INTEGER'], ['product_name', 'VARCHAR(100)'], ['category', 'VARCHAR(50)'], ['sub_category', 'VARCHAR(50)'], ['brand', 'VARCHAR(50)'],
    ['price', 'DECIMAL(10,2)'], ['cost', 'DECIMAL(10,2)']],
  stores: [['store_id', 'INTEGER'], ['store_name', 'VARCHAR(100)'], ['address', 'VARCHAR(100)'], ['city', 'VARCHAR(50)'], ['state', 'CHAR(2)'], ['zip_code', 'VARCHAR(10)'], ['region', 'VARCHAR(20)']],
  promotions: [['promotion_id', 'INTEGER'], ['promotion_name', 'VARCHAR(100)'], ['discount_rate', 'DECIMAL(4,2)'], ['start_date', 'DATE'], ['end_date', 'DATE']],
  dates: [['date_id', 'INTEGER'], ['date', 'DATE'], ['day_of_week', 'VARCHAR(9)'], ['day_of_month', 'INTEGER'], ['week_of_year', 'INTEGER'], ['month', 'INTEGER'],
    ['month_name', 'VARCHAR(9)'], ['quarter', 'INTEGER'], ['year', 'INTEGER'], ['is_weekend', 'BOOLEAN'], ['is_holiday', 'BOOLEAN']],
  raw_orders: [['order_id', 'INTEGER'], ['customer_id', 'INTEGER'], ['store_id', 'INTEGER'], ['order_date', 'DATE']],
  transactions_raw: [['transaction_id', 'BIGINT'], ['order_id', 'INTEGER'], ['line_number', 'INTEGER'], ['product_id', 'INTEGER'], ['promotion_id', 'INTEGER'],
    ['quantity', 'INTEGER'], ['unit_price', 'DECIMAL(10,2)'], ['discount_amount', 'DECIMAL(12,2)'], ['line_total', 'DECIMAL(12,2)']],
  order_aggregates: [['order_id', 'INTEGER'], ['line_count', 'INTEGER'], ['total_quantity', 'INTEGER'], ['gross_amount', 'DECIMAL(12,2)'], ['discount_amount', 'DECIMAL(12,2)'],
    ['order_total', 'DECIMAL(12,2)']],
  orders: [['order_id', 'INTEGER'], ['customer_id', 'INTEGER'], ['store_id', 'INTEGER'], ['order_date', 'DATE'], ['line_count', 'INTEGER'], ['total_quantity', 'INTEGER'],
    ['order_total', 'DECIMAL(12,2)'], ['status', 'VARCHAR(12)']],
  inventory: [['store_id', 'INTEGER'], ['product_id', 'INTEGER'], ['opening_stock', 'INTEGER'], ['units_sold', 'INTEGER'], ['units_received', 'INTEGER'],
    ['closing_stock', 'INTEGER'], ['last_restock_date', 'DATE']],
  returns: [['return_id', 'BIGINT'], ['order_id', 'INTEGER'], ['transaction_id', 'BIGINT'], ['product_id', 'INTEGER'], ['store_id', 'INTEGER'], ['return_date', 'DATE'],
    ['quantity_returned', 'INTEGER'], ['refund_amount', 'DECIMAL(12,2)'], ['reason', 'VARCHAR(50)']],
};

const PRIMARY_KEYS: Record<string, string | string[]> = {
  customers: 'customer_id', products: 'product_id', stores: 'store_id', promotions: 'promotion_id', dates: 'date_id',
  raw_orders: 'order_id', transactions_raw: 'transaction_id', order_aggregates: 'order_id', orders: 'order_id',
  inventory: ['store_id', 'product_id'], returns: 'return_id',
};

/** Every foreign key, pointing at the table a user queries (orders, not raw_orders). */
const RELATIONSHIPS = [
  ['raw_orders', 'customer_id', 'customers.customer_id'], ['raw_orders', 'store_id', 'stores.store_id'], ['raw_orders', 'order_date', 'dates.date'],
  ['transactions_raw', 'order_id', 'orders.order_id'], ['transactions_raw', 'product_id', 'products.product_id'], ['transactions_raw', 'promotion_id', 'promotions.promotion_id'],
  ['order_aggregates', 'order_id', 'orders.order_id'],
  ['orders', 'customer_id', 'customers.customer_id'], ['orders', 'store_id', 'stores.store_id'], ['orders', 'order_date', 'dates.date'],
  ['inventory', 'store_id', 'stores.store_id'], ['inventory', 'product_id', 'products.product_id'],
  ['returns', 'order_id', 'orders.order_id'], ['returns', 'transaction_id', 'transactions_raw.transaction_id'], ['returns', 'product_id', 'products.product_id'], ['returns', 'store_id', 'stores.store_id'], ['returns', 'return_date', 'dates.date'],
].map(([table, column, references]) => ({ table, column, references }));

// ---- the reader: plain YAML and JSON, nothing of dwgen's ----

interface SeedStep {
  name: string;
  description: string;
  inputs?: string[];
  output?: string;
  outputs?: string[];
}
interface SeedSchema {
  tables: Record<string, { row_count: number; primary_key: string | string[]; columns: Record<string, { type: string; description: string }> }>;
  relationships: { table: string; column: string; references: string }[];
}
function readDocuments(root: string): { steps: SeedStep[]; schema: SeedSchema } {
  const lineage = parseYaml(readFileSync(join(root, 'metadata/generation_lineage.yaml'), 'utf8')) as { steps: SeedStep[] };
  const schema = JSON.parse(readFileSync(join(root, 'metadata/schema.json'), 'utf8')) as SeedSchema;
  return { steps: lineage.steps, schema };
}

async function countRows(root: string, path: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const fn = path.endsWith('.parquet') ? 'read_parquet' : 'read_csv';
    const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${fn}('${join(root, path)}')`);
    return Number(r.getRowObjectsJS()[0]!.n);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The steps a seed reader expects, given how a table's path is spelled in this dataset. */
function expectSeedSteps(steps: SeedStep[], pathOf: (table: string) => string): void {
  expect(steps.map((s) => s.name)).toEqual(STEPS.map((s) => s.name));
  STEPS.forEach((want, i) => {
    const got = steps[i]!;
    expect(typeof got.description, want.name).toBe('string');
    expect(got.description.length, want.name).toBeGreaterThan(10);
    if (want.inputs === null) expect(got.inputs, want.name).toBeUndefined();
    else expect(got.inputs, want.name).toEqual(want.inputs.map(pathOf));
    if (Array.isArray(want.output)) {
      expect(got.outputs, want.name).toEqual(want.output.map(pathOf));
      expect(got.output, want.name).toBeUndefined();
    } else {
      expect(got.output, want.name).toBe(want.output.startsWith('metadata/') ? want.output : pathOf(want.output));
      expect(got.outputs, want.name).toBeUndefined();
    }
  });
}

function expectSeedSchema(schema: SeedSchema): void {
  expect(Object.keys(schema.tables)).toEqual(ALL_TABLES);
  for (const t of ALL_TABLES) {
    const table = schema.tables[t]!;
    expect(Object.entries(table.columns).map(([c, m]) => [c, m.type]), t).toEqual(COLUMNS[t]);
    for (const [c, m] of Object.entries(table.columns)) expect(m.description, `${t}.${c}`).toMatch(/\w/);
    expect(table.primary_key, t).toEqual(PRIMARY_KEYS[t]);
    expect(Number.isInteger(table.row_count) && table.row_count > 0, t).toBe(true);
  }
  expect(schema.relationships).toEqual(RELATIONSHIPS);
}

describe("the seed's documents, read by a program written against the design", () => {
  let single: string;
  let partitioned: string;
  let parquet: string;
  beforeAll(() => {
    single = generate(['--config', SMALL_CONFIG, '--workers', '2']);
    partitioned = generate(['--config', SMALL_CONFIG, '--workers', '2', '--layout', 'partitioned']);
    parquet = generate(['--config', SMALL_CONFIG, '--workers', '2', '--format', 'parquet']);
  }, 120_000);

  it('single files: every step, input and output by name; every path is a file holding row_count rows', async () => {
    const { steps, schema } = readDocuments(single);
    expectSeedSteps(steps, (t) => `data/${t}.csv`);
    expectSeedSchema(schema);
    for (const t of ALL_TABLES) expect([t, await countRows(single, `data/${t}.csv`)]).toEqual([t, schema.tables[t]!.row_count]);
  });

  it('part files: each table is one glob, the same in every step, that DuckDB reads as the whole table', async () => {
    const { steps, schema } = readDocuments(partitioned);
    expectSeedSteps(steps, (t) => `data/${t}/*.csv`);
    expectSeedSchema(schema);
    for (const t of ALL_TABLES) expect([t, await countRows(partitioned, `data/${t}/*.csv`)]).toEqual([t, schema.tables[t]!.row_count]);
    // the same row counts as the single-file run
    const other = readDocuments(single).schema;
    for (const t of ALL_TABLES) expect([t, schema.tables[t]!.row_count]).toEqual([t, other.tables[t]!.row_count]);
  });

  it('Parquet: globs of *.parquet, and the run records the layout actually written (partitioned)', async () => {
    const { steps, schema } = readDocuments(parquet);
    expectSeedSteps(steps, (t) => `data/${t}/*.parquet`);
    expectSeedSchema(schema);
    for (const t of ['customers', 'transactions_raw', 'inventory']) expect([t, await countRows(parquet, `data/${t}/*.parquet`)]).toEqual([t, schema.tables[t]!.row_count]);
    const lineage = parseYaml(readFileSync(join(parquet, 'metadata/generation_lineage.yaml'), 'utf8')) as { dwgen: { run: { layout: unknown; formats: unknown } } };
    expect(lineage.dwgen.run.formats).toEqual(['parquet']);
    expect(lineage.dwgen.run.layout).toEqual({ parquet: 'partitioned' });
    const csv = parseYaml(readFileSync(join(single, 'metadata/generation_lineage.yaml'), 'utf8')) as { dwgen: { run: { layout: unknown } } };
    expect(csv.dwgen.run.layout).toEqual({ csv: 'single' });
  });

  it("dwgen's own keys are under `dwgen`: every file with rows, bytes and sha256, beside the seed's keys", () => {
    const lineage = parseYaml(readFileSync(join(partitioned, 'metadata/generation_lineage.yaml'), 'utf8')) as {
      steps: (SeedStep & { dwgen: { wall_time_seconds: number; tables?: { table: string; rows: number; files: { path: string; rows: number; bytes: number; sha256: string }[] }[] } })[];
    };
    const schema = JSON.parse(readFileSync(join(partitioned, 'metadata/schema.json'), 'utf8')) as { tables: Record<string, { files: { path: string; rows: number; bytes: number; sha256: string }[] }> };
    const seedKeys = new Set(['name', 'description', 'inputs', 'output', 'outputs', 'dwgen']);
    const listed: string[] = [];
    for (const step of lineage.steps) {
      expect(Object.keys(step).filter((k) => !seedKeys.has(k)), step.name).toEqual([]);
      expect(step.dwgen.wall_time_seconds, step.name).toBeGreaterThanOrEqual(0);
      for (const t of step.dwgen.tables ?? []) {
        expect(t.files, t.table).toEqual(schema.tables[t.table]!.files.map(({ path, rows, bytes, sha256 }) => ({ path, format: 'csv', rows, bytes, sha256 })));
        listed.push(...t.files.map((f) => f.path));
      }
    }
    expect(listed.sort()).toEqual(Object.values(schema.tables).flatMap((t) => t.files.map((f) => f.path)).sort());
  });
});
