// `dwgen validate [--dir DIR] [--json]`: parses its flags, runs every check over the dataset and
// prints the report. Exit code: 0 all checks pass, 1 a check fails, 2 bad flags or unusable input.
import { parseArgs } from 'node:util';
import { DatasetError } from '../validate/dataset.js';
import { formatJson, formatText } from '../validate/report.js';
import { runValidation } from '../validate/runner.js';

export const VALIDATE_USAGE = `Usage: dwgen validate [--dir DIR] [--json]

Checks a generated dataset (DIR/data + DIR/metadata/schema.json, CSV or Parquet, single-file or
partitioned) against the specification: primary and foreign keys, order and aggregate sums to the
cent, promotions, returns, inventory, calendar, dense keys, and each file's rows, bytes and sha256.

Options:
  --dir DIR    dataset root (default: the current directory)
  --json       print the report as JSON
  --verbose    print progress to stderr
  -h, --help   show this help

Exit status: 0 every check passes, 1 some check fails, 2 the input cannot be used.
`;

/** The first sentence of a parseArgs error. */
function shortError(err: unknown): string {
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

export async function validateCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let values: { dir?: string; json?: boolean; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr(`dwgen validate: ${shortError(err)}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(VALIDATE_USAGE);
    return 0;
  }
  if (values.dir === '') {
    io.stderr('dwgen validate: --dir needs a directory\n');
    return 2;
  }
  try {
    const report = await runValidation(values.dir ?? '.', {
      ...(values.verbose ? { onProgress: (l: string) => io.stderr(`${l}\n`) } : {}),
    });
    io.stdout(values.json ? formatJson(report) : formatText(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof DatasetError) {
      io.stderr(`dwgen validate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
