// The dataset's metadata as files: metadata/schema.json (the data dictionary) and
// metadata/generation_lineage.yaml (the ETL lineage). The documents are built by pure functions
// of plain data (schemaDocument.ts, lineageDocument.ts); this module turns a run's result into
// that data (metadataInput) and writes both documents atomically, last (writeMetadata), so
// complete metadata means a complete dataset.
import { createHash } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Layout } from '../run/generateRun.js';
import type { RunResult } from '../run/results.js';
import type { Store } from '../storage/store.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ParquetOutput } from '../workers/tasks.js';
import type { MetadataInput } from './input.js';
import { buildLineageDocument } from './lineageDocument.js';
import { buildSchemaDocument } from './schemaDocument.js';

export { TOOL_NAME, TOOL_VERSION };
export { buildLineageDocument } from './lineageDocument.js';
export { buildSchemaDocument, relationships } from './schemaDocument.js';
export type { MetadataFile, MetadataInput, MetadataRun, MetadataTable } from './input.js';

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

/** The plain data the documents are built from, out of a finished run's result. */
export function metadataInput(run: RunResult, info: RunInfo): MetadataInput {
  return {
    run: {
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      seed: info.config.seed,
      scaleFactor: info.config.scale_factor,
      configSha256: configHash(info.config),
      configSource: info.configSource,
      config: info.config,
      formats: info.formats as ('csv' | 'parquet')[],
      csvLayout: info.layout,
      parquet: info.parquet ? { compression: info.parquet.compression, rowGroupBytes: info.parquet.rowGroupBytes } : null,
      workers: info.workers,
      partitions: {
        orders: run.plan.orderPartitions,
        ordersPerPartition: run.plan.ordersPerPartition,
        customers: run.plan.customerPartitions,
        inventory: run.plan.inventoryPartitions,
      },
      startedAt: info.startedAt.toISOString(),
      finishedAt: info.finishedAt.toISOString(),
      resumed: info.resumed ?? null,
      shards: info.shards ?? null,
    },
    rowCounts: run.rowCounts,
    tables: run.written,
    stepSeconds: run.stepSeconds,
  };
}

/**
 * Writes the two documents through the store, each atomic and durable: schema.json, then the
 * lineage (last: its presence marks a finished run). Returns both texts.
 */
export async function writeMetadataDocuments(store: Store, input: MetadataInput, compileStarted: number): Promise<{ schema: string; lineage: string }> {
  const schema = buildSchemaDocument(input);
  await store.put('metadata/schema.json', schema, { durable: true });
  const compileSeconds = (performance.now() - compileStarted) / 1000;
  const lineage = buildLineageDocument(input, compileSeconds);
  await store.put('metadata/generation_lineage.yaml', lineage, { durable: true });
  return { schema, lineage };
}

/** writeMetadataDocuments for a finished run's result. */
export function writeMetadata(store: Store, run: RunResult, info: RunInfo, compileStarted: number): Promise<{ schema: string; lineage: string }> {
  return writeMetadataDocuments(store, metadataInput(run, info), compileStarted);
}
