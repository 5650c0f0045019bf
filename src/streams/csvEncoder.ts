// CSV encoding of column batches (RFC 4180: comma, LF, quotes only where a field needs them).
// Each table gets a row encoder compiled once from its definition, writing ASCII digits, cents
// and dates straight into a ByteWriter's buffer: no per-row strings on the hot path.
import { DateTextTable, formatIsoDay } from '../core/calendar.js';
import { NULL_DAY, NULL_KEY, TextColumn, type ColumnBatch, type ColumnDef } from '../core/columns.js';
import type { TableDef } from '../core/tables.js';
import { DIGIT_PAIRS, writeSmallUint, writeUint } from '../core/digits.js';
import type { ByteWriter } from './byteWriter.js';

export { writeUint };

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

export function writeInt(buf: Uint8Array, pos: number, value: number): number {
  if (value < 0) {
    buf[pos] = 45; // '-'
    return writeUint(buf, pos + 1, -value);
  }
  return writeUint(buf, pos, value);
}

/** Writes an int32 value (a column of Int32Array): the small-integer path, sign apart. */
export function writeInt32(buf: Uint8Array, pos: number, value: number): number {
  if (value < 0) {
    buf[pos] = 45;
    return writeUint(buf, pos + 1, -value); // -2^31 does not fit the small path
  }
  return writeSmallUint(buf, pos, value);
}

/** Writes integer cents as a decimal with exactly two places: 1230 → "12.30", -5 → "-0.05". */
export function writeCents(buf: Uint8Array, pos: number, cents: number): number {
  let v = cents;
  if (v < 0) {
    buf[pos++] = 45;
    v = -v;
  }
  let whole: number;
  let frac: number;
  if (v < 2147483648) {
    const small = v | 0;
    whole = (small / 100) | 0;
    frac = (small - whole * 100) << 1;
    pos = writeSmallUint(buf, pos, whole);
  } else {
    whole = Math.floor(v / 100);
    frac = (v - whole * 100) * 2;
    pos = writeUint(buf, pos, whole);
  }
  buf[pos] = 46; // '.'
  buf[pos + 1] = DIGIT_PAIRS[frac];
  buf[pos + 2] = DIGIT_PAIRS[frac + 1];
  return pos + 3;
}

/** Writes a day number as YYYY-MM-DD through the date table, or by formatting when outside it. */
export function writeDay(buf: Uint8Array, pos: number, day: number, dates: DateTextTable): number {
  const index = day - dates.firstDay;
  if (index >= 0 && index < dates.count) {
    const t = dates.bytes;
    const o = index * 10;
    for (let k = 0; k < 10; k++) buf[pos + k] = t[o + k];
    return pos + 10;
  }
  const text = formatIsoDay(day);
  for (let k = 0; k < text.length; k++) buf[pos + k] = text.charCodeAt(k);
  return pos + text.length;
}

/** The CSV form of a text value: quoted (inner quotes doubled) only if it holds , " CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes a text field at writer.pos, quoting when needed; ASCII takes a byte-per-char fast path. */
export function writeText(w: ByteWriter, value: string): void {
  const n = value.length;
  w.ensure(n * 3 + 2); // UTF-8 needs at most 3 bytes per UTF-16 unit; a doubled quote needs 2 of them
  const buf = w.buf;
  const start = w.pos;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || c === COMMA || c === QUOTE || c === LF || c === CR) {
      w.pos = start + (buf as Buffer).write(csvField(value), start, 'utf8');
      return;
    }
    buf[start + i] = c;
  }
  w.pos = start + n;
}

/**
 * Writes text given as UTF-8 bytes[start, end) at writer.pos: copied as they are, unless they hold
 * , " CR or LF — then the value goes through writeText, the one place that quotes. Those four are
 * ASCII, and every byte of a multi-byte UTF-8 sequence is ≥ 0x80, so a byte scan finds them.
 */
export function writeTextBytes(w: ByteWriter, bytes: Buffer, start: number, end: number): void {
  const n = end - start;
  w.ensure(n);
  const buf = w.buf;
  const at = w.pos;
  for (let k = 0; k < n; k++) {
    const c = bytes[start + k];
    if (c === COMMA || c === QUOTE || c === LF || c === CR) {
      writeText(w, bytes.toString('utf8', start, end)); // w.pos is still at the field's start
      return;
    }
    buf[at + k] = c;
  }
  w.pos = at + n;
}

const encodedText = (value: string): Uint8Array => Buffer.from(csvField(value), 'utf8');

/** Upper bound of a fixed-width field's bytes (text fields are sized as they are written). */
function fixedWidth(c: ColumnDef): number {
  switch (c.storage) {
    case 'int32':
      return 11;
    case 'int64':
    case 'cents':
      return 24;
    case 'day':
      return 12; // YYYY-MM-DD, or a five-digit year through the slow path
    case 'bool':
      return 5;
    case 'enum':
      return Math.max(...(c.enumValues ?? ['']).map((v) => encodedText(v).length));
    case 'string':
      return 0;
  }
}

type RowsEncoder = (w: ByteWriter, columns: ColumnBatch['columns'], start: number, end: number) => void;

/**
 * Compiles the row loop of one table: one straight-line block per column, in column order, so V8
 * sees monomorphic typed-array reads and no per-field dispatch.
 */
