// SQL building blocks derived from TABLES: identifier quoting, string literals, the dictionary type
// of each column in DuckDB and PostgreSQL, foreign-key parsing and the dependency order of tables.
import type { ColumnDef } from '../core/columns.js';
import { TABLES, TABLE_NAMES, type TableDef, type TableName } from '../core/tables.js';

export type Dialect = 'duckdb' | 'postgres';

/** Words that must be quoted when used as identifiers (in either dialect); quoting is harmless. */
const RESERVED = new Set([
  'all', 'and', 'any', 'as', 'asc', 'between', 'by', 'case', 'cast', 'check', 'column', 'constraint', 'create',
  'date', 'default', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'for', 'foreign', 'from',
  'grant', 'group', 'having', 'in', 'into', 'is', 'join', 'key', 'limit', 'month', 'not', 'null', 'offset',
  'on', 'or', 'order', 'primary', 'quarter', 'references', 'select', 'table', 'then', 'to', 'true', 'union',
  'unique', 'user', 'using', 'when', 'where', 'with', 'year',
]);

/** Quotes an identifier when it is not a plain lower-case word or is a keyword. */
export function ident(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** Always-quoted identifier (for generated SQL over arbitrary names). */
export function qi(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** SQL string literal. */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Length limit of a VARCHAR(n) / CHAR(n) type, with whether it is fixed (CHAR). */
export function stringLengthOf(type: string): { length: number; fixed: boolean } | null {
  const m = /^(VARCHAR|CHAR)\((\d+)\)$/.exec(type);
  return m ? { length: Number(m[2]), fixed: m[1] === 'CHAR' } : null;
}

/**
 * The column's type in the given dialect. Dictionary types are standard SQL and both engines accept
 * them as written (DECIMAL(p,2), VARCHAR(n), CHAR(n), INTEGER, BIGINT, DATE, BOOLEAN).
 */
export function sqlType(col: ColumnDef, dialect: Dialect): string {
  const t = col.type;
  if (/^(INTEGER|BIGINT|DATE|BOOLEAN)$/.test(t)) return t;
  if (/^DECIMAL\(\d+,\s*\d+\)$/.test(t)) return t.replace(/\s+/g, '');
  if (stringLengthOf(t)) return t;
  throw new Error(`column ${col.name}: no ${dialect} type for dictionary type ${t}`);
}

/** The type a reader casts a column to (DuckDB): lengths are not enforced by DuckDB, so plain VARCHAR. */
export function duckdbReadType(col: ColumnDef): string {
  return stringLengthOf(col.type) ? 'VARCHAR' : sqlType(col, 'duckdb');
}

export interface ForeignKey {
  readonly table: TableName;
  readonly column: string;
  readonly refTable: TableName;
  readonly refColumn: string;
}

/** Splits "table.column"; null when the table or column is not in TABLES. */
export function parseReference(ref: string): { table: TableName; column: string } | null {
  const dot = ref.indexOf('.');
  if (dot < 0) return null;
  const table = ref.slice(0, dot);
  const column = ref.slice(dot + 1);
  if (!(TABLE_NAMES as readonly string[]).includes(table)) return null;
  const def = TABLES[table as TableName];
  if (!def.columns.some((c) => c.name === column)) return null;
  return { table: table as TableName, column };
}

/** Every foreign key declared in TABLES (ColumnDef.references), in table and column order. */
export function foreignKeys(): ForeignKey[] {
  const out: ForeignKey[] = [];
  for (const name of TABLE_NAMES) {
    for (const col of TABLES[name].columns) {
      if (!col.references) continue;
      const ref = parseReference(col.references);
      if (!ref) throw new Error(`${name}.${col.name}: reference ${col.references} is not a column of TABLES`);
      out.push({ table: name, column: col.name, refTable: ref.table, refColumn: ref.column });
    }
  }
  return out;
}

/** Referenced columns that are not the table's whole primary key: they need a UNIQUE constraint. */
export function uniqueColumns(def: TableDef): string[] {
  const out = new Set<string>();
  for (const fk of foreignKeys()) {
    if (fk.refTable !== def.name) continue;
    if (def.primaryKey.length === 1 && def.primaryKey[0] === fk.refColumn) continue;
    out.add(fk.refColumn);
  }
  return [...out];
}

/** TABLE_NAMES in an order where every table comes after the tables it references. */
export function dependencyOrder(): TableName[] {
  const fks = foreignKeys();
  const done = new Set<TableName>();
  const order: TableName[] = [];
  const visit = (name: TableName, path: TableName[]): void => {
    if (done.has(name)) return;
    if (path.includes(name)) throw new Error(`foreign-key cycle: ${[...path, name].join(' → ')}`);
    for (const fk of fks) if (fk.table === name && fk.refTable !== name) visit(fk.refTable, [...path, name]);
    done.add(name);
    order.push(name);
  };
  for (const name of TABLE_NAMES) visit(name, []);
  return order;
}
