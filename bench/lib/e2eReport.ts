// Bench helper (owned by the benchmarks, issue 5): the e2e results document's shape, the targets and
// reference numbers, and its rendering as the Markdown tables of BENCHMARKS.md (npm run bench:e2e -- --markdown FILES).
import type { Machine, Spread } from './report.js';
import { fmtRatio, fmtSpread, si } from './report.js';

/** Targets of issue 5 (SF 10, 2 workers, CSV). */
export const TARGETS = { scale: 10, workers: 2, min_mb_per_s: 250, max_peak_rss_mb: 300 } as const;
/** Earlier measurements on this machine, not re-measured by the bench: TPC tools with 2 processes. */
export const REFERENCES = { dsdgen_2proc_mb_per_s: 47, dbgen_2proc_mb_per_s: 133 } as const;

export interface TableRecord {
  rows: number;
  bytes: number;
  files: number;
  /** The lineage step whose pass wrote the table (fused fact steps share one pass) and its wall time. */
  step: string | null;
  step_seconds: number | null;
}

export interface RunRecord {
  wall_seconds: number;
  rows: number;
  bytes: number;
  rows_per_s: number;
  mb_per_s: number;
  peak_rss_mb: number;
  cpu_seconds: number;
  cpu_utilisation: number;
  /** Busy share (0–1) of all cores just before the run, from other processes (the machine is shared). */
  machine_busy_before: number;
  /** Share (0–1) of all cores used by other processes during the run (/proc/stat busy time minus dwgen's CPU time). */
  other_load_during: number;
  tables: Record<string, TableRecord>;
}

export interface ConfigResult {
  scale: number;
  workers: number;
  format: string;
  layout: string;
  runs: RunRecord[];
  summary: {
    rows: number;
    bytes: number;
    wall_seconds: Spread;
    rows_per_s: Spread;
    mb_per_s: Spread;
    peak_rss_mb: Spread;
    cpu_utilisation: Spread;
    machine_busy_before: Spread;
    other_load_during?: Spread;
    tables: Record<string, { rows: number; bytes: number; step: string | null; step_seconds: Spread; rows_per_s: number; mb_per_s: number }>;
  };
  ratios: Record<string, number>;
}

export interface ValidationRun {
  scale: number;
  format: string;
  layout: string;
  bytes: number;
  wall_seconds: number;
  mb_per_s: number;
  peak_rss_mb: number;
  checks: number;
  passed: number;
  failed: number;
  skipped: number;
}

export interface E2eDoc {
  kind: 'e2e';
  command: string;
  machine: Machine;
  build?: { dist_sha256: string; src_dirty: boolean | null; dwgen_root?: string; label?: string | null };
  options: Record<string, unknown>;
  mb: string;
  references: typeof REFERENCES;
  targets: typeof TARGETS;
  configs: ConfigResult[];
  baselines: Record<string, {
    sample_rows: number;
    fast_csv: { rows: number; bytes: number; rows_per_s: Spread; mb_per_s: Spread };
    parquetjs_lite: { rows: number; bytes: number; rows_per_s: Spread; mb_per_s: Spread };
    write_ceiling: { bytes: number; mb_per_s: Spread };
  }>;
  /** `dwgen validate` timed on the first dataset of each scale and format (--validate). */
  validations?: ValidationRun[];
  total_seconds: number;
}

const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const f1 = (v: number): string => v.toFixed(1);
const f0 = (v: number): string => v.toFixed(0);
const pct = (v: number): string => `${Math.round(v * 100)}%`;

