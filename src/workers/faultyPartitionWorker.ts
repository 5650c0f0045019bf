// TEST-ONLY: the partition worker with DWGEN_FAULT's worker faults (see storage/faultyStore.ts):
// `throw` fails the task before it generates anything, `exit` ends the worker thread. The
// executor runs this file instead of partitionWorker.js only when DWGEN_FAULT is set.
import { faultAt, parseFaults } from '../storage/faultyStore.js';
import handleTask, { taskFailure } from './partitionWorker.js';
import type { Task } from './tasks.js';

const faults = parseFaults(process.env.DWGEN_FAULT);

export default async function handleFaultyTask(task: Task): Promise<unknown> {
  const f = faultAt(faults, task.kind, task.partition, ['throw', 'exit'], task.attempt ?? 1);
  if (f?.mode === 'exit') process.exit(1);
  if (f?.mode === 'throw') return taskFailure(new Error(`injected fault (DWGEN_FAULT) in ${task.kind} partition ${task.partition}`));
  return handleTask(task);
}
