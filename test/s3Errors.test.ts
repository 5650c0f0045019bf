// What goes wrong with an s3:// output, each one line a user can act on: an --out that is not a
// directory or an S3 URL, a bad bucket name, a missing bucket, refused or absent credentials, an
// endpoint that does not answer (exit 2, before anything is written), and a server that goes away
// mid-upload (an OutputError naming the object, exit 1).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/storage/store.js';
import { ROOT } from './helpers/dwgen.js';
import { removeS3Directory, startS3Server, type S3TestServer } from './helpers/s3Server.js';

const { openStore, storeFromOut } = (await import(pathToFileURL(join(ROOT, 'dist/storage/openStore.js')).href)) as typeof import('../src/storage/openStore.js');

const MiB = 1024 * 1024;
const AWS_VARIABLES = Object.keys(process.env).filter((k) => k.startsWith('AWS_'));

/** Runs `body` with exactly these AWS_* variables set (the others unset), then restores them. */
async function withAws<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('AWS_')).map((k) => [k, process.env[k]]));
  for (const k of Object.keys(saved)) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

function usageError(out: string, options = {}): unknown {
  try {
    storeFromOut(out, options);
  } catch (err) {
    return { name: (err as Error).name, exitCode: (err as { exitCode: number }).exitCode, message: (err as Error).message };
  }
  return 'accepted';
}

describe('--out: which outputs are accepted', () => {
  const HINT = '(use a directory or s3://BUCKET/PREFIX; for GCS, R2 or MinIO use s3:// with AWS_ENDPOINT_URL_S3)';
  const BUCKET_RULE = '3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  it.each([
    ['gs://bucket/dw', `--out gs://bucket/dw: unsupported scheme gs:// ${HINT}`],
    ['hdfs://namenode/dw', `--out hdfs://namenode/dw: unsupported scheme hdfs:// ${HINT}`],
    ['https://bucket.example/dw', `--out https://bucket.example/dw: unsupported scheme https:// ${HINT}`],
    ['s3:/x', '--out s3:/x: not an S3 URL (s3://BUCKET/PREFIX)'],
    ['s3:x', '--out s3:x: not an S3 URL (s3://BUCKET/PREFIX)'],
    ['s3://', '--out s3://: no bucket (s3://BUCKET/PREFIX)'],
    ['s3:///dw', '--out s3:///dw: no bucket (s3://BUCKET/PREFIX)'],
    ['s3://My_Bucket/dw', `--out s3://My_Bucket/dw: 'My_Bucket' is not a valid S3 bucket name (${BUCKET_RULE})`],
    ['s3://ab/dw', `--out s3://ab/dw: 'ab' is not a valid S3 bucket name (${BUCKET_RULE})`],
    ['s3://bucket-/dw', `--out s3://bucket-/dw: 'bucket-' is not a valid S3 bucket name (${BUCKET_RULE})`],
    ['s3://my..bucket/dw', "--out s3://my..bucket/dw: 'my..bucket' is not a valid S3 bucket name (no two dots in a row)"],
    ['s3://192.168.10.1/dw', "--out s3://192.168.10.1/dw: '192.168.10.1' is not a valid S3 bucket name (not an IP address)"],
    ['s3://bucket/a//b', "--out s3://bucket/a//b: the prefix 'a//b' has an empty, '.' or '..' segment"],
    ['s3://bucket/a/../b', "--out s3://bucket/a/../b: the prefix 'a/../b' has an empty, '.' or '..' segment"],
  ])('%s is refused with one line (exit 2)', (out, message) => {
    expect(usageError(out)).toEqual({ name: 'UsageError', exitCode: 2, message });
  });

  it('refuses a part size S3 does not take, and an endpoint that is not http(s)', () => {
    expect(usageError('s3://bucket/dw', { partSize: MiB })).toEqual({ name: 'UsageError', exitCode: 2, message: 'S3 part size 1048576 bytes: S3 takes parts of 5 MiB (5242880 bytes) to 5 GiB' });
    expect(usageError('s3://bucket/dw', { env: { AWS_ENDPOINT_URL_S3: 'ftp://files.example' } })).toEqual({
      name: 'UsageError',
      exitCode: 2,
      message: 'AWS_ENDPOINT_URL_S3 ftp://files.example: not an http:// or https:// URL',
    });
  });

  it('a directory (even one with a colon in its name) is local; s3:// is a bucket and a prefix', () => {
    expect(storeFromOut('out/dw', { faults: '' })).toEqual({ kind: 'local', root: resolve('out/dw') });
    expect(storeFromOut('data:2026', { faults: '' })).toEqual({ kind: 'local', root: resolve('data:2026') });
    expect(storeFromOut('s3://bucket', { env: {} })).toEqual({ kind: 's3', bucket: 'bucket', prefix: '', forcePathStyle: false, partSize: 16 * MiB, inFlight: 2 });
    expect(storeFromOut('s3://my.bucket/nightly/dw/', { env: { AWS_REGION: 'eu-west-1' } })).toEqual({
      kind: 's3', bucket: 'my.bucket', prefix: 'nightly/dw', region: 'eu-west-1', forcePathStyle: false, partSize: 16 * MiB, inFlight: 2,
    });
    // A custom endpoint (S3_ one first) means path-style addressing and, without a region, us-east-1.
    expect(storeFromOut('s3://bucket/dw', { env: { AWS_ENDPOINT_URL: 'http://other:9000', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000/' } })).toEqual({
      kind: 's3', bucket: 'bucket', prefix: 'dw', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true, partSize: 16 * MiB, inFlight: 2,
    });
    expect(storeFromOut('s3://bucket/dw', { env: { AWS_ENDPOINT_URL: 'http://minio:9000' }, forcePathStyle: false, partSize: 8 * MiB })).toMatchObject({
      endpoint: 'http://minio:9000', forcePathStyle: false, partSize: 8 * MiB,
    });
  });
});

