// DDL generation from TABLES: CREATE TABLE IF NOT EXISTS statements (dictionary types, NOT NULL,
// named PRIMARY KEY, UNIQUE for referenced non-key columns, FOREIGN KEY from ColumnDef.references)
// in dependency order, so the script can be run again on a database that already has the tables.
// An optional preamble drops dwgen's tables first (DROP … CASCADE in PostgreSQL). A loader that
// adds the constraints after the rows takes the bare tables and the constraints separately.
import { TABLES, type TableName } from '../core/tables.js';
import { TOOL_VERSION } from '../version.js';
import { type Dialect, type ForeignKey, dependencyOrder, foreignKeys, ident, sqlType, uniqueColumns } from './sql.js';

/** A named table constraint: the name a database reports when it is violated. */
export interface TableConstraint {
  readonly table: TableName;
  readonly name: string;
  readonly kind: 'primary key' | 'unique' | 'foreign key';
  /** The constraint clause, e.g. `FOREIGN KEY (order_id) REFERENCES orders (order_id)`. */
  readonly clause: string;
  /** The key's columns; for a foreign key "column → table.column". */
  readonly describes: string;
  readonly foreignKey?: ForeignKey;
}

/** The table's constraints in DDL order: primary key, UNIQUE columns, foreign keys. Names follow PostgreSQL's own defaults. */
export function tableConstraints(name: TableName): TableConstraint[] {
  const def = TABLES[name];
  const out: TableConstraint[] = [
    { table: name, name: `${name}_pkey`, kind: 'primary key', clause: `PRIMARY KEY (${def.primaryKey.map(ident).join(', ')})`, describes: def.primaryKey.join(', ') },
  ];
  for (const col of uniqueColumns(def)) out.push({ table: name, name: `${name}_${col}_key`, kind: 'unique', clause: `UNIQUE (${ident(col)})`, describes: col });
  for (const fk of foreignKeys()) {
    if (fk.table !== name) continue;
    out.push({
      table: name,
      name: `${name}_${fk.column}_fkey`,
      kind: 'foreign key',
      clause: `FOREIGN KEY (${ident(fk.column)}) REFERENCES ${ident(fk.refTable)} (${ident(fk.refColumn)})`,
      describes: `${fk.column} → ${fk.refTable}.${fk.refColumn}`,
      foreignKey: fk,
    });
  }
  return out;
}

export interface CreateTableOptions {
  /** Include the named constraints (default); without them: columns and NOT NULL only. */
  readonly constraints?: boolean;
  /** Leave out the foreign keys whose table this predicate rejects (a partial load). */
  readonly keepForeignKey?: (c: TableConstraint) => boolean;
}

/** One CREATE TABLE IF NOT EXISTS statement (ends with ";"). */
export function createTableSql(name: TableName, dialect: Dialect, options: CreateTableOptions = {}): string {
  const def = TABLES[name];
  const lines: string[] = [];
  const width = Math.max(...def.columns.map((c) => ident(c.name).length));
  def.columns.forEach((col) => {
    const notNull = col.nullable ? '' : ' NOT NULL';
    lines.push(`  ${ident(col.name).padEnd(width)} ${sqlType(col, dialect)}${notNull}`);
  });
  if (options.constraints !== false) {
    for (const c of tableConstraints(name)) {
      if (c.kind === 'foreign key' && options.keepForeignKey && !options.keepForeignKey(c)) continue;
      lines.push(`  CONSTRAINT ${c.name} ${c.clause}`);
    }
  }
  const comments = def.columns.map((c) => c.description);
  const body = lines
    .map((l, i) => {
      const sep = i < lines.length - 1 ? ',' : '';
      return i < comments.length ? `${l}${sep} -- ${comments[i]}` : `${l}${sep}`;
    })
    .join('\n');
  return `-- ${def.description}\nCREATE TABLE IF NOT EXISTS ${ident(name)} (\n${body}\n);`;
}

/** ALTER TABLE … ADD CONSTRAINT for one constraint (PostgreSQL; DuckDB cannot add constraints later). */
export function addConstraintSql(c: TableConstraint): string {
  return `ALTER TABLE ${ident(c.table)} ADD CONSTRAINT ${c.name} ${c.clause};`;
}

/** Statements that drop dwgen's tables: one DROP … CASCADE in PostgreSQL, referencing tables first in DuckDB. */
export function dropTablesSql(dialect: Dialect): string[] {
  const reverse = [...dependencyOrder()].reverse();
  return dialect === 'postgres'
    ? [`DROP TABLE IF EXISTS ${reverse.map(ident).join(', ')} CASCADE;`]
    : reverse.map((t) => `DROP TABLE IF EXISTS ${ident(t)};`);
}

export interface DdlOptions {
  /** Version written in the header (default: this dwgen's). */
  readonly version?: string;
  /** Start with DROP TABLE IF EXISTS for every dwgen table (destroys their rows). */
  readonly drop?: boolean;
}

/** The full DDL script for a dialect: every table of TABLES, referenced tables first. Safe to run twice. */
export function generateDdl(dialect: Dialect, options: DdlOptions | string = {}): string {
  const { version = TOOL_VERSION, drop = false } = typeof options === 'string' ? { version: options } : options;
  const head = [
    `-- dwgen ${version}: ${dialect === 'duckdb' ? 'DuckDB' : 'PostgreSQL'} DDL for the retail warehouse.`,
    '-- Generated from the table definitions (src/core/tables.ts); do not edit by hand.',
    '-- Tables are created in dependency order so every FOREIGN KEY points at an existing table;',
    drop
      ? '-- the existing dwgen tables are dropped first (their rows are lost).'
      : '-- CREATE TABLE IF NOT EXISTS: running the script again leaves existing tables as they are.',
    '',
  ].join('\n');
  const preamble = drop ? `${dropTablesSql(dialect).join('\n')}\n\n` : '';
  return `${head}\n${preamble}${dependencyOrder().map((t) => createTableSql(t, dialect)).join('\n\n')}\n`;
}
