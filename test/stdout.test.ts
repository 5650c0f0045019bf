// generate --stdout: one table's single-file CSV bytes on standard output, nothing else written,
// a reader that stops early (`| head -1`) ends it quietly, and what it cannot honour is refused.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, SMALL_CONFIG, generate, sha256, tempDir } from './helpers/dwgen.js';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';

let single: string;

beforeAll(() => {
  single = generate(['--config', SMALL_CONFIG, '--workers', '2']);
}, 60_000);

const stdout = (args: string[], cwd: string): { status: number | null; stdout: Buffer; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, 'generate', '--stdout', '--config', SMALL_CONFIG, '--workers', '2', ...args], { cwd, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
};

describe('--stdout', () => {
  it.each(['transactions_raw', 'customers', 'dates', 'inventory'])('%s: the same bytes as the single file, and nothing written', (table) => {
    const cwd = tempDir();
    const r = stdout(['--tables', table, '--quiet'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(sha256(join(single, 'data', `${table}.csv`)));
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a closed pipe (| head -1) ends it with exit 0 and no stack trace', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${CLI}" generate --stdout --tables transactions_raw --scale 2 --workers 2 | head -1`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('transaction_id,order_id,line_number,product_id,promotion_id,quantity,unit_price,discount_amount,line_total\n');
    expect(r.stderr).not.toMatch(/Error|\n\s+at /);
  });

  it.each([
    [[], '--stdout streams one table: name it with --tables T (one of customers, products, stores, promotions, dates, raw_orders, transactions_raw, order_aggregates, orders, inventory, returns)'],
    [['--tables', 'orders,returns'], '--stdout streams one table: name it with --tables T (one of customers, products, stores, promotions, dates, raw_orders, transactions_raw, order_aggregates, orders, inventory, returns), not 2'],
    [['--tables', 'orders', '--format', 'parquet'], '--stdout streams one CSV table and writes nothing else: it cannot be combined with --format'],
    [['--tables', 'orders', '--out', 'x', '--layout', 'partitioned'], '--stdout streams one CSV table and writes nothing else: it cannot be combined with --out, --layout'],
    [['--tables', 'orders', '--parts', '2', '--part', '1'], '--stdout streams one CSV table and writes nothing else: it cannot be combined with --parts, --part'],
  ])('%j is refused, exit 2, nothing on stdout', (args, message) => {
    const cwd = tempDir();
    const r = stdout(args, cwd);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe(`dwgen generate: error: ${message}\n`);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('StdoutStore (the run records of a --stdout run)', () => {
  it('keeps a copy of put\'s bytes: inventory-delta records written into reused space read back as written', async () => {
    const { StdoutStore } = await import('../src/storage/stdoutStore.js');
    const { RunRecords } = await import('../src/run/records.js');
    const records = new RunRecords(new StdoutStore(new PassThrough()));
    const deltas = [0, 1, 2].map((k) => ({
      cells: Int32Array.from({ length: 50 - k }, (_, i) => 3 * i + k),
      sold: Int32Array.from({ length: 50 - k }, (_, i) => 1 + ((i * 7 + k) % 9)),
      lastSale: Int32Array.from({ length: 50 - k }, (_, i) => 19_800 + i + k),
    }));
    for (const [p, d] of deltas.entries()) await records.writeRecord({ kind: 'orders', partition: p, parts: [] }, d);
    for (const [p, d] of deltas.entries()) {
      const back = await records.readDeltas(p);
      expect(back, `partition ${p}`).not.toBeNull();
      expect(Array.from(back!.cells)).toEqual(Array.from(d.cells));
      expect(Array.from(back!.sold)).toEqual(Array.from(d.sold));
      expect(Array.from(back!.lastSale)).toEqual(Array.from(d.lastSale));
    }
  });
});
