// The dataset's metadata as files: metadata/schema.json (the data dictionary) and
// metadata/generation_lineage.yaml (the ETL lineage). The documents are built by pure functions
// of plain data (schemaDocument.ts, lineageDocument.ts); this module turns a run's result into
// that data (metadataInput) and writes both documents atomically, last (writeMetadata), so
// complete metadata means a complete dataset.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { io } from '../errors.js';
import { FSYNC, temporaryName } from '../streams/tableOutput.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { Layout, RunResult } from '../workers/generateDataset.js';
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
    },
    rowCounts: run.rowCounts,
    tables: run.written,
    stepSeconds: run.stepSeconds,
  };
}

/** Written under a temporary name, fsynced (the lineage claims the whole dataset), renamed into place. */
function writeAtomic(path: string, text: string): void {
  io(path, () => {
    const fd = openSync(temporaryName(path), 'w');
    try {
      writeFileSync(fd, text);
      if (FSYNC) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporaryName(path), path);
  });
}

/**
 * Writes the two documents: schema.json, then the lineage (last: its presence marks a finished
 * run). The only I/O of the metadata; a store's put can take its place.
 */
export function writeMetadataDocuments(outDir: string, input: MetadataInput, compileStarted: number, afterSchema?: () => void): void {
  const dir = join(outDir, 'metadata');
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'schema.json'), buildSchemaDocument(input));
  afterSchema?.();
  const compileSeconds = (performance.now() - compileStarted) / 1000;
  writeAtomic(join(dir, 'generation_lineage.yaml'), buildLineageDocument(input, compileSeconds));
}

/** writeMetadataDocuments for a finished run's result. */
export function writeMetadata(outDir: string, run: RunResult, info: RunInfo, compileStarted: number, afterSchema?: () => void): void {
  writeMetadataDocuments(outDir, metadataInput(run, info), compileStarted, afterSchema);
}
