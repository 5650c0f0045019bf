// The generation config: its shape, its defaults (config/default.yaml holds the same values) and
// strict validation. Every error names the offending key; nothing is written before it passes.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export { ConfigError };
import { parse as parseYaml } from 'yaml';
import { parseIsoDay } from '../core/calendar.js';
import { CATEGORY_NAMES, LOYALTY_STATUSES } from '../core/tables.js';

type Tier = (typeof LOYALTY_STATUSES)[number];
export type CategoryName = (typeof CATEGORY_NAMES)[number];

/** The bands of one product category: its share of the products, price range (cents) and margin range. */
export interface CategoryBand {
  weight: number;
  price_min_cents: number;
  price_max_cents: number;
  margin_min: number;
  margin_max: number;
}

export interface Config {
  seed: number;
  scale_factor: number;
  calendar: { start_date: string; days: number };
  customers: {
    count_per_scale_factor: number;
    popularity_skew: number;
    loyalty_weights: Record<Tier, number>;
    loyalty_order_factors: Record<Tier, number>;
    loyalty_basket_factors: Record<Tier, number>;
    signup_years_before_start: number;
  };
  products: {
    count_per_sqrt_scale_factor: number;
    popularity_skew: number;
    popularity_head_fraction: number;
    price_elasticity: number;
    price_endings: Record<string, number>;
    categories: Record<CategoryName, CategoryBand>;
  };
  stores: { count_per_sqrt_scale_factor: number; size_skew: number };
  promotions: {
    count_per_sqrt_scale_factor: number;
    discount_rate_min: number;
    discount_rate_max: number;
    duration_days_min: number;
    duration_days_max: number;
    quantity_lift: number;
  };
  orders: {
    count_per_scale_factor: number;
    line_count_weights: number[];
    quantity_weights: number[];
    home_store_share: number;
    monthly_weights: number[];
    weekend_weight: number;
    holiday_weight: number;
    black_friday_weight: number;
    pre_christmas_days: number;
    pre_christmas_weight: number;
    closed_holiday_weight: number;
    promotion_rate: number;
    cancel_rate: number;
    processing_days: number;
    shipping_days: number;
  };
  returns: {
    rate: number;
    max_days_after_order: number;
    category_factors: Record<CategoryName, number>;
    reason_weights: Record<string, number>;
  };
  inventory: { opening_stock_min: number; opening_stock_max: number; restock_batch: number };
  partitions: { orders_per_partition: number; customers_per_partition: number; inventory_rows_per_partition: number };
}


