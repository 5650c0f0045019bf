// Dimension generators: dates, products, stores, promotions (small, built whole) and customers
// (built in fixed-size partitions, each from its own stream, so they can run on workers).
// Pure functions of (config, plan, partition): they return column batches and do no I/O.
import type { Config } from '../config/config.js';
import { civilFromDay, isoWeekOf, usHolidays, weekdayOf } from './calendar.js';
import { TextColumn, type ColumnBatch } from './columns.js';
import {
  BRAND_SUFFIXES, CATEGORIES, CITY_NAMES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, PRODUCT_ADJECTIVES,
  PRODUCT_MATERIALS, PRODUCT_NOUNS, PROMOTION_KINDS, STATE_ABBRS, STORE_KINDS, STREET_SUFFIXES, ZIP_RANGES,
} from './locale.js';
import { customerRange, type Plan } from './plan.js';
import { AliasTable, below, between, deriveStream, unit, type Stream } from './random.js';
import { LOYALTY_STATUSES, MONTH_NAMES, regionOfState } from './tables.js';

const pick = <T>(s: Stream, list: readonly T[]): T => list[below(s, list.length)];

// ---- dates --------------------------------------------------------------------------------------

export interface Calendar {
  batch: ColumnBatch;
  /** Per calendar day: 1 on Saturday/Sunday, 1 on a holiday. */
  isWeekend: Uint8Array;
  isHoliday: Uint8Array;
}

export function generateDates(plan: Plan): Calendar {
  const n = plan.days;
  const dateId = new Int32Array(n);
  const date = new Int32Array(n);
  const dayOfWeek = new Uint8Array(n);
  const dayOfMonth = new Int32Array(n);
  const week = new Int32Array(n);
  const month = new Int32Array(n);
  const monthName = new Uint8Array(n);
  const quarter = new Int32Array(n);
  const year = new Int32Array(n);
  const isWeekend = new Uint8Array(n);
  const isHoliday = new Uint8Array(n);
  const holidays = new Set<number>();
  const firstYear = civilFromDay(plan.firstDay).year;
  const lastYear = civilFromDay(plan.firstDay + n - 1).year;
  for (let y = firstYear; y <= lastYear; y++) for (const h of usHolidays(y)) holidays.add(h);
  for (let i = 0; i < n; i++) {
    const d = plan.firstDay + i;
    const c = civilFromDay(d);
    dateId[i] = c.year * 10000 + c.month * 100 + c.day;
    date[i] = d;
    dayOfWeek[i] = weekdayOf(d);
    dayOfMonth[i] = c.day;
    week[i] = isoWeekOf(d);
    month[i] = c.month;
    monthName[i] = c.month - 1;
    quarter[i] = Math.floor((c.month - 1) / 3) + 1;
    year[i] = c.year;
    isWeekend[i] = dayOfWeek[i] >= 5 ? 1 : 0;
    isHoliday[i] = holidays.has(d) ? 1 : 0;
  }
  return {
    batch: { rowCount: n, columns: [dateId, date, dayOfWeek, dayOfMonth, week, month, monthName, quarter, year, isWeekend, isHoliday] },
    isWeekend,
    isHoliday,
  };
}

/** Order-date weights per calendar day: 1, or the weekend / holiday weight (the larger applies). */
export function orderDayWeights(config: Config, calendar: Calendar): Float64Array {
  const w = new Float64Array(calendar.isWeekend.length);
  for (let i = 0; i < w.length; i++) {
    let weight = 1;
    if (calendar.isWeekend[i]) weight = Math.max(weight, config.orders.weekend_weight);
    if (calendar.isHoliday[i]) weight = Math.max(weight, config.orders.holiday_weight);
    w[i] = weight;
  }
  return w;
}

// ---- text built from bytes -------------------------------------------------------------------------

const utf8 = (word: string): Uint8Array => Buffer.from(word, 'utf8');
const SPACE = 32;
const DOT = 46;
const DASH = 45;
const AT = 64;

// Built text (customer e-mails and phones, street addresses, ZIP codes) is appended as bytes to
// TextColumns (core/columns.ts): word lists pre-encoded once, digits written in place. Template
// literals, then strings built from those bytes, cost more than the rest of a customer, and the CSV
// encoder turned them back into bytes. Picked words (names, cities, states) stay the list's own
// strings. Same text, same draws, in the same order.
const LAST_NAME_BYTES = LAST_NAMES.map(utf8);
const STREET_SUFFIX_BYTES = STREET_SUFFIXES.map(utf8);

// ---- shared address parts -------------------------------------------------------------------------

