// dwgen load --postgres against a real PostgreSQL server (CI's, or a throwaway local cluster):
// every CSV file streamed through COPY, constraints added after the rows, rows per table reported,
// a re-runnable DDL, a failed foreign key named (exit 1, nothing changed), subsets refused or
// loaded with --partial.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCommand } from '../src/commands/loadCommand.js';
import { TABLE_NAMES } from '../src/core/tables.js';
import { generateDdl } from '../src/ddl/ddl.js';
import { SMALL_CONFIG, generate } from './helpers/dwgen.js';
import { buildFixtureData, makeFixture, type FixtureOptions } from './helpers/fixture.js';
import { captureCli } from './helpers/fixtureCli.js';
import { startTestServer, type TestServer } from './helpers/postgres.js';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

let started: TestServer | undefined;
let startError: unknown;
const dirs: string[] = [];
// A server that cannot be had fails every test (never a skip); see helpers/postgres.ts.
beforeAll(async () => {
  try {
    started = await startTestServer();
  } catch (err) {
    startError = err;
  }
}, 120_000);
const server = new Proxy({} as TestServer, {
  get(_target, key) {
    if (!started) throw startError instanceof Error ? startError : new Error(String(startError));
    return started[key as keyof TestServer];
  },
});
afterAll(async () => {
  await started?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function fixture(options: FixtureOptions = {}): Promise<string> {
  const dir = await makeFixture(options);
  dirs.push(dir);
  return dir;
}

async function counts(url: string): Promise<Record<string, number>> {
  const rows = await server.query(url, TABLE_NAMES.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t as string, Number(r.n)]));
}

async function constraints(url: string): Promise<{ name: string; type: string }[]> {
  const rows = await server.query(url, `SELECT conname AS name, contype AS type FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY conname`);
  return rows.map((r) => ({ name: r.name as string, type: r.type as string }));
}

