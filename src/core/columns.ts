// Column model shared by every table definition, generator and sink.
// A table's rows travel as a ColumnBatch: one typed array (or string array, or TextColumn) per
// column, in the column order of the table definition. Sinks (CSV, Parquet) encode batches;
// generators fill them.
import { writeUint, writeUintPadded } from './digits.js';

/** How a column's values are held in a batch. */
export type Storage =
  | 'int32' // Int32Array; when nullable, NULL_KEY (0) is null (keys are positive)
  | 'int64' // Float64Array of exact integers (keys that may pass 2^31 at large scale)
  | 'cents' // Float64Array of exact integer cents; the column is DECIMAL(p, 2)
  | 'day' // Int32Array of days since 1970-01-01; when nullable, NULL_DAY is null
  | 'bool' // Uint8Array of 0/1
  | 'string' // string[], or a TextColumn (UTF-8 bytes and offsets)
  | 'enum'; // Uint8Array of codes into ColumnDef.enumValues

/**
 * Text values as UTF-8 bytes, Arrow-style: value i is bytes[offsets[i], offsets[i + 1]). A generator
 * that builds text (e-mails, phone numbers, addresses) appends its bytes here instead of making a JS
 * string per value that the CSV sink turns back into bytes. Values are appended in row order: the
 * builder methods add to the current value, close() ends it.
 */
export class TextColumn {
  bytes: Buffer;
  offsets: Int32Array;
  /** Values closed so far. */
  length = 0;
  /** Bytes used so far (the end of the current value). */
  end = 0;

  constructor(rows: number, bytesPerRow = 16) {
    this.bytes = Buffer.alloc(Math.max(64, rows * bytesPerRow));
    this.offsets = new Int32Array(rows + 1);
  }

  /** Empties the column (its buffers are kept). */
  clear(): void {
    this.length = 0;
    this.end = 0;
  }

  /** Appends bytes to the current value. */
  word(bytes: Uint8Array): this {
    const n = bytes.length;
    if (this.end + n > this.bytes.length) this.grow(n);
    const out = this.bytes;
    const at = this.end;
    for (let i = 0; i < n; i++) out[at + i] = bytes[i];
    this.end = at + n;
    return this;
  }

  /** Appends one byte (an ASCII character) to the current value. */
  char(code: number): this {
    if (this.end + 1 > this.bytes.length) this.grow(1);
    this.bytes[this.end++] = code;
    return this;
  }

  /** Appends the digits of a non-negative integer, zero-padded to `width`, to the current value. */
  uint(value: number, width = 0): this {
    if (this.end + 32 > this.bytes.length) this.grow(32);
    this.end = width > 0 ? writeUintPadded(this.bytes, this.end, value, width) : writeUint(this.bytes, this.end, value);
    return this;
  }

  /** Ends the current value. */
  close(): void {
    if (this.length + 1 >= this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[++this.length] = this.end;
  }

  /** Value i as a string. */
  get(i: number): string {
    return this.bytes.toString('utf8', this.offsets[i], this.offsets[i + 1]);
  }

  /** A copy of values [start, end) (as a typed array's slice, for callers that keep a batch). */
  slice(start: number, end: number): TextColumn {
    const from = this.offsets[start];
    const copy = new TextColumn(end - start, 0);
    copy.bytes = Buffer.from(this.bytes.subarray(from, this.offsets[end])); // a copy, not a view
    for (let i = start; i <= end; i++) copy.offsets[i - start] = this.offsets[i] - from;
    copy.length = end - start;
    copy.end = copy.bytes.length;
    return copy;
  }

  private grow(needed: number): void {
    const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.end + needed));
    this.bytes.copy(grown, 0, 0, this.end);
    this.bytes = grown;
  }
}

export type ColumnData = Int32Array | Float64Array | Uint8Array | string[] | TextColumn;

/** Value i of a column, text as a string (TextColumn values decoded): for tests and slow paths. */
export function valueAt(column: ColumnData, i: number): number | string {
  return column instanceof TextColumn ? column.get(i) : column[i];
}

/** The batch with every TextColumn turned into a string[] (for sinks that work on strings). */
export function withTextAsStrings(batch: ColumnBatch): ColumnBatch {
  if (!batch.columns.some((c) => c instanceof TextColumn)) return batch;
  return {
    rowCount: batch.rowCount,
    columns: batch.columns.map((c) => (c instanceof TextColumn ? Array.from({ length: batch.rowCount }, (_, i) => c.get(i)) : c)),
  };
}

/** Null markers inside typed arrays (a nullable column never holds them as real values). */
export const NULL_KEY = 0;
export const NULL_DAY = -2147483648;

export interface ColumnDef {
  readonly name: string;
  /** Data-dictionary type: INTEGER, BIGINT, DATE, BOOLEAN, DECIMAL(p,2), VARCHAR(n), CHAR(n). */
  readonly type: string;
  readonly storage: Storage;
  readonly description: string;
  readonly nullable?: boolean;
  /** For storage 'enum': the value of each code. */
  readonly enumValues?: readonly string[];
  /** Foreign key target, "table.column". */
  readonly references?: string;
}

export interface ColumnBatch {
  readonly rowCount: number;
  /** One entry per column of the table definition, in order; each holds at least rowCount values. */
  readonly columns: ColumnData[];
}

/** Decimal precision and scale of a DECIMAL(p,s) type, or null for other types. */
export function decimalOf(type: string): { precision: number; scale: number } | null {
  const m = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : null;
}

/** Allocates an empty batch buffer for `capacity` rows of the given columns. */
export function allocateColumns(columns: readonly ColumnDef[], capacity: number): ColumnData[] {
  return columns.map((c) => {
    switch (c.storage) {
      case 'int32':
      case 'day':
        return new Int32Array(capacity);
      case 'int64':
      case 'cents':
        return new Float64Array(capacity);
      case 'bool':
      case 'enum':
        return new Uint8Array(capacity);
      case 'string':
        return new Array<string>(capacity);
    }
  });
}
