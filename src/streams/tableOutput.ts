// Writing one table's rows of one partition: as a CSV or Parquet part file (written under a
// temporary name, renamed when complete, hashed as it is written) or, for a single-file CSV
// table, as in-memory chunks the main thread appends in partition order.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DateTextTable } from '../core/calendar.js';
import type { ColumnBatch } from '../core/columns.js';
import type { TableDef, TableName } from '../core/tables.js';
import { ParquetEncoder, type ParquetEncoderOptions } from '../parquet/index.js';
import { io, ioAsync } from '../errors.js';
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
  /**
   * True for a part file finished with deferred commit: complete and closed under its temporary
   * name, not yet durable nor in place, for commitPart.
   */
  uncommitted: boolean;
}

/**
 * Puts a part file finished with deferred commit into place: fsync (unless DWGEN_FSYNC=0; fsync
 * flushes the file, whichever descriptor asks), then rename from its temporary name. Workers
 * leave this to the main thread, which awaits it off the workers' path: a worker blocked in fsync
 * holds a core the generation needs. (A descriptor cannot be handed over instead: a worker
 * thread's descriptors are closed when it exits, and a retried partition's worker does.)
 */
export async function commitPart(path: string): Promise<void> {
  const temporary = temporaryName(path);
  await ioAsync(path, async () => {
    if (FSYNC) {
      const handle = await open(temporary, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await rename(temporary, path);
  });
}

/** A file written under its temporary name, hashed as it goes, renamed into place by finish(). */
export class PartFile {
  readonly path: string;
  private readonly fd: number;
  /** finish() closes the file under its temporary name, without fsync, for commitPart. */
  readonly deferCommit: boolean;
  private readonly hash: Hash = createHash('sha256');
  /** Once closed, the descriptor number may belong to another file of this process: never close it twice. */
  private open = true;
  bytes = 0;

  /** @param deferCommit finish() closes the file under its temporary name, without fsync, for commitPart. */
  constructor(path: string, deferCommit = false) {
    this.path = path;
    this.deferCommit = deferCommit;
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

  /** Closes (after fsync) and renames into place, or only closes when commit is deferred; returns the content's sha256. */
  finish(): string {
    if (this.deferCommit) {
      this.close();
      return this.hash.digest('hex');
    }
    io(this.path, () => {
      if (FSYNC) fsyncSync(this.fd);
      this.close();
      renameSync(temporaryName(this.path), this.path);
    });
    return this.hash.digest('hex');
  }

  /** Closes and deletes the temporary file after a failure. */
  abort(): void {
    try {
      this.close();
    } catch {
      /* the file goes anyway */
    }
    rmSync(temporaryName(this.path), { force: true });
  }

  private close(): void {
    if (!this.open) return;
    this.open = false;
    io(this.path, () => closeSync(this.fd));
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
  constructor(table: TableDef, dates: DateTextTable, path: string | null, deferCommit = false) {
    this.table = table;
    this.encoder = new CsvTableEncoder(table, dates);
    if (path === null) {
      const chunks: Uint8Array[] = [];
      this.chunks = chunks;
      this.file = null;
      this.writer = new ByteWriter((chunk) => chunks.push(chunk), false);
    } else {
      const file = new PartFile(path, deferCommit);
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
    return { table: this.table.name, format: 'csv', rows: this.rows, bytes, sha256, chunks: this.chunks, uncommitted: this.file?.deferCommit ?? false };
  }

  abort(): void {
    this.file?.abort();
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
  private readonly file: PartFile;
  /** The encoder goes back to the idle list once: two writers must never share it. */
  private released = false;

  constructor(table: TableDef, path: string, options: ParquetEncoderOptions, deferCommit = false) {
    this.table = table;
    ({ key: this.key, encoder: this.encoder } = acquireParquetEncoder(table, options)); // a bad option throws before any file exists
    try {
      this.file = new PartFile(path, deferCommit);
    } catch (err) {
      this.release();
      throw err;
    }
  }

  write(batch: ColumnBatch): void {
    for (const chunk of this.encoder.write(batch)) this.file.write(chunk);
  }

  finish(): PartResult {
    for (const chunk of this.encoder.finish()) this.file.write(chunk);
    const sha256 = this.file.finish();
    const rows = this.encoder.rowCount;
    this.release();
    return { table: this.table.name, format: 'parquet', rows, bytes: this.file.bytes, sha256, chunks: null, uncommitted: this.file.deferCommit };
  }

  abort(): void {
    this.file.abort();
    this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    releaseParquetEncoder(this.key, this.encoder);
  }
}
