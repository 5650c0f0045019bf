// Dimension generators: dates, products, stores, promotions (small, built whole) and customers
// (built in fixed-size partitions, each from its own stream, so they can run on workers).
// Pure functions of (config, plan, partition): they return column batches and do no I/O.
import type { Config } from '../config/config.js';
import { ConfigError } from '../errors.js';
import { civilFromDay, isoWeekOf, retailDays, usHolidays, weekdayOf } from './calendar.js';
import { TextColumn, type ColumnBatch } from './columns.js';
import type { CustomerGeography } from './customerTraits.js';
import { localCustomerGeography } from './model.js'; // a cycle, used only at call time (the default geography)
import { GEO_STATES, GEO_STATE_REGION, type CityNames, type GeoArrays } from './geography.js';
import { BRAND_SUFFIXES, CATEGORIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, PRODUCT_ADJECTIVES, PROMOTION_KINDS, STORE_KINDS, STREET_SUFFIXES } from './locale.js';
import { customerRange, type Plan } from './plan.js';
import { AliasTable, below, between, deriveStream, unit, type Stream } from './random.js';
import { CATEGORY_NAMES, MONTH_NAMES } from './tables.js';

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

/**
 * Order-date weights per calendar day, a product of factors: the month's weight
 * (orders.monthly_weights), the weekend weight on Saturday and Sunday, and one day factor —
 * black_friday_weight on Black Friday, closed_holiday_weight on Thanksgiving and Christmas Day,
 * holiday_weight on the other holidays — times the pre-Christmas ramp, which rises linearly over
 * the pre_christmas_days days before Christmas to pre_christmas_weight on December 24.
 */
export function orderDayWeights(config: Config, plan: Plan, calendar: Calendar): Float64Array {
  const o = config.orders;
  const w = new Float64Array(calendar.isWeekend.length);
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    const d = plan.firstDay + i;
    const c = civilFromDay(d);
    const special = retailDays(c.year);
    let weight = o.monthly_weights[c.month - 1];
    if (calendar.isWeekend[i]) weight *= o.weekend_weight;
    if (d === special.blackFriday) weight *= o.black_friday_weight;
    else if (d === special.thanksgiving || d === special.christmas) weight *= o.closed_holiday_weight;
    else if (calendar.isHoliday[i]) weight *= o.holiday_weight;
    const before = special.christmas - d;
    if (before >= 1 && before <= o.pre_christmas_days) weight *= 1 + ((o.pre_christmas_weight - 1) * (o.pre_christmas_days - before + 1)) / o.pre_christmas_days;
    w[i] = weight;
    total += weight;
  }
  if (!(total > 0)) throw new ConfigError('orders: the order-date weights (monthly_weights × weekend and holiday weights) are 0 on every calendar day');
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

/** Draws a street address ("1234 Smith Avenue") and appends it to its column. */
function drawStreet(s: Stream, street: TextColumn): void {
  const number = between(s, 1, 9999);
  street.uint(number).char(SPACE).word(pick(s, LAST_NAME_BYTES)).char(SPACE).word(pick(s, STREET_SUFFIX_BYTES)).close();
}

// ---- products -------------------------------------------------------------------------------------

export interface Products {
  batch: ColumnBatch;
  priceCents: Int32Array;
  /** Category of each product, an index into CATEGORY_NAMES. */
  category: Int32Array;
}

/**
 * A price drawn in [lo, hi] made to end in `ending` cents: the nearest such price at or below the
 * draw, moved up a dollar when that falls under lo; the draw itself when no such price is in range.
 */
export function priceWithEnding(raw: number, ending: number, lo: number, hi: number): number {
  let p = raw - (raw % 100) + ending;
  if (p > raw) p -= 100;
  if (p < lo || p < 2) p += 100;
  return p >= lo && p <= hi && p >= 2 ? p : raw;
}

/**
 * Each product gets a category (products.categories.<name>.weight), a sub-category of it, a name
 * from the category's adjectives and the sub-category's nouns, and a price drawn log-uniformly in
 * the category's band, made to end in one of products.price_endings; cost = price × (1 − margin),
 * margin uniform in the category's margin band, clamped so that 0 < cost < price.
 */
