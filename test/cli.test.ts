// Bad input gets one clear line naming the flag or key, exit status 2, and no data file written.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI, SMALL_CONFIG, runCli, tempDir } from './helpers/dwgen.js';

function expectRefused(args: string[], message: RegExp, config?: string): void {
  const out = tempDir();
  const extra: string[] = [];
  if (config !== undefined) {
    const path = join(out, 'bad.yaml');
    writeFileSync(path, config);
    extra.push('--config', path);
  }
  const r = runCli(['generate', '--out', join(out, 'ds'), '--quiet', ...extra, ...args]);
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]).toMatch(/^dwgen generate: error: /);
  expect(lines[0]).toMatch(message);
  expect(existsSync(join(out, 'ds', 'data')) ? readdirSync(join(out, 'ds', 'data')) : []).toEqual([]);
}

describe('flags', () => {
  it.each([
    [['--scale', '0'], /--scale must be a number greater than 0/],
    [['--scale', '-1'], /--scale must be a number greater than 0.*'-1'/],
    [['--scale', 'abc'], /--scale .*'abc'/],
    [['--scale', '20000'], /--scale .*at most 10000/],
    [['--workers', '0'], /--workers must be a positive integer, got '0'/],
    [['--workers', '1.5'], /--workers must be a positive integer, got '1.5'/],
    [['--workers', 'two'], /--workers must be a positive integer/],
    [['--seed', '-3'], /--seed must be a non-negative integer/],
    [['--layout', 'sharded'], /--layout must be single or partitioned, got 'sharded'/],
    [['--format', 'xml'], /--format must be csv, parquet or both, got 'xml'/],
    [['--tables', 'orders,widgets'], /--tables: unknown table 'widgets'/],
    [['--tables', ','], /--tables needs at least one table name/],
    [['--colour'], /Unknown option '--colour'/],
    [['--config', '/nonexistent/dwgen.yaml'], /\/nonexistent\/dwgen.yaml: cannot read the config file \(no such file\)/],
  ])('%j is refused', (args, message) => {
    expectRefused(args as string[], message as RegExp);
  });

  it('an unknown command is refused', () => {
    const r = runCli(['generat']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'generat'/);
  });

  it('the built entry runs as a program (package.json bin: what npx dwgen executes)', () => {
    const r = spawnSync(CLI, ['--help'], { encoding: 'utf8' }); // no "node": needs the shebang and the executable bit
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: dwgen <command>');
  });

  it('--help documents every flag', () => {
    const r = runCli(['generate', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--config', '--scale', '--seed', '--out', '--workers', '--layout', '--format', '--tables', '--quiet', '--resume', '--force', '--verbose', '--help']) {
      expect(r.stdout).toContain(flag);
    }
    const top = runCli(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toContain('generate');
  });
});

describe('config', () => {
  it.each([
    ['colour: red\n', /config .*bad.yaml: colour: unknown key/],
    ['orders:\n  line_count: 3\n', /orders.line_count: unknown key \(allowed here: count_per_scale_factor/],
    ['seed: "abc"\n', /seed: must be an integer, got "abc"/],
    ['orders:\n  count_per_scale_factor: -5\n', /orders.count_per_scale_factor: must be between 1 and/],
    ['orders:\n  count_per_scale_factor: 0\n', /orders.count_per_scale_factor: must be between 1 and/],
    ['returns:\n  rate: 1.5\n', /returns.rate: must be at most 1, got 1.5/],
    ['orders:\n  promotion_rate: -0.1\n', /orders.promotion_rate: must be at least 0/],
    ['promotions:\n  discount_rate_max: 0.6\n', /promotions.discount_rate_max: must be at most 0.5/],
    ['calendar:\n  start_date: 2024-02-30\n', /calendar.start_date: must be a date written YYYY-MM-DD/],
    ['calendar:\n  days: 0\n', /calendar.days: must be between 1 and/],
    ['scale_factor: 0\n', /scale_factor: must be greater than 0/],
    ['promotions:\n  duration_days_min: 20\n  duration_days_max: 10\n', /promotions.duration_days_max: must be at least promotions.duration_days_min \(20\), got 10/],
    ['inventory:\n  opening_stock_min: 300\n  opening_stock_max: 100\n', /inventory.opening_stock_max: must be at least inventory.opening_stock_min/],
    ['orders:\n  quantity_weights: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n', /orders.quantity_weights: must be a list of 1 to 10 non-negative numbers/],
    ['orders:\n  line_count_weights: [0, 0]\n', /orders.line_count_weights: must be a list of 1 to 5 non-negative numbers, not all zero/],
    ['orders:\n  cancel_rate: 1.5\n', /orders.cancel_rate: must be at most 1, got 1.5/],
    ['customers:\n  loyalty_weights: { Bronze: 1, Silver: 1, Gold: 1, Platinum: 1, Diamond: 1 }\n', /customers.loyalty_weights.Diamond: unknown key/],
    ['partitions:\n  orders_per_partition: 2.5\n', /partitions.orders_per_partition: must be an integer, got 2.5/],
    ['- just\n- a list\n', /the config must be a mapping of keys, got a list/],
    ['seed: [unclosed\n', /not valid YAML/],
    ['seed: 1\nseed: 2\n', /not valid YAML.*[Mm]ap keys must be unique/],
  ])('%j is refused naming the key', (yaml, message) => {
    expectRefused([], message as RegExp, yaml as string);
  });

  it('a partial config takes the defaults for what it leaves out', () => {
    const out = tempDir();
    writeFileSync(join(out, 'c.yaml'), 'seed: 9\norders:\n  count_per_scale_factor: 500\n');
    const r = runCli(['generate', '--config', join(out, 'c.yaml'), '--out', out, '--scale', '1', '--workers', '1', '--quiet', '--tables', 'raw_orders,stores']);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(out, 'data')).sort()).toEqual(['raw_orders.csv', 'stores.csv']);
  });
});

describe('output directory', () => {
  it('an output path that is a file is refused', () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = runCli(['generate', '--config', SMALL_CONFIG, '--out', file, '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dwgen generate: error: --out .*not-a-dir: cannot write/);
  });

  it.each(['/proc/dwgen-cannot-exist/x', '/sys/dwgen-cannot-exist'])('%s cannot be created, even by root: refused, not hung', (path) => {
    const r = runCli(['generate', '--config', SMALL_CONFIG, '--out', path, '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^dwgen generate: error: --out \/(proc|sys)\/dwgen-cannot-exist.*: cannot write .* \((ENOENT|EACCES|EPERM|EROFS)\)$/);
  });
});

describe('success', () => {
  it('prints one summary line on a non-TTY stderr and exits 0', () => {
    const out = tempDir();
    const r = runCli(['generate', '--config', SMALL_CONFIG, '--out', out, '--workers', '2', '--tables', 'dates,products']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^dwgen: wrote 2 tables, 515 rows, [\d.]+ MB in [\d.]+ s \(.* rows\/s, [\d.]+ MB\/s\) to /);
    expect(r.stdout).toBe('');
  });
});
