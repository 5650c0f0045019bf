// The realism effects of issue 13, measured from the generated files through DuckDB: each within a
// tolerance that shrinks with the scale factor (SF 0.3, 1 and 10; docs/realism.md has the figures),
// and again under non-default configs that turn the effects off, which proves that each key
// drives its effect. Also: config/default.yaml is exactly the built-in defaults.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfigFile } from '../src/config/config.js';
import { STATE_POPULATION_2020 } from '../src/core/censusPopulation.js';
import { scaledQuantityWeights } from '../src/core/facts.js';
import { CATEGORIES } from '../src/core/locale.js';
import { LOYALTY_STATUSES } from '../src/core/tables.js';
import { ROOT, generate, runCli, tempDir } from './helpers/dwgen.js';

const D = DEFAULT_CONFIG;
/** The reference ZIP table, read straight from its package: an independent source of each ZIP's place. */
const zipcodes = createRequire(import.meta.url)('zipcodes') as { lookup(zip: string): { latitude: number; longitude: number; state: string } | undefined };
const TABLES = ['customers', 'products', 'stores', 'dates', 'orders', 'transactions_raw', 'returns', 'inventory'];

async function open(dir: string): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  for (const t of TABLES) {
    const types = t === 'customers' ? ", types={'zip_code': 'VARCHAR', 'phone': 'VARCHAR'}" : t === 'stores' ? ", types={'zip_code': 'VARCHAR'}" : '';
    await conn.run(`CREATE VIEW ${t} AS SELECT * FROM read_csv('${join(dir, 'data', `${t}.csv`)}', header = true${types})`);
  }
  return { instance, conn };
}

async function all(conn: DuckDBConnection, sql: string): Promise<Record<string, number | string>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS().map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : String(v)])),
  );
}
const one = async (conn: DuckDBConnection, sql: string): Promise<Record<string, number | string>> => (await all(conn, sql))[0]!;
const n = (v: number | string | undefined): number => Number(v);

/** The US census regions of the states (any other state, and DC, is in the South). */
const CENSUS_REGIONS: [string, string[]][] = [
  ['Northeast', ['CT', 'ME', 'MA', 'NH', 'RI', 'VT', 'NJ', 'NY', 'PA']],
  ['Midwest', ['IL', 'IN', 'MI', 'OH', 'WI', 'IA', 'KS', 'MN', 'MO', 'NE', 'ND', 'SD']],
  ['West', ['AZ', 'CO', 'ID', 'MT', 'NV', 'NM', 'UT', 'WY', 'AK', 'CA', 'HI', 'OR', 'WA']],
];
const REGION_SQL = `CASE ${CENSUS_REGIONS.map(([r, states]) => `WHEN state IN (${states.map((st) => `'${st}'`).join(',')}) THEN '${r}'`).join(' ')} ELSE 'South' END`;
const regionOf = (state: string): string => CENSUS_REGIONS.find(([, states]) => states.includes(state))?.[0] ?? 'South';

