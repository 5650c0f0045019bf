// The dataset's metadata, derived from the table definitions and what the run wrote:
// metadata/schema.json (the data dictionary) and metadata/generation_lineage.yaml (the ETL
// lineage of the logical steps, with rows, bytes, checksums and timings). Rendering is pure;
// writeMetadata writes both atomically, last, so complete metadata means a complete dataset.
import { createHash } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import type { Config } from '../config/config.js';
import { STEP_NAMES, TABLES, TABLE_NAMES, type StepName, type TableName } from '../core/tables.js';
import type { Layout } from '../run/generateRun.js';
import type { RunResult } from '../run/results.js';
import type { Store } from '../storage/store.js';
import type { ParquetOutput } from '../workers/tasks.js';

export const TOOL_NAME = 'dwgen';
export const TOOL_VERSION = '0.1.0';

export interface RunInfo {
  config: Config;
  configSource: string;
  workers: number;
  layout: Layout;
  formats: string[];
  parquet: ParquetOutput | null;
  startedAt: Date;
  finishedAt: Date;
  /** Set when the run was resumed: partitions reused from the records and partitions generated. */
  resumed?: { reused: number; regenerated: number } | null;
  /** A sharded run's finalize: the shard count and the host of each shard (in shard order). */
  shards?: { count: number; hosts: string[] } | null;
}

/** sha256 of the effective config as canonical JSON (keys sorted), so equal configs hash equally. */
export function configHash(config: Config): string {
  const canonical = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
      : Array.isArray(v)
        ? v.map(canonical)
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(config))).digest('hex');
}

export function relationships(tables: readonly TableName[]): { table: string; column: string; references: string }[] {
  const present = new Set(tables);
  const list: { table: string; column: string; references: string }[] = [];
  for (const name of TABLE_NAMES) {
    if (!present.has(name)) continue;
    for (const c of TABLES[name].columns) {
      if (c.references && present.has(c.references.split('.')[0] as TableName)) list.push({ table: name, column: c.name, references: c.references });
    }
  }
  return list;
}

