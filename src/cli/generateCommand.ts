// `dwgen generate`: parses and checks every flag and the config before anything is written,
// opens the store and the run state, decides whether to continue, start over or refuse, runs the
// generation, and writes the metadata (one machine) or marks the shard complete (--parts).
import { availableParallelism } from 'node:os';
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG, MAX_SCALE_FACTOR, loadConfigFile, validateConfig, type Config } from '../config/config.js';
import { TABLE_NAMES, isTableName, type TableName } from '../core/tables.js';
import { TOOL_VERSION, configHash, writeMetadata } from '../metadata/metadata.js';
import { InterruptedError, UsageError } from '../errors.js';
import { DEFAULT_COMPRESSION, parseCompression, type ParquetCompression } from '../parquet/index.js';
import { codecFor } from '../parquet/compression.js';
import { generateRun, removeTableFiles, type Layout } from '../run/generateRun.js';
import { checkShard, partFromEnvironment, startDecision } from '../run/plan.js';
import { RunRecords, parseShardDir, shardStateDir, type RunManifest, type Shard } from '../run/records.js';
import { writtenFromRecords } from '../run/results.js';
import { localStore, openStore } from '../storage/openStore.js';
import { PipeClosedError, StdoutStore } from '../storage/stdoutStore.js';
import { STATE_DIR, type Store } from '../storage/store.js';
import type { Format } from '../streams/tableOutput.js';
import type { ParquetOutput } from '../workers/tasks.js';
import { makePlan } from '../core/plan.js';
import { ProgressDisplay, summaryLine } from './progress.js';

export const GENERATE_HELP = `Usage: dwgen generate [options]

Generate the warehouse: 11 tables under OUT/data and metadata/schema.json and
metadata/generation_lineage.yaml under OUT/metadata. Same seed and config give
byte-identical files for any worker count.

Options:
  --config FILE        YAML config (default: config/default.yaml if it exists, else built-in defaults)
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
  --stdout             stream one table's CSV (the single-file bytes) to standard output, for
                       '| psql -c "COPY … FROM STDIN"', '| gzip' or '| aws s3 cp - …'; needs
                       --tables T with one table; nothing else is written
  --parts N            shard the run N ways (the partitioned layout): this process writes only
                       shard K's partitions, into a directory every shard shares; then
                       'dwgen finalize --out DIR' writes inventory and the metadata
  --part K             this process's shard, 1 to N
  --part-from-env VAR  the shard from a 0-based task index in VAR (part = index + 1; for
                       SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN). Without --part
                       or --part-from-env, --parts detects JOB_COMPLETION_INDEX (Kubernetes
                       Indexed Job), then SLURM_ARRAY_TASK_ID (Slurm job array)
  -h, --help           show this help

A shard rerun with the same flags continues by itself: it reuses what its records verify.
Re-running the same one-machine command without --resume regenerates everything; a directory holding a
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
  /** --parts/--part: this process's shard, or null for a one-machine run. */
  shard: Shard | null;
  /** --stdout: the one table in `tables` goes to standard output. */
  stdout: boolean;
}

const DEFAULT_CONFIG_PATH = 'config/default.yaml';

function parsePositiveInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} must be a positive integer, got '${text}'`);
  }
  return Number(text);
}

const VALUE_FLAGS = new Set(['--config', '--scale', '--seed', '--out', '--workers', '--layout', '--format', '--compression', '--row-group-mb', '--tables', '--parts', '--part', '--part-from-env']);

