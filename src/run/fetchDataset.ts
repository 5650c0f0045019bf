// A dataset in a store that is not a local directory (object storage), fetched into a local
// directory so validate and load can read it with DuckDB: every object under data/ and metadata/,
// one at a time (memory holds one object), under the same relative paths. The run state
// (.dwgen/) is not fetched.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatasetError } from '../errors.js';
import { isStoreUrl, openStore, storeFromOut } from '../storage/openStore.js';
import type { Store } from '../storage/store.js';

export interface FetchedDataset {
  /** The local dataset root (holding data/ and metadata/). */
  dir: string;
  objects: number;
  bytes: number;
  /** Removes the local copy. */
  remove(): Promise<void>;
}

export async function fetchDataset(store: Store, where: string): Promise<FetchedDataset> {
  const paths = [...(await store.list('data')), ...(await store.list('metadata'))].filter((p) => !/\.tmp-\d+$/.test(p));
  if (!paths.includes('metadata/schema.json')) throw new DatasetError(`${where} holds no dwgen dataset (no metadata/schema.json)`);
  const dir = await mkdtemp(join(tmpdir(), 'dwgen-fetch-'));
  let bytes = 0;
  try {
    for (const p of paths) {
      const data = await store.get(p);
      if (data === null) continue; // removed meanwhile: validate reports what is missing
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), data);
      bytes += data.length;
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, objects: paths.length, bytes, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Runs `body` on a local directory for `dir`: `dir` itself, or, for an object-store URL
 * (s3://BUCKET/PREFIX), a temporary copy fetched from it and removed afterwards.
 */
export async function withLocalDataset<T>(dir: string | undefined, body: (dir: string | undefined) => Promise<T>): Promise<T> {
  if (dir === undefined || !isStoreUrl(dir)) return body(dir);
  const fetched = await fetchDataset(openStore(storeFromOut(dir)), dir);
  try {
    return await body(fetched.dir);
  } finally {
    await fetched.remove();
  }
}
