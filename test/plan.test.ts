// The run plan without a file system: which shard owns which unit, the shard flags and the
// environment's task index, and the start/resume decisions.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, validateConfig } from '../src/config/config.js';
import { makePlan } from '../src/core/plan.js';
import { TABLE_NAMES } from '../src/core/tables.js';
import { UsageError } from '../src/errors.js';
import { checkShard, partFromEnvironment, reuseDecision, runUnits, shardOf, startDecision } from '../src/run/plan.js';
import { countsKey, type RunManifest } from '../src/run/records.js';
import { OUTPUT_REVISION } from '../src/core/outputRevision.js';

const config = validateConfig({ ...structuredClone(DEFAULT_CONFIG), scale_factor: 3.3, partitions: { orders_per_partition: 7000, customers_per_partition: 3000, inventory_rows_per_partition: 5000 } });
const plan = makePlan(config);

describe('shard subsets', () => {
  it('the plan has several partitions of each kind (so the subsets below mean something)', () => {
    expect(plan.customerPartitions).toBe(Math.ceil(plan.customers / 3000));
    expect(plan.customerPartitions).toBeGreaterThan(5);
    expect(plan.orderPartitions).toBeGreaterThan(40);
    expect(plan.inventoryPartitions).toBeGreaterThan(1);
  });

  it.each([1, 2, 3, 7])('N = %i: the shards are disjoint, cover every customers and order partition, and differ by at most one unit per phase', (n) => {
    const all = runUnits(plan, TABLE_NAMES, null);
    const customers: number[] = [];
    const orders: number[] = [];
    const sizes: { c: number; o: number }[] = [];
    for (let k = 1; k <= n; k++) {
      const u = runUnits(plan, TABLE_NAMES, { parts: n, part: k });
      expect(u.dimensions).toBe(k === 1); // the small dimensions are written once, by shard 1
      expect(u.inventory).toEqual([]); // finalize writes inventory
      for (const p of u.customers) expect(shardOf(plan, { kind: 'customers', partition: p }, n)).toBe(k);
      customers.push(...u.customers);
      orders.push(...u.orders);
      sizes.push({ c: u.customers.length, o: u.orders.length });
    }
    expect(customers.sort((a, b) => a - b)).toEqual(all.customers);
    expect(orders.sort((a, b) => a - b)).toEqual(all.orders);
    expect(new Set(customers).size).toBe(customers.length);
    expect(new Set(orders).size).toBe(orders.length);
    const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);
    expect(spread(sizes.map((s) => s.c + s.o))).toBeLessThanOrEqual(1);
    expect(spread(sizes.map((s) => s.o))).toBeLessThanOrEqual(2);
    expect(all.inventory).toHaveLength(plan.inventoryPartitions);
  });

  it('the dealing is round-robin over customers partitions, then order partitions', () => {
    expect(shardOf(plan, { kind: 'customers', partition: 0 }, 3)).toBe(1);
    expect(shardOf(plan, { kind: 'customers', partition: 4 }, 3)).toBe(2);
    expect(shardOf(plan, { kind: 'orders', partition: 0 }, 3)).toBe((plan.customerPartitions % 3) + 1);
  });

  it('a shard of a run without customers or order tables has only what it writes', () => {
    expect(runUnits(plan, ['dates'], { parts: 2, part: 2 })).toEqual({ dimensions: false, customers: [], orders: [], inventory: [] });
    expect(runUnits(plan, ['inventory'], null).orders).toHaveLength(plan.orderPartitions); // its deltas
  });
});