/** Every measured effect of one dataset. */
async function measure(conn: DuckDBConnection) {
  const units = await one(conn,
    `WITH u AS (SELECT product_id, sum(quantity) AS q, sum(line_total) AS r FROM transactions_raw GROUP BY 1), ` +
    `k AS (SELECT q, row_number() OVER (ORDER BY q DESC, product_id) AS rk, count(*) OVER () AS n FROM u) ` +
    `SELECT (SELECT sum(q) FROM k WHERE rk <= greatest(1, round(n / 100))) / (SELECT sum(q) FROM u) AS head, max(q) / sum(q) AS max_units, max(r) / sum(r) AS max_revenue FROM u`);
  const tiers = await all(conn,
    `SELECT c.loyalty_status AS tier, count(o.order_id) / count(DISTINCT c.customer_id) AS opc, avg(o.total_quantity) AS basket ` +
    `FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id GROUP BY 1`);
  const tier = (t: string) => tiers.find((x) => x.tier === t)!;
  // Orders per day of each month over orders per day of the year, against the month weights.
  const months = await all(conn,
    `SELECT month(d."date") AS m, count(o.order_id) / count(DISTINCT d."date") / (SELECT count(*) / count(DISTINCT order_date) FROM orders) AS rel ` +
    `FROM dates d LEFT JOIN orders o ON o.order_date = d."date" GROUP BY 1 ORDER BY 1`);
  // Orders per ordinary weekday (no weekend, no holiday) of each month: the monthly curve alone,
  // without the months' different numbers of weekend days.
  const monthWeekdays = await all(conn,
    `SELECT month(d."date") AS m, count(o.order_id) / count(DISTINCT d."date") AS per_day ` +
    `FROM dates d LEFT JOIN orders o ON o.order_date = d."date" WHERE NOT d.is_weekend AND NOT d.is_holiday GROUP BY 1 ORDER BY 1`);
  // Weekend vs weekday per day, ordinary days of January to October (no ramp, no holiday).
  const weekday = await one(conn,
    `WITH d AS (SELECT "date", is_weekend FROM dates WHERE NOT is_holiday AND month("date") <= 10), ` +
    `c AS (SELECT d.is_weekend, d."date", count(o.order_id) AS n FROM d LEFT JOIN orders o ON o.order_date = d."date" GROUP BY 1, 2) ` +
    `SELECT avg(n) FILTER (WHERE is_weekend) / avg(n) FILTER (WHERE NOT is_weekend) AS ratio FROM c`);
  const blackFriday = await one(conn,
    `WITH c AS (SELECT order_date, count(*) AS n FROM orders WHERE month(order_date) = 11 AND dayname(order_date) = 'Friday' GROUP BY 1) ` +
    `SELECT max(n) FILTER (WHERE order_date = DATE '2024-11-29') / avg(n) FILTER (WHERE order_date <> DATE '2024-11-29') AS ratio FROM c`);
  const topDays = (await all(conn, `SELECT CAST(order_date AS VARCHAR) AS d, count(*) AS n FROM orders GROUP BY 1 ORDER BY n DESC, d LIMIT 5`)).map((r) => String(r.d));
  const region = await one(conn,
    `SELECT avg(CASE WHEN c.region = s.region THEN 1 ELSE 0 END) AS share FROM orders o ` +
    `JOIN (SELECT customer_id, ${REGION_SQL} AS region FROM customers) c ON c.customer_id = o.customer_id JOIN stores s ON s.store_id = o.store_id`);
  const returnRates = await all(conn,
    `SELECT p.category, count(r.return_id) / count(*) AS rate, count(*) AS lines FROM transactions_raw l JOIN products p ON p.product_id = l.product_id ` +
    `JOIN orders o ON o.order_id = l.order_id LEFT JOIN returns r ON r.transaction_id = l.transaction_id WHERE o.status IN ('Completed', 'Returned') GROUP BY 1`);
  const lift = await one(conn, `SELECT avg(quantity) FILTER (WHERE promotion_id IS NOT NULL) / avg(quantity) FILTER (WHERE promotion_id IS NULL) AS ratio FROM transactions_raw`);
  const endings = await one(conn, `SELECT avg(CASE WHEN CAST(round(price * 100) AS BIGINT) % 100 = 99 THEN 1 ELSE 0 END) AS p99, avg(CASE WHEN CAST(round(price * 100) AS BIGINT) % 100 = 0 THEN 1 ELSE 0 END) AS p00 FROM products`);
  // Mean quantity per line by tier and promotion, with each tier's share of the lines: what the
  // basket and lift figures are expected to be under the config's factors.
  const lineMix = await all(conn,
    `SELECT c.loyalty_status AS tier, (l.promotion_id IS NOT NULL) AS promoted, count(*) AS lines, avg(l.quantity) AS q ` +
    `FROM transactions_raw l JOIN orders o ON o.order_id = l.order_id JOIN customers c ON c.customer_id = o.customer_id GROUP BY 1, 2`);
  // The top 1 % of customers by orders: their share of the orders.
  const customerHead = await one(conn,
    `WITH o AS (SELECT customer_id, count(*) AS n FROM orders GROUP BY 1), ` +
    `k AS (SELECT n, row_number() OVER (ORDER BY n DESC, customer_id) AS rk, (SELECT count(*) FROM customers) AS customers FROM o) ` +
    `SELECT sum(n) FILTER (WHERE rk <= greatest(1, round(customers / 100))) / sum(n) AS head FROM k`);
  // Holidays other than Thanksgiving, Black Friday and Christmas (all on weekdays in 2024), and
  // Thanksgiving, each against the ordinary days of the same month and weekday.
  const holidays = await one(conn,
    `WITH d AS (SELECT "date", month("date") AS m, dayofweek("date") AS w, is_holiday AS h FROM dates), ` +
    `n AS (SELECT d."date", any_value(d.m) AS m, any_value(d.w) AS w, any_value(d.h) AS h, count(o.order_id) AS n FROM d LEFT JOIN orders o ON o.order_date = d."date" GROUP BY 1), ` +
    `b AS (SELECT m, w, avg(n) AS base FROM n WHERE NOT h GROUP BY 1, 2) ` +
    `SELECT sum(n.n) FILTER (WHERE h AND m <= 11 AND "date" NOT IN (DATE '2024-11-28', DATE '2024-11-29')) / ` +
    `sum(b.base) FILTER (WHERE h AND m <= 11 AND "date" NOT IN (DATE '2024-11-28', DATE '2024-11-29')) AS holiday, ` +
    `max(n.n) FILTER (WHERE "date" = DATE '2024-11-28') / max(b.base) FILTER (WHERE "date" = DATE '2024-11-28') AS thanksgiving ` +
    `FROM n JOIN b USING (m, w)`);
  const states = await one(conn,
    `SELECT count(*) AS customers, count(*) FILTER (WHERE state = 'CA') AS ca, count(*) FILTER (WHERE state = 'NY') AS ny, count(*) FILTER (WHERE state = 'TX') AS tx, ` +
    `(SELECT max(n) FROM (SELECT count(*) AS n FROM customers GROUP BY zip_code)) AS busiest_zip FROM customers`);
  return { units, tier, months, monthWeekdays, weekday, blackFriday, topDays, region, returnRates, lift, endings, lineMix, customerHead, holidays, states, homeStores: await homeStores(conn) };
}

