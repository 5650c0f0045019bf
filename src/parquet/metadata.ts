// Parquet format constants (parquet.thrift) and the compact-protocol serialization of the few
// structures dwgen writes: PageHeader, SchemaElement, ColumnMetaData, RowGroup and FileMetaData.
import { CT, ThriftWriter } from './thrift.js';

export const PhysicalType = { BOOLEAN: 0, INT32: 1, INT64: 2, INT96: 3, FLOAT: 4, DOUBLE: 5, BYTE_ARRAY: 6, FIXED_LEN_BYTE_ARRAY: 7 } as const;
export type PhysicalType = (typeof PhysicalType)[keyof typeof PhysicalType];

export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export type Repetition = (typeof Repetition)[keyof typeof Repetition];

export const ConvertedType = { UTF8: 0, DECIMAL: 5, DATE: 6 } as const;
export type ConvertedType = (typeof ConvertedType)[keyof typeof ConvertedType];

export const Encoding = { PLAIN: 0, PLAIN_DICTIONARY: 2, RLE: 3, BIT_PACKED: 4, RLE_DICTIONARY: 8 } as const;
export type Encoding = (typeof Encoding)[keyof typeof Encoding];

export const Codec = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2, LZO: 3, BROTLI: 4, LZ4: 5, ZSTD: 6, LZ4_RAW: 7 } as const;
export type Codec = (typeof Codec)[keyof typeof Codec];

export const PageType = { DATA_PAGE: 0, INDEX_PAGE: 1, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;

export type LogicalType =
  | { readonly kind: 'STRING' }
  | { readonly kind: 'DATE' }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number };

export interface SchemaElement {
  readonly name: string;
  readonly type?: PhysicalType;
  readonly repetition?: Repetition;
  readonly numChildren?: number;
  readonly convertedType?: ConvertedType;
  readonly scale?: number;
  readonly precision?: number;
  readonly logicalType?: LogicalType;
}

export interface Statistics {
  readonly nullCount: number;
  /** Plain-encoded (without length prefix) min and max, in the column's sort order. */
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
}

export interface ColumnChunkMeta {
  readonly type: PhysicalType;
  readonly encodings: readonly Encoding[];
  readonly path: readonly string[];
  readonly codec: Codec;
  readonly numValues: number;
  readonly totalUncompressedSize: number;
  readonly totalCompressedSize: number;
  readonly dataPageOffset: number;
  readonly dictionaryPageOffset?: number;
  readonly statistics: Statistics;
}

export interface RowGroupMeta {
  readonly columns: readonly ColumnChunkMeta[];
  readonly totalByteSize: number;
  readonly numRows: number;
  readonly fileOffset: number;
  readonly totalCompressedSize: number;
  readonly ordinal: number;
}

export interface FileMeta {
  readonly schema: readonly SchemaElement[];
  readonly numRows: number;
  readonly rowGroups: readonly RowGroupMeta[];
  readonly createdBy: string;
  readonly keyValue?: readonly { readonly key: string; readonly value: string }[];
}

/** PageHeader of a v1 data page (definition levels, if any, are RLE). */
export function dataPageHeader(uncompressedSize: number, compressedSize: number, numValues: number, encoding: Encoding): Uint8Array {
  const w = new ThriftWriter(32);
  w.structBegin()
    .i32Field(1, PageType.DATA_PAGE)
    .i32Field(2, uncompressedSize)
    .i32Field(3, compressedSize)
    .structField(5)
    .i32Field(1, numValues)
    .i32Field(2, encoding)
    .i32Field(3, Encoding.RLE)
    .i32Field(4, Encoding.RLE)
    .structEnd()
    .structEnd();
  return w.finish();
}

/** PageHeader of a PLAIN dictionary page. */
export function dictionaryPageHeader(uncompressedSize: number, compressedSize: number, numValues: number): Uint8Array {
  const w = new ThriftWriter(32);
  w.structBegin()
    .i32Field(1, PageType.DICTIONARY_PAGE)
    .i32Field(2, uncompressedSize)
    .i32Field(3, compressedSize)
    .structField(7)
    .i32Field(1, numValues)
    .i32Field(2, Encoding.PLAIN)
    .structEnd()
    .structEnd();
  return w.finish();
}

