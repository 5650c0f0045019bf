// What a run does, decided without touching a store: which units of work exist (the small
// dimensions, customers partitions, order partitions, inventory partitions), which of them a shard
// owns, and whether an existing run state may be continued, must be refused or is started over.
// Pure functions of (config plan, flags, what the records say), unit-tested without a file system.
import type { Plan } from '../core/plan.js';
import type { TableName } from '../core/tables.js';
import { UsageError } from '../errors.js';
import { manifestDifferences, type RunManifest, type Shard, type StoredManifest, type UnitKind } from './records.js';

export const ORDER_TABLES = ['raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'returns'] as const satisfies readonly TableName[];
export const SMALL_DIMENSIONS = ['dates', 'products', 'stores', 'promotions'] as const satisfies readonly TableName[];

export interface Unit {
  kind: UnitKind;
  partition: number;
}

/** What a run (or a shard of it) generates: the partitions of each phase, in partition order. */
export interface RunUnits {
  /** The small dimensions (one unit, partition 0), written by the one-machine run or by shard 1. */
  dimensions: boolean;
  customers: number[];
  /** The order partitions whose tables this run writes. */
  orders: number[];
  /** Whether the order partitions' inventory deltas are needed (inventory is written by this run). */
  inventory: number[];
}

/**
 * The shard that owns a customers or order partition. The units are dealt round-robin in one
 * sequence, customers partitions first, then order partitions: unit i goes to shard (i mod N) + 1.
 * Dealing (rather than cutting contiguous ranges) gives every shard a near-equal share of each
 * phase, whatever N and whatever the ratio of customers to order partitions: shard sizes differ by
 * at most one unit per phase, and the last, possibly short, partition costs only its own shard.
 */
export function shardOf(plan: Plan, unit: Unit, parts: number): number {
  if (unit.kind === 'dimensions') return 1;
  if (unit.kind === 'inventory') return 0; // finalize's
  const index = unit.kind === 'customers' ? unit.partition : plan.customerPartitions + unit.partition;
  return (index % parts) + 1;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The units of a run writing `tables`: all of them for a one-machine run; for shard K of N its
 * dealt customers and order partitions (and the small dimensions for shard 1), never inventory,
 * which finalize writes once every shard's deltas are in.
 */
export function runUnits(plan: Plan, tables: readonly TableName[], shard: Shard | null): RunUnits {
  const selected = new Set(tables);
  const mine = (kind: UnitKind) => (p: number): boolean => shard === null || shardOf(plan, { kind, partition: p }, shard.parts) === shard.part;
  const needOrders = ORDER_TABLES.some((t) => selected.has(t)) || selected.has('inventory'); // the deltas
  return {
    dimensions: SMALL_DIMENSIONS.some((t) => selected.has(t)) && (shard === null || shard.part === 1),
    customers: selected.has('customers') ? range(plan.customerPartitions).filter(mine('customers')) : [],
    orders: needOrders ? range(plan.orderPartitions).filter(mine('orders')) : [],
    inventory: shard === null && selected.has('inventory') ? range(plan.inventoryPartitions) : [],
  };
}

/** Checks the shard flags (before anything is written). `layout` is the --layout given, if any. */
export function checkShard(parts: number | undefined, part: number | undefined, layout: string | undefined): Shard | null {
  if (parts === undefined) {
    if (part !== undefined) throw new UsageError('--part needs --parts N (the number of shards)');
    return null;
  }
  if (!Number.isSafeInteger(parts) || parts < 1 || parts > 99999) throw new UsageError(`--parts must be an integer from 1 to 99999, got '${parts}'`);
  if (part === undefined) throw new UsageError(`--parts ${parts} needs --part K (1 to ${parts}), --part-from-env VAR, or JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID in the environment`);
  if (!Number.isSafeInteger(part) || part < 1 || part > parts) throw new UsageError(`--part must be from 1 to ${parts} (--parts ${parts}), got '${part}'`);
  if (layout === 'single') throw new UsageError('--parts writes the partitioned layout (data/<table>/part-NNNNN.*): --layout single cannot be sharded');
  return { parts, part };
}

/**
 * The shard number from a task index in the environment. `name` names the variable
 * (--part-from-env), or null to detect JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) and then
 * SLURM_ARRAY_TASK_ID. The index is 0-based; for SLURM_ARRAY_TASK_ID it counts from
 * SLURM_ARRAY_TASK_MIN, so `--array=1-N` and `--array=0-(N-1)` both give shards 1..N.
 */
export function partFromEnvironment(env: Readonly<Record<string, string | undefined>>, name: string | null): number | undefined {
  const names = name !== null ? [name] : ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'];
  for (const n of names) {
    const text = env[n];
    if (text === undefined) {
      if (name !== null) throw new UsageError(`--part-from-env ${n}: ${n} is not set`);
      continue;
    }
    if (!/^\d+$/.test(text)) throw new UsageError(`--part-from-env ${n}: ${n} must be a non-negative integer, got '${text}'`);
    let index = Number(text);
    if (n === 'SLURM_ARRAY_TASK_ID' && env.SLURM_ARRAY_TASK_MIN !== undefined && /^\d+$/.test(env.SLURM_ARRAY_TASK_MIN)) index -= Number(env.SLURM_ARRAY_TASK_MIN);
    return index + 1;
  }
  return undefined;
}

/** How a run starts, given what its state prefix (or the dataset) already holds. */
export type StartDecision =
  | { action: 'refuse'; message: string }
  | { action: 'start'; resume: boolean; notes: string[] };

export interface StartInput {
  out: string;
  wanted: RunManifest;
  /** The manifest in this run's state prefix, if any. */
  existing: StoredManifest | null;
  /** The config sha256 of a finished dataset (its schema.json) when there is no manifest. */
  datasetConfigSha256: string | null;
  resume: boolean;
  force: boolean;
}

/**
 * Continue, start over or refuse. A different configuration is refused unless --force. A shard
 * rerun continues by itself (it reuses what its records verify: a rerun is idempotent); a
 * one-machine run continues only with --resume.
 */
export function startDecision(input: StartInput): StartDecision {
  const { existing, wanted } = input;
  const diffs = existing ? manifestDifferences(existing, wanted) : input.datasetConfigSha256 !== null && input.datasetConfigSha256 !== wanted.config_sha256 ? ['config sha256'] : [];
  if (input.force) return { action: 'start', resume: false, notes: [] };
  if (diffs.length > 0) {
    const what = existing?.state === 'running' ? 'the state of an unfinished dwgen run' : 'a dwgen dataset';
    return {
      action: 'refuse',
      message: `--out ${input.out} holds ${what} of a different configuration (${diffs.join('; ')}): ${input.resume ? '--resume needs the same flags and config as that run; ' : ''}use --force to replace it, or another --out`,
    };
  }
  const sharded = wanted.shard != null;
  if (existing === null) {
    return { action: 'start', resume: false, notes: input.resume ? [`note: nothing to resume in ${input.out} (no run state); generating everything`] : [] };
  }
  if (input.resume || sharded) return { action: 'start', resume: true, notes: [] };
  const notes = existing.state === 'running' ? [`note: ${input.out} holds an unfinished run of this configuration; starting over (--resume would reuse its finished partitions)`] : [];
  return { action: 'start', resume: false, notes };
}

/** Why a recorded partition cannot be reused (null: reuse it), given what verifying its files found. */
export function reuseDecision(kind: UnitKind, partition: number, recorded: boolean, firstNeeded: number, verifyProblem: string | null): string | null {
  if (!recorded) return `generating ${kind} partition ${partition}: no record of it`;
  if (partition >= firstNeeded) return `regenerating ${kind} partition ${partition}: its rows are not in the single-file tables yet`;
  if (verifyProblem !== null) return `regenerating ${kind} partition ${partition}: ${verifyProblem}`;
  return null;
}
