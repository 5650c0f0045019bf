// Smoke test of the benchmarks (issue 5): runs bench/micro.bench.ts (--quick) and bench/e2e.ts at a tiny
// scale, results into temp dirs, and checks the output's structure — every case, rows > 0, ratios reported. No timing
// assertions, and no ratio's size: a smoke test checks that the bench runs and reports.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../src/core/tables.js';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const dirs: string[] = [];
const temp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs a bench entry point with tsx; returns stdout and the one results JSON it wrote into outDir. */
function runBench(script: string, args: string[], outDir: string): { stdout: string; doc: Record<string, any> } {
  const r = spawnSync(process.execPath, [TSX, script, ...args, '--out-dir', outDir], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0) throw new Error(`${script} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  const files = readdirSync(outDir).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return { stdout: r.stdout, doc: JSON.parse(readFileSync(join(outDir, files[0]), 'utf8')) };
}

const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
/** A reported figure: a finite number. A ratio rounded to 3 places is 0 on a slow enough run, so a smoke test asks only that it is reported. */
const reported = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

describe('benchmarks (smoke)', () => {
  it('micro: --quick runs every case and reports rows/s and ratios', { timeout: 90_000 }, () => {
    const out = temp('dwgen-bench-micro-');
    const { stdout, doc } = runBench('bench/micro.bench.ts', ['--quick', '--scale', '1'], out);
    expect(doc.kind).toBe('micro');
    expect(doc.quick).toBe(true);
    expect(doc.machine.cpu_model).toBeTypeOf('string');
    const cases = doc.cases as { name: string; group: string; rows_per_s: number; rowsPerOp: number; mb_per_s: number | null }[];
    const names = cases.map((c) => c.name);
    for (const prefix of ['random: xoroshiro128+ next()', 'random: below(', 'random: AliasTable.pick', 'random: ZipfKeySampler.pick', 'random: deriveStream',
      'facts: generateOrderPartition', 'facts: countOrderPartition', 'customers: generateCustomers', 'customers: faker template methods',
      'baseline: fast-csv format (transactions_raw)', 'baseline: per-row string concat (transactions_raw)']) {
      expect(names.some((n) => n.startsWith(prefix)), prefix).toBe(true);
    }
    for (const t of TABLE_NAMES) expect(names, `csv: ${t}`).toContain(`csv: ${t}`);
    if (doc.parquet.included) for (const t of TABLE_NAMES) expect(names, `parquet: ${t}`).toContain(`parquet: ${t}`);
    else expect(doc.parquet.note).toMatch(/TODO/);
    for (const c of cases) {
      expect(c.rowsPerOp, c.name).toBeGreaterThan(0);
      expect(positive(c.rows_per_s), c.name).toBe(true);
      if (c.group === 'csv' || c.group === 'parquet') expect(positive(c.mb_per_s), c.name).toBe(true);
    }
    for (const k of ['csv_transactions_vs_fast_csv', 'csv_transactions_vs_string_concat', 'customers_vs_faker_templates']) {
      expect(reported(doc.ratios[k]), k).toBe(true);
    }
    expect(doc.baseline_output_identical).toEqual({ fast_csv: true, string_concat: true });
    expect(stdout).toMatch(/rows\/s/);
  });

  it('e2e: a tiny run reports every table, peak RSS, baselines, ratios and the validate timing', { timeout: 90_000 }, () => {
    const out = temp('dwgen-bench-e2e-');
    const work = temp('dwgen-bench-e2e-data-');
    const { stdout, doc } = runBench('bench/e2e.ts', ['--scale', '0.01', '--workers', '1', '--repeat', '1', '--skip-build', '--quiet-wait', '0', '--tmp-dir', work, '--validate'], out);
    expect(doc.kind).toBe('e2e');
    expect(doc.machine.cores).toBeGreaterThan(0);
    expect(doc.configs).toHaveLength(1);
    const c = doc.configs[0];
    expect(c).toMatchObject({ scale: 0.01, workers: 1, format: 'csv', layout: 'single' });
    expect(c.runs).toHaveLength(1);
    const run = c.runs[0];
    for (const k of ['wall_seconds', 'rows', 'bytes', 'rows_per_s', 'mb_per_s', 'peak_rss_mb']) expect(positive(run[k]), k).toBe(true);
    for (const t of TABLE_NAMES) {
      expect(run.tables[t], t).toBeDefined();
      expect(run.tables[t].rows, t).toBeGreaterThan(0);
      expect(run.tables[t].bytes, t).toBeGreaterThan(0);
      expect(c.summary.tables[t].rows, t).toBe(run.tables[t].rows);
    }
    expect(c.summary.wall_seconds).toMatchObject({ n: 1 });
    const b = doc.baselines['0.01'];
    expect(positive(b.fast_csv.rows_per_s.median)).toBe(true);
    expect(positive(b.parquetjs_lite.rows_per_s.median)).toBe(true);
    expect(positive(b.write_ceiling.mb_per_s.median)).toBe(true);
    for (const k of ['rows_per_s_vs_fast_csv', 'mb_per_s_vs_fast_csv', 'transactions_rows_per_s_vs_fast_csv', 'rows_per_s_vs_parquetjs_lite', 'mb_per_s_vs_write_ceiling', 'mb_per_s_vs_dsdgen_2proc']) {
      expect(reported(c.ratios[k]), k).toBe(true);
    }
    expect(stdout).toMatch(/Ratios/);
    expect(doc.validations).toHaveLength(1);
    expect(doc.validations[0]).toMatchObject({ scale: 0.01, format: 'csv', failed: 0 });
    expect(doc.validations[0].passed).toBeGreaterThan(100);
    expect(positive(doc.validations[0].wall_seconds)).toBe(true);
    expect(readdirSync(work)).toEqual([]); // datasets and baseline files are deleted
  });
});
