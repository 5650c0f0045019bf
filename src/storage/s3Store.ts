// An S3 bucket (or an S3-compatible server) as a Store. Keys are the local layout under the
// prefix: PREFIX/data/<table>/part-NNNNN.csv, PREFIX/metadata/…, PREFIX/.dwgen/….
//
// Publication. S3 has no rename, but a multipart upload is invisible until it is completed. A part
// file is written as a multipart upload under its final key, and finish() leaves it open: it
// returns the upload id and the parts' ETags as the PendingPart. commit() completes the upload
// (CompleteMultipartUpload: the object appears, whole, at once), discard() and abort() abort it.
// So the Store contract holds exactly as for a local store (nothing under the final name before
// commit, the run's partition record written after it), with no server-side copy of the bytes
// (a temporary key copied on commit would re-read every byte on the server and double the
// requests) and no object that exists before the run decides to publish it. An open upload left by
// a crash is to S3 what a `.tmp-<pid>` file is to a directory: sweep lists and aborts them.
//
// Memory. A part file's bytes are buffered to the part size and each full part is transferred to
// this thread's uploader (s3Uploader.ts, a worker thread started on first use), which uploads it
// while the generator goes on. At most `inFlight` parts per thread are handed over and not yet
// uploaded: past that, write() blocks (Atomics.wait) until one is done. A thread thus holds at most
// (open part files + inFlight) × partSize of part buffers, whatever the scale factor.
//
// Checksums. Each part file is hashed (sha256) as it is written. A file that fits in one part is
// uploaded at finish with the hash in its metadata (x-amz-meta-sha256), so verify needs one HEAD.
// A larger file's upload starts before its hash is known, and metadata cannot be changed later:
// commit then writes a small checksum object, .dwgen/checksums/<path>.json {etag, bytes, sha256},
// bound to the object by its ETag. verify trusts it only when the ETag still matches, and else
// re-reads and hashes the object.
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { hostname } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { OutputError, UsageError } from '../errors.js';
import {
  credentialSource, endpointName, isCredentialError, isNotFound, isPreconditionFailed, MAX_PARTS, outputCause, s3Client, s3Failure, s3Key, s3Url,
  type S3Failure,
} from './s3Client.js';
import type { UploadedPart, UploaderData, UploaderReply, UploaderRequest } from './s3Uploader.js';
import { pidAlive } from './lockHolder.js';
import { STATE_DIR, type AppendFile, type AppendResume, type FinishedPart, type PartSink, type PendingPart, type S3StoreDescription, type Store, type StoreLock } from './store.js';

/** A finished part file: its upload, open until commit completes it. */
export interface S3PendingPart extends PendingPart {
  /** Null for an empty file (S3 takes no empty multipart upload: commit puts it). */
  readonly uploadId: string | null;
  readonly parts: readonly UploadedPart[];
  readonly bytes: number;
  readonly sha256: string;
  /** Whether the sha256 is in the object's metadata; else commit writes its checksum object. */
  readonly hashed: boolean;
}

/** Where the checksum object of a part file too large for one part lives. */
export const checksumPath = (path: string): string => `${STATE_DIR}/checksums/${path}.json`;
/** Probe objects (prepare's write test, the lock's conditional-write test): `.dwgen/.probe-<pid>-<random>`. */
const PROBE = `${STATE_DIR}/.probe-`;
/** The lock without conditional writes: how long a writer waits before reading its lock back. */
const LOCK_SETTLE_MS = 500;
/** The first buffer of a part file grows from here (a small file holds little); later ones start at the part size. */
const FIRST_BUFFER = 64 * 1024;
/** DeleteObjects takes at most 1,000 keys. */
const DELETE_BATCH = 1000;

const CONTENT_TYPES: Record<string, string> = { csv: 'text/csv', parquet: 'application/vnd.apache.parquet', json: 'application/json', yaml: 'application/yaml' };
const contentType = (path: string): string => CONTENT_TYPES[/\.([a-z]+)$/.exec(path)?.[1] ?? ''] ?? 'application/octet-stream';


type Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Promise<Sdk> | null = null;
const loadSdk = (): Promise<Sdk> => (sdk ??= import('@aws-sdk/client-s3'));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** This thread's uploader: the worker, its port, the in-flight counter and the requests awaiting a reply. */
class UploaderHandle {
  readonly counter: Int32Array;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly waiting = new Map<number, { resolve: (m: UploaderReply) => void }>();
  /** The first failure of each part file's parts, by sink id. */
  readonly failures = new Map<number, S3Failure>();
  private exited: Error | null = null;
  /** The most parts this thread ever had handed over at once (the memory bound, observable by tests). */
  peakInFlight = 0;
  /** Part-size buffers given back by the uploader, to fill again (at most inFlight + 1 are kept). */
  private readonly pool: Uint8Array[] = [];
  private readonly partSize: number;
  private readonly poolLimit: number;

  constructor(description: S3StoreDescription) {
    this.partSize = description.partSize;
    this.poolLimit = description.inFlight + 1;
    const shared = new SharedArrayBuffer(8); // [in flight, dead] (see UploaderData)
    this.counter = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: UploaderData = { description, counter: shared, port: port2 };
    // No inherited execArgv: the uploader needs no flags, and some (--input-type, -e) fail a worker.
    this.worker = new Worker(new URL('./s3Uploader.js', import.meta.url), { workerData: data, transferList: [port2], execArgv: [] });
    this.worker.unref(); // the port keeps the process alive while a reply is awaited
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the S3 uploader thread exited (${code})`)));
    this.port.on('message', (m: UploaderReply) => this.handle(m));
    this.port.unref();
  }

  private fail(err: Error): void {
    this.exited ??= err;
    const failure = s3Failure(err);
    for (const [id, w] of this.waiting) w.resolve({ op: 'failed', id, failure });
    this.waiting.clear();
    Atomics.store(this.counter, 0, 0);
  }

  private handle(m: UploaderReply): void {
    if (m.op === 'buffer') {
      if (m.buffer.byteLength === this.partSize && this.pool.length < this.poolLimit) this.pool.push(new Uint8Array(m.buffer));
      return;
    }
    if (m.op === 'dead') {
      this.fail(Object.assign(new Error(`the S3 uploader thread failed: ${m.failure.message}`), { code: m.failure.code }));
      return;
    }
    if (m.op === 'error') {
      if (!this.failures.has(m.id)) this.failures.set(m.id, m.failure);
      return;
    }
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    if (this.waiting.size === 0) this.port.unref();
    w?.resolve(m);
  }

  /** Handles replies that arrived while this thread was busy (a synchronous write loop). */
  drain(): void {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) this.handle(m.message as UploaderReply);
  }

  /** A part-size buffer given back by the uploader, if there is one. */
  reuse(): Uint8Array | null {
    this.drain();
    return this.pool.pop() ?? null;
  }

  /** Takes an in-flight slot, blocking while `limit` parts are uploading. */
  acquire(limit: number): void {
    for (let n = Atomics.load(this.counter, 0); n >= limit && this.exited === null; n = Atomics.load(this.counter, 0)) {
      Atomics.wait(this.counter, 0, n, 1000);
      this.drain();
      if (this.exited === null && Atomics.load(this.counter, 1) !== 0) this.fail(new Error('the S3 uploader thread died'));
    }
    if (this.exited) throw this.exited;
    this.taken();
  }

  /** Counts a part handed over. */
  taken(): void {
    this.peakInFlight = Math.max(this.peakInFlight, Atomics.add(this.counter, 0, 1) + 1);
  }

  post(m: UploaderRequest, transfer: ArrayBuffer[] = []): void {
    if (this.exited) throw this.exited;
    this.port.postMessage(m, transfer);
  }

  request(m: UploaderRequest, transfer: ArrayBuffer[] = []): Promise<UploaderReply> {
    if (this.exited) return Promise.resolve({ op: 'failed', id: m.id, failure: s3Failure(this.exited) });
    return new Promise((resolve) => {
      this.waiting.set(m.id, { resolve });
      this.port.ref();
      this.port.postMessage(m, transfer);
    });
  }

  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}

/** One part file: buffered to the part size, each full part handed to the uploader. */
class S3PartSink implements PartSink {
  readonly path: string;
  private readonly store: S3Store;
  private readonly id: number;
  private readonly key: string;
  private readonly hash: Hash = createHash('sha256');
  private buffer: Uint8Array | null = null;
  private filled = 0;
  private partNumber = 0;
  private bytes = 0;
  private done = false;
  /** Whether a part went to the uploader (an upload may exist on the server). */
  private handedOver = false;
  /** Once finished: the open upload, which abort aborts too (it is not published yet). */
  private pending: S3PendingPart | null = null;

  constructor(store: S3Store, path: string, id: number) {
    this.store = store;
    this.path = path;
    this.id = id;
    this.key = store.key(path);
  }

  write(chunk: Uint8Array): void {
    if (this.done) throw new Error(`${this.path}: write after finish or abort`);
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const partSize = this.store.description.partSize;
    let offset = 0;
    while (offset < chunk.length) {
      const need = Math.min(partSize, this.filled + chunk.length - offset);
      if (this.buffer === null || this.buffer.length < need) this.grow(need);
      const n = Math.min(chunk.length - offset, partSize - this.filled);
      this.buffer!.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === partSize) this.ship();
    }
  }

  /** Room for `need` bytes: the first part doubles from 64 KiB, later parts take the part size at once. */
  private grow(need: number): void {
    const partSize = this.store.description.partSize;
    const reused = this.partNumber > 0 || need > FIRST_BUFFER ? this.store.reuseBuffer() : null;
    let size = this.partNumber > 0 ? partSize : Math.max(FIRST_BUFFER, this.buffer?.length ?? 0);
    while (size < need) size = Math.min(partSize, size * 2);
    const next = reused ?? new Uint8Array(size);
    if (this.buffer !== null) next.set(this.buffer.subarray(0, this.filled));
    this.buffer = next;
  }

  private ship(): void {
    const uploader = this.store.uploader();
    uploader.drain();
    this.throwIfFailed();
    if (this.partNumber + 1 >= MAX_PARTS) {
      throw new OutputError(this.store.locate(this.path), new Error(`more than ${MAX_PARTS} parts of ${this.store.description.partSize} bytes: raise the part size`));
    }
    this.acquire(uploader);
    const buffer = this.buffer!;
    this.buffer = null;
    this.filled = 0;
    this.partNumber += 1;
    this.handedOver = true;
    uploader.post(
      { op: 'part', id: this.id, key: this.key, partNumber: this.partNumber, buffer: buffer.buffer as ArrayBuffer, length: buffer.length, contentType: contentType(this.path) },
      [buffer.buffer as ArrayBuffer],
    );
    this.throwIfFailed();
  }

  /** An in-flight slot; a dead uploader is an OutputError naming this part file. */
  private acquire(uploader: UploaderHandle): void {
    try {
      uploader.acquire(this.store.description.inFlight);
    } catch (err) {
      throw this.store.outputError(this.path, s3Failure(err));
    }
  }

  private throwIfFailed(): void {
    const failure = this.store.uploader().failures.get(this.id);
    if (failure) throw this.store.outputError(this.path, failure);
  }

  async finish(): Promise<FinishedPart> {
    if (this.done) throw new Error(`${this.path}: finished twice`);
    this.done = true;
    const sha256 = this.hash.digest('hex');
    if (this.bytes === 0) {
      return { path: this.path, bytes: 0, sha256, pending: { path: this.path, uploadId: null, parts: [], bytes: 0, sha256, hashed: true } as S3PendingPart };
    }
    const uploader = this.store.uploader();
    const last = this.filled > 0 ? this.buffer! : null;
    const length = this.filled;
    this.buffer = null;
    if (last) {
      uploader.drain();
      this.throwIfFailed();
      this.acquire(uploader); // the last part counts against the limit too
      this.handedOver = true;
    }
    const reply = await uploader.request(
      { op: 'finish', id: this.id, key: this.key, partNumber: last ? this.partNumber + 1 : 0, buffer: last ? (last.buffer as ArrayBuffer) : null, length, sha256, contentType: contentType(this.path) },
      last ? [last.buffer as ArrayBuffer] : [],
    );
    uploader.failures.delete(this.id);
    if (reply.op !== 'finished') throw this.store.outputError(this.path, (reply as { failure: S3Failure }).failure);
    const pending: S3PendingPart = { path: this.path, uploadId: reply.uploadId, parts: reply.parts, bytes: this.bytes, sha256, hashed: reply.hashed };
    this.pending = pending;
    return { path: this.path, bytes: this.bytes, sha256, pending };
  }

  async abort(): Promise<void> {
    this.done = true;
    this.buffer = null;
    if (this.pending !== null) return this.store.discard(this.pending);
    if (!this.handedOver) return; // no upload was started
    const uploader = this.store.uploader();
    await uploader.request({ op: 'abort', id: this.id, key: this.key });
    uploader.failures.delete(this.id);
  }
}

export class S3Store implements Store {
  readonly description: S3StoreDescription;
  readonly canAppend = false;
  private clientInstance: Promise<S3Client> | null = null;
  private uploaderInstance: UploaderHandle | null = null;
  private nextSink = 0;
  /** Whether the server honours If-None-Match on PUT (probed by the first lock). */
  private conditional: boolean | null = null;

  constructor(description: S3StoreDescription) {
    this.description = description;
  }

  /**
   * Runs one SDK call. The SDK is loaded on first use: a partition worker only fills part files
   * (its uploader thread sends them), so it never loads the SDK's tens of MB.
   */
  private async call<T>(body: (sdk: Sdk, client: S3Client) => Promise<T>): Promise<T> {
    const s = await loadSdk();
    return body(s, await (this.clientInstance ??= s3Client(this.description)));
  }

  /** @internal */
  uploader(): UploaderHandle {
    return (this.uploaderInstance ??= new UploaderHandle(this.description));
  }

  /** @internal A part-size buffer the uploader gave back, if this thread has an uploader and one is free. */
  reuseBuffer(): Uint8Array | null {
    return this.uploaderInstance?.reuse() ?? null;
  }

  /** The object key of a dataset path. */
  key(path: string): string {
    return s3Key(this.description, path);
  }

  locate(path: string): string {
    return `s3://${this.description.bucket}/${this.key(path)}`;
  }