function compileRowsEncoder(table: TableDef, dates: DateTextTable): RowsEncoder {
  const cols = table.columns;
  const rowMax = cols.reduce((sum, c) => sum + fixedWidth(c) + 1, 0);
  const enums = cols.map((c) => (c.enumValues ?? []).map(encodedText));
  const lines: string[] = [];
  lines.push(cols.map((_, i) => `const c${i} = columns[${i}];`).join('\n'));
  lines.push(cols.map((c, i) => (c.storage === 'enum' ? `const e${i} = enums[${i}];` : '')).join('\n'));
  // A text column is a string[] or a TextColumn (bytes and offsets), known per batch.
  lines.push(cols.map((c, i) => (c.storage === 'string' ? `const t${i} = c${i} instanceof TextColumn ? c${i} : null;` : '')).join('\n'));
  lines.push('let buf = w.buf; let pos = w.pos;');
  lines.push('for (let r = start; r < end; r++) {');
  lines.push(`  if (pos + ${rowMax} > buf.length) { w.pos = pos; w.ensure(${rowMax}); buf = w.buf; pos = w.pos; }`);
  cols.forEach((c, i) => {
    if (i > 0) lines.push(`  buf[pos++] = ${COMMA};`);
    switch (c.storage) {
      case 'int32':
        if (c.nullable) lines.push(`  { const v = c${i}[r]; if (v !== ${NULL_KEY}) pos = writeInt32(buf, pos, v); }`);
        else lines.push(`  pos = writeInt32(buf, pos, c${i}[r]);`);
        break;
      case 'int64':
        lines.push(`  pos = writeInt(buf, pos, c${i}[r]);`);
        break;
      case 'cents':
        lines.push(`  pos = writeCents(buf, pos, c${i}[r]);`);
        break;
      case 'day':
        if (c.nullable) lines.push(`  { const v = c${i}[r]; if (v !== ${NULL_DAY}) pos = writeDay(buf, pos, v, dates); }`);
        else lines.push(`  pos = writeDay(buf, pos, c${i}[r], dates);`);
        break;
      case 'bool':
        lines.push(`  if (c${i}[r]) { buf[pos] = 116; buf[pos + 1] = 114; buf[pos + 2] = 117; buf[pos + 3] = 101; pos += 4; }`);
        lines.push(`  else { buf[pos] = 102; buf[pos + 1] = 97; buf[pos + 2] = 108; buf[pos + 3] = 115; buf[pos + 4] = 101; pos += 5; }`);
        break;
      case 'enum':
        lines.push(`  { const b = e${i}[c${i}[r]]; for (let k = 0; k < b.length; k++) buf[pos + k] = b[k]; pos += b.length; }`);
        break;
      case 'string':
        // Text may be long: sync the writer, let writeText (or writeTextBytes, for a TextColumn)
        // size the room, reload the buffer.
        lines.push(`  w.pos = pos; if (t${i} !== null) writeTextBytes(w, t${i}.bytes, t${i}.offsets[r], t${i}.offsets[r + 1]); else writeText(w, c${i}[r]); buf = w.buf; pos = w.pos;`);
        lines.push(`  if (pos + ${rowMax} > buf.length) { w.pos = pos; w.ensure(${rowMax}); buf = w.buf; pos = w.pos; }`);
        break;
    }
  });
  lines.push(`  buf[pos++] = ${LF};`);
  lines.push('}');
  lines.push('w.pos = pos;');
  const factory = new Function(
    'writeInt', 'writeInt32', 'writeCents', 'writeDay', 'writeText', 'writeTextBytes', 'TextColumn', 'dates', 'enums',
    `return function encode_${table.name}(w, columns, start, end) {\n${lines.join('\n')}\n};`,
  );
  return factory(writeInt, writeInt32, writeCents, writeDay, writeText, writeTextBytes, TextColumn, dates, enums) as RowsEncoder;
}

/**
 * Compiled row encoders per date table and table definition: a worker opens a writer per table
 * and partition, and compiling each afresh would make V8 warm up and optimise a new function
 * every partition.
 */
const compiled = new WeakMap<DateTextTable, WeakMap<TableDef, RowsEncoder>>();
function rowsEncoderFor(table: TableDef, dates: DateTextTable): RowsEncoder {
  let byTable = compiled.get(dates);
  if (byTable === undefined) compiled.set(dates, (byTable = new WeakMap()));
  let encoder = byTable.get(table);
  if (encoder === undefined) byTable.set(table, (encoder = compileRowsEncoder(table, dates)));
  return encoder;
}

/** Encodes batches of one table as CSV rows into a ByteWriter. */
export class CsvTableEncoder {
  readonly table: TableDef;
  private readonly encodeRows: RowsEncoder;

  constructor(table: TableDef, dates: DateTextTable) {
    this.table = table;
    this.encodeRows = rowsEncoderFor(table, dates);
  }

  /** The header line: column names, comma-separated, LF-terminated. */
  header(): Uint8Array {
    return Buffer.from(this.table.columns.map((c) => csvField(c.name)).join(',') + '\n', 'ascii');
  }

  writeHeader(w: ByteWriter): void {
    const h = this.header();
    w.ensure(h.length);
    w.buf.set(h, w.pos);
    w.pos += h.length;
  }

  writeBatch(w: ByteWriter, batch: ColumnBatch): void {
    if (batch.rowCount > 0) this.encodeRows(w, batch.columns, 0, batch.rowCount);
  }
}
