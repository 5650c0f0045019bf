// Streaming Parquet file encoder for one table: accumulates ColumnBatches into row groups and hands
// back the file's bytes in order (header, row groups, footer). No file I/O; deterministic output.
import { withTextAsStrings, type ColumnBatch } from '../core/columns.js';
import type { TableDef } from '../core/tables.js';
import { ColumnBuffer } from './columnBuffer.js';
import { ChunkScratch, encodeColumnChunk } from './columnChunk.js';
import { DEFAULT_COMPRESSION, codecFor, parseCompression, type CodecImpl, type ParquetCompression } from './compression.js';
import { fileMetaData, type ColumnChunkMeta, type RowGroupMeta, type SchemaElement } from './metadata.js';
import { parquetColumns, schemaElements, type ParquetColumn } from './schema.js';

export interface ParquetEncoderOptions {
  /** 'snappy' (default), 'zstd', 'gzip' or 'none'; any other string throws a clear Error. */
  readonly compression?: ParquetCompression | string;
  /** zstd level (default 3) or gzip level (default 1); ignored by snappy and none. */
  readonly compressionLevel?: number;
  /** Close a row group once it holds this many rows (default: no row limit). */
  readonly rowGroupRows?: number;
  /**
   * Close a row group once its estimated uncompressed size reaches this many bytes (default
   * 128 MiB). The estimate is the PLAIN size: 4 or 8 bytes per number, 1 per boolean, enum code
   * or definition level, 4 + length per string.
   */
  readonly rowGroupBytes?: number;
  /** Target uncompressed data-page size in bytes (default 1 MiB). */
  readonly pageBytes?: number;
  /** The footer's created_by (default "dwgen"). */
  readonly createdBy?: string;
  /** Extra footer key/value metadata, written in the given order. */
  readonly keyValueMetadata?: readonly { readonly key: string; readonly value: string }[];
}

export const DEFAULT_ROW_GROUP_BYTES = 128 * 1024 * 1024;
export const DEFAULT_PAGE_BYTES = 1024 * 1024;
export const PARQUET_MAGIC: Uint8Array = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // "PAR1"

