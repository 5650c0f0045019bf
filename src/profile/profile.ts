// `dwgen profile`: one self-contained HTML report of a generated dataset, every figure computed in
// DuckDB over the dataset's files (CSV or Parquet, single or partitioned) and every chart drawn as
// static SVG by @observablehq/plot in Node (linkedom as its DOM). The page needs no network and no
// script to view.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { TABLES, type TableName } from '../core/tables.js';
import { qi } from '../ddl/sql.js';
import { openDataset, primaryFormat, type DatasetLocation } from '../validate/dataset.js';
import { selectTableSql } from '../validate/reader.js';

type Row = Record<string, unknown>;

export interface ColumnSummary {
  name: string;
  type: string;
  nulls: number;
  distinct: number;
  min: string;
  max: string;
  /** Most frequent values of a text column, with their counts. */
  top: { value: string; count: number }[];
}

export interface TableProfile {
  name: TableName;
  rows: number;
  columns: ColumnSummary[];
}

export interface Profile {
  /** What produced the data (the lineage's run record), shown at the top of the page. */
  run: Record<string, unknown>;
  tables: TableProfile[];
  daily: { date: string; orders: number; revenue: number }[];
  weekdays: { weekday: string; orders: number; perDay: number }[];
  lorenz: { who: string; keys: number; share: number }[];
  topShare: { who: string; top1pct: number; max: number }[];
  tiers: { tier: string; customers: number; ordersPerCustomer: number; basket: number }[];
  categories: { category: string; revenue: number; returnRate: number; lines: number }[];
  states: { state: string; customers: number; stores: number }[];
  inRegionShare: number;
  statusByMonth: { month: number; status: string; orders: number }[];
}

const TOP_K = 5;
const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(v));
const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

