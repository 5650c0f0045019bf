// The Store contract, run against every store: the local file system (a temporary directory) and
// S3 (s3rver on loopback, once as it is — no conditional writes, so the lock's fallback — and once
// with If-None-Match honoured). What is visible, left over or corrupted is checked from outside the
// store under test: the file system, a separate S3 client, s3rver's own upload directory.
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinishedPart, PartSink, Store, StoreDescription } from '../src/storage/store.js';
import { ROOT } from './helpers/dwgen.js';
import { removeS3Directory, startS3Server, type S3TestServer } from './helpers/s3Server.js';

const OPEN_STORE = pathToFileURL(join(ROOT, 'dist/storage/openStore.js')).href;
const { openStore, storeFromOut } = (await import(OPEN_STORE)) as typeof import('../src/storage/openStore.js');

const MiB = 1024 * 1024;
const PART_SIZE = 5 * MiB;
const BUCKET = 'dwgen-test';

/** Deterministic bytes (xorshift32), different for each seed. */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Writes `data` through a sink in 64 KiB chunks from one reused buffer (a sink must copy what it keeps). */
function writeAll(sink: PartSink, data: Uint8Array): void {
  const chunk = new Uint8Array(64 * 1024);
  for (let at = 0; at < data.length; at += chunk.length) {
    const n = Math.min(chunk.length, data.length - at);
    chunk.set(data.subarray(at, at + n));
    sink.write(chunk.subarray(0, n));
  }
}

interface Harness {
  /** A new, empty dataset root. */
  fresh(): StoreDescription;
  /** Whether an object or file exists under this final name, seen from outside the store. */
  visible(d: StoreDescription, path: string): Promise<boolean>;
  /** Leftovers of unfinished writes (temporary files, open multipart uploads), seen from outside. */
  leftovers(d: StoreDescription): string[];
  /** Replaces an object's bytes behind the store's back. */
  overwrite(d: StoreDescription, path: string, bytes: Uint8Array): Promise<void>;
  /** What a child process needs to open the same store. */
  env: Record<string, string>;
  close(): Promise<void>;
}

function localHarness(): Harness {
  const base = mkdtempSync(join(tmpdir(), 'dwgen-contract-'));
  let n = 0;
  const root = (d: StoreDescription): string => (d as { root: string }).root;
  const walk = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])) : [];
  return {
    fresh: () => storeFromOut(join(base, `run-${n++}`)),
    visible: async (d, path) => existsSync(join(root(d), path)),
    leftovers: (d) => walk(root(d)).filter((f) => /\.tmp-\d+$/.test(f)),
    overwrite: async (d, path, bytes) => writeFileSync(join(root(d), path), bytes),
    env: {},
    close: async () => rmSync(base, { recursive: true, force: true }),
  };
}

async function s3Harness(conditionalWrites: boolean): Promise<Harness> {
  const server: S3TestServer = await startS3Server({ conditionalWrites });
  Object.assign(process.env, server.env); // the stores under test take their credentials from the environment
  const raw = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.env.AWS_ACCESS_KEY_ID, secretAccessKey: server.env.AWS_SECRET_ACCESS_KEY },
  });
  let n = 0;
  const key = (d: StoreDescription, path: string): string => `${(d as { prefix: string }).prefix}/${path}`;
  return {
    fresh: () => storeFromOut(`s3://${BUCKET}/run-${n++}`, { partSize: PART_SIZE, env: server.env }),
    async visible(d, path) {
      try {
        await raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key(d, path) }));
        return true;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw err;
      }
    },
    leftovers: (d) => server.openUploads(BUCKET).filter((u) => u.key.startsWith(`${(d as { prefix: string }).prefix}/`)).map((u) => u.key),
    async overwrite(d, path, bytes) {
      await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(d, path), Body: bytes }));
    },
    env: server.env,
    async close() {
      raw.destroy();
      await server.stop();
      removeS3Directory(server);
    },
  };
}

