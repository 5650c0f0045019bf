// Property tests (fast-check), in-process: hundreds of random config documents, raw YAML texts and
// flag sets thrown at the loader and the flag parser. Every one either loads or fails with a
// ConfigError / UsageError whose message names the key or the flag — never another error type.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { parseGenerateArgs } from '../src/cli/generateCommand.js';
import { ConfigError, DEFAULT_CONFIG, loadConfigFile, validateConfig } from '../src/config/config.js';
import { ROOT } from './helpers/dwgen.js';

const dir = mkdtempSync(join(tmpdir(), 'dwgen-prop-'));
let fileNo = 0;
const writeConfig = (text: string): string => {
  const path = join(dir, `c${fileNo++}.yaml`);
  writeFileSync(path, text);
  return path;
};

/** Odd keys: prototype names, empty, unicode, lookalikes of real keys. */
const oddKey = fc.constantFrom('constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '', ' seed', 'Seed', 'seed ', 'ordres', 'scale-factor', 'é', '0');
const scalar = fc.oneof(
  fc.integer({ min: -1_000_000, max: 10_000_000_000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, 1, -1, 0.5, 1.5, 2_000_001, 1e308, -0, 50_000),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('2024-01-01', '2024-02-30', '1999-12-31', 'yes', 'null', '1e3'),
  fc.boolean(),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 12 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), oddKey), scalar, { maxKeys: 4 }) },
);

/** A config document: each real key dropped, kept, or replaced by a random value; some unknown keys. */
const section = (defaults: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .tuple(
      ...Object.entries(defaults).map(([k, v]) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant<[string, unknown] | null>([k, v]) },
          { weight: 1, arbitrary: fc.constant<[string, unknown] | null>(null) },
          { weight: 2, arbitrary: value.map((x): [string, unknown] => [k, x]) },
        ),
      ),
      fc.array(fc.tuple(fc.oneof(oddKey, fc.string({ maxLength: 10 })), value), { maxLength: 1 }),
    )
    .map(([...parts]) => {
      const extra = parts.pop() as [string, unknown][];
      const doc: Record<string, unknown> = {};
      for (const p of parts as ([string, unknown] | null)[]) if (p) doc[p[0]] = p[1];
      for (const [k, v] of extra) Object.defineProperty(doc, k, { value: v, enumerable: true, configurable: true, writable: true });
      return doc;
    });

const document: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    section(DEFAULT_CONFIG as unknown as Record<string, unknown>),
    ...Object.entries(DEFAULT_CONFIG)
      .filter(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v))
      .map(([k, v]) => fc.option(section(v as Record<string, unknown>), { nil: undefined }).map((s) => [k, s] as const)),
  )
  .map(([top, ...sections]) => {
    for (const [k, s] of sections) if (s !== undefined && typeof top[k] === 'object' && top[k] !== null && !Array.isArray(top[k])) top[k] = s;
    return top;
  });

const KNOWN_KEYS = new Set<string>();
for (const [k, v] of Object.entries(DEFAULT_CONFIG)) {
  KNOWN_KEYS.add(k);
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) for (const sub of Object.keys(v)) KNOWN_KEYS.add(`${k}.${sub}`);
}

const keyName = (k: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k));

/** Every key path of a document (as messages write them: odd keys quoted), to three levels. */
function docPaths(doc: unknown, prefix = '', depth = 0, out: string[] = []): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || depth > 2) return out;
  for (const k of Object.keys(doc)) {
    const p = prefix ? `${prefix}.${keyName(k)}` : keyName(k);
    out.push(p);
    docPaths((doc as Record<string, unknown>)[k], p, depth + 1, out);
  }
  return out;
}

/** The message of a config error starts by naming a key: a real one, or one of the document's. */
function expectNamesKey(message: string, doc: unknown): void {
  if (/^the config must be a mapping of keys/.test(message)) return;
  const candidates = [...KNOWN_KEYS, ...docPaths(doc)];
  const named = candidates.some((c) => message.startsWith(`${c}: `) || message.startsWith(`${c}.`));
  expect(named, message).toBe(true);
}

