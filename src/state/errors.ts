// The errors a run can end with, each one line a data engineer can act on: a file that could not
// be written (and why), a partition that failed twice, an interrupt.

const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** A failure to write one of the run's files. The message names the file and the cause. */
export class OutputError extends Error {
  override name = 'OutputError';
  readonly code: string | undefined;

  constructor(path: string, cause: unknown, action = 'write') {
    const e = cause as NodeJS.ErrnoException;
    const code = e?.code;
    const what = code && CAUSES[code] ? `${CAUSES[code]} (${code})` : (e?.message ?? String(cause));
    super(`cannot ${action} ${path}: ${what}`);
    this.code = code;
  }
}

/** Runs an I/O step, turning its error into an OutputError naming `path`. */
export function io<T>(path: string, body: () => T, action = 'write'): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof OutputError) throw err;
    throw new OutputError(path, err, action);
  }
}

export async function ioAsync<T>(path: string, body: () => Promise<T>, action = 'write'): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof OutputError) throw err;
    throw new OutputError(path, err, action);
  }
}

/** A partition that failed on its first try and again on a fresh worker. */
export class PartitionError extends Error {
  override name = 'PartitionError';
}

/** The run stopped on SIGINT or SIGTERM after the partitions in flight were finished and recorded. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}
