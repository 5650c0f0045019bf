// Runs validation: opens the dataset, loads each present table into an in-memory DuckDB, then runs
// the metadata and file checks (Node) and every SQL check of checks.ts; returns a ValidationReport.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parse as parseYaml } from 'yaml';
import { STEP_NAMES, TABLES, TABLE_NAMES, type TableName } from '../core/tables.js';
import { foreignKeys, lit, qi } from '../ddl/sql.js';
import { primaryKeyOf } from '../metadata/schemaDocument.js';
import { buildChecks, ORDER_HEADERS, type Check } from './checks.js';
import { openDataset, primaryFormat, type Dataset, type DatasetFile, type DatasetLocation, type DatasetTable, type FileFormat } from './dataset.js';
import { csvHeader, FILE_COLUMN, readFunctionSql, selectTableSql } from './reader.js';

export type CheckStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface CheckResult {
  readonly name: string;
  readonly description: string;
  readonly status: CheckStatus;
  /** Violating rows (or files / metadata entries); 0 when passed or skipped. */
  readonly violations: number;
  /** Up to MAX_EXAMPLES example keys of violating rows, with detail. */
  readonly examples: string[];
  /** Why the check was skipped or could not run. */
  readonly message?: string;
}

export interface ValidationReport {
  readonly dir: string;
  readonly ok: boolean;
  /** Tables that schema.json lists with files. */
  readonly tables: TableName[];
  readonly checks: CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly elapsedMs: number;
}

export const MAX_EXAMPLES = 5;

/** DuckDB connections that run checks concurrently. */
const CHECK_CONNECTIONS = 4;

/** Below this many bytes of data files, DuckDB runs single-threaded. */
const SMALL_DATASET_BYTES = 16 * 1024 * 1024;

/** First line of an error message, without DuckDB's trailing hints. */
function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function firstCsvLine(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    return nl < 0 ? text : text.slice(0, nl);
  } finally {
    await fh.close();
  }
}

/** Runs `items` through `fn` with at most `limit` in flight, keeping result order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function result(name: string, description: string, bad: string[], message?: string): CheckResult {
  return {
    name,
    description,
    status: bad.length > 0 || message ? 'FAIL' : 'PASS',
    violations: bad.length,
    examples: bad.slice(0, MAX_EXAMPLES),
    ...(message ? { message } : {}),
  };
}

/** schema.json against TABLES: columns (order, type, nullability, reference), primary key, relationships. */
function dictionaryCheck(ds: Dataset): CheckResult {
  const bad: string[] = [];
  for (const t of ds.unknownTables) bad.push(`tables.${t}: not a dwgen table`);
  for (const name of TABLE_NAMES) {
    const meta = ds.schema.tables[name];
    if (!meta) continue;
    const def = TABLES[name];
    const cols = meta.columns ?? {};
    const names = Object.keys(cols);
    const expected = def.columns.map((c) => c.name);
    if (names.join(',') !== expected.join(',')) bad.push(`${name}: columns [${names.join(', ')}] ≠ [${expected.join(', ')}]`);
    for (const c of def.columns) {
      const m = cols[c.name];
      if (!m) continue;
      if (m.type !== c.type) bad.push(`${name}.${c.name}: type ${m.type} ≠ ${c.type}`);
      if (m.nullable !== undefined && m.nullable !== (c.nullable ?? false)) bad.push(`${name}.${c.name}: nullable ${m.nullable}`);
      if ((m.references ?? undefined) !== c.references) bad.push(`${name}.${c.name}: references ${m.references ?? 'none'} ≠ ${c.references ?? 'none'}`);
    }
    const pk = primaryKeyOf(name);
    if (JSON.stringify(meta.primary_key) !== JSON.stringify(pk)) {
      bad.push(`${name}: primary_key ${JSON.stringify(meta.primary_key ?? null)} ≠ ${JSON.stringify(pk)}`);
    }
    if (meta.kind !== undefined && meta.kind !== def.kind) bad.push(`${name}: kind ${meta.kind} ≠ ${def.kind}`);
    const rowsSum = Object.values(ds.tables.get(name)?.files ?? {})[0]?.reduce((a, f) => a + f.rows, 0);
    if (rowsSum !== undefined && meta.row_count !== rowsSum) bad.push(`${name}: row_count ${meta.row_count} ≠ Σ file rows ${rowsSum}`);
  }
  const rels = ds.schema.relationships ?? [];
  const relKey = (r: { table: string; column: string; references: string }): string => `${r.table}.${r.column} → ${r.references}`;
  const have = new Set(rels.map(relKey));
  const fks = foreignKeys();
  const all = fks.map((f) => relKey({ table: f.table, column: f.column, references: `${f.refTable}.${f.refColumn}` }));
  // A partial dataset (--tables) lists the relationships between the tables it has.
  const listed = (t: string): boolean => ds.schema.tables[t] !== undefined;
  fks.forEach((f, i) => {
    if (listed(f.table) && listed(f.refTable) && !have.has(all[i]!)) bad.push(`relationships: missing ${all[i]}`);
  });
  for (const h of have) if (!all.includes(h)) bad.push(`relationships: unexpected ${h}`);
  return result('metadata.dictionary', 'schema.json matches the table definitions (columns, types, keys, relationships, row counts)', bad);
}

