// metadata/generation_lineage.yaml, the ETL lineage, built from plain data (MetadataInput) with no
// I/O. The shape is the design document's: `steps`, in order, each with `name`, `description`,
// `inputs` (a flat list of path strings; none for generate_dimensions) and `output` (one path
// string) or, for generate_dimensions, `outputs` (a list). A table written as part files is named
// by one glob (data/transactions_raw/*.csv), the same string in every step. What dwgen adds (rows,
// bytes and sha256 per file, wall times, how fused steps ran, the run) is under `dwgen` keys,
// which a reader of the design's shape ignores.
import { stringify as toYaml } from 'yaml';
import { INTERMEDIATE_REFERENCES, STEP_NAMES, TABLES, TABLE_NAMES, type StepName, type TableName } from '../core/tables.js';
import { filesInOrder, primaryFormat, tableLayout, tablePath, type FileFormat, type MetadataInput } from './input.js';

/** Version of dwgen's own keys (`dwgen:`); 2 is the design document's shape with dwgen's keys nested. */
export const LINEAGE_VERSION = 3; // 3: dwgen.run.config, the effective config

export const LINEAGE_PATH = 'metadata/generation_lineage.yaml';
export const SCHEMA_PATH = 'metadata/schema.json';

const STEP_DESCRIPTIONS: Record<StepName, string> = {
  generate_dimensions: 'Generate the customers, products, stores, promotions and dates dimensions from the config.',
  generate_raw_orders: 'Generate order headers: customer (skewed), store, order date (weekends and holidays weigh more).',
  generate_raw_transactions: 'Generate 1–5 lines per raw order: product (skewed), quantity, a promotion active on the order date, discount, line total.',
  aggregate_transactions: 'Sum each order’s lines: line count, quantity, gross, discount, total.',
  process_orders:
    'Join each raw order with its aggregate and decide its status: Returned when at least one of its lines is drawn for return, else Completed, Shipped, Processing or Cancelled by the configured weights.',
  update_inventory: 'Sum the units sold per store and product over the order lines; derive opening stock, restocks and closing stock.',
  generate_returns:
    'Generate the returns of the processed orders whose status is Returned: one per line drawn for return, with the line’s product, a quantity and pro-rata refund within the line, dated within the configured window after the order.',
  compile_full_lineage: 'Write the data dictionary (metadata/schema.json) and this lineage document from what every step wrote.',
};

/** The tables each step reads: exactly the design document's data flow. */
export const STEP_INPUTS: Readonly<Record<StepName, readonly TableName[]>> = {
  generate_dimensions: [],
  generate_raw_orders: ['customers', 'stores', 'dates'],
  generate_raw_transactions: ['raw_orders', 'products', 'promotions'],
  aggregate_transactions: ['transactions_raw'],
  process_orders: ['raw_orders', 'order_aggregates'],
  update_inventory: ['stores', 'products', 'transactions_raw'],
  generate_returns: ['orders', 'transactions_raw', 'products'],
  compile_full_lineage: [...TABLE_NAMES], // the tables written (all eleven in a full run)
};

const FUSED_STEPS: readonly StepName[] = ['generate_raw_orders', 'generate_raw_transactions', 'aggregate_transactions', 'process_orders', 'generate_returns'];

/** How each step was actually executed, said plainly (the order-partition steps are fused for speed). */
const STEP_EXECUTION: Partial<Record<StepName, string>> = {
  generate_raw_orders:
    'fused: each order partition runs generate_raw_orders, generate_raw_transactions, aggregate_transactions, process_orders and generate_returns in one pass, order by order, in that order',
  generate_raw_transactions: 'fused into the order-partition pass: an order’s lines are generated right after its header',
  aggregate_transactions: 'fused into the order-partition pass: an order’s lines are summed as they are generated',
  process_orders:
    'fused into the order-partition pass: each line’s return draw is a keyed hash of the line’s place in its partition (return_flags), so the status is decided from the draws alone, before and independently of the return details',
  generate_returns:
    'fused into the order-partition pass: the return details (returns stream) are drawn for the lines of the Returned orders, after the status; an order is Returned exactly when it has returns',
  update_inventory:
    'each order partition returns units sold and last sale day per (store, product), the store being its order’s; the main thread merges them (commutative sums and maxima), then the inventory partitions are written',
  compile_full_lineage: 'schema.json first, then this document: a dataset with a lineage document is complete',
};

