// What a run wrote, read back from the durable records of every run state that contributed (one
// machine's, or every shard's and finalize's), in one canonical order: the metadata documents are
// built from this, never from a process's memory, so they are the same whichever processes
// generated the partitions, and a process that generated nothing (finalize) can write them.
import type { Plan } from '../core/plan.js';
import { TABLE_NAMES, type StepName, type TableName } from '../core/tables.js';
import type { Format } from '../streams/tableOutput.js';
import type { RunRecords } from './records.js';

export interface FileRecord {
  path: string;
  format: Format;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface TableRecord {
  rows: number;
  files: FileRecord[];
}

export interface RunResult {
  plan: Plan;
  /** Row count of every table, written or not. */
  rowCounts: Record<TableName, number>;
  /** The tables written, with their files. */
  written: Partial<Record<TableName, TableRecord>>;
  /** Wall time in seconds of each logical step (fused steps share the pass that ran them). */
  stepSeconds: Partial<Record<StepName, number>>;
  /** On --resume: partitions reused from the records and partitions (re)generated. */
  resumed: { reused: number; regenerated: number } | null;
}

/**
 * The files of every table in `tables`, from the records: per table, by format (in `formats`
 * order), then by path. A table's rows are those of its files in the first format.
 */
export async function writtenFromRecords(
  sources: readonly RunRecords[],
  tables: readonly TableName[],
  formats: readonly Format[],
  singleFile: boolean,
): Promise<Partial<Record<TableName, TableRecord>>> {
  const files = new Map<TableName, Map<string, FileRecord>>();
  const add = (table: string, file: FileRecord): void => {
    const t = table as TableName;
    if (!tables.includes(t) || !formats.includes(file.format)) return;
    let m = files.get(t);
    if (!m) files.set(t, (m = new Map()));
    m.set(file.path, file);
  };
  for (const records of sources) {
    for (const rec of await records.listRecords()) {
      for (const part of rec.parts) {
        if (part.path !== null && part.sha256 !== null) add(part.table, { path: part.path, format: part.format, rows: part.rows, bytes: part.bytes, sha256: part.sha256 });
      }
    }
    if (singleFile) {
      for (const t of tables) {
        const single = await records.readSingleRecord(t);
        if (single) add(t, { path: single.path, format: 'csv', rows: single.rows, bytes: single.bytes, sha256: single.sha256 });
      }
    }
  }
  const written: Partial<Record<TableName, TableRecord>> = {};
  for (const t of TABLE_NAMES) {
    const m = files.get(t);
    if (!m) continue;
    const list = [...m.values()].sort((a, b) => formats.indexOf(a.format) - formats.indexOf(b.format) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    written[t] = { rows: list.filter((f) => f.format === formats[0]).reduce((s, f) => s + f.rows, 0), files: list };
  }
  return written;
}

/** Rows and bytes of every table written (each table's rows counted once, its bytes in every format). */
export function writtenTotals(written: Partial<Record<TableName, TableRecord>>): { rows: number; bytes: number } {
  const tables = Object.values(written) as TableRecord[];
  return { rows: tables.reduce((s, t) => s + t.rows, 0), bytes: tables.reduce((s, t) => s + t.files.reduce((b, f) => b + f.bytes, 0), 0) };
}