/**
 * metadata/generation_lineage.yaml, when present: the design document's shape (the logical steps
 * in order, flat lists of path strings, `output` or for generate_dimensions `outputs`), each
 * written table's path naming its files, and every file under dwgen's keys with the same rows,
 * bytes and sha256 as schema.json (and every schema.json file listed).
 */
async function lineageCheck(ds: Dataset): Promise<CheckResult> {
  const name = 'metadata.lineage';
  const description = 'generation_lineage.yaml lists the pipeline steps in order, with path strings that name the files, and the same files as schema.json';
  let text: string;
  try {
    text = await readFile(path.join(ds.metadataDir, 'generation_lineage.yaml'), 'utf8');
  } catch {
    return { name, description, status: 'SKIP', violations: 0, examples: [], message: 'no metadata/generation_lineage.yaml' };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return result(name, description, [], `not valid YAML: ${firstLine(err)}`);
  }
  const bad: string[] = [];
  const steps = (doc as { steps?: unknown })?.steps;
  if (!Array.isArray(steps)) return result(name, description, ['no steps list']);
  const names = steps.map((st) => String((st as { name?: unknown })?.name));
  if (names.join(',') !== STEP_NAMES.join(',')) bad.push(`steps [${names.join(', ')}] ≠ [${STEP_NAMES.join(', ')}]`);
  const schemaFiles = new Map<string, DatasetFile>();
  for (const t of ds.tables.values()) for (const fs of Object.values(t.files)) for (const f of fs) schemaFiles.set(f.path, f);
  const seen = new Set<string>();
  const isPathList = (v: unknown): v is string[] => Array.isArray(v) && v.every((p) => typeof p === 'string');
  for (const st of steps as Record<string, unknown>[]) {
    const step = String(st?.name);
    if (st?.inputs !== undefined && !isPathList(st.inputs)) bad.push(`${step}: inputs is not a flat list of path strings`);
    if (step === 'generate_dimensions' ? !isPathList(st?.outputs) : typeof st?.output !== 'string') {
      bad.push(`${step}: ${step === 'generate_dimensions' ? 'outputs is not a list of path strings' : 'output is not a path string'}`);
    }
    const tables = (st?.dwgen as { tables?: unknown } | undefined)?.tables;
    if (!Array.isArray(tables)) continue;
    for (const entry of tables as { table?: unknown; rows?: unknown; paths?: unknown; files?: unknown }[]) {
      const table = ds.tables.get(entry?.table as TableName);
      if (table && entry.rows !== table.meta.row_count) bad.push(`${table.name}: lineage rows ${String(entry.rows)} ≠ schema.json row_count ${table.meta.row_count}`);
      // The table's path in each format names exactly its files of that format.
      if (table && entry.paths && typeof entry.paths === 'object') {
        for (const [format, p] of Object.entries(entry.paths as Record<string, unknown>)) {
          const listed = table.files[format as FileFormat]?.map((f) => f.path) ?? [];
          if (typeof p !== 'string' || listed.length === 0 || !listed.every((f) => pathNames(p, f))) bad.push(`${table.name}: lineage path ${String(p)} does not name its ${format} files`);
        }
      }
      if (!Array.isArray(entry?.files)) continue;
      for (const f of entry.files as { path?: unknown; rows?: unknown; bytes?: unknown; sha256?: unknown }[]) {
        if (typeof f?.path !== 'string') continue;
        seen.add(f.path);
        const s = schemaFiles.get(f.path);
        if (!s) bad.push(`${f.path}: in the lineage, not in schema.json`);
        else if (f.rows !== s.rows || f.bytes !== s.bytes || String(f.sha256).toLowerCase() !== s.sha256) {
          bad.push(`${f.path}: lineage rows/bytes/sha256 differ from schema.json`);
        }
      }
    }
  }
  for (const p of schemaFiles.keys()) if (!seen.has(p)) bad.push(`${p}: in schema.json, not in the lineage`);
  return result(name, description, bad);
}

