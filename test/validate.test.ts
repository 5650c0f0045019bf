// validate: passes on consistent fixtures (every layout and format) and catches each corruption with
// the right named check and exit 1; unusable input exits 2.
import { readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { validateCommand } from '../src/commands/validateCommand.js';
import { runValidation } from '../src/validate/runner.js';
import { buildFixtureData, makeFixture, type FixtureData, type FixtureOptions } from './helpers/fixture.js';
import { runCli } from './helpers/dwgen.js';
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

interface JsonReport {
  ok: boolean;
  checks: { name: string; status: string; violations: number; examples: string[]; message?: string }[];
}

async function validateJson(dir: string): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const run = await captureCli(validateCommand, ['--dir', dir, '--json']);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport, stderr: run.stderr };
}

const failing = (r: JsonReport): string[] => r.checks.filter((c) => c.status === 'FAIL').map((c) => c.name);
const check = (r: JsonReport, name: string) => {
  const c = r.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name}`);
  return c;
};

const addDays = (iso: string, n: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe.concurrent('validate on consistent data', () => {
  test.each<[string, FixtureOptions]>([
    ['single CSV', {}],
    ['partitioned CSV', { layout: 'partitioned', partRows: 4 }],
    ['partitioned Parquet', { layout: 'partitioned', format: 'parquet' }],
    ['single CSV + Parquet', { format: 'both' }],
  ])('%s: every check passes, exit 0', async (_label, options) => {
    const { code, report } = await validateJson(await fixture(options));
    expect(failing(report)).toEqual([]);
    expect(report.checks.filter((c) => c.status === 'SKIP')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  });

  test('text output: one line per check and a summary, exit 0', async () => {
    const run = await captureCli(validateCommand, ['--dir', await fixture()]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1).every((l) => /^PASS {2}\S+ +0$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/checks: \d+ passed, 0 failed, 0 skipped .* OK$/);
    for (const name of ['orders.sums', 'fk.returns.transaction_id', 'files.sha256', 'inventory.units_sold']) {
      expect(run.stdout).toContain(name);
    }
  });

  test('--dir DATA --metadata META, --dir DATA alone (metadata beside it), and the defaults ./data and ./metadata', async () => {
    const root = await fixture();
    const data = path.join(root, 'data');
    const explicit = await captureCli(validateCommand, ['--dir', data, '--metadata', path.join(root, 'metadata')]);
    expect(explicit.stderr).toBe('');
    expect(explicit.code).toBe(0);
    const beside = await captureCli(validateCommand, ['--dir', data, '--json']);
    expect(beside.code).toBe(0);
    expect((JSON.parse(beside.stdout) as JsonReport & { dir: string }).dir).toBe(data);
    const defaults = runCli(['validate'], root); // the built CLI, run from the dataset's root
    expect(defaults.stderr).toBe('');
    expect(defaults.status).toBe(0);
    expect(defaults.stdout).toMatch(/checks: \d+ passed, 0 failed, 0 skipped .* OK\n$/);
  });

  test('metadata kept elsewhere is found only through --metadata', async () => {
    const root = await fixture();
    const elsewhere = path.join(root, 'meta-elsewhere');
    await rename(path.join(root, 'metadata'), elsewhere);
    const found = await captureCli(validateCommand, ['--dir', path.join(root, 'data'), '--metadata', elsewhere]);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
    const lost = await captureCli(validateCommand, ['--dir', path.join(root, 'data')]);
    expect(lost.code).toBe(2);
    expect(lost.stderr).toBe(`dwgen validate: error: no metadata: ${path.join(root, 'metadata', 'schema.json')} does not exist\n`);
  });

  test('a subset of tables: checks on absent tables are skipped, exit 0', async () => {
    const { code, report } = await validateJson(await fixture({ tables: ['customers', 'products', 'stores', 'dates'] }));
    expect(failing(report)).toEqual([]);
    expect(check(report, 'orders.sums').status).toBe('SKIP');
    expect(check(report, 'orders.sums').message).toContain('not present');
    expect(check(report, 'customers.primary_key').status).toBe('PASS');
    expect(code).toBe(0);
  });
});

describe.concurrent('validate catches corruption (exit 1)', () => {
  const cases: [string, (d: FixtureData) => void, string][] = [
    ['a duplicated primary key', (d) => void (d.customers[3]!.customer_id = 3), 'customers.primary_key'],
    ['a dangling foreign key', (d) => void (d.raw_orders[0]!.customer_id = 99), 'fk.raw_orders.customer_id'],
    ['an order total off by one cent', (d) => void ((d.orders[2]!.order_total as number) += 1), 'orders.sums'],
    ['an aggregate discount off by one cent', (d) => void ((d.order_aggregates[4]!.discount_amount as number) -= 1), 'order_aggregates.sums'],
    ['a line total off by one cent', (d) => void ((d.transactions_raw[3]!.line_total as number) += 1), 'transactions_raw.line_total'],
    [
      'a return dated before its order',
      (d) => {
        const r = d.returns[0]!;
        r.return_date = addDays(d.raw_orders[(r.order_id as number) - 1]!.order_date as string, -1);
      },
      'returns.date_window',
    ],
    [
      'a return dated 31 days after its order',
      (d) => {
        const r = d.returns[1]!;
        r.return_date = addDays(d.raw_orders[(r.order_id as number) - 1]!.order_date as string, 31);
      },
      'returns.date_window',
    ],
    [
      'a quantity returned above the line\'s',
      (d) => {
        const r = d.returns[0]!;
        r.quantity_returned = (d.transactions_raw[(r.transaction_id as number) - 1]!.quantity as number) + 1;
      },
      'returns.quantity',
    ],
    ['negative closing stock', (d) => void (d.inventory[0]!.closing_stock = -1), 'inventory.closing_stock_nonnegative'],
    ['units_sold off by one', (d) => void ((d.inventory[1]!.units_sold as number) += 1), 'inventory.units_sold'],
    ['a missing inventory pair', (d) => void d.inventory.splice(5, 1), 'inventory.grid'],
    ['unit_price ≠ product price', (d) => void ((d.products[1]!.price as number) += 1), 'transactions_raw.unit_price'],
    ['cost ≥ price', (d) => void (d.products[2]!.cost = d.products[2]!.price), 'products.cost_price'],
    ['a store region that is not its state\'s census region', (d) => void (d.stores[1]!.region = 'West'), 'stores.region'],
    ['a holiday flag off (New Year unflagged)', (d) => void (d.dates[0]!.is_holiday = false), 'dates.is_holiday'],
    ['a holiday flag on an ordinary day', (d) => void (d.dates[3]!.is_holiday = true), 'dates.is_holiday'],
    [
      'a promotion not active on the order date',
      (d) => {
        const l = d.transactions_raw.find((x) => x.promotion_id === 2)!;
        l.promotion_id = 1; // promotion 1 ends on day 6; promotion-2 lines are all later
      },
      'transactions_raw.promotion_active',
    ],
    ['status Returned without a return', (d) => void (d.orders.find((o) => o.status !== 'Returned')!.status = 'Returned'), 'orders.status_returned'],
    ['a return whose store differs from its order\'s', (d) => void (d.returns[0]!.store_id = d.returns[0]!.store_id === 1 ? 2 : 1), 'returns.matches_line'],
    ['a refund above the line total', (d) => void ((d.returns[0]!.refund_amount as number) += 100_000), 'returns.refund'],
    ['a gap in the calendar', (d) => void d.dates.splice(10, 1), 'dates.contiguous'],
    ['a duplicated email', (d) => void (d.customers[4]!.email = d.customers[0]!.email), 'customers.email_unique'],
    ['a non-dense order key', (d) => void (d.raw_orders[9]!.order_id = 12), 'raw_orders.dense_keys'],
    ['a NULL in a non-nullable column', (d) => void (d.stores[0]!.city = null), 'stores.not_null'],
    ['an unknown status', (d) => void (d.orders[0]!.status = 'Lost'), 'orders.enum_values'],
    // the realism checks (issue 13): geography, the calendar's end, cancelled orders, pro-rata refunds
    ['a customer ZIP of another state (Boston\'s in IL)', (d) => void (d.customers[0]!.zip_code = '02108'), 'customers.zip_state'],
    ['a ZIP that does not exist', (d) => void (d.customers[1]!.zip_code = '00000'), 'customers.zip_state'],
    ['a store ZIP of another state (Springfield, IL\'s in TX)', (d) => void (d.stores[1]!.zip_code = '62701'), 'stores.zip_state'],
    [
      'one ZIP in two cities of the same state',
      (d) => {
        d.customers[2]!.zip_code = d.customers[1]!.zip_code; // both Springfield, IL ZIPs: the state still matches
        d.customers[2]!.city = 'Chatham';
      },
      'geography.zip_one_place',
    ],
    ['a phone area code of another state (212, New York, in IL)', (d) => void (d.customers[3]!.phone = '212-010-0013'), 'customers.phone_area_code'],
    [
      'a return dated the day after the calendar ends',
      (d) => void (d.returns[0]!.return_date = addDays(d.dates.at(-1)!.date as string, 1)),
      'returns.date_in_calendar',
    ],
    [
      'a Cancelled order with a return',
      (d) => void (d.orders.find((o) => o.status === 'Returned')!.status = 'Cancelled'),
      'orders.cancelled_not_returned',
    ],
    [
      'a Cancelled order\'s lines counted in units_sold (a sold order marked Cancelled)',
      (d) => {
        const sold = d.orders.find((o) => o.status === 'Completed' && d.transactions_raw.some((l) => l.order_id === o.order_id))!;
        sold.status = 'Cancelled';
      },
      'inventory.units_sold',
    ],
    [
      'a refund one cent below pro rata',
      (d) => {
        const r = d.returns.find((x) => (x.refund_amount as number) > 0)!;
        r.refund_amount = (r.refund_amount as number) - 1;
      },
      'returns.refund_pro_rata',
    ],
  ];

  test.each(cases)('%s', async (_label, mutate, expected) => {
    const { code, report } = await validateJson(await fixture({ mutate }));
    expect(failing(report)).toContain(expected);
    const c = check(report, expected);
    expect(c.violations).toBeGreaterThan(0);
    expect(c.examples.length).toBeGreaterThan(0);
    expect(c.examples.length).toBeLessThanOrEqual(5);
    // metadata was written for the corrupted files, so the file checks still pass
    expect(check(report, 'files.sha256').status).toBe('PASS');
    expect(code).toBe(1);
  });

  test('an order total off by one cent is reported with its key and both amounts', async () => {
    const data = buildFixtureData();
    const o = data.orders[2]!;
    const { report } = await validateJson(await fixture({ mutate: (d) => void ((d.orders[2]!.order_total as number) += 1) }));
    const c = check(report, 'orders.sums');
    expect(c.violations).toBe(1);
    const cents = o.order_total as number;
    const money = (n: number): string => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
    expect(c.examples[0]).toBe(`order ${o.order_id}: order_total ${money(cents + 1)} ≠ Σ lines ${money(cents)}`);
  });

  test('a truncated last line', async () => {
    const dir = await fixture();
    const file = path.join(dir, 'data', 'customers.csv');
    const { size } = await import('node:fs').then((fs) => fs.statSync(file));
    await truncate(file, size - 10);
    const { code, report } = await validateJson(dir);
    expect(failing(report)).toEqual(expect.arrayContaining(['files.bytes', 'files.sha256', 'customers.load']));
    expect(check(report, 'files.bytes').examples[0]).toContain('data/customers.csv');
    expect(check(report, 'customers.primary_key').status).toBe('SKIP');
    expect(code).toBe(1);
  });

  test('a truncated partition that still parses is caught by rows, bytes and sha256', async () => {
    const dir = await fixture({ layout: 'partitioned', partRows: 4 });
    const file = path.join(dir, 'data', 'transactions_raw', 'part-00001.csv');
    const text = await readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    await writeFile(file, `${lines.slice(0, -1).join('\n')}\n`);
    const { code, report } = await validateJson(dir);
    expect(failing(report)).toEqual(expect.arrayContaining(['files.bytes', 'files.sha256', 'files.rows', 'transactions_raw.dense_keys']));
    expect(check(report, 'files.rows').examples[0]).toContain('data/transactions_raw/part-00001.csv: 3 rows, schema.json says 4');
    expect(code).toBe(1);
  });

  test('one changed byte is caught by the checksum alone', async () => {
    const dir = await fixture();
    const file = path.join(dir, 'data', 'customers.csv');
    const buf = await readFile(file);
    const at = buf.indexOf('Springfield');
    buf[at] = 'T'.charCodeAt(0); // Springfield → Tpringfield: same size, still valid
    await writeFile(file, buf);
    const { code, report } = await validateJson(dir);
    expect(failing(report)).toEqual(['files.sha256']);
    expect(check(report, 'files.sha256').examples[0]).toMatch(/^data\/customers\.csv: sha256 /);
    expect(code).toBe(1);
  });

  test('a stray part file is reported', async () => {
    const dir = await fixture({ layout: 'partitioned', partRows: 4 });
    await writeFile(path.join(dir, 'data', 'orders', 'part-00099.csv'), 'x\n');
    const { code, report } = await validateJson(dir);
    expect(failing(report)).toEqual(['files.unlisted']);
    expect(check(report, 'files.unlisted').examples).toEqual(['data/orders/part-00099.csv']);
    expect(code).toBe(1);
  });

  test('schema.json that disagrees with the dictionary', async () => {
    const dir = await fixture();
    const p = path.join(dir, 'metadata', 'schema.json');
    const schema = JSON.parse(await readFile(p, 'utf8'));
    schema.tables.orders.columns.status.type = 'VARCHAR(10)';
    schema.relationships.pop();
    await writeFile(p, JSON.stringify(schema));
    const { code, report } = await validateJson(dir);
    expect(failing(report)).toEqual(['metadata.dictionary']);
    expect(check(report, 'metadata.dictionary').violations).toBe(2);
    expect(code).toBe(1);
  });
  test('generation_lineage.yaml that disagrees with schema.json', async () => {
    const dir = await fixture();
    const p = path.join(dir, 'metadata', 'generation_lineage.yaml');
    const text = await readFile(p, 'utf8');
    await writeFile(p, text.replace(/(format: csv\n +rows: )10\n/, '$111\n')); // a file's rows, under dwgen's keys
    const { code, report } = await validateJson(dir);
    expect(failing(report)).toEqual(['metadata.lineage']);
    expect(check(report, 'metadata.lineage').examples[0]).toMatch(/lineage rows\/bytes\/sha256 differ from schema.json/);
    expect(code).toBe(1);
  });
});

describe.concurrent('validate on unusable input (exit 2)', () => {
  test('a missing file names the file', async () => {
    const dir = await fixture();
    await rm(path.join(dir, 'data', 'orders.csv'));
    const run = await captureCli(validateCommand, ['--dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^dwgen validate: error: table orders: file data\/orders\.csv listed in metadata\/schema\.json does not exist\n$/);
    expect(run.stdout).toBe('');
  });

  test('an empty --dir or --metadata', async () => {
    expect(await captureCli(validateCommand, ['--metadata', ''])).toEqual({ code: 2, stdout: '', stderr: 'dwgen validate: error: --metadata needs a directory\n' });
    expect(await captureCli(validateCommand, ['--dir', ''])).toEqual({ code: 2, stdout: '', stderr: 'dwgen validate: error: --dir needs a directory\n' });
  });

  test('a missing directory', async () => {
    const run = await captureCli(validateCommand, ['--dir', '/nonexistent/dwgen-dataset']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('/nonexistent/dwgen-dataset does not exist');
  });

  test('no metadata', async () => {
    const dir = await fixture();
    await rm(path.join(dir, 'metadata'), { recursive: true });
    const run = await captureCli(validateCommand, ['--dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^dwgen validate: error: no metadata: .*metadata\/schema\.json does not exist\n$/);
  });

  test('unparseable schema.json', async () => {
    const dir = await fixture();
    await writeFile(path.join(dir, 'metadata', 'schema.json'), '{ not json');
    const run = await captureCli(validateCommand, ['--dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('metadata/schema.json is not valid JSON');
  });

  test('an unknown flag: one line on stderr', async () => {
    const run = await captureCli(validateCommand, ['--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/^dwgen validate: error: .*--bogus/);
  });

  test('--help prints usage, exit 0', async () => {
    const run = await captureCli(validateCommand, ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: dwgen validate');
  });

  test('runValidation throws DatasetError for the API', async () => {
    await expect(runValidation('/nonexistent/x')).rejects.toMatchObject({ name: 'DatasetError' });
  });
});
