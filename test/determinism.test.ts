// Same seed and config give byte-identical files whatever the worker count, run after run;
// partitioned parts concatenate to the single files; a table written alone equals a full run's.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_CONFIG, checksums, generate } from './helpers/dwgen.js';

const ALL = ['customers', 'products', 'stores', 'promotions', 'dates', 'raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'inventory', 'returns'];
let single1: string;

beforeAll(() => {
  single1 = generate(['--config', SMALL_CONFIG, '--workers', '1']);
}, 120_000);

describe('determinism', () => {
  it('every data file is byte-identical for --workers 1, 2 and 3, and for a second run', () => {
    const reference = checksums(join(single1, 'data'));
    expect(Object.keys(reference).sort()).toEqual(ALL.map((t) => `${t}.csv`).sort());
    for (const workers of ['2', '3', '2']) {
      const other = generate(['--config', SMALL_CONFIG, '--workers', workers]);
      expect(checksums(join(other, 'data')), `--workers ${workers}`).toEqual(reference);
    }
  });

  it('schema.json is identical across worker counts (the lineage differs only in timings and worker count)', () => {
    const other = generate(['--config', SMALL_CONFIG, '--workers', '3']);
    expect(readFileSync(join(other, 'metadata/schema.json'), 'utf8')).toBe(readFileSync(join(single1, 'metadata/schema.json'), 'utf8'));
  });

  it('a different seed changes the facts', () => {
    const other = generate(['--config', SMALL_CONFIG, '--workers', '2', '--seed', '8', '--tables', 'transactions_raw']);
    expect(readFileSync(join(other, 'data/transactions_raw.csv'))).not.toEqual(readFileSync(join(single1, 'data/transactions_raw.csv')));
  });
});

describe('layouts and table selection', () => {
  it('partitioned parts, headers aside, concatenate to the single-file tables', () => {
    const parts = generate(['--config', SMALL_CONFIG, '--workers', '2', '--layout', 'partitioned']);
    for (const table of ALL) {
      const dir = join(parts, 'data', table);
      const files = readdirSync(dir).sort();
      expect(files[0]).toBe('part-00000.csv');
      const single = readFileSync(join(single1, 'data', `${table}.csv`), 'utf8');
      const header = single.slice(0, single.indexOf('\n') + 1);
      let joined = header;
      for (const f of files) {
        const text = readFileSync(join(dir, f), 'utf8');
        expect(text.startsWith(header), `${table}/${f} starts with the header`).toBe(true);
        joined += text.slice(header.length);
      }
      expect(joined, table).toBe(single);
    }
    // the small config cuts 6,000 orders into partitions of 700
    expect(readdirSync(join(parts, 'data/transactions_raw')).length).toBe(9);
    expect(readdirSync(join(parts, 'data/customers')).length).toBe(3);
    expect(readdirSync(join(parts, 'data/inventory')).length).toBe(4); // 300 rows / 150 products = 2 stores per part, 7 stores
  });

  it('tables generated alone with --tables equal the same tables of a full run, and nothing else is written', () => {
    const alone = generate(['--config', SMALL_CONFIG, '--workers', '2', '--tables', 'inventory,returns,customers']);
    expect(readdirSync(join(alone, 'data')).sort()).toEqual(['customers.csv', 'inventory.csv', 'returns.csv']);
    for (const table of ['inventory', 'returns', 'customers']) {
      expect(readFileSync(join(alone, 'data', `${table}.csv`)).equals(readFileSync(join(single1, 'data', `${table}.csv`))), table).toBe(true);
    }
    const schema = JSON.parse(readFileSync(join(alone, 'metadata/schema.json'), 'utf8'));
    expect(Object.keys(schema.tables).sort()).toEqual(['customers', 'inventory', 'returns']);
  });
});
