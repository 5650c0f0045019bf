// Writing one table's part of a dataset: CSV chunks to a part file (written under a temporary
// name, renamed when complete) or kept in memory for the main thread to append to a single file.
// Counts rows and bytes and hashes the file content (sha256) as it goes.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DateTextTable } from '../core/calendar.js';
import type { ColumnBatch } from '../core/columns.js';
import type { TableDef } from '../core/tables.js';
import { ByteWriter } from './byteWriter.js';
import { CsvTableEncoder } from './csvEncoder.js';

/** The temporary name a file is written under until it is complete. */
export function temporaryName(finalPath: string): string {
  return `${finalPath}.tmp-${process.pid}`;
}

export function partFileName(partition: number, extension: string): string {
  return `part-${String(partition).padStart(5, '0')}.${extension}`;
}

export interface PartResult {
  rows: number;
  bytes: number;
  /** sha256 of the part file (partitioned layout) or null (chunks returned for a single file). */
  sha256: string | null;
  /** The encoded rows, without header, when kept in memory for a single file. */
  chunks: Uint8Array[] | null;
}

/** One table's output for one partition: a CSV part file, or in-memory chunks. */
export class CsvPartWriter {
  private readonly encoder: CsvTableEncoder;
  private readonly writer: ByteWriter;
  private readonly hash: Hash | null;
  private readonly chunks: Uint8Array[] | null;
  private readonly fd: number | null;
  private readonly finalPath: string | null;
  private rows = 0;

  /**
   * @param path the part file to write (with a header), or null to keep the rows in memory
   *   (no header) for the caller to append to a single-file table in partition order.
   */
  constructor(table: TableDef, dates: DateTextTable, path: string | null) {
    this.encoder = new CsvTableEncoder(table, dates);
    if (path === null) {
      const chunks: Uint8Array[] = [];
      this.chunks = chunks;
      this.hash = null;
      this.fd = null;
      this.finalPath = null;
      this.writer = new ByteWriter((chunk) => chunks.push(chunk), false);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(temporaryName(path), 'w');
      const hash = createHash('sha256');
      this.fd = fd;
      this.hash = hash;
      this.chunks = null;
      this.finalPath = path;
      this.writer = new ByteWriter((chunk) => {
        hash.update(chunk);
        let written = 0;
        while (written < chunk.length) written += writeSync(fd, chunk, written, chunk.length - written);
      }, true);
      this.encoder.writeHeader(this.writer);
    }
  }

  write(batch: ColumnBatch): void {
    this.encoder.writeBatch(this.writer, batch);
    this.rows += batch.rowCount;
  }

  /** Flushes, closes and renames the part file into place (or hands over the chunks). */
  finish(): PartResult {
    this.writer.flush();
    const bytes = this.writer.flushedBytes;
    if (this.fd !== null) {
      closeSync(this.fd);
      renameSync(temporaryName(this.finalPath!), this.finalPath!);
      return { rows: this.rows, bytes, sha256: this.hash!.digest('hex'), chunks: null };
    }
    return { rows: this.rows, bytes, sha256: null, chunks: this.chunks };
  }

  /** Closes and deletes the temporary file after a failure. */
  abort(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    rmSync(temporaryName(this.finalPath!), { force: true });
  }
}
