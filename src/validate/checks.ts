// The validation checks of SPEC §1–2, each a named SQL query over the loaded tables that returns one
// row per violation (columns: ord = sort key, key = example key with detail). Derived from TABLES.
import { GEO_STATES, referenceGeography } from '../core/geography.js';
import { CENSUS_REGION_STATES, REGIONS, TABLES, TABLE_NAMES, type TableName } from '../core/tables.js';
import { lit, parseReference, qi, stringLengthOf } from '../ddl/sql.js';

/** Pseudo-table: raw_orders when present, else orders (order_id, customer_id, store_id, order_date). */
export const ORDER_HEADERS = '__order_headers';

export interface Check {
  readonly name: string;
  readonly description: string;
  /** Tables (or ORDER_HEADERS) that must be loaded for the check to run; otherwise it is skipped. */
  readonly requires: readonly string[];
  /** Returns one row per violation with columns ord (sort key) and key (VARCHAR example). */
  readonly sql: string;
}

/** A value as text, "NULL" for null (DuckDB's format() returns NULL if any argument is NULL). */
const s = (expr: string): string => `coalesce(CAST(${expr} AS VARCHAR), 'NULL')`;

/** format() with every argument made non-null text. */
const fmt = (template: string, ...args: string[]): string => `format(${lit(template)}, ${args.map(s).join(', ')})`;

/**
 * Whether "date" is a US federal holiday (New Year, MLK, Presidents', Memorial, Juneteenth,
 * Independence, Labor, Columbus, Veterans, Thanksgiving, Christmas; on the calendar day, not the
 * observed weekday) or Black Friday: the rules written out in SQL, independent of the generator.
 */
const HOLIDAY_SQL = [
  '(month("date"), day("date")) IN ((1, 1), (6, 19), (7, 4), (11, 11), (12, 25))',
  '(isodow("date") = 1 AND month("date") IN (1, 2) AND day("date") BETWEEN 15 AND 21)', // 3rd Monday of Jan, Feb
  '(isodow("date") = 1 AND month("date") = 5 AND day("date") >= 25)', // last Monday of May
  '(isodow("date") = 1 AND month("date") = 9 AND day("date") <= 7)', // 1st Monday of Sep
  '(isodow("date") = 1 AND month("date") = 10 AND day("date") BETWEEN 8 AND 14)', // 2nd Monday of Oct
  '(isodow("date") = 4 AND month("date") = 11 AND day("date") BETWEEN 22 AND 28)', // 4th Thursday of Nov
  '(isodow("date") = 5 AND month("date") = 11 AND day("date") BETWEEN 23 AND 29)', // the Friday after it
].join(' OR ');

/** Text of a table's primary key for a row (alias-qualified). */
function pkText(table: TableName, alias: string): string {
  const pk = TABLES[table].primaryKey;
  if (pk.length === 1) return s(`${alias}.${qi(pk[0]!)}`);
  return `'(' || concat_ws(', ', ${pk.map((c) => s(`${alias}.${qi(c)}`)).join(', ')}) || ')'`;
}

/** Single integer primary key column, or null. */
function intKey(table: TableName): string | null {
  const def = TABLES[table];
  if (def.primaryKey.length !== 1) return null;
  const col = def.columns.find((c) => c.name === def.primaryKey[0]);
  return col && (col.type === 'INTEGER' || col.type === 'BIGINT') ? col.name : null;
}

