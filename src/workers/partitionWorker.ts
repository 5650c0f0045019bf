// The piscina worker: generates one partition (customers, orders with everything that hangs off
// them, or inventory rows), encodes the selected tables and writes its own part files. Set-up
// (views of the shared dimension arrays, alias tables, date text) is done once per worker.
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { DateTextTable } from '../core/calendar.js';
import type { ColumnBatch } from '../core/columns.js';
import {
  FactContext, InventoryAccumulator, OrderBatchColumns, countOrderPartition, generateInventoryRows,
  generateOrderPartition, inventoryRules,
} from '../core/facts.js';
import { inventoryStoreRange } from '../core/plan.js';
import { TABLES, type TableName } from '../core/tables.js';
import { faultAt } from '../state/faults.js';
import { giveSpareChunks } from '../streams/byteWriter.js';
import { CsvPartWriter, ParquetPartWriter, injectWriteFault, partFileName, type PartResult, type PartWriter } from '../streams/tableOutput.js';
import { SPARE_CHUNKS_PER_TASK, type OutputTarget, type Task, type TaskResult, type WorkerSetup } from './tasks.js';

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

/**
 * Opens the writers of every selected table and format; finishes them all, or deletes them all on
 * error. Finished part files are left closed under their temporary names: the main thread commits
 * them (commitPart: fsync, rename), so this worker goes on generating instead of waiting for fsync.
 */
class PartitionOutput {
  private readonly writers = new Map<TableName, PartWriter[]>();

  constructor(target: OutputTarget, partition: number, tables: readonly TableName[], dates: DateTextTable) {
    try {
      for (const name of tables) {
        if (!target.tables.includes(name)) continue;
        const list: PartWriter[] = [];
        this.writers.set(name, list);
        if (target.csv !== null) {
          const path = target.csv === 'parts' ? join(target.dataDir, name, partFileName(partition, 'csv')) : null;
          list.push(new CsvPartWriter(TABLES[name], dates, path, true));
        }
        if (target.parquet !== null) {
          list.push(new ParquetPartWriter(TABLES[name], join(target.dataDir, name, partFileName(partition, 'parquet')), target.parquet, true));
        }
      }
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  write(table: TableName, batch: ColumnBatch): void {
    const list = this.writers.get(table);
    if (list) for (const w of list) w.write(batch);
  }

  finish(): PartResult[] {
    const parts: PartResult[] = [];
    for (const list of this.writers.values()) for (const w of list) parts.push(w.finish());
    return parts;
  }

  abort(): void {
    for (const list of this.writers.values()) for (const w of list) w.abort();
  }

  /** The in-memory chunk buffers, to be transferred (not copied) back to the main thread. */
  static transferables(parts: PartResult[]): ArrayBuffer[] {
    const list: ArrayBuffer[] = [];
    for (const part of parts) for (const chunk of part.chunks ?? []) list.push(chunk.buffer as ArrayBuffer);
    return list;
  }
}

function withOutput(target: OutputTarget, partition: number, tables: readonly TableName[], body: (out: PartitionOutput) => void): PartResult[] {
  const out = new PartitionOutput(target, partition, tables, workerState().dates);
  try {
    body(out);
    return out.finish();
  } catch (err) {
    out.abort();
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
      const parts = withOutput(task.output, task.partition, ['customers'], (out) =>
        generateCustomers(s.setup.config, s.setup.plan, task.partition, (batch) => out.write('customers', batch), undefined, s.facts.customerGeography()),
      );
      return { kind: 'customers', parts };
    }
    case 'orders': {
      s.inventory ??= new InventoryAccumulator(s.setup.plan);
      s.orderColumns ??= new OrderBatchColumns();
      let result: ReturnType<typeof generateOrderPartition> | null = null;
      const parts = withOutput(task.output, task.partition, ['raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'returns'], (out) => {
        result = generateOrderPartition(s.facts, task.partition, task.keys, (t, b) => out.write(t, b), s.inventory!, s.orderColumns!);
      });
      const r = result as unknown as ReturnType<typeof generateOrderPartition>;
      return { kind: 'orders', parts, rows: r.rows, inventory: r.inventory };
    }
    case 'inventory': {
      const { first, count } = inventoryStoreRange(s.setup.plan, task.partition);
      const parts = withOutput(task.output, task.partition, ['inventory'], (out) => {
        generateInventoryRows(s.setup.plan, inventoryRules(s.setup.config), s.facts.arrays, first, count, (b) => out.write('inventory', b));
      });
      return { kind: 'inventory', parts };
    }
  }
}

/** TEST-ONLY faults (DWGEN_FAULT, see state/faults.ts): throw, exit the worker, or fail the first write. */
function injectFaults(task: Task): void {
  const f = faultAt(task.kind, task.partition, ['throw', 'exit', 'enospc', 'eacces'], task.attempt ?? 1);
  if (!f) return;
  if (f.mode === 'throw') throw new Error(`injected fault (DWGEN_FAULT) in ${task.kind} partition ${task.partition}`);
  if (f.mode === 'exit') process.exit(1);
  injectWriteFault(f.mode as 'enospc' | 'eacces');
}

/** piscina entry point: runs a task and moves its chunk buffers and delta arrays back. */
export default async function handleTask(task: Task): Promise<unknown> {
  let result: TaskResult;
  try {
    if ('spare' in task && task.spare) giveSpareChunks(task.spare, SPARE_CHUNKS_PER_TASK);
    injectFaults(task);
    result = await run(task);
  } catch (err) {
    // A partition that failed may leave half-filled scratch state (the inventory accumulator):
    // rebuild everything for the next task on this worker.
    state = null;
    throw err;
  } finally {
    injectWriteFault(null);
  }
  const transfer: ArrayBuffer[] = 'parts' in result ? PartitionOutput.transferables(result.parts) : [];
  if (result.kind === 'orders') {
    transfer.push(result.inventory.cells.buffer as ArrayBuffer, result.inventory.sold.buffer as ArrayBuffer, result.inventory.lastSale.buffer as ArrayBuffer);
  }
  if (transfer.length === 0) return result;
  return Piscina.move({ [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: result } as never);
}
