// Writing one table's rows of one partition: as a CSV or Parquet part file (written under a
// temporary name, renamed when complete, hashed as it is written) or, for a single-file CSV
// table, as in-memory chunks the main thread appends in partition order.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DateTextTable } from '../core/calendar.js';
import type { ColumnBatch } from '../core/columns.js';
import type { TableDef, TableName } from '../core/tables.js';
import { ParquetEncoder, type ParquetEncoderOptions } from '../parquet/index.js';
import { io } from '../state/errors.js';
import { injectedWriteError } from '../state/faults.js';
import { ByteWriter } from './byteWriter.js';
import { CsvTableEncoder } from './csvEncoder.js';

export type Format = 'csv' | 'parquet';

/** The temporary name a file is written under until it is complete. */
export function temporaryName(finalPath: string): string {
  return `${finalPath}.tmp-${process.pid}`;
}

/**
 * Whether finished files are fsynced before they are renamed into place (default yes), so the
 * metadata written last never claims a file the disk may not hold after a power cut.
 * DWGEN_FSYNC=0 turns it off (benchmarks measure its cost).
 */
export const FSYNC = process.env.DWGEN_FSYNC !== '0';

/** TEST-ONLY (DWGEN_FAULT): the next file write on this thread fails with this error. */
let injectedFault: 'enospc' | 'eacces' | null = null;
export function injectWriteFault(mode: 'enospc' | 'eacces' | null): void {
  injectedFault = mode;
}

export function partFileName(partition: number, format: Format): string {
  return `part-${String(partition).padStart(5, '0')}.${format}`;
}

export interface PartResult {
  table: TableName;
  format: Format;
  rows: number;
  bytes: number;
  /** sha256 of the part file, or null when the rows are returned as chunks for a single file. */
  sha256: string | null;
  /** The encoded rows, without header, when kept in memory for a single file. */
  chunks: Uint8Array[] | null;
}

/** A file written under its temporary name, hashed as it goes, renamed into place by finish(). */
export class PartFile {
  readonly path: string;
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  constructor(path: string) {
    this.path = path;
    this.fd = io(path, () => {
      mkdirSync(dirname(path), { recursive: true });
      return openSync(temporaryName(path), 'w');
    });
  }

  write(chunk: Uint8Array): void {
    this.hash.update(chunk);
    io(this.path, () => {
      if (injectedFault !== null) {
        const mode = injectedFault;
        injectedFault = null;
        throw injectedWriteError(mode);
      }
      let written = 0;
      while (written < chunk.length) written += writeSync(this.fd, chunk, written, chunk.length - written);
    });
    this.bytes += chunk.length;
  }

  /** Closes (after fsync) and renames into place; returns the content's sha256. */
  finish(): string {
    io(this.path, () => {
      if (FSYNC) fsyncSync(this.fd);
      closeSync(this.fd);
      renameSync(temporaryName(this.path), this.path);
    });
    return this.hash.digest('hex');
  }

  /** Closes and deletes the temporary file after a failure. */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    rmSync(temporaryName(this.path), { force: true });
  }
}

/** One table's output of one partition in one format. */
export interface PartWriter {
  write(batch: ColumnBatch): void;
  finish(): PartResult;
  abort(): void;
}

/** CSV rows of one partition: a part file with a header, or header-less chunks kept in memory. */
export class CsvPartWriter implements PartWriter {
  private readonly table: TableDef;
  private readonly encoder: CsvTableEncoder;
  private readonly writer: ByteWriter;
  private readonly file: PartFile | null;
  private readonly chunks: Uint8Array[] | null;
  private rows = 0;

  /**
   * @param path the part file to write (with a header), or null to keep the rows in memory
   *   (no header) for the caller to append to a single-file table in partition order.
   */
  constructor(table: TableDef, dates: DateTextTable, path: string | null) {
    this.table = table;
    this.encoder = new CsvTableEncoder(table, dates);
    if (path === null) {
      const chunks: Uint8Array[] = [];
      this.chunks = chunks;
      this.file = null;
      this.writer = new ByteWriter((chunk) => chunks.push(chunk), false);
    } else {
      const file = new PartFile(path);
      this.file = file;
      this.chunks = null;
      this.writer = new ByteWriter((chunk) => file.write(chunk), true);
      this.encoder.writeHeader(this.writer);
    }
  }

  write(batch: ColumnBatch): void {
    this.encoder.writeBatch(this.writer, batch);
    this.rows += batch.rowCount;
  }

  finish(): PartResult {
    this.writer.flush(false);
    const bytes = this.writer.flushedBytes;
    const sha256 = this.file ? this.file.finish() : null;
    return { table: this.table.name, format: 'csv', rows: this.rows, bytes, sha256, chunks: this.chunks };
  }

  abort(): void {
    this.file?.abort();
  }
}

/** Parquet rows of one partition: always a part file (Parquet is always partitioned). */
export class ParquetPartWriter implements PartWriter {
  private readonly table: TableDef;
  private readonly encoder: ParquetEncoder;
  private readonly file: PartFile;

  constructor(table: TableDef, path: string, options: ParquetEncoderOptions) {
    this.table = table;
    this.encoder = new ParquetEncoder(table, options);
    this.file = new PartFile(path);
  }

  write(batch: ColumnBatch): void {
    for (const chunk of this.encoder.write(batch)) this.file.write(chunk);
  }

  finish(): PartResult {
    for (const chunk of this.encoder.finish()) this.file.write(chunk);
    const sha256 = this.file.finish();
    return { table: this.table.name, format: 'parquet', rows: this.encoder.rowCount, bytes: this.file.bytes, sha256, chunks: null };
  }

  abort(): void {
    this.file.abort();
  }
}
