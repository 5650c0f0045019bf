// Test helpers: run the built CLI (dist/, built by `pretest`) in a child process, and read
// generated CSV files back with fast-csv.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse } from 'fast-csv';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/main.js');
export const SMALL_CONFIG = join(ROOT, 'test/fixtures/small.yaml');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'dwgen-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Generates a dataset into a new temporary directory and returns it; throws with stderr on failure. */
export function generate(args: string[]): string {
  const out = tempDir();
  const r = runCli(['generate', '--out', out, '--quiet', ...args]);
  if (r.status !== 0) throw new Error(`dwgen generate failed (${r.status}): ${r.stderr}`);
  return out;
}

/** Reads a CSV file into header + rows of strings (fast-csv, RFC 4180). */
export async function readCsv(path: string): Promise<{ header: string[]; rows: string[][] }> {
  const rows: string[][] = [];
  await new Promise<void>((res, rej) => {
    createReadStream(path)
      .pipe(parse({ headers: false }))
      .on('error', rej)
      .on('data', (row: string[]) => rows.push(row))
      .on('end', () => res());
  });
  const header = rows.shift() ?? [];
  return { header, rows };
}

/** Reads a table as objects keyed by column name. */
export async function readTable(dir: string, table: string): Promise<Record<string, string>[]> {
  const { header, rows } = await readCsv(join(dir, 'data', `${table}.csv`));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every file under dir (relative path → sha256), sorted, skipping nothing. */
export function checksums(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = sha256(p);
    }
  };
  walk(dir);
  return out;
}

/** Money text with exactly two decimals → integer cents (exact; no floating point). */
export function cents(text: string): number {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a two-decimal amount: '${text}'`);
  const v = Number(m[2]) * 100 + Number(m[3]);
  return m[1] ? -v : v;
}
