// Shared by the engine tests (test/slurm.test.ts, test/k8s.test.ts): a tiny config with many
// partitions per table, the one-machine partitioned run a sharded build must equal, and that
// comparison (sha256 of every data file and schema.json's bytes).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { SMALL_CONFIG, checksums, generate } from './dwgen.js';

/**
 * test/fixtures/small.yaml with its partitions lowered further: 1,200 customers in 4 partitions,
 * 6,000 orders in 15, 1,050 inventory rows (7 stores × 150 products) in 7. With 3 shards each
 * gets 6 or 7 of the 19 customer and order units, and finalize writes the 7 inventory partitions.
 */
export function shardConfigText(): string {
  const config = parseYaml(readFileSync(SMALL_CONFIG, 'utf8')) as Record<string, any>;
  config.partitions = { orders_per_partition: 400, customers_per_partition: 300, inventory_rows_per_partition: 200 };
  return `# small.yaml with lower partition sizes (test/helpers/shards.ts)\n${stringifyYaml(config)}`;
}

/** Writes shardConfigText() to dir/shards.yaml and returns its path. */
export function writeShardConfig(dir: string): string {
  const path = join(dir, 'shards.yaml');
  writeFileSync(path, shardConfigText());
  return path;
}

/** Part files each table has in the one-machine run of shardConfigText() (the layout's promise). */
export const SHARD_CONFIG_PARTS = { customers: 4, raw_orders: 15, transactions_raw: 15, orders: 15, inventory: 7 } as const;

/** The one-machine reference: `dwgen generate --layout partitioned` of the same config. */
export function oneMachineRun(config: string, extra: string[] = []): string {
  return generate(['--config', config, '--workers', '2', '--layout', 'partitioned', ...extra]);
}

/**
 * The sharded output equals the one-machine run: the same data files with the same sha256, the
 * same schema.json bytes, and a lineage file (only finalize writes it).
 */
export function expectSameDataset(out: string, reference: string): void {
  const expected = checksums(join(reference, 'data'));
  for (const [table, parts] of Object.entries(SHARD_CONFIG_PARTS)) {
    // the reference itself has several parts per table, so the comparison below means something
    expect(readdirSync(join(reference, 'data', table)).filter((f) => f.endsWith('.csv')).length, `${table} parts`).toBe(parts);
  }
  expect(existsSync(join(out, 'data')), `${out}/data exists`).toBe(true);
  expect(checksums(join(out, 'data'))).toEqual(expected);
  expect(readFileSync(join(out, 'metadata/schema.json'), 'utf8')).toBe(readFileSync(join(reference, 'metadata/schema.json'), 'utf8'));
  expect(existsSync(join(out, 'metadata/generation_lineage.yaml')), 'finalize wrote the lineage').toBe(true);
}
