// Runs a command function (validateCommand / loadCommand) with its stdout and stderr captured
// through the command's io parameter, so concurrent tests do not share process streams.
import type { CommandIo } from '../../src/commands/validateCommand.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function captureCli(fn: (argv: string[], io: CommandIo) => Promise<number>, argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await fn(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}
