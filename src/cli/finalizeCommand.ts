// `dwgen finalize`: the command line over the library's finalize (src/api/finalize.ts).
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { InterruptedError, UsageError, errorLine, flagError } from '../errors.js';
import { finalize } from '../api/finalize.js';
import { isStoreUrl } from '../storage/openStore.js';
import { ProgressDisplay, summaryLine } from './progress.js';

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
    throw flagError(err);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(FINALIZE_HELP + '\n');
    return 0;
  }
  if (v.workers !== undefined && !/^\d+$/.test(v.workers)) throw new UsageError(`--workers must be an integer from 1 to 256, got '${v.workers}'`);
  const out = v.out ?? '.';
  const outDir = isStoreUrl(out) ? out : resolve(out);
  const note = (line: string): void => {
    process.stderr.write(`dwgen: ${line}\n`);
  };
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => abort.abort(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = new ProgressDisplay(process.stderr, v.quiet !== true);
  try {
    const r = await finalize({
      out: outDir,
      workers: v.workers === undefined ? undefined : Number(v.workers),
      signal: abort.signal,
      onProgress: (e) => display.update(e),
      onNote: note,
      onLog: v.verbose ? note : undefined,
    });
    display.stop();
    if (v.quiet !== true) process.stderr.write(summaryLine(Object.keys(r.tables).length, r.rows, r.bytes, r.seconds, `${r.dataLocation} (shards finalized)`) + '\n');
    return 0;
  } catch (err) {
    display.stop();
    if (err instanceof UsageError) throw err;
    if (err instanceof InterruptedError) {
      note(`interrupted by ${err.signal}: run 'dwgen finalize --out ${outDir}' again to complete`);
      return err.exitCode;
    }
    process.stderr.write(`${errorLine('finalize', err)}\n`);
    note(`after fixing the cause, run 'dwgen finalize --out ${outDir}' again`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
