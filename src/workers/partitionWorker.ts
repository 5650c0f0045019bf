// The piscina worker: generates one partition (customers, orders with everything that hangs off
// them, or inventory rows), encodes the selected tables and writes its own part files. Set-up
// (views of the shared dimension arrays, alias tables, date text) is done once per worker.
import { Piscina } from 'piscina';
import { DateTextTable } from '../core/calendar.js';
import type { ColumnBatch } from '../core/columns.js';
import {
  FactContext, InventoryAccumulator, OrderBatchColumns, countOrderPartition, generateInventoryRows,
  generateOrderPartition, inventoryRules,
} from '../core/facts.js';
import { inventoryStoreRange } from '../core/plan.js';
import { TABLES, type TableName } from '../core/tables.js';
import { openStore } from '../storage/openStore.js';
import { partPath, type Store, type StoreDescription } from '../storage/store.js';
import { giveSpareChunks } from '../streams/byteWriter.js';
import { CsvPartWriter, ParquetPartWriter, type PartResult, type PartWriter } from '../streams/tableOutput.js';
import { SPARE_CHUNKS_PER_TASK, type OutputTarget, type Task, type TaskFailure, type TaskResult, type WorkerSetup } from './tasks.js';

interface WorkerState {
  setup: WorkerSetup;
  facts: FactContext;
  dates: DateTextTable;
  inventory: InventoryAccumulator | null;
  orderColumns: OrderBatchColumns | null;
}

let state: WorkerState | null = null;

function workerState(): WorkerState {
  if (state === null) {
    const setup = Piscina.workerData as WorkerSetup;
    state = {
      setup,
      facts: new FactContext(setup.config, setup.plan, setup.buffer, setup.layout),
      dates: new DateTextTable(setup.dateText.firstDay, setup.dateText.days),
      inventory: null,
      orderColumns: null,
    };
  }
  return state;
}

/** The store of this worker's tasks, opened once from its description. */
let openedStore: { key: string; store: Store } | null = null;

function storeFor(description: StoreDescription): Store {
  const key = JSON.stringify(description);
  if (openedStore?.key !== key) openedStore = { key, store: openStore(description) };
  return openedStore.store;
}

/**
 * Opens the writers of every selected table and format; finishes them all, or aborts them all on
 * error. Finished parts are not yet published: the main thread commits them (for a local store:
 * fsync, rename), so this worker goes on generating instead of waiting for fsync.
 */
class PartitionOutput {
  private readonly writers = new Map<TableName, PartWriter[]>();
  /** Writers still to abort on failure (a finished one too: its part is not published yet). */
  private readonly all: PartWriter[] = [];

  constructor(target: OutputTarget, partition: number, tables: readonly TableName[], dates: DateTextTable) {
    let opened: Store | null = null;
    const store = (): Store => (opened ??= storeFor(target.store)); // a single-file CSV task writes no part
    const add = (list: PartWriter[], w: PartWriter): void => {
      list.push(w);
      this.all.push(w);
    };
    try {
      for (const name of tables) {
        if (!target.tables.includes(name)) continue;
        const list: PartWriter[] = [];
        this.writers.set(name, list);
        if (target.csv !== null) {
          add(list, new CsvPartWriter(TABLES[name], dates, target.csv === 'parts' ? store().createPart(partPath(name, partition, 'csv')) : null));
        }
        if (target.parquet !== null) {
          const parquet = target.parquet;
          add(list, new ParquetPartWriter(TABLES[name], () => store().createPart(partPath(name, partition, 'parquet')), parquet));
        }
      }
    } catch (err) {
      void this.abort();
      throw err;
    }
  }

  write(table: TableName, batch: ColumnBatch): void {
    const list = this.writers.get(table);
    if (list) for (const w of list) w.write(batch);
  }

  async finish(): Promise<PartResult[]> {
    const parts: PartResult[] = [];
    for (const list of this.writers.values()) for (const w of list) parts.push(await w.finish());
    return parts;
  }

  async abort(): Promise<void> {
    await Promise.allSettled(this.all.map((w) => w.abort()));
  }