/** Checks that every table gets from its definition alone. */
function tableChecks(table: TableName): Check[] {
  const def = TABLES[table];
  const t = qi(table);
  const out: Check[] = [];
  const pk = def.primaryKey.map(qi);
  out.push({
    name: `${table}.primary_key`,
    description: `primary key (${def.primaryKey.join(', ')}) is unique and not null`,
    requires: [table],
    sql:
      `SELECT ord, key || CASE WHEN n > 1 THEN ' (duplicate)' ELSE ' (null)' END AS key FROM (` +
      `SELECT a.rowid AS ord, ${pkText(table, 'a')} AS key, count(*) OVER (PARTITION BY ${pk.map((c) => `a.${c}`).join(', ')}) AS n, ` +
      `(${pk.map((c) => `a.${c} IS NULL`).join(' OR ')}) AS has_null FROM ${t} a) WHERE n > 1 OR has_null`,
  });
  const required = def.columns.filter((c) => !c.nullable);
  out.push({
    name: `${table}.not_null`,
    description: `non-nullable columns hold no NULL (${required.length} columns)`,
    requires: [table],
    sql:
      `SELECT a.rowid AS ord, ${pkText(table, 'a')} || ': ' || concat_ws(', ', ${required
        .map((c) => `CASE WHEN a.${qi(c.name)} IS NULL THEN ${lit(c.name + ' is null')} END`)
        .join(', ')}) AS key FROM ${t} a WHERE ${required.map((c) => `a.${qi(c.name)} IS NULL`).join(' OR ')}`,
  });
  const enums = def.columns.filter((c) => c.enumValues);
  if (enums.length > 0) {
    out.push({
      name: `${table}.enum_values`,
      description: `${enums.map((c) => c.name).join(', ')} take only their listed values`,
      requires: [table],
      sql:
        `SELECT a.rowid AS ord, ${pkText(table, 'a')} || ': ' || concat_ws(', ', ${enums
          .map((c) => `CASE WHEN a.${qi(c.name)} NOT IN (${c.enumValues!.map(lit).join(', ')}) THEN ${lit(c.name + ' = ')} || a.${qi(c.name)} END`)
          .join(', ')}) AS key FROM ${t} a WHERE ${enums
          .map((c) => `a.${qi(c.name)} NOT IN (${c.enumValues!.map(lit).join(', ')})`)
          .join(' OR ')}`,
    });
  }
  const strings = def.columns
    .map((c) => ({ c, len: stringLengthOf(c.type) }))
    .filter((x): x is { c: (typeof def.columns)[number]; len: { length: number; fixed: boolean } } => x.len !== null);
  if (strings.length > 0) {
    const bad = (x: (typeof strings)[number]): string =>
      x.len.fixed
        ? `length(a.${qi(x.c.name)}) <> ${x.len.length}`
        : `length(a.${qi(x.c.name)}) > ${x.len.length}`;
    out.push({
      name: `${table}.string_lengths`,
      description: 'strings fit their VARCHAR(n) (and fill their CHAR(n))',
      requires: [table],
      sql:
        `SELECT a.rowid AS ord, ${pkText(table, 'a')} || ': ' || concat_ws(', ', ${strings
          .map((x) => `CASE WHEN ${bad(x)} THEN ${lit(x.c.name + ' length ')} || length(a.${qi(x.c.name)}) || ${lit(' for ' + x.c.type)} END`)
          .join(', ')}) AS key FROM ${t} a WHERE ${strings.map(bad).join(' OR ')}`,
    });
  }
  const key = intKey(table);
  if (key && table !== 'dates') {
    out.push({
      name: `${table}.dense_keys`,
      description: `${key} is dense: exactly 1..N`,
      requires: [table],
      sql: `SELECT a.${qi(key)} AS ord, ${fmt('{} outside 1..{}', `a.${qi(key)}`, `(SELECT count(*) FROM ${t})`)} AS key FROM ${t} a WHERE a.${qi(key)} < 1 OR a.${qi(key)} > (SELECT count(*) FROM ${t})`,
    });
  }
  if (key) {
    out.push({
      name: `${table}.keys_ascending`,
      description: `${key} increases in file order`,
      requires: [table],
      sql:
        `SELECT ord, ${fmt('{} after {}', 'k', 'p')} AS key FROM (SELECT rowid AS ord, ${qi(key)} AS k, ` +
        `lag(${qi(key)}) OVER (ORDER BY rowid) AS p FROM ${t}) WHERE k <= p`,
    });
  }
  return out;
}

/** One check per relationship: the column's non-null values all exist in the referenced column. */
export function foreignKeyCheck(table: string, column: string, references: string): Check {
  const name = `fk.${table}.${column}`;
  const child = TABLES[table as TableName];
  const ref = parseReference(references);
  if (!child || !child.columns.some((c) => c.name === column) || !ref) {
    return {
      name,
      description: `${table}.${column} references ${references}`,
      requires: [],
      sql: `SELECT 0 AS ord, ${lit(`relationship ${table}.${column} → ${references} names a table or column the dictionary does not have`)} AS key`,
    };
  }
  const c = qi(column);
  return {
    name,
    description: `every ${table}.${column} exists in ${references}`,
    requires: [table, ref.table],
    sql:
      `SELECT a.rowid AS ord, ${pkText(child.name, 'a')} || ': ' || ${lit(column + ' = ')} || ${s(`a.${c}`)} AS key ` +
      `FROM ${qi(table)} a WHERE a.${c} IS NOT NULL AND NOT EXISTS ` +
      `(SELECT 1 FROM ${qi(ref.table)} p WHERE p.${qi(ref.column)} = a.${c})`,
  };
}

const H = ORDER_HEADERS;

/**
 * The reference ZIP codes as SQL VALUES of (zip, state), from the same pinned package the
 * generator reads (core/geography.ts), so "ZIP ↔ state" is checked against real data.
 */
