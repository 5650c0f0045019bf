// `dwgen finalize`: completes a sharded run. Checks that every shard of one configuration is
// complete, merges their inventory deltas, writes the inventory partitions, and writes schema.json
// and the lineage from every shard's records: byte-identical to a one-machine partitioned run.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TABLE_NAMES, type TableName } from '../core/tables.js';
import { InterruptedError, UsageError } from '../errors.js';
import { writeMetadata } from '../metadata/metadata.js';
import { generateRun } from '../run/generateRun.js';
import { RunRecords, manifestDifferences, shardStateDir, type StoredManifest } from '../run/records.js';
import { writtenFromRecords } from '../run/results.js';
import { localStore, openStore } from '../storage/openStore.js';
import { STATE_DIR } from '../storage/store.js';
import type { Format } from '../streams/tableOutput.js';
import { ProgressDisplay, summaryLine } from './progress.js';
import { removeMetadata, shardStates } from './generateCommand.js';

export const FINALIZE_HELP = `Usage: dwgen finalize --out DIR [options]

Complete a sharded run (dwgen generate --parts N --part K, every K written into DIR): check
that all N shards are complete and of one configuration, merge their inventory deltas, write
the inventory partitions, and write metadata/schema.json and metadata/generation_lineage.yaml
with every shard's files. The result is byte-identical to a one-machine
'dwgen generate --layout partitioned' run of the same seed and config. Running it again is safe:
it reuses the inventory partitions whose records verify.

Options:
  --out DIR        the dataset root every shard wrote to (default: .)
  --workers N      worker threads for the inventory partitions (default: all cores, ${availableParallelism()} here)
  --quiet          no progress and no summary line
  --verbose        one line per inventory partition that is regenerated
  -h, --help       show this help

Exit status: 0 on success, 2 when a shard is missing, incomplete or of another configuration
(or N differs between shards), 1 on a failure while writing, 130/143 when interrupted.`;

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
    if (manifests.length > 0) {
      const diffs = manifestDifferences(manifests[0], m);
      if (diffs.length > 0) throw new UsageError(`shard ${k} of ${n} is of another configuration than shard 1 (${diffs.join('; ')}): ${rerun}`);
    }
    manifests.push(m);
    shards.push(r);
  }
  return { manifests, shards };
}

export async function finalizeCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { out: { type: 'string' }, workers: { type: 'string' }, quiet: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, ''));
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(FINALIZE_HELP + '\n');
    return 0;
  }
  if (v.workers !== undefined && (!/^\d+$/.test(v.workers) || Number(v.workers) < 1 || Number(v.workers) > 256)) {
    throw new UsageError(`--workers must be an integer from 1 to 256, got '${v.workers}'`);
  }
  const workers = v.workers === undefined ? availableParallelism() : Number(v.workers);
  const outDir = resolve(v.out ?? '.');
  const note = (line: string): void => {
    process.stderr.write(`dwgen: ${line}\n`);
  };
  const store = openStore(localStore(outDir));
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
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => abort.abort(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = new ProgressDisplay(process.stderr, v.quiet !== true);
  try {
    await removeMetadata(store);
    const startedAt = new Date();
    const manifest: StoredManifest = { ...first, shard: null, state: 'running', host: undefined, step_seconds: undefined, started_at: startedAt.toISOString() };
    const existing = await records.readManifest();
    if (existing && manifestDifferences(existing, manifest).length > 0) await records.clearRecords(); // an earlier dataset of another configuration
    await records.writeManifest(manifest);
    const t0 = performance.now();
    let outcome;
    try {
      outcome = await generateRun({
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
        onProgress: (e) => display.update(e),
        signal: abort.signal,
        log: v.verbose ? note : undefined,
        warn: note,
      });
    } finally {
      display.stop();
    }
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
    await writeMetadata(
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
    if (v.quiet !== true) {
      const list = Object.values(written);
      const rows = list.reduce((s, t) => s + t!.rows, 0);
      const bytes = list.reduce((s, t) => s + t!.files.reduce((b, f) => b + f.bytes, 0), 0);
      process.stderr.write(summaryLine(list.length, rows, bytes, (performance.now() - t0) / 1000, `${store.locate('data')} (${shards.length} shards finalized)`) + '\n');
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof InterruptedError) {
      note(`interrupted by ${err.signal}: run 'dwgen finalize --out ${outDir}' again to complete`);
      return err.exitCode;
    }
    note(`failed: ${(err as Error).message ?? String(err)}`);
    note(`after fixing the cause, run 'dwgen finalize --out ${outDir}' again`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await lock.release();
  }
}
