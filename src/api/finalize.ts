// The library's finalize: completes a sharded run. Checks that every shard of one configuration
// is complete, merges their inventory deltas, writes the inventory partitions, and writes
// schema.json and the lineage from every shard's records: byte-identical to a one-machine
// partitioned run. Never prints, never exits; refusals are UsageErrors naming the shard.
import { availableParallelism } from 'node:os';
import { TABLE_NAMES, type TableName } from '../core/tables.js';
import { UsageError } from '../errors.js';
import { writeMetadata } from '../metadata/metadata.js';
import { removeMetadata, shardStates } from '../run/datasetState.js';
import { generateRun, type ProgressEvent } from '../run/generateRun.js';
import { OUTPUT_REVISION } from '../core/outputRevision.js';
import { RunRecords, countsKey, manifestDifferences, shardStateDir, type StoredManifest } from '../run/records.js';
import { writtenFromRecords, writtenTotals } from '../run/results.js';
import { openStore, storeFromOut } from '../storage/openStore.js';
import { STATE_DIR } from '../storage/store.js';
import type { Format } from '../streams/tableOutput.js';
import type { GenerateResult } from './generate.js';

export interface FinalizeOptions {
  /** The dataset root every shard wrote to. */
  out: string;
  /** Worker threads for the inventory partitions (default: every core). */
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  onNote?: (line: string) => void;
  /** One line per inventory partition regenerated (the CLI's --verbose). */
  onLog?: (line: string) => void;
}

/** Checks the shards in the store: one N, every shard 1..N present and complete, one configuration. */
async function checkShards(out: string, records: (k: number, n: number) => RunRecords, found: { shard: { parts: number } }[]): Promise<{ manifests: StoredManifest[]; shards: RunRecords[] }> {
  const counts = [...new Set(found.map((s) => s.shard.parts))].sort((a, b) => a - b);
  if (counts.length === 0) throw new UsageError(`--out ${out} holds no shard state (${STATE_DIR}/shard-KKKKK-of-NNNNN/): run 'dwgen generate --parts N --part K --out ${out}' for every K first`);
  if (counts.length > 1) throw new UsageError(`--out ${out} holds shards of different counts (--parts ${counts.join(' and --parts ')}): finalize needs every shard of one N`);
  const n = counts[0];
  const manifests: StoredManifest[] = [];
  const shards: RunRecords[] = [];
  for (let k = 1; k <= n; k++) {
    const r = records(k, n);
    const m = await r.readManifest();
    const rerun = `rerun 'dwgen generate --parts ${n} --part ${k} --out ${out}' with the flags of the other shards`;
    if (m === null) throw new UsageError(`shard ${k} of ${n} is missing (no ${r.dir}/run.json): ${rerun}`);
    if (m.state !== 'complete') throw new UsageError(`shard ${k} of ${n} is incomplete (${r.dir}/run.json says ${m.state}): ${rerun} (it continues from its records)`);
    if (!m.config) throw new UsageError(`shard ${k} of ${n}: ${r.dir}/run.json holds no config (written by another dwgen version?): ${rerun}`);
    if (m.output_revision !== OUTPUT_REVISION) {
      throw new UsageError(
        `shard ${k} of ${n} was written by a dwgen build of output revision ${m.output_revision ?? '2 or older'}, this one writes revision ${OUTPUT_REVISION}: generate every shard with this build (--force replaces them)`,
      );
    }
    if (manifests.length > 0) {
      const diffs = manifestDifferences(manifests[0], m);
      if (diffs.length > 0) throw new UsageError(`shard ${k} of ${n} is of another configuration than shard 1 (${diffs.join('; ')}): ${rerun}`);
    }
    manifests.push(m);
    shards.push(r);
  }
  return { manifests, shards };
}

export async function finalize(options: FinalizeOptions): Promise<GenerateResult> {
  const t0 = performance.now();
  if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > 256)) {
    throw new UsageError(`--workers must be an integer from 1 to 256, got '${options.workers}'`);
  }
  const workers = options.workers ?? availableParallelism();
  const description = storeFromOut(options.out);
  const outDir = description.kind === 'local' ? description.root : options.out;
  const note = options.onNote ?? (() => undefined);
  const store = openStore(description);
  await store.prepare();
  const { manifests, shards } = await checkShards(outDir, (k, n) => new RunRecords(store, shardStateDir({ part: k, parts: n })), await shardStates(store));
  const first = manifests[0];
  const config = first.config!;
  const formats = first.formats as Format[];
  const tables = TABLE_NAMES.filter((t) => first.tables.includes(t)) as TableName[];
  const parquet = first.parquet ? { compression: first.parquet.compression, rowGroupBytes: first.parquet.row_group_bytes } : { compression: 'snappy', rowGroupBytes: 128 * 1024 * 1024 };

  const records = new RunRecords(store, STATE_DIR);
  const lock = await store.lock(records.lockPath);
  if (lock.note) note(`note: ${lock.note}`);
  try {
    await removeMetadata(store);
    const startedAt = new Date();
    const manifest: StoredManifest = { ...first, shard: null, state: 'running', host: undefined, step_seconds: undefined, started_at: startedAt.toISOString() };
    const existing = await records.readManifest();
    if (existing && manifestDifferences(existing, manifest).length > 0) await records.clearRecords(); // an earlier dataset of another configuration
    await records.writeManifest(manifest);
    const outcome = await generateRun({
        config,
        store,
        records,
        mode: { kind: 'finalize', shards },
        workers,
        layout: 'partitioned',
        formats,
        parquet,
        tables,
        resume: true,
        countsKey: countsKey(first),
        onProgress: options.onProgress,
        signal: options.signal,
        log: options.onLog,
        warn: note,
      });
    const compileStarted = performance.now();
    const written = await writtenFromRecords([...shards, records], tables, formats, false);
    // A step's wall time is the longest any shard took for it (they run side by side).
    const stepSeconds = { ...outcome.stepSeconds };
    for (const m of manifests) {
      for (const [step, s] of Object.entries(m.step_seconds ?? {})) {
        const key = step as keyof typeof stepSeconds;
        if (key !== 'update_inventory') stepSeconds[key] = Math.max(stepSeconds[key] ?? 0, s);
      }
    }
    const finishedAt = new Date();
    const metadata = await writeMetadata(
      store,
      { ...outcome, stepSeconds, written },
      {
        config,
        configSource: first.config_source ?? '(unknown)',
        workers,
        layout: 'partitioned',
        formats,
        parquet: first.parquet ? parquet : null,
        startedAt: new Date(manifests.reduce((a, m) => (m.started_at && m.started_at < a ? m.started_at : a), startedAt.toISOString())),
        finishedAt,
        shards: { count: shards.length, hosts: manifests.map((m) => m.host ?? '(unknown)') },
      },
      compileStarted,
    );
    await records.writeManifest({ ...manifest, state: 'complete', finished_at: finishedAt.toISOString() });
    await records.dropScratch(false);
    for (const s of shards) await s.dropScratch(false); // the deltas are merged into the inventory now
    return {
      out: outDir,
      dataLocation: store.locate('data'),
      shard: null,
      tables: written,
      rowCounts: outcome.rowCounts,
      ...writtenTotals(written),
      seconds: (performance.now() - t0) / 1000,
      stepSeconds,
      resumed: null,
      metadata,
    };
  } finally {
    await lock.release();
  }
}
