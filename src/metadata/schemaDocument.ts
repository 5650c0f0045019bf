// metadata/schema.json, the data dictionary, built from plain data (MetadataInput) with no I/O.
// The shape is the design document's: tables.<name>.row_count, columns.<name>.{type, description},
// primary_key (a column name; a list only for a composite key), and a top-level relationships
// list of {table, column, references}, each pointing at the final table a user queries. dwgen
// adds keys of its own beside those (generator, seed, config hash, kind, nullable, files).
import { TABLES, TABLE_NAMES, type TableName } from '../core/tables.js';
import { filesInOrder, type MetadataInput } from './input.js';

export interface Relationship {
  readonly table: string;
  readonly column: string;
  readonly references: string;
}

/** The seed's primary_key: the column name, or the list of names of a composite key. */
export function primaryKeyOf(table: TableName): string | string[] {
  const pk = TABLES[table].primaryKey;
  return pk.length === 1 ? pk[0]! : [...pk];
}

/** Every foreign key between the given tables, in table and column order (ColumnDef.references). */
export function relationships(tables: readonly TableName[]): Relationship[] {
  const present = new Set(tables);
  const list: Relationship[] = [];
  for (const name of TABLE_NAMES) {
    if (!present.has(name)) continue;
    for (const c of TABLES[name].columns) {
      if (c.references && present.has(c.references.split('.')[0] as TableName)) list.push({ table: name, column: c.name, references: c.references });
    }
  }
  return list;
}

/** schema.json's text: every written table with its real row count, columns, key and files. */
export function buildSchemaDocument(input: MetadataInput): string {
  const tables = TABLE_NAMES.filter((t) => input.tables[t]);
  const doc = {
    generator: { name: input.run.tool.name, version: input.run.tool.version },
    seed: input.run.seed,
    scale_factor: input.run.scaleFactor,
    config_sha256: input.run.configSha256,
    tables: Object.fromEntries(
      tables.map((name) => {
        const def = TABLES[name];
        const written = input.tables[name]!;
        return [
          name,
          {
            description: def.description,
            kind: def.kind,
            row_count: written.rows,
            primary_key: primaryKeyOf(name),
            columns: Object.fromEntries(
              def.columns.map((c) => [
                c.name,
                {
                  type: c.type,
                  nullable: c.nullable === true,
                  description: c.description,
                  ...(c.enumValues ? { allowed_values: c.enumValues } : {}),
                  ...(c.references ? { references: c.references } : {}),
                },
              ]),
            ),
            files: filesInOrder(written.files).map((f) => ({ path: f.path, format: f.format, rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
          },
        ];
      }),
    ),
    relationships: relationships(tables),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
