// dwgen as a library (the package's main export): generate, finalize, validate and load. The CLI
// (src/main.ts) is a thin layer over these. None of them prints or exits; failures are the typed
// errors below, told apart by class (or exitCode, the status the CLI ends with).
export { generate, type GenerateOptions, type GenerateResult } from './api/generate.js';
export { finalize, type FinalizeOptions } from './api/finalize.js';
export { validate, load, loadIntoPostgres, type ValidateOptions, type LoadOptions } from './api/validateAndLoad.js';
export { DEFAULT_CONFIG, type Config } from './config/config.js';
export { TABLE_NAMES, type TableName } from './core/tables.js';
export type { ProgressEvent, Layout } from './run/generateRun.js';
export type { FileRecord, TableRecord } from './run/results.js';
export type { Format } from './streams/tableOutput.js';
export type { ValidationReport, CheckResult } from './validate/runner.js';
export type { LoadResult, LoadedTable } from './ddl/warehouse.js';
export type { PostgresLoadResult } from './ddl/postgres.js';
export { TOOL_VERSION } from './version.js';
export {
  DwgenError, UsageError, ConfigError, DatasetError, OutputError, PartitionError, LoadError, InterruptedError,
} from './errors.js';
