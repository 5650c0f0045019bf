// The options of a generate run, checked in one place for the CLI and the library: flags (the
// CLI's argv, or the library's options turned into the same flags) and a config become
// GenerateArgs, or a UsageError naming what is wrong, before anything is written.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG, MAX_SCALE_FACTOR, loadConfigFile, validateConfig, type Config } from '../config/config.js';
import { TABLE_NAMES, isTableName, type TableName } from '../core/tables.js';
import { UsageError, flagError } from '../errors.js';
import { OUTPUT_REVISION } from '../core/outputRevision.js';
import { TOOL_VERSION, configHash } from '../metadata/metadata.js';
import { DEFAULT_COMPRESSION, parseCompression, type ParquetCompression } from '../parquet/index.js';
import { codecFor } from '../parquet/compression.js';
import type { Layout } from '../run/generateRun.js';
import { checkShard, partFromEnvironment } from '../run/plan.js';
import type { RunManifest, Shard } from '../run/records.js';
import type { Format } from '../streams/tableOutput.js';
import type { ParquetOutput } from '../workers/tasks.js';
import { isStoreUrl, storeFromOut } from '../storage/openStore.js';
import type { StoreDescription } from '../storage/store.js';

export interface GenerateArgs {
  config: Config;
  configSource: string;
  /** The dataset root as given, for messages: an absolute directory, or an s3:// URL. */
  outDir: string;
  /** Where it is: a local directory or an S3 prefix (storage/openStore.ts). */
  store: StoreDescription;
  workers: number;
  layout: Layout;
  formats: Format[];
  parquet: ParquetOutput;
  tables: TableName[];
  quiet: boolean;
  resume: boolean;
  force: boolean;
  verbose: boolean;
  /** --parts/--part: this process's shard, or null for a one-machine run. */
  shard: Shard | null;
  /** --stdout: the one table in `tables` goes to standard output. */
  stdout: boolean;
}

/** The lineage's config_source when no --config is given. */
export const BUILT_IN_CONFIG = '(built-in defaults)';

function parsePositiveInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  }
  return Number(text);
}

const VALUE_FLAGS = new Set(['--config', '--scale', '--seed', '--out', '--workers', '--layout', '--format', '--compression', '--row-group-mb', '--tables', '--parts', '--part', '--part-from-env']);

