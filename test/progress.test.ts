// The progress display: on a terminal (run under `script`, which gives the command a
// pseudo-terminal) a line per table and an overall line drawn by cli-progress; nothing with
// --quiet; off a terminal one summary line. The rates and the ETA are computed by ProgressState,
// tested here on a fake clock: no rate before it means something, the ETA is the whole run's.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MIN_RATE_SECONDS, ProgressState } from '../src/cli/progress.js';
import type { ProgressEvent } from '../src/run/generateRun.js';
import { CLI, SMALL_CONFIG, tempDir } from './helpers/dwgen.js';

function underTerminal(args: string[]): string {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // script merges the terminal's output; drop the escapes
}

const event = (table: ProgressEvent['table'], rowsDone: number, rowsTotal: number, runRowsDone: number, runRowsTotal: number): ProgressEvent => ({
  table, rowsDone, rowsTotal, bytesDone: rowsDone * 50, runRowsDone, runRowsTotal, runBytesDone: runRowsDone * 50,
});

describe('rates and ETA (ProgressState)', () => {
  it('a table finished in a few milliseconds shows no rate (not "100.39M rows/s")', () => {
    const s = new ProgressState(0);
    s.update(event('inventory', 0, 150_000, 0, 1_000_000), 10_000);
    s.update(event('inventory', 150_000, 150_000, 150_000, 1_000_000), 10_004);
    const v = s.view(10_500);
    expect(v.tables).toEqual([{ name: 'inventory', pct: 100, done: 150_000, total: 150_000, rate: '' }]);
  });

  it('a rate appears once its table has been written for at least MIN_RATE_SECONDS', () => {
    const s = new ProgressState(0);
    s.update(event('orders', 0, 300_000, 0, 1_000_000), 0);
    s.update(event('orders', 100_000, 300_000, 100_000, 1_000_000), 900);
    expect(s.view(900).tables[0].rate).toBe('');
    s.update(event('orders', 200_000, 300_000, 200_000, 1_000_000), MIN_RATE_SECONDS * 2000);
    expect(s.view(MIN_RATE_SECONDS * 2000).tables[0].rate).toBe(`${(200_000 / (2 * MIN_RATE_SECONDS) / 1e3).toFixed(1)}k rows/s`);
  });

  it('the ETA is the whole run\'s: at 75 % after 30 s it is 10 s, not 0:00', () => {
    const s = new ProgressState(0);
    s.update(event('transactions_raw', 600_000, 800_000, 750_000, 1_000_000), 30_000);
    expect(s.view(30_000).overall).toEqual({ pct: 75, rows: 750_000, mb: 37.5, mbPerSecond: '1.3 MB/s', elapsed: '0:30', eta: '0:10' });
    s.update(event('transactions_raw', 800_000, 800_000, 1_000_000, 1_000_000), 40_000);
    expect(s.view(40_000).overall.eta).toBe('0:00');
    const early = new ProgressState(0);
    early.update(event('customers', 10, 1000, 10, 1_000_000), 500);
    expect(early.view(500).overall.eta).toBe('--:--'); // too early to mean something
  });
});

describe('progress on a terminal', () => {
  it('draws a line per table with its rows and an overall line with rows, MB, elapsed and ETA, then the summary', () => {
    const out = tempDir();
    const text = underTerminal(['generate', '--config', SMALL_CONFIG, '--scale', '4', '--out', out, '--workers', '2', '--tables', 'customers,transactions_raw']);
    expect(text).toMatch(/transactions_raw\s+\S+\s+\d+%\s+[\d,]+ \/ [\d,]+ rows/);
    expect(text).toMatch(/customers\s+\S+\s+100%\s+4,800 \/ 4,800 rows/);
    expect(text).toMatch(/all tables\s+\S+\s+100%\s+[\d,]+ rows\s+[\d.]+ MB\s+.*elapsed \d+:\d\d\s+ETA 0:00/);
    expect(text).toMatch(/dwgen: wrote 2 tables, [\d,]+ rows/);
  });

  it('--quiet prints nothing, even on a terminal', () => {
    const out = tempDir();
    const text = underTerminal(['generate', '--config', SMALL_CONFIG, '--out', out, '--workers', '2', '--quiet']);
    expect(text.trim()).toBe('');
  });

  it('off a terminal: one summary line', () => {
    const out = tempDir();
    const r = spawnSync(process.execPath, [CLI, 'generate', '--config', SMALL_CONFIG, '--out', out, '--workers', '2'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dwgen: wrote 11 tables, [\d,]+ rows, [\d.]+ MB in [\d.]+ s \([\d.]+[kM]? rows\/s, [\d.]+ MB\/s\) to /);
  });
});