function referenceZipValues(): string {
  const g = referenceGeography();
  const rows: string[] = [];
  for (let z = 0; z < g.geoZipCode.length; z++) rows.push(`('${String(g.geoZipCode[z]).padStart(5, '0')}', '${GEO_STATES[g.geoCityState[g.geoZipCity[z]]]}')`);
  return `(VALUES ${rows.join(', ')}) ref(zip, state)`;
}

/** The area codes of every state as SQL VALUES of (area, state). */
function referenceAreaCodeValues(): string {
  const g = referenceGeography();
  const rows: string[] = [];
  for (let st = 0; st < GEO_STATES.length; st++) {
    for (let k = g.geoAreaOffsets[st]; k < g.geoAreaOffsets[st + 1]; k++) rows.push(`('${g.geoAreaCodes[k]}', '${GEO_STATES[st]}')`);
  }
  return `(VALUES ${rows.join(', ')}) ref(area, state)`;
}

/** Checks that a table's (zip_code, state) is a real ZIP code of that state. */
function zipStateCheck(table: 'customers' | 'stores', key: string): Check {
  return {
    name: `${table}.zip_state`,
    description: 'zip_code is a real US ZIP code of the row\'s state (reference: the zipcodes package)',
    requires: [table],
    sql:
      `SELECT t.${key} AS ord, ${fmt('{}: ZIP {} in {} (reference: {})', `t.${key}`, 't.zip_code', 't.state', "coalesce(ref.state, 'no such ZIP')")} AS key ` +
      `FROM ${table} t LEFT JOIN ${referenceZipValues()} ON ref.zip = t.zip_code WHERE ref.state IS DISTINCT FROM t.state`,
  };
}