/**
 * Draws a street address, city, state and ZIP code: the street and ZIP are appended to their
 * columns, the city and state (picked from the locale lists) are returned.
 */
function drawAddress(s: Stream, street: TextColumn, zip: TextColumn): { city: string; state: string } {
  const number = between(s, 1, 9999);
  street.uint(number).char(SPACE).word(pick(s, LAST_NAME_BYTES)).char(SPACE).word(pick(s, STREET_SUFFIX_BYTES)).close();
  const city = pick(s, CITY_NAMES);
  const state = pick(s, STATE_ABBRS);
  const [lo, hi] = pick(s, ZIP_RANGES.get(state)!);
  zip.uint(between(s, lo, hi), 5).close();
  return { city, state };
}

// ---- products -------------------------------------------------------------------------------------

export interface Products {
  batch: ColumnBatch;
  priceCents: Int32Array;
}

/**
 * Prices are skewed towards the low end (min + (max − min) × u³, then rounded to end in .99 when
 * that stays in range); cost = price × (1 − margin), margin uniform in the configured range,
 * clamped so that 0 < cost < price.
 */
export function generateProducts(config: Config, plan: Plan): Products {
  const n = plan.products;
  const s = deriveStream(plan.seed, 'products', 0);
  const { price_min_cents: lo, price_max_cents: hi, margin_min, margin_max } = config.products;
  const id = new Int32Array(n);
  const name = new Array<string>(n);
  const category = new Array<string>(n);
  const subCategory = new Array<string>(n);
  const brand = new Array<string>(n);
  const price = new Float64Array(n);
  const cost = new Float64Array(n);
  const priceCents = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    id[i] = i + 1;
    name[i] = `${pick(s, PRODUCT_ADJECTIVES)} ${pick(s, PRODUCT_MATERIALS)} ${pick(s, PRODUCT_NOUNS)}`;
    const cat = pick(s, CATEGORIES);
    category[i] = cat.name;
    subCategory[i] = pick(s, cat.subCategories);
    brand[i] = `${pick(s, LAST_NAMES)} ${pick(s, BRAND_SUFFIXES)}`;
    const u = unit(s);
    let p = lo + Math.floor((hi - lo) * u * u * u);
    const ninetyNine = p - (p % 100) + 99;
    if (ninetyNine <= hi) p = ninetyNine;
    const margin = margin_min + (margin_max - margin_min) * unit(s);
    const c = Math.min(p - 1, Math.max(1, Math.floor(p * (1 - margin))));
    price[i] = p;
    cost[i] = c;
    priceCents[i] = p;
  }
  return { batch: { rowCount: n, columns: [id, name, category, subCategory, brand, price, cost] }, priceCents };
}

// ---- stores ---------------------------------------------------------------------------------------

export function generateStores(plan: Plan): ColumnBatch {
  const n = plan.stores;
  const s = deriveStream(plan.seed, 'stores', 0);
  const id = new Int32Array(n);
  const name = new Array<string>(n);
  const address = new TextColumn(n, 24);
  const city = new Array<string>(n);
  const state = new Array<string>(n);
  const zip = new TextColumn(n, 5);
  const region = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = drawAddress(s, address, zip);
    id[i] = i + 1;
    name[i] = `${a.city} ${pick(s, STORE_KINDS)} #${i + 1}`;
    city[i] = a.city;
    state[i] = a.state;
    region[i] = regionOfState(a.state);
  }
  return { rowCount: n, columns: [id, name, address, city, state, zip, region] };
}

// ---- promotions -----------------------------------------------------------------------------------

export interface Promotions {
  batch: ColumnBatch;
  rateHundredths: Int32Array;
  startDay: Int32Array;
  endDay: Int32Array;
}

export function generatePromotions(config: Config, plan: Plan): Promotions {
  const n = plan.promotions;
  const s = deriveStream(plan.seed, 'promotions', 0);
  const c = config.promotions;
  const rateMin = Math.max(1, Math.round(c.discount_rate_min * 100));
  const rateMax = Math.max(rateMin, Math.round(c.discount_rate_max * 100));
  const durationMax = Math.min(c.duration_days_max, plan.days);
  const durationMin = Math.min(c.duration_days_min, durationMax);
  const id = new Int32Array(n);
  const name = new Array<string>(n);
  const rate = new Float64Array(n);
  const rateHundredths = new Int32Array(n);
  const startDay = new Int32Array(n);
  const endDay = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = between(s, rateMin, rateMax);
    const duration = between(s, durationMin, durationMax);
    const start = plan.firstDay + below(s, plan.days - duration + 1);
    id[i] = i + 1;
    name[i] = `${pick(s, PRODUCT_ADJECTIVES)} ${MONTH_NAMES[civilFromDay(start).month - 1]} ${pick(s, PROMOTION_KINDS)}`;
    rate[i] = r;
    rateHundredths[i] = r;
    startDay[i] = start;
    endDay[i] = start + duration - 1;
  }
  return { batch: { rowCount: n, columns: [id, name, rate, startDay, endDay] }, rateHundredths, startDay, endDay };
}

