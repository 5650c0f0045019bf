// DDL generation from TABLES: CREATE TABLE statements (dictionary types, NOT NULL, PRIMARY KEY,
// UNIQUE for referenced non-key columns, FOREIGN KEY from ColumnDef.references) in dependency order.
import { TABLES, type TableName } from '../core/tables.js';
import { TOOL_VERSION } from '../version.js';
import { type Dialect, dependencyOrder, foreignKeys, ident, sqlType, uniqueColumns } from './sql.js';

/** One CREATE TABLE statement (ends with ";"). */
export function createTableSql(name: TableName, dialect: Dialect): string {
  const def = TABLES[name];
  const lines: string[] = [];
  const width = Math.max(...def.columns.map((c) => ident(c.name).length));
  def.columns.forEach((col) => {
    const notNull = col.nullable ? '' : ' NOT NULL';
    lines.push(`  ${ident(col.name).padEnd(width)} ${sqlType(col, dialect)}${notNull}`);
  });
  lines.push(`  PRIMARY KEY (${def.primaryKey.map(ident).join(', ')})`);
  for (const col of uniqueColumns(def)) lines.push(`  UNIQUE (${ident(col)})`);
  for (const fk of foreignKeys()) {
    if (fk.table !== name) continue;
    lines.push(`  FOREIGN KEY (${ident(fk.column)}) REFERENCES ${ident(fk.refTable)} (${ident(fk.refColumn)})`);
  }
  const comments = def.columns.map((c) => c.description);
  const body = lines
    .map((l, i) => {
      const sep = i < lines.length - 1 ? ',' : '';
      return i < comments.length ? `${l}${sep} -- ${comments[i]}` : `${l}${sep}`;
    })
    .join('\n');
  return `-- ${def.description}\nCREATE TABLE ${ident(name)} (\n${body}\n);`;
}

/** The full DDL script for a dialect: every table of TABLES, referenced tables first. */
export function generateDdl(dialect: Dialect, version = TOOL_VERSION): string {
  const head = [
    `-- dwgen ${version}: ${dialect === 'duckdb' ? 'DuckDB' : 'PostgreSQL'} DDL for the retail warehouse.`,
    '-- Generated from the table definitions (src/core/tables.ts); do not edit by hand.',
    '-- Tables are created in dependency order so every FOREIGN KEY points at an existing table.',
    '',
  ].join('\n');
  return `${head}\n${dependencyOrder().map((t) => createTableSql(t, dialect)).join('\n\n')}\n`;
}