/** Parses `generate`'s flags; returns null when help was asked for. */
export function parseGenerateArgs(
  argv: string[],
  cwd = process.cwd(),
  env: Readonly<Record<string, string | undefined>> = process.env,
  /** A config given as an object (the library's `generate({ config: {...} })`), instead of --config. */
  configDocument?: { document: unknown; source: string },
): GenerateArgs | null {
  // `--scale -1` must reach the value check, not parseArgs' "ambiguous argument" refusal.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (VALUE_FLAGS.has(flag) && i + 1 < argv.length && argv[i + 1].startsWith('-')) args.push(`${flag}=${argv[++i]}`);
    else args.push(flag);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        scale: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        workers: { type: 'string' },
        layout: { type: 'string' },
        format: { type: 'string' },
        compression: { type: 'string' },
        'row-group-mb': { type: 'string' },
        tables: { type: 'string' },
        quiet: { type: 'boolean' },
        resume: { type: 'boolean' },
        force: { type: 'boolean' },
        verbose: { type: 'boolean' },
        parts: { type: 'string' },
        part: { type: 'string' },
        'part-from-env': { type: 'string' },
        stdout: { type: 'boolean' },
        's3-part-mb': { type: 'string' },
        's3-path-style': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw flagError(err);
  }
  const v = parsed.values;
  if (v.help) return null;
  if (v.resume && v.force) throw new UsageError('--resume and --force cannot be combined (--force starts over, --resume continues)');

  let config: Config;
  let configSource: string;
  try {
    if (configDocument !== undefined) {
      config = validateConfig(structuredClone(configDocument.document));
      configSource = configDocument.source;
    } else if (v.config !== undefined) {
      config = loadConfigFile(resolve(cwd, v.config));
      configSource = v.config;
    } else {
      // Without --config the built-in defaults apply, whatever the working directory holds
      // (config/default.yaml documents the same values; a test keeps them equal).
      config = validateConfig(structuredClone(DEFAULT_CONFIG));
      configSource = BUILT_IN_CONFIG;
    }
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`config ${err.message}`);
    throw err;
  }

  if (v.scale !== undefined) {
    const scale = Number(v.scale);
    if (v.scale.trim() === '' || !Number.isFinite(scale) || scale <= 0 || scale > MAX_SCALE_FACTOR) {
      throw new UsageError(`--scale must be a number greater than 0 and at most ${MAX_SCALE_FACTOR}, got '${v.scale}'`);
    }
    config.scale_factor = scale;
  }
  if (v.seed !== undefined) {
    if (!/^\d+$/.test(v.seed) || !Number.isSafeInteger(Number(v.seed))) {
      throw new UsageError(`--seed must be a non-negative integer below 2^53, got '${v.seed}'`);
    }
    config.seed = Number(v.seed);
  }
  const workers = v.workers === undefined ? availableParallelism() : parsePositiveInt('--workers', v.workers);
  if (workers > 256) throw new UsageError(`--workers must be at most 256, got '${v.workers}'`);
  if (v.stdout) {
    const conflicting: string[] = (['out', 'layout', 'parts', 'part', 'part-from-env', 'resume', 'force'] as const).filter((k) => v[k] !== undefined);
    if (v.format !== undefined && v.format !== 'csv') conflicting.push('format');
    if (conflicting.length > 0) throw new UsageError(`--stdout streams one CSV table and writes nothing else: it cannot be combined with ${conflicting.map((k) => `--${k}`).join(', ')}`);
    const names = (v.tables ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
    if (names.length !== 1) throw new UsageError(`--stdout streams one table: name it with --tables T (one of ${TABLE_NAMES.join(', ')})${names.length > 1 ? `, not ${names.length}` : ''}`);
  }
  if (v.part !== undefined && v['part-from-env'] !== undefined) throw new UsageError('--part and --part-from-env cannot be combined');
  const parts = v.parts === undefined ? undefined : parsePositiveInt('--parts', v.parts);
  const part =
    v.part !== undefined ? parsePositiveInt('--part', v.part) : parts !== undefined ? partFromEnvironment(env, v['part-from-env'] ?? null) : v['part-from-env'] !== undefined ? partFromEnvironment(env, v['part-from-env']) : undefined;
  const shard = checkShard(parts, part, v.layout);
  const out = v.out ?? '.';
  const isUrl = isStoreUrl(out);
  const partMb = v['s3-part-mb'] === undefined ? undefined : parsePositiveInt('--s3-part-mb', v['s3-part-mb']);
  if (!/^s3:/i.test(out) && (partMb !== undefined || v['s3-path-style'] !== undefined)) {
    throw new UsageError(`--s3-part-mb and --s3-path-style apply to --out s3://…, not to --out ${out}`);
  }
  const store = storeFromOut(isUrl ? out : resolve(cwd, out), {
    ...(partMb !== undefined ? { partSize: partMb * 1024 * 1024 } : {}),
    ...(v['s3-path-style'] ? { forcePathStyle: true } : {}),
    env: { ...process.env, ...env },
  });
  if (store.kind === 's3' && v.layout === 'single') {
    throw new UsageError(`--out ${out}: --layout single grows each file by appending, which object storage cannot do; on s3:// every table is written as part files (--layout partitioned, the default there)`);
  }
  const layout = (v.layout ?? (shard || store.kind === 's3' ? 'partitioned' : 'single')) as Layout;
  if (layout !== 'single' && layout !== 'partitioned') throw new UsageError(`--layout must be single or partitioned, got '${v.layout}'`);
  const format = v.format ?? 'csv';
  if (format !== 'csv' && format !== 'parquet' && format !== 'both') throw new UsageError(`--format must be csv, parquet or both, got '${v.format}'`);
  const formats: Format[] = format === 'both' ? ['csv', 'parquet'] : [format];
  let compression: string = DEFAULT_COMPRESSION;
  if (v.compression !== undefined) {
    try {
      compression = parseCompression(v.compression);
      codecFor(compression as ParquetCompression); // a codec whose native package cannot load fails here, before any file
    } catch (err) {
      throw new UsageError(`--compression: ${(err as Error).message.replace(/^Invalid --compression /, '')}`);
    }
  }
  const rowGroupMb = v['row-group-mb'] === undefined ? 128 : parsePositiveInt('--row-group-mb', v['row-group-mb']);
  if (rowGroupMb > 2048) throw new UsageError(`--row-group-mb must be at most 2048, got '${v['row-group-mb']}'`);
  let tables: TableName[] = [...TABLE_NAMES];
  if (v.tables !== undefined) {
    const names = v.tables.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (names.length === 0) throw new UsageError(`--tables needs at least one table name (${TABLE_NAMES.join(', ')})`);
    for (const n of names) if (!isTableName(n)) throw new UsageError(`--tables: unknown table '${n}' (known: ${TABLE_NAMES.join(', ')})`);
    tables = TABLE_NAMES.filter((t) => names.includes(t));
  }
  return {
    config,
    configSource,
    outDir: isUrl ? out : resolve(cwd, out),
    store,
    workers,
    layout,
    formats,
    parquet: { compression, rowGroupBytes: rowGroupMb * 1024 * 1024 },
    tables,
    quiet: v.quiet === true,
    resume: v.resume === true,
    force: v.force === true,
    verbose: v.verbose === true,
    shard,
    stdout: v.stdout === true,
  };
}

/** Everything that determines the output bytes (never the worker count). */
export function runManifest(args: GenerateArgs): RunManifest {
  return {
    tool: 'dwgen',
    tool_version: TOOL_VERSION,
    output_revision: OUTPUT_REVISION,
    config_sha256: configHash(args.config),
    seed: args.config.seed,
    scale_factor: args.config.scale_factor,
    formats: args.formats,
    layout: args.layout,
    parquet: args.formats.includes('parquet') ? { compression: args.parquet.compression, row_group_bytes: args.parquet.rowGroupBytes } : null,
    tables: args.tables,
    shard: args.shard,
  };
}

