// A dataset generated with --tables holds only some tables. Its foreign keys into tables it lacks
// cannot hold in a database: load refuses it (exit 2), naming what it lacks, or with --partial
// loads what is there without those foreign keys.
import { DatasetError } from '../errors.js';
import { TABLE_NAMES, type TableName } from '../core/tables.js';
import { foreignKeys, type ForeignKey } from './sql.js';

/** Foreign keys of the present tables whose referenced table is absent. */
export function missingReferences(present: ReadonlySet<TableName>): ForeignKey[] {
  return foreignKeys().filter((fk) => present.has(fk.table) && !present.has(fk.refTable));
}

const list = (names: readonly string[]): string => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** The refusal: which tables the subset lacks and which of its tables reference them. */
export function subsetError(missing: readonly ForeignKey[]): DatasetError {
  const lacks = TABLE_NAMES.filter((t) => missing.some((m) => m.refTable === t));
  const referencing = TABLE_NAMES.filter((t) => missing.some((m) => m.table === t));
  return new DatasetError(
    `the dataset is a subset (generate --tables): it lacks ${list(lacks)}, which ${list(referencing)} ${referencing.length === 1 ? 'references' : 'reference'}; ` +
      `generate ${lacks.length === 1 ? 'it' : 'them'} too, or pass --partial to load the tables it has without the ${missing.length} foreign ${missing.length === 1 ? 'key' : 'keys'} into missing tables`,
  );
}

/** "table.column → table.column" of a foreign key. */
export const describeForeignKey = (fk: ForeignKey): string => `${fk.table}.${fk.column} → ${fk.refTable}.${fk.refColumn}`;
