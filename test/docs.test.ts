// The README and docs/ stand alone in a clone: every relative link resolves to a file of the
// repository (none leaves it), and docs/tables.md lists every table and column with its type.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLES, TABLE_NAMES } from '../src/core/tables.js';

const ROOT = resolve(import.meta.dirname, '..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('README.md and docs/', () => {
  it.each(DOCS)('%s: every relative link is a file of this repository', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const bad: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split('#')[0]!;
      if (target === '' || /^[a-z]+:/i.test(target)) continue; // an anchor, or a URL
      const abs = resolve(dirname(join(ROOT, doc)), target);
      if (relative(ROOT, abs).startsWith('..') || !existsSync(abs)) bad.push(m[1]!);
    }
    expect(bad).toEqual([]);
  });

  it('docs/tables.md lists every table and every column with its type', () => {
    const text = readFileSync(join(ROOT, 'docs/tables.md'), 'utf8');
    const missing: string[] = [];
    for (const t of TABLE_NAMES) {
      const at = text.indexOf(`### ${t}\n`);
      if (at < 0) {
        missing.push(t);
        continue;
      }
      const next = text.indexOf('\n### ', at + 1);
      const section = text.slice(at, next < 0 ? undefined : next);
      for (const c of TABLES[t].columns) if (!section.includes(`| ${c.name} | ${c.type} |`)) missing.push(`${t}.${c.name} ${c.type}`);
    }
    expect(missing).toEqual([]);
  });
});