describe('dwgen load --postgres', () => {
  test('part files through COPY: rows per table reported, counts and money equal the files, every constraint added', async () => {
    const dir = await fixture({ layout: 'partitioned', partRows: 4 });
    const url = await server.database();
    const run = await captureCli(loadCommand, ['--postgres', url, '--dir', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const data = buildFixtureData();
    for (const t of TABLE_NAMES) {
      const files = Math.ceil(data[t].length / 4);
      expect(run.stdout).toContain(`${t.padEnd(17)} ${String(data[t].length).padStart(10)} rows from ${files} csv ${files === 1 ? 'file' : 'files'}\n`);
    }
    expect(run.stdout).toMatch(/loaded 11 tables into postgresql:\/\/postgres@127\.0\.0\.1:\d+\/dwgen_test_\w+ \(29 constraints\)\n$/);
    expect(await counts(url)).toEqual(Object.fromEntries(TABLE_NAMES.map((t) => [t, data[t].length])));
    const cents = (t: keyof typeof data, col: string): number => data[t].reduce((a, r) => a + (r[col] as number), 0);
    const [sums] = await server.query(
      url,
      `SELECT (SELECT sum(line_total) * 100 FROM transactions_raw)::bigint AS lines, (SELECT sum(order_total) * 100 FROM orders)::bigint AS orders,
              (SELECT sum(refund_amount) * 100 FROM returns)::bigint AS refunds, (SELECT sum(price) * 100 FROM products)::bigint AS prices`,
    );
    expect(Object.fromEntries(Object.entries(sums!).map(([k, v]) => [k, Number(v)]))).toEqual({
      lines: cents('transactions_raw', 'line_total'),
      orders: cents('orders', 'order_total'),
      refunds: cents('returns', 'refund_amount'),
      prices: cents('products', 'price'),
    });
    const cons = await constraints(url);
    expect(cons.filter((c) => c.type === 'p').length).toBe(11);
    expect(cons.filter((c) => c.type === 'u').map((c) => c.name)).toEqual(['dates_date_key']);
    expect(cons.filter((c) => c.type === 'f').length).toBe(17);
    expect(cons.map((c) => c.name)).toContain('transactions_raw_order_id_fkey');
    const [ref] = await server.query(url, `SELECT confrelid::regclass::text AS target FROM pg_constraint WHERE conname = 'transactions_raw_order_id_fkey'`);
    expect(ref!.target).toBe('orders');
    // the constraints hold afterwards
    await expect(server.query(url, `INSERT INTO returns SELECT 1000, order_id, 99999, product_id, store_id, return_date, 1, 0, 'x' FROM returns LIMIT 1`)).rejects.toThrow(/returns_transaction_id_fkey/);
  });

  test('a second load replaces the tables: the same rows, not twice', async () => {
    const dir = await fixture();
    const url = await server.database();
    expect((await captureCli(loadCommand, ['--postgres', url, '--dir', dir, '--quiet'])).code).toBe(0);
    const again = await captureCli(loadCommand, ['--postgres', url, '--dir', dir, '--quiet']);
    expect(again).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await counts(url)).orders).toBe(buildFixtureData().orders.length);
  });

  test('the DDL runs twice on one database (CREATE TABLE IF NOT EXISTS); with --drop it replaces the tables', async () => {
    const url = await server.database();
    await server.query(url, generateDdl('postgres'));
    await server.query(url, `INSERT INTO customers VALUES (1, 'A', 'B', 'a@b', '1', 'x', 'y', 'NY', '10001', 'Gold', DATE '2023-01-01')`);
    await server.query(url, generateDdl('postgres'));
    expect((await counts(url)).customers).toBe(1);
    await server.query(url, generateDdl('postgres', { drop: true }));
    expect((await counts(url)).customers).toBe(0);
    expect((await constraints(url)).length).toBe(29);
  });

  test('a dangling foreign key: exit 1 naming the constraint and the key; the database is left as it was', async () => {
    const url = await server.database();
    expect((await captureCli(loadCommand, ['--postgres', url, '--dir', await fixture(), '--quiet'])).code).toBe(0);
    const bad = await fixture({ mutate: (d) => void (d.returns[0]!.transaction_id = 9999) });
    const run = await captureCli(loadCommand, ['--postgres', url, '--dir', bad, '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^dwgen load: error: table returns: foreign key returns_transaction_id_fkey \(transaction_id → transactions_raw\.transaction_id\) does not hold: .*: Key \(transaction_id\)=\(9999\) is not present in table "transactions_raw"\.\n$/,
    );
    expect(await counts(url)).toEqual(Object.fromEntries(TABLE_NAMES.map((t) => [t, buildFixtureData()[t].length])));
  });

  test('a subset: exit 2 naming what it lacks; --partial loads it without the foreign keys into missing tables', async () => {
    const dir = await fixture({ tables: ['transactions_raw', 'products'] });
    const url = await server.database();
    const refused = await captureCli(loadCommand, ['--postgres', url, '--dir', dir]);
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'dwgen load: error: the dataset is a subset (generate --tables): it lacks promotions and orders, which transactions_raw references; ' +
        'generate them too, or pass --partial to load the tables it has without the 2 foreign keys into missing tables\n',
    });
    const partial = await captureCli(loadCommand, ['--postgres', url, '--dir', dir, '--partial']);
    expect(partial.stderr).toBe('');
    expect(partial.code).toBe(0);
    expect(partial.stdout).toContain('--partial: left out 2 foreign keys into tables the dataset lacks: transactions_raw.order_id → orders.order_id, transactions_raw.promotion_id → promotions.promotion_id\n');
    const data = buildFixtureData();
    expect(await counts(url)).toMatchObject({ transactions_raw: data.transactions_raw.length, products: data.products.length, orders: 0 });
    const names = (await constraints(url)).map((c) => c.name);
    expect(names).toContain('transactions_raw_product_id_fkey');
    expect(names).not.toContain('transactions_raw_order_id_fkey');
  });

  test('a generated dataset (single files, quoted text) loads with the row counts of its schema.json', async () => {
    const dir = generate(['--config', SMALL_CONFIG, '--workers', '2']);
    dirs.push(dir);
    const url = await server.database();
    const run = await captureCli(loadCommand, ['--postgres', url, '--dir', dir, '--quiet']);
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    const schema = JSON.parse(readFileSync(join(dir, 'metadata/schema.json'), 'utf8')) as { tables: Record<string, { row_count: number }> };
    expect(await counts(url)).toEqual(Object.fromEntries(TABLE_NAMES.map((t) => [t, schema.tables[t]!.row_count])));
  }, 60_000);

  test('unusable input: no server there, Parquet only, both targets (exit 2, one line)', async () => {
    const nothing = await captureCli(loadCommand, ['--postgres', 'postgresql://postgres:secret@127.0.0.1:1/postgres', '--dir', await fixture()]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^dwgen load: error: --postgres postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres: cannot connect: .+\n$/);
    const parquet = await captureCli(loadCommand, ['--postgres', server.url, '--dir', await fixture({ format: 'parquet' })]);
    expect(parquet).toEqual({ code: 2, stdout: '', stderr: 'dwgen load: error: table customers has only Parquet files; load --postgres reads CSV (generate with --format csv or both)\n' });
    const both = await captureCli(loadCommand, ['--postgres', server.url, '--duckdb', 'x.duckdb']);
    expect(both).toEqual({ code: 2, stdout: '', stderr: 'dwgen load: error: --duckdb and --postgres cannot be combined: load one at a time\n' });
  });
});