/** Whether a lineage path (a file, or a glob data/<table>/*.<ext>) names the file at `file`. */
function pathNames(lineagePath: string, file: string): boolean {
  const star = lineagePath.indexOf('*');
  if (star < 0) return lineagePath === file;
  const [head, tail] = [lineagePath.slice(0, star), lineagePath.slice(star + 1)];
  const middle = file.slice(head.length, file.length - tail.length);
  return file.length >= head.length + tail.length && file.startsWith(head) && file.endsWith(tail) && !middle.includes('/');
}

/** Files under data/ that belong to a listed table but are not listed (stale parts, temporary files). */
async function unlistedCheck(ds: Dataset): Promise<CheckResult> {
  const listed = new Set<string>();
  for (const t of ds.tables.values()) for (const fs of Object.values(t.files)) for (const f of fs) listed.add(f.path);
  const bad: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(ds.dir, ...rel.split('/').slice(1)), { withFileTypes: true }).catch(() => []); // rel is data/…
    for (const e of entries) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(p);
      else if (!listed.has(p)) {
        const top = p.split('/')[1]!.replace(/\..*$/, '');
        const owned = ds.tables.has(top as TableName);
        if (owned || /\.(tmp|partial)$|\.tmp[-.]/.test(e.name)) bad.push(p);
      }
    }
  };
  await walk('data');
  bad.sort();
  return result('files.unlisted', 'no stray or temporary files next to the listed data files', bad);
}

export interface ValidateOptions {
  /** Progress callback (one line per phase), e.g. for --verbose. */
  readonly onProgress?: (line: string) => void;
  /** DuckDB threads (default: 1 for small datasets, else DuckDB's default of one per core). */
  readonly threads?: number;
}