export const DEFAULT_CONFIG: Config = {
  seed: 42,
  scale_factor: 1,
  calendar: { start_date: '2024-01-01', days: 365 },
  customers: {
    count_per_scale_factor: 10_000,
    popularity_skew: 0.6,
    loyalty_weights: { Bronze: 60, Silver: 25, Gold: 11, Platinum: 4 },
    loyalty_order_factors: { Bronze: 1, Silver: 1.4, Gold: 1.9, Platinum: 2.5 },
    loyalty_basket_factors: { Bronze: 1, Silver: 1.1, Gold: 1.2, Platinum: 1.3 },
    signup_years_before_start: 5,
  },
  products: {
    count_per_sqrt_scale_factor: 1_000,
    popularity_skew: 1.0,
    popularity_head_fraction: 0.03,
    price_elasticity: 0.4,
    price_endings: { '99': 50, '49': 12, '95': 10, '00': 15, '79': 8, '29': 5 },
    categories: {
      Electronics: { weight: 12, price_min_cents: 1_999, price_max_cents: 199_999, margin_min: 0.08, margin_max: 0.25 },
      Home: { weight: 12, price_min_cents: 999, price_max_cents: 149_999, margin_min: 0.3, margin_max: 0.55 },
      Clothing: { weight: 14, price_min_cents: 999, price_max_cents: 19_999, margin_min: 0.45, margin_max: 0.7 },
      Shoes: { weight: 8, price_min_cents: 2_499, price_max_cents: 24_999, margin_min: 0.4, margin_max: 0.6 },
      Sports: { weight: 9, price_min_cents: 999, price_max_cents: 99_999, margin_min: 0.25, margin_max: 0.45 },
      Beauty: { weight: 9, price_min_cents: 399, price_max_cents: 14_999, margin_min: 0.5, margin_max: 0.75 },
      Grocery: { weight: 12, price_min_cents: 99, price_max_cents: 2_999, margin_min: 0.1, margin_max: 0.3 },
      Toys: { weight: 8, price_min_cents: 499, price_max_cents: 19_999, margin_min: 0.3, margin_max: 0.5 },
      Books: { weight: 8, price_min_cents: 499, price_max_cents: 5_999, margin_min: 0.2, margin_max: 0.45 },
      Garden: { weight: 8, price_min_cents: 299, price_max_cents: 129_999, margin_min: 0.3, margin_max: 0.5 },
    },
  },
  stores: { count_per_sqrt_scale_factor: 50, size_skew: 0.5 },
  promotions: {
    count_per_sqrt_scale_factor: 100,
    discount_rate_min: 0.05,
    discount_rate_max: 0.5,
    duration_days_min: 3,
    duration_days_max: 30,
    quantity_lift: 1.5,
  },
  orders: {
    count_per_scale_factor: 100_000,
    line_count_weights: [15, 20, 30, 20, 15],
    quantity_weights: [30, 22, 15, 10, 8, 5, 4, 3, 2, 1],
    home_store_share: 0.8,
    monthly_weights: [0.85, 0.8, 0.9, 0.9, 0.95, 0.95, 0.95, 1.0, 0.9, 0.95, 1.25, 1.5],
    weekend_weight: 1.4,
    holiday_weight: 1.3,
    black_friday_weight: 3.5,
    pre_christmas_days: 10,
    pre_christmas_weight: 2.5,
    closed_holiday_weight: 0.4,
    promotion_rate: 0.25,
    cancel_rate: 0.05,
    processing_days: 2,
    shipping_days: 5,
  },
  returns: {
    rate: 0.05,
    max_days_after_order: 30,
    category_factors: {
      Electronics: 1.2, Home: 0.9, Clothing: 2.2, Shoes: 1.8, Sports: 0.9,
      Beauty: 0.6, Grocery: 0.15, Toys: 0.7, Books: 0.4, Garden: 0.6,
    },
    reason_weights: {
      Defective: 25,
      'Wrong size': 20,
      'Not as described': 15,
      'Changed mind': 20,
      'Arrived late': 10,
      'Better price elsewhere': 10,
    },
  },
  inventory: { opening_stock_min: 20, opening_stock_max: 200, restock_batch: 50 },
  partitions: { orders_per_partition: 50_000, customers_per_partition: 50_000, inventory_rows_per_partition: 500_000 },
};

// ---- declarative rules -------------------------------------------------------------------------

type Rule =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'number'; min: number; max: number; minExclusive?: boolean }
  | { kind: 'date' }
  | { kind: 'weights'; minLength: number; maxLength: number }
  | { kind: 'weightMap'; keys?: readonly string[]; maxKeyLength?: number; keyPattern?: { re: RegExp; what: string } }
  | { kind: 'section'; rules: Rules };
type Rules = Record<string, Rule>;

const int = (min: number, max = Number.MAX_SAFE_INTEGER): Rule => ({ kind: 'int', min, max });
const num = (min: number, max: number, minExclusive = false): Rule => ({ kind: 'number', min, max, minExclusive });
const rate = num(0, 1);
const count = int(1, 1_000_000_000);
const section = (rules: Rules): Rule => ({ kind: 'section', rules });

/** The largest scale factor: order ids stay below 2^31 (100,000 × 10,000 = 1e9). */
export const MAX_SCALE_FACTOR = 10_000;