/** schema.json: every written table with its real row count, columns, keys and files. */
export function renderSchema(run: RunResult, info: RunInfo): string {
  const tables = TABLE_NAMES.filter((t) => run.written[t]);
  const doc = {
    generator: { name: TOOL_NAME, version: TOOL_VERSION },
    seed: info.config.seed,
    scale_factor: info.config.scale_factor,
    config_sha256: configHash(info.config),
    tables: Object.fromEntries(
      tables.map((name) => {
        const def = TABLES[name];
        return [
          name,
          {
            description: def.description,
            kind: def.kind,
            row_count: run.written[name]!.rows,
            primary_key: def.primaryKey,
            columns: Object.fromEntries(
              def.columns.map((c) => [
                c.name,
                {
                  type: c.type,
                  nullable: c.nullable === true,
                  description: c.description,
                  ...(c.enumValues ? { allowed_values: c.enumValues } : {}),
                  ...(c.references ? { references: c.references } : {}),
                },
              ]),
            ),
            files: run.written[name]!.files,
          },
        ];
      }),
    ),
    relationships: relationships(tables),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

const STEP_DESCRIPTIONS: Record<StepName, string> = {
  generate_dimensions: 'Generate the customers, products, stores, promotions and dates dimensions.',
  generate_raw_orders: 'Generate order headers: customer (skewed), store, order date (weekends and holidays weigh more).',
  generate_raw_transactions: 'Generate 1–5 lines per order: product (skewed), quantity, promotion active on the order date, discount, line total.',
  aggregate_transactions: 'Sum each order’s lines: line count, quantity, gross, discount, total.',
  process_orders: 'Join each raw order with its aggregate and assign a status (Returned exactly when it has a return).',
  update_inventory: 'Merge units sold per store and product from every partition; derive restocks and closing stock.',
  generate_returns: 'Return ≈ 5 % of lines within 30 days of the order, quantity and refund within the line.',
  compile_full_lineage: 'Write the data dictionary (schema.json) and this lineage document.',
};

const STEP_INPUTS: Record<StepName, readonly (TableName | 'config')[]> = {
  generate_dimensions: ['config'],
  generate_raw_orders: ['customers', 'stores', 'dates'],
  generate_raw_transactions: ['raw_orders', 'products', 'promotions'],
  aggregate_transactions: ['transactions_raw'],
  process_orders: ['raw_orders', 'order_aggregates', 'returns'],
  update_inventory: ['transactions_raw', 'raw_orders', 'stores', 'products'],
  generate_returns: ['transactions_raw', 'raw_orders'],
  compile_full_lineage: [...TABLE_NAMES],
};

/** How each step was actually executed, said plainly (steps may be fused for speed). */
const STEP_EXECUTION: Partial<Record<StepName, string>> = {
  generate_raw_orders: 'fused: one pass per order partition produces orders, lines, aggregates, processed orders and returns together',
  generate_raw_transactions: 'fused into the order-partition pass',
  aggregate_transactions: 'fused into the order-partition pass (an order’s lines are summed as they are generated)',
  process_orders: 'fused into the order-partition pass',
  generate_returns: 'fused into the order-partition pass',
  update_inventory: 'partitions return per-(store, product) sums and last-sale days; the main thread merges them (commutative), then inventory partitions are written',
};

export function renderLineage(run: RunResult, info: RunInfo, compileSeconds: number): string {
  const path = (t: TableName | 'config'): string | string[] => {
    if (t === 'config') return info.configSource;
    const files = run.written[t]?.files.map((f) => f.path) ?? [];
    return files.length === 1 ? files[0] : files.length > 0 ? files : `(not written) ${t}`;
  };
  const steps = STEP_NAMES.map((step) => {
    const outputs = step === 'compile_full_lineage' ? [] : TABLE_NAMES.filter((t) => TABLES[t].step === step);
    return {
      name: step,
      description: STEP_DESCRIPTIONS[step],
      ...(STEP_EXECUTION[step] ? { execution: STEP_EXECUTION[step] } : {}),
      inputs: STEP_INPUTS[step].map(path),
      outputs:
        step === 'compile_full_lineage'
          ? [{ path: 'metadata/schema.json' }, { path: 'metadata/generation_lineage.yaml' }]
          : outputs.map((t) => ({
              table: t,
              written: run.written[t] !== undefined,
              rows: run.rowCounts[t],
              ...(run.written[t]
                ? {
                    bytes: run.written[t]!.files.reduce((s, f) => s + f.bytes, 0),
                    files: run.written[t]!.files.map((f) => ({ path: f.path, rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
                  }
                : {}),
            })),
      wall_time_seconds: Number((step === 'compile_full_lineage' ? compileSeconds : (run.stepSeconds[step] ?? 0)).toFixed(3)),
    };
  });
  const doc = {
    lineage_version: 1,
    run: {
      tool: TOOL_NAME,
      tool_version: TOOL_VERSION,
      seed: info.config.seed,
      scale_factor: info.config.scale_factor,
      config_source: info.configSource,
      config_sha256: configHash(info.config),
      formats: info.formats,
      layout: info.layout,
      ...(info.parquet ? { parquet: { compression: info.parquet.compression, row_group_bytes: info.parquet.rowGroupBytes } } : {}),
      workers: info.workers,
      partitions: {
        orders: run.plan.orderPartitions,
        orders_per_partition: run.plan.ordersPerPartition,
        customers: run.plan.customerPartitions,
        inventory: run.plan.inventoryPartitions,
      },
      keys: 'order_id, transaction_id and return_id are dense (1..N): a counting pre-pass draws each partition’s line and return counts from their own streams',
      ...(info.shards ? { shards: { count: info.shards.count, hosts: info.shards.hosts, note: 'generated as shards (dwgen generate --parts N --part K), merged by dwgen finalize' } } : {}),
      ...(info.resumed ? { resumed: { note: 'resumed with --resume: partitions whose records and files verified were reused', reused_partitions: info.resumed.reused, generated_partitions: info.resumed.regenerated } } : {}),
      started_at: info.startedAt.toISOString(),
      finished_at: info.finishedAt.toISOString(),
    },
    steps,
  };
  return `# dwgen ETL lineage: the logical pipeline steps and what each produced in this run.\n${toYaml(doc, { lineWidth: 0 })}`;
}

/** Writes schema.json, then the lineage (last: its presence marks a finished run); both durable and atomic. */
export async function writeMetadata(store: Store, run: RunResult, info: RunInfo, compileStarted: number): Promise<{ schema: string; lineage: string }> {
  const schema = renderSchema(run, info);
  await store.put('metadata/schema.json', schema, { durable: true });
  const compileSeconds = (performance.now() - compileStarted) / 1000;
  const lineage = renderLineage(run, info, compileSeconds);
  await store.put('metadata/generation_lineage.yaml', lineage, { durable: true });
  return { schema, lineage };
}
