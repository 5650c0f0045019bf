// End-to-end benchmark (issue 5): `dwgen generate` in fresh processes — rows, bytes, wall time, rows/s, MB/s,
// peak RSS per run and table — with fast-csv, parquetjs-lite and raw-write baselines. Run: npm run bench:e2e -- …
//
//   --scale 1[,10,…]      scale factors (default 1; 100 is the long run: ≈ 3 GB of CSV)
//   --workers 1,2         worker counts (default 1,2)
//   --format csv          formats passed to `dwgen generate --format` (default csv)
//   --layout single       single and/or partitioned (default single)
//   --repeat 3            runs per configuration (median and range are reported)
//   --baseline-rows N     transactions_raw rows formatted by fast-csv (default 200000)
//   --parquet-rows N      rows written by parquetjs-lite (default 100000; it is slow)
//   --out-dir DIR         where the results JSON goes (default bench/results)
//   --tmp-dir DIR         where datasets are generated and deleted (default: the OS temp dir)
//   --quiet-wait S        before each run, wait up to S seconds for the other load on the machine to drop
//                         below 25 % of its cores (default 30; 0 = do not wait); the load seen is recorded
//   --dwgen DIR           the dwgen checkout to benchmark (default: this one); e.g. a clean `git archive HEAD`
//                         export with node_modules symlinked, when others are editing src/ here
//   --label TEXT          recorded in the results (e.g. the commit an export was made from)
//   --skip-build          do not run `npm run build` first (dist/ must be current)
//   --no-save             print only
//   --validate            also time `dwgen validate` on the first dataset of each scale and format
//   --markdown F1 F2 …    print the BENCHMARKS.md tables of saved result files, and exit
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { ColumnBatch } from '../src/core/columns.js';
import { fastCsvFormat, parquetjsWrite, parseTransactionLines, writeCeiling } from './lib/baselines.js';
import { renderMarkdown, type E2eDoc, type ConfigResult, type RunRecord, type TableRecord, type ValidationRun, TARGETS, REFERENCES } from './lib/e2eReport.js';
import { DEFAULT_RESULTS_DIR, ROOT, fmtRatio, fmtSpread, machine, parseFlags, ratio, round, saveResults, si, spread } from './lib/report.js';

const argv = process.argv.slice(2);
const mdAt = argv.indexOf('--markdown');
if (mdAt >= 0) {
  const docs = argv.slice(mdAt + 1).map((f) => JSON.parse(readFileSync(f, 'utf8')) as E2eDoc);
  process.stdout.write(renderMarkdown(docs));
  process.exit(0);
}