const RULES: Rules = {
  seed: int(0),
  scale_factor: num(0, MAX_SCALE_FACTOR, true),
  calendar: section({ start_date: { kind: 'date' }, days: int(1, 36_600) }),
  customers: section({
    count_per_scale_factor: count,
    popularity_skew: num(0, 5),
    loyalty_weights: { kind: 'weightMap', keys: LOYALTY_STATUSES },
    loyalty_order_factors: { kind: 'weightMap', keys: LOYALTY_STATUSES },
    loyalty_basket_factors: { kind: 'weightMap', keys: LOYALTY_STATUSES },
    signup_years_before_start: int(0, 100),
  }),
  products: section({
    count_per_sqrt_scale_factor: count,
    popularity_skew: num(0, 5),
    popularity_head_fraction: num(0, 1),
    price_elasticity: num(0, 3),
    price_endings: { kind: 'weightMap', keyPattern: { re: /^\d\d$/, what: 'two digits (the cents of a price, "99")' } },
    categories: section(
      Object.fromEntries(
        CATEGORY_NAMES.map((c) => [
          c,
          section({
            weight: num(0, 1_000_000),
            price_min_cents: int(2, 99_999_999),
            price_max_cents: int(2, 99_999_999),
            margin_min: num(0, 1, true),
            margin_max: num(0, 1),
          }),
        ]),
      ),
    ),
  }),
  stores: section({ count_per_sqrt_scale_factor: int(1, 1_000_000), size_skew: num(0, 5) }),
  promotions: section({
    count_per_sqrt_scale_factor: int(1, 1_000_000),
    discount_rate_min: num(0, 0.5, true),
    discount_rate_max: num(0, 0.5, true),
    duration_days_min: int(1, 36_600),
    duration_days_max: int(1, 36_600),
    quantity_lift: num(0.1, 10),
  }),
  orders: section({
    count_per_scale_factor: count,
    line_count_weights: { kind: 'weights', minLength: 1, maxLength: 5 },
    quantity_weights: { kind: 'weights', minLength: 1, maxLength: 10 },
    home_store_share: rate,
    monthly_weights: { kind: 'weights', minLength: 12, maxLength: 12 },
    weekend_weight: num(0, 100),
    holiday_weight: num(0, 100),
    black_friday_weight: num(0, 100),
    pre_christmas_days: int(0, 24),
    pre_christmas_weight: num(0, 100),
    closed_holiday_weight: num(0, 100),
    promotion_rate: rate,
    cancel_rate: rate,
    processing_days: int(0, 366),
    shipping_days: int(0, 366),
  }),
  returns: section({
    rate,
    max_days_after_order: int(0, 30),
    category_factors: { kind: 'weightMap', keys: CATEGORY_NAMES },
    reason_weights: { kind: 'weightMap', maxKeyLength: 50 },
  }),
  inventory: section({ opening_stock_min: int(0, 1_000_000_000), opening_stock_max: int(0, 1_000_000_000), restock_batch: int(1, 1_000_000_000) }),
  partitions: section({
    orders_per_partition: int(1, 2_000_000),
    customers_per_partition: int(1, 10_000_000),
    inventory_rows_per_partition: int(1, 100_000_000),
  }),
};

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? `"${v}"` : typeof v === 'object' ? 'a mapping' : String(v);

/** A key as it appears in a message: bare when it is a plain name, else quoted (`":"`, `"Wrong size"`, `""`). */
const keyName = (k: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k));

