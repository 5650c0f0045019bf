// Parquet output of `dwgen generate`: the same data as the CSV of the same run (counts, keys,
// nulls, money sums to the cent), the dictionary's exact types, byte identity across worker
// counts, every compression option, and clear errors for bad Parquet flags.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalOf } from '../src/core/columns.js';
import { TABLES, TABLE_NAMES } from '../src/core/tables.js';
import { SMALL_CONFIG, checksums, generate, runCli, tempDir } from './helpers/dwgen.js';

let both: string;
let conn: DuckDBConnection;
let instance: DuckDBInstance;

const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await conn.runAndReadAll(sql)).getRowObjectsJS();
const parquet = (dir: string, table: string): string => `read_parquet('${join(dir, 'data', table, '*.parquet')}')`;
const csv = (dir: string, table: string): string => `read_csv('${join(dir, 'data', `${table}.csv`)}', header = true, auto_detect = true)`;

beforeAll(async () => {
  both = generate(['--config', SMALL_CONFIG, '--workers', '2', '--format', 'both']);
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
}, 120_000);

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

describe('Parquet holds the same data as the CSV of the same run', () => {
  it.each(TABLE_NAMES)('%s: row count, key set, null counts and every money sum to the cent', async (table) => {
    const def = TABLES[table];
    const money = def.columns.filter((c) => decimalOf(c.type));
    const nullable = def.columns.filter((c) => c.nullable);
    const keyExpr = def.primaryKey.map((k) => `CAST(${k} AS BIGINT)`).join(" || '|' || ");
    const aggregates = [
      'count(*) AS n',
      `count(DISTINCT ${keyExpr}) AS keys`,
      `sum(hash(${keyExpr}))::HUGEINT AS key_hash`,
      ...money.map((c) => `sum(CAST(round(${c.name} * 100) AS BIGINT)) AS ${c.name}_cents`),
      ...nullable.map((c) => `count(*) - count(${c.name}) AS ${c.name}_nulls`),
    ].join(', ');
    const [fromParquet] = await rows(`SELECT ${aggregates} FROM ${parquet(both, table)}`);
    const [fromCsv] = await rows(`SELECT ${aggregates} FROM ${csv(both, table)}`);
    expect(fromParquet).toEqual(fromCsv);
    expect(Number(fromParquet.n)).toBeGreaterThan(0);
    expect(fromParquet.keys).toBe(fromParquet.n);
  });

  it('every row is identical (EXCEPT in both directions is empty) for the fact tables', async () => {
    for (const table of ['transactions_raw', 'orders', 'returns', 'inventory']) {
      const [diff] = await rows(
        `SELECT (SELECT count(*) FROM (SELECT * FROM ${parquet(both, table)} EXCEPT SELECT * FROM ${csv(both, table)})) +
                (SELECT count(*) FROM (SELECT * FROM ${csv(both, table)} EXCEPT SELECT * FROM ${parquet(both, table)})) AS d`,
      );
      expect(Number(diff.d), table).toBe(0);
    }
  });

  it('the columns have the dictionary types (DECIMAL(p,2), DATE, INTEGER, BIGINT, BOOLEAN, VARCHAR) and nullability', async () => {
    for (const table of TABLE_NAMES) {
      const described = await rows(`DESCRIBE SELECT * FROM ${parquet(both, table)}`);
      const expected = TABLES[table].columns.map((c) => {
        const d = decimalOf(c.type);
        const type = d ? `DECIMAL(${d.precision},${d.scale})` : /^(VARCHAR|CHAR)/.test(c.type) ? 'VARCHAR' : c.type;
        return [c.name, type];
      });
      expect(described.map((r) => [r.column_name, r.column_type]), table).toEqual(expected);
    }
    const schema = await rows(`SELECT name, repetition_type FROM parquet_schema('${join(both, 'data/transactions_raw/part-00000.parquet')}') WHERE name IN ('promotion_id', 'transaction_id')`);
    expect(Object.fromEntries(schema.map((r) => [r.name, r.repetition_type]))).toEqual({ promotion_id: 'OPTIONAL', transaction_id: 'REQUIRED' });
  });

  it('one file per partition, one row group per file, listed in schema.json with rows, bytes and sha256', async () => {
    const files = readdirSync(join(both, 'data/transactions_raw')).filter((f) => f.endsWith('.parquet'));
    expect(files).toHaveLength(9); // 6,000 orders in partitions of 700
    const [groups] = await rows(`SELECT count(DISTINCT (file_name, row_group_id)) AS g FROM parquet_metadata('${join(both, 'data/transactions_raw/*.parquet')}')`);
    expect(Number(groups.g)).toBe(9);
    const schema = JSON.parse(readFileSync(join(both, 'metadata/schema.json'), 'utf8'));
    const listed = schema.tables.transactions_raw.files.filter((f: { format: string }) => f.format === 'parquet');
    expect(listed.map((f: { path: string }) => f.path)).toEqual(files.map((f) => `data/transactions_raw/${f}`));
    const sums = checksums(join(both, 'data/transactions_raw'));
    for (const f of listed) expect(f.sha256).toBe(sums[f.path.replace('data/transactions_raw/', '')]);
    expect(listed.reduce((s: number, f: { rows: number }) => s + f.rows, 0)).toBe(schema.tables.transactions_raw.row_count);
  });
});

describe('determinism and options', () => {
  it('Parquet files are byte-identical for --workers 1 and 3', () => {
    const one = generate(['--config', SMALL_CONFIG, '--workers', '1', '--format', 'parquet']);
    const three = generate(['--config', SMALL_CONFIG, '--workers', '3', '--format', 'parquet']);
    const a = checksums(join(one, 'data'));
    expect(Object.keys(a).length).toBeGreaterThan(30);
    expect(checksums(join(three, 'data'))).toEqual(a);
    const fromBoth = Object.fromEntries(Object.entries(checksums(join(both, 'data'))).filter(([k]) => k.endsWith('.parquet')));
    expect(fromBoth).toEqual(a);
  });

  it.each(['snappy', 'zstd', 'gzip', 'none'])('--compression %s writes files that read back with the same sums', async (compression) => {
    const out = generate(['--config', SMALL_CONFIG, '--workers', '2', '--format', 'parquet', '--compression', compression, '--tables', 'transactions_raw']);
    const [codec] = await rows(`SELECT DISTINCT compression FROM parquet_metadata('${join(out, 'data/transactions_raw/*.parquet')}')`);
    expect(String(codec.compression).toLowerCase()).toBe(compression === 'none' ? 'uncompressed' : compression);
    const sums = 'count(*) AS n, sum(CAST(round(line_total * 100) AS BIGINT)) AS cents';
    const [a] = await rows(`SELECT ${sums} FROM ${parquet(out, 'transactions_raw')}`);
    const [b] = await rows(`SELECT ${sums} FROM ${csv(both, 'transactions_raw')}`);
    expect(a).toEqual(b);
  });

  it.each([
    [['--format', 'parquet', '--compression', 'lz4'], /--compression: "lz4": expected one of snappy, zstd, gzip, none/],
    [['--format', 'orc'], /--format must be csv, parquet or both, got 'orc'/],
    [['--format', 'parquet', '--row-group-mb', '0'], /--row-group-mb must be a positive integer, got '0'/],
  ])('%j is refused with exit 2 and nothing written', (args, message) => {
    const out = tempDir();
    const r = runCli(['generate', '--config', SMALL_CONFIG, '--out', out, '--quiet', ...(args as string[])]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(message as RegExp);
    expect(existsSync(join(out, 'data'))).toBe(false);
  });
});