const flags = parseFlags(argv, ['skip-build', 'no-save', 'validate']);
const list = (name: string, fallback: string): string[] => (flags.get(name) ?? fallback).split(',').map((s) => s.trim()).filter((s) => s !== '');
const positive = (name: string, v: string): number => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${name} must be a positive number, got '${v}'`);
  return n;
};
const scales = list('scale', '1').map((s) => positive('scale', s));
const workersList = list('workers', '1,2').map((s) => positive('workers', s));
const formats = list('format', 'csv');
const layouts = list('layout', 'single');
for (const l of layouts) if (l !== 'single' && l !== 'partitioned') throw new Error(`--layout must be single or partitioned, got '${l}'`);
const repeat = Math.round(positive('repeat', flags.get('repeat') ?? '3'));
const baselineRows = Math.round(positive('baseline-rows', flags.get('baseline-rows') ?? '200000'));
const parquetRows = Math.round(positive('parquet-rows', flags.get('parquet-rows') ?? '100000'));
const outDir = flags.get('out-dir') ?? DEFAULT_RESULTS_DIR;
const tmpRoot = flags.get('tmp-dir') ?? tmpdir();
const quietWait = Number(flags.get('quiet-wait') ?? 30);
if (!(quietWait >= 0)) throw new Error(`--quiet-wait must be ≥ 0 seconds, got '${flags.get('quiet-wait')}'`);
const DWGEN = flags.get('dwgen') ?? ROOT;
const CLI = join(DWGEN, 'dist/main.js');
const HOOK = pathToFileURL(join(ROOT, 'bench/lib/maxrss-hook.mjs')).href;
const MB = 1e6;

// ---- build -------------------------------------------------------------------------------------
if (!flags.has('skip-build')) {
  process.stderr.write('npm run build …\n');
  const b = spawnSync('npm', ['run', 'build'], { cwd: DWGEN, stdio: ['ignore', 'ignore', 'inherit'] });
  if (b.status !== 0) throw new Error(`npm run build failed (status ${b.status})`);
}
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);

/**
 * What was benchmarked: a sha256 over dist/**.js (other engineers rebuild dist/ too, so HEAD alone does
 * not say) and whether src/ had uncommitted changes.
 */
function buildIdentity(): { dist_sha256: string; src_dirty: boolean | null } {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(p.slice(DWGEN.length)).update(readFileSync(p));
    }
  };
  walk(join(DWGEN, 'dist'));
  let dirty: boolean | null = null;
  const g = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: DWGEN, encoding: 'utf8' });
  if (g.status !== 0 || resolve(g.stdout.trim()) !== resolve(DWGEN)) return { dist_sha256: h.digest('hex').slice(0, 16), src_dirty: null };
  const st = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: DWGEN, encoding: 'utf8' });
  if (st.status === 0) dirty = st.stdout.trim() !== '';
  return { dist_sha256: h.digest('hex').slice(0, 16), src_dirty: dirty };
}

// ---- machine load (it is shared) ----------------------------------------------------------------
/** [total, idle] jiffies of all cores from /proc/stat, or null where there is no /proc. */
function cpuTimes(): [number, number] | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return [f.reduce((a, b) => a + b, 0), f[3] + (f[4] ?? 0)];
  } catch {
    return null;
  }
}

/** Busy share (0–1) of all cores over `ms`, from /proc/stat; NaN where there is no /proc. */
function busyShare(ms: number): number {
  const read = cpuTimes;
  const a = read();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  if (!a || !b || b[0] === a[0]) return NaN;
  return 1 - (b[1] - a[1]) / (b[0] - a[0]);
}

/** Waits (up to quietWait s) until other processes use < 25 % of the cores; returns the last busy share seen. */
function waitForQuiet(): number {
  const until = performance.now() + quietWait * 1000;
  let busy = busyShare(500);
  while (busy >= 0.25 && performance.now() < until) busy = busyShare(1000);
  return round(busy, 2);
}

// ---- one generation run ------------------------------------------------------------------------
interface LineageStep {
  name: string;
  /** dwgen's own keys of a step (the seed's keys are name, description, inputs, output(s)). */
  dwgen?: { wall_time_seconds?: number; tables?: { table: string }[] };
}

function runOnce(scale: number, workers: number, format: string, layout: string, onDataset?: (dir: string, tables: Record<string, TableRecord>) => void): RunRecord {
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(join(tmpRoot, 'dwgen-bench-'));
  const rssFile = join(dir, 'rss.json');
  try {
    const args = ['--import', HOOK, CLI, 'generate', '--scale', String(scale), '--workers', String(workers), '--format', format, '--layout', layout, '--out', join(dir, 'out'), '--quiet'];
    const busyBefore = quietWait > 0 ? waitForQuiet() : round(busyShare(200), 2);
    const cpu0 = cpuTimes();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: DWGEN, env: { ...process.env, DWGEN_BENCH_RSS_FILE: rssFile }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = cpuTimes();
    if (r.status !== 0) throw new Error(`dwgen generate ${args.slice(3).join(' ')} failed (status ${r.status}): ${r.stderr}`);
    const usage = JSON.parse(readFileSync(rssFile, 'utf8')) as { max_rss_kb: number; user_cpu_us: number; system_cpu_us: number };
    const schema = JSON.parse(readFileSync(join(dir, 'out/metadata/schema.json'), 'utf8')) as {
      tables: Record<string, { row_count: number; files: { path: string; rows: number; bytes: number }[] }>;
    };
    const lineage = parseYaml(readFileSync(join(dir, 'out/metadata/generation_lineage.yaml'), 'utf8')) as { steps: LineageStep[] };
    const stepOf = new Map<string, { step: string; seconds: number }>();
    for (const s of lineage.steps ?? []) for (const o of s.dwgen?.tables ?? []) if (!stepOf.has(o.table)) stepOf.set(o.table, { step: s.name, seconds: s.dwgen?.wall_time_seconds ?? NaN });
    const tables: Record<string, TableRecord> = {};
    for (const [name, t] of Object.entries(schema.tables)) {
      const st = stepOf.get(name);
      tables[name] = {
        rows: t.row_count,
        bytes: t.files.reduce((s, f) => s + f.bytes, 0),
        files: t.files.length,
        step: st?.step ?? null,
        step_seconds: st ? round(st.seconds, 3) : null,
      };
    }
    onDataset?.(join(dir, 'out'), Object.fromEntries(Object.entries(schema.tables).map(([k, v]) => [k, { ...tables[k], paths: v.files.map((f) => f.path) }])));
    const rows = Object.values(tables).reduce((s, t) => s + t.rows, 0);
    const bytes = Object.values(tables).reduce((s, t) => s + t.bytes, 0);
    const cpu = (usage.user_cpu_us + usage.system_cpu_us) / 1e6;
    // Other processes' share of the cores during the run: all busy CPU time minus dwgen's own.
    let otherLoad = NaN;
    if (cpu0 && cpu1 && cpu1[0] > cpu0[0]) {
      const busyShareOfAll = 1 - (cpu1[1] - cpu0[1]) / (cpu1[0] - cpu0[0]);
      otherLoad = Math.max(0, busyShareOfAll - cpu / (wall * availableParallelism()));
    }
    return {
      wall_seconds: round(wall, 3),
      rows,
      bytes,
      rows_per_s: Math.round(rows / wall),
      mb_per_s: round(bytes / MB / wall, 2),
      peak_rss_mb: round((usage.max_rss_kb * 1024) / MB, 1),
      cpu_seconds: round(cpu, 2),
      cpu_utilisation: round(cpu / wall, 2),
      machine_busy_before: busyBefore,
      other_load_during: round(otherLoad, 2),
      tables,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Times `dwgen validate --json` on a generated dataset (same RSS hook as generation). */
function validateOnce(dir: string, scale: number, format: string, layout: string, bytes: number): ValidationRun {
  const rssFile = join(dir, 'validate-rss.json');
  const args = ['--import', HOOK, CLI, 'validate', '--dir', dir, '--json'];
  if (quietWait > 0) waitForQuiet();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: DWGEN, env: { ...process.env, DWGEN_BENCH_RSS_FILE: rssFile }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`dwgen validate failed (status ${r.status}): ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { summary: { checks: number; passed: number; failed: number; skipped: number } };
  const usage = JSON.parse(readFileSync(rssFile, 'utf8')) as { max_rss_kb: number };
  return {
    scale,
    format,
    layout,
    bytes,
    wall_seconds: round(wall, 2),
    mb_per_s: round(bytes / MB / wall, 1),
    peak_rss_mb: round((usage.max_rss_kb * 1024) / MB, 1),
    ...report.summary,
  };
}

