// package.json's dependencies are what the shipped code (src/) loads, and nothing else: a package
// used only by tests or benchmarks is a devDependency, one that nothing uses is not listed.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Package names a directory's .ts files load: import … from 'x', import('x'), require('x'), loadNative<…>('x'). */
function packagesLoadedUnder(dir: string): Set<string> {
  const names = new Set<string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*|loadNative<\w+>\(\s*)'([^'./][^']*)'/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:')) continue;
          names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
  };
  walk(dir);
  return names;
}

/** The reference-data packages src/core/geography.ts loads by name (its DATA_MODULES list). */
function geographyModules(): string[] {
  const text = readFileSync(join(ROOT, 'src/core/geography.ts'), 'utf8');
  const list = /const DATA_MODULES = \[([^\]]*)\]/.exec(text)?.[1] ?? '';
  return [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]!.split('/')[0]!);
}

describe('package.json', () => {
  const runtime = new Set([...packagesLoadedUnder(join(ROOT, 'src')), ...geographyModules()]);

  it('every runtime dependency is loaded by src/, and src/ loads only runtime dependencies', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...runtime].sort());
  });

  it('every runtime dependency is pinned to one exact version: what reaches the output (random streams, the config parser, reference data, codecs) never moves with an install', () => {
    for (const [name, version] of Object.entries(pkg.dependencies)) expect(version, name).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  });

  it('packages of the tests and benchmarks only (fast-csv, parquetjs-lite) are devDependencies', () => {
    for (const name of ['fast-csv', 'parquetjs-lite']) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
    const used = new Set([...runtime, ...packagesLoadedUnder(join(ROOT, 'test')), ...packagesLoadedUnder(join(ROOT, 'bench'))]);
    // type packages and tools run from scripts are used without an import
    const tools = new Set(['typescript', 'tsx', 'vitest', '@types/node', '@types/pg', '@types/pg-copy-streams', '@types/cli-progress']);
    for (const name of Object.keys(pkg.devDependencies)) if (!tools.has(name)) expect(used.has(name), `${name} is used`).toBe(true);
  });
});
