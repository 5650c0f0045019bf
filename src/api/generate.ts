// The library's generate: `await generate({ out: DIR, scale: 0.01 })` writes a dataset and
// returns what it wrote. It opens the store and the run state, decides whether to continue,
// start over or refuse, runs the generation, and writes the metadata (one machine) or marks the
// shard complete (parts/part). It never prints and never exits: notes go to `onNote`, progress
// to `onProgress`, and every failure is a typed error (UsageError/ConfigError: bad input;
// OutputError: a write failed; PartitionError: a partition failed twice; InterruptedError: the
// signal was aborted, every finished partition is recorded and `resume: true` continues).
import type { Config } from '../config/config.js';
import { makePlan } from '../core/plan.js';
import { TABLE_NAMES, type StepName, type TableName } from '../core/tables.js';
import { UsageError } from '../errors.js';
import { writeMetadata } from '../metadata/metadata.js';
import { datasetConfigSha256, removeMetadata, shardStates } from '../run/datasetState.js';
import { generateRun, removeTableFiles, type Layout, type ProgressEvent } from '../run/generateRun.js';
import { startDecision } from '../run/plan.js';
import { RunRecords, countsKey, shardStateDir, type Shard } from '../run/records.js';
import { writtenFromRecords, writtenTotals, type TableRecord } from '../run/results.js';
import { openStore } from '../storage/openStore.js';
import { STATE_DIR } from '../storage/store.js';
import type { Format } from '../streams/tableOutput.js';
import { parseGenerateArgs, runManifest, type GenerateArgs } from './generateOptions.js';

export interface GenerateOptions {
  /** Dataset root: writes OUT/data and OUT/metadata (created if needed). */
  out: string;
  /** A config object (missing keys take their defaults) or the path of a YAML config file; default: the built-in defaults. */
  config?: Partial<Record<keyof Config, unknown>> | string;
  /** Scale factor (overrides the config's scale_factor; 1 ≈ 100,000 orders). */
  scale?: number;
  /** Random seed (overrides the config's seed). */
  seed?: number;
  /** Output formats (default ['csv']); Parquet is always partitioned. */
  formats?: readonly Format[];
  /** 'single' (default): data/<table>.csv; 'partitioned': data/<table>/part-NNNNN.csv. */
  layout?: Layout;
  /** Parquet compression: snappy (default), zstd, gzip or none. */
  compression?: string;
  /** Parquet row-group size in MB of uncompressed data (default 128). */
  rowGroupMb?: number;
  /** Tables to write (default: all); what they depend on is computed, not written. */
  tables?: readonly TableName[];
  /** Worker threads (default: every core). */
  workers?: number;
  /** Continue an interrupted run in `out` (reuse every partition whose record and files verify). */
  resume?: boolean;
  /** Replace what `out` holds even if it is a dwgen dataset of another configuration. */
  force?: boolean;
  /** Shard the run: write only shard `part` (1-based) of `parts`; then call finalize(). */
  parts?: number;
  part?: number;
  /** Aborting it stops the run after the partitions in flight (an InterruptedError, with abort's reason as the signal name). */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Notes (a stale lock taken over, a partition retried, what resume regenerates and why). */
  onNote?: (line: string) => void;
}

export interface GenerateResult {
  /** The dataset root: an absolute directory, or the s3:// URL. */
  out: string;
  /** Where the data files are, as the store names it (OUT/data, or s3://BUCKET/PREFIX/data). */
  dataLocation: string;
  shard: Shard | null;
  /** The tables written, with their files (path, format, rows, bytes, sha256), from the run's records. */
  tables: Partial<Record<TableName, TableRecord>>;
  /** Row count of every table, written or not. */
  rowCounts: Record<TableName, number>;
  rows: number;
  bytes: number;
  /** Wall time of the whole call and of each logical step. */
  seconds: number;
  stepSeconds: Partial<Record<StepName, number>>;
  /** On resume: partitions reused from the records and partitions generated. */
  resumed: { reused: number; regenerated: number } | null;
  /** The metadata documents written (null for a shard: finalize writes them). */
  metadata: { schema: string; lineage: string } | null;
}

/** The library's options as the CLI's flags: one validation for both. */
function toArgs(options: GenerateOptions): GenerateArgs {
  if (options === null || typeof options !== 'object') throw new UsageError('generate() needs an options object with at least { out }');
  if (typeof options.out !== 'string' || options.out === '') throw new UsageError('generate(): out must be a directory path');
  const argv: string[] = ['--out', options.out];
  const flag = (name: string, value: unknown): void => {
    if (value !== undefined) argv.push(`--${name}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  };
  if (typeof options.config === 'string') flag('config', options.config);
  flag('scale', options.scale);
  flag('seed', options.seed);
  if (options.formats !== undefined) {
    const f = [...new Set(options.formats)];
    flag('format', f.length === 2 ? 'both' : f[0]);
  }
  flag('layout', options.layout);
  flag('compression', options.compression);
  flag('row-group-mb', options.rowGroupMb);
  flag('tables', options.tables);
  flag('workers', options.workers);
  flag('parts', options.parts);
  flag('part', options.part);
  if (options.resume) argv.push('--resume');
  if (options.force) argv.push('--force');
  argv.push('--quiet');
  const doc = options.config !== undefined && typeof options.config === 'object' ? { document: options.config, source: '(a config object passed to generate())' } : undefined;
  return parseGenerateArgs(argv, process.cwd(), {}, doc)!;
}

/** Generates a dataset (or one shard of it). */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  return runGenerate(toArgs(options), { signal: options.signal, onProgress: options.onProgress, onNote: options.onNote });
}

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  onNote?: (line: string) => void;
  /** One line per partition regenerated on resume (the CLI's --verbose). */
  onLog?: (line: string) => void;
}

/** Runs checked arguments (the CLI's path into the library). */
export async function runGenerate(args: GenerateArgs, hooks: RunHooks = {}): Promise<GenerateResult> {
  const t0 = performance.now();
  const note = hooks.onNote ?? (() => undefined);
  const store = openStore(args.store);
  if (!store.canAppend && args.layout === 'single' && args.formats.includes('csv')) {
    throw new UsageError(`--out ${args.outDir}: --layout single grows each file by appending, which this store cannot do; use --layout partitioned`);
  }
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

    const outcome = await generateRun({
      config: args.config,
      store,
      records,
      mode,
      workers: args.workers,
      layout: args.layout,
      formats: args.formats,
      parquet: args.parquet,
      tables: args.tables,
      onProgress: hooks.onProgress,
      resume,
      countsKey: countsKey(manifest),
      signal: hooks.signal,
      log: hooks.onLog,
      warn: note,
    });
    const compileStarted = performance.now();
    const written = await writtenFromRecords([records], args.tables, args.formats, args.layout === 'single');
    const finishedAt = new Date();
    let metadata: GenerateResult['metadata'] = null;
    if (shard === null) {
      metadata = await writeMetadata(
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
    await records.writeManifest({ ...stored, state: 'complete', step_seconds: outcome.stepSeconds, count_seconds: outcome.countSeconds, finished_at: finishedAt.toISOString() });
    await records.dropScratch(shard !== null); // a shard keeps its inventory deltas for finalize
    return {
      out: args.outDir,
      dataLocation: store.locate('data'),
      shard,
      tables: written,
      rowCounts: outcome.rowCounts,
      ...writtenTotals(written),
      seconds: (performance.now() - t0) / 1000,
      stepSeconds: outcome.stepSeconds,
      resumed: outcome.resumed,
      metadata,
    };
  } finally {
    await lock.release();
  }
}
