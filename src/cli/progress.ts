// Progress on stderr. On a terminal: a line per table (bar, percent, rows, rows/s) and an overall
// line (rows, MB, MB/s, elapsed, ETA), drawn by cli-progress's MultiBar (it owns the terminal
// handling: redraw in place, cursor, width). Off a terminal: nothing while running, one summary
// line at the end. Nothing at all with --quiet.
//
// Rates and the ETA are computed here, not by cli-progress (whose per-bar ETA is a moving
// average of its own updates: it showed 0:00 at 75 % when a table's rows arrive in bursts):
// - a rate is shown only once its table has been written for at least MIN_RATE_SECONDS, so a
//   small table done in a few ms no longer shows "100.39M rows/s";
// - the ETA is the whole run's: elapsed × (1 − f) / f, with f the share of every table's rows
//   written, shown once f ≥ 1 % and MIN_RATE_SECONDS have passed.
import cliProgress from 'cli-progress';
import type { TableName } from '../core/tables.js';
import type { ProgressEvent } from '../run/generateRun.js';

export const MIN_RATE_SECONDS = 1;

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtRate = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0));
export const fmtTime = (s: number): string => {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

interface TableProgress {
  done: number;
  total: number;
  started: number;
  last: number;
}

/** What the display shows, as plain values (pure: tested without a terminal). */
export interface ProgressView {
  tables: { name: TableName; pct: number; done: number; total: number; rate: string }[];
  overall: { pct: number; rows: number; mb: number; mbPerSecond: string; elapsed: string; eta: string };
}

export class ProgressState {
  readonly tables = new Map<TableName, TableProgress>();
  private readonly started: number;
  private runRowsDone = 0;
  private runRowsTotal = 0;
  private runBytesDone = 0;

  constructor(now: number) {
    this.started = now;
  }

  update(e: ProgressEvent, now: number): void {
    const t = this.tables.get(e.table) ?? { done: 0, total: e.rowsTotal, started: now, last: now };
    t.done = e.rowsDone;
    t.total = e.rowsTotal;
    t.last = now;
    this.tables.set(e.table, t);
    this.runRowsDone = e.runRowsDone;
    this.runRowsTotal = e.runRowsTotal;
    this.runBytesDone = e.runBytesDone;
  }

  view(now: number): ProgressView {
    const elapsed = (now - this.started) / 1000;
    const tables = [...this.tables].map(([name, t]) => {
      const seconds = ((t.done >= t.total ? t.last : now) - t.started) / 1000;
      return {
        name,
        pct: t.total > 0 ? Math.min(100, Math.floor((100 * t.done) / t.total)) : 100,
        done: t.done,
        total: t.total,
        rate: seconds >= MIN_RATE_SECONDS ? `${fmtRate(t.done / seconds)} rows/s` : '',
      };
    });
    const f = this.runRowsTotal > 0 ? Math.min(1, this.runRowsDone / this.runRowsTotal) : 0;
    const meaningful = elapsed >= MIN_RATE_SECONDS;
    return {
      tables,
      overall: {
        pct: Math.floor(100 * f),
        rows: this.runRowsDone,
        mb: this.runBytesDone / 1e6,
        mbPerSecond: meaningful ? `${(this.runBytesDone / 1e6 / elapsed).toFixed(1)} MB/s` : '',
        elapsed: fmtTime(elapsed),
        eta: f >= 1 ? '0:00' : meaningful && f >= 0.01 ? fmtTime(Math.ceil((elapsed * (1 - f)) / f)) : '--:--',
      },
    };
  }
}

const TABLE_FORMAT = '{name} {bar} {pct}%  {done} / {planned} rows  {rate}';
const OVERALL_FORMAT = '{name} {bar} {pct}%  {rows} rows  {mb} MB  {mbps}  elapsed {elapsed}  ETA {left}';

export class ProgressDisplay {
  private readonly stream: NodeJS.WriteStream;
  private readonly live: boolean;
  private readonly state = new ProgressState(performance.now());
  private bars: cliProgress.MultiBar | null = null;
  private overall: cliProgress.SingleBar | null = null;
  private readonly tableBars = new Map<TableName, cliProgress.SingleBar>();
  private timer: NodeJS.Timeout | null = null;

  constructor(stream: NodeJS.WriteStream, enabled: boolean) {
    this.stream = stream;
    this.live = enabled && stream.isTTY === true;
  }

  update(e: ProgressEvent): void {
    this.state.update(e, performance.now());
    if (!this.live || this.bars !== null) return;
    this.bars = new cliProgress.MultiBar(
      { stream: this.stream, format: TABLE_FORMAT, barsize: 20, hideCursor: true, clearOnComplete: false, stopOnComplete: false, autopadding: true, noTTYOutput: false, emptyOnZero: true },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.bars.create(100, 0, { name: 'all tables'.padEnd(17), pct: '  0', rows: '0', mb: '0.0', mbps: '', elapsed: '0:00', left: '--:--' }, { format: OVERALL_FORMAT });
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  private draw(): void {
    if (this.bars === null || this.overall === null) return;
    const v = this.state.view(performance.now());
    for (const t of v.tables) {
      let bar = this.tableBars.get(t.name);
      if (!bar) this.tableBars.set(t.name, (bar = this.bars.create(100, 0, { name: t.name.padEnd(17), pct: '  0', done: '', planned: '', rate: '' })));
      bar.update(t.pct, { name: t.name.padEnd(17), pct: String(t.pct).padStart(3), done: fmtInt(t.done).padStart(12), planned: fmtInt(t.total), rate: t.rate });
    }
    const o = v.overall;
    this.overall.update(o.pct, { name: 'all tables'.padEnd(17), pct: String(o.pct).padStart(3), rows: fmtInt(o.rows), mb: o.mb.toFixed(1), mbps: o.mbPerSecond, elapsed: o.elapsed, left: o.eta });
    this.bars.update();
  }

  /** Stops the live display (drawing its final state). */
  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.bars !== null) {
      this.draw();
      this.bars.stop();
      this.bars = null;
    }
  }
}

export function summaryLine(tables: number, rows: number, bytes: number, seconds: number, dataDir: string): string {
  const s = Math.max(seconds, 1e-6);
  return `dwgen: wrote ${tables} table${tables === 1 ? '' : 's'}, ${fmtInt(rows)} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s (${fmtRate(rows / s)} rows/s, ${(bytes / 1e6 / s).toFixed(1)} MB/s) to ${dataDir}`;
}