/** Parses `generate`'s flags; returns null when help was asked for. */
export function parseGenerateArgs(argv: string[], cwd = process.cwd(), env: Readonly<Record<string, string | undefined>> = process.env): GenerateArgs | null {
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
    if (v.config !== undefined) {
      config = loadConfigFile(resolve(cwd, v.config));
      configSource = v.config;
    } else {
      const fallback = resolve(cwd, DEFAULT_CONFIG_PATH);
      let exists = true;
      try {
        accessSync(fallback, constants.R_OK);
      } catch {
        exists = false;
      }
      config = exists ? loadConfigFile(fallback) : validateConfig(structuredClone(DEFAULT_CONFIG));
      configSource = exists ? DEFAULT_CONFIG_PATH : '(built-in defaults)';
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
  const layout = (v.layout ?? (shard ? 'partitioned' : 'single')) as Layout;
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
    shard,
    stdout: v.stdout === true,
  };
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
    shard: args.shard,
  };
}

/** The config sha256 of the finished dwgen dataset in the store (its schema.json), if there is one. */
export async function datasetConfigSha256(store: Store): Promise<string | null> {
  const bytes = await store.get('metadata/schema.json');
  if (bytes === null) return null;
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { generator?: { name?: string }; config_sha256?: string };
    return doc.generator?.name === 'dwgen' && typeof doc.config_sha256 === 'string' ? doc.config_sha256 : null;
  } catch {
    return null; // not dwgen's
  }
}

/** The shard counts whose state the store holds (`.dwgen/shard-KKKKK-of-NNNNN/`). */
export async function shardStates(store: Store): Promise<{ dir: string; shard: Shard }[]> {
  const found = new Map<string, Shard>();
  for (const p of await store.list(STATE_DIR)) {
    const name = p.split('/')[1];
    const shard = name === undefined ? null : parseShardDir(name);
    if (shard) found.set(`${STATE_DIR}/${name}`, shard);
  }
  return [...found].map(([dir, shard]) => ({ dir, shard }));
}