/**
 * Customers with ≥ 5 orders, more than half of them at one store (their home store, by
 * home_store_share 0.8): the share whose store is the nearest store in their census region, by
 * great-circle distance between the ZIPs' reference positions; and the mean distance to it over
 * the mean distance to any store.
 */
async function homeStores(conn: DuckDBConnection): Promise<{ customers: number; nearest: number; distanceRatio: number }> {
  const customers = await all(conn,
    `WITH o AS (SELECT customer_id, store_id, count(*) AS n FROM orders GROUP BY 1, 2), ` +
    `t AS (SELECT customer_id, sum(n) AS orders, arg_max(store_id, n) AS modal, max(n) AS top FROM o GROUP BY 1) ` +
    `SELECT t.customer_id, t.modal, c.zip_code, c.state FROM t JOIN customers c ON c.customer_id = t.customer_id WHERE t.orders >= 5 AND t.top * 2 > t.orders`);
  const stores = (await all(conn, `SELECT store_id, zip_code, ${REGION_SQL} AS r FROM stores`)).map((s) => ({ id: n(s.store_id), region: String(s.r), at: zipcodes.lookup(String(s.zip_code))! }));
  let nearest = 0;
  let toModal = 0;
  let toAny = 0;
  for (const c of customers) {
    const at = zipcodes.lookup(String(c.zip_code))!;
    const inRegion = stores.filter((s) => s.region === regionOf(String(c.state)));
    const pool = inRegion.length > 0 ? inRegion : stores;
    const best = pool.reduce((a, s) => (km(at, s.at) < km(at, a.at) ? s : a));
    if (best.id === n(c.modal)) nearest++;
    toModal += km(at, stores.find((s) => s.id === n(c.modal))!.at);
    toAny += stores.reduce((a, s) => a + km(at, s.at), 0) / stores.length;
  }
  return { customers: customers.length, nearest: nearest / customers.length, distanceRatio: toModal / toAny };
}

/** The mean of the default quantity distribution scaled by `factor` (facts.ts scaledQuantityWeights). */
function meanQuantity(factor: number): number {
  const w = scaledQuantityWeights(D.orders.quantity_weights, factor);
  const total = w.reduce((a, b) => a + b, 0);
  return w.reduce((a, x, i) => a + x * (i + 1), 0) / total;
}

/**
 * The basket (Platinum ÷ Bronze mean quantity per line) and the promotion lift (promoted ÷ other
 * lines' mean quantity) that the default config's factors give, for the measured mix of promoted
 * lines per tier and of tiers among the lines: the figures the data must show, up to sampling noise.
 */
function expectedQuantityRatios(mix: Record<string, number | string>[]): { basket: number; lift: number } {
  const lines = (tier: string, promoted: boolean): number => n(mix.find((r) => r.tier === tier && String(r.promoted) === String(promoted))?.lines ?? 0);
  // Per tier: the expected quantity of its plain and of its promoted lines, and how many there are.
  const expected = LOYALTY_STATUSES.map((t) => {
    const f = D.customers.loyalty_basket_factors[t];
    const [plainN, promotedN] = [lines(t, false), lines(t, true)];
    return { tier: t, plainN, promotedN, plainQ: plainN * meanQuantity(f), promotedQ: promotedN * meanQuantity(f * D.promotions.quantity_lift) };
  });
  const tierMean = (t: string): number => {
    const e = expected.find((x) => x.tier === t)!;
    return (e.plainQ + e.promotedQ) / (e.plainN + e.promotedN);
  };
  const sum = (k: 'plainN' | 'promotedN' | 'plainQ' | 'promotedQ'): number => expected.reduce((a, e) => a + e[k], 0);
  return { basket: tierMean('Platinum') / tierMean('Bronze'), lift: sum('promotedQ') / sum('promotedN') / (sum('plainQ') / sum('plainN')) };
}

