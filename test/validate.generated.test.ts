// validate and load on freshly generated output (node dist/main.js generate, SF 0.01): single and
// partitioned layouts, a table subset, Parquet, and a changed byte. Nothing here skips: a generate that
// fails (dist/ missing, exit 2) fails the test.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCommand } from '../src/commands/loadCommand.js';
import { validateCommand } from '../src/commands/validateCommand.js';
import { captureCli } from './helpers/fixtureCli.js';

const run = promisify(execFile);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const main = path.join(root, 'dist', 'main.js'); // built by npm test's pretest; missing, every test fails

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Generates into a fresh temp dir; any non-zero exit (2 included) fails the test with generate's stderr. */
async function generate(...extra: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dwgen-gen-'));
  dirs.push(dir);
  try {
    await run(process.execPath, [main, 'generate', '--out', dir, '--scale', '0.01', '--seed', '7', '--workers', '2', '--quiet', ...extra], { cwd: root });
  } catch (err) {
    const e = err as { code?: number; stderr?: string; message: string };
    throw new Error(`dwgen generate ${extra.join(' ')} exited ${e.code ?? '?'}: ${e.stderr?.trim() || e.message}`);
  }
  return dir;
}

interface JsonReport {
  ok: boolean;
  checks: { name: string; status: string; violations: number; examples: string[]; message?: string }[];
}
async function validate(dir: string): Promise<{ code: number; report: JsonReport }> {
  const r = await captureCli(validateCommand, ['--dir', dir, '--json']);
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
}
const failing = (r: JsonReport) => r.checks.filter((c) => c.status === 'FAIL').map((c) => `${c.name}: ${c.message ?? c.examples.join(' | ')}`);

/** A private copy of a generated dataset (for tests that modify it). */
async function copyOf(dir: string): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), 'dwgen-gen-copy-'));
  dirs.push(copy);
  await cp(dir, copy, { recursive: true });
  return copy;
}

describe('validate on generated output (dist/main.js)', { timeout: 30_000 }, () => {
  const generated: Record<'single' | 'partitioned', string> = { single: '', partitioned: '' };
  beforeAll(async () => {
    generated.single = await generate();
    generated.partitioned = await generate('--layout', 'partitioned');
  }, 60_000);

  test.each(['single', 'partitioned'] as const)('%s layout: every check passes', async (layout) => {
    expect(generated[layout]).toBeTruthy();
    const { code, report } = await validate(generated[layout]);
    expect(failing(report)).toEqual([]);
    expect(report.checks.filter((c) => c.status === 'SKIP').map((c) => c.name)).toEqual([]);
    expect(code).toBe(0);
  });

  test('a subset of tables: exit 0, the rest skipped', async () => {
    const dir = await generate('--tables', 'orders,returns');
    const { code, report } = await validate(dir);
    expect(failing(report)).toEqual([]);
    expect(report.checks.find((c) => c.name === 'orders.status_returned')!.status).toBe('PASS');
    expect(code).toBe(0);
  });

  test('Parquet output: every check passes', async () => {
    const dir = await generate('--format', 'both', '--layout', 'partitioned');
    const { code, report } = await validate(dir);
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
  });

  test('one changed byte in a generated file: files.sha256 fails, exit 1', async () => {
    const dir = await copyOf(generated.single);
    const file = path.join(dir, 'data', 'customers.csv');
    const buf = await readFile(file);
    const at = buf.indexOf('@') + 1; // first character of an email domain
    buf[at] = buf[at] === 0x71 ? 0x72 : 0x71;
    await writeFile(file, buf);
    const { code, report } = await validate(dir);
    expect(failing(report).map((f) => f.split(':')[0])).toEqual(['files.sha256']);
    expect(code).toBe(1);
  });

  test('an order total off by one cent in a generated partition: orders.sums fails', async () => {
    const dir = await copyOf(generated.partitioned);
    const file = path.join(dir, 'data', 'orders', 'part-00000.csv');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const cols = lines[0]!.split(',');
    const at = cols.indexOf('order_total');
    const row = lines[1]!.split(','); // order rows hold no quoted commas
    const cents = Math.round(Number(row[at]) * 100) + 1;
    row[at] = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    lines[1] = row.join(',');
    await writeFile(file, lines.join('\n'));
    const { code, report } = await validate(dir);
    const names = failing(report).map((f) => f.split(':')[0]);
    expect(names).toContain('orders.sums');
    expect(names).toContain('files.sha256');
    expect(code).toBe(1);
  });

  test('load: row counts and money sums equal the files\'', async () => {
    const dir = await copyOf(generated.single);
    const db = path.join(dir, 'warehouse.duckdb');
    const r = await captureCli(loadCommand, ['--duckdb', db, '--dir', dir, '--quiet']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const schema = JSON.parse(await readFile(path.join(dir, 'metadata', 'schema.json'), 'utf8')) as {
      tables: Record<string, { row_count: number; files: { path: string }[] }>;
    };
    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    const file = (t: string): string => path.join(dir, schema.tables[t]!.files[0]!.path);
    try {
      for (const [t, meta] of Object.entries(schema.tables)) {
        const n = (await conn.runAndReadAll(`SELECT count(*) AS n FROM ${t}`)).getRowObjectsJS()[0]!.n;
        expect([t, Number(n)]).toEqual([t, meta.row_count]);
      }
      // money in the database equals the money in the CSV text, summed as exact decimals
      for (const [t, col] of [['transactions_raw', 'line_total'], ['orders', 'order_total'], ['returns', 'refund_amount']] as const) {
        const got = await conn.runAndReadAll(
          `SELECT CAST(sum(${col}) * 100 AS BIGINT) AS db, (SELECT CAST(sum(CAST(${col} AS DECIMAL(18,2))) * 100 AS BIGINT) FROM read_csv('${file(t)}', all_varchar = true)) AS csv FROM ${t}`,
        );
        const row = got.getRowObjectsJS()[0]!;
        expect([t, row.db]).toEqual([t, row.csv]);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
