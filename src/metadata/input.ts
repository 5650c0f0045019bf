// What the metadata documents are built from: plain data, no file system and no run objects.
// A run on one machine, or a process finalizing shards it did not generate, fills this from what
// was written (the partition records) and hands it to the pure builders (schemaDocument.ts,
// lineageDocument.ts).
import type { Config } from '../config/config.js';
import type { StepName, TableName } from '../core/tables.js';

export type FileFormat = 'csv' | 'parquet';
export type FileLayout = 'single' | 'partitioned';

/** One data file as written: its path under the dataset root (data/…), rows, bytes and sha256. */
export interface MetadataFile {
  readonly path: string;
  readonly format: FileFormat;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

/** A written table: its row count and its files, in file order (CSV first when both formats). */
export interface MetadataTable {
  readonly rows: number;
  readonly files: readonly MetadataFile[];
}

const FORMAT_ORDER: Readonly<Record<FileFormat, number>> = { csv: 0, parquet: 1 };

/** A table's files in document order: CSV files, then Parquet files, each in the order given (part order). */
export function filesInOrder(files: readonly MetadataFile[]): MetadataFile[] {
  return [...files].sort((a, b) => FORMAT_ORDER[a.format] - FORMAT_ORDER[b.format]);
}

/** The run the dataset came from (the lineage's `dwgen.run`, and schema.json's header). */
export interface MetadataRun {
  readonly tool: { readonly name: string; readonly version: string };
  readonly seed: number;
  readonly scaleFactor: number;
  /** sha256 of the effective config (configHash). */
  readonly configSha256: string;
  /** Where the config came from: the --config path, or '(built-in defaults)'. */
  readonly configSource: string;
  /** The effective config (every key, defaults filled in): what produced the data, written into the lineage. */
  readonly config: Config;
  readonly formats: readonly FileFormat[];
  /** The CSV layout asked for (Parquet is always partitioned); used for tables not written. */
  readonly csvLayout: FileLayout;
  readonly parquet: { readonly compression: string; readonly rowGroupBytes: number } | null;
  readonly workers: number;
  readonly partitions: { readonly orders: number; readonly ordersPerPartition: number; readonly customers: number; readonly inventory: number };
  /** ISO 8601 times. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Set when the run was resumed: partitions reused from the records and partitions generated. */
  readonly resumed?: { readonly reused: number; readonly regenerated: number } | null;
  /** Set by finalize for a sharded run: the shard count and each shard's host. */
  readonly shards?: { readonly count: number; readonly hosts: readonly string[] } | null;
}

export interface MetadataInput {
  readonly run: MetadataRun;
  /** Row count of every table, written or not. */
  readonly rowCounts: Readonly<Record<TableName, number>>;
  /** The tables written, with their files. */
  readonly tables: Readonly<Partial<Record<TableName, MetadataTable>>>;
  /** Wall time in seconds of each logical step (fused steps share the pass that ran them). */
  readonly stepSeconds: Readonly<Partial<Record<StepName, number>>>;
}

/**
 * The layout a table's files of one format have: one file data/<table>.<ext>, or part files under
 * data/<table>/. Null when the table has no file of that format.
 */
export function layoutOfFiles(table: TableName, files: readonly MetadataFile[], format: FileFormat): FileLayout | null {
  const mine = files.filter((f) => f.format === format);
  if (mine.length === 0) return null;
  return mine.length === 1 && mine[0]!.path === `data/${table}.${format}` ? 'single' : 'partitioned';
}

/**
 * The one path string that names a table's files of a format: data/<table>.csv for a single file,
 * else the glob data/<table>/*.<ext> that DuckDB, Spark and pandas (glob) read as one dataset.
 * A table not written is named by the path it would have had.
 */
export function tablePath(table: TableName, format: FileFormat, layout: FileLayout): string {
  return layout === 'single' ? `data/${table}.${format}` : `data/${table}/*.${format}`;
}

/** The layout a table has (or would have had) in a format, in this run. */
export function tableLayout(input: MetadataInput, table: TableName, format: FileFormat): FileLayout {
  const files = input.tables[table]?.files;
  const written = files ? layoutOfFiles(table, files, format) : null;
  if (written) return written;
  return format === 'parquet' ? 'partitioned' : input.run.csvLayout;
}

/** The format the seed's path strings name: CSV when the run wrote CSV, else Parquet. */
export function primaryFormat(run: MetadataRun): FileFormat {
  return run.formats.includes('csv') ? 'csv' : 'parquet';
}
