// `dwgen generate`: the command line over the library's generate (src/api/generate.ts): parses
// the flags, prints progress, notes and the summary on stderr, turns SIGINT/SIGTERM into an abort
// (a second one stops at once), and prints the command that resumes a failed or interrupted run.
import { resolve } from 'node:path';
import { MAX_SCALE_FACTOR } from '../config/config.js';
import { TABLE_NAMES } from '../core/tables.js';
import { InterruptedError, UsageError, errorLine } from '../errors.js';
import { runGenerate } from '../api/generate.js';
import { parseGenerateArgs, type GenerateArgs } from '../api/generateOptions.js';
import { generateRun } from '../run/generateRun.js';
import { RunRecords } from '../run/records.js';
import { isStoreUrl } from '../storage/openStore.js';
import { PipeClosedError, StdoutStore } from '../storage/stdoutStore.js';
import { availableParallelism } from 'node:os';
import { ProgressDisplay, summaryLine } from './progress.js';

export { parseGenerateArgs, type GenerateArgs };

export const GENERATE_HELP = `Usage: dwgen generate [options]

Generate the warehouse: 11 tables under OUT/data and metadata/schema.json and
metadata/generation_lineage.yaml under OUT/metadata. Same seed and config give
byte-identical files for any worker count.

Options:
  --config FILE        YAML config (default: the built-in defaults, which config/default.yaml documents)
  --scale N            scale factor, > 0 and ≤ ${MAX_SCALE_FACTOR} (overrides scale_factor; 1 ≈ 100,000 orders)
  --seed N             random seed, a non-negative integer (overrides seed)
  --out DIR|s3://B/P   dataset root: writes DIR/data and DIR/metadata (default: .); or an S3
                       bucket and prefix (credentials, region and endpoint from the AWS SDK's
                       chain: AWS_PROFILE, AWS_ACCESS_KEY_ID…, AWS_REGION, AWS_ENDPOINT_URL_S3),
                       where every table is written as part files
  --s3-part-mb N       s3://: the multipart upload part size in MiB (default 16, at least 5)
  --s3-path-style      s3://: path-style URLs (the default when a custom endpoint is set)
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
      a = `${eq[1]}=${isStoreUrl(eq[2]) ? eq[2] : resolve(cwd, eq[2])}`;
    } else if ((a === '--out' || a === '--config') && i + 1 < argv.length) {
      sawOut ||= a === '--out';
      out.push(a);
      a = isStoreUrl(argv[i + 1]) ? argv[++i] : resolve(cwd, argv[++i]);
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
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++interrupts > 1) process.exit(signal === 'SIGINT' ? 130 : 143); // only temporaries (*.tmp-<pid>, *.dwgen-partial) can be left
    note(`${signal}: finishing the partitions in flight, then stopping (send it again to stop at once)`);
    abort.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = new ProgressDisplay(process.stderr, !args.quiet);
  try {
    const result = await runGenerate(args, { signal: abort.signal, onProgress: (e) => display.update(e), onNote: note, onLog: args.verbose ? note : undefined });
    display.stop();
    if (result.resumed && !args.quiet && (args.resume || result.resumed.reused > 0)) {
      note(`resumed: reused ${result.resumed.reused} partitions, generated ${result.resumed.regenerated}`);
    }
    if (!args.quiet) {
      const shard = result.shard;
      const where = result.dataLocation + (shard ? ` (shard ${shard.part} of ${shard.parts}; run 'dwgen finalize --out ${args.outDir}' once every shard is done)` : '');
      process.stderr.write(summaryLine(Object.keys(result.tables).length, result.rows, result.bytes, result.seconds, where) + '\n');
    }
    return 0;
  } catch (err) {
    display.stop();
    if (err instanceof UsageError) throw err;
    const resumeWith = resumeCommand(argv, args.outDir);
    if (err instanceof InterruptedError) {
      note(`interrupted by ${err.signal}: every finished partition is recorded; no incomplete file is under a final name`);
      note(`resume with: ${resumeWith}`);
      return err.exitCode;
    }
    process.stderr.write(`${errorLine('generate', err)}\n`);
    if (process.env.DWGEN_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    note(`finished partitions are recorded; after fixing the cause, continue with: ${resumeWith}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
