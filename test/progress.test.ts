// The progress display: live per-table lines (rows, rows/s, ETA) when stderr is a terminal (run
// under `script`, which gives the command a pseudo-terminal), nothing with --quiet.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, SMALL_CONFIG, tempDir } from './helpers/dwgen.js';

function underTerminal(args: string[]): string {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout; // script merges the terminal's output
}

describe('progress on a terminal', () => {
  it('draws a line per table with rows, rows/s and ETA, then the summary', () => {
    // a larger order count so the 250 ms redraw happens at least once
    const out = tempDir();
    const text = underTerminal(['generate', '--config', SMALL_CONFIG, '--scale', '20', '--out', out, '--workers', '2', '--tables', 'transactions_raw,customers']);
    expect(text).toMatch(/transactions_raw\s+[\d,]+ \/ [\d,]+\s+\d+%\s+[\d.]+[kM]? rows\/s\s+ETA \d+:\d\d/);
    expect(text).toMatch(/customers\s+24,000 \/ 24,000\s+100%/);
    expect(text).toContain('\x1b[2K'); // lines are redrawn in place
    expect(text).toMatch(/dwgen: wrote 2 tables, [\d,]+ rows/);
  });

  it('--quiet prints nothing, even on a terminal', () => {
    const out = tempDir();
    const text = underTerminal(['generate', '--config', SMALL_CONFIG, '--out', out, '--workers', '1', '--quiet', '--tables', 'dates']);
    expect(text.trim()).toBe('');
  });
});
