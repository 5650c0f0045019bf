// `dwgen generate`: parses and checks every flag and the config before anything is written,
// checks the output directory can be written, runs the generation and writes the metadata.
import { availableParallelism } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG, MAX_SCALE_FACTOR, loadConfigFile, validateConfig, type Config } from '../config/config.js';
import { TABLE_NAMES, isTableName, type TableName } from '../core/tables.js';
import { TOOL_VERSION, configHash, writeMetadata } from '../metadata/metadata.js';
import { InterruptedError, UsageError } from '../errors.js';
import { signalFaultAt } from '../state/faults.js';
import { RunState, STATE_DIR, manifestDifferences, type RunManifest, type StoredManifest } from '../state/runState.js';
import { DEFAULT_COMPRESSION, parseCompression, type ParquetCompression } from '../parquet/index.js';
import { codecFor } from '../parquet/compression.js';
import type { Format } from '../streams/tableOutput.js';
import { generateDataset, removeTableFiles, type Layout } from '../workers/generateDataset.js';
import type { ParquetOutput } from '../workers/tasks.js';
import { ProgressDisplay, summaryLine } from './progress.js';

export const GENERATE_HELP = `Usage: dwgen generate [options]

Generate the warehouse: 11 tables under OUT/data and metadata/schema.json and
metadata/generation_lineage.yaml under OUT/metadata. Same seed and config give
byte-identical files for any worker count.

Options:
  --config FILE        YAML config (default: the built-in defaults, which config/default.yaml documents)
  --scale N            scale factor, > 0 and ≤ ${MAX_SCALE_FACTOR} (overrides scale_factor; 1 ≈ 100,000 orders)
  --seed N             random seed, a non-negative integer (overrides seed)
  --out DIR            dataset root: writes DIR/data and DIR/metadata (default: .)
  --workers N          worker threads (default: all cores, ${availableParallelism()} here)
  --layout L           single: data/<table>.csv (default)
                       partitioned: data/<table>/part-00000.csv … (a header in each part)
  --format F           csv (default), parquet, or both. Parquet is always partitioned:
                       data/<table>/part-00000.parquet … (one file per partition)
  --compression C      Parquet compression: snappy (default), zstd, gzip or none
  --row-group-mb N     Parquet row-group size in MB of uncompressed data (default 128)
  --tables A,B,…       write only these tables (what they depend on is computed, not written):
                       ${TABLE_NAMES.join(', ')}
  --quiet              no progress and no summary line
  --resume             continue an interrupted (or repair a damaged) run in --out: reuse every
                       partition whose record under OUT/.dwgen and whose files still verify
                       (sha256), regenerate the rest; same flags and config as the first run
  --force              replace what --out holds even if it is a dwgen dataset or run state of a
                       different configuration (only dwgen's own files are removed)
  --verbose            on --resume, one line per partition that is regenerated
  -h, --help           show this help

Re-running the same command without --resume regenerates everything; a directory holding a
dwgen dataset or run state of a different configuration is refused unless --force. One run per
directory at a time (OUT/.dwgen/lock). On SIGINT/SIGTERM the partitions in flight finish, the
command to resume is printed, and the exit status is 130/143.

Exit status: 0 on success, 2 on bad input (flags, config, output directory, a directory in use or
of another configuration), 1 on a failure while writing, 130/143 when interrupted.`;

export interface GenerateArgs {
  config: Config;
  configSource: string;
  outDir: string;
  workers: number;
  layout: Layout;
  formats: Format[];
  parquet: ParquetOutput;
  tables: TableName[];
  quiet: boolean;
  resume: boolean;
  force: boolean;
  verbose: boolean;
}

/** The lineage's config_source when no --config is given. */
export const BUILT_IN_CONFIG = '(built-in defaults)';

function parsePositiveInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  }
  return Number(text);
}

const VALUE_FLAGS = new Set(['--config', '--scale', '--seed', '--out', '--workers', '--layout', '--format', '--compression', '--row-group-mb', '--tables']);