/** For each calendar day, the promotions active on it (CSR: ids of day d at offsets[d]..offsets[d+1]). */
export function activePromotionsByDay(plan: Plan, promotions: Promotions): { offsets: Int32Array; ids: Int32Array } {
  const offsets = new Int32Array(plan.days + 1);
  const n = promotions.startDay.length;
  for (let p = 0; p < n; p++) {
    for (let d = promotions.startDay[p]; d <= promotions.endDay[p]; d++) offsets[d - plan.firstDay + 1]++;
  }
  for (let d = 0; d < plan.days; d++) offsets[d + 1] += offsets[d];
  const ids = new Int32Array(offsets[plan.days]);
  const fill = offsets.slice(0, plan.days);
  for (let p = 0; p < n; p++) {
    for (let d = promotions.startDay[p]; d <= promotions.endDay[p]; d++) ids[fill[d - plan.firstDay]++] = p + 1;
  }
  return { offsets, ids };
}

// ---- customers ------------------------------------------------------------------------------------

/** The e-mail form of every first and last name (lower case, letters and digits), computed once. */
const emailPart = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const FIRST_NAME_EMAIL = FIRST_NAMES.map((n) => utf8(emailPart(n)));
const LAST_NAME_EMAIL = LAST_NAMES.map((n) => utf8(emailPart(n)));
const EMAIL_DOMAIN_BYTES = EMAIL_DOMAINS.map(utf8);

/** Customers per emitted batch: a partition's text is never all in memory at once. */
export const CUSTOMERS_PER_BATCH = 8192;

/**
 * One partition of the customers table, emitted in batches of at most CUSTOMERS_PER_BATCH rows
 * drawn from the partition's one stream (so the rows do not depend on the batch size). The email
 * holds the customer key, so it is unique; the sign-up date falls in the configured number of
 * years before the first calendar day. `emit` must consume each batch before it returns: the
 * arrays are refilled for the next one.
 */
export function generateCustomers(config: Config, plan: Plan, partition: number, emit: (batch: ColumnBatch) => void, batchRows = CUSTOMERS_PER_BATCH): void {
  const { first, count } = customerRange(plan, partition);
  const s = deriveStream(plan.seed, 'customers', partition);
  const loyalty = AliasTable.build(LOYALTY_STATUSES.map((k) => config.customers.loyalty_weights[k]));
  const signupSpan = Math.max(1, config.customers.signup_years_before_start * 365);
  const capacity = Math.max(1, Math.min(count, batchRows));
  const id = new Int32Array(capacity);
  const firstName = new Array<string>(capacity);
  const lastName = new Array<string>(capacity);
  const email = new TextColumn(capacity, 32);
  const phone = new TextColumn(capacity, 12);
  const address = new TextColumn(capacity, 24);
  const city = new Array<string>(capacity);
  const state = new Array<string>(capacity);
  const zip = new TextColumn(capacity, 5);
  const tier = new Uint8Array(capacity);
  const signup = new Int32Array(capacity);
  const columns = [id, firstName, lastName, email, phone, address, city, state, zip, tier, signup];
  for (let batchStart = 0; batchStart < count; batchStart += capacity) {
    const rows = Math.min(capacity, count - batchStart);
    email.clear();
    phone.clear();
    address.clear();
    zip.clear();
    for (let i = 0; i < rows; i++) {
      const key = first + batchStart + i + 1;
      const fn = below(s, FIRST_NAMES.length);
      const ln = below(s, LAST_NAMES.length);
      id[i] = key;
      firstName[i] = FIRST_NAMES[fn];
      lastName[i] = LAST_NAMES[ln];
      email.word(FIRST_NAME_EMAIL[fn]).char(DOT).word(LAST_NAME_EMAIL[ln]).char(DOT).uint(key).char(AT).word(pick(s, EMAIL_DOMAIN_BYTES)).close();
      phone.uint(between(s, 201, 989)).char(DASH).uint(between(s, 200, 999)).char(DASH).uint(below(s, 10000), 4).close();
      const a = drawAddress(s, address, zip);
      city[i] = a.city;
      state[i] = a.state;
      tier[i] = loyalty.pick(s);
      signup[i] = plan.firstDay - 1 - below(s, signupSpan);
    }
    emit({ rowCount: rows, columns });
  }
}
