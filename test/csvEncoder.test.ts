// The CSV encoder: exact number, money and date formatting, and RFC 4180 quoting that survives a
// round trip through fast-csv's parser.
import { parseString } from 'fast-csv';
import { describe, expect, it } from 'vitest';
import { DateTextTable, dayFromCivil } from '../src/core/calendar.js';
import { NULL_DAY, NULL_KEY, TextColumn, valueAt, type ColumnBatch } from '../src/core/columns.js';
import { TABLES, type TableDef } from '../src/core/tables.js';
import { ByteWriter, DEFAULT_CHUNK_BYTES, MAX_SPARE_CHUNKS, giveSpareChunks, spareChunkCount, takeSpareChunks } from '../src/streams/byteWriter.js';
import { CsvTableEncoder, csvField, writeCents, writeInt, writeUint } from '../src/streams/csvEncoder.js';

const text = (write: (buf: Uint8Array, pos: number) => number): string => {
  const buf = new Uint8Array(64);
  return Buffer.from(buf.subarray(0, write(buf, 0))).toString('ascii');
};

function encode(table: TableDef, batch: ColumnBatch, chunkBytes = 1 << 20): string {
  const chunks: Buffer[] = [];
  const w = new ByteWriter((c) => chunks.push(Buffer.from(c)), true, chunkBytes);
  const enc = new CsvTableEncoder(table, new DateTextTable(dayFromCivil(2024, 1, 1), 366));
  enc.writeHeader(w);
  enc.writeBatch(w, batch);
  w.flush();
  return Buffer.concat(chunks).toString('utf8');
}

const parse = (csv: string): Promise<string[][]> =>
  new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString(csv, { headers: false })
      .on('data', (r: string[]) => rows.push(r))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });

describe('numbers', () => {
  it.each([0, 1, 9, 10, 99, 100, 12345, 2147483647, 2147483648, 9007199254740991])('writeUint(%d)', (v) => {
    expect(text((b, p) => writeUint(b, p, v))).toBe(String(v));
  });

  it('writeUint matches String() for every power of ten ± 1 and a sweep of values', () => {
    for (let p = 1; p <= 1e15; p *= 10) for (const v of [p - 1, p, p + 1]) expect(text((b, q) => writeUint(b, q, v))).toBe(String(v));
    for (let v = 0; v < 100_000; v += 7) expect(text((b, q) => writeUint(b, q, v))).toBe(String(v));
  });

  it.each([-1, -2147483648, -9007199254740991])('writeInt(%d)', (v) => {
    expect(text((b, p) => writeInt(b, p, v))).toBe(String(v));
  });

  it.each([
    [0, '0.00'], [5, '0.05'], [10, '0.10'], [99, '0.99'], [100, '1.00'], [1230, '12.30'],
    [-5, '-0.05'], [-1230, '-12.30'], [9999999999, '99999999.99'], [99999999999999, '999999999999.99'],
  ])('writeCents(%d) = %s', (c, expected) => {
    expect(text((b, p) => writeCents(b, p, c))).toBe(expected);
  });
});

