// Opens a dataset (its data directory and metadata/schema.json): parses the metadata and resolves
// every listed file. Problems that make the input unusable throw DatasetError (the commands exit 2).
import { constants, statSync } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from '../errors.js';
import { isTableName, TABLE_NAMES, type TableName } from '../core/tables.js';

export { DatasetError };

export type FileFormat = 'csv' | 'parquet';

export interface SchemaFile {
  readonly path: string;
  readonly format: FileFormat;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

export interface SchemaColumn {
  readonly type?: string;
  readonly nullable?: boolean;
  readonly description?: string;
  readonly references?: string;
}

export interface SchemaTable {
  readonly description?: string;
  readonly kind?: string;
  readonly row_count?: number;
  /** A column name; a list only for a composite key (inventory). */
  readonly primary_key?: string | string[];
  readonly columns?: Record<string, SchemaColumn>;
  readonly files?: SchemaFile[];
}

export interface SchemaRelationship {
  readonly table: string;
  readonly column: string;
  readonly references: string;
}

export interface SchemaJson {
  readonly generator?: { name?: string; version?: string };
  readonly seed?: number;
  readonly scale_factor?: number;
  readonly tables: Record<string, SchemaTable>;
  readonly relationships?: SchemaRelationship[];
}

export interface DatasetFile extends SchemaFile {
  /** Absolute path on disk. */
  readonly abs: string;
}

export interface DatasetTable {
  readonly name: TableName;
  readonly meta: SchemaTable;
  /** Files per format, in schema.json order; a format with no files is absent. */
  readonly files: Partial<Record<FileFormat, DatasetFile[]>>;
}

/** Where a dataset's files are: its data directory and its metadata directory. */
export interface DatasetLocation {
  readonly dataDir: string;
  readonly metadataDir: string;
}

/**
 * The location named by `--dir` and `--metadata`. The data directory defaults to ./data and the
 * metadata directory to the `metadata` directory beside it, as `dwgen generate` writes them. A
 * `--dir` that holds a data/ directory is a dataset root (what `generate --out` names): its data/
 * and metadata/ are used.
 */
export function locateDataset(dir: string | undefined, metadata: string | undefined): DatasetLocation {
  const dataDir = dir !== undefined && isDirectory(path.join(dir, 'data')) ? path.join(dir, 'data') : (dir ?? 'data');
  return { dataDir, metadataDir: metadata ?? path.join(path.dirname(path.resolve(dataDir)), 'metadata') };
}

/** Whether path is a directory; an unreadable path is not (openDataset then says what is wrong). */
function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A dataset root: ROOT/data and ROOT/metadata. */
export function rootLocation(root: string): DatasetLocation {
  return { dataDir: path.join(root, 'data'), metadataDir: path.join(root, 'metadata') };
}

export interface Dataset {
  /** The data directory (absolute): schema.json's paths data/… resolve under it. */
  readonly dir: string;
  /** The metadata directory (absolute): schema.json, generation_lineage.yaml, ddl/. */
  readonly metadataDir: string;
  readonly schemaPath: string;
  readonly schema: SchemaJson;
  /** Tables of TABLES that schema.json lists with at least one file, in TABLE_NAMES order. */
  readonly tables: Map<TableName, DatasetTable>;
  /** Table names in schema.json that are not in TABLES. */
  readonly unknownTables: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseFile(table: string, i: number, raw: unknown): SchemaFile {
  const where = `metadata/schema.json: tables.${table}.files[${i}]`;
  if (!isObject(raw)) throw new DatasetError(`${where} is not an object`);
  const { path: p, format, rows, bytes, sha256 } = raw;
  if (typeof p !== 'string' || p === '') throw new DatasetError(`${where}.path is missing`);
  if (format !== 'csv' && format !== 'parquet') throw new DatasetError(`${where}.format must be "csv" or "parquet"`);
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) throw new DatasetError(`${where}.rows is not a row count`);
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0) throw new DatasetError(`${where}.bytes is not a byte count`);
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256)) throw new DatasetError(`${where}.sha256 is not a sha256 hex digest`);
  if (path.isAbsolute(p) || p.split(/[\\/]/).includes('..') || !p.startsWith('data/')) throw new DatasetError(`${where}.path ${p} is not under data/`);
  return { path: p, format, rows, bytes, sha256: sha256.toLowerCase() };
}

/** Reads schema.json and checks that every listed file exists and is readable (a string: a dataset root). */
export async function openDataset(where: string | DatasetLocation): Promise<Dataset> {
  const location = typeof where === 'string' ? rootLocation(where) : where;
  const dir = path.resolve(location.dataDir);
  const metadataDir = path.resolve(location.metadataDir);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat) throw new DatasetError(`data directory ${location.dataDir} does not exist`);
  if (!dirStat.isDirectory()) throw new DatasetError(`${location.dataDir} is not a directory`);
  const schemaPath = path.join(metadataDir, 'schema.json');
  let text: string;
  try {
    text = await readFile(schemaPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(
      code === 'ENOENT'
        ? `no metadata: ${path.join(location.metadataDir, 'schema.json')} does not exist`
        : `cannot read ${path.join(location.metadataDir, 'schema.json')}: ${(err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`metadata/schema.json is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed) || !isObject(parsed.tables)) throw new DatasetError('metadata/schema.json has no "tables" object');
  if (parsed.relationships !== undefined && !Array.isArray(parsed.relationships)) {
    throw new DatasetError('metadata/schema.json: "relationships" is not a list');
  }
  const schema = parsed as unknown as SchemaJson;

  const tables = new Map<TableName, DatasetTable>();
  const unknownTables = Object.keys(schema.tables).filter((t) => !isTableName(t));
  for (const name of TABLE_NAMES) {
    const meta = schema.tables[name];
    if (meta === undefined) continue;
    if (!isObject(meta)) throw new DatasetError(`metadata/schema.json: tables.${name} is not an object`);
    const rawFiles = (meta as Record<string, unknown>).files ?? [];
    if (!Array.isArray(rawFiles)) throw new DatasetError(`metadata/schema.json: tables.${name}.files is not a list`);
    if (rawFiles.length === 0) continue;
    const files: Partial<Record<FileFormat, DatasetFile[]>> = {};
    for (const [i, raw] of rawFiles.entries()) {
      const f = parseFile(name, i, raw);
      const abs = path.join(dir, ...f.path.split('/').slice(1)); // data/… under the data directory
      const st = await stat(abs).catch(() => null);
      if (!st) throw new DatasetError(`table ${name}: file ${f.path} listed in metadata/schema.json does not exist`);
      if (!st.isFile()) throw new DatasetError(`table ${name}: ${f.path} is not a regular file`);
      try {
        await access(abs, constants.R_OK);
      } catch {
        throw new DatasetError(`table ${name}: file ${f.path} is not readable`);
      }
      (files[f.format] ??= []).push({ ...f, abs });
    }
    tables.set(name, { name, meta: meta as SchemaTable, files });
  }
  return { dir, metadataDir, schemaPath, schema, tables, unknownTables };
}

/** The format read for checks and loading: Parquet when present (faster, typed), else CSV. */
export function primaryFormat(t: DatasetTable): FileFormat {
  return t.files.parquet ? 'parquet' : 'csv';
}
