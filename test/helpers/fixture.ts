// Tiny hand-computed dwgen dataset for validate/load tests: consistent rows for every table, written
// as CSV (single or partitioned, optionally Parquet via DuckDB) with matching metadata documents.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_CONFIG } from '../../src/config/config.js';
import { TABLES, TABLE_NAMES, type TableName } from '../../src/core/tables.js';
import type { MetadataInput, MetadataTable } from '../../src/metadata/input.js';
import { buildLineageDocument } from '../../src/metadata/lineageDocument.js';
import { buildSchemaDocument } from '../../src/metadata/schemaDocument.js';
import { TOOL_VERSION } from '../../src/version.js';

/** A cell: integers as numbers, DECIMAL as integer cents, DATE as 'YYYY-MM-DD', BOOLEAN, string, null. */
export type Cell = number | string | boolean | null;
export type Row = Record<string, Cell>;
export type FixtureData = Record<TableName, Row[]>;

export interface FixtureOptions {
  readonly layout?: 'single' | 'partitioned';
  /** Rows per part file in the partitioned layout. */
  readonly partRows?: number;
  readonly format?: 'csv' | 'parquet' | 'both';
  /** Only these tables get files (the others are not in schema.json, as after generate --tables). */
  readonly tables?: readonly TableName[];
  /** Edits the rows before they are written; metadata is computed from what is written. */
  readonly mutate?: (data: FixtureData) => void;
}

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const DAYS = 21;
const iso = (day: number): string => new Date(START + day * DAY).toISOString().slice(0, 10);
const dayOf = (isoDate: string): number => Math.round((Date.parse(`${isoDate}T00:00:00Z`) - START) / DAY);

function isoWeek(t: number): number {
  const d = new Date(t);
  const dow = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(t - dow * DAY + 3 * DAY);
  const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return Math.floor((thursday.getTime() - jan1) / DAY / 7) + 1;
}

