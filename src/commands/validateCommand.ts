// `dwgen validate [--dir data] [--metadata metadata] [--json]`: parses its flags, runs every check over the dataset and
// prints the report. Exit code: 0 all checks pass, 1 a check fails, 2 bad flags or unusable input.
import { parseArgs } from 'node:util';
import { errorLine, exitCodeOf } from '../errors.js';
import { withLocalDataset } from '../run/fetchDataset.js';
import { locateDataset } from '../validate/dataset.js';
import { formatJson, formatText } from '../validate/report.js';
import { runValidation } from '../validate/runner.js';

export const VALIDATE_USAGE = `Usage: dwgen validate [--dir data] [--metadata metadata] [--json]

Checks a generated dataset (the data directory and metadata/schema.json, CSV or Parquet,
single-file or partitioned) against the specification: primary and foreign keys, order and
aggregate sums to the cent, promotions, returns, inventory, calendar, dense keys, and each file's
rows, bytes and sha256.

Options:
  --dir DIR        data directory (default: data); a dataset root holding data/ and metadata/
                   (what generate --out writes) is accepted too
  --metadata DIR   metadata directory with schema.json (default: the metadata directory beside
                   the data directory)
  --json           print the report as JSON
  --verbose        print progress to stderr
  -h, --help       show this help

Exit status: 0 every check passes, 1 some check fails, 2 the input cannot be used.
`;

/** The first sentence of a parseArgs error. */
export function shortError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split(/\. (?=[A-Z])/)[0]!.replace(/\.$/, '');
}

/** Where a command writes; defaults to the process streams (tests pass their own). */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIo: CommandIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** An empty --dir or --metadata: the message and exit status 2, else null. */
export function usageOfDirs(command: string, values: { dir?: string; metadata?: string }, io: CommandIo): number | null {
  for (const flag of ['dir', 'metadata'] as const) {
    if (values[flag] === '') {
      io.stderr(`${errorLine(command, `--${flag} needs a directory`)}\n`);
      return 2;
    }
  }
  return null;
}

export async function validateCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let values: { dir?: string; metadata?: string; json?: boolean; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' },
        metadata: { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr(`${errorLine('validate', shortError(err))}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(VALIDATE_USAGE);
    return 0;
  }
  const empty = usageOfDirs('validate', values, io);
  if (empty !== null) return empty;
  try {
    // --dir s3://BUCKET/PREFIX: the dataset is fetched into a temporary directory first.
    const report = await withLocalDataset(values.dir, (dir) =>
      runValidation(locateDataset(dir, values.metadata), {
        ...(values.verbose ? { onProgress: (l: string) => io.stderr(`${l}\n`) } : {}),
      }),
    );
    io.stdout(values.json ? formatJson(report) : formatText(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    return reportError('validate', err, io);
  }
}

/** Prints the error's one line (errorLine) and returns its exit status; the stack only under DWGEN_DEBUG. */
export function reportError(command: string, err: unknown, io: CommandIo): number {
  io.stderr(`${errorLine(command, err)}\n`);
  if (process.env.DWGEN_DEBUG) io.stderr(`${(err as Error)?.stack ?? String(err)}\n`);
  return exitCodeOf(err);
}