async function rows(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Row[];
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const CENSUS_REGION_SQL =
  "CASE WHEN state IN ('CT','ME','MA','NH','RI','VT','NJ','NY','PA') THEN 'Northeast' " +
  "WHEN state IN ('IL','IN','MI','OH','WI','IA','KS','MN','MO','NE','ND','SD') THEN 'Midwest' " +
  "WHEN state IN ('AZ','CO','ID','MT','NV','NM','UT','WY','AK','CA','HI','OR','WA') THEN 'West' ELSE 'South' END";

/** Every figure of the report, computed in DuckDB. The dataset needs the tables the charts read. */
export async function computeProfile(where: DatasetLocation): Promise<Profile> {
  const ds = await openDataset(where);
  const needed: TableName[] = ['customers', 'products', 'stores', 'dates', 'orders', 'transactions_raw', 'returns'];
  const missing = needed.filter((t) => !ds.tables.has(t));
  if (missing.length > 0) throw new ProfileError(`the dataset has no ${missing.join(', ')} (profile needs ${needed.join(', ')})`);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    for (const t of ds.tables.values()) {
      const format = primaryFormat(t);
      await conn.run(`CREATE VIEW ${qi(t.name)} AS ${selectTableSql(t.name, format, t.files[format]!.map((f) => f.abs), false)}`);
    }
    const tables: TableProfile[] = [];
    for (const t of ds.tables.values()) tables.push(await profileTable(conn, t.name));

    const daily = (await rows(conn, `SELECT CAST(o.order_date AS VARCHAR) AS d, count(*) AS n, sum(o.order_total) AS r FROM orders o GROUP BY 1 ORDER BY 1`)).map((r) => ({
      date: text(r.d), orders: num(r.n), revenue: num(r.r),
    }));
    const weekdayRows = await rows(conn, `SELECT dayname(order_date) AS w, count(*) AS n, count(*) / count(DISTINCT order_date) AS per_day FROM orders GROUP BY 1`);
    const weekdays = WEEKDAYS.map((w) => {
      const r = weekdayRows.find((x) => x.w === w);
      return { weekday: w, orders: r ? num(r.n) : 0, perDay: r ? num(r.per_day) : 0 };
    });
    const lorenz: Profile['lorenz'] = [];
    const topShare: Profile['topShare'] = [];
    for (const [who, sql] of [
      ['products (units)', `SELECT product_id AS k, sum(quantity) AS v FROM transactions_raw GROUP BY 1`],
      ['customers (orders)', `SELECT customer_id AS k, count(*) AS v FROM orders GROUP BY 1`],
    ] as const) {
      // Keys ranked from the most to the least popular; 100 points of the cumulative share.
      const curve = await rows(conn,
        `WITH v AS (SELECT v, row_number() OVER (ORDER BY v DESC, k) AS rk, count(*) OVER () AS n, sum(v) OVER () AS total FROM (${sql})), ` +
        `c AS (SELECT rk, n, sum(v) OVER (ORDER BY rk) / any_value(total) OVER () AS share FROM v) ` +
        `SELECT rk / n AS keys, share FROM c WHERE rk = n OR rk % greatest(1, n // 100) = 0 ORDER BY rk`);
      lorenz.push({ who, keys: 0, share: 0 }, ...curve.map((r) => ({ who, keys: num(r.keys), share: num(r.share) })));
      const [s] = await rows(conn,
        `WITH v AS (SELECT v, row_number() OVER (ORDER BY v DESC, k) AS rk, count(*) OVER () AS n FROM (${sql})) ` +
        `SELECT sum(v) FILTER (WHERE rk <= greatest(1, round(n / 100))) / sum(v) AS top, max(v) / sum(v) AS mx FROM v`);
      topShare.push({ who, top1pct: num(s!.top), max: num(s!.mx) });
    }
    const tiers = (await rows(conn,
      `SELECT c.loyalty_status AS t, count(DISTINCT c.customer_id) AS customers, count(o.order_id) / count(DISTINCT c.customer_id) AS opc, avg(o.total_quantity) AS basket ` +
      `FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id GROUP BY 1`)).map((r) => ({
      tier: text(r.t), customers: num(r.customers), ordersPerCustomer: num(r.opc), basket: num(r.basket),
    }));
    const tierOrder = ['Bronze', 'Silver', 'Gold', 'Platinum'];
    tiers.sort((a, b) => tierOrder.indexOf(a.tier) - tierOrder.indexOf(b.tier));
    const categories = (await rows(conn,
      `SELECT p.category AS c, sum(l.line_total) AS revenue, count(*) AS lines, ` +
      `count(r.return_id) FILTER (WHERE o.status IN ('Completed', 'Returned')) / count(*) FILTER (WHERE o.status IN ('Completed', 'Returned')) AS rr ` +
      `FROM transactions_raw l JOIN products p ON p.product_id = l.product_id JOIN orders o ON o.order_id = l.order_id ` +
      `LEFT JOIN returns r ON r.transaction_id = l.transaction_id GROUP BY 1 ORDER BY revenue DESC`)).map((r) => ({
      category: text(r.c), revenue: num(r.revenue), returnRate: num(r.rr), lines: num(r.lines),
    }));
    const states = (await rows(conn,
      `SELECT coalesce(c.state, s.state) AS st, coalesce(c.n, 0) AS customers, coalesce(s.n, 0) AS stores FROM ` +
      `(SELECT state, count(*) AS n FROM customers GROUP BY 1) c FULL OUTER JOIN (SELECT state, count(*) AS n FROM stores GROUP BY 1) s ON s.state = c.state ORDER BY 1`)).map((r) => ({
      state: text(r.st), customers: num(r.customers), stores: num(r.stores),
    }));
    const [region] = await rows(conn,
      `SELECT avg(CASE WHEN c.region = s.region THEN 1 ELSE 0 END) AS share FROM orders o ` +
      `JOIN (SELECT customer_id, ${CENSUS_REGION_SQL} AS region FROM customers) c ON c.customer_id = o.customer_id JOIN stores s ON s.store_id = o.store_id`);
    const statusByMonth = (await rows(conn, `SELECT month(order_date) AS m, status AS s, count(*) AS n FROM orders GROUP BY 1, 2 ORDER BY 1, 2`)).map((r) => ({
      month: num(r.m), status: text(r.s), orders: num(r.n),
    }));
    return { run: await runRecord(ds.metadataDir), tables, daily, weekdays, lorenz, topShare, tiers, categories, states, inRegionShare: num(region!.share), statusByMonth };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export class ProfileError extends Error {
  override name = 'ProfileError';
}

/** The lineage's run record (seed, scale factor, config hash, …), or what schema.json says. */
async function runRecord(metadataDir: string): Promise<Record<string, unknown>> {
  try {
    const doc = parseYaml(await readFile(path.join(metadataDir, 'generation_lineage.yaml'), 'utf8')) as Record<string, unknown>;
    const run = (doc.dwgen as Record<string, unknown> | undefined)?.run ?? doc.run;
    if (run && typeof run === 'object') return run as Record<string, unknown>;
  } catch {
    // no lineage: fall through
  }
  return { note: 'no generation_lineage.yaml run record found' };
}

async function profileTable(conn: DuckDBConnection, table: TableName): Promise<TableProfile> {
  const def = TABLES[table];
  const t = qi(table);
  const [count] = await rows(conn, `SELECT count(*) AS n FROM ${t}`);
  const columns: ColumnSummary[] = [];
  const parts = def.columns.map((c) => {
    const q = qi(c.name);
    return `count(*) - count(${q}) AS ${qi(c.name + '__nulls')}, count(DISTINCT ${q}) AS ${qi(c.name + '__distinct')}, ` +
      `CAST(min(${q}) AS VARCHAR) AS ${qi(c.name + '__min')}, CAST(max(${q}) AS VARCHAR) AS ${qi(c.name + '__max')}`;
  });
  const [stats] = await rows(conn, `SELECT ${parts.join(', ')} FROM ${t}`);
  for (const c of def.columns) {
    const isText = c.type.startsWith('VARCHAR') || c.type.startsWith('CHAR');
    const top = isText
      ? (await rows(conn, `SELECT CAST(${qi(c.name)} AS VARCHAR) AS v, count(*) AS n FROM ${t} WHERE ${qi(c.name)} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT ${TOP_K}`)).map((r) => ({ value: text(r.v), count: num(r.n) }))
      : [];
    columns.push({
      name: c.name,
      type: c.type,
      nulls: num(stats![`${c.name}__nulls`]),
      distinct: num(stats![`${c.name}__distinct`]),
      min: text(stats![`${c.name}__min`]),
      max: text(stats![`${c.name}__max`]),
      top,
    });
  }
  return { name: table, rows: num(count!.n), columns };
}

// ---- rendering -----------------------------------------------------------------------------------

/**
 * A tile-grid map of the US: each state a cell at (column, row), roughly where it lies, so a
 * choropleth reads without map geometry.
 */
const STATE_TILES: Record<string, [number, number]> = {
  AK: [0, 0], ME: [11, 0], VT: [10, 1], NH: [11, 1], WA: [1, 2], ID: [2, 2], MT: [3, 2], ND: [4, 2], MN: [5, 2], WI: [6, 2], MI: [8, 2], NY: [9, 2], MA: [10, 2],
  OR: [1, 3], NV: [2, 3], WY: [3, 3], SD: [4, 3], IA: [5, 3], IL: [6, 3], IN: [7, 3], OH: [8, 3], PA: [9, 3], NJ: [10, 3], CT: [11, 3], RI: [12, 3],
  CA: [1, 4], UT: [2, 4], CO: [3, 4], NE: [4, 4], MO: [5, 4], KY: [6, 4], WV: [7, 4], VA: [8, 4], MD: [9, 4], DE: [10, 4], DC: [11, 4],
  AZ: [2, 5], NM: [3, 5], KS: [4, 5], AR: [5, 5], TN: [6, 5], NC: [7, 5], SC: [8, 5],
  OK: [4, 6], LA: [5, 6], MS: [6, 6], AL: [7, 6], GA: [8, 6], HI: [0, 7], TX: [4, 7], FL: [9, 7],
};

/** Renders a Plot chart in Node: linkedom supplies the document; the result is SVG markup. */
function chart(options: Plot.PlotOptions): string {
  const { document } = parseHTML('<!DOCTYPE html><html><body></body></html>');
  const node = Plot.plot({ ...options, document: document as unknown as Document, style: { background: 'white', fontSize: '11px' } });
  return (node as unknown as { outerHTML: string }).outerHTML;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)} %`;

/** The charts of the report, each an SVG string with its title. */
export function renderCharts(p: Profile): { id: string; title: string; svg: string }[] {
  const daily = p.daily.map((d) => ({ ...d, day: new Date(`${d.date}T00:00:00Z`) }));
  const tiles = p.states.filter((s) => STATE_TILES[s.state]).map((s) => ({ ...s, x: STATE_TILES[s.state]![0], y: STATE_TILES[s.state]![1] }));
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return [
    {
      id: 'daily-orders',
      title: 'Orders per day (seasonality, weekends, Black Friday, the days before Christmas)',
      svg: chart({ width: 900, height: 260, x: { type: 'utc', label: null }, y: { label: 'orders', grid: true }, marks: [Plot.lineY(daily, { x: 'day', y: 'orders', stroke: '#4269d0' }), Plot.ruleY([0])] }),
    },
    {
      id: 'daily-revenue',
      title: 'Revenue per day (dollars)',
      svg: chart({ width: 900, height: 220, x: { type: 'utc', label: null }, y: { label: 'revenue ($)', grid: true }, marks: [Plot.lineY(daily, { x: 'day', y: 'revenue', stroke: '#ff725c' }), Plot.ruleY([0])] }),
    },
    {
      id: 'weekdays',
      title: 'Orders per calendar day, by weekday',
      svg: chart({ width: 440, height: 240, x: { domain: WEEKDAYS, label: null, tickFormat: (d: string) => d.slice(0, 3) }, y: { label: 'orders per day', grid: true }, marks: [Plot.barY(p.weekdays, { x: 'weekday', y: 'perDay', fill: '#6cc5b0' }), Plot.ruleY([0])] }),
    },
    {
      id: 'lorenz',
      title: `Popularity: cumulative share taken by the most popular keys (top 1 %: ${p.topShare.map((t) => `${t.who} ${pct(t.top1pct)}`).join(', ')})`,
      svg: chart({ width: 440, height: 300, x: { label: 'share of keys, most popular first', percent: true }, y: { label: 'share of volume', percent: true, grid: true }, color: { legend: true }, marks: [Plot.line(p.lorenz, { x: 'keys', y: 'share', stroke: 'who' }), Plot.line([{ x: 0, y: 0 }, { x: 1, y: 1 }], { x: 'x', y: 'y', stroke: '#aaa', strokeDasharray: '3,3' })] }),
    },
    {
      id: 'tiers',
      title: 'Orders per customer and mean units per order, by loyalty tier',
      svg: chart({ width: 440, height: 240, x: { domain: p.tiers.map((t) => t.tier), label: null }, y: { label: 'orders per customer', grid: true }, marks: [Plot.barY(p.tiers, { x: 'tier', y: 'ordersPerCustomer', fill: '#efb118' }), Plot.text(p.tiers, { x: 'tier', y: 'ordersPerCustomer', text: (t: Profile['tiers'][number]) => `${t.basket.toFixed(1)} units/order`, dy: -8 }), Plot.ruleY([0])] }),
    },
    {
      id: 'categories',
      title: 'Revenue by category (dollars)',
      svg: chart({ width: 440, height: 260, marginLeft: 90, x: { label: 'revenue ($)', grid: true }, y: { domain: p.categories.map((c) => c.category), label: null }, marks: [Plot.barX(p.categories, { y: 'category', x: 'revenue', fill: '#a463f2' }), Plot.ruleX([0])] }),
    },
    {
      id: 'returns',
      title: 'Return rate of order lines by category (Completed and Returned orders)',
      svg: chart({ width: 440, height: 260, marginLeft: 90, x: { label: 'lines returned', percent: true, grid: true }, y: { domain: [...p.categories].sort((a, b) => b.returnRate - a.returnRate).map((c) => c.category), label: null }, marks: [Plot.barX(p.categories, { y: 'category', x: 'returnRate', fill: '#97bbf5' }), Plot.ruleX([0])] }),
    },
    {
      id: 'states',
      title: `Customers by state (colour) and stores per state (number); ${pct(p.inRegionShare)} of orders at a store in the customer's census region`,
      svg: chart({
        width: 620, height: 380, x: { axis: null }, y: { axis: null }, padding: 0.06, color: { scheme: 'blues', type: 'quantile', n: 6, legend: true, label: 'customers' },
        marks: [
          Plot.cell(tiles, { x: 'x', y: 'y', fill: 'customers', inset: 1 }),
          Plot.text(tiles, { x: 'x', y: 'y', text: 'state', dy: -6, fontWeight: 'bold' }),
          Plot.text(tiles, { x: 'x', y: 'y', text: (s: (typeof tiles)[number]) => (s.stores > 0 ? `${s.stores}` : '·'), dy: 7 }),
        ],
      }),
    },
    {
      id: 'status',
      title: 'Order status by month (Processing and Shipped at the calendar end only)',
      svg: chart({ width: 900, height: 260, x: { label: null, tickFormat: (m: number) => months[m - 1] }, y: { label: 'orders', grid: true }, color: { legend: true }, marks: [Plot.barY(p.statusByMonth, { x: 'month', y: 'orders', fill: 'status' }), Plot.ruleY([0])] }),
    },
  ];
}

