// Every invariant of SPEC §1 checked on a generated dataset, read back from its CSV files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_CONFIG, cents, generate, readTable } from './helpers/dwgen.js';

type Row = Record<string, string>;
let dir: string;
const t: Record<string, Row[]> = {};
const TABLES = ['customers', 'products', 'stores', 'promotions', 'dates', 'raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'inventory', 'returns'];

const int = (s: string): number => {
  if (!/^-?\d+$/.test(s)) throw new Error(`not an integer: '${s}'`);
  return Number(s);
};
const groupBy = <T>(rows: T[], key: (r: T) => string): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
};
const dayDiff = (a: string, b: string): number => (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;

beforeAll(async () => {
  dir = generate(['--config', SMALL_CONFIG, '--workers', '2']);
  for (const name of TABLES) t[name] = await readTable(dir, name);
}, 120_000);

describe('row counts', () => {
  it('match the config at scale 1 of the small test config', () => {
    expect(t.customers.length).toBe(1200);
    expect(t.products.length).toBe(150);
    expect(t.stores.length).toBe(7);
    expect(t.promotions.length).toBe(25);
    expect(t.dates.length).toBe(365);
    expect(t.raw_orders.length).toBe(6000);
    expect(t.order_aggregates.length).toBe(6000);
    expect(t.orders.length).toBe(6000);
    expect(t.inventory.length).toBe(7 * 150);
    const lines = t.order_aggregates.reduce((s, r) => s + int(r.line_count), 0);
    expect(t.transactions_raw.length).toBe(lines);
    expect(lines).toBeGreaterThan(6000 * 2.7);
    expect(lines).toBeLessThan(6000 * 3.3);
    expect(t.returns.length / lines).toBeGreaterThan(0.035);
    expect(t.returns.length / lines).toBeLessThan(0.065);
  });

  it('schema.json states the real row count of every table', () => {
    const schema = JSON.parse(readFileSync(join(dir, 'metadata/schema.json'), 'utf8'));
    for (const name of TABLES) expect(schema.tables[name].row_count, name).toBe(t[name].length);
  });
});

describe('keys', () => {
  const dense: [string, string][] = [
    ['customers', 'customer_id'], ['products', 'product_id'], ['stores', 'store_id'], ['promotions', 'promotion_id'],
    ['raw_orders', 'order_id'], ['order_aggregates', 'order_id'], ['orders', 'order_id'],
    ['transactions_raw', 'transaction_id'], ['returns', 'return_id'],
  ];
  it.each(dense)('%s.%s is dense 1..N in file order', (table, column) => {
    t[table].forEach((r, i) => expect(int(r[column])).toBe(i + 1));
  });

  it('inventory has one row per (store, product), in store then product order', () => {
    let i = 0;
    for (let s = 1; s <= 7; s++) for (let p = 1; p <= 150; p++, i++) {
      expect([int(t.inventory[i].store_id), int(t.inventory[i].product_id)]).toEqual([s, p]);
    }
  });

  it('dates: date_id is yyyymmdd of a contiguous, unique calendar', () => {
    t.dates.forEach((r, i) => {
      expect(r.date_id).toBe(r.date.replaceAll('-', ''));
      if (i > 0) expect(dayDiff(t.dates[i - 1].date, r.date)).toBe(1);
      const weekday = new Date(`${r.date}T00:00:00Z`).getUTCDay();
      expect(r.is_weekend).toBe(weekday === 0 || weekday === 6 ? 'true' : 'false');
    });
    expect(t.dates[0].date).toBe('2024-01-01');
    expect(t.dates.filter((r) => r.is_holiday === 'true').map((r) => r.date)).toContain('2024-11-28'); // Thanksgiving 2024
  });

  it('every foreign key resolves', () => {
    const schema = JSON.parse(readFileSync(join(dir, 'metadata/schema.json'), 'utf8'));
    expect(schema.relationships.length).toBe(17); // raw_orders 3, transactions_raw 3, order_aggregates 1, orders 3, inventory 2, returns 5
    for (const rel of schema.relationships as { table: string; column: string; references: string }[]) {
      const [refTable, refColumn] = rel.references.split('.');
      const keys = new Set(t[refTable].map((r) => r[refColumn]));
      for (const r of t[rel.table]) {
        if (r[rel.column] === '' && rel.column === 'promotion_id') continue;
        expect(keys.has(r[rel.column]), `${rel.table}.${rel.column}=${r[rel.column]}`).toBe(true);
      }
    }
  });

  it('emails are unique', () => {
    expect(new Set(t.customers.map((r) => r.email)).size).toBe(t.customers.length);
  });
});

describe('money and quantities', () => {
  it('products: 0 < cost < price; each sub-category in exactly one category', () => {
    for (const r of t.products) {
      expect(cents(r.cost)).toBeGreaterThan(0);
      expect(cents(r.cost)).toBeLessThan(cents(r.price));
    }
    const categories = groupBy(t.products, (r) => r.sub_category);
    for (const [, rows] of categories) expect(new Set(rows.map((r) => r.category)).size).toBe(1);
  });

  it('lines: unit price is the product price, line total = quantity × price − discount, lines numbered 1..n', () => {
    const price = new Map(t.products.map((r) => [r.product_id, cents(r.price)]));
    const byOrder = groupBy(t.transactions_raw, (r) => r.order_id);
    for (const r of t.transactions_raw) {
      const q = int(r.quantity);
      expect(q).toBeGreaterThanOrEqual(1);
      expect(q).toBeLessThanOrEqual(10);
      expect(cents(r.unit_price)).toBe(price.get(r.product_id));
      expect(cents(r.line_total)).toBe(q * cents(r.unit_price) - cents(r.discount_amount));
      if (r.promotion_id === '') expect(cents(r.discount_amount)).toBe(0);
    }
    for (const [, lines] of byOrder) lines.forEach((l, i) => expect(int(l.line_number)).toBe(i + 1));
  });

  it('promotions: active on the order date, discount = round(gross × rate), rate in (0, 0.50]', () => {
    const promo = new Map(t.promotions.map((r) => [r.promotion_id, r]));
    const orderDate = new Map(t.raw_orders.map((r) => [r.order_id, r.order_date]));
    let promoted = 0;
    for (const r of t.transactions_raw) {
      if (r.promotion_id === '') continue;
      promoted++;
      const p = promo.get(r.promotion_id)!;
      const day = orderDate.get(r.order_id)!;
      expect(p.start_date <= day && day <= p.end_date, `promotion ${r.promotion_id} on ${day}`).toBe(true);
      const gross = int(r.quantity) * cents(r.unit_price);
      const rate = cents(p.discount_rate);
      expect(cents(r.discount_amount)).toBe(Math.floor((gross * rate + 50) / 100));
    }
    expect(promoted).toBeGreaterThan(0);
    for (const p of t.promotions) {
      expect(cents(p.discount_rate)).toBeGreaterThan(0);
      expect(cents(p.discount_rate)).toBeLessThanOrEqual(50);
      expect(p.start_date <= p.end_date).toBe(true);
      expect(p.start_date >= '2024-01-01' && p.end_date <= '2024-12-30').toBe(true);
    }
  });

  it('aggregates and orders equal the sums of their lines to the cent', () => {
    const byOrder = groupBy(t.transactions_raw, (r) => r.order_id);
    const raw = new Map(t.raw_orders.map((r) => [r.order_id, r]));
    t.order_aggregates.forEach((a, i) => {
      const lines = byOrder.get(a.order_id)!;
      const gross = lines.reduce((s, l) => s + int(l.quantity) * cents(l.unit_price), 0);
      const discount = lines.reduce((s, l) => s + cents(l.discount_amount), 0);
      const total = lines.reduce((s, l) => s + cents(l.line_total), 0);
      expect(int(a.line_count)).toBe(lines.length);
      expect(int(a.total_quantity)).toBe(lines.reduce((s, l) => s + int(l.quantity), 0));
      expect(cents(a.gross_amount)).toBe(gross);
      expect(cents(a.discount_amount)).toBe(discount);
      expect(cents(a.order_total)).toBe(total);
      expect(cents(a.order_total)).toBe(gross - discount);
      const o = t.orders[i];
      const r = raw.get(o.order_id)!;
      expect([o.order_id, o.customer_id, o.store_id, o.order_date]).toEqual([r.order_id, r.customer_id, r.store_id, r.order_date]);
      expect([o.line_count, o.total_quantity, o.order_total]).toEqual([a.line_count, a.total_quantity, a.order_total]);
    });
  });
});

describe('returns and status', () => {
  it('returns are dated within 30 days, sized within their line, refunded pro rata, and match their line', () => {
    const line = new Map(t.transactions_raw.map((r) => [r.transaction_id, r]));
    const order = new Map(t.raw_orders.map((r) => [r.order_id, r]));
    const seen = new Set<string>();
    for (const r of t.returns) {
      const l = line.get(r.transaction_id)!;
      const o = order.get(r.order_id)!;
      expect(l.order_id).toBe(r.order_id);
      expect(l.product_id).toBe(r.product_id);
      expect(o.store_id).toBe(r.store_id);
      const days = dayDiff(o.order_date, r.return_date);
      expect(days).toBeGreaterThanOrEqual(0);
      expect(days).toBeLessThanOrEqual(30);
      const q = int(r.quantity_returned);
      expect(q).toBeGreaterThanOrEqual(1);
      expect(q).toBeLessThanOrEqual(int(l.quantity));
      expect(cents(r.refund_amount)).toBe(Math.floor((cents(l.line_total) * q) / int(l.quantity)));
      expect(cents(r.refund_amount)).toBeLessThanOrEqual(cents(l.line_total));
      expect(r.reason.length).toBeGreaterThan(0);
      expect(seen.has(r.transaction_id)).toBe(false); // a line is returned at most once
      seen.add(r.transaction_id);
    }
  });

  it("an order's status is Returned exactly when it has a return", () => {
    const returned = new Set(t.returns.map((r) => r.order_id));
    const statuses = new Set<string>();
    for (const o of t.orders) {
      statuses.add(o.status);
      expect(o.status === 'Returned', `order ${o.order_id}`).toBe(returned.has(o.order_id));
    }
    expect([...statuses].sort()).toEqual(['Cancelled', 'Completed', 'Processing', 'Returned', 'Shipped']);
  });
});

describe('inventory', () => {
  it('units sold equal the sums of sold quantities; stock never negative; restocks in whole batches dated at the last sale', () => {
    const storeOf = new Map(t.raw_orders.map((r) => [r.order_id, r.store_id]));
    const dateOf = new Map(t.raw_orders.map((r) => [r.order_id, r.order_date]));
    const cancelled = new Set(t.orders.filter((o) => o.status === 'Cancelled').map((o) => o.order_id));
    expect(cancelled.size).toBeGreaterThan(0);
    const sold = new Map<string, number>();
    const last = new Map<string, string>();
    for (const l of t.transactions_raw) {
      if (cancelled.has(l.order_id)) continue; // cancelled orders are not sold
      const key = `${storeOf.get(l.order_id)}|${l.product_id}`;
      sold.set(key, (sold.get(key) ?? 0) + int(l.quantity));
      const d = dateOf.get(l.order_id)!;
      if (!last.has(key) || last.get(key)! < d) last.set(key, d);
    }
    let restocked = 0;
    for (const r of t.inventory) {
      const key = `${r.store_id}|${r.product_id}`;
      const open = int(r.opening_stock);
      const units = int(r.units_sold);
      const received = int(r.units_received);
      expect(units).toBe(sold.get(key) ?? 0);
      expect(int(r.closing_stock)).toBe(open - units + received);
      expect(int(r.closing_stock)).toBeGreaterThanOrEqual(0);
      expect(open).toBeGreaterThanOrEqual(20);
      expect(open).toBeLessThanOrEqual(200);
      expect(received % 50).toBe(0);
      if (received > 0) {
        restocked++;
        expect(received - 50).toBeLessThan(units - open); // the fewest batches that keep stock ≥ 0
        expect(r.last_restock_date).toBe(last.get(key));
      } else {
        expect(r.last_restock_date).toBe('');
      }
    }
    expect(restocked).toBeGreaterThan(0);
  });
});

describe('realism', () => {
  it('popularity is skewed: the top 10 % of products sell over a third of the units', () => {
    const units = new Map<string, number>();
    for (const l of t.transactions_raw) units.set(l.product_id, (units.get(l.product_id) ?? 0) + int(l.quantity));
    const sorted = [...units.values()].sort((a, b) => b - a);
    const total = sorted.reduce((s, v) => s + v, 0);
    const top = sorted.slice(0, 15).reduce((s, v) => s + v, 0);
    expect(top / total).toBeGreaterThan(1 / 3);
  });

  it('weekends and holidays (but Thanksgiving and Christmas Day) get more orders per day than weekdays', () => {
    const closed = (date: string): boolean => date.endsWith('-12-25') || (date.slice(5, 7) === '11' && new Date(`${date}T00:00:00Z`).getUTCDay() === 4 && Number(date.slice(8)) >= 22 && Number(date.slice(8)) <= 28);
    const kind = new Map(t.dates.map((d) => [d.date, closed(d.date) ? 'closed' : d.is_holiday === 'true' ? 'holiday' : d.is_weekend === 'true' ? 'weekend' : 'weekday']));
    const days = groupBy(t.dates, (d) => kind.get(d.date)!);
    const orders = groupBy(t.raw_orders, (o) => kind.get(o.order_date)!);
    const perDay = (k: string): number => orders.get(k)!.length / days.get(k)!.length;
    expect(perDay('weekend')).toBeGreaterThan(perDay('weekday') * 1.2);
    expect(perDay('holiday')).toBeGreaterThan(perDay('weekday') * 1.25);
    expect(perDay('closed')).toBeLessThan(perDay('weekday'));
  });

  it('customers: loyalty skewed towards Bronze, sign-up before the calendar, ZIP codes of 5 digits', () => {
    const tiers = groupBy(t.customers, (c) => c.loyalty_status);
    expect(tiers.get('Bronze')!.length).toBeGreaterThan(tiers.get('Platinum')!.length * 5);
    for (const c of t.customers) {
      expect(c.signup_date < '2024-01-01').toBe(true);
      expect(c.zip_code).toMatch(/^\d{5}$/);
      expect(c.state).toMatch(/^[A-Z]{2}$/);
      expect(c.phone).toMatch(/^\d{3}-\d{3}-\d{4}$/);
    }
  });
});
