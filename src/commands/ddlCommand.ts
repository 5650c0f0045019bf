// `dwgen ddl --dialect duckdb|postgres [--out FILE] [--drop]`: prints (or writes) the CREATE TABLE
// statements of the warehouse. The script is re-runnable (CREATE TABLE IF NOT EXISTS); --drop
// starts it with DROP TABLE IF EXISTS for dwgen's tables. Exit code: 0, or 2 for bad flags, 1 when
// --out cannot be written.
import { parseArgs } from 'node:util';
import { OutputError, UsageError } from '../errors.js';
import { generateDdl } from '../ddl/ddl.js';
import type { Dialect } from '../ddl/sql.js';
import { rename, rm, writeFile } from 'node:fs/promises';
import { processIo, reportError, shortError, type CommandIo } from './validateCommand.js';

export const DDL_USAGE = `Usage: dwgen ddl --dialect duckdb|postgres [--out FILE] [--drop]

Prints the warehouse's CREATE TABLE statements for DuckDB or PostgreSQL: the dictionary's types,
NOT NULL, named primary keys, UNIQUE and foreign-key constraints, tables in dependency order.
Every statement is CREATE TABLE IF NOT EXISTS, so the script can be run again on a database that
already has the tables.

Options:
  --dialect D   duckdb or postgres (required)
  --out FILE    write the script to FILE (under a temporary name, renamed into place) instead of
                printing it; its directory must exist
  --drop        start with DROP TABLE IF EXISTS for dwgen's 11 tables (PostgreSQL: one
                DROP … CASCADE, which also drops views and keys of other tables that depend on
                them), so running it replaces the tables: their rows are lost
  -h, --help    show this help

Exit status: 0 on success, 2 on bad flags, 1 when --out cannot be written.
`;

export async function ddlCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let values: { dialect?: string; out?: string; drop?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dialect: { type: 'string' },
        out: { type: 'string' },
        drop: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return reportError('ddl', new UsageError(shortError(err)), io);
  }
  if (values.help) {
    io.stdout(DDL_USAGE);
    return 0;
  }
  try {
    if (values.dialect === undefined) throw new UsageError('--dialect duckdb|postgres is required');
    if (values.dialect !== 'duckdb' && values.dialect !== 'postgres') throw new UsageError(`--dialect must be duckdb or postgres, got '${values.dialect}'`);
    if (values.out === '') throw new UsageError('--out needs a file name');
    const sql = generateDdl(values.dialect as Dialect, { drop: values.drop === true });
    if (values.out === undefined) io.stdout(sql);
    else {
      // Into an existing directory (no mkdir -p: Node 20's never returns under /proc).
      const out = values.out;
      const tmp = `${out}.tmp-${process.pid}`;
      try {
        await writeFile(tmp, sql);
        await rename(tmp, out);
      } catch (err) {
        await rm(tmp, { force: true }).catch(() => {});
        throw new OutputError(out, err);
      }
    }
    return 0;
  } catch (err) {
    return reportError('ddl', err, io);
  }
}