export function renderProfileHtml(p: Profile): string {
  const charts = renderCharts(p);
  const run = Object.entries(p.run)
    .filter(([, v]) => v === null || typeof v !== 'object' || Array.isArray(v))
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(Array.isArray(v) ? v.join(', ') : String(v))}</td></tr>`)
    .join('');
  // The effective config (every key, defaults filled in), as the lineage records it: a file `dwgen generate --config` takes.
  const config =
    p.run.config !== null && typeof p.run.config === 'object'
      ? `<h3>The effective config</h3><pre class="config">${esc(toYaml(p.run.config, { lineWidth: 0 }))}</pre>`
      : '<p>The lineage records no effective config (a dataset of an earlier dwgen): only its source and hash above.</p>';
  const tableSections = p.tables
    .map((t) => {
      const body = t.columns
        .map((c) => `<tr><td>${esc(c.name)}</td><td>${esc(c.type)}</td><td class="n">${fmtInt(c.nulls)}</td><td class="n">${fmtInt(c.distinct)}</td><td>${esc(c.min)}</td><td>${esc(c.max)}</td><td>${c.top.map((v) => `${esc(v.value)} (${fmtInt(v.count)})`).join(', ')}</td></tr>`)
        .join('');
      return `<section class="table"><h3>${esc(t.name)} — ${fmtInt(t.rows)} rows</h3><table><thead><tr><th>column</th><th>type</th><th>nulls</th><th>distinct</th><th>min</th><th>max</th><th>top ${TOP_K} (text)</th></tr></thead><tbody>${body}</tbody></table></section>`;
    })
    .join('\n');
  const figures = charts.map((c) => `<section class="chart" id="${c.id}" data-chart="${c.id}"><h3>${esc(c.title)}</h3>${c.svg}</section>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dwgen profile</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 14px; margin: 18px 0 6px; }
table { border-collapse: collapse; font-size: 12px; } th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; } pre.config { font-size: 12px; background: #f6f6f6; padding: 8px; max-height: 420px; overflow: auto; } .charts { display: flex; flex-wrap: wrap; gap: 12px 28px; } .chart svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>dwgen profile</h1>
<p>Computed in DuckDB from the dataset's files; charts drawn by Observable Plot as static SVG.</p>
<h2>What produced this data</h2>
<table class="run">${run}</table>
${config}
<h2>Charts</h2>
<div class="charts">
${figures}
</div>
<h2>Tables</h2>
${tableSections}
</body>
</html>
`;
}
