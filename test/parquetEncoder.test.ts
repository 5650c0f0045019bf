// Round trips of ParquetEncoder output through DuckDB and hyparquet: types, exact values, nulls,
// statistics, row groups, compressions, dictionary encoding and batching-independent bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NULL_DAY, NULL_KEY, TextColumn, allocateColumns, type ColumnBatch, type ColumnData, type ColumnDef } from '../src/core/columns.js';
import { LOYALTY_STATUSES, TABLES, type TableDef } from '../src/core/tables.js';
import { COMPRESSIONS, parseCompression } from '../src/parquet/compression.js';
import { ParquetEncoder } from '../src/parquet/parquetEncoder.js';
import { concatChunks, prng, rebatch, transactionsBatch } from './parquetFixtures.js';
import { Duck, centsText, dayText, encode, hyMetadata, hyRows, type JsonRow } from './parquetReaders.js';

let duck: Duck;
beforeAll(async () => {
  duck = await Duck.open();
});
afterAll(() => duck.close());

// ---- a table with every storage kind --------------------------------------------------------

const col = (name: string, type: string, storage: ColumnDef['storage'], extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  type,
  storage,
  description: name,
  ...extra,
});

const KINDS: TableDef = {
  ...TABLES.dates,
  columns: [
    col('i32', 'INTEGER', 'int32'),
    col('i32_null', 'INTEGER', 'int32', { nullable: true }),
    col('i64', 'BIGINT', 'int64'),
    col('d4', 'DECIMAL(4,2)', 'cents'),
    col('d10', 'DECIMAL(10,2)', 'cents'),
    col('d12', 'DECIMAL(12,2)', 'cents'),
    col('day', 'DATE', 'day'),
    col('day_null', 'DATE', 'day', { nullable: true }),
    col('flag', 'BOOLEAN', 'bool'),
    col('txt', 'VARCHAR(40)', 'string'),
    col('txt_null', 'VARCHAR(40)', 'string', { nullable: true }),
    col('tier', 'VARCHAR(10)', 'enum', { enumValues: LOYALTY_STATUSES }),
  ],
};

const I64_SPECIAL = [0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1)];
const D12_SPECIAL = [99999999999, -99999999999, 0, -1, 1, -5];
const D10_SPECIAL = [9999999999, -9999999999, 2 ** 31, -(2 ** 31) - 7];
const D4_SPECIAL = [9999, -9999, 0, -1, 5];
const TEXT = ['plain', 'café crème', '日本語テキスト', 'emoji 😀 ok', '', 'x'.repeat(40), 'Z', 'a\u{e000}b'];

interface KindsRows {
  batch: ColumnBatch;
  expected: Record<string, (string | null)[]>;
}

function kindsBatch(n: number): KindsRows {
  const cols = allocateColumns(KINDS.columns, n);
  const [i32, i32n, i64, d4, d10, d12, day, dayn, flag, txt, txtn, tier] = cols as [
    Int32Array, Int32Array, Float64Array, Float64Array, Float64Array, Float64Array, Int32Array, Int32Array, Uint8Array, string[], (string | null)[], Uint8Array,
  ];
  const exp: Record<string, (string | null)[]> = {};
  for (const c of KINDS.columns) exp[c.name] = [];
  for (let i = 0; i < n; i++) {
    i32[i] = i === 1 ? 2147483647 : i === 2 ? -2147483648 : i * 7919 - 1_000_000;
    i32n[i] = i % 4 === 0 ? NULL_KEY : i;
    i64[i] = i < I64_SPECIAL.length ? I64_SPECIAL[i]! : i * 1_000_000_007;
    d4[i] = i < D4_SPECIAL.length ? D4_SPECIAL[i]! : ((i * 37) % 19999) - 9999;
    d10[i] = i < D10_SPECIAL.length ? D10_SPECIAL[i]! : i * 123457 - 50_000_000;
    d12[i] = i < D12_SPECIAL.length ? D12_SPECIAL[i]! : i * 98765431 - 1;
    day[i] = i - 500; // 1968-08-19 onwards
    dayn[i] = i % 5 === 0 ? NULL_DAY : 19_000 + i;
    flag[i] = i % 3 === 0 ? 1 : 0;
    txt[i] = `${TEXT[i % TEXT.length]} #${i}`;
    txtn[i] = i % 6 === 0 ? null : TEXT[i % TEXT.length]!;
    tier[i] = (i * 5) % 4;
    exp.i32!.push(String(i32[i]));
    exp.i32_null!.push(i32n[i] === NULL_KEY ? null : String(i32n[i]));
    exp.i64!.push(String(i64[i]));
    exp.d4!.push(centsText(d4[i]!));
    exp.d10!.push(centsText(d10[i]!));
    exp.d12!.push(centsText(d12[i]!));
    exp.day!.push(dayText(day[i]!));
    exp.day_null!.push(dayn[i] === NULL_DAY ? null : dayText(dayn[i]!));
    exp.flag!.push(flag[i] === 1 ? 'true' : 'false');
    exp.txt!.push(txt[i]!);
    exp.txt_null!.push(txtn[i] ?? null);
    exp.tier!.push(LOYALTY_STATUSES[tier[i]!]!);
  }
  return { batch: { rowCount: n, columns: cols as ColumnData[] }, expected: exp };
}

