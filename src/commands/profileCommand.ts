// `dwgen profile [--dir DATA] [--metadata META] [--out profile.html]`: writes one self-contained
// HTML report of a dataset (figures from DuckDB, charts as static SVG). Exit 0 on success, 2 for bad
// flags or a dataset it cannot read, 1 when the report cannot be written.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { computeProfile, ProfileError, renderProfileHtml } from '../profile/profile.js';
import { DatasetError, locateDataset } from '../validate/dataset.js';
import { processIo, usageOfDirs, type CommandIo } from './validateCommand.js';

export const PROFILE_USAGE = `Usage: dwgen profile [--dir data] [--metadata metadata] [--out profile.html]

Writes one self-contained HTML page (no network needed to view it) profiling a generated dataset:
row counts and per-column nulls, distinct counts, min/max and top values; charts of daily orders
and revenue, orders by weekday, product and customer popularity, orders per customer by loyalty
tier, revenue and return rate by category, customers and stores by state, and the order-status
mix by month. Every figure is computed in DuckDB from the dataset's CSV or Parquet files.

Options:
  --dir DIR        data directory, or a dataset root holding data/ and metadata/ (default: data)
  --metadata DIR   metadata directory (default: the metadata directory beside the data directory)
  --out FILE       where to write the page (default: profile.html)
  -h, --help       show this help
`;

export async function profileCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let values: { dir?: string; metadata?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { dir: { type: 'string' }, metadata: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    io.stderr(`dwgen profile: ${(err instanceof Error ? err.message : String(err)).split(/\. (?=[A-Z])/)[0]!.replace(/\.$/, '')}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(PROFILE_USAGE);
    return 0;
  }
  const empty = usageOfDirs('profile', values, io);
  if (empty !== null) return empty;
  if (values.out === '') {
    io.stderr('dwgen profile: --out needs a file name\n');
    return 2;
  }
  const out = values.out ?? 'profile.html';
  let html: string;
  try {
    html = renderProfileHtml(await computeProfile(locateDataset(values.dir, values.metadata)));
  } catch (err) {
    if (err instanceof DatasetError || err instanceof ProfileError) {
      io.stderr(`dwgen profile: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    await writeFile(out, html);
  } catch (err) {
    io.stderr(`dwgen profile: cannot write ${out} (${(err as NodeJS.ErrnoException).code ?? String(err)})\n`);
    return 1;
  }
  io.stdout(`dwgen profile: wrote ${out} (${(html.length / 1024).toFixed(0)} KB)\n`);
  return 0;
}
