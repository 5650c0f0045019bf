// Bench helper (owned by the benchmarks, issue 5): machine description, median/range statistics,
// number formatting and the results file (bench/results/<kind>-<date>-<config>.json).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem, availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DEFAULT_RESULTS_DIR = join(ROOT, 'bench/results');

export interface Machine {
  cpu_model: string;
  cores: number;
  node: string;
  platform: string;
  total_memory_gb: number;
  free_memory_gb: number;
  load_average_1m: number;
  date: string;
  git_commit: string | null;
}

export function machine(): Machine {
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = null;
  }
  return {
    cpu_model: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    total_memory_gb: round(totalmem() / 2 ** 30, 1),
    free_memory_gb: round(freemem() / 2 ** 30, 1),
    load_average_1m: round(loadavg()[0], 2),
    date: new Date().toISOString(),
    git_commit: commit,
  };
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const median = n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, min: s[0], max: s[n - 1], n };
}

export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Significant-figure formatting for tables: 1234567 → "1.23M". */
export function si(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(digits)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(digits)}M`;
  if (a >= 1e3) return `${(v / 1e3).toPrecision(digits)}k`;
  return v.toPrecision(digits);
}

/** "median (min–max)" */
export function fmtSpread(s: Spread, f: (v: number) => string = (v) => si(v)): string {
  return s.n <= 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

export const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);
export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×` : 'n/a');

/** Writes a results document as bench/results-style JSON; returns its path. */
export function saveResults(dir: string, kind: string, config: string, doc: unknown): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\..*$/, 'Z');
  const path = join(dir, `${kind}-${stamp}${config ? `-${config}` : ''}.json`);
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
  return path;
}

/** Minimal flag parser: --name value, --name=value, --flag (boolean when no value follows). */
export function parseFlags(argv: readonly string[], booleans: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (booleans.includes(a.slice(2))) {
      flags.set(a.slice(2), 'true');
    } else {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      flags.set(a.slice(2), argv[++i]);
    }
  }
  return flags;
}