/** Removes the metadata, the lineage first: its presence is what marks a complete dataset. */
export async function removeMetadata(store: Store): Promise<void> {
  await store.remove(['metadata/generation_lineage.yaml']);
  await store.remove(['metadata/schema.json']);
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

/** --stdout: one table's single-file CSV bytes to standard output; EPIPE (a reader like `head` that stops) ends it quietly. */
async function streamToStdout(args: GenerateArgs, note: (line: string) => void): Promise<number> {
  const store = new StdoutStore(process.stdout);
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => abort.abort(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = new ProgressDisplay(process.stderr, !args.quiet);
  try {
    await generateRun({
      config: args.config,
      store,
      records: new RunRecords(store),
      mode: { kind: 'all' },
      workers: args.workers,
      layout: 'single',
      formats: ['csv'],
      parquet: args.parquet,
      tables: args.tables,
      onProgress: (e) => display.update(e),
      resume: false,
      signal: abort.signal,
      warn: note,
    });
    return 0;
  } catch (err) {
    if (err instanceof PipeClosedError) return 0;
    if (err instanceof InterruptedError) return err.exitCode;
    throw err;
  } finally {
    display.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function generateCommand(argv: string[]): Promise<number> {
  const args = parseGenerateArgs(argv);
  if (args === null) {
    process.stdout.write(GENERATE_HELP + '\n');
    return 0;
  }
  const note = (line: string): void => {
    process.stderr.write(`dwgen: ${line}\n`);
  };
  if (args.stdout) return streamToStdout(args, note);
  const store = openStore(localStore(args.outDir));
  await store.prepare();
  const shard = args.shard;
  const plan = makePlan(args.config);
  const mode = shard ? ({ kind: 'shard', shard } as const) : ({ kind: 'all' } as const);
  if (shard && !args.force) {
    const other = (await shardStates(store)).find((s) => s.shard.parts !== shard.parts);
    if (other) throw new UsageError(`--out ${args.outDir} holds shards of --parts ${other.shard.parts} (${other.dir}): --parts ${shard.parts} cannot share it; use the same N, --force, or another --out`);
  }
  const records = new RunRecords(store, shard ? shardStateDir(shard) : STATE_DIR);
  const lock = await store.lock(records.lockPath);
  if (lock.note) note(`note: ${lock.note}`);
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++interrupts > 1) {
      // A second signal: stop now. Only temporaries (*.tmp-<pid>, *.dwgen-partial) can be left.
      void lock.release().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
      return;
    }
    note(`${signal}: finishing the partitions in flight, then stopping (send it again to stop at once)`);
    abort.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = new ProgressDisplay(process.stderr, !args.quiet);
  try {
    const manifest = runManifest(args);
    const decision = startDecision({
      out: args.outDir,
      wanted: manifest,
      existing: await records.readManifest(),
      datasetConfigSha256: await datasetConfigSha256(store),
      resume: args.resume,
      force: args.force,
    });
    if (decision.action === 'refuse') throw new UsageError(decision.message);
    for (const line of decision.notes) note(line);
    const resume = decision.resume;
    if (args.force) {
      await removeTableFiles(store, plan, mode, TABLE_NAMES, records);
      if (shard) {
        for (const other of await shardStates(store)) if (other.shard.parts !== shard.parts) await store.remove(await store.list(other.dir));
      } else {
        await store.remove((await store.list(STATE_DIR)).filter((p) => p !== records.lockPath));
      }
      await records.clearRecords();
    } else if (!resume) {
      await records.clearRecords();
    }
    await removeMetadata(store);
    const startedAt = new Date();
    const stored = { ...manifest, config: args.config, config_source: args.configSource, started_at: startedAt.toISOString() };
    await records.writeManifest({ ...stored, state: 'running' });

    const t0 = performance.now();
    let outcome;
    try {
      outcome = await generateRun({
        config: args.config,
        store,
        records,
        mode,
        workers: args.workers,
        layout: args.layout,
        formats: args.formats,
        parquet: args.parquet,
        tables: args.tables,
        onProgress: (e) => display.update(e),
        resume,
        signal: abort.signal,
        log: args.verbose ? note : undefined,
        warn: note,
      });
    } finally {
      display.stop();
    }
    const compileStarted = performance.now();
    const written = await writtenFromRecords([records], args.tables, args.formats, args.layout === 'single');
    const finishedAt = new Date();
    if (shard === null) {
      await writeMetadata(
        store,
        { ...outcome, written },
        {
          config: args.config,
          configSource: args.configSource,
          workers: args.workers,
          layout: args.layout,
          formats: args.formats,
          parquet: args.formats.includes('parquet') ? args.parquet : null,
          startedAt,
          finishedAt,
          resumed: outcome.resumed,
        },
        compileStarted,
      );
    }
    await records.writeManifest({ ...stored, state: 'complete', step_seconds: outcome.stepSeconds, finished_at: finishedAt.toISOString() });
    await records.dropScratch(shard !== null); // a shard keeps its inventory deltas for finalize
    if (outcome.resumed && !args.quiet && (args.resume || outcome.resumed.reused > 0)) {
      note(`resumed: reused ${outcome.resumed.reused} partitions, generated ${outcome.resumed.regenerated}`);
    }
    if (!args.quiet) {
      const tables = Object.values(written);
      const rows = tables.reduce((s, t) => s + t!.rows, 0);
      const bytes = tables.reduce((s, t) => s + t!.files.reduce((b, f) => b + f.bytes, 0), 0);
      const where = store.locate('data') + (shard ? ` (shard ${shard.part} of ${shard.parts}; run 'dwgen finalize --out ${args.outDir}' once every shard is done)` : '');
      process.stderr.write(summaryLine(tables.length, rows, bytes, (performance.now() - t0) / 1000, where) + '\n');
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const resumeWith = resumeCommand(argv, args.outDir);
    if (err instanceof InterruptedError) {
      note(`interrupted by ${err.signal}: every finished partition is recorded; no incomplete file is under a final name`);
      note(`resume with: ${resumeWith}`);
      return err.exitCode;
    }
    note(`failed: ${(err as Error).message ?? String(err)}`);
    if (process.env.DWGEN_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    note(`finished partitions are recorded; after fixing the cause, continue with: ${resumeWith}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await lock.release();
  }
}
