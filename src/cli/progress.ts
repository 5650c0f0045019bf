// Progress on stderr: a live per-table display (rows, rows/s, ETA) when stderr is a terminal,
// one summary line otherwise; nothing with --quiet.
import type { TableName } from '../core/tables.js';
import type { ProgressEvent } from '../run/generateRun.js';

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtRate = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));
const fmtTime = (s: number): string => {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

interface TableProgress {
  done: number;
  total: number;
  started: number;
  last: number;
}

export class ProgressDisplay {
  private readonly stream: NodeJS.WriteStream;
  private readonly live: boolean;
  private readonly tables = new Map<TableName, TableProgress>();
  private timer: NodeJS.Timeout | null = null;
  private drawnLines = 0;

  constructor(stream: NodeJS.WriteStream, enabled: boolean) {
    this.stream = stream;
    this.live = enabled && stream.isTTY === true;
  }

  update(e: ProgressEvent): void {
    const now = performance.now();
    const t = this.tables.get(e.table) ?? { done: 0, total: e.rowsTotal, started: now, last: now };
    t.done = e.rowsDone;
    t.total = e.rowsTotal;
    t.last = now;
    this.tables.set(e.table, t);
    if (this.live && this.timer === null) {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
  }

  private draw(): void {
    const now = performance.now();
    const lines = [...this.tables].map(([name, t]) => {
      const seconds = Math.max(1e-3, ((t.done >= t.total ? t.last : now) - t.started) / 1000);
      const rate = t.done / seconds;
      const eta = t.done >= t.total ? 0 : (t.total - t.done) / Math.max(rate, 1e-9);
      const pct = t.total > 0 ? Math.min(100, (100 * t.done) / t.total) : 100;
      return `${name.padEnd(17)} ${fmtInt(t.done).padStart(13)} / ${fmtInt(t.total).padEnd(13)} ${pct.toFixed(0).padStart(3)}%  ${fmtRate(rate).padStart(7)} rows/s  ETA ${fmtTime(eta)}`;
    });
    let out = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    out += lines.map((l) => `\x1b[2K${l}\n`).join('');
    this.drawnLines = lines.length;
    this.stream.write(out);
  }

  /** Stops the live display (drawing its final state). */
  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.draw();
    }
  }
}

export function summaryLine(tables: number, rows: number, bytes: number, seconds: number, dataDir: string): string {
  const s = Math.max(seconds, 1e-6);
  return `dwgen: wrote ${tables} table${tables === 1 ? '' : 's'}, ${fmtInt(rows)} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s (${fmtRate(rows / s)} rows/s, ${(bytes / 1e6 / s).toFixed(1)} MB/s) to ${dataDir}`;
}
