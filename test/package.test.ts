// dwgen as an installed package: `npm pack`, install the tarball into a fresh project, import
// { generate, validate } and generate at a tiny scale; then type-check consumer code against the
// shipped declarations (a well-typed file passes, a mistyped one fails).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers/dwgen.js';
import { GOLDEN_CSV } from './fixtures/goldenChecksums.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let project: string;

beforeAll(() => {
  const packDir = tempDir('dwgen-pack-');
  // dist/ is built by `pretest`; --ignore-scripts keeps `prepare` from rebuilding it under the other tests.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const tarball = join(packDir, (JSON.parse(out) as { filename: string }[])[0].filename);
  project = tempDir('dwgen-consumer-');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, encoding: 'utf8', timeout: 240_000 });
}, 300_000);

describe('the installed package', () => {
  it('ships the compiled library, its declarations and the CLI, not the sources or tests', () => {
    const pkg = join(project, 'node_modules/dwgen');
    const files = readdirSync(pkg);
    expect(files).toEqual(expect.arrayContaining(['dist', 'package.json', 'README.md']));
    expect(files).not.toContain('src');
    expect(files).not.toContain('test');
    expect(readdirSync(join(pkg, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'main.js']));
    expect(readdirSync(join(pkg, 'dist/core'))).toContain('geography.bin'); // the reference geography, built once
  });

  it('import { generate, validate } from "dwgen" writes a dataset at scale 0.01 and returns its result', () => {
    const out = join(project, 'ds');
    writeFileSync(
      join(project, 'run.mjs'),
      `import { generate, validate, UsageError } from 'dwgen';
const r = await generate({ out: ${JSON.stringify(out)}, scale: 0.01, workers: 2 });
const report = await validate({ dir: r.out });
let refused = null;
try { await generate({ out: ${JSON.stringify(out)}, scale: -1 }); } catch (e) { refused = [e instanceof UsageError, e.exitCode, e.message]; }
console.log(JSON.stringify({ rows: r.rows, tables: Object.keys(r.tables), tx: r.tables.transactions_raw.files, ok: report.ok, refused, metadata: r.metadata !== null }));`,
    );
    const r = spawnSync(process.execPath, ['run.mjs'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // the library never prints
    const got = JSON.parse(r.stdout) as { rows: number; tables: string[]; tx: { path: string; rows: number; sha256: string }[]; ok: boolean; refused: unknown[]; metadata: boolean };
    expect(got.tables).toHaveLength(11);
    expect(got.tx).toEqual([{ path: 'data/transactions_raw.csv', format: 'csv', rows: 2969, bytes: 100193, sha256: GOLDEN_CSV['transactions_raw.csv'] }]);
    expect(got.ok).toBe(true);
    expect(got.metadata).toBe(true);
    expect(got.refused).toEqual([true, 2, "--scale must be a number greater than 0 and at most 10000, got '-1'"]);
    expect(JSON.parse(readFileSync(join(out, 'metadata/schema.json'), 'utf8')).tables.transactions_raw.row_count).toBe(2969);
  }, 120_000);

  it('consumer TypeScript type-checks against the shipped declarations, and a mistyped call does not', () => {
    const tsconfig = { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] } }; // a Node consumer has @types/node
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['good.ts'] }));
    writeFileSync(
      join(project, 'good.ts'),
      `import { generate, finalize, validate, load, DEFAULT_CONFIG, PartitionError, type Config, type GenerateOptions, type GenerateResult, type ProgressEvent } from 'dwgen';
const config: Config = { ...DEFAULT_CONFIG, seed: 7 };
const options: GenerateOptions = { out: 'x', config, formats: ['csv', 'parquet'], layout: 'partitioned', tables: ['orders'], signal: new AbortController().signal, onProgress: (e: ProgressEvent) => void e.rowsDone };
export async function run(): Promise<number> {
  const r: GenerateResult = await generate(options);
  const f = await finalize({ out: 'x' });
  const v = await validate({ dir: 'x' });
  const l = await load({ dir: 'x', duckdb: 'x.duckdb' });
  const e: unknown = null;
  if (e instanceof PartitionError) return e.exitCode;
  return r.rows + f.bytes + (v.ok ? 1 : 0) + l.tables.length + (r.tables.orders?.files[0]?.bytes ?? 0);
}
`,
    );
    const good = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(good.status, good.stdout + good.stderr).toBe(0);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['bad.ts'] }));
    writeFileSync(join(project, 'bad.ts'), `import { generate } from 'dwgen';\nawait generate({ out: 1, layout: 'sideways' });\n`);
    const bad = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts.*error TS2322/);
  }, 60_000);
});