/** The first `n` data lines of transactions_raw (header lines skipped), across its files in order. */
function readTransactionSample(root: string, paths: readonly string[], n: number): string[] {
  const lines: string[] = [];
  const buf = Buffer.allocUnsafe(4 << 20);
  for (const p of paths) {
    const fd = openSync(join(root, p), 'r');
    try {
      let rest = '';
      let header = true;
      let got: number;
      while (lines.length < n && (got = readSync(fd, buf, 0, buf.length, null)) > 0) {
        const parts = (rest + buf.toString('latin1', 0, got)).split('\n');
        rest = parts.pop()!;
        for (const line of parts) {
          if (header) {
            header = false;
            continue;
          }
          if (lines.length < n) lines.push(line);
        }
      }
    } finally {
      closeSync(fd);
    }
    if (lines.length >= n) break;
  }
  return lines;
}

// ---- baselines ---------------------------------------------------------------------------------
interface BaselineSet {
  sample_rows: number;
  fast_csv: { rows: number; bytes: number; seconds: ReturnType<typeof spread>; rows_per_s: ReturnType<typeof spread>; mb_per_s: ReturnType<typeof spread> };
  parquetjs_lite: { rows: number; bytes: number; seconds: ReturnType<typeof spread>; rows_per_s: ReturnType<typeof spread>; mb_per_s: ReturnType<typeof spread> };
  write_ceiling: { bytes: number; seconds: ReturnType<typeof spread>; mb_per_s: ReturnType<typeof spread> };
}

