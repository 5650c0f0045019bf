// The CLI around the dataset: --version, the built-in config whatever the working directory
// holds, the help of every command, and one error-line form (dwgen <command>: error: …).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG, loadConfigFile, validateConfig } from '../src/config/config.js';
import { errorLine, DatasetError, OutputError } from '../src/errors.js';
import { ROOT, runCli, tempDir } from './helpers/dwgen.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('--version', () => {
  it.each(['--version', '-V'])('%s prints the version of package.json', (flag) => {
    expect(runCli([flag])).toEqual({ status: 0, stdout: `dwgen ${VERSION}\n`, stderr: '' });
  });

  it('the version is written only in package.json (src/version.ts reads it)', () => {
    const literal = new RegExp(`['"\`]${VERSION.replace(/\./g, '\\.')}['"\`]`);
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    expect(walk(join(ROOT, 'src')).filter((f) => literal.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});

describe('the config without --config', () => {
  it("is the built-in defaults, even where the working directory's config/default.yaml belongs to another tool", () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'config'));
    writeFileSync(join(cwd, 'config', 'default.yaml'), 'database:\n  host: localhost\n'); // another tool's
    const out = join(cwd, 'out');
    const r = runCli(['generate', '--out', out, '--scale', '0.01', '--workers', '1', '--quiet', '--tables', 'stores'], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lineage = parseYaml(readFileSync(join(out, 'metadata/generation_lineage.yaml'), 'utf8')) as { dwgen: { run: { config_source: string } } };
    expect(lineage.dwgen.run.config_source).toBe('(built-in defaults)');
  });

  it('config/default.yaml documents exactly the built-in defaults', () => {
    expect(isDeepStrictEqual(loadConfigFile(join(ROOT, 'config/default.yaml')), validateConfig(structuredClone(DEFAULT_CONFIG)))).toBe(true);
  });

  it('--config FILE is named in the lineage', () => {
    const out = tempDir();
    const r = runCli(['generate', '--config', 'config/default.yaml', '--out', out, '--scale', '0.01', '--workers', '1', '--quiet', '--tables', 'stores']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'metadata/generation_lineage.yaml'), 'utf8')).toContain('config_source: config/default.yaml\n');
  });
});

describe('commands', () => {
  it('the help lists every command and --version; each command has --help', () => {
    const top = runCli(['--help']);
    for (const c of ['generate', 'validate', 'load', 'ddl', '--version']) expect(top.stdout).toContain(c);
    for (const c of ['generate', 'validate', 'load', 'ddl']) {
      const r = runCli([c, '--help']);
      expect([c, r.status]).toEqual([c, 0]);
      expect(r.stdout).toContain(`Usage: dwgen ${c}`);
    }
  });

  it('one error-line form: dwgen <command>: error: <message>, from errorLine', () => {
    expect(errorLine('load', new DatasetError('no metadata'))).toBe('dwgen load: error: no metadata');
    expect(errorLine('ddl', new OutputError('/x.sql', Object.assign(new Error('boom'), { code: 'ENOSPC' })))).toBe('dwgen ddl: error: cannot write /x.sql: the disk is full (ENOSPC)');
    expect(errorLine(null, 'unknown command')).toBe('dwgen: error: unknown command');
    expect(errorLine('validate', new Error('first line\nsecond line'))).toBe('dwgen validate: error: first line');
    for (const [args, line] of [
      [['validate', '--dir', '/nonexistent/dwgen'], 'dwgen validate: error: data directory /nonexistent/dwgen does not exist'],
      [['load', '--dir', '.'], 'dwgen load: error: --duckdb FILE or --postgres URL is required'],
      [['ddl', '--dialect', 'sqlite'], "dwgen ddl: error: --dialect must be duckdb or postgres, got 'sqlite'"],
      [['nope'], "dwgen: error: unknown command 'nope' (try 'dwgen --help')"],
    ] as const) {
      const r = runCli([...args]);
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 2, `${line}\n`]);
    }
  });
});
