// The one definition of every table: name, columns (with dictionary types, storage and meaning),
// primary key, the lineage step that produces it and how its row count scales. The CSV header,
// schema.json, the lineage document and the Parquet schema are all derived from these objects.
import type { ColumnDef } from './columns.js';

export type TableKind = 'dimension' | 'fact' | 'intermediate';

export interface TableDef {
  readonly name: TableName;
  readonly kind: TableKind;
  readonly description: string;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: readonly string[];
  /** The logical pipeline step (generation_lineage.yaml) that produces this table. */
  readonly step: StepName;
}

export const TABLE_NAMES = [
  'customers',
  'products',
  'stores',
  'promotions',
  'dates',
  'raw_orders',
  'transactions_raw',
  'order_aggregates',
  'orders',
  'inventory',
  'returns',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const STEP_NAMES = [
  'generate_dimensions',
  'generate_raw_orders',
  'generate_raw_transactions',
  'aggregate_transactions',
  'process_orders',
  'update_inventory',
  'generate_returns',
  'compile_full_lineage',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const LOYALTY_STATUSES = ['Bronze', 'Silver', 'Gold', 'Platinum'] as const;
/** Product categories, in the order of locale.ts's CATEGORIES (their sub-categories and vocabularies). */
export const CATEGORY_NAMES = ['Electronics', 'Home', 'Clothing', 'Shoes', 'Sports', 'Beauty', 'Grocery', 'Toys', 'Books', 'Garden'] as const;
export const ORDER_STATUSES = ['Completed', 'Shipped', 'Processing', 'Cancelled', 'Returned'] as const;
/** Indexes into ORDER_STATUSES. An order is Returned exactly when it has a return. */
export const STATUS_COMPLETED = 0;
export const STATUS_SHIPPED = 1;
export const STATUS_PROCESSING = 2;
export const STATUS_CANCELLED = 3;
export const STATUS_RETURNED = 4;
export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;
export const REGIONS = ['Northeast', 'Midwest', 'South', 'West'] as const;

/** The states of each US census region, in REGIONS order (stores.region follows stores.state). */
export const CENSUS_REGION_STATES: readonly (readonly string[])[] = [
  ['CT', 'ME', 'MA', 'NH', 'RI', 'VT', 'NJ', 'NY', 'PA'],
  ['IL', 'IN', 'MI', 'OH', 'WI', 'IA', 'KS', 'MN', 'MO', 'NE', 'ND', 'SD'],
  ['DE', 'DC', 'FL', 'GA', 'MD', 'NC', 'SC', 'VA', 'WV', 'AL', 'KY', 'MS', 'TN', 'AR', 'LA', 'OK', 'TX'],
  ['AZ', 'CO', 'ID', 'MT', 'NV', 'NM', 'UT', 'WY', 'AK', 'CA', 'HI', 'OR', 'WA'],
];

/** The census region of a state, as an index into REGIONS. */
export function regionOfState(state: string): number {
  const region = CENSUS_REGION_STATES.findIndex((states) => states.includes(state));
  if (region < 0) throw new Error(`no census region for state ${state}`);
  return region;
}

const addressColumns = (who: string): ColumnDef[] => [
  { name: 'address', type: 'VARCHAR(100)', storage: 'string', description: `Street address of the ${who}` },
  { name: 'city', type: 'VARCHAR(50)', storage: 'string', description: `City of the ${who}` },
  { name: 'state', type: 'CHAR(2)', storage: 'string', description: `US state abbreviation of the ${who}` },
  { name: 'zip_code', type: 'VARCHAR(10)', storage: 'string', description: `ZIP code of the ${who}: a real US ZIP code of this city and state` },
];

export const TABLES: Readonly<Record<TableName, TableDef>> = {
  customers: {
    name: 'customers',
    kind: 'dimension',
    step: 'generate_dimensions',
    description: 'Customer dimension: one row per customer (10,000 × scale factor).',
    primaryKey: ['customer_id'],
    columns: [
      { name: 'customer_id', type: 'INTEGER', storage: 'int32', description: 'Customer key, dense 1..N' },
      { name: 'first_name', type: 'VARCHAR(50)', storage: 'string', description: 'First name' },
      { name: 'last_name', type: 'VARCHAR(50)', storage: 'string', description: 'Last name' },
      { name: 'email', type: 'VARCHAR(100)', storage: 'string', description: 'Email address, unique (contains the customer key)' },
      { name: 'phone', type: 'VARCHAR(20)', storage: 'string', description: 'Phone number, NNN-NNN-NNNN, with an area code of the customer\'s state' },
      ...addressColumns('customer'),
      { name: 'loyalty_status', type: 'VARCHAR(10)', storage: 'enum', enumValues: LOYALTY_STATUSES, description: 'Loyalty tier: Bronze, Silver, Gold or Platinum (skewed towards Bronze)' },
      { name: 'signup_date', type: 'DATE', storage: 'day', description: 'Sign-up date, before the first day of the sales calendar' },
    ],
  },
  products: {
    name: 'products',
    kind: 'dimension',
    step: 'generate_dimensions',
    description: 'Product dimension: one row per product (1,000 × √scale factor).',
    primaryKey: ['product_id'],
    columns: [
      { name: 'product_id', type: 'INTEGER', storage: 'int32', description: 'Product key, dense 1..N' },
      { name: 'product_name', type: 'VARCHAR(100)', storage: 'string', description: 'Product name' },
      { name: 'category', type: 'VARCHAR(50)', storage: 'string', description: 'Category' },
      { name: 'sub_category', type: 'VARCHAR(50)', storage: 'string', description: 'Sub-category; each belongs to exactly one category' },
      { name: 'brand', type: 'VARCHAR(50)', storage: 'string', description: 'Brand' },
      { name: 'price', type: 'DECIMAL(10,2)', storage: 'cents', description: 'List price in dollars' },
      { name: 'cost', type: 'DECIMAL(10,2)', storage: 'cents', description: 'Unit cost in dollars, 0 < cost < price' },
    ],
  },
  stores: {
    name: 'stores',
    kind: 'dimension',
    step: 'generate_dimensions',
    description: 'Store dimension: one row per store (50 × √scale factor).',
    primaryKey: ['store_id'],
    columns: [
      { name: 'store_id', type: 'INTEGER', storage: 'int32', description: 'Store key, dense 1..N' },
      { name: 'store_name', type: 'VARCHAR(100)', storage: 'string', description: 'Store name' },
      ...addressColumns('store'),
      { name: 'region', type: 'VARCHAR(20)', storage: 'enum', enumValues: REGIONS, description: 'US census region of the state' },
    ],
  },
  promotions: {
    name: 'promotions',
    kind: 'dimension',
    step: 'generate_dimensions',
    description: 'Promotion dimension: one row per promotion (100 × √scale factor).',
    primaryKey: ['promotion_id'],
    columns: [
      { name: 'promotion_id', type: 'INTEGER', storage: 'int32', description: 'Promotion key, dense 1..N' },
      { name: 'promotion_name', type: 'VARCHAR(100)', storage: 'string', description: 'Promotion name' },
      { name: 'discount_rate', type: 'DECIMAL(4,2)', storage: 'cents', description: 'Discount rate in (0, 0.50], in hundredths' },
      { name: 'start_date', type: 'DATE', storage: 'day', description: 'First day the promotion is active' },
      { name: 'end_date', type: 'DATE', storage: 'day', description: 'Last day the promotion is active (start ≤ end, inside the calendar)' },
    ],
  },
  dates: {
    name: 'dates',
    kind: 'dimension',
    step: 'generate_dimensions',
    description: 'Calendar dimension: one row per day of the configured range, contiguous.',
    primaryKey: ['date_id'],
    columns: [
      { name: 'date_id', type: 'INTEGER', storage: 'int32', description: 'Date key, yyyymmdd' },
      { name: 'date', type: 'DATE', storage: 'day', description: 'Calendar date, unique' },
      { name: 'day_of_week', type: 'VARCHAR(9)', storage: 'enum', enumValues: DAY_NAMES, description: 'Day name, Monday..Sunday' },
      { name: 'day_of_month', type: 'INTEGER', storage: 'int32', description: 'Day of the month, 1..31' },
      { name: 'week_of_year', type: 'INTEGER', storage: 'int32', description: 'ISO 8601 week number, 1..53' },
      { name: 'month', type: 'INTEGER', storage: 'int32', description: 'Month, 1..12' },
      { name: 'month_name', type: 'VARCHAR(9)', storage: 'enum', enumValues: MONTH_NAMES, description: 'Month name' },
      { name: 'quarter', type: 'INTEGER', storage: 'int32', description: 'Quarter, 1..4' },
      { name: 'year', type: 'INTEGER', storage: 'int32', description: 'Year' },
      { name: 'is_weekend', type: 'BOOLEAN', storage: 'bool', description: 'Saturday or Sunday' },
      { name: 'is_holiday', type: 'BOOLEAN', storage: 'bool', description: 'US federal holiday (or Black Friday)' },
    ],
  },
  raw_orders: {
    name: 'raw_orders',
    kind: 'intermediate',
    step: 'generate_raw_orders',
    description: 'Order headers as first generated (100,000 × scale factor).',
    primaryKey: ['order_id'],
    columns: [
      { name: 'order_id', type: 'INTEGER', storage: 'int32', description: 'Order key, dense 1..N' },
      { name: 'customer_id', type: 'INTEGER', storage: 'int32', description: 'Ordering customer (skewed popularity)', references: 'customers.customer_id' },
      { name: 'store_id', type: 'INTEGER', storage: 'int32', description: 'Store of the sale', references: 'stores.store_id' },
      { name: 'order_date', type: 'DATE', storage: 'day', description: 'Order date; weekends and holidays weigh more', references: 'dates.date' },
    ],
  },
  transactions_raw: {
    name: 'transactions_raw',
    kind: 'fact',
    step: 'generate_raw_transactions',
    description: 'Order lines: 1–5 per order (≈ 3 on average).',
    primaryKey: ['transaction_id'],
    columns: [
      { name: 'transaction_id', type: 'BIGINT', storage: 'int64', description: 'Order-line key, dense 1..N in order_id, line_number order' },
      { name: 'order_id', type: 'INTEGER', storage: 'int32', description: 'Order of the line', references: 'orders.order_id' },
      { name: 'line_number', type: 'INTEGER', storage: 'int32', description: 'Line number within the order, 1..line_count' },
      { name: 'product_id', type: 'INTEGER', storage: 'int32', description: 'Product sold (skewed popularity)', references: 'products.product_id' },
      { name: 'promotion_id', type: 'INTEGER', storage: 'int32', nullable: true, description: 'Promotion applied, only one active on the order date; null if none', references: 'promotions.promotion_id' },
      { name: 'quantity', type: 'INTEGER', storage: 'int32', description: 'Units, 1..10' },
      { name: 'unit_price', type: 'DECIMAL(10,2)', storage: 'cents', description: 'Unit price = the product price' },
      { name: 'discount_amount', type: 'DECIMAL(12,2)', storage: 'cents', description: 'round(quantity × unit_price × discount_rate), 0 without promotion' },
      { name: 'line_total', type: 'DECIMAL(12,2)', storage: 'cents', description: 'quantity × unit_price − discount_amount' },
    ],
  },
  order_aggregates: {
    name: 'order_aggregates',
    kind: 'intermediate',
    step: 'aggregate_transactions',
    description: 'Per-order sums of the order lines, one row per order.',
    primaryKey: ['order_id'],
    columns: [
      { name: 'order_id', type: 'INTEGER', storage: 'int32', description: 'Order key', references: 'orders.order_id' },
      { name: 'line_count', type: 'INTEGER', storage: 'int32', description: 'Number of lines' },
      { name: 'total_quantity', type: 'INTEGER', storage: 'int32', description: 'Σ quantity' },
      { name: 'gross_amount', type: 'DECIMAL(12,2)', storage: 'cents', description: 'Σ quantity × unit_price' },
      { name: 'discount_amount', type: 'DECIMAL(12,2)', storage: 'cents', description: 'Σ discount_amount' },
      { name: 'order_total', type: 'DECIMAL(12,2)', storage: 'cents', description: 'gross_amount − discount_amount = Σ line_total' },
    ],
  },
  orders: {
    name: 'orders',
    kind: 'fact',
    step: 'process_orders',
    description: 'Processed orders: the raw order joined with its aggregate, plus a status.',
    primaryKey: ['order_id'],
    columns: [
      { name: 'order_id', type: 'INTEGER', storage: 'int32', description: 'Order key, dense 1..N' },
      { name: 'customer_id', type: 'INTEGER', storage: 'int32', description: 'Ordering customer', references: 'customers.customer_id' },
      { name: 'store_id', type: 'INTEGER', storage: 'int32', description: 'Store of the sale', references: 'stores.store_id' },
      { name: 'order_date', type: 'DATE', storage: 'day', description: 'Order date', references: 'dates.date' },
      { name: 'line_count', type: 'INTEGER', storage: 'int32', description: 'Number of lines' },
      { name: 'total_quantity', type: 'INTEGER', storage: 'int32', description: 'Σ quantity' },
      { name: 'order_total', type: 'DECIMAL(12,2)', storage: 'cents', description: 'Σ line_total' },
      { name: 'status', type: 'VARCHAR(12)', storage: 'enum', enumValues: ORDER_STATUSES, description: 'By order age: Processing, then Shipped near the calendar end; older orders Completed, Cancelled, or Returned (exactly when the order has a return)' },
    ],
  },
  inventory: {
    name: 'inventory',
    kind: 'fact',
    step: 'update_inventory',
    description: 'Stock per store and product over the calendar: one row per (store, product).',
    primaryKey: ['store_id', 'product_id'],
    columns: [
      { name: 'store_id', type: 'INTEGER', storage: 'int32', description: 'Store', references: 'stores.store_id' },
      { name: 'product_id', type: 'INTEGER', storage: 'int32', description: 'Product', references: 'products.product_id' },
      { name: 'opening_stock', type: 'INTEGER', storage: 'int32', description: 'Units on hand on the first calendar day' },
      { name: 'units_sold', type: 'INTEGER', storage: 'int32', description: 'Σ quantity of the order lines of this store and product, cancelled orders excluded' },
      { name: 'units_received', type: 'INTEGER', storage: 'int32', description: 'Units restocked, in whole restock batches, enough to keep stock ≥ 0' },
      { name: 'closing_stock', type: 'INTEGER', storage: 'int32', description: 'opening_stock − units_sold + units_received, ≥ 0' },
      { name: 'last_restock_date', type: 'DATE', storage: 'day', nullable: true, description: 'Date of the last sale that triggered a restock; null without restock' },
    ],
  },
  returns: {
    name: 'returns',
    kind: 'fact',
    step: 'generate_returns',
    description: 'Returned order lines (≈ 5 % of lines).',
    primaryKey: ['return_id'],
    columns: [
      { name: 'return_id', type: 'BIGINT', storage: 'int64', description: 'Return key, dense 1..N in transaction_id order' },
      { name: 'order_id', type: 'INTEGER', storage: 'int32', description: 'Order of the returned line', references: 'orders.order_id' },
      { name: 'transaction_id', type: 'BIGINT', storage: 'int64', description: 'Returned order line', references: 'transactions_raw.transaction_id' },
      { name: 'product_id', type: 'INTEGER', storage: 'int32', description: 'Product of the line', references: 'products.product_id' },
      { name: 'store_id', type: 'INTEGER', storage: 'int32', description: 'Store of the order', references: 'stores.store_id' },
      { name: 'return_date', type: 'DATE', storage: 'day', description: 'order_date ≤ return_date ≤ order_date + 30 days, and never after the last calendar day', references: 'dates.date' },
      { name: 'quantity_returned', type: 'INTEGER', storage: 'int32', description: '1..line quantity' },
      { name: 'refund_amount', type: 'DECIMAL(12,2)', storage: 'cents', description: 'floor(line_total × quantity_returned / quantity), ≤ line_total' },
      { name: 'reason', type: 'VARCHAR(50)', storage: 'string', description: 'Reason given for the return' },
    ],
  },
};

/**
 * The keys as the pipeline produces them, where they differ from the foreign keys above: order
 * lines and order aggregates are made from the raw order headers before the orders are processed,
 * and each processed order is its raw order's row. The foreign keys (ColumnDef.references: DDL,
 * schema.json) point at the final table a user queries; these belong to the lineage.
 */
export const INTERMEDIATE_REFERENCES: readonly { table: TableName; column: string; references: string }[] = [
  { table: 'transactions_raw', column: 'order_id', references: 'raw_orders.order_id' },
  { table: 'order_aggregates', column: 'order_id', references: 'raw_orders.order_id' },
  { table: 'orders', column: 'order_id', references: 'raw_orders.order_id' },
];

export function tableDef(name: TableName): TableDef {
  return TABLES[name];
}

export function isTableName(name: string): name is TableName {
  return (TABLE_NAMES as readonly string[]).includes(name);
}

/** The kind of partition that writes a table: the small dimensions are one unit, the order tables come from order partitions. */
export type PartitionKind = 'dimensions' | 'customers' | 'orders' | 'inventory';

export function partitionKindOf(table: TableName): PartitionKind {
  if (table === 'customers' || table === 'inventory') return table;
  return TABLES[table].kind === 'dimension' ? 'dimensions' : 'orders';
}
