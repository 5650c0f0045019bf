// `dwgen load`: writes metadata/ddl/{duckdb,postgres}.sql and builds a DuckDB database with every
// table (dictionary types, PK, UNIQUE, FK), created in dependency order and filled from the files.
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LoadError } from '../errors.js';
import { TABLES, type TableName } from '../core/tables.js';
import { DatasetError, openDataset, primaryFormat, type Dataset, type DatasetLocation } from '../validate/dataset.js';
import { selectTableSql } from '../validate/reader.js';
import { createTableSql, generateDdl, type TableConstraint } from './ddl.js';
import { type Dialect, dependencyOrder, qi } from './sql.js';
import { describeForeignKey, missingReferences, subsetError } from './subset.js';

export { LoadError };

/** Writes a file under a temporary name in the same directory, then renames it into place. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes METADATA/ddl/duckdb.sql and postgres.sql; returns their paths. */
export async function writeDdlFiles(metadataDir: string, version?: string): Promise<string[]> {
  const out: string[] = [];
  for (const dialect of ['duckdb', 'postgres'] as Dialect[]) {
    const file = path.join(metadataDir, 'ddl', `${dialect}.sql`);
    await writeFileAtomic(file, generateDdl(dialect, version));
    out.push(file);
  }
  return out;
}

export interface LoadedTable {
  readonly table: TableName;
  readonly rows: number;
  readonly format: 'csv' | 'parquet' | null;
}

export interface LoadResult {
  readonly database: string;
  readonly ddlFiles: string[];
  readonly tables: LoadedTable[];
  /** Foreign keys left out by --partial (into tables the dataset lacks), as "t.c → t.c". */
  readonly omittedForeignKeys: string[];
}

export interface LoadOptions {
  /** Load a subset (generate --tables) without its foreign keys into the tables it lacks. */
  readonly partial?: boolean;
  readonly onTable?: (t: LoadedTable) => void;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}

/**
 * Loads the dataset at dir into a new DuckDB database at dbPath (replacing it atomically).
 * Throws DatasetError when the input is unusable, LoadError when the data violates a constraint.
 */
export async function loadWarehouse(dir: string | DatasetLocation, dbPath: string, options: LoadOptions = {}): Promise<LoadResult> {
  const { onTable, partial = false } = options;
  const ds: Dataset = await openDataset(dir);
  const missing = missingReferences(new Set(ds.tables.keys()));
  if (missing.length > 0 && !partial) throw subsetError(missing);
  const omitted = new Set(missing.map(describeForeignKey));
  const ddlFiles = await writeDdlFiles(ds.metadataDir, ds.schema.generator?.version);
  const database = path.resolve(dbPath);
  const existing = await stat(database).catch(() => null);
  if (existing?.isDirectory()) throw new DatasetError(`--duckdb ${dbPath} is a directory`);
  await mkdir(path.dirname(database), { recursive: true });
  const tmp = `${database}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  await rm(`${tmp}.wal`, { force: true });

  const tables: LoadedTable[] = [];
  const instance = await DuckDBInstance.create(tmp);
  let ok = false;
  try {
    const conn = await instance.connect();
    try {
      const keepForeignKey = (c: TableConstraint): boolean => !c.foreignKey || !omitted.has(describeForeignKey(c.foreignKey));
      for (const name of dependencyOrder()) await conn.run(createTableSql(name, 'duckdb', { keepForeignKey }));
      for (const name of dependencyOrder()) {
        const t = ds.tables.get(name);
        if (!t) {
          const loaded: LoadedTable = { table: name, rows: 0, format: null };
          tables.push(loaded);
          onTable?.(loaded);
          continue;
        }
        const format = primaryFormat(t);
        const cols = TABLES[name].columns.map((c) => qi(c.name)).join(', ');
        try {
          await conn.run(`INSERT INTO ${qi(name)} (${cols}) ${selectTableSql(name, format, t.files[format]!.map((f) => f.abs), false)}`);
        } catch (err) {
          throw new LoadError(`table ${name}: ${firstLine(err)}`);
        }
        const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${qi(name)}`);
        const loaded: LoadedTable = { table: name, rows: Number(r.getRowObjectsJS()[0]!.n), format };
        tables.push(loaded);
        onTable?.(loaded);
      }
      await conn.run('CHECKPOINT');
      ok = true;
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
    if (!ok) {
      await rm(tmp, { force: true });
      await rm(`${tmp}.wal`, { force: true });
    }
  }
  // A WAL left by an older database under the final name would be replayed into the new one.
  await rm(`${database}.wal`, { force: true });
  await rm(`${tmp}.wal`, { force: true });
  await rename(tmp, database);
  return { database, ddlFiles, tables, omittedForeignKeys: [...omitted] };
}
