// Runs tasks on the piscina pool: dispatches them, retries a failed one once on a fresh worker
// (unless the environment refused a write: that fails the same way twice), and consumes results
// strictly in order with a bounded window. It knows nothing of tables.
import { Piscina } from 'piscina';
import { InterruptedError, OutputError, PartitionError, isRefusal } from '../errors.js';
import { takeSpareChunks } from '../streams/byteWriter.js';
import { SPARE_CHUNKS_PER_TASK, type Task, type TaskFailure, type TaskResult, type WorkerSetup } from '../workers/tasks.js';

/**
 * Young-generation cap of each worker's heap. V8's default (48 MB on 64-bit) lets every worker
 * hold tens of MB of short-lived batches between scavenges; 16 MB cut peak RSS at SF 10 with two
 * workers from 303 MB to 283 MB at no measurable cost (8 MB: 268 MB but more GC time).
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/** Spare inventory-deltas buffers kept for later order tasks: about the number of partitions in flight. */
const MAX_SPARE_DELTA_BUFFERS = 8;

/** The worker file, compiled (Node 20 cannot run a .ts worker); with DWGEN_FAULT, its test-only fault wrapper. */
const workerFile = (): string =>
  new URL(process.env.DWGEN_FAULT ? '../workers/faultyPartitionWorker.js' : '../workers/partitionWorker.js', import.meta.url).href;

/** A worker's failure as an error again: an OutputError keeps its code (the retry decision needs it). */
function restoreError(failure: TaskFailure['error']): Error {
  if (failure.name === 'OutputError') {
    const e = new OutputError('', { code: failure.code });
    e.message = failure.message;
    return e;
  }
  const e = new Error(failure.message);
  e.name = failure.name;
  return e;
}

export class Executor {
  private readonly setup: WorkerSetup;
  private readonly pool: Piscina;
  private readonly warn: (line: string) => void;

  constructor(setup: WorkerSetup, workers: number, warn: (line: string) => void = () => undefined) {
    this.setup = setup;
    this.warn = warn;
    this.pool = this.newPool(workers);
  }

  private newPool(threads: number): Piscina {
    return new Piscina({
      filename: workerFile(),
      workerData: this.setup,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
  }

  /**
   * Runs a task on a pool; one writing a single file's chunks takes spare chunk buffers along, and
   * an order partition a spare inventory-deltas buffer.
   */
  private async dispatch(on: Piscina, task: Task): Promise<TaskResult> {
    const spare = 'output' in task && task.output.csv === 'memory' ? takeSpareChunks(SPARE_CHUNKS_PER_TASK) : [];
    const spareDeltas = task.kind === 'orders' ? this.spareDeltas.pop() : undefined;
    const transferList: ArrayBuffer[] = spareDeltas ? [...spare, spareDeltas] : spare;
    const result = (await (transferList.length === 0 ? on.run(task) : on.run({ ...task, spare, spareDeltas }, { transferList }))) as TaskResult | TaskFailure;
    if (result.kind === 'failed') throw restoreError(result.error);
    return result;
  }

  /** Runs a task; if it fails (an error, or its worker died) it runs once more on a fresh worker. */
  async run(what: string, task: (attempt: number) => Task): Promise<TaskResult> {
    try {
      return await this.dispatch(this.pool, task(1));
    } catch (first) {
      if (isRefusal(first)) throw first;
      this.warn(`${what} failed (${(first as Error).message ?? String(first)}); retrying it on a fresh worker`);
      const fresh = this.newPool(1);
      try {
        return await this.dispatch(fresh, task(2));
      } catch (second) {
        throw new PartitionError(`${what} failed twice (the retry ran on a fresh worker): ${(second as Error).message ?? String(second)}`);
      } finally {
        await fresh.destroy();
      }
    }
  }

  /**
   * Takes back an order partition's inventory-deltas buffer (its cells.buffer) once the deltas are
   * merged and recorded: a later order task carries it to its worker to be written again.
   */
  giveDeltaBuffer(buffer: ArrayBufferLike): void {
    if (buffer instanceof ArrayBuffer && this.spareDeltas.length < MAX_SPARE_DELTA_BUFFERS) this.spareDeltas.push(buffer);
  }
  private readonly spareDeltas: ArrayBuffer[] = [];

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

/**
 * Runs `count` tasks with at most `window` started and not yet consumed, consuming results strictly
 * in index order: memory holds at most `window` partition results, whatever the schedule.
 */
export async function runInOrder<R>(
  count: number,
  window: number,
  start: (index: number) => Promise<R>,
  consume: (index: number, result: R) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  const pending = new Map<number, Promise<R>>();
  let next = 0;
  let failure: unknown = null;
  const launch = (): void => {
    while (failure === null && !signal?.aborted && next < count && pending.size < window) {
      const p = start(next);
      p.catch(() => undefined); // observed below, in order
      pending.set(next, p);
      next++;
    }
  };
  try {
    launch();
    for (let i = 0; i < count; i++) {
      // Interrupted: what was in flight has been consumed (and recorded); nothing more starts.
      if (!pending.has(i)) throw new InterruptedError((signal?.reason as NodeJS.Signals) ?? 'SIGINT');
      const result = await pending.get(i)!;
      pending.delete(i);
      await consume(i, result);
      launch();
    }
  } catch (err) {
    failure = err;
    await Promise.allSettled(pending.values()); // let in-flight partitions finish or clean up
    throw err;
  }
}
