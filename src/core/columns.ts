// Column model shared by every table definition, generator and sink.
// A table's rows travel as a ColumnBatch: one typed array (or string array) per column, in the
// column order of the table definition. Sinks (CSV, Parquet) encode batches; generators fill them.

/** How a column's values are held in a batch. */
export type Storage =
  | 'int32' // Int32Array; when nullable, NULL_KEY (0) is null (keys are positive)
  | 'int64' // Float64Array of exact integers (keys that may pass 2^31 at large scale)
  | 'cents' // Float64Array of exact integer cents; the column is DECIMAL(p, 2)
  | 'day' // Int32Array of days since 1970-01-01; when nullable, NULL_DAY is null
  | 'bool' // Uint8Array of 0/1
  | 'string' // string[]
  | 'enum'; // Uint8Array of codes into ColumnDef.enumValues

export type ColumnData = Int32Array | Float64Array | Uint8Array | string[];

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