/** Markdown tables of one or more e2e result documents: runs, per table, baselines and ratios, and scaling. */
export function renderMarkdown(docs: readonly E2eDoc[]): string {
  const out: string[] = [];
  for (const d of docs) {
    out.push(`### \`${d.command}\``, '', `${d.machine.cpu_model}, ${d.machine.cores} cores, Node ${d.machine.node}, ${d.machine.date.slice(0, 16).replace('T', ' ')} UTC, load ${d.machine.load_average_1m} at start, commit ${d.machine.git_commit ?? '?'}${d.build ? `, dist ${d.build.dist_sha256}${d.build.src_dirty ? ' (src/ had uncommitted changes)' : ''}${d.build.label ? `, dwgen: ${d.build.label}` : ''}` : ''}`, '');
    out.push(row(['SF', 'workers', 'format', 'layout', 'rows', 'bytes', 'wall s', 'rows/s', 'MB/s', 'peak RSS MB', 'CPU/wall', 'other load before / during']));
    out.push(row(Array(12).fill('---')));
    for (const c of d.configs) {
      const s = c.summary;
      out.push(row([c.scale, c.workers, c.format, c.layout, si(s.rows), `${si(s.bytes)}B`, fmtSpread(s.wall_seconds, (v) => v.toFixed(2)), fmtSpread(s.rows_per_s), fmtSpread(s.mb_per_s, f1), fmtSpread(s.peak_rss_mb, f0), fmtSpread(s.cpu_utilisation, (v) => v.toFixed(2)), `${s.machine_busy_before ? fmtSpread(s.machine_busy_before, pct) : 'n/a'} / ${s.other_load_during ? fmtSpread(s.other_load_during, pct) : 'n/a'}`]));
    }
    out.push('', 'Baselines (same invocation, transactions_raw rows as dwgen wrote them):', '');
    out.push(row(['SF', 'fast-csv rows/s', 'fast-csv MB/s', 'parquetjs-lite rows/s', 'write ceiling MB/s']));
    out.push(row(Array(5).fill('---')));
    for (const [scale, b] of Object.entries(d.baselines)) {
      out.push(row([scale, `${fmtSpread(b.fast_csv.rows_per_s)} (${si(b.fast_csv.rows)} rows)`, fmtSpread(b.fast_csv.mb_per_s, f1), `${fmtSpread(b.parquetjs_lite.rows_per_s)} (${si(b.parquetjs_lite.rows)} rows)`, `${fmtSpread(b.write_ceiling.mb_per_s, f0)} (${si(b.write_ceiling.bytes)}B)`]));
    }
    out.push('', 'Ratios, dwgen median ÷ baseline median:', '');
    out.push(row(['SF', 'workers', 'rows/s ÷ fast-csv', 'transactions rows/s ÷ fast-csv', 'MB/s ÷ fast-csv', 'rows/s ÷ parquetjs-lite', 'MB/s ÷ write ceiling', 'MB/s ÷ dsdgen 2p (47)', 'MB/s ÷ dbgen 2p (133)']));
    out.push(row(Array(9).fill('---')));
    for (const c of d.configs) {
      const r = c.ratios;
      out.push(row([c.scale, c.workers, fmtRatio(r.rows_per_s_vs_fast_csv), fmtRatio(r.transactions_rows_per_s_vs_fast_csv), fmtRatio(r.mb_per_s_vs_fast_csv), fmtRatio(r.rows_per_s_vs_parquetjs_lite), fmtRatio(r.mb_per_s_vs_write_ceiling), fmtRatio(r.mb_per_s_vs_dsdgen_2proc), fmtRatio(r.mb_per_s_vs_dbgen_2proc)]));
    }
    const big = d.configs[d.configs.length - 1];
    if (big) {
      out.push('', `Per table, SF ${big.scale}, ${big.workers} worker(s) (rows/s and MB/s of the pass that wrote the table; the five order tables share one fused pass):`, '');
      out.push(row(['table', 'rows', 'bytes', 'pass', 'pass wall s', 'rows/s', 'MB/s']));
      out.push(row(Array(7).fill('---')));
      for (const [t, v] of Object.entries(big.summary.tables)) out.push(row([t, v.rows, v.bytes, v.step ?? '', fmtSpread(v.step_seconds, (x) => x.toFixed(3)), si(v.rows_per_s), f1(v.mb_per_s)]));
    }
    if (d.validations && d.validations.length > 0) {
      out.push('', '`dwgen validate` on the first dataset of each format (every check in DuckDB):', '');
      out.push(row(['SF', 'format', 'layout', 'bytes', 'wall s', 'MB/s', 'peak RSS MB', 'checks', 'passed', 'failed']));
      out.push(row(Array(10).fill('---')));
      for (const v of d.validations) out.push(row([v.scale, v.format, v.layout, `${si(v.bytes)}B`, v.wall_seconds.toFixed(2), f1(v.mb_per_s), f0(v.peak_rss_mb), v.checks, v.passed, v.failed]));
    }
    out.push('');
  }
  // Scaling across documents: one row per (scale, workers) seen, same format and layout.
  const all = docs.flatMap((d) => d.configs);
  if (new Set(all.map((c) => c.scale)).size > 1) {
    out.push('### Scaling', '');
    out.push(row(['SF', 'workers', 'layout', 'runs', 'rows', 'bytes', 'rows/s', 'MB/s', 'peak RSS MB']));
    out.push(row(Array(9).fill('---')));
    for (const c of [...all].sort((a, b) => a.layout.localeCompare(b.layout) || a.workers - b.workers || a.scale - b.scale)) {
      const s = c.summary;
      out.push(row([c.scale, c.workers, c.layout, c.runs.length, si(s.rows), `${si(s.bytes)}B`, fmtSpread(s.rows_per_s), fmtSpread(s.mb_per_s, f1), fmtSpread(s.peak_rss_mb, f0)]));
    }
    out.push('');
  }
  return out.join('\n');
}