describe('config loader (property)', () => {
  it('random documents: validateConfig loads them or throws a ConfigError naming the key', () => {
    fc.assert(
      fc.property(document, (doc) => {
        try {
          const c = validateConfig(structuredClone(doc));
          expect(typeof c.seed).toBe('number');
        } catch (err) {
          if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError: ${(err as Error)?.stack}`);
          expectNamesKey(err.message, doc);
          expect(err.message).not.toMatch(/\n|\bat \w+ \(/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('random documents written as YAML files: loadConfigFile and parseGenerateArgs load them or fail with a ConfigError/UsageError', () => {
    fc.assert(
      fc.property(document, (doc) => {
        const path = writeConfig(stringify(doc));
        try {
          loadConfigFile(path);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError: ${(err as Error)?.stack}`);
          expect(err.message.startsWith(`${path}: `), err.message).toBe(true);
          const rest = err.message.slice(path.length + 2);
          if (!rest.startsWith('not valid YAML')) expectNamesKey(rest, doc);
        }
        try {
          parseGenerateArgs(['--config', path], dir);
        } catch (err) {
          if (!(err instanceof UsageError)) throw new Error(`not a UsageError: ${(err as Error)?.stack}`);
          expect(err.message.startsWith(`config ${path}: `), err.message).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('random YAML text: loads or fails with a ConfigError', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.array(fc.constantFrom('seed: 1\n', 'orders:\n', '  count_per_scale_factor: 10\n', '- a\n', ': x\n', '"', '{', '[', 'scale_factor: 0.5\n', '  - 1\n', '\t', '&a x\n', '*a\n', '!!binary x\n', '---\n', '...\n'), { maxLength: 8 }).map((l) => l.join('')),
    );
    fc.assert(
      fc.property(text, (t) => {
        const path = writeConfig(t);
        try {
          loadConfigFile(path);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError for ${JSON.stringify(t)}: ${(err as Error)?.stack}`);
          expect(err.message.startsWith(`${path}: `), err.message).toBe(true);
          expect(err.message).not.toMatch(/\n/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('flag parser (property)', () => {
  const FLAGS = ['--scale', '--seed', '--workers', '--layout', '--format', '--compression', '--row-group-mb', '--tables', '--out', '--config'];
  const SWITCHES = ['--quiet', '--resume', '--force', '--verbose', '--help', '-h'];
  const flagValue = fc.oneof(
    fc.constantFrom('1', '0', '-1', '2.5', '1e3', 'abc', '', ' ', '10001', '257', '2049', '9007199254740993', 'single', 'partitioned', 'csv', 'parquet', 'both', 'zstd', 'lz4', 'orders,stores', ',', 'widgets', '--quiet', '/nonexistent.yaml'),
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -5, max: 300 }).map(String),
  );
  const token = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...FLAGS), flagValue).map(([f, v]) => [f, v]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...FLAGS), flagValue).map(([f, v]) => [`${f}=${v}`]) },
    { weight: 1, arbitrary: fc.constantFrom(...SWITCHES).map((s) => [s]) },
    { weight: 1, arbitrary: fc.constantFrom('--colour', '-x', 'positional', '--scale', '--', '---').map((s) => [s]) },
  );

  it('random flag sets: parsed, or a UsageError naming the flag', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 6 }).map((t) => t.flat()), (argv) => {
        try {
          parseGenerateArgs(argv, ROOT);
        } catch (err) {
          if (!(err instanceof UsageError)) throw new Error(`not a UsageError for ${JSON.stringify(argv)}: ${(err as Error)?.stack}`);
          expect(err.message, JSON.stringify(argv)).toMatch(/--[a-z-]+|'[^']*'|^config /);
          expect(err.message).not.toMatch(/\n/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