  /** @internal An OutputError naming the object. */
  outputError(path: string, failure: S3Failure, action = 'write'): OutputError {
    return new OutputError(this.locate(path), outputCause(failure), action);
  }

  private async send<T>(path: string, action: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      throw this.outputError(path, s3Failure(err), action);
    }
  }

  /** Stops the uploader thread and the client's sockets (the process can also just exit). */
  async close(): Promise<void> {
    await this.uploaderInstance?.close();
    this.uploaderInstance = null;
    (await this.clientInstance?.catch(() => null))?.destroy();
    this.clientInstance = null;
  }

  /**
   * Proves the bucket is there and reachable, the credentials are accepted and the prefix can be
   * written (a probe object, put and deleted): each failure is one UsageError line naming the
   * bucket, the endpoint and the credential source.
   */
  async prepare(): Promise<void> {
    const d = this.description;
    const url = s3Url(d);
    const where = endpointName(d);
    const refuse = (err: unknown): never => {
      const f = s3Failure(err);
      const source = credentialSource();
      if (f.name === 'NoSuchBucket') throw new UsageError(`--out ${url}: the bucket ${d.bucket} does not exist at ${where}`);
      if (isCredentialError(f)) throw new UsageError(`--out ${url}: ${where} refused the credentials from ${source} (${f.name})`);
      if (f.name === 'AccessDenied' || f.status === 403) throw new UsageError(`--out ${url}: access denied by ${where} with the credentials from ${source} (${f.name})`);
      if (f.name === 'CredentialsProviderError') throw new UsageError(`--out ${url}: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)`);
      if (/region is missing/i.test(f.message)) throw new UsageError(`--out ${url}: no AWS region (set AWS_REGION, or a region in the profile)`);
      if (f.name === 'PermanentRedirect' || f.status === 301) throw new UsageError(`--out ${url}: the bucket ${d.bucket} is in another region than ${d.region ?? 'the configured one'} (set AWS_REGION)`);
      if (f.code) throw new UsageError(`--out ${url}: cannot reach ${where} (${f.code})`);
      throw new UsageError(`--out ${url}: ${where} answered ${f.name}${f.status ? ` (HTTP ${f.status})` : ''}: ${f.message}`);
    };
    try {
      await this.call((s, c) => c.send(new s.ListObjectsV2Command({ Bucket: d.bucket, Prefix: d.prefix ? `${d.prefix}/` : undefined, MaxKeys: 1 })));
    } catch (err) {
      refuse(err);
    }
    const probe = this.key(`${PROBE}${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await this.call((s, c) => c.send(new s.PutObjectCommand({ Bucket: d.bucket, Key: probe, Body: new Uint8Array(0), ContentLength: 0 })));
      await this.call((s, c) => c.send(new s.DeleteObjectCommand({ Bucket: d.bucket, Key: probe })));
    } catch (err) {
      const f = s3Failure(err);
      if (f.name === 'AccessDenied' || f.status === 403) throw new UsageError(`--out ${url}: cannot write s3://${d.bucket}/${probe}: access denied by ${where} with the credentials from ${credentialSource()}`);
      refuse(err);
    }
  }

  createPart(path: string): PartSink {
    return new S3PartSink(this, path, this.nextSink++);
  }

  /** Completes the part's upload (the object appears whole), then records a large file's checksum. */
  async commit(part: PendingPart): Promise<void> {
    const p = part as S3PendingPart;
    const Bucket = this.description.bucket;
    const Key = this.key(p.path);
    if (p.uploadId === null) {
      await this.send(p.path, 'write', () => this.call((s, c) => c.send(new s.PutObjectCommand({ Bucket, Key, Body: new Uint8Array(0), ContentLength: 0, Metadata: { sha256: p.sha256 }, ContentType: contentType(p.path) }))));
      return;
    }
    const done = await this.send(p.path, 'write', () =>
      this.call((s, c) => c.send(new s.CompleteMultipartUploadCommand({ Bucket, Key, UploadId: p.uploadId!, MultipartUpload: { Parts: [...p.parts] } }))),
    );
    if (!p.hashed) {
      const record = { etag: done.ETag ?? null, bytes: p.bytes, sha256: p.sha256 };
      await this.put(checksumPath(p.path), JSON.stringify(record) + '\n');
    }
  }

  async discard(part: PendingPart): Promise<void> {
    const p = part as S3PendingPart;
    const uploadId = p.uploadId;
    if (uploadId === null) return;
    try {
      await this.call((s, c) => c.send(new s.AbortMultipartUploadCommand({ Bucket: this.description.bucket, Key: this.key(p.path), UploadId: uploadId })));
    } catch (err) {
      if (!isNotFound(s3Failure(err))) throw this.outputError(p.path, s3Failure(err));
    }
  }

  /** PutObject is atomic and durable once it returns; the sha256 goes into the metadata. */
  async put(path: string, data: string | Uint8Array): Promise<void> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    const sha256 = createHash('sha256').update(body).digest('hex');
    await this.send(path, 'write', () =>
      this.call((s, c) => c.send(new s.PutObjectCommand({ Bucket: this.description.bucket, Key: this.key(path), Body: body, ContentLength: body.length, Metadata: { sha256 }, ContentType: contentType(path) }))),
    );
  }

  async get(path: string): Promise<Uint8Array | null> {
    try {
      const r = await this.call((s, c) => c.send(new s.GetObjectCommand({ Bucket: this.description.bucket, Key: this.key(path) })));
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array(0);
    } catch (err) {
      const f = s3Failure(err);
      if (isNotFound(f)) return null;
      throw this.outputError(path, f, 'read');
    }
  }

  /** Every key under `prefix/` (a directory's worth, as for a local store), as dataset paths, sorted. */
  async list(prefix: string): Promise<string[]> {
    const dir = prefix.replace(/\/+$/, '');
    const from = this.key(dir === '' ? '' : `${dir}/`);
    const strip = this.description.prefix ? this.description.prefix.length + 1 : 0;
    const out: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.send(dir, 'list', () =>
        this.call((s, c) => c.send(new s.ListObjectsV2Command({ Bucket: this.description.bucket, Prefix: from || undefined, ContinuationToken: token }))),
      );
      for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key.slice(strip));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  /**
   * DeleteObjects in batches of 1,000 (a data file's checksum object goes with it). A server that
   * refuses DeleteObjects (some S3-compatible ones want a Content-MD5 the SDK no longer sends) gets
   * one DeleteObject per key.
   */
  async remove(paths: readonly string[]): Promise<void> {
    const keys = paths.flatMap((p) => (p.startsWith(`${STATE_DIR}/`) ? [p] : [p, checksumPath(p)]));
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      try {
        const r = await this.call((s, c) => c.send(new s.DeleteObjectsCommand({ Bucket: this.description.bucket, Delete: { Objects: batch.map((p) => ({ Key: this.key(p) })), Quiet: true } })));
        const failed = (r.Errors ?? []).find((e) => e.Code !== 'NoSuchKey');
        if (failed) throw this.outputError(failed.Key?.slice(this.key('').length) ?? batch[0], { name: failed.Code ?? 'Error', message: failed.Message ?? '' }, 'remove');
      } catch (err) {
        if (err instanceof OutputError) throw err;
        const f = s3Failure(err);
        if (f.name !== 'NotImplemented' && f.name !== 'InvalidRequest' && f.name !== 'InvalidDigest' && f.name !== 'MissingContentMD5') throw this.outputError(batch[0], f, 'remove');
        for (const p of batch) await this.send(p, 'remove', () => this.call((s, c) => c.send(new s.DeleteObjectCommand({ Bucket: this.description.bucket, Key: this.key(p) }))));
      }
    }
  }

  /** HEAD for the size; the sha256 from the metadata, else the checksum object (if its ETag still holds), else by reading the object. */
  async verify(path: string, bytes: number, sha256: string): Promise<string | null> {
    let head;
    try {
      head = await this.call((s, c) => c.send(new s.HeadObjectCommand({ Bucket: this.description.bucket, Key: this.key(path) })));
    } catch (err) {
      const f = s3Failure(err);
      if (isNotFound(f)) return `${path} is missing`;
      return `${path} cannot be read (${outputCause(f).message})`;
    }
    const size = head.ContentLength ?? 0;
    if (size !== bytes) return `${path} has ${size} bytes, the record says ${bytes}`;
    let known = head.Metadata?.sha256 ?? null;
    if (known === null) {
      const raw = await this.get(checksumPath(path)).catch(() => null);
      try {
        const c = raw ? (JSON.parse(Buffer.from(raw).toString('utf8')) as { etag?: string; sha256?: string }) : null;
        if (c && c.etag && c.etag === head.ETag && typeof c.sha256 === 'string') known = c.sha256;
      } catch {
        /* an unreadable checksum object: hash the object instead */
      }
    }
    if (known === null) {
      try {
        known = await this.hashObject(path);
      } catch (err) {
        return `${path} cannot be read (${err instanceof OutputError ? err.message : String(err)})`;
      }
    }
    return known === sha256 ? null : `${path}: checksum mismatch`;
  }

  /** sha256 of an object, streamed. */
  private async hashObject(path: string): Promise<string> {
    const r = await this.send(path, 'read', () => this.call((s, c) => c.send(new s.GetObjectCommand({ Bucket: this.description.bucket, Key: this.key(path) }))));
    const hash = createHash('sha256');
    for await (const chunk of r.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  }

  /**
   * Whether the server honours If-None-Match: * on PutObject: a probe object is put twice with it;
   * a server that lets the second through ignores the header (s3rver does; AWS S3 since 2024,
   * MinIO, Ceph RGW and R2 honour it).
   */
  private async conditionalWrites(): Promise<boolean> {
    if (this.conditional !== null) return this.conditional;
    const path = `${PROBE}${process.pid}-${randomBytes(4).toString('hex')}`;
    const put = () => this.call((s, c) => c.send(new s.PutObjectCommand({ Bucket: this.description.bucket, Key: this.key(path), Body: new Uint8Array(0), ContentLength: 0, IfNoneMatch: '*' })));
    await this.send(path, 'write', put);
    try {
      await put();
      this.conditional = false;
    } catch (err) {
      const f = s3Failure(err);
      if (isPreconditionFailed(f)) this.conditional = true;
      else if (f.name === 'NotImplemented' || f.status === 501) this.conditional = false;
      else throw this.outputError(path, f);
    } finally {
      await this.call((s, c) => c.send(new s.DeleteObjectCommand({ Bucket: this.description.bucket, Key: this.key(path) }))).catch(() => undefined);
    }
    return this.conditional;
  }

  /** The lock object's holder and ETag, or null when there is none. */
  private async readLock(path: string): Promise<{ holder: { pid?: number; host?: string; started_at?: string; token?: string } | null; etag: string | undefined } | null> {
    try {
      const r = await this.call((s, c) => c.send(new s.GetObjectCommand({ Bucket: this.description.bucket, Key: this.key(path) })));
      const text = r.Body ? Buffer.from(await r.Body.transformToByteArray()).toString('utf8') : '';
      try {
        return { holder: JSON.parse(text), etag: r.ETag };
      } catch {
        return { holder: null, etag: r.ETag };
      }
    } catch (err) {
      const f = s3Failure(err);
      if (isNotFound(f)) return null;
      throw this.outputError(path, f, 'read');
    }
  }

  /**
   * A lock object {pid, host, started_at, token}, created with If-None-Match: * where the server
   * honours it (exclusive: of two runs, the server lets one create it). Where it does not, the
   * fallback reads the lock, writes it if there is none, waits LOCK_SETTLE_MS and reads it back:
   * the run holds it only if its own token is there (S3 reads are strongly consistent). That
   * fallback is exclusive unless two runs start within the settle time of each other. A lock whose
   * pid no longer runs on this host is taken over; one of another host is refused (it cannot be
   * told whether that run is alive: delete the lock object if it is not).
   */
  async lock(path: string): Promise<StoreLock> {
    const url = this.locate(path);
    const token = randomBytes(12).toString('hex');
    const mine = JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString(), token }) + '\n';
    const Bucket = this.description.bucket;
    const Key = this.key(path);
    const conditional = await this.conditionalWrites();
    const release = async (): Promise<void> => {
      const now = await this.readLock(path).catch(() => null);
      if (now?.holder?.token === token) await this.call((s, c) => c.send(new s.DeleteObjectCommand({ Bucket, Key }))).catch(() => undefined);
    };
    const ours = async (): Promise<boolean> => (await this.readLock(path))?.holder?.token === token;
    const create = async (condition: { IfNoneMatch: string } | { IfMatch: string } | null): Promise<boolean> => {
      try {
        await this.call((s, c) => c.send(new s.PutObjectCommand({ Bucket, Key, Body: mine, ContentType: 'application/json', ...(conditional && condition ? condition : {}) })));
      } catch (err) {
        const f = s3Failure(err);
        if (isPreconditionFailed(f)) return false;
        if (isNotFound(f) && condition && 'IfMatch' in condition) return false; // the stale lock went meanwhile
        throw this.outputError(path, f);
      }
      if (conditional) return true;
      await sleep(LOCK_SETTLE_MS);
      return ours();
    };

    let existing = conditional ? null : await this.readLock(path);
    if (existing === null) {
      if (await create({ IfNoneMatch: '*' })) return { note: null, release };
      existing = await this.readLock(path);
      if (existing === null) throw new UsageError(`${url} was just taken and released by another run: try again`);
    }
    const holder = existing.holder;
    const pid = holder?.pid;
    if (typeof pid === 'number' && pid !== process.pid && (holder?.host ?? hostname()) === hostname() && pidAlive(pid)) {
      throw new UsageError(`${url} is held by pid ${pid} (a dwgen run started ${holder?.started_at ?? 'at an unknown time'}): another run is writing to ${s3Url(this.description)}`);
    }
    if (typeof pid === 'number' && holder?.host && holder.host !== hostname()) {
      throw new UsageError(`${url} is held by pid ${pid} on host ${holder.host} (started ${holder.started_at ?? 'at an unknown time'}): another run may be writing to ${s3Url(this.description)}; delete the lock if it is not`);
    }
    if (!(await create(existing.etag ? { IfMatch: existing.etag } : null))) throw new UsageError(`${url} was just taken by another run`);
    return { note: `taking over the stale lock ${url} (${typeof pid === 'number' ? `pid ${pid} is not running` : 'it is unreadable'})`, release };
  }

  /**
   * Aborts the open multipart uploads under the prefix whose final path `owned` accepts, and
   * deletes probe objects. ListMultipartUploads tells no run from another (it returns no metadata),
   * so `mine` cannot narrow it: the run's lock is what makes every open upload of a path it owns
   * its own or a dead run's.
   */
  async sweep(options: { mine?: boolean; owned?: (path: string) => boolean } = {}): Promise<void> {
    const d = this.description;
    const strip = d.prefix ? d.prefix.length + 1 : 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const r = await this.send('', 'list the uploads under', () =>
        this.call((s, c) => c.send(new s.ListMultipartUploadsCommand({ Bucket: d.bucket, Prefix: d.prefix ? `${d.prefix}/` : undefined, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }))),
      );
      for (const u of r.Uploads ?? []) {
        if (!u.Key || !u.UploadId) continue;
        const path = u.Key.slice(strip);
        if (!(options.owned?.(path) ?? true)) continue;
        try {
          await this.call((s, c) => c.send(new s.AbortMultipartUploadCommand({ Bucket: d.bucket, Key: u.Key, UploadId: u.UploadId })));
        } catch (err) {
          if (!isNotFound(s3Failure(err))) throw this.outputError(path, s3Failure(err), 'abort the upload of');
        }
      }
      keyMarker = r.IsTruncated ? r.NextKeyMarker : undefined;
      uploadIdMarker = r.IsTruncated ? r.NextUploadIdMarker : undefined;
    } while (keyMarker);
    const probes = (await this.list(STATE_DIR)).filter((p) => p.startsWith(options.mine ? `${PROBE}${process.pid}-` : PROBE));
    if (probes.length > 0) await this.remove(probes);
  }

  private singleFileRefused(): never {
    throw new UsageError(`--out ${s3Url(this.description)}: the single-file layout grows each file by appending, which object storage cannot do; use the partitioned layout`);
  }

  async openAppend(): Promise<AppendFile> {
    return this.singleFileRefused();
  }

  async inspectAppend(): Promise<AppendResume | null> {
    return this.singleFileRefused();
  }

  /** There is no append state on S3 (openAppend refuses): removing it removes nothing. */
  async removeAppend(): Promise<void> {}
}