/** The consistent fixture: 6 customers, 4 products, 2 stores, 2 promotions, 21 days, 10 orders. */
export function buildFixtureData(): FixtureData {
  const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const dates: Row[] = [];
  for (let i = 0; i < DAYS; i++) {
    const t = START + i * DAY;
    const d = new Date(t);
    const dow = d.getUTCDay();
    dates.push({
      date_id: d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate(),
      date: iso(i),
      day_of_week: dayNames[dow]!,
      day_of_month: d.getUTCDate(),
      week_of_year: isoWeek(t),
      month: d.getUTCMonth() + 1,
      month_name: monthNames[d.getUTCMonth()]!,
      quarter: Math.floor(d.getUTCMonth() / 3) + 1,
      year: d.getUTCFullYear(),
      is_weekend: dow === 0 || dow === 6,
      is_holiday: i === 0 || i === 14,
    });
  }
  const loyalty = ['Bronze', 'Bronze', 'Silver', 'Gold', 'Bronze', 'Platinum'];
  const customers: Row[] = loyalty.map((l, i) => ({
    customer_id: i + 1,
    first_name: ['Ann', 'Bob', 'Cy', 'Dee', 'Ed', 'Flo'][i]!,
    last_name: i === 2 ? "O'Hara" : `Smith${i + 1}`,
    email: `customer${i + 1}@example.com`,
    phone: `217-010-00${10 + i}`, // 217: an Illinois area code
    address: i === 1 ? '12 Main St, Apt 3' : `${100 + i} Oak Ave`,
    city: 'Springfield',
    state: 'IL',
    zip_code: `6270${i + 1}`, // real Springfield, IL ZIP codes
    loyalty_status: l,
    signup_date: `2023-0${(i % 9) + 1}-15`,
  }));
  const prices = [1999, 500, 12345, 250];
  const products: Row[] = prices.map((p, i) => ({
    product_id: i + 1,
    product_name: i === 0 ? '12" Pizza Pan' : `Product ${i + 1}`,
    category: i < 2 ? 'Kitchen' : 'Garden',
    sub_category: i < 2 ? 'Cookware' : 'Tools',
    brand: 'Acme',
    price: p,
    cost: Math.floor(p / 2),
  }));
  const stores: Row[] = [1, 2].map((i) => ({
    store_id: i,
    store_name: `Store ${i}`,
    address: `${i} Market Sq`,
    city: i === 1 ? 'Boston' : 'Austin',
    state: i === 1 ? 'MA' : 'TX',
    zip_code: i === 1 ? '02108' : '73301',
    region: i === 1 ? 'Northeast' : 'South',
  }));
  const promos = [
    { rate: 10, start: 0, end: 6 },
    { rate: 25, start: 5, end: 20 },
  ];
  const promotions: Row[] = promos.map((p, i) => ({
    promotion_id: i + 1,
    promotion_name: `Promo ${i + 1}`,
    discount_rate: p.rate, // hundredths, written as 0.10 / 0.25
    start_date: iso(p.start),
    end_date: iso(p.end),
  }));

  const raw_orders: Row[] = [];
  const lines: Row[] = [];
  for (let o = 1; o <= 10; o++) {
    const day = (o * 2) % DAYS;
    raw_orders.push({ order_id: o, customer_id: (o % 6) + 1, store_id: (o % 2) + 1, order_date: iso(day) });
    const n = 1 + (o % 3) + (o === 5 ? 2 : 0);
    for (let ln = 1; ln <= n; ln++) {
      const product = ((o + ln) % 4) + 1;
      const quantity = ((o * ln) % 5) + 1;
      const price = prices[product - 1]!;
      const active = promos.findIndex((p) => p.start <= day && day <= p.end);
      const promotion = (o + ln) % 2 === 0 && active >= 0 ? active + 1 : null;
      const discount = promotion ? Math.round((quantity * price * promos[promotion - 1]!.rate) / 100) : 0;
      lines.push({
        transaction_id: lines.length + 1,
        order_id: o,
        line_number: ln,
        product_id: product,
        promotion_id: promotion,
        quantity,
        unit_price: price,
        discount_amount: discount,
        line_total: quantity * price - discount,
      });
    }
  }
  const returns: Row[] = [];
  for (const l of lines) {
    const tid = l.transaction_id as number;
    if (tid % 4 !== 0) continue;
    const order = raw_orders[(l.order_id as number) - 1]!;
    const q = l.quantity as number;
    const qr = Math.min(q, 1 + (tid % 2));
    returns.push({
      return_id: returns.length + 1,
      order_id: l.order_id,
      transaction_id: tid,
      product_id: l.product_id,
      store_id: order.store_id,
      return_date: iso(Math.min(DAYS - 1, dayOf(order.order_date as string) + (tid % 31))), // within the calendar
      quantity_returned: qr,
      refund_amount: Math.floor(((l.line_total as number) * qr) / q),
      reason: tid % 8 === 0 ? 'Defective, broken' : 'Changed mind',
    });
  }
  const order_aggregates: Row[] = raw_orders.map((o) => {
    const ls = lines.filter((l) => l.order_id === o.order_id);
    const sum = (f: (l: Row) => number): number => ls.reduce((a, l) => a + f(l), 0);
    const gross = sum((l) => (l.quantity as number) * (l.unit_price as number));
    const disc = sum((l) => l.discount_amount as number);
    return {
      order_id: o.order_id,
      line_count: ls.length,
      total_quantity: sum((l) => l.quantity as number),
      gross_amount: gross,
      discount_amount: disc,
      order_total: gross - disc,
    };
  });
  const others = ['Completed', 'Shipped', 'Processing', 'Cancelled'];
  const orders: Row[] = raw_orders.map((o, i) => {
    const a = order_aggregates[i]!;
    return {
      ...o,
      line_count: a.line_count,
      total_quantity: a.total_quantity,
      order_total: a.order_total,
      status: returns.some((r) => r.order_id === o.order_id) ? 'Returned' : others[i % 4]!,
    };
  });
  const inventory: Row[] = [];
  for (const s of stores) {
    for (const p of products) {
      // Cancelled orders are not sold.
      const sold = lines.filter((l) => l.product_id === p.product_id && raw_orders[(l.order_id as number) - 1]!.store_id === s.store_id && orders[(l.order_id as number) - 1]!.status !== 'Cancelled');
      const unitsSold = sold.reduce((a, l) => a + (l.quantity as number), 0);
      const opening = 4 + (p.product_id as number);
      const received = unitsSold > opening ? Math.ceil((unitsSold - opening) / 10) * 10 : 0;
      const lastDay = sold.length ? Math.max(...sold.map((l) => dayOf(raw_orders[(l.order_id as number) - 1]!.order_date as string))) : 0;
      inventory.push({
        store_id: s.store_id,
        product_id: p.product_id,
        opening_stock: opening,
        units_sold: unitsSold,
        units_received: received,
        closing_stock: opening - unitsSold + received,
        last_restock_date: received > 0 ? iso(lastDay) : null,
      });
    }
  }
  return { customers, products, stores, promotions, dates, raw_orders, transactions_raw: lines, order_aggregates, orders, inventory, returns };
}