  /** The in-memory chunk buffers, to be transferred (not copied) back to the main thread. */
  static transferables(parts: PartResult[]): ArrayBuffer[] {
    const list: ArrayBuffer[] = [];
    for (const part of parts) for (const chunk of part.chunks ?? []) list.push(chunk.buffer as ArrayBuffer);
    return list;
  }
}

async function withOutput(target: OutputTarget, partition: number, tables: readonly TableName[], body: (out: PartitionOutput) => void): Promise<PartResult[]> {
  const out = new PartitionOutput(target, partition, tables, workerState().dates);
  try {
    body(out);
    return await out.finish();
  } catch (err) {
    await out.abort();
    throw err;
  }
}

/** Customer names come from faker's locale lists: loaded only by workers that get a customers task. */
let dimensions: typeof import('../core/dimensions.js') | null = null;

async function run(task: Task): Promise<TaskResult> {
  const s = workerState();
  switch (task.kind) {
    case 'count':
      return { kind: 'count', counts: Array.from({ length: task.partitions }, (_, i) => countOrderPartition(s.facts, task.partition + i)) };
    case 'customers': {
      dimensions ??= await import('../core/dimensions.js');
      const { generateCustomers } = dimensions;
      const parts = await withOutput(task.output, task.partition, ['customers'], (out) =>
        generateCustomers(s.setup.config, s.setup.plan, task.partition, (batch) => out.write('customers', batch), undefined, s.facts.customerGeography()),
      );
      return { kind: 'customers', parts };
    }
    case 'orders': {
      s.inventory ??= new InventoryAccumulator(s.setup.plan);
      if (task.spareDeltas) s.inventory.offerBuffer(task.spareDeltas);
      s.orderColumns ??= new OrderBatchColumns();
      let result: ReturnType<typeof generateOrderPartition> | null = null;
      const parts = await withOutput(task.output, task.partition, ['raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'returns'], (out) => {
        result = generateOrderPartition(s.facts, task.partition, task.keys, (t, b) => out.write(t, b), s.inventory!, s.orderColumns!);
      });
      const r = result as unknown as ReturnType<typeof generateOrderPartition>;
      return { kind: 'orders', parts, rows: r.rows, inventory: r.inventory };
    }
    case 'inventory': {
      const { first, count } = inventoryStoreRange(s.setup.plan, task.partition);
      const parts = await withOutput(task.output, task.partition, ['inventory'], (out) => {
        generateInventoryRows(s.setup.plan, inventoryRules(s.setup.config), s.facts.arrays, first, count, (b) => out.write('inventory', b));
      });
      return { kind: 'inventory', parts };
    }
  }
}

/** A failed task's error as data (see TaskFailure). */
export function taskFailure(err: unknown): TaskFailure {
  const e = err as { name?: unknown; message?: unknown; code?: unknown };
  return {
    kind: 'failed',
    error: {
      name: typeof e?.name === 'string' ? e.name : 'Error',
      message: typeof e?.message === 'string' ? e.message : String(err),
      ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    },
  };
}

/** piscina entry point: runs a task and moves its chunk buffers and delta arrays back. */
export default async function handleTask(task: Task): Promise<unknown> {
  let result: TaskResult;
  try {
    if ('spare' in task && task.spare) giveSpareChunks(task.spare, SPARE_CHUNKS_PER_TASK);
    result = await run(task);
  } catch (err) {
    // A partition that failed may leave half-filled scratch state (the inventory accumulator):
    // rebuild everything for the next task on this worker.
    state = null;
    return taskFailure(err);
  }
  const transfer: ArrayBuffer[] = 'parts' in result ? PartitionOutput.transferables(result.parts) : [];
  if (result.kind === 'orders') {
    // The three delta arrays are views of one buffer (InventoryAccumulator.take); each buffer is listed once.
    const { cells, sold, lastSale } = result.inventory;
    for (const b of new Set([cells.buffer, sold.buffer, lastSale.buffer])) transfer.push(b as ArrayBuffer);
  }
  if (transfer.length === 0) return result;
  return Piscina.move({ [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: result } as never);
}