describe('rows', () => {
  it('encodes a transactions batch: nullable key empty, cents with two places', () => {
    const batch: ColumnBatch = {
      rowCount: 2,
      columns: [
        Float64Array.of(1, 3000000000), Int32Array.of(1, 2), Int32Array.of(1, 1), Int32Array.of(17, 3),
        Int32Array.of(NULL_KEY, 4), Int32Array.of(3, 10), Float64Array.of(1999, 5), Float64Array.of(0, 13), Float64Array.of(5997, 37),
      ],
    };
    expect(encode(TABLES.transactions_raw, batch)).toBe(
      'transaction_id,order_id,line_number,product_id,promotion_id,quantity,unit_price,discount_amount,line_total\n' +
        '1,1,1,17,,3,19.99,0.00,59.97\n' +
        '3000000000,2,1,3,4,10,0.05,0.13,0.37\n',
    );
  });

  it('encodes dates (also outside the date table), null dates, booleans and enums', () => {
    const inside = dayFromCivil(2024, 2, 29);
    const outside = dayFromCivil(1999, 12, 31);
    const inv: ColumnBatch = {
      rowCount: 2,
      columns: [Int32Array.of(1, 2), Int32Array.of(5, 6), Int32Array.of(10, 0), Int32Array.of(3, 0), Int32Array.of(0, 50), Int32Array.of(7, 50), Int32Array.of(NULL_DAY, inside)],
    };
    expect(encode(TABLES.inventory, inv).split('\n').slice(1)).toEqual(['1,5,10,3,0,7,', '2,6,0,0,50,50,2024-02-29', '']);
    const dates: ColumnBatch = {
      rowCount: 1,
      columns: [Int32Array.of(19991231), Int32Array.of(outside), Uint8Array.of(4), Int32Array.of(31), Int32Array.of(52), Int32Array.of(12), Uint8Array.of(11), Int32Array.of(4), Int32Array.of(1999), Uint8Array.of(0), Uint8Array.of(1)],
    };
    expect(encode(TABLES.dates, dates).split('\n')[1]).toBe('19991231,1999-12-31,Friday,31,52,12,December,4,1999,false,true');
  });

  it('quotes only the text fields that need it, and they read back unchanged through fast-csv', async () => {
    const awkward = ['plain', 'comma, inside', 'say "hi"', 'line\nbreak', 'carriage\rreturn', 'ünïcödé, ok', '"', ',', '', ' spaced '];
    const n = awkward.length;
    const batch: ColumnBatch = {
      rowCount: n,
      columns: [
        Int32Array.from({ length: n }, (_, i) => i + 1), awkward, awkward.slice().reverse(), awkward, awkward,
        awkward, awkward, awkward, awkward, new Uint8Array(n), new Int32Array(n).fill(dayFromCivil(2024, 1, 1)),
      ],
    };
    // A 64-byte chunk forces many flushes in the middle of rows and fields.
    const csv = encode(TABLES.customers, batch, 64);
    expect(csv).toContain('"comma, inside"');
    expect(csv).toContain('"say ""hi"""');
    expect(csv).toContain(',plain,');
    const rows = await parse(csv);
    expect(rows).toHaveLength(n + 1);
    rows.slice(1).forEach((r, i) => {
      expect(r[1]).toBe(awkward[i]);
      expect(r[2]).toBe(awkward[n - 1 - i]);
      expect(r[9]).toBe('Bronze');
    });
  });

  it('text held as bytes (TextColumn) encodes to the same bytes as the strings, quoting included', async () => {
    const awkward = ['plain', 'comma, inside', 'say "hi"', 'line\nbreak', 'carriage\rreturn', 'ünïcödé, ok', '"', ',', '', ' spaced ', '日本語'];
    const n = awkward.length;
    const asText = (values: string[]): TextColumn => {
      const t = new TextColumn(1, 1); // tiny: the offsets and bytes must grow
      for (const v of values) t.word(Buffer.from(v, 'utf8')).close();
      return t;
    };
    const columns = (text: (values: string[]) => string[] | TextColumn): ColumnBatch['columns'] => [
      Int32Array.from({ length: n }, (_, i) => i + 1), text(awkward), text(awkward.slice().reverse()), text(awkward), text(awkward),
      text(awkward), text(awkward), text(awkward), text(awkward), new Uint8Array(n), new Int32Array(n).fill(dayFromCivil(2024, 1, 1)),
    ];
    const strings = encode(TABLES.customers, { rowCount: n, columns: columns((v) => v) }, 64);
    const bytes = encode(TABLES.customers, { rowCount: n, columns: columns(asText) }, 64);
    expect(bytes).toBe(strings);
    const rows = await parse(bytes);
    rows.slice(1).forEach((r, i) => expect(r[3]).toBe(awkward[i]));
    // reading values back, and a kept copy of a range
    const t = asText(awkward);
    expect(Array.from({ length: n }, (_, i) => valueAt(t, i))).toEqual(awkward);
    const part = t.slice(4, 7);
    t.clear();
    t.word(Buffer.from('overwritten')).close();
    expect([part.get(0), part.get(1), part.get(2), part.length]).toEqual(awkward.slice(4, 7).concat([3]) as unknown[]);
  });

  it('csvField follows RFC 4180', () => {
    expect(csvField('a')).toBe('a');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a"b')).toBe('"a""b"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
  });
});

describe('spare chunk buffers (a single file\'s chunks reused)', () => {
  it('a writer that keeps its chunks writes into given-back buffers, and only standard-size ones are kept', () => {
    takeSpareChunks(Infinity); // start empty
    const a = new ArrayBuffer(DEFAULT_CHUNK_BYTES);
    const b = new ArrayBuffer(DEFAULT_CHUNK_BYTES);
    new Uint8Array(a).fill(0x7a); // stale bytes of an earlier chunk
    giveSpareChunks([a, new ArrayBuffer(8192), new ArrayBuffer(DEFAULT_CHUNK_BYTES + 1), b]);
    expect(spareChunkCount()).toBe(2);
    const chunks: Uint8Array[] = [];
    const w = new ByteWriter((c) => chunks.push(c), false);
    const line = Buffer.from('1,2,3\n');
    const lines = Math.ceil((DEFAULT_CHUNK_BYTES * 1.5) / line.length);
    for (let i = 0; i < lines; i++) {
      w.ensure(line.length);
      w.buf.set(line, w.pos);
      w.pos += line.length;
    }
    w.flush(false);
    // Both spares were used (last given first), then the list ran dry; the bytes are the new ones only.
    expect(chunks.map((c) => c.buffer)).toEqual([b, a]);
    expect(spareChunkCount()).toBe(0);
    expect(Buffer.concat(chunks).equals(Buffer.alloc(lines * line.length, line))).toBe(true);
  });

  it('keeps at most MAX_SPARE_CHUNKS, and takeSpareChunks hands out at most what is asked', () => {
    takeSpareChunks(Infinity);
    giveSpareChunks(Array.from({ length: MAX_SPARE_CHUNKS + 5 }, () => new ArrayBuffer(DEFAULT_CHUNK_BYTES)));
    expect(spareChunkCount()).toBe(MAX_SPARE_CHUNKS);
    expect(takeSpareChunks(16)).toHaveLength(16);
    expect(spareChunkCount()).toBe(MAX_SPARE_CHUNKS - 16);
    takeSpareChunks(Infinity);
    expect(takeSpareChunks(4)).toEqual([]);
    // a worker keeps one task's worth: what it already holds counts against the cap
    giveSpareChunks(Array.from({ length: 10 }, () => new ArrayBuffer(DEFAULT_CHUNK_BYTES)), 16);
    giveSpareChunks(Array.from({ length: 10 }, () => new ArrayBuffer(DEFAULT_CHUNK_BYTES)), 16);
    expect(spareChunkCount()).toBe(16);
    takeSpareChunks(Infinity);
  });
});
