// `dwgen profile` end to end: the built CLI writes the page for a generated dataset, and a real
// headless Chromium (Debian's /usr/bin/chromium, installed by .ci/setup.d/20-chromium.sh, driven by
// playwright-core) loads it with no console error, finds drawn marks in every chart, and writes a
// screenshot to test-results/profile.png as an artefact.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfigFile } from '../src/config/config.js';
import { ROOT, SMALL_CONFIG, generate, runCli, tempDir } from './helpers/dwgen.js';

const CHARTS = ['daily-orders', 'daily-revenue', 'weekdays', 'lorenz', 'tiers', 'categories', 'returns', 'states', 'status'];
/** Plot's mark groups whose children are drawn data (axes, grids and rules are not counted). */
const MARKS = 'g[aria-label="bar"] rect, g[aria-label="line"] path, g[aria-label="cell"] rect';

let html: string;
let page: string;

beforeAll(() => {
  const data = generate(['--config', SMALL_CONFIG, '--workers', '2']);
  page = join(tempDir(), 'profile.html');
  const r = runCli(['profile', '--dir', data, '--out', page]);
  if (r.status !== 0) throw new Error(`dwgen profile failed (${r.status}): ${r.stderr}`);
  html = readFileSync(page, 'utf8');
}, 180_000);

describe('dwgen profile', () => {
  it('writes one self-contained page: no script, no external URL, the run that produced the data, every table', () => {
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/);
    expect(html).toContain('<th>seed</th><td>7</td>');
    expect(html).toContain('<th>config_sha256</th>');
    for (const t of ['customers', 'products', 'stores', 'promotions', 'dates', 'raw_orders', 'transactions_raw', 'order_aggregates', 'orders', 'inventory', 'returns']) {
      expect(html).toContain(`<h3>${t} — `);
    }
    expect(html).toMatch(/<h3>orders — 6,000 rows<\/h3>/);
    expect(html).toMatch(/<h3>customers — 1,200 rows<\/h3>/);
  });

  it('shows the effective config that produced the data, every key: the config file given, with the defaults filled in', () => {
    const block = /<pre class="config">([\s\S]*?)<\/pre>/.exec(html)?.[1];
    expect(block).toBeDefined();
    const text = block!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expect(parseYaml(text)).toEqual(loadConfigFile(SMALL_CONFIG));
  });

  it('refuses a directory with no dataset: one line, exit 2', () => {
    const r = runCli(['profile', '--dir', tempDir(), '--out', join(tempDir(), 'x.html')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dwgen profile: .*\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('loads in headless Chromium with no console error; every chart has drawn marks; a screenshot is written', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'dwgen-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    try {
      const tab = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      tab.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      tab.on('pageerror', (e) => void errors.push(String(e)));
      tab.on('request', (r) => void (r.url().startsWith('file:') || requests.push(r.url())));
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]); // nothing fetched from a network
      const marks = await tab.evaluate(
        ([ids, selector]) => (ids as string[]).map((id) => {
          const section = document.getElementById(id);
          // The chart's own SVG: the largest one (a legend's swatches are small SVGs of their own).
          const boxes = [...(section?.querySelectorAll('svg') ?? [])].map((svg) => svg.getBoundingClientRect());
          const box = boxes.sort((a, b) => b.width * b.height - a.width * a.height)[0];
          return { id, marks: section ? section.querySelectorAll(selector as string).length : -1, width: box?.width ?? 0, height: box?.height ?? 0 };
        }),
        [CHARTS, MARKS] as const,
      );
      for (const m of marks) {
        expect(m.marks, `${m.id}: drawn marks`).toBeGreaterThan(0);
        expect(m.width, `${m.id}: width`).toBeGreaterThan(100);
        expect(m.height, `${m.id}: height`).toBeGreaterThan(100);
      }
      // Bars of the weekday chart: exactly 7, and the map draws a cell for every state with customers.
      expect(marks.find((m) => m.id === 'weekdays')!.marks).toBe(7);
      const dir = join(ROOT, 'test-results');
      mkdirSync(dir, { recursive: true });
      await tab.screenshot({ path: join(dir, 'profile.png'), fullPage: true });
      expect(readFileSync(join(dir, 'profile.png')).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await context.close();
    }
  }, 120_000);
});
