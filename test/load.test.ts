// load: DDL files generated from TABLES, and a DuckDB warehouse whose row counts and money sums equal
// the files' and whose constraints reject bad rows inserted afterwards.
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, test } from 'vitest';
import { ddlCommand } from '../src/commands/ddlCommand.js';
import { loadCommand } from '../src/commands/loadCommand.js';
import { TABLES, TABLE_NAMES } from '../src/core/tables.js';
import { generateDdl } from '../src/ddl/ddl.js';
import { dependencyOrder } from '../src/ddl/sql.js';
import { buildFixtureData, makeFixture, type FixtureOptions } from './helpers/fixture.js';
import { captureCli } from './helpers/fixtureCli.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function fixture(options: FixtureOptions = {}): Promise<string> {
  const dir = await makeFixture(options);
  dirs.push(dir);
  return dir;
}

async function query(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(db);
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('DDL generation', () => {
  test('dependency order puts every referenced table first', () => {
    const order = dependencyOrder();
    expect([...order].sort()).toEqual([...TABLE_NAMES].sort());
    for (const t of TABLE_NAMES) {
      for (const c of TABLES[t].columns) {
        if (c.references) expect(order.indexOf(c.references.split('.')[0] as never)).toBeLessThan(order.indexOf(t));
      }
    }
  });

  test.each(['duckdb', 'postgres'] as const)('%s DDL has every table, types and constraints', (dialect) => {
    const ddl = generateDdl(dialect);
    for (const t of TABLE_NAMES) expect(ddl).toContain(`CREATE TABLE IF NOT EXISTS ${t} (`);
    expect(ddl).toContain('CONSTRAINT inventory_pkey PRIMARY KEY (store_id, product_id)');
    expect(ddl).toContain('CONSTRAINT transactions_raw_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (order_id)');
    expect(ddl).toContain('UNIQUE ("date")');
    expect(ddl).toContain('FOREIGN KEY (order_date) REFERENCES dates ("date")');
    expect(ddl).toContain('FOREIGN KEY (transaction_id) REFERENCES transactions_raw (transaction_id)');
    expect(ddl).toMatch(/order_total +DECIMAL\(12,2\) NOT NULL/);
    expect(ddl).toMatch(/state +CHAR\(2\) NOT NULL/);
    expect(ddl).toMatch(/promotion_id +INTEGER,/);
    expect(ddl).toMatch(/transaction_id +BIGINT NOT NULL/);
    expect(ddl).toMatch(/is_weekend +BOOLEAN NOT NULL/);
    expect(ddl).toMatch(/last_restock_date +DATE, -- /);
  });

  test.each(['duckdb', 'postgres'] as const)('the %s DDL runs twice on one database; with drop it replaces the tables (DuckDB)', async (dialect) => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await conn.run(generateDdl(dialect));
      await conn.run(`INSERT INTO stores VALUES (1, 'S', 'a', 'c', 'NY', '10001', 'Northeast')`);
      await conn.run(generateDdl(dialect)); // "relation already exists" before IF NOT EXISTS
      const n = async (): Promise<number> => Number((await conn.runAndReadAll('SELECT count(*) AS n FROM stores')).getRowObjectsJS()[0]!.n);
      expect(await n()).toBe(1);
      if (dialect === 'duckdb') {
        await conn.run(generateDdl(dialect, { drop: true }));
        expect(await n()).toBe(0);
      } else {
        expect(generateDdl(dialect, { drop: true })).toContain(`DROP TABLE IF EXISTS ${[...dependencyOrder()].reverse().join(', ')} CASCADE;\n`);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  test('dwgen ddl: stdout by default, --out FILE, --drop, and bad flags (exit 2)', async () => {
    const out = await captureCli(ddlCommand, ['--dialect', 'postgres']);
    expect(out).toEqual({ code: 0, stdout: generateDdl('postgres'), stderr: '' });
    expect((await captureCli(ddlCommand, ['--dialect', 'duckdb', '--drop'])).stdout).toBe(generateDdl('duckdb', { drop: true }));
    const dir = await fixture();
    const file = path.join(dir, 'warehouse.sql');
    expect(await captureCli(ddlCommand, ['--dialect', 'duckdb', '--out', file])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(file, 'utf8')).toBe(generateDdl('duckdb'));
    expect((await readdir(dir)).filter((f) => f.startsWith('warehouse.sql'))).toEqual(['warehouse.sql']);
    expect(await captureCli(ddlCommand, [])).toEqual({ code: 2, stdout: '', stderr: 'dwgen ddl: error: --dialect duckdb|postgres is required\n' });
    expect(await captureCli(ddlCommand, ['--dialect', 'oracle'])).toEqual({ code: 2, stdout: '', stderr: "dwgen ddl: error: --dialect must be duckdb or postgres, got 'oracle'\n" });
    expect((await captureCli(ddlCommand, ['--dialect', 'duckdb', '--nope'])).stderr).toMatch(/^dwgen ddl: error: Unknown option '--nope'\n$/);
    const unwritable = await captureCli(ddlCommand, ['--dialect', 'duckdb', '--out', '/proc/dwgen-cannot/x.sql']);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^dwgen ddl: error: cannot write \/proc\/dwgen-cannot\/x.sql: .*ENOENT.*\n$/);
  });

  test.each(['duckdb', 'postgres'] as const)('the %s DDL runs as a script (parsed by DuckDB)', async (dialect) => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await conn.run(generateDdl(dialect));
      const r = await conn.runAndReadAll('SELECT count(*) AS n FROM duckdb_constraints() WHERE constraint_type = \'FOREIGN KEY\'');
      const fks = TABLE_NAMES.flatMap((t) => TABLES[t].columns.filter((c) => c.references)).length;
      expect(Number(r.getRowObjectsJS()[0]!.n)).toBe(fks);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

describe.concurrent('dwgen load', () => {
  test.each<[string, FixtureOptions]>([
    ['single CSV', {}],
    ['partitioned Parquet', { layout: 'partitioned', format: 'parquet' }],
  ])('%s: row counts and money sums equal the files\'; constraints hold afterwards', async (_label, options) => {
    const dir = await fixture(options);
    const db = path.join(dir, 'out', 'warehouse.duckdb');
    const run = await captureCli(loadCommand, ['--duckdb', db, '--dir', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('loaded 11 tables into');

    // DDL files written atomically, no temporary files left
    const ddlDir = path.join(dir, 'metadata', 'ddl');
    expect((await readdir(ddlDir)).sort()).toEqual(['duckdb.sql', 'postgres.sql']);
    expect(await readFile(path.join(ddlDir, 'postgres.sql'), 'utf8')).toBe(generateDdl('postgres'));
    expect(await readdir(path.dirname(db))).toEqual(['warehouse.duckdb']);

    const data = buildFixtureData();
    const counts = await query(db, TABLE_NAMES.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '));
    expect(Object.fromEntries(counts.map((r) => [r.t, Number(r.n)]))).toEqual(
      Object.fromEntries(TABLE_NAMES.map((t) => [t, data[t].length])),
    );
    const cents = (rows: Record<string, unknown>[], col: string): number => rows.reduce((a, r) => a + (r[col] as number), 0);
    const sums = (
      await query(
        db,
        `SELECT (SELECT CAST(sum(line_total) * 100 AS BIGINT) FROM transactions_raw) AS lines,
                (SELECT CAST(sum(discount_amount) * 100 AS BIGINT) FROM transactions_raw) AS discounts,
                (SELECT CAST(sum(order_total) * 100 AS BIGINT) FROM orders) AS orders,
                (SELECT CAST(sum(gross_amount) * 100 AS BIGINT) FROM order_aggregates) AS gross,
                (SELECT CAST(sum(refund_amount) * 100 AS BIGINT) FROM returns) AS refunds,
                (SELECT CAST(sum(price) * 100 AS BIGINT) FROM products) AS prices`,
      )
    )[0]!;
    expect(Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, Number(v)]))).toEqual({
      lines: cents(data.transactions_raw, 'line_total'),
      discounts: cents(data.transactions_raw, 'discount_amount'),
      orders: cents(data.orders, 'order_total'),
      gross: cents(data.order_aggregates, 'gross_amount'),
      refunds: cents(data.returns, 'refund_amount'),
      prices: cents(data.products, 'price'),
    });
    const types = await query(db, `SELECT data_type FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'order_total'`);
    expect(types[0]!.data_type).toBe('DECIMAL(12,2)');

    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    try {
      await expect(conn.run(`INSERT INTO raw_orders VALUES (1000, 999, 1, DATE '2024-01-02')`)).rejects.toThrow(/foreign key/i);
      await expect(conn.run(`INSERT INTO raw_orders VALUES (1000, 1, 1, DATE '1999-01-02')`)).rejects.toThrow(/foreign key/i);
      await expect(conn.run(`INSERT INTO returns SELECT 1000, order_id, 99999, product_id, store_id, return_date, 1, 0, 'x' FROM returns LIMIT 1`)).rejects.toThrow(/foreign key/i);
      await expect(conn.run(`INSERT INTO inventory SELECT * FROM inventory LIMIT 1`)).rejects.toThrow(/primary key|duplicate/i);
      await expect(conn.run(`INSERT INTO customers (customer_id) VALUES (1000)`)).rejects.toThrow(/NOT NULL/i);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  test('--dir DATA --metadata META: the DDL files go to META/ddl', async () => {
    const dir = await fixture();
    const meta = path.join(dir, 'meta-elsewhere');
    await rename(path.join(dir, 'metadata'), meta);
    const db = path.join(dir, 'out', 'w.duckdb');
    const run = await captureCli(loadCommand, ['--duckdb', db, '--dir', path.join(dir, 'data'), '--metadata', meta]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await readdir(path.join(meta, 'ddl'))).sort()).toEqual(['duckdb.sql', 'postgres.sql']);
    const counts = await query(db, 'SELECT count(*) AS n FROM transactions_raw');
    expect(Number(counts[0]!.n)).toBe(buildFixtureData().transactions_raw.length);
  });

  test('replaces an existing database', async () => {
    const dir = await fixture();
    const db = path.join(dir, 'w.duckdb');
    expect((await captureCli(loadCommand, ['--duckdb', db, '--dir', dir, '--quiet'])).code).toBe(0);
    const again = await captureCli(loadCommand, ['--duckdb', db, '--dir', dir, '--quiet']);
    expect(again).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(Number((await query(db, 'SELECT count(*) AS n FROM orders'))[0]!.n)).toBe(10);
  });

  test('only some tables: the others are created empty', async () => {
    const dir = await fixture({ tables: ['customers', 'stores', 'products', 'dates', 'promotions'] });
    const db = path.join(dir, 'w.duckdb');
    const run = await captureCli(loadCommand, ['--duckdb', db, '--dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/orders +- no files/);
    expect(Number((await query(db, 'SELECT count(*) AS n FROM orders'))[0]!.n)).toBe(0);
    expect(Number((await query(db, 'SELECT count(*) AS n FROM customers'))[0]!.n)).toBe(6);
  });

  test('a subset that lacks referenced tables (generate --tables transactions_raw): exit 2 naming them, or --partial', async () => {
    const dir = await fixture({ tables: ['transactions_raw'] });
    const db = path.join(dir, 'w.duckdb');
    const refused = await captureCli(loadCommand, ['--duckdb', db, '--dir', dir]);
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'dwgen load: error: the dataset is a subset (generate --tables): it lacks products, promotions and orders, which transactions_raw references; ' +
        'generate them too, or pass --partial to load the tables it has without the 3 foreign keys into missing tables\n',
    });
    expect((await readdir(dir)).filter((f) => f.startsWith('w.duckdb'))).toEqual([]);
    const partial = await captureCli(loadCommand, ['--duckdb', db, '--dir', dir, '--partial']);
    expect(partial.stderr).toBe('');
    expect(partial.code).toBe(0);
    expect(partial.stdout).toContain(
      '--partial: left out 3 foreign keys into tables the dataset lacks: transactions_raw.order_id → orders.order_id, transactions_raw.product_id → products.product_id, transactions_raw.promotion_id → promotions.promotion_id\n',
    );
    expect(Number((await query(db, 'SELECT count(*) AS n FROM transactions_raw'))[0]!.n)).toBe(buildFixtureData().transactions_raw.length);
    const fks = await query(db, `SELECT count(*) AS n FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY' AND table_name = 'transactions_raw'`);
    expect(Number(fks[0]!.n)).toBe(0);
  });

  test('a dangling foreign key in the files: exit 1, no database left behind', async () => {
    const dir = await fixture({ mutate: (d) => void (d.returns[0]!.transaction_id = 9999) });
    const db = path.join(dir, 'w.duckdb');
    const run = await captureCli(loadCommand, ['--duckdb', db, '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^dwgen load: error: table returns: .*foreign key/i);
    expect((await readdir(dir)).filter((f) => f.startsWith('w.duckdb'))).toEqual([]);
  });

  test('flags and unusable input: exit 2', async () => {
    const missing = await captureCli(loadCommand, ['--dir', '.']);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'dwgen load: error: --duckdb FILE or --postgres URL is required\n' });
    const bogus = await captureCli(loadCommand, ['--duckdb', 'x.duckdb', '--nope']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/^dwgen load: error: .*--nope.*\n$/);
    const noDir = await captureCli(loadCommand, ['--duckdb', '/tmp/never.duckdb', '--dir', '/nonexistent/dwgen']);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain('does not exist');
    const help = await captureCli(loadCommand, ['-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: dwgen load');
  });
});
