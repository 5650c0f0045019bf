#!/usr/bin/env node
// dwgen's command line: dispatches to the subcommands and turns errors into one clear line and
// an exit status (2 for bad input, 1 for a failure while running).
import { GENERATE_HELP, generateCommand } from './cli/generateCommand.js';
import { UsageError, errorLine, exitCodeOf } from './errors.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

// validate and load pull in DuckDB: loaded only when asked for, so generate starts fast.
const validateCommand = async (argv: string[]): Promise<number> => (await import('./commands/validateCommand.js')).validateCommand(argv);
const finalizeCommand = async (argv: string[]): Promise<number> => (await import('./cli/finalizeCommand.js')).finalizeCommand(argv);
const loadCommand = async (argv: string[]): Promise<number> => (await import('./commands/loadCommand.js')).loadCommand(argv);
const ddlCommand = async (argv: string[]): Promise<number> => (await import('./commands/ddlCommand.js')).ddlCommand(argv);
const profileCommand = async (argv: string[]): Promise<number> => (await import('./commands/profileCommand.js')).profileCommand(argv);

const HELP = `dwgen — a synthetic TPC-DS-style retail data warehouse generator

Usage: dwgen <command> [options]

Commands:
  generate    generate the warehouse (CSV and/or Parquet) with its data dictionary and lineage
  finalize    complete a sharded run (generate --parts N --part K): inventory and the metadata
  validate    check a generated dataset against every invariant, in DuckDB (exit 1 on a violation)
  load        load a dataset into a DuckDB file or a PostgreSQL server with keys and constraints
  ddl         print the CREATE TABLE statements for DuckDB or PostgreSQL
  profile     write a self-contained HTML report of a dataset, with charts (computed in DuckDB)
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
    case 'finalize':
      return finalizeCommand(rest);
    case 'validate':
      return validateCommand(rest);
    case 'load':
      return loadCommand(rest);
    case 'ddl':
      return ddlCommand(rest);
    case 'profile':
      return profileCommand(rest);
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

const COMMANDS = new Set(['generate', 'finalize', 'validate', 'load', 'ddl', 'profile']);
const argv = process.argv.slice(2);

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // One form for every command: `dwgen <command>: error: <message>`, and the error's own exit status.
    process.stderr.write(`${errorLine(COMMANDS.has(argv[0]) ? argv[0] : null, err)}\n`);
    if (process.env.DWGEN_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = exitCodeOf(err);
  },
);