/** Runs a small script in a child process against the store; resolves with its exit and output. */
function child(h: Harness, d: StoreDescription, script: string, extra: Record<string, string> = {}, onLine?: (line: string, kill: () => void) => void) {
  const code = `
    const { openStore } = await import(process.env.OPEN_STORE);
    const store = openStore(JSON.parse(process.env.STORE));
    try {
      ${script}
    } catch (e) { console.error(e.message); process.exit(e.exitCode ?? 1); }`;
  const p = spawn(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, ...h.env, ...extra, OPEN_STORE, STORE: JSON.stringify(d) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
    for (const line of b.toString().split('\n')) if (line) onLine?.(line, () => p.kill('SIGKILL'));
  });
  p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    p.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
}

/** A pid that is not running (a process that has exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

const SMALL = 1000;
/** More than one part: the S3 store's multipart path (a part shipped before finish, a checksum object). */
const LARGE = PART_SIZE + 123_457;

const KINDS = {
  local: async () => localHarness(),
  s3: async () => s3Harness(false),
  's3 with conditional writes': async () => s3Harness(true),
} as const;

for (const [kind, make] of Object.entries(KINDS)) {
  describe(`Store contract: ${kind}`, () => {
    let h: Harness;
    const stores: Store[] = [];
    const open = (d: StoreDescription = h.fresh()): Store => {
      const s = openStore(d);
      stores.push(s);
      return s;
    };

    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      for (const s of stores) await (s as { close?: () => Promise<void> }).close?.();
      await h?.close();
    });

    for (const [size, label] of [[0, 'an empty part file'], [SMALL, 'a small part file'], [LARGE, 'a part file of two parts']] as const) {
      it(`${label} appears under its final name only when committed, byte for byte`, async () => {
        const store = open();
        await store.prepare();
        const path = 'data/orders/part-00000.csv';
        const data = bytesOf(size, 1);
        const sink = store.createPart(path);
        writeAll(sink, data);
        expect(await h.visible(store.description, path)).toBe(false);
        const done = await sink.finish();
        expect({ bytes: done.bytes, sha256: done.sha256 }).toEqual({ bytes: size, sha256: sha256(data) });
        expect(await h.visible(store.description, path)).toBe(false);
        expect(await store.list('data')).not.toContain(path);
        await store.commit(done.pending);
        expect(await h.visible(store.description, path)).toBe(true);
        expect(sha256((await store.get(path))!)).toBe(sha256(data));
        expect(await store.verify(path, size, sha256(data))).toBeNull();
        expect(h.leftovers(store.description)).toEqual([]);
      });
    }

    it('abort leaves nothing: no object, no temporary file, no open upload', async () => {
      const store = open();
      const path = 'data/orders/part-00001.csv';
      const sink = store.createPart(path);
      writeAll(sink, bytesOf(LARGE, 2));
      await sink.abort();
      expect(await h.visible(store.description, path)).toBe(false);
      expect(h.leftovers(store.description)).toEqual([]);

      const untouched = store.createPart('data/orders/part-00002.csv');
      await untouched.abort();
      expect(h.leftovers(store.description)).toEqual([]);
    });

    it('a finished part that is discarded, or whose sink is aborted, leaves nothing', async () => {
      const store = open();
      for (const [i, how] of [[3, 'discard'], [4, 'abort']] as const) {
        const path = `data/orders/part-0000${i}.csv`;
        const sink = store.createPart(path);
        writeAll(sink, bytesOf(LARGE, i));
        const done: FinishedPart = await sink.finish();
        expect(h.leftovers(store.description).length).toBe(1); // complete, not yet published
        if (how === 'discard') await store.discard(done.pending);
        else await sink.abort();
        expect(await h.visible(store.description, path)).toBe(false);
        expect(h.leftovers(store.description)).toEqual([]);
      }
    });

    it('verify: ok, missing, wrong size, checksum mismatch, and bytes changed behind its back', async () => {
      const store = open();
      for (const [i, size] of [[0, SMALL], [1, LARGE]] as const) {
        const path = `data/returns/part-0000${i}.csv`;
        const data = bytesOf(size, 10 + i);
        const sink = store.createPart(path);
        writeAll(sink, data);
        await store.commit((await sink.finish()).pending);
        const sum = sha256(data);
        expect(await store.verify(path, size, sum)).toBeNull();
        expect(await store.verify('data/returns/part-00009.csv', size, sum)).toBe('data/returns/part-00009.csv is missing');
        expect(await store.verify(path, size + 1, sum)).toBe(`${path} has ${size} bytes, the record says ${size + 1}`);
        expect(await store.verify(path, size, sha256(bytesOf(size, 99)))).toBe(`${path}: checksum mismatch`);
        await h.overwrite(store.description, path, bytesOf(size, 20 + i)); // same size, other bytes
        expect(await store.verify(path, size, sum)).toBe(`${path}: checksum mismatch`);
      }
    });

    it('list is sorted and scoped to the prefix (a directory, and the store’s own root)', async () => {
      const store = open();
      const sibling = open();
      for (const p of ['data/b/x.csv', 'data/a/z.csv', 'data/ab/w.csv', 'data/a/y.csv', 'metadata/schema.json']) await store.put(p, p);
      await sibling.put('data/a/other.csv', 'not mine');
      expect(await store.list('data/a')).toEqual(['data/a/y.csv', 'data/a/z.csv']);
      expect(await store.list('data/a/')).toEqual(['data/a/y.csv', 'data/a/z.csv']);
      expect(await store.list('data')).toEqual(['data/a/y.csv', 'data/a/z.csv', 'data/ab/w.csv', 'data/b/x.csv']);
      expect((await store.list('')).filter((p) => !p.startsWith('.dwgen/'))).toEqual(['data/a/y.csv', 'data/a/z.csv', 'data/ab/w.csv', 'data/b/x.csv', 'metadata/schema.json']);
      expect(await store.list('data/c')).toEqual([]);
      expect(await sibling.list('data')).toEqual(['data/a/other.csv']);
    });

    it('list and remove go past 1,000 objects (a listing page, a DeleteObjects batch)', async () => {
      const store = open();
      const paths = Array.from({ length: 1003 }, (_, i) => `data/many/part-${String(i).padStart(5, '0')}.csv`);
      for (let i = 0; i < paths.length; i += 25) await Promise.all(paths.slice(i, i + 25).map((p) => store.put(p, p)));
      expect(await store.list('data/many')).toEqual(paths);
      await store.remove(paths);
      expect(await store.list('data/many')).toEqual([]);
    });

    it('put and get round-trip text and bytes; remove; a missing object is null', async () => {
      const store = open();
      const bytes = bytesOf(4096, 5);
      await store.put('.dwgen/run.json', '{"a":1}\n', { durable: true });
      await store.put('.dwgen/parts/orders-00000.inv', bytes);
      expect(Buffer.from((await store.get('.dwgen/run.json'))!).toString('utf8')).toBe('{"a":1}\n');
      expect(sha256((await store.get('.dwgen/parts/orders-00000.inv'))!)).toBe(sha256(bytes));
      // The store keeps no reference to put's bytes once it settles: the caller may write into them again.
      const kept = sha256(bytes);
      bytes.fill(0xee);
      expect(sha256((await store.get('.dwgen/parts/orders-00000.inv'))!)).toBe(kept);
      await store.put('.dwgen/run.json', '{"a":2}\n');
      expect(Buffer.from((await store.get('.dwgen/run.json'))!).toString('utf8')).toBe('{"a":2}\n');
      expect(await store.get('.dwgen/none.json')).toBeNull();
      await store.remove(['.dwgen/run.json', '.dwgen/never-was.json']);
      expect(await store.get('.dwgen/run.json')).toBeNull();
      expect(await store.list('.dwgen')).toEqual(['.dwgen/parts/orders-00000.inv']);
    });

    it('lock is exclusive: another process is refused with a message naming the holder, and gets it once released', async () => {
      const store = open();
      await store.prepare();
      const lock = await store.lock('.dwgen/lock');
      expect(lock.note).toBeNull();
      const tryLock = `const l = await store.lock('.dwgen/lock'); await l.release(); console.log('locked');`;
      const refused = await child(h, store.description, tryLock);
      expect(refused.status).toBe(2);
      const line = refused.stderr.trim();
      const m = /^(\S+) is held by pid (\d+) \(a dwgen run started ([^)]+)\): another run is writing to (\S+)$/.exec(line);
      expect(m, line).not.toBeNull();
      expect([m![1], m![2]]).toEqual([store.locate('.dwgen/lock'), String(process.pid)]);
      expect(Number.isNaN(Date.parse(m![3]))).toBe(false);
      await lock.release();
      const taken = await child(h, store.description, tryLock);
      expect([taken.status, taken.stdout.trim(), taken.stderr]).toEqual([0, 'locked', '']);
    });

    it('lock: a dead process’s lock is taken over with a note; another host’s is refused', async () => {
      const store = open();
      const pid = deadPid();
      await store.put('.dwgen/lock', JSON.stringify({ pid, host: hostname(), started_at: '2026-01-01T00:00:00.000Z' }) + '\n');
      const lock = await store.lock('.dwgen/lock');
      expect(lock.note).toBe(`taking over the stale lock ${store.locate('.dwgen/lock')} (pid ${pid} is not running)`);
      await lock.release();
      expect(await store.get('.dwgen/lock')).toBeNull();

      await store.put('.dwgen/lock', JSON.stringify({ pid: 4242, host: 'elsewhere.example', started_at: '2026-01-01T00:00:00.000Z' }) + '\n');
      await expect(store.lock('.dwgen/lock')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/ is held by pid 4242 on host elsewhere\.example/) });
    });

    it('sweep removes leftovers of unfinished writes, only those whose final path `owned` accepts', async () => {
      const store = open();
      const mine = 'data/orders/part-00005.csv';
      const theirs = 'data/orders/part-00006.csv';
      for (const path of [mine, theirs]) {
        const sink = store.createPart(path);
        writeAll(sink, bytesOf(LARGE, 7));
        await sink.finish(); // never committed
      }
      expect(h.leftovers(store.description).length).toBe(2);
      await store.sweep({ owned: (p) => p === mine });
      expect(h.leftovers(store.description).length).toBe(1);
      await store.sweep();
      expect(h.leftovers(store.description)).toEqual([]);
      expect(await h.visible(store.description, mine)).toBe(false);
      expect(await store.list('data')).toEqual([]);
    });

    it('a process killed between write and commit leaves nothing half-written under a final name', async () => {
      const store = open();
      const path = 'data/transactions_raw/part-00000.csv';
      const writer = `
        const sink = store.createPart('${path}');
        const chunk = new Uint8Array(64 * 1024).fill(65);
        for (let i = 0; i < ${Math.ceil(LARGE / 65536)}; i++) sink.write(chunk);
        const done = await sink.finish();
        console.log('finished ' + done.bytes);
        await new Promise(() => setInterval(() => {}, 1000)); // killed here, before commit`;
      const r = await child(h, store.description, writer, {}, (line, kill) => {
        if (line.startsWith('finished')) kill();
      });
      expect([r.signal, r.stdout.trim(), r.stderr]).toEqual(['SIGKILL', `finished ${Math.ceil(LARGE / 65536) * 65536}`, '']);
      expect(h.leftovers(store.description).length).toBe(1); // the child's unfinished write
      expect(await h.visible(store.description, path)).toBe(false);
      expect(await store.verify(path, 1, 'x')).toBe(`${path} is missing`);
      await store.sweep();
      expect(h.leftovers(store.description)).toEqual([]);
      expect(await store.list('data')).toEqual([]);
    });
  });
}

