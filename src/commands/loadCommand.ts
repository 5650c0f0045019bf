// `dwgen load --duckdb FILE [--dir data] [--metadata metadata]`: parses its flags, writes the DDL files and loads the dataset
// into a DuckDB database. Exit code: 0 loaded, 1 the data violates a constraint, 2 bad flags or input.
import { parseArgs } from 'node:util';
import { DatasetError, locateDataset } from '../validate/dataset.js';
import { LoadError, loadWarehouse } from '../ddl/warehouse.js';
import { processIo, usageOfDirs, type CommandIo } from './validateCommand.js';

export const LOAD_USAGE = `Usage: dwgen load --duckdb FILE [--dir data] [--metadata metadata]

Creates a DuckDB database holding every table of the dataset (the data directory and
metadata/schema.json) with the dictionary's types, primary keys, UNIQUE and foreign-key
constraints, tables created in dependency order and filled from the CSV or Parquet files. Also
writes ddl/duckdb.sql and ddl/postgres.sql in the metadata directory. Files are written under a
temporary name and renamed into place.

Options:
  --duckdb FILE    database file to create (replaced if it exists)
  --dir DIR        data directory (default: data); a dataset root holding data/ and metadata/
                   (what generate --out writes) is accepted too
  --metadata DIR   metadata directory with schema.json (default: the metadata directory beside
                   the data directory)
  --quiet          print nothing on success
  -h, --help       show this help

Exit status: 0 loaded, 1 the data violates a constraint, 2 bad flags or unusable input.
`;

function shortError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split(/\. (?=[A-Z])/)[0]!.replace(/\.$/, '');
}

export async function loadCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let values: { duckdb?: string; dir?: string; metadata?: string; quiet?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        duckdb: { type: 'string' },
        dir: { type: 'string' },
        metadata: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr(`dwgen load: ${shortError(err)}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(LOAD_USAGE);
    return 0;
  }
  if (!values.duckdb) {
    io.stderr('dwgen load: --duckdb FILE is required\n');
    return 2;
  }
  const empty = usageOfDirs('load', values, io);
  if (empty !== null) return empty;
  const say = (line: string): void => {
    if (!values.quiet) io.stdout(`${line}\n`);
  };
  try {
    const res = await loadWarehouse(locateDataset(values.dir, values.metadata), values.duckdb, (t) =>
      say(`${t.table.padEnd(17)} ${t.format ? `${String(t.rows).padStart(10)} rows from ${t.format}` : '         - no files (table created empty)'}`),
    );
    say(`wrote ${res.ddlFiles.join(', ')}`);
    say(`loaded ${res.tables.filter((t) => t.format).length} tables into ${res.database}`);
    return 0;
  } catch (err) {
    if (err instanceof DatasetError) {
      io.stderr(`dwgen load: ${err.message}\n`);
      return 2;
    }
    if (err instanceof LoadError) {
      io.stderr(`dwgen load: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
