#!/usr/bin/env node
// dwgen's command line: dispatches to the subcommands and turns errors into one clear line and
// an exit status (2 for bad input, 1 for a failure while running).
import { GENERATE_HELP, generateCommand } from './cli/generateCommand.js';
import { UsageError } from './errors.js';

// validate and load pull in DuckDB: loaded only when asked for, so generate starts fast.
const validateCommand = async (argv: string[]): Promise<number> => (await import('./commands/validateCommand.js')).validateCommand(argv);
const loadCommand = async (argv: string[]): Promise<number> => (await import('./commands/loadCommand.js')).loadCommand(argv);
const profileCommand = async (argv: string[]): Promise<number> => (await import('./commands/profileCommand.js')).profileCommand(argv);

const HELP = `dwgen — a synthetic TPC-DS-style retail data warehouse generator

Usage: dwgen <command> [options]

Commands:
  generate    generate the warehouse (CSV and/or Parquet) with its data dictionary and lineage
  validate    check a generated dataset against every invariant, in DuckDB (exit 1 on a violation)
  load        load a dataset into a DuckDB database with keys and constraints; write DDL
  profile     write a self-contained HTML report of a dataset, with charts (computed in DuckDB)
  help        show this help

Run 'dwgen <command> --help' for a command's options.

${GENERATE_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'generate':
      return generateCommand(rest);
    case 'validate':
      return validateCommand(rest);
    case 'load':
      return loadCommand(rest);
    case 'profile':
      return profileCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}' (try 'dwgen --help')`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`dwgen: error: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      const e = err as NodeJS.ErrnoException;
      const what = e.code === 'ENOSPC' ? 'the disk is full' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'EROFS' ? 'read-only file system' : null;
      process.stderr.write(`dwgen: failed: ${what ? `${what}: ` : ''}${e.message ?? String(err)}\n`);
      if (process.env.DWGEN_DEBUG) process.stderr.write(`${e.stack}\n`);
      process.exitCode = 1;
    }
  },
);