describe('an S3 output that cannot be used is refused before anything is written', () => {
  let server: S3TestServer;
  let dir: string;
  const stores: Store[] = [];
  const open = (out: string, env: Record<string, string>): Store => {
    const s = openStore(storeFromOut(out, { env }));
    stores.push(s);
    return s;
  };
  const refusal = async (store: Store): Promise<unknown> => {
    try {
      await store.prepare();
    } catch (err) {
      return { name: (err as Error).name, exitCode: (err as { exitCode: number }).exitCode, message: (err as Error).message };
    }
    return 'accepted';
  };

  beforeAll(async () => {
    server = await startS3Server({ buckets: ['dwgen-test'] });
    dir = mkdtempSync(join(tmpdir(), 'dwgen-aws-'));
  });
  afterAll(async () => {
    for (const s of stores) await (s as { close?: () => Promise<void> }).close?.();
    await server?.stop();
    if (server) removeS3Directory(server);
    rmSync(dir, { recursive: true, force: true });
    expect(Object.keys(process.env).filter((k) => k.startsWith('AWS_'))).toEqual(AWS_VARIABLES);
  });

  it('accepts a bucket it can reach with credentials it accepts, and leaves nothing behind', async () => {
    await withAws(server.env, async () => {
      const store = open('s3://dwgen-test/dw', server.env);
      expect(await refusal(store)).toBe('accepted');
      expect(await store.list('')).toEqual([]);
      // Again with objects under the prefix (a --resume): the probe listing is then truncated.
      await store.put('.dwgen/run.json', '{}\n');
      await store.put('data/orders/part-00000.csv', 'a\n');
      expect(await refusal(store)).toBe('accepted');
      expect(await store.list('')).toEqual(['.dwgen/run.json', 'data/orders/part-00000.csv']);
    });
  });

  it('a bucket that does not exist', async () => {
    await withAws(server.env, async () => {
      expect(await refusal(open('s3://no-such-bucket/dw', server.env))).toEqual({
        name: 'UsageError', exitCode: 2, message: `--out s3://no-such-bucket/dw: the bucket no-such-bucket does not exist at ${server.endpoint}`,
      });
    });
  });

  it('credentials refused: names the variable, never the secret', async () => {
    const env = { ...server.env, AWS_ACCESS_KEY_ID: 'AKIAWRONGKEY', AWS_SECRET_ACCESS_KEY: 'very-secret-value' };
    await withAws(env, async () => {
      const r = await refusal(open('s3://dwgen-test/dw', env));
      expect(r).toEqual({ name: 'UsageError', exitCode: 2, message: `--out s3://dwgen-test/dw: ${server.endpoint} refused the credentials from AWS_ACCESS_KEY_ID (InvalidAccessKeyId)` });
      expect(JSON.stringify(r)).not.toContain('very-secret-value');
    });
  });

  it('credentials refused: names the profile', async () => {
    writeFileSync(join(dir, 'credentials'), '[dwgen-test]\naws_access_key_id = AKIAPROFILEKEY\naws_secret_access_key = profile-secret\n');
    writeFileSync(join(dir, 'config'), '[profile dwgen-test]\nregion = us-east-1\n');
    const env = {
      AWS_PROFILE: 'dwgen-test', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_ENDPOINT_URL_S3: server.endpoint, AWS_EC2_METADATA_DISABLED: 'true',
    };
    await withAws(env, async () => {
      const r = await refusal(open('s3://dwgen-test/dw', env));
      expect(r).toEqual({ name: 'UsageError', exitCode: 2, message: `--out s3://dwgen-test/dw: ${server.endpoint} refused the credentials from AWS_PROFILE=dwgen-test (InvalidAccessKeyId)` });
      expect(JSON.stringify(r)).not.toContain('profile-secret');
    });
  });

  it('no credentials at all', async () => {
    // No files, no instance role (AWS_EC2_METADATA_DISABLED: nothing is asked of 169.254.169.254).
    const env = {
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_CONFIG_FILE: join(dir, 'none'), AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_S3: server.endpoint, AWS_REGION: 'us-east-1',
    };
    await withAws(env, async () => {
      expect(await refusal(open('s3://dwgen-test/dw', env))).toEqual({
        name: 'UsageError', exitCode: 2, message: '--out s3://dwgen-test/dw: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)',
      });
    });
  });

  it('an endpoint nothing listens on', async () => {
    const gone = await startS3Server();
    await gone.stop();
    removeS3Directory(gone);
    const env = { ...gone.env, AWS_MAX_ATTEMPTS: '2' };
    await withAws(env, async () => {
      expect(await refusal(open('s3://dwgen-test/dw', env))).toEqual({ name: 'UsageError', exitCode: 2, message: `--out s3://dwgen-test/dw: cannot reach ${gone.endpoint} (ECONNREFUSED)` });
    });
  });
});