function positiveOption(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!(v >= 1) || (v !== Infinity && !Number.isInteger(v))) throw new Error(`Parquet option ${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Encodes one Parquet file from a stream of column batches of one table.
 *
 * Row-group boundaries depend only on the rows and the options, never on how the rows were split
 * into batches, so the same rows always give the same bytes. `write` returns nothing until a row
 * group is complete; the first non-empty output starts with the "PAR1" magic. `finish` returns the
 * last row group, the footer and the closing magic. Concatenate every returned chunk, in order.
 *
 * @example
 * const enc = new ParquetEncoder(TABLES.transactions_raw, { compression: 'zstd' });
 * for (const batch of batches) for (const chunk of enc.write(batch)) out.write(chunk);
 * for (const chunk of enc.finish()) out.write(chunk);
 */
export class ParquetEncoder {
  readonly table: TableDef;
  readonly compression: ParquetCompression;
  readonly columns: readonly ParquetColumn[];
  readonly schema: readonly SchemaElement[];
  private readonly codec: CodecImpl;
  private readonly buffers: ColumnBuffer[];
  private readonly scratch = new ChunkScratch();
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private readonly pageBytes: number;
  private readonly createdBy: string;
  private readonly keyValue: readonly { readonly key: string; readonly value: string }[];
  /** Estimated bytes per row of the fixed-size columns (and definition levels). */
  private readonly fixedRowBytes: number;
  private readonly stringColumns: number[];
  private rowGroups: RowGroupMeta[] = [];
  private groupRows = 0;
  private groupBytes = 0;
  private totalRows = 0;
  private offset = 0;
  private finished = false;

  constructor(table: TableDef, options: ParquetEncoderOptions = {}) {
    this.table = table;
    this.compression = parseCompression(options.compression ?? DEFAULT_COMPRESSION);
    this.codec = codecFor(this.compression, options.compressionLevel);
    this.columns = parquetColumns(table);
    this.schema = schemaElements(table, this.columns);
    this.maxRows = positiveOption('rowGroupRows', options.rowGroupRows, Infinity);
    this.maxBytes = positiveOption('rowGroupBytes', options.rowGroupBytes, DEFAULT_ROW_GROUP_BYTES);
    this.pageBytes = positiveOption('pageBytes', options.pageBytes, DEFAULT_PAGE_BYTES);
    this.createdBy = options.createdBy ?? 'dwgen';
    this.keyValue = options.keyValueMetadata ?? [];
    let fixed = 0;
    const strings: number[] = [];
    for (const c of this.columns) {
      if (c.optional) fixed += 1;
      switch (c.buffer) {
        case 'i32':
          fixed += 4;
          break;
        case 'i64':
          fixed += 8;
          break;
        case 'bool':
        case 'enum':
          fixed += 1;
          break;
        case 'string':
          strings.push(c.index);
          break;
      }
    }
    this.fixedRowBytes = fixed;
    this.stringColumns = strings;
    // Each row adds at least fixedRowBytes, so a row group never holds more than this many rows.
    const groupRowsBound = Math.min(this.maxRows, Math.ceil(this.maxBytes / Math.max(1, fixed)));
    this.buffers = this.columns.map((c) => new ColumnBuffer(c, groupRowsBound));
  }

  /**
   * Starts a new file with the same table and options, keeping the column buffers already grown:
   * a worker writing one file per partition reuses one encoder instead of growing fresh buffers
   * (and leaving them to the GC) for every file. Whatever the encoder held is dropped.
   */
  restart(): void {
    for (const buf of this.buffers) buf.reset();
    this.rowGroups = [];
    this.groupRows = 0;
    this.groupBytes = 0;
    this.totalRows = 0;
    this.offset = 0;
    this.finished = false;
  }

  /** Rows accepted so far. */
  get rowCount(): number {
    return this.totalRows;
  }

  /** Bytes handed out so far (the file size once `finish` has returned). */
  get bytesWritten(): number {
    return this.offset;
  }

  /** Row groups completed so far. */
  get rowGroupCount(): number {
    return this.rowGroups.length;
  }

  /** Adds a batch; returns the bytes of every row group it completed (often none). */
  write(textBatch: ColumnBatch): Uint8Array[] {
    if (this.finished) throw new Error(`ParquetEncoder(${this.table.name}): write after finish`);
    // Text held as bytes (TextColumn) is read as strings here: row-group sizing, dictionaries and
    // statistics work on strings, so a table's Parquet bytes do not depend on how its text was held.
    const batch = withTextAsStrings(textBatch);
    const n = batch.rowCount;
    if (!Number.isInteger(n) || n < 0) throw new Error(`ParquetEncoder(${this.table.name}): bad rowCount ${n}`);
    if (batch.columns.length !== this.columns.length) {
      throw new Error(`ParquetEncoder(${this.table.name}): batch has ${batch.columns.length} columns, table has ${this.columns.length}`);
    }
    for (let c = 0; c < this.columns.length; c++) {
      if (batch.columns[c]!.length < n) {
        throw new Error(`ParquetEncoder(${this.table.name}): column ${this.columns[c]!.def.name} holds ${batch.columns[c]!.length} values, batch has ${n} rows`);
      }
    }
    const out: Uint8Array[] = [];
    let start = 0;
    while (start < n) {
      const take = this.rowsToTake(batch, start, n);
      for (let c = 0; c < this.buffers.length; c++) this.buffers[c]!.append(batch.columns[c]!, start, start + take);
      this.groupRows += take;
      this.totalRows += take;
      start += take;
      if (this.groupRows >= this.maxRows || this.groupBytes >= this.maxBytes) this.flushRowGroup(out);
    }
    return out;
  }

  /** Flushes the last row group and returns it with the footer; the encoder is then closed. */
  finish(): Uint8Array[] {
    if (this.finished) throw new Error(`ParquetEncoder(${this.table.name}): finish called twice`);
    const out: Uint8Array[] = [];
    if (this.groupRows > 0) this.flushRowGroup(out);
    this.start(out);
    this.finished = true;
    const footer = fileMetaData({
      schema: this.schema,
      numRows: this.totalRows,
      rowGroups: this.rowGroups,
      createdBy: this.createdBy,
      keyValue: this.keyValue,
    });
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, footer.length, true);
    out.push(footer, len, PARQUET_MAGIC.slice());
    this.offset += footer.length + 8;
    return out;
  }

  /**
   * How many rows of batch[start, n) to add before the current row group is full, updating the
   * group's byte estimate. Decided row by row, so batch boundaries never move a row-group boundary.
   */
  private rowsToTake(batch: ColumnBatch, start: number, n: number): number {
    const limit = Math.min(n - start, this.maxRows - this.groupRows);
    if (this.stringColumns.length === 0) {
      const take = Math.min(limit, Math.ceil((this.maxBytes - this.groupBytes) / this.fixedRowBytes));
      this.groupBytes += take * this.fixedRowBytes;
      return take;
    }
    const cols = this.stringColumns.map((c) => batch.columns[c] as readonly (string | null | undefined)[]);
    let bytes = this.groupBytes;
    let take = 0;
    while (take < limit) {
      const i = start + take;
      bytes += this.fixedRowBytes;
      for (const col of cols) {
        const s = col[i];
        if (typeof s === 'string') bytes += 4 + s.length;
      }
      take++;
      if (bytes >= this.maxBytes) break;
    }
    this.groupBytes = bytes;
    return take;
  }

  private start(out: Uint8Array[]): void {
    if (this.offset === 0) {
      out.push(PARQUET_MAGIC.slice());
      this.offset = PARQUET_MAGIC.length;
    }
  }

  private flushRowGroup(out: Uint8Array[]): void {
    this.start(out);
    const groupStart = this.offset;
    const metas: ColumnChunkMeta[] = [];
    let uncompressed = 0;
    let compressed = 0;
    for (const buf of this.buffers) {
      const chunk = encodeColumnChunk(buf, this.codec, this.offset, this.pageBytes, this.scratch);
      for (const p of chunk.pieces) {
        out.push(p);
        this.offset += p.length;
      }
      metas.push(chunk.meta);
      uncompressed += chunk.meta.totalUncompressedSize;
      compressed += chunk.meta.totalCompressedSize;
      buf.reset();
    }
    this.rowGroups.push({
      columns: metas,
      totalByteSize: uncompressed,
      numRows: this.groupRows,
      fileOffset: groupStart,
      totalCompressedSize: compressed,
      ordinal: this.rowGroups.length,
    });
    this.groupRows = 0;
    this.groupBytes = 0;
  }
}
