// Large part files through the real S3 sink, written the way a partition worker writes them: from
// a worker thread, in one synchronous loop, reusing one chunk buffer. Read back byte-identical;
// the in-flight limit holds the writer back when the server is slower than it.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3PendingPart } from '../src/storage/s3Store.js';
import type { Store, StoreDescription } from '../src/storage/store.js';
import { ROOT } from './helpers/dwgen.js';
import { removeS3Directory, startS3Server, type S3TestServer } from './helpers/s3Server.js';

const OPEN_STORE = pathToFileURL(join(ROOT, 'dist/storage/openStore.js')).href;
const { openStore, storeFromOut } = (await import(OPEN_STORE)) as typeof import('../src/storage/openStore.js');

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** The worker: writes `bytes` of xorshift32 output (seeded) in 64 KiB chunks, synchronously, then finishes. */
const WRITER = `
import { parentPort, workerData } from 'node:worker_threads';
const { openStore } = await import(workerData.openStore);
const store = openStore(workerData.description);
const sink = store.createPart(workerData.path);
const chunk = new Uint8Array(${CHUNK});
const words = new Uint32Array(chunk.buffer);
let x = workerData.seed;
for (let written = 0; written < workerData.bytes; written += chunk.length) {
  for (let i = 0; i < words.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[i] = x >>> 0; }
  sink.write(chunk);
}
const done = await sink.finish();
parentPort.postMessage({ pending: done.pending, bytes: done.bytes, sha256: done.sha256, peak: store.uploader().peakInFlight });
`;

/** The same bytes, on this thread. */
function expected(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const words = new Uint32Array(out.buffer);
  let x = seed;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return out;
}

interface Written {
  pending: S3PendingPart;
  bytes: number;
  sha256: string;
  peak: number;
}

describe('multipart uploads from a worker thread', () => {
  let dir: string;
  let script: string;
  const servers: S3TestServer[] = [];
  const stores: Store[] = [];

  const writeFromWorker = (description: StoreDescription, path: string, bytes: number, seed: number): Promise<Written> =>
    new Promise((resolve, reject) => {
      const w = new Worker(pathToFileURL(script), { workerData: { openStore: OPEN_STORE, description, path, bytes, seed } });
      w.once('message', (m: Written) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });

  const server = async (options: Parameters<typeof startS3Server>[0] = {}): Promise<S3TestServer> => {
    const s = await startS3Server(options);
    servers.push(s);
    Object.assign(process.env, s.env);
    return s;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dwgen-s3-writer-'));
    script = join(dir, 'writer.mjs');
    writeFileSync(script, WRITER);
  });
  afterAll(async () => {
    for (const s of stores) await (s as { close?: () => Promise<void> }).close?.();
    for (const s of servers) {
      await s.stop();
      removeS3Directory(s);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('40 MiB in 8 MiB parts is read back byte-identical, published only on commit', async () => {
    const s = await server();
    const description = storeFromOut('s3://dwgen-test/big', { partSize: 8 * MiB, inFlight: 2, env: s.env });
    const path = 'data/transactions_raw/part-00000.csv';
    const written = await writeFromWorker(description, path, 40 * MiB, 12345);
    const data = expected(40 * MiB, 12345);
    expect([written.bytes, written.sha256]).toEqual([40 * MiB, createHash('sha256').update(data).digest('hex')]);
    expect(written.pending.parts.map((p) => p.PartNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(written.peak).toBeLessThanOrEqual(2);
    expect(s.openUploads('dwgen-test').map((u) => u.key)).toEqual([`big/${path}`]);

    const store = openStore(description);
    stores.push(store);
    expect(await store.list('data')).toEqual([]);
    await store.commit(written.pending);
    expect(s.openUploads('dwgen-test')).toEqual([]);
    const back = (await store.get(path))!;
    expect(back.length).toBe(data.length);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(data))).toBe(0);
    expect(await store.verify(path, written.bytes, written.sha256)).toBeNull();
  });

  it('with uploads slower than the writer, no more than inFlight parts are ever handed over', async () => {
    // Every UploadPart waits 150 ms: unthrottled, the writer would hand over all 12 parts at once.
    const s = await server({ partDelayMs: 150 });
    const description = storeFromOut('s3://dwgen-test/throttled', { partSize: 5 * MiB, inFlight: 2, env: s.env });
    const path = 'data/orders/part-00007.csv';
    const bytes = 12 * 5 * MiB + 3 * CHUNK;
    const written = await writeFromWorker(description, path, bytes, 777);
    expect(written.pending.parts.length).toBe(13);
    expect(written.peak).toBe(2); // reached, never passed

    const store = openStore(description);
    stores.push(store);
    await store.commit(written.pending);
    const back = (await store.get(path))!;
    expect(Buffer.compare(Buffer.from(back), Buffer.from(expected(bytes, 777)))).toBe(0);
  });
});