/** The cross-table and business-rule checks of SPEC §1, in table order. */
function ruleChecks(): Check[] {
  const lineSums = `SELECT order_id, count(*) AS line_count, sum(quantity) AS total_quantity, sum(quantity * unit_price) AS gross_amount, sum(discount_amount) AS discount_amount, sum(line_total) AS order_total FROM transactions_raw GROUP BY order_id`;
  const diff = (col: string, a = 'a', b = 'l'): string =>
    `CASE WHEN ${a}.${col} IS DISTINCT FROM ${b}.${col} THEN ${fmt(`${col} {} ≠ Σ lines {}`, `${a}.${col}`, `${b}.${col}`)} END`;
  const sumCheck = (table: 'order_aggregates' | 'orders', cols: string[]): string =>
    `WITH l AS (${lineSums}) SELECT coalesce(a.order_id, l.order_id) AS ord, ` +
    `${fmt('order {}: ', 'coalesce(a.order_id, l.order_id)')} || concat_ws('; ', ` +
    `CASE WHEN a.order_id IS NULL THEN 'lines but no ${table} row' END, CASE WHEN l.order_id IS NULL THEN 'no lines' END, ` +
    `${cols.map((c) => diff(c)).join(', ')}) AS key ` +
    `FROM ${table} a FULL OUTER JOIN l ON l.order_id = a.order_id WHERE a.order_id IS NULL OR l.order_id IS NULL OR ` +
    cols.map((c) => `a.${c} IS DISTINCT FROM l.${c}`).join(' OR ');

  return [
    // dimensions
    {
      name: 'customers.email_unique',
      description: 'customer emails are unique',
      requires: ['customers'],
      sql: `SELECT ord, key FROM (SELECT rowid AS ord, ${fmt('{}: {}', 'customer_id', 'email')} AS key, count(*) OVER (PARTITION BY email) AS n FROM customers WHERE email IS NOT NULL) WHERE n > 1`,
    },
    {
      name: 'customers.signup_before_calendar',
      description: 'sign-up dates fall before the first calendar day',
      requires: ['customers', 'dates'],
      sql: `SELECT customer_id AS ord, ${fmt('{}: signup {} ≥ first day {}', 'customer_id', 'signup_date', 'd.first')} AS key FROM customers, (SELECT min("date") AS first FROM dates) d WHERE signup_date >= d.first`,
    },
    zipStateCheck('customers', 'customer_id'),
    zipStateCheck('stores', 'store_id'),
    {
      name: 'geography.zip_one_place',
      description: 'each ZIP code has one city and one state across customers and stores',
      requires: ['customers', 'stores'],
      sql:
        `SELECT zip_code AS ord, ${fmt('ZIP {} in {} places', 'zip_code', 'count(DISTINCT (city, state))')} AS key FROM ` +
        `(SELECT zip_code, city, state FROM customers UNION ALL SELECT zip_code, city, state FROM stores) GROUP BY zip_code HAVING count(DISTINCT (city, state)) > 1`,
    },
    {
      name: 'customers.phone_area_code',
      description: 'the phone\'s area code is one of the customer\'s state',
      requires: ['customers'],
      sql:
        `SELECT c.customer_id AS ord, ${fmt('{}: phone {} in {}', 'c.customer_id', 'c.phone', 'c.state')} AS key FROM customers c ` +
        `WHERE NOT EXISTS (SELECT 1 FROM ${referenceAreaCodeValues()} WHERE ref.area = substr(c.phone, 1, 3) AND ref.state = c.state)`,
    },
    {
      name: 'products.cost_price',
      description: '0 < cost < price',
      requires: ['products'],
      sql: `SELECT product_id AS ord, ${fmt('{}: cost {} price {}', 'product_id', 'cost', 'price')} AS key FROM products WHERE NOT (cost > 0 AND cost < price)`,
    },
    {
      name: 'products.sub_category',
      description: 'each sub-category belongs to exactly one category',
      requires: ['products'],
      sql: `SELECT sub_category AS ord, ${fmt('{} in {} categories', 'sub_category', 'count(DISTINCT category)')} AS key FROM products GROUP BY sub_category HAVING count(DISTINCT category) > 1`,
    },
    {
      name: 'promotions.discount_rate',
      description: 'discount_rate in (0, 0.50]',
      requires: ['promotions'],
      sql: `SELECT promotion_id AS ord, ${fmt('{}: rate {}', 'promotion_id', 'discount_rate')} AS key FROM promotions WHERE NOT (discount_rate > 0 AND discount_rate <= 0.50)`,
    },
    {
      name: 'promotions.window',
      description: 'start_date ≤ end_date, both inside the calendar',
      requires: ['promotions', 'dates'],
      sql: `SELECT promotion_id AS ord, ${fmt('{}: {}..{} (calendar {}..{})', 'promotion_id', 'start_date', 'end_date', 'd.lo', 'd.hi')} AS key FROM promotions, (SELECT min("date") AS lo, max("date") AS hi FROM dates) d WHERE NOT (start_date <= end_date AND start_date >= d.lo AND end_date <= d.hi)`,
    },
    {
      name: 'stores.region',
      description: 'region is the US census region of the store\'s state',
      requires: ['stores'],
      sql:
        `SELECT store_id AS ord, ${fmt('{}: state {} region {} (census region {})', 'store_id', 'st.state', 'st.region', 'r.region')} AS key ` +
        `FROM stores st LEFT JOIN (VALUES ${CENSUS_REGION_STATES.flatMap((states, i) => states.map((state) => `(${lit(state)}, ${lit(REGIONS[i]!)})`)).join(', ')}) r(state, region) ` +
        `ON r.state = st.state WHERE r.region IS DISTINCT FROM st.region`,
    },
    {
      name: 'dates.date_unique',
      description: 'calendar dates are unique',
      requires: ['dates'],
      sql: `SELECT ord, key FROM (SELECT rowid AS ord, ${fmt('{}: {}', 'date_id', '"date"')} AS key, count(*) OVER (PARTITION BY "date") AS n FROM dates) WHERE n > 1`,
    },
    {
      name: 'dates.contiguous',
      description: 'dates have no gap and date_id = yyyymmdd of date',
      requires: ['dates'],
      sql:
        `SELECT date_id AS ord, ${s('date_id')} || ': ' || concat_ws('; ', ` +
        `CASE WHEN date_id IS DISTINCT FROM year("date") * 10000 + month("date") * 100 + day("date") THEN ${fmt('date_id ≠ yyyymmdd of {}', '"date"')} END, ` +
        `CASE WHEN nxt IS NOT NULL AND nxt <> "date" + 1 THEN ${fmt('next date after {} is {}', '"date"', 'nxt')} END) AS key ` +
        `FROM (SELECT date_id, "date", lead("date") OVER (ORDER BY "date") AS nxt FROM dates) ` +
        `WHERE date_id IS DISTINCT FROM year("date") * 10000 + month("date") * 100 + day("date") OR (nxt IS NOT NULL AND nxt <> "date" + 1)`,
    },
    {
      name: 'dates.calendar_attributes',
      description: 'day_of_week, day_of_month, ISO week_of_year, month, month_name, quarter, year, is_weekend match the date',
      requires: ['dates'],
      sql:
        `SELECT date_id AS ord, ${s('date_id')} || ': ' || concat_ws(', ', ` +
        [
          ['day_of_week', 'dayname("date")'],
          ['day_of_month', 'day("date")'],
          ['week_of_year', 'week("date")'],
          ['month', 'month("date")'],
          ['month_name', 'monthname("date")'],
          ['quarter', 'quarter("date")'],
          ['year', 'year("date")'],
          ['is_weekend', 'isodow("date") >= 6'],
        ]
          .map(([c, e]) => `CASE WHEN ${qi(c!)} IS DISTINCT FROM ${e} THEN ${fmt(`${c} {} ≠ {}`, qi(c!), e!)} END`)
          .join(', ') +
        `) AS key FROM dates WHERE day_of_week IS DISTINCT FROM dayname("date") OR day_of_month IS DISTINCT FROM day("date") ` +
        `OR week_of_year IS DISTINCT FROM week("date") OR "month" IS DISTINCT FROM month("date") OR month_name IS DISTINCT FROM monthname("date") ` +
        `OR quarter IS DISTINCT FROM quarter("date") OR "year" IS DISTINCT FROM year("date") OR is_weekend IS DISTINCT FROM (isodow("date") >= 6)`,
    },
    {
      name: 'dates.is_holiday',
      description: 'is_holiday is true exactly on US federal holidays (on their calendar day) and Black Friday',
      requires: ['dates'],
      sql: `SELECT date_id AS ord, ${fmt('{}: is_holiday {}', '"date"', 'is_holiday')} AS key FROM dates WHERE is_holiday IS DISTINCT FROM (${HOLIDAY_SQL})`,
    },
    // order lines
    {
      name: 'transactions_raw.quantity_range',
      description: 'quantity in 1..10',
      requires: ['transactions_raw'],
      sql: `SELECT transaction_id AS ord, ${fmt('{}: quantity {}', 'transaction_id', 'quantity')} AS key FROM transactions_raw WHERE quantity NOT BETWEEN 1 AND 10`,
    },
    {
      name: 'transactions_raw.line_total',
      description: 'line_total = quantity × unit_price − discount_amount (exact to the cent)',
      requires: ['transactions_raw'],
      sql: `SELECT transaction_id AS ord, ${fmt('{}: line_total {} ≠ {} × {} − {}', 'transaction_id', 'line_total', 'quantity', 'unit_price', 'discount_amount')} AS key FROM transactions_raw WHERE line_total IS DISTINCT FROM quantity * unit_price - discount_amount`,
    },
    {
      name: 'transactions_raw.unit_price',
      description: 'unit_price = the product price',
      requires: ['transactions_raw', 'products'],
      sql: `SELECT l.transaction_id AS ord, ${fmt('{}: unit_price {} ≠ product {} price {}', 'l.transaction_id', 'l.unit_price', 'p.product_id', 'p.price')} AS key FROM transactions_raw l JOIN products p ON p.product_id = l.product_id WHERE l.unit_price <> p.price`,
    },
    {
      name: 'transactions_raw.discount',
      description: 'discount_amount = quantity × unit_price × discount_rate rounded to the cent, 0 without promotion',
      requires: ['transactions_raw', 'promotions'],
      sql:
        `SELECT l.transaction_id AS ord, ${fmt('{}: discount {} with promotion {} (rate {}) on {} × {}', 'l.transaction_id', 'l.discount_amount', 'l.promotion_id', 'p.discount_rate', 'l.quantity', 'l.unit_price')} AS key ` +
        `FROM transactions_raw l LEFT JOIN promotions p ON p.promotion_id = l.promotion_id ` +
        `WHERE l.discount_amount < 0 OR (l.promotion_id IS NULL AND l.discount_amount <> 0) OR (p.promotion_id IS NOT NULL AND abs(l.discount_amount - l.quantity * l.unit_price * p.discount_rate) > 0.005)`,
    },
    {
      name: 'transactions_raw.promotion_active',
      description: 'a line\'s promotion is active on the order date (start_date ≤ order_date ≤ end_date)',
      requires: ['transactions_raw', H, 'promotions'],
      sql:
        `SELECT l.transaction_id AS ord, ${fmt('{}: promotion {} ({}..{}) on order date {}', 'l.transaction_id', 'l.promotion_id', 'p.start_date', 'p.end_date', 'h.order_date')} AS key ` +
        `FROM transactions_raw l JOIN ${H} h ON h.order_id = l.order_id JOIN promotions p ON p.promotion_id = l.promotion_id ` +
        `WHERE l.promotion_id IS NOT NULL AND NOT (h.order_date BETWEEN p.start_date AND p.end_date)`,
    },
    {
      name: 'transactions_raw.line_numbers',
      description: 'each order has 1–5 lines numbered 1..line_count',
      requires: ['transactions_raw'],
      sql: `SELECT order_id AS ord, ${fmt('order {}: {} lines numbered {}..{}', 'order_id', 'count(*)', 'min(line_number)', 'max(line_number)')} AS key FROM transactions_raw GROUP BY order_id HAVING min(line_number) <> 1 OR max(line_number) <> count(*) OR count(DISTINCT line_number) <> count(*) OR count(*) > 5`,
    },
    {
      name: 'transactions_raw.line_order',
      description: 'transaction_id follows (order_id, line_number) order',
      requires: ['transactions_raw'],
      sql:
        `SELECT transaction_id AS ord, ${fmt('{}: (order {}, line {}) after (order {}, line {})', 'transaction_id', 'order_id', 'line_number', 'po', 'pl')} AS key ` +
        `FROM (SELECT transaction_id, order_id, line_number, lag(order_id) OVER w AS po, lag(line_number) OVER w AS pl FROM transactions_raw WINDOW w AS (ORDER BY transaction_id)) ` +
        `WHERE order_id < po OR (order_id = po AND line_number <= pl)`,
    },
    {
      name: 'transactions_raw.every_order_has_lines',
      description: 'every order has at least one line',
      requires: ['transactions_raw', H],
      sql: `SELECT h.order_id AS ord, ${fmt('order {} has no lines', 'h.order_id')} AS key FROM ${H} h WHERE NOT EXISTS (SELECT 1 FROM transactions_raw l WHERE l.order_id = h.order_id)`,
    },
    // aggregates and orders
    {
      name: 'order_aggregates.sums',
      description: 'line_count, total_quantity, gross_amount, discount_amount, order_total = sums of the order\'s lines, to the cent',
      requires: ['order_aggregates', 'transactions_raw'],
      sql: sumCheck('order_aggregates', ['line_count', 'total_quantity', 'gross_amount', 'discount_amount', 'order_total']),
    },
    {
      name: 'order_aggregates.total_identity',
      description: 'order_total = gross_amount − discount_amount',
      requires: ['order_aggregates'],
      sql: `SELECT order_id AS ord, ${fmt('order {}: {} ≠ {} − {}', 'order_id', 'order_total', 'gross_amount', 'discount_amount')} AS key FROM order_aggregates WHERE order_total IS DISTINCT FROM gross_amount - discount_amount`,
    },
    {
      name: 'order_aggregates.covers_orders',
      description: 'one aggregate row for every order',
      requires: ['order_aggregates', H],
      sql: `SELECT h.order_id AS ord, ${fmt('order {} has no aggregate', 'h.order_id')} AS key FROM ${H} h WHERE NOT EXISTS (SELECT 1 FROM order_aggregates a WHERE a.order_id = h.order_id)`,
    },
    {
      name: 'orders.sums',
      description: 'orders\' line_count, total_quantity, order_total = sums of their lines, to the cent',
      requires: ['orders', 'transactions_raw'],
      sql: sumCheck('orders', ['line_count', 'total_quantity', 'order_total']),
    },
    {
      name: 'orders.matches_raw_orders',
      description: 'orders hold exactly the raw orders, with the same customer, store and date',
      requires: ['orders', 'raw_orders'],
      sql:
        `SELECT coalesce(o.order_id, r.order_id) AS ord, ${fmt('order {}: ', 'coalesce(o.order_id, r.order_id)')} || concat_ws('; ', ` +
        `CASE WHEN o.order_id IS NULL THEN 'missing from orders' END, CASE WHEN r.order_id IS NULL THEN 'missing from raw_orders' END, ` +
        ['customer_id', 'store_id', 'order_date']
          .map((c) => `CASE WHEN o.order_id IS NOT NULL AND r.order_id IS NOT NULL AND o.${c} IS DISTINCT FROM r.${c} THEN ${fmt(`${c} {} ≠ raw {}`, `o.${c}`, `r.${c}`)} END`)
          .join(', ') +
        `) AS key FROM orders o FULL OUTER JOIN raw_orders r ON r.order_id = o.order_id ` +
        `WHERE o.order_id IS NULL OR r.order_id IS NULL OR o.customer_id IS DISTINCT FROM r.customer_id OR o.store_id IS DISTINCT FROM r.store_id OR o.order_date IS DISTINCT FROM r.order_date`,
    },
    {
      name: 'orders.status_returned',
      description: 'status is \'Returned\' exactly when the order has a return',
      requires: ['orders', 'returns'],
      sql:
        `SELECT o.order_id AS ord, ${fmt('order {}: status {} with {} returns', 'o.order_id', 'o.status', 'coalesce(r.n, 0)')} AS key ` +
        `FROM orders o LEFT JOIN (SELECT order_id, count(*) AS n FROM returns GROUP BY order_id) r ON r.order_id = o.order_id ` +
        `WHERE (o.status = 'Returned') IS DISTINCT FROM (r.n IS NOT NULL)`,
    },
    // inventory
    {
      name: 'inventory.grid',
      description: 'one inventory row for every store × product',
      requires: ['inventory', 'stores', 'products'],
      sql:
        `SELECT [s.store_id, p.product_id] AS ord, ${fmt('({}, {}) has no inventory row', 's.store_id', 'p.product_id')} AS key FROM stores s CROSS JOIN products p ` +
        `WHERE NOT EXISTS (SELECT 1 FROM inventory i WHERE i.store_id = s.store_id AND i.product_id = p.product_id)`,
    },
    {
      name: 'inventory.units_sold',
      description: 'units_sold = Σ quantity of the lines per (store, product), cancelled orders not counted; pairs without sales sold 0',
      requires: ['inventory', 'transactions_raw', 'orders'],
      sql:
        `WITH x AS (SELECT h.store_id, l.product_id, sum(l.quantity) AS sold FROM transactions_raw l JOIN orders h ON h.order_id = l.order_id WHERE h.status <> 'Cancelled' GROUP BY h.store_id, l.product_id) ` +
        `SELECT [coalesce(i.store_id, x.store_id), coalesce(i.product_id, x.product_id)] AS ord, ` +
        `${fmt('({}, {}): units_sold {} ≠ Σ quantity {}', 'coalesce(i.store_id, x.store_id)', 'coalesce(i.product_id, x.product_id)', 'i.units_sold', 'coalesce(x.sold, 0)')} AS key ` +
        `FROM inventory i FULL OUTER JOIN x ON x.store_id = i.store_id AND x.product_id = i.product_id WHERE i.units_sold IS DISTINCT FROM coalesce(x.sold, 0)`,
    },
    {
      name: 'inventory.stock_balance',
      description: 'closing_stock = opening_stock − units_sold + units_received',
      requires: ['inventory'],
      sql: `SELECT [store_id, product_id] AS ord, ${fmt('({}, {}): closing {} ≠ {} − {} + {}', 'store_id', 'product_id', 'closing_stock', 'opening_stock', 'units_sold', 'units_received')} AS key FROM inventory WHERE closing_stock IS DISTINCT FROM opening_stock - units_sold + units_received`,
    },
    {
      name: 'inventory.closing_stock_nonnegative',
      description: 'closing_stock ≥ 0',
      requires: ['inventory'],
      sql: `SELECT [store_id, product_id] AS ord, ${fmt('({}, {}): closing_stock {}', 'store_id', 'product_id', 'closing_stock')} AS key FROM inventory WHERE closing_stock < 0`,
    },
    {
      name: 'inventory.nonnegative',
      description: 'opening_stock, units_sold, units_received ≥ 0',
      requires: ['inventory'],
      sql: `SELECT [store_id, product_id] AS ord, ${fmt('({}, {}): opening {} sold {} received {}', 'store_id', 'product_id', 'opening_stock', 'units_sold', 'units_received')} AS key FROM inventory WHERE opening_stock < 0 OR units_sold < 0 OR units_received < 0`,
    },
    {
      name: 'inventory.restock_date',
      description: 'last_restock_date is set exactly when units were received',
      requires: ['inventory'],
      sql: `SELECT [store_id, product_id] AS ord, ${fmt('({}, {}): received {} last_restock_date {}', 'store_id', 'product_id', 'units_received', 'last_restock_date')} AS key FROM inventory WHERE (units_received > 0) IS DISTINCT FROM (last_restock_date IS NOT NULL)`,
    },
    // returns
    {
      name: 'returns.date_window',
      description: 'order_date ≤ return_date ≤ order_date + 30 days',
      requires: ['returns', H],
      sql: `SELECT r.return_id AS ord, ${fmt('{}: returned {} for order {} of {}', 'r.return_id', 'r.return_date', 'r.order_id', 'h.order_date')} AS key FROM returns r JOIN ${H} h ON h.order_id = r.order_id WHERE r.return_date < h.order_date OR r.return_date > h.order_date + 30`,
    },
    {
      name: 'returns.date_in_calendar',
      description: 'return_date lies within the date dimension (the return window is cut at its last day)',
      requires: ['returns', 'dates'],
      sql: `SELECT r.return_id AS ord, ${fmt('{}: returned {} (calendar {}..{})', 'r.return_id', 'r.return_date', 'd.lo', 'd.hi')} AS key FROM returns r, (SELECT min("date") AS lo, max("date") AS hi FROM dates) d WHERE r.return_date < d.lo OR r.return_date > d.hi`,
    },
    {
      name: 'orders.cancelled_not_returned',
      description: 'a Cancelled order has no return',
      requires: ['orders', 'returns'],
      sql: `SELECT o.order_id AS ord, ${fmt('order {}: Cancelled with a return', 'o.order_id')} AS key FROM orders o WHERE o.status = 'Cancelled' AND EXISTS (SELECT 1 FROM returns r WHERE r.order_id = o.order_id)`,
    },
    {
      name: 'returns.quantity',
      description: '1 ≤ quantity_returned ≤ the line\'s quantity',
      requires: ['returns', 'transactions_raw'],
      sql: `SELECT r.return_id AS ord, ${fmt('{}: quantity_returned {} of line {} quantity {}', 'r.return_id', 'r.quantity_returned', 'r.transaction_id', 'l.quantity')} AS key FROM returns r LEFT JOIN transactions_raw l ON l.transaction_id = r.transaction_id WHERE r.quantity_returned < 1 OR r.quantity_returned > l.quantity`,
    },
    {
      name: 'returns.quantity_per_line',
      description: 'Σ quantity_returned per line ≤ the line\'s quantity',
      requires: ['returns', 'transactions_raw'],
      sql: `SELECT r.transaction_id AS ord, ${fmt('line {}: {} returned of {}', 'r.transaction_id', 'sum(r.quantity_returned)', 'any_value(l.quantity)')} AS key FROM returns r JOIN transactions_raw l ON l.transaction_id = r.transaction_id GROUP BY r.transaction_id HAVING sum(r.quantity_returned) > any_value(l.quantity)`,
    },
    {
      name: 'returns.refund',
      description: '0 ≤ refund_amount ≤ the line\'s line_total',
      requires: ['returns', 'transactions_raw'],
      sql: `SELECT r.return_id AS ord, ${fmt('{}: refund {} of line_total {}', 'r.return_id', 'r.refund_amount', 'l.line_total')} AS key FROM returns r LEFT JOIN transactions_raw l ON l.transaction_id = r.transaction_id WHERE r.refund_amount < 0 OR r.refund_amount > l.line_total`,
    },
    {
      name: 'returns.refund_pro_rata',
      description: 'refund_amount = floor(line_total × quantity_returned / quantity), in cents',
      requires: ['returns', 'transactions_raw'],
      sql:
        `SELECT r.return_id AS ord, ${fmt('{}: refund {} for {} of {} × line_total {}', 'r.return_id', 'r.refund_amount', 'r.quantity_returned', 'l.quantity', 'l.line_total')} AS key ` +
        `FROM returns r JOIN transactions_raw l ON l.transaction_id = r.transaction_id ` +
        `WHERE l.quantity > 0 AND l.line_total >= 0 AND r.quantity_returned >= 0 AND ` +
        `CAST(r.refund_amount * 100 AS BIGINT) <> (CAST(l.line_total * 100 AS BIGINT) * r.quantity_returned) // l.quantity`,
    },
    {
      name: 'returns.matches_line',
      description: 'a return\'s order, product and store match its line and order',
      requires: ['returns', 'transactions_raw', H],
      sql:
        `SELECT r.return_id AS ord, ${fmt('return {}: ', 'r.return_id')} || concat_ws('; ', ` +
        `CASE WHEN r.order_id IS DISTINCT FROM l.order_id THEN ${fmt('order_id {} ≠ line\'s {}', 'r.order_id', 'l.order_id')} END, ` +
        `CASE WHEN r.product_id IS DISTINCT FROM l.product_id THEN ${fmt('product_id {} ≠ line\'s {}', 'r.product_id', 'l.product_id')} END, ` +
        `CASE WHEN r.store_id IS DISTINCT FROM h.store_id THEN ${fmt('store_id {} ≠ order\'s {}', 'r.store_id', 'h.store_id')} END) AS key ` +
        `FROM returns r JOIN transactions_raw l ON l.transaction_id = r.transaction_id LEFT JOIN ${H} h ON h.order_id = l.order_id ` +
        `WHERE r.order_id IS DISTINCT FROM l.order_id OR r.product_id IS DISTINCT FROM l.product_id OR r.store_id IS DISTINCT FROM h.store_id`,
    },
    {
      name: 'returns.line_order',
      description: 'return_id follows transaction_id order',
      requires: ['returns'],
      sql:
        `SELECT return_id AS ord, ${fmt('{}: line {} after line {}', 'return_id', 'transaction_id', 'p')} AS key ` +
        `FROM (SELECT return_id, transaction_id, lag(transaction_id) OVER (ORDER BY return_id) AS p FROM returns) WHERE transaction_id < p`,
    },
  ];
}

/** Every SQL check: per-table checks in TABLE_NAMES order, then business rules, then relationships. */
export function buildChecks(relationships: readonly { table: string; column: string; references: string }[]): Check[] {
  const checks: Check[] = [];
  for (const t of TABLE_NAMES) checks.push(...tableChecks(t));
  checks.push(...ruleChecks());
  for (const r of relationships) checks.push(foreignKeyCheck(r.table, r.column, r.references));
  return checks;
}