/** Validates a dataset root. Throws DatasetError when the input cannot be used. */
export async function runValidation(dir: string | DatasetLocation, options: ValidateOptions = {}): Promise<ValidationReport> {
  const started = Date.now();
  const ds = await openDataset(dir);
  const progress = options.onProgress ?? (() => {});
  const checks: CheckResult[] = [];
  const files: { table: TableName; file: DatasetFile }[] = [];
  for (const t of ds.tables.values()) for (const fs of Object.values(t.files)) for (const f of fs) files.push({ table: t.name, file: f });

  checks.push(dictionaryCheck(ds));
  checks.push(await lineageCheck(ds));

  // Byte sizes and checksums, hashed concurrently with the DuckDB loads below.
  const hashing = mapLimit(files, 4, async ({ file }) => ({ file, size: (await stat(file.abs)).size, sha: await sha256File(file.abs) }));
  hashing.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled

  // Small datasets run faster on one DuckDB thread per query (the checks still run concurrently).
  const totalBytes = files.reduce((a, f) => a + f.file.bytes, 0);
  const threads = options.threads ?? (totalBytes < SMALL_DATASET_BYTES ? 1 : undefined);
  const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
  const conn = await instance.connect();
  try {
    const loaded = new Set<string>();
    const fileRows = new Map<string, number>();
    const loadResults: CheckResult[] = [];
    const headerResults: CheckResult[] = [];
    const agreeResults: CheckResult[] = [];
    for (const t of ds.tables.values()) {
      progress(`loading ${t.name}`);
      headerResults.push(await headerCheck(conn, t));
      const fmtName = primaryFormat(t);
      const paths = t.files[fmtName]!.map((f) => f.abs);
      try {
        await conn.run(`CREATE TABLE ${qi(t.name)} AS ${selectTableSql(t.name, fmtName, paths)}`);
        loaded.add(t.name);
        loadResults.push(result(`${t.name}.load`, `${fmtName} files parse with the dictionary types`, []));
        const counts = await conn.runAndReadAll(`SELECT ${FILE_COLUMN} AS f, count(*) AS n FROM ${qi(t.name)} GROUP BY ALL`);
        for (const row of counts.getRowObjectsJS()) fileRows.set(String(row.f), Number(row.n));
      } catch (err) {
        loadResults.push(result(`${t.name}.load`, `${fmtName} files parse with the dictionary types`, [], firstLine(err)));
      }
      for (const other of ['csv', 'parquet'] as const) {
        if (other === fmtName || !t.files[other]) continue;
        agreeResults.push(await formatsAgree(conn, t, other, loaded.has(t.name), fileRows));
      }
    }
    if (loaded.has('raw_orders')) await conn.run(`CREATE VIEW ${ORDER_HEADERS} AS SELECT order_id, customer_id, store_id, order_date FROM raw_orders`);
    else if (loaded.has('orders')) await conn.run(`CREATE VIEW ${ORDER_HEADERS} AS SELECT order_id, customer_id, store_id, order_date FROM orders`);
    if (loaded.has('raw_orders') || loaded.has('orders')) loaded.add(ORDER_HEADERS);

    // File checks.
    const hashes = await hashing;
    checks.push(result('files.bytes', 'each file\'s byte size equals schema.json', hashes.filter((h) => h.size !== h.file.bytes).map((h) => `${h.file.path}: ${h.size} bytes, schema.json says ${h.file.bytes}`)));
    checks.push(result('files.sha256', 'each file\'s sha256 equals schema.json', hashes.filter((h) => h.sha !== h.file.sha256).map((h) => `${h.file.path}: sha256 ${h.sha.slice(0, 12)}…, schema.json says ${h.file.sha256.slice(0, 12)}…`)));
    const rowBad: string[] = [];
    for (const { table, file } of files) {
      if (!loaded.has(table)) continue;
      const n = fileRows.get(file.abs) ?? 0;
      if (n !== file.rows) rowBad.push(`${file.path}: ${n} rows, schema.json says ${file.rows}`);
    }
    checks.push(result('files.rows', 'each file\'s row count equals schema.json (tables that load)', rowBad));
    checks.push(await unlistedCheck(ds));
    checks.push(...headerResults, ...loadResults, ...agreeResults);

    // SQL checks, on a few connections at once (each query is parallel inside DuckDB too).
    const pool = [conn];
    for (let i = 1; i < CHECK_CONNECTIONS; i++) pool.push(await instance.connect());
    try {
      // Relationships of schema.json plus every foreign key of TABLES (metadata.dictionary reports gaps).
      const rels = [...(ds.schema.relationships ?? [])];
      for (const f of foreignKeys()) {
        if (!rels.some((r) => r.table === f.table && r.column === f.column)) rels.push({ table: f.table, column: f.column, references: `${f.refTable}.${f.refColumn}` });
      }
      const list = buildChecks(rels);
      checks.push(
        ...(await mapLimit(list, pool.length, async (check) => {
          const c = pool.pop()!;
          try {
            progress(`checking ${check.name}`);
            return await runCheck(c, check, loaded, ds);
          } finally {
            pool.push(c);
          }
        })),
      );
    } finally {
      for (const c of pool) if (c !== conn) c.closeSync();
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  const failed = checks.filter((c) => c.status === 'FAIL').length;
  const skipped = checks.filter((c) => c.status === 'SKIP').length;
  return {
    dir: ds.dir,
    ok: failed === 0,
    tables: [...ds.tables.keys()],
    checks,
    passed: checks.length - failed - skipped,
    failed,
    skipped,
    elapsedMs: Date.now() - started,
  };
}

/** Column names of every file equal the dictionary's, in order (CSV header line, Parquet schema). */
async function headerCheck(conn: DuckDBConnection, t: DatasetTable): Promise<CheckResult> {
  const bad: string[] = [];
  const expected = csvHeader(t.name);
  for (const f of t.files.csv ?? []) {
    const line = (await firstCsvLine(f.abs)).replace(/\r$/, '');
    if (line !== expected) bad.push(`${f.path}: header "${line.slice(0, 80)}"`);
  }
  for (const f of t.files.parquet ?? []) {
    try {
      const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(f.abs)})`);
      const names = r.getRowObjectsJS().map((row) => String(row.column_name)).join(',');
      if (names !== expected) bad.push(`${f.path}: columns ${names.slice(0, 80)}`);
    } catch (err) {
      bad.push(`${f.path}: ${firstLine(err)}`);
    }
  }
  return result(`${t.name}.columns`, 'every file has the dictionary\'s columns in order', bad);
}

/** When a table is written in both formats: the secondary format holds exactly the same rows. */
async function formatsAgree(
  conn: DuckDBConnection,
  t: DatasetTable,
  format: FileFormat,
  primaryLoaded: boolean,
  fileRows: Map<string, number>,
): Promise<CheckResult> {
  const name = `${t.name}.formats_agree`;
  const description = `${format} files hold the same rows as the ${primaryFormat(t)} files`;
  const paths = t.files[format]!.map((f) => f.abs);
  try {
    const counts = await conn.runAndReadAll(`SELECT filename AS f, count(*) AS n FROM ${readFunctionSql(t.name, format, paths)} GROUP BY ALL`);
    for (const row of counts.getRowObjectsJS()) fileRows.set(String(row.f), Number(row.n));
    if (!primaryLoaded) return { name, description, status: 'SKIP', violations: 0, examples: [], message: `${t.name} did not load` };
    const cols = TABLES[t.name].columns.map((c) => qi(c.name)).join(', ');
    const other = `SELECT ${cols} FROM (${selectTableSql(t.name, format, paths, false)})`;
    const mine = `SELECT ${cols} FROM ${qi(t.name)}`;
    const pk = TABLES[t.name].primaryKey.map((c) => `coalesce(CAST(${qi(c)} AS VARCHAR), 'NULL')`).join(` || ', ' || `);
    const r = await conn.runAndReadAll(
      `SELECT count(*) OVER () AS n, side || ${pk} AS key FROM (` +
        `SELECT 'only in ${primaryFormat(t)}: ' AS side, * FROM (${mine} EXCEPT ALL ${other}) UNION ALL ` +
        `SELECT 'only in ${format}: ' AS side, * FROM (${other} EXCEPT ALL ${mine})) LIMIT ${MAX_EXAMPLES}`,
    );
    const rows = r.getRowObjectsJS();
    const n = rows.length > 0 ? Number(rows[0]!.n) : 0;
    return { name, description, status: n > 0 ? 'FAIL' : 'PASS', violations: n, examples: rows.map((x) => String(x.key)) };
  } catch (err) {
    return result(name, description, [], `${format} files do not load: ${firstLine(err)}`);
  }
}

async function runCheck(conn: DuckDBConnection, check: Check, loaded: Set<string>, ds: Dataset): Promise<CheckResult> {
  const missing = check.requires.filter((t) => !loaded.has(t));
  if (missing.length > 0) {
    const why = missing.map((t) => {
      const name = t === ORDER_HEADERS ? 'raw_orders/orders' : t;
      const present = t === ORDER_HEADERS ? ds.tables.has('raw_orders') || ds.tables.has('orders') : ds.tables.has(t as TableName);
      return present ? `${name} did not load` : `${name} not present`;
    });
    return { name: check.name, description: check.description, status: 'SKIP', violations: 0, examples: [], message: why.join(', ') };
  }
  try {
    const r = await conn.runAndReadAll(`SELECT count(*) OVER () AS __n, key FROM (${check.sql}) ORDER BY ord LIMIT 50`);
    const rows = r.getRowObjectsJS();
    const n = rows.length > 0 ? Number(rows[0]!.__n) : 0;
    const examples = [...new Set(rows.map((x) => String(x.key)))].slice(0, MAX_EXAMPLES);
    return { name: check.name, description: check.description, status: n > 0 ? 'FAIL' : 'PASS', violations: n, examples };
  } catch (err) {
    return { name: check.name, description: check.description, status: 'FAIL', violations: 0, examples: [], message: `check could not run: ${firstLine(err)}` };
  }
}
