// SQL that reads a table's files (CSV or Parquet, one or many parts) with the dictionary's column
// names and types, plus a "__file" column naming the source file; used by validate and load.
import { TABLES, type TableName } from '../core/tables.js';
import { duckdbReadType, lit, qi } from '../ddl/sql.js';
import type { FileFormat } from './dataset.js';

export const FILE_COLUMN = '__file';

/** The CSV header line the generator writes for a table. */
export function csvHeader(table: TableName): string {
  return TABLES[table].columns.map((c) => c.name).join(',');
}

/** The read_csv / read_parquet call over the given files (absolute paths, in order). */
export function readFunctionSql(table: TableName, format: FileFormat, files: readonly string[]): string {
  const list = `[${files.map(lit).join(', ')}]`;
  if (format === 'parquet') return `read_parquet(${list}, filename = true)`;
  const columns = TABLES[table].columns.map((c) => `${lit(c.name)}: ${lit(duckdbReadType(c))}`).join(', ');
  return (
    `read_csv(${list}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
    `nullstr = '', new_line = '\\n', strict_mode = true, null_padding = false, ignore_errors = false, ` +
    `dateformat = '%Y-%m-%d', filename = true, columns = {${columns}})`
  );
}

/**
 * SELECT of the table's columns, each cast to its dictionary type (Parquet files may encode types
 * differently; CSV is already typed by read_csv), then the source file name as __file.
 */
export function selectTableSql(table: TableName, format: FileFormat, files: readonly string[], withFile = true): string {
  const cols = TABLES[table].columns.map((c) =>
    format === 'csv' ? qi(c.name) : `CAST(${qi(c.name)} AS ${duckdbReadType(c)}) AS ${qi(c.name)}`,
  );
  if (withFile) cols.push(`filename AS ${FILE_COLUMN}`);
  return `SELECT ${cols.join(', ')} FROM ${readFunctionSql(table, format, files)}`;
}
