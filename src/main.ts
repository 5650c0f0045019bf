#!/usr/bin/env node
// dwgen's command line: dispatches to the subcommands and turns errors into one clear line and
// an exit status (2 for bad input, 1 for a failure while running).
import { GENERATE_HELP, generateCommand } from './cli/generateCommand.js';
import { UsageError, errorLine } from './errors.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

// validate and load pull in DuckDB: loaded only when asked for, so generate starts fast.
const validateCommand = async (argv: string[]): Promise<number> => (await import('./commands/validateCommand.js')).validateCommand(argv);
const loadCommand = async (argv: string[]): Promise<number> => (await import('./commands/loadCommand.js')).loadCommand(argv);
const ddlCommand = async (argv: string[]): Promise<number> => (await import('./commands/ddlCommand.js')).ddlCommand(argv);

const HELP = `dwgen — a synthetic TPC-DS-style retail data warehouse generator

Usage: dwgen <command> [options]

Commands:
  generate    generate the warehouse (CSV and/or Parquet) with its data dictionary and lineage
  validate    check a generated dataset against every invariant, in DuckDB (exit 1 on a violation)
  load        load a dataset into a DuckDB file or a PostgreSQL server with keys and constraints
  ddl         print the CREATE TABLE statements for DuckDB or PostgreSQL
  help        show this help

Options:
  -V, --version   print the version

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
    case 'ddl':
      return ddlCommand(rest);
    case '--version':
    case '-V':
      process.stdout.write(`${TOOL_NAME} ${TOOL_VERSION}\n`);
      return 0;
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
      process.stderr.write(`${errorLine(null, err)}\n`);
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