describe('a server that goes away mid-run', () => {
  let server: S3TestServer;
  let store: Store;
  afterEach(async () => {
    await (store as { close?: () => Promise<void> }).close?.();
    await server.stop();
    removeS3Directory(server);
  });

  it('a part upload that fails (after the SDK’s retries) is an OutputError naming the object', async () => {
    server = await startS3Server();
    await withAws({ ...server.env, AWS_MAX_ATTEMPTS: '3' }, async () => {
      store = openStore(storeFromOut('s3://dwgen-test/dw', { partSize: 5 * MiB, env: server.env }));
      await store.prepare();
      const sink = store.createPart('data/orders/part-00000.csv');
      sink.write(new Uint8Array(5 * MiB + 10).fill(7)); // one part handed over
      for (let i = 0; i < 200 && server.openUploads('dwgen-test').length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await server.stop();
      let failure: unknown = null;
      try {
        sink.write(new Uint8Array(5 * MiB).fill(8));
        await sink.finish();
      } catch (err) {
        failure = err;
      }
      expect(failure).toMatchObject({ name: 'OutputError', exitCode: 1 });
      expect((failure as Error).message).toMatch(/^cannot write s3:\/\/dwgen-test\/dw\/data\/orders\/part-00000\.csv: .*(ECONNREFUSED|ECONNRESET|socket hang up)/);
      await sink.abort(); // best effort: the server is gone; a later sweep aborts the upload
    });
  });

  it('a small object that cannot be put is an OutputError naming it', async () => {
    server = await startS3Server();
    await withAws({ ...server.env, AWS_MAX_ATTEMPTS: '2' }, async () => {
      store = openStore(storeFromOut('s3://dwgen-test/dw', { env: server.env }));
      await store.prepare();
      await server.stop();
      await expect(store.put('.dwgen/run.json', '{}\n')).rejects.toMatchObject({
        name: 'OutputError', exitCode: 1, message: `cannot write s3://dwgen-test/dw/.dwgen/run.json: connect ECONNREFUSED 127.0.0.1:${server.port}`,
      });
    });
  });
});
