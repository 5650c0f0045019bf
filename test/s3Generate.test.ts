// dwgen against a real S3-compatible server (s3rver on 127.0.0.1, started by the test): generate
// to s3:// gives objects byte-identical to the local run's files (CSV and Parquet, partitioned);
// 3 shards plus finalize on the bucket equal the local one-machine run; a run killed mid-way and
// resumed against the bucket gives the same objects and leaves no multipart upload open;
// validate reads a dataset from the bucket; what s3:// cannot honour is refused.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, SMALL_CONFIG, checksums, sha256, tempDir } from './helpers/dwgen.js';
import { removeS3Directory, startS3Server, type S3TestServer } from './helpers/s3Server.js';

const BUCKET = 'dwgen-test';
let server: S3TestServer;
let client: S3Client;
let reference: Record<string, string>;

/** Runs the CLI without blocking this process: the S3 server runs on its event loop. */
function dwgen(args: string[], extraEnv: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, ...server.env, ...extraEnv };
  if (!('DWGEN_FAULT' in extraEnv)) delete env.DWGEN_FAULT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

const flags = ['--config', SMALL_CONFIG, '--workers', '2', '--format', 'both', '--quiet', '--s3-part-mb', '5'];

/** sha256 of every object under a prefix's data/ and of its metadata/schema.json, keyed like the local files. */
async function objects(prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/`, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const rel = o.Key!.slice(prefix.length + 1);
      if (!rel.startsWith('data/') && rel !== 'metadata/schema.json') continue;
      const body = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
      out[rel.startsWith('data/') ? rel.slice(5) : rel] = createHash('sha256').update(await body.Body!.transformToByteArray()).digest('hex');
    }
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  client = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: server.env.AWS_ACCESS_KEY_ID!, secretAccessKey: server.env.AWS_SECRET_ACCESS_KEY! } });
  const local = tempDir();
  const r = await dwgen(['generate', ...flags.filter((f, i, a) => f !== '--s3-part-mb' && a[i - 1] !== '--s3-part-mb'), '--layout', 'partitioned', '--out', local]);
  expect(r.status, r.stderr).toBe(0);
  reference = { ...checksums(join(local, 'data')), 'metadata/schema.json': sha256(join(local, 'metadata/schema.json')) };
  expect(Object.keys(reference).filter((k) => k.startsWith('orders/'))).toHaveLength(18); // 9 partitions × 2 formats
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await server?.stop();
  if (server) removeS3Directory(server);
});

describe('generate --out s3://', () => {
  it('writes the local layout as objects, every one byte-identical to the local file (partitioned by default)', async () => {
    const r = await dwgen(['generate', ...flags, '--out', `s3://${BUCKET}/one`]);
    expect(r.status, r.stderr).toBe(0);
    expect(await objects('one')).toEqual(reference);
    expect(server.openUploads(BUCKET)).toEqual([]);
    const v = await dwgen(['validate', '--dir', `s3://${BUCKET}/one`]);
    expect(v.status, v.stderr).toBe(0);
  }, 120_000);

  it('3 shards on the bucket plus finalize equal the local one-machine run', async () => {
    for (const k of [2, 3, 1]) {
      const r = await dwgen(['generate', ...flags, '--parts', '3', '--part', String(k), '--out', `s3://${BUCKET}/sharded`]);
      expect(r.status, r.stderr).toBe(0);
    }
    const f = await dwgen(['finalize', '--out', `s3://${BUCKET}/sharded`, '--workers', '2', '--quiet']);
    expect(f.status, f.stderr).toBe(0);
    expect(await objects('sharded')).toEqual(reference);
  }, 180_000);

  it('killed mid-run, then --resume against the bucket: identical objects, no multipart upload left open', async () => {
    const killed = await dwgen(['generate', ...flags, '--out', `s3://${BUCKET}/resumed`], { DWGEN_FAULT: 'orders:4:kill' });
    expect(killed.status, killed.stderr).toBeNull();
    const r = await dwgen(['generate', ...flags, '--out', `s3://${BUCKET}/resumed`, '--resume']);
    expect(r.status, r.stderr).toBe(0);
    expect(await objects('resumed')).toEqual(reference);
    expect(server.openUploads(BUCKET)).toEqual([]);
  }, 180_000);

  it('--layout single is refused on s3:// before anything is written (exit 2)', async () => {
    const r = await dwgen(['generate', ...flags, '--layout', 'single', '--out', `s3://${BUCKET}/single`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `dwgen generate: error: --out s3://${BUCKET}/single: --layout single grows each file by appending, which object storage cannot do; on s3:// every table is written as part files (--layout partitioned, the default there)\n`,
    );
    expect(await objects('single')).toEqual({});
  });

  it.each([
    [['--out', 'gs://bucket/dw'], /^dwgen generate: error: --out gs:\/\/bucket\/dw: unsupported scheme gs:\/\//],
    [['--out', 's3:/x'], /^dwgen generate: error: --out s3:\/x: not an S3 URL/],
    [['--out', '/tmp/x', '--s3-part-mb', '8'], /^dwgen generate: error: --s3-part-mb and --s3-path-style apply to --out s3:\/\/…, not to --out \/tmp\/x$/],
  ])('%j is refused with one line, exit 2', async (args, message) => {
    const r = await dwgen(['generate', '--config', SMALL_CONFIG, '--quiet', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
