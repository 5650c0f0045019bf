// `dwgen load --duckdb FILE | --postgres URL [--dir data] [--metadata metadata] [--partial]`: parses
// its flags and loads the dataset into a DuckDB database file or a PostgreSQL server.
// Exit code: 0 loaded, 1 the data violates a constraint, 2 bad flags or input.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { withLocalDataset } from '../run/fetchDataset.js';
import { locateDataset } from '../validate/dataset.js';
import { loadWarehouse } from '../ddl/warehouse.js';
import { processIo, reportError, shortError, usageOfDirs, type CommandIo } from './validateCommand.js';

export const LOAD_USAGE = `Usage: dwgen load --duckdb FILE [--dir data] [--metadata metadata] [--partial]
       dwgen load --postgres URL [--dir data] [--metadata metadata] [--partial]

Loads every table of the dataset (the data directory and metadata/schema.json) with the
dictionary's types, primary keys, UNIQUE and foreign-key constraints.

--duckdb FILE creates a DuckDB database file from the CSV or Parquet files, tables created in
dependency order; the file is written under a temporary name and renamed into place (an existing
one is replaced). It also writes ddl/duckdb.sql and ddl/postgres.sql in the metadata directory.

--postgres URL (postgresql://user:password@host:port/database) loads into a PostgreSQL server,
in one transaction: dwgen's 11 tables are dropped if they exist and created again, every CSV
file is streamed through COPY … FROM STDIN, then the keys and foreign keys are added. On any
failure the transaction is rolled back and the database is left as it was. It reads CSV files
(generate --format csv or both).

A dataset generated with --tables that lacks tables its tables reference is refused (exit 2),
naming what it lacks; --partial loads it without the foreign keys into the missing tables (the
missing tables are created empty).

Options:
  --duckdb FILE    DuckDB database file to create (replaced if it exists)
  --postgres URL   PostgreSQL database to load into (its dwgen tables are replaced)
  --dir DIR        data directory (default: data); a dataset root holding data/ and metadata/
                   (what generate --out writes) is accepted too
  --metadata DIR   metadata directory with schema.json (default: the metadata directory beside
                   the data directory)
  --partial        load a subset without the foreign keys into the tables it lacks
  --quiet          print nothing on success
  -h, --help       show this help

Exit status: 0 loaded, 1 the data violates a constraint (the message names it), 2 bad flags or
unusable input (a subset without --partial, a server that cannot be reached).
`;

interface LoadFlags {
  duckdb?: string;
  postgres?: string;
  dir?: string;
  metadata?: string;
  partial?: boolean;
  quiet?: boolean;
  help?: boolean;
}

export async function loadCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let values: LoadFlags;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        duckdb: { type: 'string' },
        postgres: { type: 'string' },
        dir: { type: 'string' },
        metadata: { type: 'string' },
        partial: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return reportError('load', new UsageError(shortError(err)), io);
  }
  if (values.help) {
    io.stdout(LOAD_USAGE);
    return 0;
  }
  if (values.duckdb === undefined && values.postgres === undefined) return reportError('load', new UsageError('--duckdb FILE or --postgres URL is required'), io);
  if (values.duckdb !== undefined && values.postgres !== undefined) return reportError('load', new UsageError('--duckdb and --postgres cannot be combined: load one at a time'), io);
  const empty = usageOfDirs('load', values, io);
  if (empty !== null) return empty;
  const say = (line: string): void => {
    if (!values.quiet) io.stdout(`${line}\n`);
  };
  // --dir s3://BUCKET/PREFIX: the dataset is fetched into a temporary directory first.
  try {
    return await withLocalDataset(values.dir, (dir) => loadFrom(locateDataset(dir, values.metadata)));
  } catch (err) {
    return reportError('load', err, io);
  }
  async function loadFrom(location: ReturnType<typeof locateDataset>): Promise<number> {
  const omittedNote = (fks: string[]): void => {
    if (fks.length > 0) say(`--partial: left out ${fks.length} foreign ${fks.length === 1 ? 'key' : 'keys'} into tables the dataset lacks: ${fks.join(', ')}`);
  };
  try {
    if (values.postgres !== undefined) {
      const { loadPostgres } = await import('../ddl/postgres.js');
      const res = await loadPostgres(location, values.postgres, {
        partial: values.partial === true,
        onTable: (t) => say(`${t.table.padEnd(17)} ${t.files > 0 ? `${String(t.rows).padStart(10)} rows from ${t.files} csv ${t.files === 1 ? 'file' : 'files'}` : '         - no files (table created empty)'}`),
      });
      omittedNote(res.omittedForeignKeys);
      say(`loaded ${res.tables.filter((t) => t.files > 0).length} tables into ${res.target} (${res.constraints} constraints)`);
      return 0;
    }
    const res = await loadWarehouse(location, values.duckdb!, {
      partial: values.partial === true,
      onTable: (t) => say(`${t.table.padEnd(17)} ${t.format ? `${String(t.rows).padStart(10)} rows from ${t.format}` : '         - no files (table created empty)'}`),
    });
    omittedNote(res.omittedForeignKeys);
    say(`wrote ${res.ddlFiles.join(', ')}`);
    say(`loaded ${res.tables.filter((t) => t.format).length} tables into ${res.database}`);
    return 0;
  } catch (err) {
    return reportError('load', err, io);
  }
}
}