describe('shard flags', () => {
  it('accepts K of N and implies nothing else', () => {
    expect(checkShard(4, 2, undefined)).toEqual({ parts: 4, part: 2 });
    expect(checkShard(undefined, undefined, 'single')).toBeNull();
  });

  it.each([
    [3, 4, undefined, '--part must be from 1 to 3 (--parts 3), got \'4\''],
    [3, 0, undefined, '--part must be from 1 to 3 (--parts 3), got \'0\''],
    [3, undefined, undefined, '--parts 3 needs --part K (1 to 3), --part-from-env VAR, or JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID in the environment'],
    [undefined, 2, undefined, '--part needs --parts N (the number of shards)'],
    [3, 1, 'single', '--parts writes the partitioned layout (data/<table>/part-NNNNN.*): --layout single cannot be sharded'],
  ])('--parts %s --part %s --layout %s is refused', (parts, part, layout, message) => {
    expect(() => checkShard(parts, part, layout)).toThrow(new UsageError(message));
  });

  it('the task index comes from a named variable (0-based) or is detected: Kubernetes first, then Slurm', () => {
    expect(partFromEnvironment({ MY_INDEX: '0' }, 'MY_INDEX')).toBe(1);
    expect(partFromEnvironment({ JOB_COMPLETION_INDEX: '2', SLURM_ARRAY_TASK_ID: '9' }, null)).toBe(3);
    expect(partFromEnvironment({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1' }, null)).toBe(1); // --array=1-N
    expect(partFromEnvironment({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0' }, null)).toBe(1); // --array=0-(N-1)
    expect(partFromEnvironment({}, null)).toBeUndefined();
    expect(() => partFromEnvironment({}, 'MY_INDEX')).toThrow(new UsageError('--part-from-env MY_INDEX: MY_INDEX is not set'));
    expect(() => partFromEnvironment({ MY_INDEX: 'x' }, 'MY_INDEX')).toThrow(new UsageError("--part-from-env MY_INDEX: MY_INDEX must be a non-negative integer, got 'x'"));
  });
});

describe('start decisions', () => {
  const wanted: RunManifest = {
    tool: 'dwgen', tool_version: '0.1.0', output_revision: OUTPUT_REVISION, config_sha256: 'a'.repeat(64), seed: 7, scale_factor: 1,
    formats: ['csv'], layout: 'partitioned', parquet: null, tables: [...TABLE_NAMES], shard: null,
  };
  const input = { out: '/d', wanted, existing: null, datasetConfigSha256: null, resume: false, force: false };

  it('nothing there: start afresh (a --resume says there is nothing to resume)', () => {
    expect(startDecision(input)).toEqual({ action: 'start', resume: false, notes: [] });
    expect(startDecision({ ...input, resume: true })).toEqual({ action: 'start', resume: false, notes: ['note: nothing to resume in /d (no run state); generating everything'] });
  });

  it('the same configuration: a one-machine run continues only with --resume; a shard always continues', () => {
    const existing = { ...wanted, state: 'running' as const };
    expect(startDecision({ ...input, existing })).toEqual({
      action: 'start', resume: false, notes: ['note: /d holds an unfinished run of this configuration; starting over (--resume would reuse its finished partitions)'],
    });
    expect(startDecision({ ...input, existing, resume: true })).toEqual({ action: 'start', resume: true, notes: [] });
    const shard = { ...wanted, shard: { parts: 3, part: 2 } };
    expect(startDecision({ ...input, wanted: shard, existing: { ...shard, state: 'complete' } })).toEqual({ action: 'start', resume: true, notes: [] });
  });

  it('another configuration is refused unless --force, naming the difference', () => {
    const existing = { ...wanted, seed: 8, state: 'complete' as const };
    expect(startDecision({ ...input, existing })).toEqual({
      action: 'refuse', message: '--out /d holds a dwgen dataset of a different configuration (seed 8 vs 7): use --force to replace it, or another --out',
    });
    expect(startDecision({ ...input, existing: null, datasetConfigSha256: 'b'.repeat(64) })).toMatchObject({ action: 'refuse' });
    expect(startDecision({ ...input, existing, force: true })).toEqual({ action: 'start', resume: false, notes: [] });
    expect(startDecision({ ...input, existing: { ...wanted, shard: { parts: 4, part: 1 }, state: 'running' }, wanted: { ...wanted, shard: { parts: 3, part: 1 } } })).toMatchObject({
      action: 'refuse', message: expect.stringContaining('shards 4 vs 3'),
    });
  });

  it('a run of another output revision (same version, same config) is refused: its partitions and counts are other data', () => {
    const older = { ...wanted, output_revision: OUTPUT_REVISION - 1, state: 'running' as const };
    expect(startDecision({ ...input, existing: older, resume: true })).toEqual({
      action: 'refuse',
      message: `--out /d holds the state of an unfinished dwgen run of a different configuration (output revision ${OUTPUT_REVISION - 1} vs ${OUTPUT_REVISION} (written by a dwgen build whose data differs)): --resume needs the same flags and config as that run; use --force to replace it, or another --out`,
    });
    const { output_revision: _none, ...beforeRevisions } = older; // run.json of a build before revisions were recorded
    expect(startDecision({ ...input, existing: beforeRevisions as typeof older, resume: true })).toMatchObject({ action: 'refuse', message: expect.stringContaining(`output revision none vs ${OUTPUT_REVISION}`) });
    expect(countsKey(wanted)).toBe(`${'a'.repeat(64)}-r${OUTPUT_REVISION}`);
    expect(countsKey(older)).not.toBe(countsKey(wanted));
  });

  it('a recorded partition is reused only when its files verify and its rows are already in the single files', () => {
    expect(reuseDecision('orders', 4, true, Infinity, null)).toBeNull();
    expect(reuseDecision('orders', 4, false, Infinity, null)).toBe('generating orders partition 4: no record of it');
    expect(reuseDecision('orders', 4, true, 3, null)).toBe('regenerating orders partition 4: its rows are not in the single-file tables yet');
    expect(reuseDecision('orders', 4, true, Infinity, 'data/orders/part-00004.csv is missing')).toBe('regenerating orders partition 4: data/orders/part-00004.csv is missing');
  });
});