function writeSchemaElement(w: ThriftWriter, e: SchemaElement): void {
  w.structBegin();
  if (e.type !== undefined) w.i32Field(1, e.type);
  if (e.repetition !== undefined) w.i32Field(3, e.repetition);
  w.stringField(4, e.name);
  if (e.numChildren !== undefined) w.i32Field(5, e.numChildren);
  if (e.convertedType !== undefined) w.i32Field(6, e.convertedType);
  if (e.scale !== undefined) w.i32Field(7, e.scale);
  if (e.precision !== undefined) w.i32Field(8, e.precision);
  if (e.logicalType !== undefined) {
    w.structField(10); // LogicalType union
    switch (e.logicalType.kind) {
      case 'STRING':
        w.structField(1).structEnd();
        break;
      case 'DECIMAL':
        w.structField(5).i32Field(1, e.logicalType.scale).i32Field(2, e.logicalType.precision).structEnd();
        break;
      case 'DATE':
        w.structField(6).structEnd();
        break;
    }
    w.structEnd();
  }
  w.structEnd();
}

function writeStatistics(w: ThriftWriter, s: Statistics): void {
  w.i64Field(3, s.nullCount);
  if (s.max !== undefined) w.binaryField(5, s.max);
  if (s.min !== undefined) w.binaryField(6, s.min);
}

function writeColumnChunk(w: ThriftWriter, c: ColumnChunkMeta): void {
  const fileOffset = c.dictionaryPageOffset ?? c.dataPageOffset;
  w.structBegin().i64Field(2, fileOffset).structField(3);
  w.i32Field(1, c.type);
  w.listField(2, CT.I32, c.encodings.length);
  for (const e of c.encodings) w.i32(e);
  w.listField(3, CT.BINARY, c.path.length);
  for (const p of c.path) w.string(p);
  w.i32Field(4, c.codec)
    .i64Field(5, c.numValues)
    .i64Field(6, c.totalUncompressedSize)
    .i64Field(7, c.totalCompressedSize)
    .i64Field(9, c.dataPageOffset);
  if (c.dictionaryPageOffset !== undefined) w.i64Field(11, c.dictionaryPageOffset);
  w.structField(12);
  writeStatistics(w, c.statistics);
  w.structEnd(); // Statistics
  w.structEnd(); // ColumnMetaData
  w.structEnd(); // ColumnChunk
}

/** Serialized FileMetaData (the footer body, without its length and magic). */
export function fileMetaData(m: FileMeta): Uint8Array {
  const w = new ThriftWriter(1024);
  w.structBegin().i32Field(1, 1);
  w.listField(2, CT.STRUCT, m.schema.length);
  for (const e of m.schema) writeSchemaElement(w, e);
  w.i64Field(3, m.numRows);
  w.listField(4, CT.STRUCT, m.rowGroups.length);
  for (const g of m.rowGroups) {
    w.structBegin();
    w.listField(1, CT.STRUCT, g.columns.length);
    for (const c of g.columns) writeColumnChunk(w, c);
    w.i64Field(2, g.totalByteSize)
      .i64Field(3, g.numRows)
      .i64Field(5, g.fileOffset)
      .i64Field(6, g.totalCompressedSize);
    if (g.ordinal <= 0x7fff) w.i16Field(7, g.ordinal);
    w.structEnd();
  }
  if (m.keyValue !== undefined && m.keyValue.length > 0) {
    w.listField(5, CT.STRUCT, m.keyValue.length);
    for (const kv of m.keyValue) w.structBegin().stringField(1, kv.key).stringField(2, kv.value).structEnd();
  }
  w.stringField(6, m.createdBy);
  // column_orders: TypeDefinedOrder for every leaf, so readers trust min_value/max_value.
  const leaves = m.schema.length - 1;
  w.listField(7, CT.STRUCT, leaves);
  for (let i = 0; i < leaves; i++) w.structBegin().structField(1).structEnd().structEnd();
  w.structEnd();
  return w.finish();
}