async function measureBaselines(sample: ColumnBatch, ceilingBytes: number): Promise<BaselineSet> {
  const dir = mkdtempSync(join(tmpRoot, 'dwgen-baseline-'));
  try {
    const pqSample: ColumnBatch = { rowCount: Math.min(parquetRows, sample.rowCount), columns: sample.columns };
    const fc: number[] = [];
    const pq: number[] = [];
    const wc: number[] = [];
    let fcBytes = 0;
    let pqBytes = 0;
    for (let i = 0; i < repeat; i++) {
      if (quietWait > 0) waitForQuiet();
      let t0 = performance.now();
      fcBytes = await fastCsvFormat([sample]);
      fc.push((performance.now() - t0) / 1000);
      const pqPath = join(dir, `baseline-${i}.parquet`);
      t0 = performance.now();
      pqBytes = await parquetjsWrite([pqSample], pqPath);
      pq.push((performance.now() - t0) / 1000);
      rmSync(pqPath, { force: true });
      wc.push(writeCeiling(join(dir, `ceiling-${i}.bin`), ceilingBytes));
    }
    return {
      sample_rows: sample.rowCount,
      fast_csv: { rows: sample.rowCount, bytes: fcBytes, seconds: spread(fc), rows_per_s: spread(fc.map((s) => sample.rowCount / s)), mb_per_s: spread(fc.map((s) => fcBytes / MB / s)) },
      parquetjs_lite: { rows: pqSample.rowCount, bytes: pqBytes, seconds: spread(pq), rows_per_s: spread(pq.map((s) => pqSample.rowCount / s)), mb_per_s: spread(pq.map((s) => pqBytes / MB / s)) },
      write_ceiling: { bytes: ceilingBytes, seconds: spread(wc), mb_per_s: spread(wc.map((s) => ceilingBytes / MB / s)) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- main --------------------------------------------------------------------------------------
const m = machine();
const build = buildIdentity();
const started = performance.now();
console.log(`dwgen end-to-end benchmark — ${m.cpu_model}, ${m.cores} cores, Node ${m.node}, ${m.date}, load ${m.load_average_1m}`);
console.log(`dwgen ${DWGEN}${flags.has('label') ? ` (${flags.get('label')})` : ''} · dist ${build.dist_sha256}${build.src_dirty ? ' (src/ has uncommitted changes)' : ''} · commit ${m.git_commit ?? '?'}`);
console.log(`scales ${scales.join(',')} · workers ${workersList.join(',')} · format ${formats.join(',')} · layout ${layouts.join(',')} · repeat ${repeat}\n`);

const configs: ConfigResult[] = [];
const baselines: Record<string, BaselineSet> = {};
const validations: ValidationRun[] = [];
for (const scale of scales) {
  const estimate = 26e6 * scale * 1.3; // ≈ 25 MB of CSV per SF, with room for temporaries
  const fs = statfsSync(tmpRoot);
  if (fs.bavail * fs.bsize < estimate) throw new Error(`${tmpRoot} has ${si(fs.bavail * fs.bsize)}B free; SF ${scale} needs about ${si(estimate)}B`);
  let sample: ColumnBatch | null = null;
  const ceilingBytes: number[] = [];
  const scaleConfigs: ConfigResult[] = [];
  for (const format of formats) {
    for (const layout of layouts) {
      for (const workers of workersList) {
        const runs: RunRecord[] = [];
        for (let i = 0; i < repeat; i++) {
          process.stderr.write(`SF ${scale} · ${workers} worker(s) · ${format} · ${layout} · run ${i + 1}/${repeat} … `);
          const run = runOnce(scale, workers, format, layout, (dir, tables) => {
            const tx = tables.transactions_raw as (TableRecord & { paths: string[] }) | undefined;
            if (sample === null && tx && tx.paths.every((p) => p.endsWith('.csv'))) sample = parseTransactionLines(readTransactionSample(dir, tx.paths, baselineRows));
            if (flags.has('validate') && !validations.some((v) => v.scale === scale && v.format === format)) {
              const bytes = Object.values(tables).reduce((sum, t) => sum + t.bytes, 0);
              validations.push(validateOnce(dir, scale, format, layout, bytes));
            }
          });
          process.stderr.write(`${run.wall_seconds.toFixed(2)} s, ${run.mb_per_s.toFixed(1)} MB/s, peak RSS ${run.peak_rss_mb.toFixed(0)} MB (other load: ${Math.round(run.machine_busy_before * 100)} % before, ${Math.round(run.other_load_during * 100)} % during)\n`);
          runs.push(run);
          ceilingBytes.push(run.bytes);
        }
        const cfg: ConfigResult = { scale, workers, format, layout, runs, summary: summarise(runs), ratios: {} };
        scaleConfigs.push(cfg);
      }
    }
  }
  if (sample === null) {
    // No CSV transactions were written (e.g. --format parquet): generate them once, untimed, for the baselines.
    const dir = mkdtempSync(join(tmpRoot, 'dwgen-sample-'));
    try {
      const r = spawnSync(process.execPath, [CLI, 'generate', '--scale', String(scale), '--workers', '1', '--tables', 'transactions_raw', '--out', dir, '--quiet'], { cwd: DWGEN, stdio: 'ignore' });
      if (r.status !== 0) throw new Error('could not generate the transactions_raw sample for the baselines');
      sample = parseTransactionLines(readTransactionSample(dir, ['data/transactions_raw.csv'], baselineRows));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stderr.write(`SF ${scale} · baselines on ${(sample as ColumnBatch).rowCount} transactions_raw rows … `);
  const base = await measureBaselines(sample as ColumnBatch, Math.round(spread(ceilingBytes).median));
  process.stderr.write('done\n');
  baselines[String(scale)] = base;
  for (const cfg of scaleConfigs) {
    const s = cfg.summary;
    cfg.ratios = {
      rows_per_s_vs_fast_csv: round(ratio(s.rows_per_s.median, base.fast_csv.rows_per_s.median), 3),
      mb_per_s_vs_fast_csv: round(ratio(s.mb_per_s.median, base.fast_csv.mb_per_s.median), 3),
      transactions_rows_per_s_vs_fast_csv: round(ratio(s.tables.transactions_raw?.rows_per_s ?? NaN, base.fast_csv.rows_per_s.median), 3),
      rows_per_s_vs_parquetjs_lite: round(ratio(s.rows_per_s.median, base.parquetjs_lite.rows_per_s.median), 3),
      mb_per_s_vs_write_ceiling: round(ratio(s.mb_per_s.median, base.write_ceiling.mb_per_s.median), 5), // 5 places: ~0.0003 at SF 0.01 (start-up dominates)
      mb_per_s_vs_dsdgen_2proc: round(ratio(s.mb_per_s.median, REFERENCES.dsdgen_2proc_mb_per_s), 3),
      mb_per_s_vs_dbgen_2proc: round(ratio(s.mb_per_s.median, REFERENCES.dbgen_2proc_mb_per_s), 3),
    };
  }
  configs.push(...scaleConfigs);
}

function summarise(runs: readonly RunRecord[]): ConfigResult['summary'] {
  const tableNames = Object.keys(runs[0].tables);
  return {
    rows: runs[0].rows,
    bytes: runs[0].bytes,
    wall_seconds: spread(runs.map((r) => r.wall_seconds)),
    rows_per_s: spread(runs.map((r) => r.rows_per_s)),
    mb_per_s: spread(runs.map((r) => r.mb_per_s)),
    peak_rss_mb: spread(runs.map((r) => r.peak_rss_mb)),
    cpu_utilisation: spread(runs.map((r) => r.cpu_utilisation)),
    machine_busy_before: spread(runs.map((r) => r.machine_busy_before)),
    other_load_during: spread(runs.map((r) => r.other_load_during)),
    tables: Object.fromEntries(
      tableNames.map((t) => {
        const secs = spread(runs.map((r) => r.tables[t].step_seconds ?? NaN));
        const rows = runs[0].tables[t].rows;
        const bytes = runs[0].tables[t].bytes;
        return [t, { rows, bytes, step: runs[0].tables[t].step, step_seconds: secs, rows_per_s: Math.round(rows / secs.median), mb_per_s: round(bytes / MB / secs.median, 2) }];
      }),
    ),
  };
}

// ---- report ------------------------------------------------------------------------------------
for (const cfg of configs) {
  const s = cfg.summary;
  console.log(`\n## SF ${cfg.scale} · ${cfg.workers} worker(s) · ${cfg.format} · ${cfg.layout} — ${repeat} run(s): median (min–max)`);
  console.table({
    'whole run': {
      rows: si(s.rows),
      bytes: `${si(s.bytes)}B`,
      'wall s': fmtSpread(s.wall_seconds, (v) => v.toFixed(2)),
      'rows/s': fmtSpread(s.rows_per_s),
      'MB/s': fmtSpread(s.mb_per_s, (v) => v.toFixed(1)),
      'peak RSS MB': fmtSpread(s.peak_rss_mb, (v) => v.toFixed(0)),
      'CPU/wall': fmtSpread(s.cpu_utilisation, (v) => v.toFixed(2)),
      'other load before': fmtSpread(s.machine_busy_before, (v) => `${Math.round(v * 100)}%`),
      'other load during': fmtSpread(s.other_load_during ?? spread([]), (v) => `${Math.round(v * 100)}%`),
    },
  });
  console.table(
    Object.fromEntries(
      Object.entries(s.tables).map(([t, v]) => [
        t,
        { rows: v.rows, bytes: v.bytes, 'pass (lineage step)': v.step, 'pass wall s': fmtSpread(v.step_seconds, (x) => x.toFixed(3)), 'rows/s of pass': si(v.rows_per_s), 'MB/s of pass': v.mb_per_s.toFixed(1) },
      ]),
    ),
  );
}
for (const [scale, b] of Object.entries(baselines)) {
  console.log(`\n## Baselines at SF ${scale} (same machine, same run; transactions_raw rows as dwgen wrote them)`);
  console.table({
    [`fast-csv format, ${si(b.fast_csv.rows)} rows → discard`]: { 'rows/s': fmtSpread(b.fast_csv.rows_per_s), 'MB/s': fmtSpread(b.fast_csv.mb_per_s, (v) => v.toFixed(1)) },
    [`parquetjs-lite 0.8.7, ${si(b.parquetjs_lite.rows)} rows → file (snappy)`]: { 'rows/s': fmtSpread(b.parquetjs_lite.rows_per_s), 'MB/s': fmtSpread(b.parquetjs_lite.mb_per_s, (v) => v.toFixed(1)) },
    [`write ceiling, ${si(b.write_ceiling.bytes)}B in 1 MiB writes`]: { 'rows/s': '', 'MB/s': fmtSpread(b.write_ceiling.mb_per_s, (v) => v.toFixed(0)) },
  });
}
console.log('\n## Ratios (dwgen median ÷ baseline median)');
console.table(
  Object.fromEntries(
    configs.map((c) => [
      `SF ${c.scale} · ${c.workers}w · ${c.format} · ${c.layout}`,
      {
        'rows/s ÷ fast-csv': fmtRatio(c.ratios.rows_per_s_vs_fast_csv),
        'tx rows/s ÷ fast-csv': fmtRatio(c.ratios.transactions_rows_per_s_vs_fast_csv),
        'MB/s ÷ fast-csv': fmtRatio(c.ratios.mb_per_s_vs_fast_csv),
        'rows/s ÷ parquetjs-lite': fmtRatio(c.ratios.rows_per_s_vs_parquetjs_lite),
        'MB/s ÷ write ceiling': fmtRatio(c.ratios.mb_per_s_vs_write_ceiling),
        'MB/s ÷ dsdgen 2p (47)': fmtRatio(c.ratios.mb_per_s_vs_dsdgen_2proc),
        'MB/s ÷ dbgen 2p (133)': fmtRatio(c.ratios.mb_per_s_vs_dbgen_2proc),
      },
    ]),
  ),
);
if (validations.length > 0) {
  console.log('\n## dwgen validate (every check of SPEC §1–2 in DuckDB, on the first dataset of each scale and format)');
  console.table(
    Object.fromEntries(
      validations.map((v) => [
        `SF ${v.scale} · ${v.format} · ${v.layout}`,
        { bytes: `${si(v.bytes)}B`, 'wall s': v.wall_seconds.toFixed(2), 'MB/s': v.mb_per_s.toFixed(1), 'peak RSS MB': v.peak_rss_mb.toFixed(0), checks: v.checks, passed: v.passed, failed: v.failed },
      ]),
    ),
  );
}
const targetRows = configs.filter((c) => c.scale === TARGETS.scale && c.workers === TARGETS.workers && c.format === 'csv');
for (const c of targetRows) {
  const mbOk = c.summary.mb_per_s.median >= TARGETS.min_mb_per_s;
  const rssOk = c.summary.peak_rss_mb.max <= TARGETS.max_peak_rss_mb;
  console.log(
    `target (SF ${TARGETS.scale}, ${TARGETS.workers} workers, ${c.layout}): ≥ ${TARGETS.min_mb_per_s} MB/s → ${c.summary.mb_per_s.median.toFixed(1)} MB/s ${mbOk ? 'MET' : 'MISSED'}; ` +
      `peak RSS ≤ ${TARGETS.max_peak_rss_mb} MB → ${c.summary.peak_rss_mb.max.toFixed(0)} MB (worst run) ${rssOk ? 'MET' : 'MISSED'}`,
  );
}

const doc: E2eDoc = {
  kind: 'e2e',
  command: `npm run bench:e2e -- ${argv.join(' ')}`.trim(),
  machine: m,
  build: { ...build, dwgen_root: DWGEN, label: flags.get('label') ?? null },
  options: { scales, workers: workersList, formats, layouts, repeat, baseline_rows: baselineRows, parquet_rows: parquetRows, quiet_wait_s: quietWait },
  mb: 'MB = 10^6 bytes',
  references: REFERENCES,
  targets: TARGETS,
  configs,
  baselines,
  validations,
  total_seconds: round((performance.now() - started) / 1000, 1),
};
if (!flags.has('no-save')) {
  const name = `sf${scales.join('+')}-w${workersList.join('+')}-${formats.join('+')}-${layouts.join('+')}-r${repeat}`;
  console.log(`\nresults: ${saveResults(outDir, 'e2e', name, doc)}`);
}