function checkValue(path: string, rule: Rule, value: unknown, fallback: unknown): unknown {
  const fail = (what: string): never => {
    throw new ConfigError(`${path}: ${what}, got ${describe(value)}`);
  };
  switch (rule.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail('must be an integer');
      if ((value as number) < rule.min || (value as number) > rule.max) fail(`must be between ${rule.min} and ${rule.max}`);
      return value;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a number');
      const v = value as number;
      if (rule.minExclusive ? v <= rule.min : v < rule.min) fail(`must be ${rule.minExclusive ? 'greater than' : 'at least'} ${rule.min}`);
      if (v > rule.max) fail(`must be at most ${rule.max}`);
      return v;
    }
    case 'date':
      if (typeof value !== 'string' || parseIsoDay(value) === null) fail('must be a date written YYYY-MM-DD');
      return value;
    case 'weights': {
      const ok =
        Array.isArray(value) &&
        value.length >= rule.minLength &&
        value.length <= rule.maxLength &&
        value.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0) &&
        value.some((w) => w > 0);
      if (!ok) fail(`must be a list of ${rule.minLength} to ${rule.maxLength} non-negative numbers, not all zero`);
      return value;
    }
    case 'weightMap': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('must be a mapping of name: weight');
      const entries = Object.entries(value as Record<string, unknown>);
      if (rule.keys) {
        for (const [k] of entries) if (!rule.keys.includes(k)) throw new ConfigError(`${path}.${keyName(k)}: unknown key (expected ${rule.keys.join(', ')})`);
        for (const k of rule.keys) if (!Object.hasOwn(value as object, k)) throw new ConfigError(`${path}.${k}: missing (every one of ${rule.keys.join(', ')} needs a weight)`);
      }
      if (entries.length === 0) fail('must name at least one value');
      for (const [k, w] of entries) {
        if (rule.maxKeyLength && (k.length === 0 || k.length > rule.maxKeyLength)) throw new ConfigError(`${path}: the name ${JSON.stringify(k)} must be 1 to ${rule.maxKeyLength} characters`);
        if (rule.keyPattern && !rule.keyPattern.re.test(k)) throw new ConfigError(`${path}.${keyName(k)}: a key must be ${rule.keyPattern.what}`);
        if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new ConfigError(`${path}.${keyName(k)}: must be a non-negative number, got ${describe(w)}`);
      }
      if (!entries.some(([, w]) => (w as number) > 0)) fail('must have at least one positive weight');
      return value;
    }
    case 'section': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('must be a mapping');
      return checkSection(path, rule.rules, value as Record<string, unknown>, fallback as Record<string, unknown>);
    }
  }
}