export function generateProducts(config: Config, plan: Plan): Products {
  const n = plan.products;
  const s = deriveStream(plan.seed, 'products', 0);
  const bands = CATEGORY_NAMES.map((c) => config.products.categories[c]);
  const categories = AliasTable.build(bands.map((b) => b.weight));
  const endingCents = Object.keys(config.products.price_endings).map(Number);
  const endings = AliasTable.build(Object.values(config.products.price_endings));
  const id = new Int32Array(n);
  const name = new Array<string>(n);
  const category = new Array<string>(n);
  const subCategory = new Array<string>(n);
  const brand = new Array<string>(n);
  const price = new Float64Array(n);
  const cost = new Float64Array(n);
  const priceCents = new Int32Array(n);
  const categoryIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    id[i] = i + 1;
    const ci = categories.pick(s);
    const cat = CATEGORIES[ci];
    const sub = pick(s, cat.subCategories);
    name[i] = `${pick(s, cat.adjectives)} ${pick(s, sub.nouns)}`;
    category[i] = cat.name;
    subCategory[i] = sub.name;
    brand[i] = `${pick(s, LAST_NAMES)} ${pick(s, BRAND_SUFFIXES)}`;
    const band = bands[ci];
    const lo = band.price_min_cents;
    const hi = band.price_max_cents;
    const raw = Math.min(hi, Math.floor(lo * Math.pow(hi / lo, unit(s))));
    const p = priceWithEnding(raw, endingCents[endings.pick(s)], lo, hi);
    const margin = band.margin_min + (band.margin_max - band.margin_min) * unit(s);
    const c = Math.min(p - 1, Math.max(1, Math.floor(p * (1 - margin))));
    price[i] = p;
    cost[i] = c;
    priceCents[i] = p;
    categoryIndex[i] = ci;
  }
  return { batch: { rowCount: n, columns: [id, name, category, subCategory, brand, price, cost] }, priceCents, category: categoryIndex };
}

// ---- stores ---------------------------------------------------------------------------------------

export interface Stores {
  batch: ColumnBatch;
  /** ZIP index (into the geography) of each store. */
  zip: Int32Array;
}

/**
 * Stores are placed where the customers are: each store's ZIP code is drawn with the same
 * population weights as the customers' (a city of 8 million gets about as many stores as 80
 * towns of 100,000), and its city, state and region are those of the ZIP.
 */
export function generateStores(plan: Plan, geo: GeoArrays, zipAlias: AliasTable, cityNames: CityNames): Stores {
  const n = plan.stores;
  const s = deriveStream(plan.seed, 'stores', 0);
  const id = new Int32Array(n);
  const name = new Array<string>(n);
  const address = new TextColumn(n, 24);
  const city = new Array<string>(n);
  const state = new Array<string>(n);
  const zip = new TextColumn(n, 5);
  const region = new Uint8Array(n);
  const storeZip = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    drawStreet(s, address);
    const z = zipAlias.pick(s);
    const c = geo.geoZipCity[z];
    const st = geo.geoCityState[c];
    zip.uint(geo.geoZipCode[z], 5).close();
    id[i] = i + 1;
    name[i] = `${cityNames.get(c)} ${pick(s, STORE_KINDS)} #${i + 1}`;
    city[i] = cityNames.get(c);
    state[i] = GEO_STATES[st];
    region[i] = GEO_STATE_REGION[st];
    storeZip[i] = z;
  }
  return { batch: { rowCount: n, columns: [id, name, address, city, state, zip, region] }, zip: storeZip };
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
export function generateCustomers(
  config: Config, plan: Plan, partition: number, emit: (batch: ColumnBatch) => void, batchRows = CUSTOMERS_PER_BATCH,
  geography: CustomerGeography = localCustomerGeography(config, plan),
): void {
  const { first, count } = customerRange(plan, partition);
  const s = deriveStream(plan.seed, 'customers', partition);
  const { arrays: geo, cityNames, stateNames, traits } = geography;
  const { geoZipCode, geoZipCity, geoCityState, geoAreaOffsets, geoAreaCodes } = geo;
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
      const z = traits.zip(key);
      const c = geoZipCity[z];
      const st = geoCityState[c];
      const areaFrom = geoAreaOffsets[st];
      const area = geoAreaCodes[areaFrom + below(s, geoAreaOffsets[st + 1] - areaFrom)];
      phone.uint(area).char(DASH).uint(between(s, 200, 999)).char(DASH).uint(below(s, 10000), 4).close();
      drawStreet(s, address);
      zip.uint(geoZipCode[z], 5).close();
      city[i] = cityNames.get(c);
      state[i] = stateNames[st];
      tier[i] = traits.tier(key);
      signup[i] = plan.firstDay - 1 - below(s, signupSpan);
    }
    emit({ rowCount: rows, columns });
  }
}
