// The library's validate and load: the dataset checks and the DuckDB load the CLI commands run,
// returning their reports instead of printing them.
import { loadPostgres, type PostgresLoadResult } from '../ddl/postgres.js';
import { loadWarehouse, type LoadResult, type LoadedTable } from '../ddl/warehouse.js';
import { withLocalDataset } from '../run/fetchDataset.js';
import { locateDataset } from '../validate/dataset.js';
import { runValidation, type ValidationReport } from '../validate/runner.js';

export interface ValidateOptions {
  /** The dataset root (holding data/ and metadata/), its data directory, or s3://BUCKET/PREFIX. */
  dir: string;
  /** The metadata directory, when it is not beside the data directory. */
  metadata?: string;
  /** DuckDB threads (default: 1 for small datasets, else one per core). */
  threads?: number;
  /** One line per phase of the checks. */
  onProgress?: (line: string) => void;
}

/** Checks a dataset against every invariant; `report.ok` is false when a check failed. Throws DatasetError when the input cannot be used. */
export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  return withLocalDataset(options.dir, (dir) => runValidation(locateDataset(dir, options.metadata), { threads: options.threads, onProgress: options.onProgress }));
}

export interface LoadOptions {
  /** The dataset root (holding data/ and metadata/), its data directory, or s3://BUCKET/PREFIX. */
  dir: string;
  metadata?: string;
  /** Load a subset (generate --tables) without the foreign keys into the tables it lacks. */
  partial?: boolean;
  onTable?: (table: LoadedTable) => void;
}

/** Loads a dataset into a new DuckDB database file with its keys and constraints. Throws LoadError on a constraint violation, DatasetError on a subset without `partial`. */
export async function load(options: LoadOptions & { duckdb: string }): Promise<LoadResult> {
  return withLocalDataset(options.dir, (dir) => loadWarehouse(locateDataset(dir, options.metadata), options.duckdb, { partial: options.partial, onTable: options.onTable }));
}

/** Loads a dataset's CSV files into PostgreSQL (`postgres`: a connection URL), re-runnable, constraints after the rows. */
export async function loadIntoPostgres(options: Omit<LoadOptions, 'onTable'> & { postgres: string }): Promise<PostgresLoadResult> {
  return withLocalDataset(options.dir, (dir) => loadPostgres(locateDataset(dir, options.metadata), options.postgres, { partial: options.partial }));
}
