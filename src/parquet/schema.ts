// Maps dwgen's data-dictionary column types (ColumnDef) to Parquet schema elements: physical type,
// logical/converted type, repetition (OPTIONAL only for nullable columns) and how values are held.
import { decimalOf, type ColumnDef, type Storage } from '../core/columns.js';
import type { TableDef } from '../core/tables.js';
import { ConvertedType, PhysicalType, Repetition, type SchemaElement } from './metadata.js';

/** How the encoder buffers one column between batches (already in its physical form). */
export type BufferKind =
  | 'i32' // Int32Array, PLAIN INT32 (INTEGER, DATE, DECIMAL(p ≤ 9, s))
  | 'i64' // pairs of 32-bit words, PLAIN INT64 (BIGINT, DECIMAL(10..18, s))
  | 'bool' // Uint8Array 0/1, PLAIN BOOLEAN (bit-packed)
  | 'enum' // Uint8Array codes, RLE_DICTIONARY over the column's enumValues
  | 'string'; // string[], RLE_DICTIONARY when the chunk has few distinct values, else PLAIN

export interface ParquetColumn {
  readonly def: ColumnDef;
  readonly index: number;
  readonly element: SchemaElement;
  readonly physical: PhysicalType;
  readonly buffer: BufferKind;
  readonly optional: boolean;
  /** For DECIMAL: the largest allowed unscaled magnitude, 10^precision − 1. */
  readonly decimalLimit?: number;
}

function unsupported(table: string, c: ColumnDef, why: string): Error {
  return new Error(`Parquet: column ${table}.${c.name} (${c.type}, storage ${c.storage}): ${why}`);
}

const NULLABLE_STORAGE: ReadonlySet<Storage> = new Set<Storage>(['int32', 'int64', 'day', 'cents', 'string']);

/** The Parquet leaf of one column definition. */
export function parquetColumn(table: string, c: ColumnDef, index: number): ParquetColumn {
  const optional = c.nullable === true;
  if (optional && !NULLABLE_STORAGE.has(c.storage)) throw unsupported(table, c, 'nullable is not supported for this storage');
  const repetition = optional ? Repetition.OPTIONAL : Repetition.REQUIRED;
  const type = c.type.toUpperCase();
  const base = { def: c, index, optional };
  const dec = decimalOf(type);

  if (c.storage === 'cents') {
    if (dec === null) throw unsupported(table, c, 'cents storage needs a DECIMAL(p,s) type');
    if (dec.precision < 1 || dec.precision > 18 || dec.scale > dec.precision) {
      throw unsupported(table, c, 'DECIMAL precision must be 1..18 and scale ≤ precision');
    }
    const physical = dec.precision <= 9 ? PhysicalType.INT32 : PhysicalType.INT64;
    return {
      ...base,
      physical,
      buffer: physical === PhysicalType.INT32 ? 'i32' : 'i64',
      decimalLimit: 10 ** dec.precision - 1,
      element: {
        name: c.name,
        type: physical,
        repetition,
        convertedType: ConvertedType.DECIMAL,
        scale: dec.scale,
        precision: dec.precision,
        logicalType: { kind: 'DECIMAL', precision: dec.precision, scale: dec.scale },
      },
    };
  }
  switch (c.storage) {
    case 'int32':
      if (type !== 'INTEGER') throw unsupported(table, c, 'int32 storage needs type INTEGER');
      return { ...base, physical: PhysicalType.INT32, buffer: 'i32', element: { name: c.name, type: PhysicalType.INT32, repetition } };
    case 'int64':
      if (type !== 'BIGINT') throw unsupported(table, c, 'int64 storage needs type BIGINT');
      return { ...base, physical: PhysicalType.INT64, buffer: 'i64', element: { name: c.name, type: PhysicalType.INT64, repetition } };
    case 'day':
      if (type !== 'DATE') throw unsupported(table, c, 'day storage needs type DATE');
      return {
        ...base,
        physical: PhysicalType.INT32,
        buffer: 'i32',
        element: { name: c.name, type: PhysicalType.INT32, repetition, convertedType: ConvertedType.DATE, logicalType: { kind: 'DATE' } },
      };
    case 'bool':
      if (type !== 'BOOLEAN') throw unsupported(table, c, 'bool storage needs type BOOLEAN');
      return { ...base, physical: PhysicalType.BOOLEAN, buffer: 'bool', element: { name: c.name, type: PhysicalType.BOOLEAN, repetition } };
    case 'string':
    case 'enum': {
      if (!/^(VAR)?CHAR\(\d+\)$/.test(type)) throw unsupported(table, c, 'string storage needs VARCHAR(n) or CHAR(n)');
      if (c.storage === 'enum' && (c.enumValues === undefined || c.enumValues.length === 0 || c.enumValues.length > 256)) {
        throw unsupported(table, c, 'enum storage needs 1..256 enumValues');
      }
      return {
        ...base,
        physical: PhysicalType.BYTE_ARRAY,
        buffer: c.storage,
        element: { name: c.name, type: PhysicalType.BYTE_ARRAY, repetition, convertedType: ConvertedType.UTF8, logicalType: { kind: 'STRING' } },
      };
    }
  }
}

/** All leaves of a table, in column order. */
export function parquetColumns(table: TableDef): ParquetColumn[] {
  return table.columns.map((c, i) => parquetColumn(table.name, c, i));
}

/** The flat schema list: the root group followed by one leaf per column. */
export function schemaElements(table: TableDef, columns: readonly ParquetColumn[]): SchemaElement[] {
  return [{ name: table.name, numChildren: columns.length }, ...columns.map((c) => c.element)];
}
