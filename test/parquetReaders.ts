// Test-side Parquet readers: DuckDB (exact DECIMAL/DATE values, schema and metadata queries) and
// hyparquet (an independent pure-JS reader), plus encoding helpers that write files to a temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ColumnBatch } from '../src/core/columns.js';
import type { TableDef } from '../src/core/tables.js';
import { ParquetEncoder, type ParquetEncoderOptions } from '../src/parquet/parquetEncoder.js';
import { concatChunks } from './parquetFixtures.js';

export type JsonRow = Record<string, unknown>;

export class Duck {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    readonly dir: string,
  ) {}

  static async open(): Promise<Duck> {
    const instance = await DuckDBInstance.create(':memory:');
    const dir = mkdtempSync(join(tmpdir(), 'dwgen-parquet-'));
    return new Duck(instance, await instance.connect(), dir);
  }

  async rows(sql: string): Promise<JsonRow[]> {
    const r = await this.con.runAndReadAll(sql);
    return r.getRowObjectsJson() as JsonRow[];
  }

  /** Writes bytes to a new file in the temp dir and returns its path (SQL-quoted). */
  file(name: string, bytes: Uint8Array): string {
    const path = join(this.dir, name);
    writeFileSync(path, bytes);
    return `'${path}'`;
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Encodes the batches into one Parquet file's bytes. */
export function encode(table: TableDef, batches: readonly ColumnBatch[], options: ParquetEncoderOptions = {}): Uint8Array {
  const enc = new ParquetEncoder(table, options);
  const chunks: Uint8Array[] = [];
  for (const b of batches) chunks.push(...enc.write(b));
  chunks.push(...enc.finish());
  return concatChunks(chunks);
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** All rows through hyparquet (DECIMAL come back as JS numbers, BIGINT as bigint). */
export async function hyRows(bytes: Uint8Array): Promise<JsonRow[]> {
  return (await parquetReadObjects({ file: arrayBufferOf(bytes), compressors })) as JsonRow[];
}

export function hyMetadata(bytes: Uint8Array): ReturnType<typeof parquetMetadata> {
  return parquetMetadata(arrayBufferOf(bytes));
}

/** "-123.45" from -12345 cents, by integer arithmetic. */
export function centsText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const a = Math.abs(cents);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** "YYYY-MM-DD" of a day number since 1970-01-01. */
export function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