/** Parses `generate`'s flags; returns null when help was asked for. */
export function parseGenerateArgs(argv: string[], cwd = process.cwd()): GenerateArgs | null {
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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, ''));
  }
  const v = parsed.values;
  if (v.help) return null;
  if (v.resume && v.force) throw new UsageError('--resume and --force cannot be combined (--force starts over, --resume continues)');

  let config: Config;
  let configSource: string;
  try {
    // Without --config the built-in defaults apply, whatever the working directory holds
    // (config/default.yaml documents the same values; test/cli.meta.test.ts keeps them equal).
    if (v.config !== undefined) {
      config = loadConfigFile(resolve(cwd, v.config));
      configSource = v.config;
    } else {
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
  const layout = (v.layout ?? 'single') as Layout;
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
    outDir: resolve(cwd, v.out ?? '.'),
    workers,
    layout,
    formats,
    parquet: { compression, rowGroupBytes: rowGroupMb * 1024 * 1024 },
    tables,
    quiet: v.quiet === true,
    resume: v.resume === true,
    force: v.force === true,
    verbose: v.verbose === true,
  };
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns for a path under
 * /proc (it retries the ENOENT forever), so a bad --out could hang the run instead of failing.
 */
function makeDirectories(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
    makeDirectories(parent);
    mkdirSync(dir);
  }
}