/** The steps and their path strings, plus dwgen's keys; see the file header. */
export function buildLineageDocument(input: MetadataInput, compileSeconds: number): string {
  const { run } = input;
  const primary = primaryFormat(run);
  const path = (t: TableName, format: FileFormat = primary): string => tablePath(t, format, tableLayout(input, t, format));
  const tableEntry = (t: TableName) => {
    const written = input.tables[t];
    return {
      table: t,
      written: written !== undefined,
      rows: input.rowCounts[t],
      paths: Object.fromEntries(run.formats.map((f) => [f, path(t, f)])),
      ...(written
        ? {
            bytes: written.files.reduce((s, f) => s + f.bytes, 0),
            files: filesInOrder(written.files).map((f) => ({ path: f.path, format: f.format, rows: f.rows, bytes: f.bytes, sha256: f.sha256 })),
          }
        : {}),
    };
  };
  const steps = STEP_NAMES.map((step) => {
    const produced = TABLE_NAMES.filter((t) => TABLES[t].step === step);
    // The compiler reads what was written: in a --tables run, only the tables written.
    const read = step === 'compile_full_lineage' ? STEP_INPUTS[step].filter((t) => input.tables[t]) : STEP_INPUTS[step];
    const inputs = read.map((t) => path(t));
    const seconds = step === 'compile_full_lineage' ? compileSeconds : (input.stepSeconds[step] ?? 0);
    const dwgen = {
      ...(STEP_EXECUTION[step] ? { execution: STEP_EXECUTION[step] } : {}),
      ...(FUSED_STEPS.includes(step) ? { fused_with: FUSED_STEPS.filter((s) => s !== step) } : {}),
      ...(step === 'generate_dimensions' ? { config: run.configSource } : {}),
      wall_time_seconds: Number(seconds.toFixed(3)),
      ...(step === 'compile_full_lineage' ? { writes: [SCHEMA_PATH, LINEAGE_PATH] } : { tables: produced.map(tableEntry) }),
    };
    return {
      name: step,
      description: STEP_DESCRIPTIONS[step],
      ...(inputs.length > 0 ? { inputs } : {}),
      ...(step === 'generate_dimensions'
        ? { outputs: produced.map((t) => path(t)) }
        : { output: step === 'compile_full_lineage' ? LINEAGE_PATH : path(produced[0]!) }),
      dwgen,
    };
  });
  const layouts = Object.fromEntries(
    run.formats.map((f) => {
      const seen = new Set(TABLE_NAMES.filter((t) => input.tables[t]).map((t) => tableLayout(input, t, f)));
      return [f, seen.size === 1 ? [...seen][0]! : f === 'parquet' ? 'partitioned' : run.csvLayout];
    }),
  );
  const doc = {
    dwgen: {
      lineage_version: LINEAGE_VERSION,
      run: {
        tool: run.tool.name,
        tool_version: run.tool.version,
        seed: run.seed,
        scale_factor: run.scaleFactor,
        config_source: run.configSource,
        config_sha256: run.configSha256,
        config: run.config,
        formats: [...run.formats],
        layout: layouts,
        ...(run.parquet ? { parquet: { compression: run.parquet.compression, row_group_bytes: run.parquet.rowGroupBytes } } : {}),
        workers: run.workers,
        partitions: {
          orders: run.partitions.orders,
          orders_per_partition: run.partitions.ordersPerPartition,
          customers: run.partitions.customers,
          inventory: run.partitions.inventory,
        },
        keys: 'order_id, transaction_id and return_id are dense (1..N): a counting pre-pass draws each partition’s line and return counts from its own streams and keyed hashes',
        ...(run.shards ? { shards: { count: run.shards.count, hosts: [...run.shards.hosts], note: 'generated as shards (dwgen generate --parts N --part K), merged by dwgen finalize' } } : {}),
        ...(run.resumed
          ? {
              resumed: {
                note: 'resumed with --resume: partitions whose records and files verified were reused',
                reused_partitions: run.resumed.reused,
                generated_partitions: run.resumed.regenerated,
              },
            }
          : {}),
        started_at: run.startedAt,
        finished_at: run.finishedAt,
      },
      paths: `the step paths name the ${primary === 'csv' ? 'CSV' : 'Parquet'} files; a glob (data/<table>/*.${primary}) names a table written as part files; each step's dwgen.tables lists every format's path and files`,
      intermediate_relationships: INTERMEDIATE_REFERENCES.map((r) => ({ ...r })),
    },
    steps,
  };
  return `# dwgen ETL lineage: the logical pipeline steps and what each produced in this run.\n${toYaml(doc, { lineWidth: 0 })}`;
}
