// Encoding one table's rows of one partition: into a part file through a store's PartSink (CSV
// with a header, or Parquet), or, for a single-file CSV table, into in-memory chunks the main
// thread appends in partition order. Where and how the bytes are stored is the sink's business.
import type { DateTextTable } from '../core/calendar.js';
import type { ColumnBatch } from '../core/columns.js';
import type { TableDef, TableName } from '../core/tables.js';
import { ParquetEncoder, type ParquetEncoderOptions } from '../parquet/index.js';
import type { PartSink, PendingPart } from '../storage/store.js';
import { ByteWriter } from './byteWriter.js';
import { CsvTableEncoder } from './csvEncoder.js';

export type Format = 'csv' | 'parquet';

export interface PartResult {
  table: TableName;
  format: Format;
  rows: number;
  bytes: number;
  /** sha256 of the part file, or null when the rows are returned as chunks for a single file. */
  sha256: string | null;
  /** The encoded rows, without header, when kept in memory for a single file. */
  chunks: Uint8Array[] | null;
  /** A part complete in its store but not yet published: the main thread commits it (null for chunks). */
  pending: PendingPart | null;
}

/** One table's output of one partition in one format. */
export interface PartWriter {
  write(batch: ColumnBatch): void;
  /** Completes the part (not yet published: see PartResult.pending). */
  finish(): Promise<PartResult>;
  abort(): Promise<void>;
}

/** CSV rows of one partition: a part file with a header, or header-less chunks kept in memory. */
export class CsvPartWriter implements PartWriter {
  private readonly table: TableDef;
  private readonly encoder: CsvTableEncoder;
  private readonly writer: ByteWriter;
  private readonly sink: PartSink | null;
  private readonly chunks: Uint8Array[] | null;
  private rows = 0;

  /**
   * @param sink the part file to write (with a header), or null to keep the rows in memory
   *   (no header) for the caller to append to a single-file table in partition order.
   */
  constructor(table: TableDef, dates: DateTextTable, sink: PartSink | null) {
    this.table = table;
    this.encoder = new CsvTableEncoder(table, dates);
    this.sink = sink;
    if (sink === null) {
      const chunks: Uint8Array[] = [];
      this.chunks = chunks;
      this.writer = new ByteWriter((chunk) => chunks.push(chunk), false);
    } else {
      this.chunks = null;
      this.writer = new ByteWriter((chunk) => sink.write(chunk), true);
      this.encoder.writeHeader(this.writer);
    }
  }

  write(batch: ColumnBatch): void {
    this.encoder.writeBatch(this.writer, batch);
    this.rows += batch.rowCount;
  }

  async finish(): Promise<PartResult> {
    this.writer.flush(false);
    const bytes = this.writer.flushedBytes;
    const done = this.sink ? await this.sink.finish() : null;
    return { table: this.table.name, format: 'csv', rows: this.rows, bytes, sha256: done?.sha256 ?? null, chunks: this.chunks, pending: done?.pending ?? null };
  }

  async abort(): Promise<void> {
    await this.sink?.abort();
  }
}

/**
 * Encoders not in use, per table and options, on this thread: a worker writes a Parquet part per
 * partition and table, and a restarted encoder keeps the column buffers it has grown.
 */
const idleParquetEncoders = new Map<string, ParquetEncoder[]>();

function acquireParquetEncoder(table: TableDef, options: ParquetEncoderOptions): { key: string; encoder: ParquetEncoder } {
  const key = `${table.name} ${JSON.stringify(options)}`;
  const encoder = idleParquetEncoders.get(key)?.pop();
  if (encoder === undefined) return { key, encoder: new ParquetEncoder(table, options) };
  encoder.restart();
  return { key, encoder };
}

function releaseParquetEncoder(key: string, encoder: ParquetEncoder): void {
  let idle = idleParquetEncoders.get(key);
  if (idle === undefined) idleParquetEncoders.set(key, (idle = []));
  idle.push(encoder);
}

/** Parquet rows of one partition: always a part file (Parquet is always partitioned). */
export class ParquetPartWriter implements PartWriter {
  private readonly table: TableDef;
  private readonly key: string;
  private readonly encoder: ParquetEncoder;
  private readonly sink: PartSink;
  /** The encoder goes back to the idle list once: two writers must never share it. */
  private released = false;

  /** `openSink` runs after the options are checked: a bad option throws before any file exists. */
  constructor(table: TableDef, openSink: () => PartSink, options: ParquetEncoderOptions) {
    this.table = table;
    ({ key: this.key, encoder: this.encoder } = acquireParquetEncoder(table, options));
    try {
      this.sink = openSink();
    } catch (err) {
      this.release();
      throw err;
    }
  }

  write(batch: ColumnBatch): void {
    for (const chunk of this.encoder.write(batch)) this.sink.write(chunk);
  }

  async finish(): Promise<PartResult> {
    for (const chunk of this.encoder.finish()) this.sink.write(chunk);
    const rows = this.encoder.rowCount;
    this.release();
    const done = await this.sink.finish();
    return { table: this.table.name, format: 'parquet', rows, bytes: done.bytes, sha256: done.sha256, chunks: null, pending: done.pending };
  }

  async abort(): Promise<void> {
    this.release();
    await this.sink.abort();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    releaseParquetEncoder(this.key, this.encoder);
  }
}