/** Creates OUT/data and OUT/metadata and proves both writable, or fails naming the directory. */
export function prepareOutputDir(outDir: string): void {
  for (const dir of [outDir, join(outDir, 'data'), join(outDir, 'metadata'), join(outDir, STATE_DIR)]) {
    try {
      makeDirectories(dir);
      const probe = join(dir, `.dwgen-write-test-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new UsageError(`--out ${outDir}: cannot write ${dir} (${e.code ?? e.message})`);
    }
  }
}

/** Everything that determines the output bytes (never the worker count). */
export function runManifest(args: GenerateArgs): RunManifest {
  return {
    tool: 'dwgen',
    tool_version: TOOL_VERSION,
    config_sha256: configHash(args.config),
    seed: args.config.seed,
    scale_factor: args.config.scale_factor,
    formats: args.formats,
    layout: args.layout,
    parquet: args.formats.includes('parquet') ? { compression: args.parquet.compression, row_group_bytes: args.parquet.rowGroupBytes } : null,
    tables: args.tables,
  };
}

/** What --out already holds: a dwgen run state (manifest), a finished dwgen dataset without one, or neither. */
function existingRun(state: RunState, outDir: string): { manifest: StoredManifest | null; configSha256: string | null } {
  const manifest = state.readManifest();
  if (manifest) return { manifest, configSha256: manifest.config_sha256 };
  for (const file of ['schema.json']) {
    try {
      const doc = JSON.parse(readFileSync(join(outDir, 'metadata', file), 'utf8')) as { generator?: { name?: string }; config_sha256?: string };
      if (doc.generator?.name === 'dwgen' && typeof doc.config_sha256 === 'string') return { manifest: null, configSha256: doc.config_sha256 };
    } catch {
      /* none, or not dwgen's */
    }
  }
  return { manifest: null, configSha256: null };
}

const shellQuote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** The command that resumes this run: the same flags with absolute --out and --config, plus --resume. */
export function resumeCommand(argv: readonly string[], outDir: string, cwd = process.cwd()): string {
  const out: string[] = ['dwgen', 'generate'];
  let sawOut = false;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (a === '--resume' || a === '--force') continue;
    const eq = /^(--out|--config)=(.*)$/.exec(a);
    if (eq) {
      sawOut ||= eq[1] === '--out';
      a = `${eq[1]}=${resolve(cwd, eq[2])}`;
    } else if ((a === '--out' || a === '--config') && i + 1 < argv.length) {
      sawOut ||= a === '--out';
      out.push(a);
      a = resolve(cwd, argv[++i]);
    }
    out.push(a);
  }
  if (!sawOut) out.push('--out', outDir);
  out.push('--resume');
  return out.map(shellQuote).join(' ');
}

const removeMetadata = (outDir: string): void => {
  // The lineage first: its presence is what marks a complete dataset.
  rmSync(join(outDir, 'metadata', 'generation_lineage.yaml'), { force: true });
  rmSync(join(outDir, 'metadata', 'schema.json'), { force: true });
};

export async function generateCommand(argv: string[]): Promise<number> {
  const args = parseGenerateArgs(argv);
  if (args === null) {
    process.stdout.write(GENERATE_HELP + '\n');
    return 0;
  }
  prepareOutputDir(args.outDir);
  const note = (line: string): void => {
    process.stderr.write(`dwgen: ${line}\n`);
  };
  const state = new RunState(args.outDir);
  const stale = state.acquireLock();
  if (stale) note(`note: ${stale}`);
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++interrupts > 1) {
      // A second signal: stop now. Only temporaries (*.tmp-<pid>, *.dwgen-partial) can be left.
      state.releaseLock();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    note(`${signal}: finishing the partitions in flight, then stopping (send it again to stop at once)`);
    abort.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = new ProgressDisplay(process.stderr, !args.quiet);
  try {
    const manifest = runManifest(args);
    const existing = existingRun(state, args.outDir);
    const sameConfig = existing.manifest
      ? manifestDifferences(existing.manifest, manifest).length === 0
      : existing.configSha256 === null || existing.configSha256 === manifest.config_sha256;
    if (!sameConfig && !args.force) {
      const diffs = existing.manifest ? manifestDifferences(existing.manifest, manifest) : ['config sha256'];
      const what = existing.manifest?.state === 'running' ? 'the state of an unfinished dwgen run' : 'a dwgen dataset';
      throw new UsageError(
        `--out ${args.outDir} holds ${what} of a different configuration (${diffs.join('; ')}): ${args.resume ? '--resume needs the same flags and config as that run; ' : ''}use --force to replace it, or another --out`,
      );
    }
    let resume = args.resume && existing.manifest !== null;
    if (args.resume && !resume) note(`note: nothing to resume in ${args.outDir} (no run state); generating everything`);
    if (args.force) {
      for (const t of TABLE_NAMES) removeTableFiles(join(args.outDir, 'data'), t);
      state.clearRecords();
      resume = false;
    } else if (!resume) {
      if (existing.manifest?.state === 'running') note(`note: ${args.outDir} holds an unfinished run of this configuration; starting over (--resume would reuse its finished partitions)`);
      state.clearRecords();
    }
    removeMetadata(args.outDir);
    state.writeManifest(manifest, 'running');

    const startedAt = new Date();
    const t0 = performance.now();
    let result;
    try {
      result = await generateDataset({
        config: args.config,
        outDir: args.outDir,
        workers: args.workers,
        layout: args.layout,
        formats: args.formats,
        parquet: args.parquet,
        tables: args.tables,
        onProgress: (e) => display.update(e),
        state,
        resume,
        signal: abort.signal,
        log: args.verbose ? note : undefined,
        warn: note,
      });
    } finally {
      display.stop();
    }
    const compileStarted = performance.now();
    writeMetadata(
      args.outDir,
      result,
      {
        config: args.config,
        configSource: args.configSource,
        workers: args.workers,
        layout: args.layout,
        formats: args.formats,
        parquet: args.formats.includes('parquet') ? args.parquet : null,
        startedAt,
        finishedAt: new Date(),
        resumed: result.resumed,
      },
      compileStarted,
      () => signalFaultAt('metadata', 0),
    );
    state.markComplete(manifest);
    if (result.resumed && !args.quiet) {
      note(`resumed: reused ${result.resumed.reused} partitions, generated ${result.resumed.regenerated}`);
    }
    if (!args.quiet) {
      const files = Object.values(result.written);
      const rows = files.reduce((s, t) => s + t!.rows, 0);
      const bytes = files.reduce((s, t) => s + t!.files.reduce((b, f) => b + f.bytes, 0), 0);
      process.stderr.write(summaryLine(files.length, rows, bytes, (performance.now() - t0) / 1000, join(args.outDir, 'data')) + '\n');
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const resumeWith = resumeCommand(argv, args.outDir);
    if (err instanceof InterruptedError) {
      note(`interrupted by ${err.signal}: every finished partition is recorded; no incomplete file is under a final name`);
      note(`resume with: ${resumeWith}`);
      return err.signal === 'SIGTERM' ? 143 : 130;
    }
    note(`failed: ${(err as Error).message ?? String(err)}`);
    if (process.env.DWGEN_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    note(`finished partitions are recorded; after fixing the cause, continue with: ${resumeWith}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    state.releaseLock();
  }
}