function checkSection(prefix: string, rules: Rules, input: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(rules, key)) {
      const where = prefix ? `${prefix}.${keyName(key)}` : keyName(key);
      throw new ConfigError(`${where}: unknown key (allowed here: ${Object.keys(rules).join(', ')})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in input) || input[key] === undefined) {
      out[key] = structuredClone(defaults[key]);
    } else if (rule.kind === 'weightMap') {
      out[key] = checkValue(path, rule, input[key], defaults[key]); // a weight map replaces the default whole
    } else {
      out[key] = checkValue(path, rule, input[key], defaults[key]);
    }
  }
  return out;
}

/** Cross-field rules that no single key can express. */
function checkRelations(c: Config): void {
  const pairs: [string, number, string, number][] = [
    ...CATEGORY_NAMES.flatMap((name): [string, number, string, number][] => {
      const b = c.products.categories[name];
      const at = `products.categories.${name}`;
      return [
        [`${at}.price_min_cents`, b.price_min_cents, `${at}.price_max_cents`, b.price_max_cents],
        [`${at}.margin_min`, b.margin_min, `${at}.margin_max`, b.margin_max],
      ];
    }),
    ['promotions.discount_rate_min', c.promotions.discount_rate_min, 'promotions.discount_rate_max', c.promotions.discount_rate_max],
    ['promotions.duration_days_min', c.promotions.duration_days_min, 'promotions.duration_days_max', c.promotions.duration_days_max],
    ['inventory.opening_stock_min', c.inventory.opening_stock_min, 'inventory.opening_stock_max', c.inventory.opening_stock_max],
  ];
  for (const [lowKey, low, highKey, high] of pairs) {
    if (low > high) throw new ConfigError(`${highKey}: must be at least ${lowKey} (${low}), got ${high}`);
  }
  // customer_id and order_id are 32-bit keys (and loyalty tiers map them with 32-bit modular arithmetic).
  for (const [key, perScale] of [['customers', c.customers.count_per_scale_factor], ['orders', c.orders.count_per_scale_factor]] as const) {
    const rows = scaledCount(perScale, c.scale_factor);
    if (rows > 2_147_483_647) {
      throw new ConfigError(`${key}.count_per_scale_factor: ${perScale} × scale_factor ${c.scale_factor} is ${rows.toLocaleString('en-US')} ${key}, more than the 2,147,483,647 that 32-bit keys hold`);
    }
  }
  // Inventory cells (store × product) are 32-bit indices, and the shared arena holds 8 bytes for each.
  const root = Math.sqrt(c.scale_factor);
  const stores = scaledCount(c.stores.count_per_sqrt_scale_factor, root);
  const products = scaledCount(c.products.count_per_sqrt_scale_factor, root);
  if (stores * products > 2_147_483_647) {
    throw new ConfigError(
      `stores.count_per_sqrt_scale_factor × products.count_per_sqrt_scale_factor: ${stores.toLocaleString('en-US')} stores × ${products.toLocaleString('en-US')} products at scale_factor ${c.scale_factor} ` +
        `are ${(stores * products).toLocaleString('en-US')} inventory cells, more than the 2,147,483,647 that 32-bit cell indices hold`,
    );
  }
  if (!CATEGORY_NAMES.some((name) => c.products.categories[name].weight > 0)) {
    throw new ConfigError('products.categories: at least one category needs a positive weight');
  }
  if (!LOYALTY_STATUSES.some((t) => c.customers.loyalty_weights[t] > 0 && c.customers.loyalty_order_factors[t] > 0)) {
    throw new ConfigError('customers.loyalty_order_factors: no tier that has customers (loyalty_weights > 0) has a positive order factor, so nobody could order');
  }
  for (const t of LOYALTY_STATUSES) {
    const f = c.customers.loyalty_basket_factors[t];
    if (!(f >= 0.1 && f <= 10)) throw new ConfigError(`customers.loyalty_basket_factors.${t}: must be between 0.1 and 10, got ${f}`);
  }
  if (Math.round(c.promotions.discount_rate_max * 100) < 1) {
    throw new ConfigError(`promotions.discount_rate_max: must be at least 0.01 (rates are whole hundredths), got ${c.promotions.discount_rate_max}`);
  }
  const first = parseIsoDay(c.calendar.start_date)!;
  if (first - c.customers.signup_years_before_start * 366 < -719_162) {
    throw new ConfigError(`customers.signup_years_before_start: reaches before year 1 from calendar.start_date ${c.calendar.start_date}`);
  }
}

/** A row count at a scale: base × factor (the scale factor, or its square root), rounded, at least 1. */
export const scaledCount = (base: number, factor: number): number => Math.max(1, Math.round(base * factor));

/** Validates a parsed config document (the defaults fill what it leaves out). */
export function validateConfig(document: unknown): Config {
  if (document === null || document === undefined) return structuredClone(DEFAULT_CONFIG);
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`the config must be a mapping of keys, got ${describe(document)}`);
  }
  const config = checkSection('', RULES, document as Record<string, unknown>, DEFAULT_CONFIG as unknown as Record<string, unknown>) as unknown as Config;
  checkRelations(config);
  return config;
}

/** Reads and validates a YAML config file; errors are prefixed with the file name. */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${path}: cannot read the config file (${code === 'ENOENT' ? 'no such file' : code ?? String(err)})`);
  }
  let document: unknown;
  try {
    document = parseYaml(text, { uniqueKeys: true, logLevel: 'error' });
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    return validateConfig(document);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${path}: ${err.message}`);
    throw err;
  }
}