async function readAsText(path: string, columns: readonly ColumnDef[]): Promise<JsonRow[]> {
  const list = columns.map((c) => `${c.name}::VARCHAR AS ${c.name}`).join(', ');
  return duck.rows(`SELECT ${list} FROM read_parquet(${path}, file_row_number = true) ORDER BY file_row_number`);
}

describe('every storage kind', () => {
  const N = 3000;
  const { batch, expected } = kindsBatch(N);
  const bytes = encode(KINDS, rebatch(KINDS, batch, [4096, 100, 333]), { rowGroupRows: 1024 });

  it('maps every data-dictionary type to the right Parquet schema', async () => {
    const path = duck.file('kinds.parquet', bytes);
    const schema = await duck.rows(
      `SELECT name, type, repetition_type, converted_type, scale, precision, logical_type FROM parquet_schema(${path})`,
    );
    const byName = new Map(schema.map((r) => [r.name, r]));
    const expectLeaf = (name: string, type: string, rep: string, converted: string | null, logical: string | null, scale?: string, precision?: string) => {
      const r = byName.get(name)!;
      expect(r, name).toBeDefined();
      expect([r.type, r.repetition_type, r.converted_type, r.logical_type], name).toEqual([type, rep, converted, logical]);
      if (scale !== undefined) expect([r.scale, r.precision], name).toEqual([scale, precision]);
    };
    expectLeaf('i32', 'INT32', 'REQUIRED', null, null);
    expectLeaf('i32_null', 'INT32', 'OPTIONAL', null, null);
    expectLeaf('i64', 'INT64', 'REQUIRED', null, null);
    expectLeaf('d4', 'INT32', 'REQUIRED', 'DECIMAL', 'DecimalType(scale=2, precision=4)', '2', '4');
    expectLeaf('d10', 'INT64', 'REQUIRED', 'DECIMAL', 'DecimalType(scale=2, precision=10)', '2', '10');
    expectLeaf('d12', 'INT64', 'REQUIRED', 'DECIMAL', 'DecimalType(scale=2, precision=12)', '2', '12');
    expectLeaf('day', 'INT32', 'REQUIRED', 'DATE', 'DateType()');
    expectLeaf('day_null', 'INT32', 'OPTIONAL', 'DATE', 'DateType()');
    expectLeaf('flag', 'BOOLEAN', 'REQUIRED', null, null);
    expectLeaf('txt', 'BYTE_ARRAY', 'REQUIRED', 'UTF8', 'StringType()');
    expectLeaf('txt_null', 'BYTE_ARRAY', 'OPTIONAL', 'UTF8', 'StringType()');
    expectLeaf('tier', 'BYTE_ARRAY', 'REQUIRED', 'UTF8', 'StringType()');

    const types = await duck.rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${path})`);
    expect(Object.fromEntries(types.map((r) => [r.column_name, r.column_type]))).toEqual({
      i32: 'INTEGER',
      i32_null: 'INTEGER',
      i64: 'BIGINT',
      d4: 'DECIMAL(4,2)',
      d10: 'DECIMAL(10,2)',
      d12: 'DECIMAL(12,2)',
      day: 'DATE',
      day_null: 'DATE',
      flag: 'BOOLEAN',
      txt: 'VARCHAR',
      txt_null: 'VARCHAR',
      tier: 'VARCHAR',
    });
  });

  it('reads back every value exactly (DuckDB), nulls as real nulls', async () => {
    const path = duck.file('kinds-values.parquet', bytes);
    const rows = await readAsText(path, KINDS.columns);
    expect(rows).toHaveLength(N);
    for (const c of KINDS.columns) {
      expect(rows.map((r) => r[c.name]), c.name).toEqual(expected[c.name]);
    }
    // The extremes, spelled out.
    expect(rows.slice(0, 2).map((r) => r.d12)).toEqual(['999999999.99', '-999999999.99']);
    expect(rows.slice(0, 2).map((r) => r.d10)).toEqual(['99999999.99', '-99999999.99']);
    expect(rows.slice(0, 2).map((r) => r.d4)).toEqual(['99.99', '-99.99']);
    expect(rows[7]!.i64).toBe('9007199254740991');
    expect(rows[0]!.day).toBe('1968-08-19');
  });

  it('sums decimals to the cent and counts nulls', async () => {
    const path = duck.file('kinds-sums.parquet', bytes);
    const [agg] = await duck.rows(
      `SELECT SUM(d4)::VARCHAR AS d4, SUM(d10)::VARCHAR AS d10, SUM(d12)::VARCHAR AS d12,
              COUNT(*) - COUNT(i32_null) AS i32_nulls, COUNT(*) - COUNT(day_null) AS day_nulls,
              COUNT(*) - COUNT(txt_null) AS txt_nulls FROM ${path}`,
    );
    const sum = (c: number) => (batch.columns[c] as Float64Array).subarray(0, N).reduce((a, b) => a + b, 0);
    expect(agg).toEqual({
      d4: centsText(sum(3)),
      d10: centsText(sum(4)),
      d12: centsText(sum(5)),
      i32_nulls: String(N / 4),
      day_nulls: String(N / 5),
      txt_nulls: String(N / 6),
    });
  });

  it('writes min/max/null_count statistics per column chunk', async () => {
    const path = duck.file('kinds-stats.parquet', bytes);
    const stats = await duck.rows(
      `SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count, num_values
       FROM parquet_metadata(${path}) ORDER BY row_group_id, column_id`,
    );
    expect(new Set(stats.map((s) => s.row_group_id))).toEqual(new Set(['0', '1', '2']));
    const g0 = new Map(stats.filter((s) => s.row_group_id === '0').map((s) => [s.path_in_schema, s]));
    const d12 = Array.from((batch.columns[5] as Float64Array).subarray(0, 1024));
    expect(g0.get('d12')).toMatchObject({
      stats_min_value: centsText(Math.min(...d12)),
      stats_max_value: centsText(Math.max(...d12)),
      stats_null_count: '0',
    });
    expect(centsText(Math.min(...d12))).toBe('-999999999.99');
    expect(g0.get('d4')).toMatchObject({ stats_min_value: '-99.99', stats_max_value: '99.99' });
    expect(g0.get('i32')).toMatchObject({ stats_min_value: '-2147483648', stats_max_value: '2147483647' });
    expect(g0.get('i64')).toMatchObject({ stats_min_value: '-9007199254740991', stats_max_value: '9007199254740991' });
    expect(g0.get('i32_null')).toMatchObject({ stats_null_count: '256', stats_min_value: '1', stats_max_value: '1023', num_values: '1024' });
    expect(g0.get('day')).toMatchObject({ stats_min_value: '1968-08-19', stats_max_value: dayText(1023 - 500) });
    expect(g0.get('flag')).toMatchObject({ stats_min_value: 'false', stats_max_value: 'true' });
    expect(g0.get('tier')).toMatchObject({ stats_min_value: 'Bronze', stats_max_value: 'Silver' });
    // UTF-8 byte order: '日本語…' (E6 97 A5) sorts after 'x…' and 'emoji 😀 ok'; '' is the least.
    expect(g0.get('txt_null')).toMatchObject({ stats_min_value: '', stats_max_value: '日本語テキスト' });
    const nulls = stats.filter((s) => s.path_in_schema === 'day_null').map((s) => Number(s.stats_null_count));
    expect(nulls.reduce((a, b) => a + b, 0)).toBe(N / 5);
  });

  it('splits column chunks into many pages without changing any value', async () => {
    const small = encode(KINDS, [batch], { rowGroupRows: 1024, pageBytes: 1000 });
    const path = duck.file('kinds-pages.parquet', small);
    const rows = await readAsText(path, KINDS.columns);
    for (const c of KINDS.columns) expect(rows.map((r) => r[c.name]), c.name).toEqual(expected[c.name]);
    const hy = await hyRows(small);
    expect(hy.map((r) => r.txt_null)).toEqual(expected.txt_null);
    expect(hy.map((r) => (r.flag ? 'true' : 'false'))).toEqual(expected.flag);
    expect(small.length).toBeGreaterThan(bytes.length); // more page headers
  });

  it('reads back through hyparquet too', async () => {
    const rows = await hyRows(bytes);
    expect(rows).toHaveLength(N);
    expect(rows[0]).toMatchObject({ i32: -1_000_000, i32_null: null, i64: 0n, d12: 999999999.99, flag: true, tier: 'Bronze' });
    expect(rows.map((r) => r.txt)).toEqual(expected.txt);
    expect(rows.map((r) => r.txt_null)).toEqual(expected.txt_null);
    expect(rows.map((r) => r.i64)).toEqual(expected.i64!.map((s) => BigInt(s!)));
    expect(rows.map((r) => (r.day_null === null ? null : (r.day_null as Date).toISOString().slice(0, 10)))).toEqual(expected.day_null);
    expect(rows.map((r) => Math.round((r.d10 as number) * 100))).toEqual(
      Array.from((batch.columns[4] as Float64Array).subarray(0, N)),
    );
  });
});

// ---- fact tables --------------------------------------------------------------------------------

describe('transactions_raw', () => {
  const T = TABLES.transactions_raw;
  const N = 50_000;
  const batch = transactionsBatch(N, 7);
  const cents = (c: number) => Array.from((batch.columns[c] as Float64Array).subarray(0, N));
  const ints = (c: number) => Array.from((batch.columns[c] as Int32Array).subarray(0, N));

  it('round-trips every row and sums money to the cent', async () => {
    const bytes = encode(T, rebatch(T, batch, [4096]), { rowGroupRows: 16_384 });
    const path = duck.file('tx.parquet', bytes);
    const rows = await readAsText(path, T.columns);
    expect(rows.map((r) => r.transaction_id)).toEqual(Array.from({ length: N }, (_, i) => String(i + 1)));
    expect(rows.map((r) => r.order_id)).toEqual(ints(1).map(String));
    expect(rows.map((r) => r.promotion_id)).toEqual(ints(4).map((v) => (v === NULL_KEY ? null : String(v))));
    expect(rows.map((r) => r.unit_price)).toEqual(cents(6).map(centsText));
    expect(rows.map((r) => r.discount_amount)).toEqual(cents(7).map(centsText));
    expect(rows.map((r) => r.line_total)).toEqual(cents(8).map(centsText));

    const [agg] = await duck.rows(
      `SELECT SUM(line_total)::VARCHAR AS total, SUM(discount_amount)::VARCHAR AS discount,
              SUM(quantity * unit_price)::VARCHAR AS gross, COUNT(promotion_id) AS promos FROM ${path}`,
    );
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const qty = ints(5);
    expect(agg).toEqual({
      total: centsText(sum(cents(8))),
      discount: centsText(sum(cents(7))),
      gross: centsText(sum(cents(6).map((p, i) => p * qty[i]!))),
      promos: String(ints(4).filter((v) => v !== NULL_KEY).length),
    });
    const groups = await duck.rows(`SELECT row_group_id, row_group_num_rows FROM parquet_metadata(${path}) WHERE column_id = 0 ORDER BY row_group_id`);
    expect(groups.map((g) => Number(g.row_group_num_rows))).toEqual([16_384, 16_384, 16_384, N - 3 * 16_384]);
    const nulls = await duck.rows(`SELECT SUM(stats_null_count)::VARCHAR AS n FROM parquet_metadata(${path}) WHERE path_in_schema = 'promotion_id'`);
    expect(nulls[0]!.n).toBe(String(ints(4).filter((v) => v === NULL_KEY).length));
  });

  it.each(COMPRESSIONS)('compression %s reads back in DuckDB and hyparquet', async (compression) => {
    const n = 20_000;
    const small = rebatch(T, batch, [n])[0]!;
    const bytes = encode(T, rebatch(T, small, [4096]), { compression, rowGroupRows: 8000 });
    const path = duck.file(`tx-${compression}.parquet`, bytes);
    const codecs = await duck.rows(`SELECT DISTINCT compression FROM parquet_metadata(${path})`);
    expect(codecs).toEqual([{ compression: { snappy: 'SNAPPY', zstd: 'ZSTD', gzip: 'GZIP', none: 'UNCOMPRESSED' }[compression] }]);
    const [agg] = await duck.rows(`SELECT COUNT(*) AS n, SUM(line_total)::VARCHAR AS total, MAX(transaction_id)::VARCHAR AS last FROM ${path}`);
    expect(agg).toEqual({ n: String(n), total: centsText(cents(8).slice(0, n).reduce((a, b) => a + b, 0)), last: String(n) });
    const rows = await hyRows(bytes);
    expect(rows.map((r) => r.line_total)).toEqual(cents(8).slice(0, n).map((c) => Number(centsText(c))));
    expect(rows.map((r) => r.promotion_id)).toEqual(ints(4).slice(0, n).map((v) => (v === NULL_KEY ? null : v)));
  });

  it('closes row groups by the byte estimate, never by batch boundaries', async () => {
    // 53 estimated bytes per transactions row: 8 + 4×4 + (4 + 1 definition level) + 3×8.
    const n = 3500;
    const one = rebatch(T, batch, [n])[0]!;
    const bytes = encode(T, rebatch(T, one, [333]), { rowGroupBytes: 53 * 1000 });
    const meta = hyMetadata(bytes);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([1000, 1000, 1000, 500]);
  });

  it('defaults to one large row group for a million-row-scale input (no tiny groups)', () => {
    const bytes = encode(T, rebatch(T, batch, [1000]));
    expect(hyMetadata(bytes).row_groups.map((g) => Number(g.num_rows))).toEqual([N]);
  });

  it('produces identical bytes however the rows are batched', () => {
    const options = { rowGroupRows: 7000, compression: 'snappy' as const };
    const reference = encode(T, [batch], options);
    for (const sizes of [[4096], [1, 999, 7, 5000], [7000], [6999, 2]]) {
      expect(Buffer.compare(encode(T, rebatch(T, batch, sizes), options), reference), `sizes ${sizes.join(',')}`).toBe(0);
    }
    const byBytes = { rowGroupBytes: 300_000, compression: 'zstd' as const };
    const ref2 = encode(T, [batch], byBytes);
    expect(hyMetadata(ref2).row_groups.length).toBeGreaterThan(5);
    expect(Buffer.compare(encode(T, rebatch(T, batch, [4096, 17]), byBytes), ref2)).toBe(0);
    // ...but it does depend on the row-group size.
    expect(Buffer.compare(encode(T, [batch], { rowGroupRows: 7001 }), reference)).not.toBe(0);
  });

  it('a restarted encoder writes the next file exactly as a fresh one would (even after an abandoned file)', () => {
    const options = { rowGroupRows: 7000 };
    const first = rebatch(T, batch, [20_000])[0]!;
    const second = transactionsBatch(12_345, 99, 500_000); // different rows, keys and nulls
    const fileOf = (enc: ParquetEncoder, b: ColumnBatch): Uint8Array => concatChunks([...enc.write(b), ...enc.finish()]);
    const reused = new ParquetEncoder(T, options);
    fileOf(reused, first);
    reused.restart();
    expect(Buffer.compare(fileOf(reused, second), encode(T, [second], options))).toBe(0);
    reused.restart();
    reused.write(first); // abandoned mid-file (a failed partition): restart drops it
    reused.restart();
    expect(Buffer.compare(fileOf(reused, second), encode(T, [second], options))).toBe(0);
  });
});

describe('dimension and inventory tables', () => {
  function customersBatch(n: number): ColumnBatch {
    const t = TABLES.customers;
    const cols = allocateColumns(t.columns, n);
    const rnd = prng(3);
    const firsts = ['Ana', 'Bo', 'Chloé', 'Dmitri', 'Eve', 'Farah', 'Gus'];
    const states = ['CA', 'NY', 'TX', 'WA', 'MA'];
    for (let i = 0; i < n; i++) {
      (cols[0] as Int32Array)[i] = i + 1;
      (cols[1] as string[])[i] = firsts[i % firsts.length]!;
      (cols[2] as string[])[i] = `Last${Math.floor(rnd() * 50)}`;
      (cols[3] as string[])[i] = `user${i + 1}@example.com`;
      (cols[4] as string[])[i] = `555-${String(i % 1000).padStart(3, '0')}-${String(i).padStart(4, '0')}`;
      (cols[5] as string[])[i] = `${i} Main St`;
      (cols[6] as string[])[i] = `City ${i % 40}`;
      (cols[7] as string[])[i] = states[i % states.length]!;
      (cols[8] as string[])[i] = String(10000 + (i % 900));
      (cols[9] as Uint8Array)[i] = rnd() < 0.6 ? 0 : rnd() < 0.6 ? 1 : rnd() < 0.7 ? 2 : 3;
      (cols[10] as Int32Array)[i] = 18_000 + (i % 700);
    }
    return { rowCount: n, columns: cols };
  }

  it('dictionary-encodes enums and low-cardinality strings, PLAIN for unique ones', async () => {
    const t = TABLES.customers;
    const batch = customersBatch(5000);
    const bytes = encode(t, rebatch(t, batch, [4096]));
    const path = duck.file('customers.parquet', bytes);
    const enc = await duck.rows(`SELECT path_in_schema, encodings, dictionary_page_offset IS NOT NULL AS dict FROM parquet_metadata(${path})`);
    const byName = new Map(enc.map((r) => [r.path_in_schema, r]));
    expect(byName.get('loyalty_status')).toMatchObject({ encodings: 'PLAIN, RLE_DICTIONARY', dict: true });
    expect(byName.get('state')).toMatchObject({ encodings: 'PLAIN, RLE_DICTIONARY', dict: true });
    expect(byName.get('email')).toMatchObject({ encodings: 'PLAIN', dict: false });
    const rows = await readAsText(path, t.columns);
    expect(rows.map((r) => r.email)).toEqual((batch.columns[3] as string[]).slice(0, 5000));
    expect(rows.map((r) => r.first_name)).toEqual((batch.columns[1] as string[]).slice(0, 5000));
    expect(rows.map((r) => r.loyalty_status)).toEqual(Array.from((batch.columns[9] as Uint8Array).subarray(0, 5000), (c) => LOYALTY_STATUSES[c]));
    expect(rows.map((r) => r.signup_date)).toEqual(Array.from((batch.columns[10] as Int32Array).subarray(0, 5000), dayText));
  });

  it('cuts string-table row groups by bytes identically for any batching', () => {
    const t = TABLES.customers;
    const batch = customersBatch(5000);
    const reference = encode(t, [batch], { rowGroupBytes: 64 * 1024 });
    expect(hyMetadata(reference).row_groups.length).toBeGreaterThan(3);
    expect(Buffer.compare(encode(t, rebatch(t, batch, [4096, 3, 250]), { rowGroupBytes: 64 * 1024 }), reference)).toBe(0);
  });

  it('writes text held as bytes (TextColumn) byte-identically to the same strings', () => {
    const t = TABLES.customers;
    const batch = customersBatch(5000);
    const asText = (values: string[], n: number): TextColumn => {
      const col = new TextColumn(n, 4);
      for (let i = 0; i < n; i++) col.word(Buffer.from(values[i]!, 'utf8')).close();
      return col;
    };
    const text: ColumnBatch = {
      rowCount: batch.rowCount,
      columns: batch.columns.map((c, i) => (t.columns[i]!.storage === 'string' ? asText(c as string[], batch.rowCount) : c)),
    };
    expect(text.columns.filter((c) => c instanceof TextColumn)).toHaveLength(8);
    const options = { rowGroupBytes: 64 * 1024 };
    expect(Buffer.compare(encode(t, [text], options), encode(t, [batch], options))).toBe(0);
  });

  it('writes inventory.last_restock_date as an OPTIONAL DATE with real nulls', async () => {
    const t = TABLES.inventory;
    const n = 2000;
    const cols = allocateColumns(t.columns, n);
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 6; c++) (cols[c] as Int32Array)[i] = c === 0 ? 1 + (i % 50) : c === 1 ? 1 + Math.floor(i / 50) : i * c;
      const restocked = i % 3 !== 0;
      (cols[6] as Int32Array)[i] = restocked ? 19_700 + (i % 365) : NULL_DAY;
      if (!restocked) nulls++;
    }
    const bytes = encode(t, [{ rowCount: n, columns: cols }]);
    const path = duck.file('inventory.parquet', bytes);
    const [r] = await duck.rows(
      `SELECT COUNT(*) - COUNT(last_restock_date) AS nulls, MIN(last_restock_date)::VARCHAR AS lo, MAX(last_restock_date)::VARCHAR AS hi FROM ${path}`,
    );
    expect(r).toEqual({ nulls: String(nulls), lo: dayText(19_700), hi: dayText(19_700 + 364) });
    const [s] = await duck.rows(`SELECT stats_null_count, repetition_type FROM parquet_metadata(${path}) m JOIN parquet_schema(${path}) s ON s.name = m.path_in_schema WHERE m.path_in_schema = 'last_restock_date'`);
    expect(s).toEqual({ stats_null_count: String(nulls), repetition_type: 'OPTIONAL' });
  });
});

// ---- API behaviour ------------------------------------------------------------------------------

describe('ParquetEncoder API', () => {
  const T = TABLES.transactions_raw;

  it('rejects a bad compression name with the option and the allowed values', () => {
    expect(() => new ParquetEncoder(T, { compression: 'lz4' })).toThrow(/--compression "lz4".*snappy, zstd, gzip, none/);
    expect(() => parseCompression('brotli')).toThrowError(Error);
    expect(parseCompression('ZSTD')).toBe('zstd');
  });

  it('returns nothing until a row group completes; the first bytes are PAR1', () => {
    const enc = new ParquetEncoder(T, { rowGroupRows: 10_000 });
    const batches = rebatch(T, transactionsBatch(12_000), [4096]);
    expect(enc.write(batches[0]!)).toEqual([]);
    expect(enc.write(batches[1]!)).toEqual([]);
    const out = enc.write(batches[2]!);
    expect(out.length).toBeGreaterThan(1);
    expect(Buffer.from(out[0]!).toString('latin1')).toBe('PAR1');
    expect(enc.rowGroupCount).toBe(1);
    const tail = enc.finish();
    const file = concatChunks([...out, ...tail]);
    expect(Buffer.from(file.subarray(file.length - 4)).toString('latin1')).toBe('PAR1');
    expect(enc.bytesWritten).toBe(file.length);
    expect(enc.rowCount).toBe(12_000);
    expect(() => enc.write(batches[0]!)).toThrow(/after finish/);
  });

  it('writes a valid empty file', async () => {
    const bytes = encode(T, []);
    const [r] = await duck.rows(`SELECT COUNT(*) AS n FROM ${duck.file('empty.parquet', bytes)}`);
    expect(r).toEqual({ n: '0' });
  });

  it('rejects values that do not fit the column', () => {
    const t: TableDef = { ...TABLES.promotions };
    const cols = allocateColumns(t.columns, 2);
    (cols[0] as Int32Array).set([1, 2]);
    (cols[1] as string[]).splice(0, 2, 'a', 'b');
    (cols[2] as Float64Array).set([50, 10000]); // DECIMAL(4,2): 100.00 does not fit
    expect(() => new ParquetEncoder(t).write({ rowCount: 2, columns: cols })).toThrow(/discount_rate.*10000.*precision/);
    const c2 = allocateColumns(TABLES.orders.columns, 1);
    (c2[7] as Uint8Array)[0] = 9; // only 5 statuses
    expect(() => new ParquetEncoder(TABLES.orders).write({ rowCount: 1, columns: c2 })).toThrow(/status.*enum code 9/);
    const c3 = allocateColumns(T.columns, 1);
    c3[0] = new Int32Array(1); // BIGINT needs Float64Array
    expect(() => new ParquetEncoder(T).write({ rowCount: 1, columns: c3 })).toThrow(/transaction_id.*Float64Array/);
  });
});
