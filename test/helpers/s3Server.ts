// A real S3-compatible server on loopback for the tests: s3rver 3.7.1 (npm) on 127.0.0.1 with a
// free port and a temporary directory, started and stopped by the test. The SDK talks to it over
// HTTP exactly as it talks to S3; nothing of the SDK is mocked.
//
// s3rver 3.7.1 lacks three S3 calls that every production server (AWS, MinIO, Ceph RGW, R2) has
// and that dwgen's store uses. This helper adds them in front of s3rver's router, on s3rver's own
// upload directory (<dir>/<bucket>/._S3rver_uploads/<uploadId>/{key,metadata,N}), with S3's wire
// format (the SDK parses the replies):
//   - ListMultipartUploads (GET /bucket?uploads): s3rver answers NotImplemented;
//   - AbortMultipartUpload (DELETE /bucket/key?uploadId=…): s3rver answers MethodNotAllowed;
//   - conditional PutObject (If-None-Match: *, If-Match: etag), only with `conditionalWrites`:
//     s3rver ignores both headers on PUT, which is how the store's lock fallback is tested.
// Requests to the added calls pass through s3rver's own signature check first.
//
// One fix: s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3
// (Node 17+) no longer provides, so every truncated listing answered 500. The helper maps that
// one cipher to 3DES with the key repeated three times, which is the same cipher (K1=K2=K3).
import crypto from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

const require = createRequire(import.meta.url);
const authentication = require('s3rver/lib/middleware/authentication.js') as () => (ctx: unknown, next: () => Promise<void>) => Promise<void>;
const S3Error = require('s3rver/lib/models/error.js') as new (code: string, message: string, detail?: Record<string, string>) => Error;

function singleDesAsTripleDes(): void {
  const c = crypto as unknown as Record<string, (algorithm: string, key: Buffer, ...rest: unknown[]) => unknown> & { __dwgenDes?: true };
  if (c.__dwgenDes) return;
  c.__dwgenDes = true;
  for (const name of ['createCipheriv', 'createDecipheriv']) {
    const original = c[name];
    c[name] = (algorithm, key, ...rest) =>
      algorithm === 'des' && key.length === 8 ? original('des-ede3-cbc', Buffer.concat([key, key, key]), ...rest) : original(algorithm, key, ...rest);
  }
}

/** s3rver's built-in account. */
export const S3_ACCESS_KEY_ID = 'S3RVER';
export const S3_SECRET_ACCESS_KEY = 'S3RVER';

export interface S3ServerOptions {
  /** Buckets to create (valid DNS names). Default ['dwgen-test']. */
  buckets?: string[];
  /** Honour If-None-Match: * and If-Match on PutObject (s3rver itself ignores them). */
  conditionalWrites?: boolean;
  /** Delay every UploadPart by this long (uploads slower than the writer: the in-flight limit must hold it back). */
  partDelayMs?: number;
}

export interface S3TestServer {
  readonly endpoint: string;
  readonly port: number;
  /** Where s3rver keeps the buckets. */
  readonly directory: string;
  /** The environment a dwgen process needs to reach this server (credentials, region, endpoint). */
  readonly env: Record<string, string>;
  /** Open multipart uploads of a bucket, read from s3rver's upload directory (independent of the store under test). */
  openUploads(bucket: string): { key: string; uploadId: string }[];
  /** Closes the listener and every open connection (in-flight requests fail). */
  stop(): Promise<void>;
}

interface Ctx {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  params: Record<string, string>;
  status: number;
  body: unknown;
  type: string;
  set(name: string, value: string): void;
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function uploadsDir(directory: string, bucket: string): string {
  return join(directory, bucket, '._S3rver_uploads');
}

function listUploads(directory: string, bucket: string): { key: string; uploadId: string; initiated: Date }[] {
  const dir = uploadsDir(directory, bucket);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, 'key')))
    .map((id) => ({ key: readFileSync(join(dir, id, 'key'), 'utf8'), uploadId: id, initiated: statSync(join(dir, id)).mtime }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : 1));
}

/** The object file s3rver keeps for a key (see its FilesystemStore.getResourcePath). */
function objectFile(directory: string, bucket: string, key: string): string {
  const parts = key.split('/');
  const name = parts.pop()!;
  return join(directory, bucket, ...parts, `${name}._S3rver_object`);
}

