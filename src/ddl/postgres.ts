// `dwgen load --postgres URL`: loads a dataset's CSV files into a PostgreSQL server in one
// transaction. dwgen's tables are dropped and created again (the re-runnable DDL without its
// constraints), every CSV file is streamed through COPY … FROM STDIN (pg + pg-copy-streams: one
// file at a time with back-pressure, so memory stays bounded whatever the size), then the primary
// keys, UNIQUE constraints and foreign keys are added, once the rows are in (faster than checking
// row by row). Any failure rolls the transaction back: the database is left as it was.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DatasetError, LoadError } from '../errors.js';
import { TABLES, type TableName } from '../core/tables.js';
import { openDataset, type DatasetLocation } from '../validate/dataset.js';
import { addConstraintSql, createTableSql, dropTablesSql, tableConstraints, type TableConstraint } from './ddl.js';
import { dependencyOrder, qi } from './sql.js';
import { describeForeignKey, missingReferences, subsetError } from './subset.js';

export interface PostgresLoadedTable {
  readonly table: TableName;
  /** Rows COPY reported (0 for a table the dataset does not have; it is created empty). */
  readonly rows: number;
  readonly files: number;
}

export interface PostgresLoadResult {
  /** The server and database, without the password. */
  readonly target: string;
  readonly tables: PostgresLoadedTable[];
  readonly constraints: number;
  /** Foreign keys left out by --partial, as "t.c → t.c". */
  readonly omittedForeignKeys: string[];
}

export interface PostgresLoadOptions {
  /** Load a subset (generate --tables) without its foreign keys into the tables it lacks. */
  readonly partial?: boolean;
  readonly onTable?: (t: PostgresLoadedTable) => void;
}

/** The URL without its password, to name the target in messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

interface PgError {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
}

/** Connects, or fails with a DatasetError naming the target (exit 2: the input cannot be used). */
async function connect(url: string): Promise<pg.Client> {
  try {
    new URL(url);
  } catch {
    throw new DatasetError(`--postgres ${redactUrl(url)}: not a postgresql:// URL`);
  }
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a dropped connection surfaces as the failing query's error
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    const e = err as PgError & { errors?: PgError[] };
    const why = e.message || e.errors?.map((x) => x.message).join('; ') || e.code || 'connection failed';
    throw new DatasetError(`--postgres ${redactUrl(url)}: cannot connect: ${why}`);
  }
  return client;
}

/** What a failed ADD CONSTRAINT means, naming the constraint and the first offending key. */
function constraintFailure(c: TableConstraint, err: unknown): LoadError {
  const e = err as PgError;
  const detail = e.detail ? `: ${e.detail}` : '';
  return new LoadError(`table ${c.table}: ${c.kind} ${c.name} (${c.describes}) does not hold: ${e.message}${detail}`);
}

/** Loads the dataset at `where` into the database at `url`, replacing dwgen's tables there. */
export async function loadPostgres(where: string | DatasetLocation, url: string, options: PostgresLoadOptions = {}): Promise<PostgresLoadResult> {
  const ds = await openDataset(where);
  const missing = missingReferences(new Set(ds.tables.keys()));
  if (missing.length > 0 && !options.partial) throw subsetError(missing);
  const omitted = new Set(missing.map(describeForeignKey));
  for (const t of ds.tables.values()) {
    if (!t.files.csv) throw new DatasetError(`table ${t.name} has only Parquet files; load --postgres reads CSV (generate with --format csv or both)`);
  }

  const client = await connect(url);
  const tables: PostgresLoadedTable[] = [];
  let constraints = 0;
  let step = 'BEGIN';
  try {
    await client.query('BEGIN');
    step = 'creating the tables';
    for (const sql of dropTablesSql('postgres')) await client.query(sql);
    for (const name of dependencyOrder()) await client.query(createTableSql(name, 'postgres', { constraints: false }));

    for (const name of dependencyOrder()) {
      const t = ds.tables.get(name);
      let rows = 0;
      for (const file of t?.files.csv ?? []) {
        step = `copying ${file.path}`;
        const cols = TABLES[name].columns.map((c) => qi(c.name)).join(', ');
        const copy = client.query(copyFrom(`COPY ${qi(name)} (${cols}) FROM STDIN WITH (FORMAT csv, HEADER true)`));
        try {
          await pipeline(createReadStream(file.abs), copy);
        } catch (err) {
          throw new LoadError(`table ${name}: ${file.path}: ${(err as PgError).message}${(err as PgError).detail ? ` (${(err as PgError).detail})` : ''}`);
        }
        rows += copy.rowCount;
      }
      const loaded = { table: name, rows, files: t?.files.csv?.length ?? 0 };
      tables.push(loaded);
      options.onTable?.(loaded);
    }

    // Keys first (a foreign key needs the referenced key's index), then the foreign keys.
    const all = dependencyOrder().flatMap(tableConstraints);
    const ordered = [...all.filter((c) => c.kind !== 'foreign key'), ...all.filter((c) => c.kind === 'foreign key')];
    for (const c of ordered) {
      if (c.foreignKey && omitted.has(describeForeignKey(c.foreignKey))) continue;
      step = `adding ${c.name}`;
      try {
        await client.query(addConstraintSql(c));
      } catch (err) {
        throw constraintFailure(c, err);
      }
      constraints++;
    }
    step = 'COMMIT';
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    if (err instanceof LoadError || err instanceof DatasetError) throw err;
    throw new LoadError(`${step}: ${(err as PgError).message ?? String(err)}`);
  } finally {
    await client.end().catch(() => {});
  }
  return { target: redactUrl(url), tables, constraints, omittedForeignKeys: [...omitted] };
}
