// Every error dwgen reports, one class per cause, in one place. Each carries the exit status the
// CLI ends with, so the commands and the library tell causes apart by class (or `cause`), never
// by matching message text:
//
//   UsageError      bad flags or input the user can fix (exit 2), raised before anything is written
//   ConfigError     a config key that is unknown, of the wrong type or impossible (exit 2)
//   DatasetError    a dataset to validate or load that cannot be used (exit 2)
//   OutputError     a file or object that could not be written or read while running (exit 1)
//   PartitionError  a partition that failed on its first try and again on a fresh worker (exit 1)
//   LoadError       data that violates a constraint of the warehouse it is loaded into (exit 1)
//   InterruptedError  SIGINT / SIGTERM: what was in flight finished and is recorded (130 / 143)

/** Base class: a message a data engineer can act on, and the exit status it ends the CLI with. */
export class DwgenError extends Error {
  override name = 'DwgenError';
  readonly exitCode: number = 1;
}

/** Bad input from the user (flags, output directory, a run already in progress): exit 2. */
export class UsageError extends DwgenError {
  override name = 'UsageError';
  override readonly exitCode: number = 2;
}

/** A config document that is not valid: the message names the key. Exit 2. */
export class ConfigError extends UsageError {
  override name = 'ConfigError';
}

/** A dataset (validate, load) that cannot be used as input. Exit 2. */
export class DatasetError extends UsageError {
  override name = 'DatasetError';
}

/** The data does not satisfy the warehouse's constraints (or a file does not parse). Exit 1. */
export class LoadError extends DwgenError {
  override name = 'LoadError';
}

/** What an errno means, said plainly. */
const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** Error codes of an environment that refuses writes: retrying the same write fails the same way. */
const REFUSALS = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS']);

/** "the disk is full (ENOSPC)" for a known errno, else the error's own message. */
export function describeCause(cause: unknown): string {
  const e = cause as NodeJS.ErrnoException;
  const code = e?.code;
  return code && CAUSES[code] ? `${CAUSES[code]} (${code})` : (e?.message ?? String(cause));
}

/** A failure to write (or read) one of the run's files or objects. The message names it and the cause. Exit 1. */
export class OutputError extends DwgenError {
  override name = 'OutputError';
  readonly code: string | undefined;

  constructor(path: string, cause: unknown, action = 'write') {
    super(`cannot ${action} ${path}: ${describeCause(cause)}`);
    this.code = (cause as NodeJS.ErrnoException)?.code;
  }
}

/** Whether an error is the environment refusing writes (disk full, permissions, read-only): not worth a retry. */
export function isRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && REFUSALS.has(code);
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

/** A partition that failed on its first try and again on a fresh worker. Exit 1. */
export class PartitionError extends DwgenError {
  override name = 'PartitionError';
}

/** The run stopped on SIGINT or SIGTERM after the partitions in flight were finished and recorded. */
export class InterruptedError extends DwgenError {
  override name = 'InterruptedError';
  readonly signal: NodeJS.Signals;
  override readonly exitCode: number;

  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
    this.exitCode = signal === 'SIGTERM' ? 143 : 130;
  }

}

/**
 * The one form of an error line the CLI prints on stderr: `dwgen <command>: error: <message>`, or
 * `dwgen: error: <message>` before a command is known (an unknown command). The message is the
 * error's own for a DwgenError (or a string), the plain cause for anything else (describeCause).
 * No trailing newline.
 */
export function errorLine(command: string | null, err: unknown): string {
  const message = typeof err === 'string' ? err : err instanceof DwgenError ? err.message : describeCause(err);
  return `dwgen${command ? ` ${command}` : ''}: error: ${message.split('\n')[0]}`;
}

/** node:util parseArgs' refusal (an unknown flag, a missing value) as one UsageError line, without its hint. */
export function flagError(err: unknown): UsageError {
  return new UsageError(String((err as Error)?.message ?? err).split('\n')[0].replace(/\. To specify a positional argument.*$/, ''));
}

/** The exit status an error ends the CLI with: its own, or 1 for anything unexpected. */
export function exitCodeOf(err: unknown): number {
  return err instanceof DwgenError ? err.exitCode : 1;
}