describe('S3 store specifics', () => {
  let server: S3TestServer;
  let raw: S3Client;
  const stores: Store[] = [];
  let n = 0;
  const open = (): Store => {
    const s = openStore(storeFromOut(`s3://${BUCKET}/specific-${n++}`, { partSize: PART_SIZE, env: server.env }));
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startS3Server();
    Object.assign(process.env, server.env);
    raw = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  });
  afterAll(async () => {
    for (const s of stores) await (s as { close?: () => Promise<void> }).close?.();
    raw?.destroy();
    await server?.stop();
    if (server) removeS3Directory(server);
  });

  it('keys are the local layout under the prefix', async () => {
    const store = open();
    const sink = store.createPart('data/orders/part-00000.csv');
    writeAll(sink, bytesOf(SMALL, 1));
    await store.commit((await sink.finish()).pending);
    await store.put('metadata/schema.json', '{}\n');
    await store.put('.dwgen/run.json', '{}\n');
    const r = await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${(store.description as { prefix: string }).prefix}/` }));
    const prefix = (store.description as { prefix: string }).prefix;
    expect((r.Contents ?? []).map((o) => o.Key).sort()).toEqual([`${prefix}/.dwgen/run.json`, `${prefix}/data/orders/part-00000.csv`, `${prefix}/metadata/schema.json`]);
    expect(store.locate('data/orders/part-00000.csv')).toBe(`s3://${BUCKET}/${prefix}/data/orders/part-00000.csv`);
  });

  it('verify takes the sha256 from the metadata, or from the checksum object while its ETag holds, without re-reading', async () => {
    const store = open();
    const prefix = (store.description as { prefix: string }).prefix;
    const small = bytesOf(SMALL, 3);
    // The same bytes with another hash in the metadata: verify believes the metadata.
    await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/data/a/part-00000.csv`, Body: small, Metadata: { sha256: sha256(bytesOf(SMALL, 4)) } }));
    expect(await store.verify('data/a/part-00000.csv', SMALL, sha256(small))).toBe('data/a/part-00000.csv: checksum mismatch');

    const large = bytesOf(LARGE, 5);
    const sink = store.createPart('data/a/part-00001.csv');
    writeAll(sink, large);
    await store.commit((await sink.finish()).pending);
    const checksum = JSON.parse(Buffer.from((await store.get('.dwgen/checksums/data/a/part-00001.csv.json'))!).toString('utf8'));
    expect(checksum).toMatchObject({ bytes: LARGE, sha256: sha256(large) });
    expect(await store.verify('data/a/part-00001.csv', LARGE, sha256(large))).toBeNull();
    // A checksum object that names another hash under the object's ETag is believed (no re-read) …
    await store.put('.dwgen/checksums/data/a/part-00001.csv.json', JSON.stringify({ ...checksum, sha256: sha256(bytesOf(1, 1)) }));
    expect(await store.verify('data/a/part-00001.csv', LARGE, sha256(large))).toBe('data/a/part-00001.csv: checksum mismatch');
    // … but not under another ETag: then the object is read and hashed.
    await store.put('.dwgen/checksums/data/a/part-00001.csv.json', JSON.stringify({ ...checksum, etag: '"0"', sha256: sha256(bytesOf(1, 1)) }));
    expect(await store.verify('data/a/part-00001.csv', LARGE, sha256(large))).toBeNull();
    // Removing a data file removes its checksum object.
    await store.remove(['data/a/part-00001.csv']);
    expect(await store.list('.dwgen')).toEqual([]);
  });

  it('the single-file layout is refused on s3:// (exit 2); removing its (absent) state is a no-op', async () => {
    const store = open();
    expect(store.canAppend).toBe(false);
    const message = `--out s3://${BUCKET}/${(store.description as { prefix: string }).prefix}: the single-file layout grows each file by appending, which object storage cannot do; use the partitioned layout`;
    await expect(store.openAppend('data/orders.csv', '.dwgen/journal/orders.json', null, new Uint8Array(0))).rejects.toMatchObject({ name: 'UsageError', exitCode: 2, message });
    await expect(store.inspectAppend('data/orders.csv', '.dwgen/journal/orders.json')).rejects.toMatchObject({ name: 'UsageError', exitCode: 2, message });
    await expect(store.removeAppend('data/orders.csv', '.dwgen/journal/orders.json')).resolves.toBeUndefined();
  });
});