/** Great-circle distance in km between two points in degrees. */
function km(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.latitude - a.latitude) * rad) / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(((b.longitude - a.longitude) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * Relative tolerance at a scale factor, as sampling noise shrinks: for a figure over orders (their
 * count ∝ SF) by √SF, so 3.2× tighter at SF 10 than at SF 1 ...
 */
const tol = (sf: number, atOne: number): number => atOne / Math.sqrt(sf);
/** ... and for a figure over products (their count ∝ √SF) by SF^¼. */
const tolProducts = (sf: number, atOne: number): number => atOne / Math.pow(sf, 0.25);

describe.each([0.3, 1, 10])('the default config at SF %s', (sf) => {
  let dir: string;
  let db: { instance: DuckDBInstance; conn: DuckDBConnection };
  let m: Awaited<ReturnType<typeof measure>>;
  beforeAll(async () => {
    dir = generate(['--config', join(ROOT, 'config/default.yaml'), '--scale', String(sf), '--workers', '2']);
    db = await open(dir);
    m = await measure(db.conn);
    // The measured figures, as an artefact (docs/realism.md's table comes from them).
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    const { tier, ...figures } = m;
    const tiers = Object.fromEntries(LOYALTY_STATUSES.map((t) => [t, tier(t)]));
    writeFileSync(join(ROOT, 'test-results', `realism-sf${sf}.json`), JSON.stringify({ sf, ...figures, tiers, expected: expectedQuantityRatios(m.lineMix) }, null, 2) + '\n');
  }, 180_000);
  afterAll(() => db?.conn.closeSync());

  it('popularity: the top 1 % of products take 10–20 % of units; no product above 3 % of units or 3.5 % of revenue', () => {
    expect(n(m.units.head)).toBeGreaterThan(0.09);
    expect(n(m.units.head)).toBeLessThan(0.2);
    expect(n(m.units.max_units)).toBeLessThan(sf >= 1 ? 0.03 : 0.04);
    expect(n(m.units.max_revenue)).toBeLessThan(sf >= 1 ? 0.035 : 0.045);
  });

  it('loyalty: Platinum orders about 2.5× as often as Bronze, with 1.3× bigger baskets (less clipping at 10 units)', () => {
    const freq = n(m.tier('Platinum').opc) / n(m.tier('Bronze').opc);
    const basket = n(m.tier('Platinum').basket) / n(m.tier('Bronze').basket);
    expect(Math.abs(freq / 2.5 - 1)).toBeLessThan(tol(sf, 0.12));
    // The basket factors (1.3 ÷ 1) through the quantity distribution, its 10-unit cap and the promoted lines' share.
    const expected = expectedQuantityRatios(m.lineMix).basket;
    expect(expected).toBeGreaterThan(1.2);
    expect(Math.abs(basket / expected - 1), `basket ${basket} vs ${expected}`).toBeLessThan(tol(sf, 0.04));
    expect(n(m.tier('Silver').opc)).toBeGreaterThan(n(m.tier('Bronze').opc));
    expect(n(m.tier('Gold').opc)).toBeGreaterThan(n(m.tier('Silver').opc));
  });

  it('yearly seasonality: orders per day follow the monthly weights; December and November are the busiest months', () => {
    const rel = m.months.map((r) => n(r.rel));
    const maxOther = Math.max(...rel.slice(0, 10));
    expect(rel[11]).toBeGreaterThan(rel[10]!);
    expect(rel[10]).toBeGreaterThan(maxOther);
    // Months before the holiday ramp: orders per ordinary weekday ∝ the month weight.
    const perDay = m.monthWeekdays.map((r) => n(r.per_day));
    for (const month of [1, 2, 4, 5, 6, 7, 8, 9, 10]) {
      const expected = D.orders.monthly_weights[month - 1]! / D.orders.monthly_weights[2]!;
      expect(Math.abs(perDay[month - 1]! / perDay[2]! / expected - 1), `month ${month}`).toBeLessThan(tol(sf, 0.06));
    }
  });

  it('weekly seasonality: a weekend day gets weekend_weight (1.4) × a weekday\'s orders', () => {
    expect(Math.abs(n(m.weekday.ratio) / D.orders.weekend_weight - 1)).toBeLessThan(tol(sf, 0.05));
  });

  it('customer skew: the top 1 % of customers place about 15 % of the orders (popularity_skew 0.6)', () => {
    expect(n(m.customerHead.head)).toBeGreaterThan(0.1);
    expect(n(m.customerHead.head)).toBeLessThan(0.22);
  });

  it('holidays: the other federal holidays get holiday_weight (1.3) × an ordinary day\'s orders, Thanksgiving closed_holiday_weight (0.4)', () => {
    expect(Math.abs(n(m.holidays.holiday) / D.orders.holiday_weight - 1), `holidays ${m.holidays.holiday}`).toBeLessThan(tol(sf, 0.08));
    expect(Math.abs(n(m.holidays.thanksgiving) / D.orders.closed_holiday_weight - 1), `Thanksgiving ${m.holidays.thanksgiving}`).toBeLessThan(tol(sf, 0.35));
  });

  it('holidays: Black Friday ≈ black_friday_weight × another November Friday; the busiest days are Black Friday and the days before Christmas', () => {
    expect(Math.abs(n(m.blackFriday.ratio) / D.orders.black_friday_weight - 1)).toBeLessThan(tol(sf, 0.12));
    for (const d of m.topDays) expect(d === '2024-11-29' || (d >= '2024-12-14' && d <= '2024-12-24'), d).toBe(true);
    expect(m.topDays).toContain('2024-11-29');
  });

  it('geography: about 80 % of orders go to the home store, so ≥ 80 % are in the customer\'s census region', () => {
    expect(n(m.region.share)).toBeGreaterThan(D.orders.home_store_share);
    expect(n(m.region.share)).toBeLessThan(D.orders.home_store_share + (1 - D.orders.home_store_share) * 0.6);
  });

  it('geography: customers follow population (each state its 2020 Census share; the most populous states lead); stores follow customers by region', async () => {
    const byState = await all(db.conn, `SELECT state, count(*) AS n FROM customers GROUP BY 1 ORDER BY n DESC, state LIMIT 5`);
    // The seven most populous states (2020 census: CA, TX, FL, NY, PA, IL, OH) hold the five largest customer counts.
    for (const r of byState) expect(['CA', 'TX', 'FL', 'NY', 'PA', 'IL', 'OH'], String(r.state)).toContain(r.state);
    expect(byState[0]!.state).toBe('CA');
    // Each state's customers: its share of the 2020 Census population, within 4 binomial standard deviations.
    const customers = n(m.states.customers);
    const counts = new Map((await all(db.conn, `SELECT state, count(*) AS n FROM customers GROUP BY 1`)).map((r) => [String(r.state), n(r.n)]));
    const us = Object.values(STATE_POPULATION_2020).reduce((a, b) => a + b, 0);
    for (const [st, people] of Object.entries(STATE_POPULATION_2020)) {
      const expected = (customers * people) / us;
      const sd = Math.sqrt(expected * (1 - people / us));
      expect(Math.abs((counts.get(st) ?? 0) - expected), `${st}: ${counts.get(st) ?? 0} customers, ${expected.toFixed(0)} expected`).toBeLessThan(4 * sd + 1);
    }
    // No ZIP stands out: the busiest holds a small multiple of the most populous ZIP's share (0.04 % of
    // the people), more at small scales where a few customers make a ZIP the busiest by chance.
    // (ZIP 10048 alone held 0.67 % of the customers before the census calibration.)
    expect(n(m.states.busiest_zip) / customers).toBeLessThan(sf >= 10 ? 0.001 : 0.004);
    const regions = await all(db.conn,
      `WITH c AS (SELECT ${REGION_SQL} AS r, count(*) / (SELECT count(*) FROM customers) AS share FROM customers GROUP BY 1), ` +
      `s AS (SELECT ${REGION_SQL} AS r, count(*) / (SELECT count(*) FROM stores) AS share FROM stores GROUP BY 1) ` +
      `SELECT c.r, c.share AS customers, coalesce(s.share, 0) AS stores FROM c LEFT JOIN s ON s.r = c.r`);
    expect(regions).toHaveLength(4);
    for (const r of regions) expect(Math.abs(n(r.stores) - n(r.customers)), `${r.r}: ${r.stores} of stores, ${r.customers} of customers`).toBeLessThan(sf >= 1 ? 0.12 : 0.2);
  });

  it('geography: a customer\'s most frequent store (≥ 5 orders, over half of them at it) is the nearest store in its census region (great-circle distance from the ZIPs)', () => {
    expect(m.homeStores.customers).toBeGreaterThan(200);
    expect(m.homeStores.nearest).toBeGreaterThan(0.97);
    // Home is near: 6–14 % of the mean distance to a store (nearer as stores grow in number with the scale).
    expect(m.homeStores.distanceRatio).toBeLessThan(sf >= 1 ? 0.12 : 0.18);
  });

  it('returns: each category\'s return rate is returns.rate × its factor; Clothing is returned most, Grocery least', () => {
    for (const r of m.returnRates) {
      const expected = D.returns.rate * D.returns.category_factors[r.category as keyof typeof D.returns.category_factors];
      const sd = Math.sqrt((expected * (1 - expected)) / n(r.lines));
      expect(Math.abs(n(r.rate) - expected), `${r.category}: ${r.rate} vs ${expected}`).toBeLessThan(4 * sd + 0.002);
    }
    const sorted = [...m.returnRates].sort((a, b) => n(b.rate) - n(a.rate));
    expect(sorted[0]!.category).toBe('Clothing');
    expect(sorted.at(-1)!.category).toBe('Grocery');
  });

  it('promotions lift units: a promoted line sells about quantity_lift (1.5) × the units of another', () => {
    // quantity_lift through the quantity distribution and its 10-unit cap, for the measured tier mix.
    const expected = expectedQuantityRatios(m.lineMix).lift;
    expect(expected).toBeGreaterThan(1.35);
    expect(Math.abs(n(m.lift.ratio) / expected - 1), `lift ${m.lift.ratio} vs ${expected}`).toBeLessThan(tol(sf, 0.03));
  });

  it('prices end in the configured endings (.99 about half of them)', () => {
    expect(Math.abs(n(m.endings.p99) - 0.5)).toBeLessThan(tolProducts(sf, 0.06));
    expect(n(m.endings.p00)).toBeGreaterThan(0.05);
  });

  it('consistency: ZIPs map to one city and state, return_date within the calendar, cancelled orders not sold, status by age', async () => {
    const c = db.conn;
    expect(n((await one(c, `SELECT count(*) AS n FROM (SELECT zip_code FROM (SELECT zip_code, city, state FROM customers UNION ALL SELECT zip_code, city, state FROM stores) GROUP BY 1 HAVING count(DISTINCT (city, state)) > 1)`)).n)).toBe(0);
    expect(n((await one(c, `SELECT count(*) AS n FROM returns WHERE return_date > (SELECT max("date") FROM dates) OR return_date < (SELECT min("date") FROM dates)`)).n)).toBe(0);
    const sold = await one(c,
      `SELECT (SELECT sum(units_sold) FROM inventory) AS inv, sum(l.quantity) FILTER (WHERE o.status <> 'Cancelled') AS sold, sum(l.quantity) FILTER (WHERE o.status = 'Cancelled') AS cancelled ` +
      `FROM transactions_raw l JOIN orders o ON o.order_id = l.order_id`);
    expect(n(sold.cancelled)).toBeGreaterThan(0);
    expect(n(sold.inv)).toBe(n(sold.sold));
    const age = await all(c, `SELECT status, min(d.last - order_date) AS lo, max(d.last - order_date) AS hi FROM orders, (SELECT max("date") AS last FROM dates) d GROUP BY 1`);
    const of = (s: string) => age.find((a) => a.status === s)!;
    expect([n(of('Processing').lo), n(of('Processing').hi)]).toEqual([0, D.orders.processing_days - 1]);
    expect([n(of('Shipped').lo), n(of('Shipped').hi)]).toEqual([D.orders.processing_days, D.orders.processing_days + D.orders.shipping_days - 1]);
    for (const s of ['Completed', 'Cancelled', 'Returned']) expect(n(of(s).lo), s).toBeGreaterThanOrEqual(D.orders.processing_days + D.orders.shipping_days);
  });

  it('categories: names from the category\'s vocabulary, prices and margins inside its bands', async () => {
    const products = await all(db.conn, `SELECT product_name, category, sub_category, CAST(round(price * 100) AS BIGINT) AS p, CAST(round(cost * 100) AS BIGINT) AS c FROM products`);
    for (const r of products) {
      const cat = CATEGORIES.find((x) => x.name === r.category)!;
      const sub = cat.subCategories.find((x) => x.name === r.sub_category)!;
      expect(sub, `${r.sub_category} in ${r.category}`).toBeDefined();
      expect(sub.nouns.some((noun) => String(r.product_name).endsWith(noun)), String(r.product_name)).toBe(true);
      const band = D.products.categories[cat.name];
      expect(n(r.p)).toBeGreaterThanOrEqual(band.price_min_cents);
      expect(n(r.p)).toBeLessThanOrEqual(band.price_max_cents);
      const margin = 1 - n(r.c) / n(r.p);
      expect(margin).toBeGreaterThanOrEqual(band.margin_min - 0.01);
      expect(margin).toBeLessThanOrEqual(band.margin_max + 0.01);
    }
  });

  it('dwgen validate passes every check (ZIP ↔ state against the reference, area codes, the new invariants)', () => {
    const r = runCli(['validate', '--dir', dir]);
    expect(r.stdout).toMatch(/checks: \d+ passed, 0 failed, 0 skipped/);
    for (const check of ['customers.zip_state', 'stores.zip_state', 'customers.phone_area_code', 'returns.date_in_calendar', 'inventory.units_sold', 'fk.returns.return_date']) {
      expect(r.stdout).toMatch(new RegExp(`PASS  ${check.replace('.', '\\.')} `));
    }
    expect(r.status).toBe(0);
  }, 180_000); // validate at SF 10 takes up to a minute or two on 2 cores
});

describe('a non-default config turns each effect off', () => {
  let db: { instance: DuckDBInstance; conn: DuckDBConnection };
  let m: Awaited<ReturnType<typeof measure>>;
  beforeAll(async () => {
    const cfg = join(tempDir(), 'flat.yaml');
    const flatFactors = (v: number) => `{ ${Object.keys(D.returns.category_factors).map((k) => `${k}: ${v}`).join(', ')} }`;
    writeFileSync(cfg, [
      'customers:',
      '  loyalty_order_factors: { Bronze: 1, Silver: 1, Gold: 1, Platinum: 1 }',
      '  loyalty_basket_factors: { Bronze: 1, Silver: 1, Gold: 1, Platinum: 1 }',
      '  popularity_skew: 0',
      'products:',
      '  popularity_skew: 0',
      '  price_elasticity: 0',
      '  price_endings: { "00": 1 }',
      'promotions:',
      '  quantity_lift: 1',
      'orders:',
      '  home_store_share: 0',
      `  monthly_weights: [${Array(12).fill(1).join(', ')}]`,
      '  weekend_weight: 1',
      '  holiday_weight: 1',
      '  black_friday_weight: 1',
      '  pre_christmas_weight: 1',
      '  closed_holiday_weight: 1',
      'returns:',
      `  category_factors: ${flatFactors(1)}`,
      '',
    ].join('\n'));
    db = await open(generate(['--config', cfg, '--scale', '0.3', '--workers', '2']));
    m = await measure(db.conn);
  }, 180_000);
  afterAll(() => db?.conn.closeSync());

  it('popularity_skew 0, price_elasticity 0: the top 1 % of products take about 1 % of units', () => {
    expect(n(m.units.head)).toBeLessThan(0.025);
  });

  it('customers.popularity_skew 0: the top 1 % of customers place a few % of the orders (chance alone), not 15 %', () => {
    expect(n(m.customerHead.head)).toBeLessThan(0.05);
  });

  it('holiday_weight 1, closed_holiday_weight 1: holidays and Thanksgiving get an ordinary day\'s orders', () => {
    expect(Math.abs(n(m.holidays.holiday) - 1)).toBeLessThan(0.12);
    expect(Math.abs(n(m.holidays.thanksgiving) - 1)).toBeLessThan(0.5);
  });

  it('loyalty factors 1: tiers order alike and buy alike', () => {
    expect(Math.abs(n(m.tier('Platinum').opc) / n(m.tier('Bronze').opc) - 1)).toBeLessThan(0.2);
    expect(Math.abs(n(m.tier('Platinum').basket) / n(m.tier('Bronze').basket) - 1)).toBeLessThan(0.06);
  });

  it('flat monthly, weekend and holiday weights: no seasonality, no Black Friday peak', () => {
    const rel = m.months.map((r) => n(r.rel));
    expect(Math.max(...rel) / Math.min(...rel)).toBeLessThan(1.12);
    expect(Math.abs(n(m.weekday.ratio) - 1)).toBeLessThan(0.06);
    expect(n(m.blackFriday.ratio)).toBeLessThan(1.4);
  });

  it('home_store_share 0: orders go to stores by traffic only, far fewer in the customer\'s region', () => {
    expect(n(m.region.share)).toBeLessThan(0.5);
  });

  it('category factors 1: every category is returned at returns.rate', () => {
    for (const r of m.returnRates) {
      const sd = Math.sqrt((D.returns.rate * (1 - D.returns.rate)) / n(r.lines));
      expect(Math.abs(n(r.rate) - D.returns.rate), String(r.category)).toBeLessThan(4 * sd + 0.002);
    }
  });

  it('quantity_lift 1: promoted lines sell as many units as the others; price_endings { "00": 1 }: every price ends in .00', () => {
    expect(Math.abs(n(m.lift.ratio) - 1)).toBeLessThan(0.04);
    expect(n(m.endings.p00)).toBe(1);
  });
});

describe('products.popularity_skew 0 with the default price_elasticity: cheap products still sell more', () => {
  let db: { instance: DuckDBInstance; conn: DuckDBConnection };
  let m: Awaited<ReturnType<typeof measure>>;
  beforeAll(async () => {
    const cfg = join(tempDir(), 'elastic.yaml');
    writeFileSync(cfg, 'products:\n  popularity_skew: 0\n');
    db = await open(generate(['--config', cfg, '--scale', '0.3', '--workers', '2']));
    m = await measure(db.conn);
  }, 180_000);
  afterAll(() => db?.conn.closeSync());

  it('the top 1 % of products take more than their 1 % (price elasticity alone), far less than the Zipf head\'s 10–20 %', async () => {
    expect(n(m.units.head)).toBeGreaterThan(0.025);
    expect(n(m.units.head)).toBeLessThan(0.08);
    // Units fall with price: the cheapest fifth of the products sells more units per product than the dearest fifth.
    const q = await one(db.conn,
      `WITH u AS (SELECT p.product_id, p.price, coalesce(sum(l.quantity), 0) AS units FROM products p LEFT JOIN transactions_raw l ON l.product_id = p.product_id GROUP BY 1, 2), ` +
      `k AS (SELECT units, ntile(5) OVER (ORDER BY price, product_id) AS fifth FROM u) ` +
      `SELECT avg(units) FILTER (WHERE fifth = 1) / avg(units) FILTER (WHERE fifth = 5) AS ratio FROM k`);
    expect(n(q.ratio)).toBeGreaterThan(2);
  });
});

describe('config', () => {
  it('config/default.yaml is exactly the built-in defaults', () => {
    expect(loadConfigFile(join(ROOT, 'config/default.yaml'))).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    ['products:\n  price_endings: { "9": 1 }\n', /products\.price_endings\."9": a key must be two digits/],
    ['products:\n  categories:\n    Books: { price_min_cents: 900, price_max_cents: 100 }\n', /products\.categories\.Books\.price_max_cents: must be at least products\.categories\.Books\.price_min_cents \(900\), got 100/],
    ['products:\n  categories:\n    Pets: { weight: 1 }\n', /products\.categories\.Pets: unknown key/],
    ['orders:\n  monthly_weights: [1, 2, 3]\n', /orders\.monthly_weights: must be a list of 12 to 12 non-negative numbers/],
    ['customers:\n  loyalty_order_factors: { Bronze: 0, Silver: 0, Gold: 0, Platinum: 0 }\n', /customers\.loyalty_order_factors: must have at least one positive weight/],
    ['returns:\n  category_factors: { Books: 1 }\n', /returns\.category_factors\.Electronics: missing/],
    ['orders:\n  home_store_share: 1.2\n', /orders\.home_store_share: must be at most 1, got 1\.2/],
    [
      'stores:\n  count_per_sqrt_scale_factor: 100000\nproducts:\n  count_per_sqrt_scale_factor: 100000\n',
      /stores\.count_per_sqrt_scale_factor × products\.count_per_sqrt_scale_factor: 100,000 stores × 100,000 products at scale_factor 1 are 10,000,000,000 inventory cells, more than the 2,147,483,647 that 32-bit cell indices hold/,
    ],
    ['scale_factor: 3\ncustomers:\n  count_per_scale_factor: 1000000000\n', /customers\.count_per_scale_factor: 1000000000 × scale_factor 3 is 3,000,000,000 customers, more than the 2,147,483,647 that 32-bit keys hold/],
  ])('%j is refused naming the key, exit 2', (yaml, message) => {
    const cfg = join(tempDir(), 'bad.yaml');
    writeFileSync(cfg, yaml);
    const r = runCli(['generate', '--config', cfg, '--out', tempDir(), '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