/** The added calls, in front of s3rver's own middleware. */
function extension(directory: string, conditionalWrites: boolean, partDelayMs: number) {
  const auth = authentication();
  const locks = new Map<string, Promise<void>>();
  return async (ctx: Ctx, next: () => Promise<void>): Promise<void> => {
    const m = /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
    if (!m) return next();
    const bucket = m[1];
    const key = m[2] === undefined || m[2] === '' ? undefined : decodeURIComponent(m[2]);
    if (ctx.method === 'GET' && key === undefined && 'uploads' in ctx.query) {
      ctx.params = { bucket };
      await auth(ctx, async () => undefined);
      if (!existsSync(join(directory, bucket))) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
      const prefix = ctx.query.prefix ?? '';
      const uploads = listUploads(directory, bucket).filter((u) => u.key.startsWith(prefix));
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Bucket>${xmlEscape(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><Prefix>${xmlEscape(prefix)}</Prefix>` +
        `<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>` +
        uploads
          .map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`)
          .join('') +
        '</ListMultipartUploadsResult>';
      return;
    }
    if (ctx.method === 'DELETE' && key !== undefined && 'uploadId' in ctx.query) {
      ctx.params = { bucket, key };
      await auth(ctx, async () => undefined);
      const dir = join(uploadsDir(directory, bucket), ctx.query.uploadId);
      if (!/^[0-9a-f]+$/.test(ctx.query.uploadId) || !existsSync(dir)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: ctx.query.uploadId });
      rmSync(dir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = '';
      return;
    }
    if (partDelayMs > 0 && ctx.method === 'PUT' && 'uploadId' in ctx.query && 'partNumber' in ctx.query) {
      await new Promise((resolve) => setTimeout(resolve, partDelayMs));
      return next();
    }
    const ifNoneMatch = ctx.headers['if-none-match'];
    const ifMatch = ctx.headers['if-match'];
    if (conditionalWrites && ctx.method === 'PUT' && key !== undefined && !('uploadId' in ctx.query) && (ifNoneMatch || ifMatch)) {
      // One conditional write per key at a time: the check and the write happen as one step.
      const id = `${bucket}/${key}`;
      while (locks.has(id)) await locks.get(id);
      let done!: () => void;
      locks.set(id, new Promise<void>((resolve) => (done = resolve)));
      try {
        const file = objectFile(directory, bucket, key);
        const exists = existsSync(file);
        const etag = exists && existsSync(`${file}.md5`) ? readFileSync(`${file}.md5`, 'utf8') : null;
        const refused = (ifNoneMatch === '*' && exists) || (ifMatch !== undefined && (!exists || (etag !== null && ifMatch.replace(/"/g, '') !== etag)));
        if (refused) throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: ifNoneMatch ? 'If-None-Match' : 'If-Match' });
        await next();
      } finally {
        locks.delete(id);
        done();
      }
      return;
    }
    return next();
  };
}

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3TestServer> {
  singleDesAsTripleDes();
  const directory = mkdtempSync(join(tmpdir(), 'dwgen-s3rver-'));
  const buckets = options.buckets ?? ['dwgen-test'];
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: process.env.S3RVER_LOG !== "1",
    directory,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  (server as unknown as { middleware: unknown[] }).middleware.unshift(extension(directory, options.conditionalWrites ?? false, options.partDelayMs ?? 0));
  const address = (await server.run()) as { port: number };
  const httpServer = (server as unknown as { httpServer: Server }).httpServer;
  const endpoint = `http://127.0.0.1:${address.port}`;
  let stopped = false;
  return {
    endpoint,
    port: address.port,
    directory,
    env: {
      AWS_ACCESS_KEY_ID: S3_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3_SECRET_ACCESS_KEY,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: endpoint,
    },
    openUploads: (bucket) => listUploads(directory, bucket).map(({ key, uploadId }) => ({ key, uploadId })),
    async stop() {
      if (stopped) return;
      stopped = true;
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await closed;
    },
  };
}

/** Removes a stopped server's directory. */
export function removeS3Directory(server: S3TestServer): void {
  rmSync(server.directory, { recursive: true, force: true });
}
