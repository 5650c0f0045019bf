// The messages between the main thread and the partition workers: what a task asks for and the
// small result it returns (rows, bytes, checksums, inventory deltas; bulk bytes only for a
// single-file layout, transferred, never copied).
import type { Config } from '../config/config.js';
import type { FactLayout, InventoryDeltas, PartitionCounts, PartitionKeys } from '../core/facts.js';
import type { Plan } from '../core/plan.js';
import type { TableName } from '../core/tables.js';
import type { StoreDescription } from '../storage/store.js';
import type { PartResult } from '../streams/tableOutput.js';

/**
 * Spare chunk buffers sent with each task that writes a single file's chunks (an order partition of
 * the default size fills ~15), and the most a worker keeps between tasks: its idle buffers stay bounded.
 */
export const SPARE_CHUNKS_PER_TASK = 16;

/** Parquet settings of a run (Parquet files are always one per partition). */
export interface ParquetOutput {
  compression: string;
  rowGroupBytes: number;
}

export interface WorkerSetup {
  config: Config;
  plan: Plan;
  buffer: SharedArrayBuffer;
  layout: FactLayout;
  /** Days covered by the CSV date-text table: every date the data can hold (DimensionModel.dateText). */
  dateText: { firstDay: number; days: number };
}

export interface OutputTarget {
  /** The store the part files go to (each worker opens its own from this description). */
  store: StoreDescription;
  /** Tables whose rows this task writes; others are generated (when needed) but not encoded. */
  tables: TableName[];
  /** CSV as part files data/<table>/part-NNNNN.csv, as chunks returned for a single file, or none. */
  csv: 'parts' | 'memory' | null;
  /** Parquet part files data/<table>/part-NNNNN.parquet, or none. */
  parquet: ParquetOutput | null;
}

/**
 * `attempt` counts from 1: a partition that failed is tried once more, on a fresh worker.
 * `spare`: chunk buffers the main thread has appended and gives back (transferred) for the worker
 * to write a single file's chunks into again (see giveSpareChunks). `spareDeltas`: the buffer of an
 * earlier order partition's inventory deltas, merged and recorded, for this one's (InventoryAccumulator.offerBuffer).
 */
export type Task =
  /** Counts the order partitions partition .. partition + partitions − 1 (one task for a range: each is ~2 ms). */
  | { kind: 'count'; partition: number; partitions: number; attempt?: number }
  | { kind: 'customers'; partition: number; attempt?: number; output: OutputTarget; spare?: ArrayBuffer[] }
  | { kind: 'orders'; partition: number; attempt?: number; keys: PartitionKeys; output: OutputTarget; spare?: ArrayBuffer[]; spareDeltas?: ArrayBuffer }
  | { kind: 'inventory'; partition: number; attempt?: number; output: OutputTarget; spare?: ArrayBuffer[] };


export type TaskResult =
  | { kind: 'count'; counts: PartitionCounts[] }
  | { kind: 'customers'; parts: PartResult[] }
  | { kind: 'orders'; parts: PartResult[]; rows: Record<string, number>; inventory: InventoryDeltas }
  | { kind: 'inventory'; parts: PartResult[] };

/**
 * A task that failed, as data: a thrown error loses its class and `code` on the way back from a
 * worker thread (structured clone keeps only the message), and the retry decision needs them.
 */
export interface TaskFailure {
  kind: 'failed';
  error: { name: string; message: string; code?: string };
}