function formatCell(table: TableName, column: string, v: Cell): string {
  if (v === null) return '';
  const col = TABLES[table].columns.find((c) => c.name === column)!;
  if (col.type.startsWith('DECIMAL')) {
    const n = v as number;
    const abs = Math.abs(n);
    return `${n < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text of rows in the generator's format (header, LF, quoting only where needed). */
export function toCsv(table: TableName, rows: readonly Row[]): string {
  const cols = TABLES[table].columns.map((c) => c.name);
  const body = rows.map((r) => cols.map((c) => formatCell(table, c, r[c] ?? null)).join(',')).join('\n');
  return `${cols.join(',')}\n${body}${rows.length ? '\n' : ''}`;
}

export interface FileEntry {
  path: string;
  format: 'csv' | 'parquet';
  rows: number;
  bytes: number;
  sha256: string;
}

export const sha256 = (buf: Buffer | string): string => createHash('sha256').update(buf).digest('hex');

/** Writes the dataset under dir and returns the data that was written. */
export async function writeFixture(dir: string, options: FixtureOptions = {}): Promise<FixtureData> {
  const data = buildFixtureData();
  options.mutate?.(data);
  const layout = options.layout ?? 'single';
  const format = options.format ?? 'csv';
  const partRows = options.partRows ?? 7;
  const only = options.tables ? new Set(options.tables) : null;
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await mkdir(path.join(dir, 'metadata'), { recursive: true });
  const instance = format === 'csv' ? null : await DuckDBInstance.create(':memory:');
  const conn = instance ? await instance.connect() : null;
  const tables: Record<string, { files: FileEntry[] }> = {};
  try {
    for (const name of TABLE_NAMES) {
      const def = TABLES[name];
      const rows = data[name];
      const files: FileEntry[] = [];
      if (!only || only.has(name)) {
        const parts: Row[][] = [];
        if (layout === 'single') parts.push(rows);
        else for (let i = 0; i < Math.max(rows.length, 1); i += partRows) parts.push(rows.slice(i, i + partRows));
        for (const [i, part] of parts.entries()) {
          const stem = layout === 'single' ? `data/${name}` : `data/${name}/part-${String(i).padStart(5, '0')}`;
          if (layout === 'partitioned') await mkdir(path.join(dir, 'data', name), { recursive: true });
          const csv = toCsv(name, part);
          const csvPath = path.join(dir, `${stem}.csv`);
          await writeFile(csvPath, csv);
          if (format !== 'parquet') files.push({ path: `${stem}.csv`, format: 'csv', rows: part.length, bytes: Buffer.byteLength(csv), sha256: sha256(csv) });
          if (format !== 'csv') {
            const pq = path.join(dir, `${stem}.parquet`);
            const cols = def.columns.map((c) => `'${c.name}': '${c.type.startsWith('VARCHAR') || c.type.startsWith('CHAR') ? 'VARCHAR' : c.type}'`).join(', ');
            await conn!.run(
              `COPY (SELECT * FROM read_csv('${csvPath}', header = true, auto_detect = false, nullstr = '', columns = {${cols}})) TO '${pq}' (FORMAT parquet)`,
            );
            const buf = await readFile(pq);
            files.push({ path: `${stem}.parquet`, format: 'parquet', rows: part.length, bytes: buf.length, sha256: sha256(buf) });
            if (format === 'parquet') await rm(csvPath);
          }
        }
      }
      tables[name] = { files };
    }
  } finally {
    conn?.closeSync();
    instance?.closeSync();
  }
  // The metadata documents come from dwgen's own pure builders, fed plain data.
  const written: Partial<Record<TableName, MetadataTable>> = {};
  for (const name of TABLE_NAMES) {
    const files = tables[name]!.files;
    if (files.length > 0) written[name] = { rows: data[name].length, files };
  }
  const input: MetadataInput = {
    run: {
      tool: { name: 'dwgen', version: TOOL_VERSION },
      seed: 42,
      scaleFactor: 0.001,
      configSha256: '0'.repeat(64),
      configSource: 'test/helpers/fixture.ts',
      config: DEFAULT_CONFIG, // not what made the fixture's rows (they are written by hand): the documents only need one
      formats: format === 'both' ? ['csv', 'parquet'] : [format],
      csvLayout: layout,
      parquet: null,
      workers: 1,
      partitions: { orders: 1, ordersPerPartition: data.raw_orders.length, customers: 1, inventory: 1 },
      startedAt: '2024-01-01T00:00:00.000Z',
      finishedAt: '2024-01-01T00:00:01.000Z',
    },
    rowCounts: Object.fromEntries(TABLE_NAMES.map((t) => [t, data[t].length])) as Record<TableName, number>,
    tables: written,
    stepSeconds: {},
  };
  await writeFile(path.join(dir, 'metadata', 'schema.json'), buildSchemaDocument(input));
  await writeFile(path.join(dir, 'metadata', 'generation_lineage.yaml'), buildLineageDocument(input, 0));
  return data;
}

/** Writes a fixture into a fresh temp dir; returns the dir. */
export async function makeFixture(options: FixtureOptions = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dwgen-fixture-'));
  await writeFixture(dir, options);
  return dir;
}

/** Reads and writes schema.json (e.g. to change what the metadata claims). */
export async function editSchema(dir: string, edit: (schema: any) => void): Promise<void> {
  const p = path.join(dir, 'metadata', 'schema.json');
  const schema = JSON.parse(await readFile(p, 'utf8'));
  edit(schema);
  await writeFile(p, JSON.stringify(schema, null, 2));
}
