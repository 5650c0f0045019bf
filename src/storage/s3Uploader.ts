// The uploader thread of an S3 store: the parts a thread's part files fill are transferred here
// (their ArrayBuffers move, they are not copied) and uploaded while that thread goes on
// generating. A generator runs a whole partition in one synchronous loop, so its own event loop
// never gets to run an upload: this thread's does. Each part that settles (uploaded or failed)
// decrements the shared in-flight counter and wakes the owner, which blocks in Atomics.wait while
// its limit is reached. The upload is left open (not completed) at finish: the store's commit
// completes it, so nothing appears under the final key before the run publishes it.
import type { S3Client } from '@aws-sdk/client-s3';
import { workerData, type MessagePort } from 'node:worker_threads';
import { s3Client, s3Failure, type S3Failure } from './s3Client.js';
import type { S3StoreDescription } from './store.js';

/** What the owner sends. */
export type UploaderRequest =
  | { op: 'part'; id: number; key: string; partNumber: number; buffer: ArrayBuffer; length: number; contentType: string }
  | { op: 'finish'; id: number; key: string; partNumber: number; buffer: ArrayBuffer | null; length: number; sha256: string; contentType: string }
  | { op: 'abort'; id: number; key: string };

export interface UploadedPart {
  PartNumber: number;
  ETag: string;
}

/** What the uploader answers. */
export type UploaderReply =
  | { op: 'error'; id: number; failure: S3Failure }
  /** A part's buffer, given back once its upload settled, for the owner to fill again. */
  | { op: 'buffer'; buffer: ArrayBuffer }
  /** This thread cannot go on (the SDK did not load, an uncaught error): sent before the dead flag is set. */
  | { op: 'dead'; failure: S3Failure }
  | { op: 'finished'; id: number; uploadId: string | null; parts: UploadedPart[]; hashed: boolean }
  | { op: 'failed'; id: number; failure: S3Failure }
  | { op: 'aborted'; id: number };

export interface UploaderData {
  description: S3StoreDescription;
  /**
   * Int32Array over a SharedArrayBuffer: [0] = parts handed over and not yet settled; [1] = 1 once
   * this thread is dead (its owner may be blocked in Atomics.wait, where no 'exit' event reaches it).
   */
  counter: SharedArrayBuffer;
  port: MessagePort;
}

interface Upload {
  key: string;
  /** The upload id, once CreateMultipartUpload was sent (the first part, or finish for a one-part file). */
  created: Promise<string> | null;
  parts: Promise<UploadedPart>[];
  failure: S3Failure | null;
  /** Whether the sha256 went into the object's metadata (the upload was created at finish). */
  hashed: boolean;
}

type Sdk = typeof import('@aws-sdk/client-s3');

class Uploader {
  private readonly sdk: Sdk;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly counter: Int32Array;
  private readonly port: MessagePort;
  private readonly uploads = new Map<number, Upload>();

  constructor(data: UploaderData, sdk: Sdk, client: S3Client) {
    this.sdk = sdk;
    this.client = client;
    this.bucket = data.description.bucket;
    this.counter = new Int32Array(data.counter);
    this.port = data.port;
    this.port.on('message', (m: UploaderRequest) => void this.handle(m));
  }

  private upload(id: number, key: string): Upload {
    let u = this.uploads.get(id);
    if (u === undefined) this.uploads.set(id, (u = { key, created: null, parts: [], failure: null, hashed: false }));
    return u;
  }

  private create(u: Upload, metadata: Record<string, string> | undefined, contentType: string | undefined): Promise<string> {
    return this.client
      .send(new this.sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: u.key, ...(metadata ? { Metadata: metadata } : {}), ...(contentType ? { ContentType: contentType } : {}) }))
      .then((r) => {
        if (!r.UploadId) throw new Error(`CreateMultipartUpload returned no UploadId`);
        return r.UploadId;
      });
  }

  /** Uploads one part; settles the in-flight counter whatever happens. */
  private sendPart(id: number, u: Upload, partNumber: number, buffer: ArrayBuffer, length: number): void {
    const created = u.created!;
    const part = created.then(async (uploadId) => {
      const r = await this.client.send(new this.sdk.UploadPartCommand({ Bucket: this.bucket, Key: u.key, UploadId: uploadId, PartNumber: partNumber, Body: new Uint8Array(buffer, 0, length) }));
      if (!r.ETag) throw new Error(`UploadPart ${partNumber} returned no ETag`);
      return { PartNumber: partNumber, ETag: r.ETag };
    });
    u.parts.push(part);
    part.then(
      () => this.settle(buffer),
      (err: unknown) => {
        if (u.failure === null) {
          u.failure = s3Failure(err);
          this.reply({ op: 'error', id, failure: u.failure }); // before waking the owner, so it sees why
        }
        this.settle(buffer);
      },
    );
  }

  /**
   * A part is done: its buffer goes back to the owner (the SDK is done with it: no retry follows a
   * settled request), then the owner is woken. Giving buffers back instead of dropping them keeps
   * a thread's part buffers at a fixed number: a dropped one is freed only when this thread's
   * garbage collector runs, and V8 lets tens of MB of such external memory pile up first.
   */
  private settle(buffer: ArrayBuffer): void {
    this.port.postMessage({ op: 'buffer', buffer } satisfies UploaderReply, [buffer]);
    Atomics.sub(this.counter, 0, 1);
    Atomics.notify(this.counter, 0);
  }

  private reply(m: UploaderReply): void {
    this.port.postMessage(m);
  }

  private async handle(m: UploaderRequest): Promise<void> {
    const u = this.upload(m.id, m.key);
    switch (m.op) {
      case 'part':
        u.created ??= this.create(u, undefined, m.contentType);
        this.sendPart(m.id, u, m.partNumber, m.buffer, m.length);
        return;
      case 'finish': {
        if (u.created === null && m.buffer !== null) {
          u.hashed = true;
          u.created = this.create(u, { sha256: m.sha256 }, m.contentType);
        }
        if (m.buffer !== null) this.sendPart(m.id, u, m.partNumber, m.buffer, m.length);
        try {
          const uploadId = u.created ? await u.created : null;
          const parts = await Promise.all(u.parts);
          this.uploads.delete(m.id);
          this.reply({ op: 'finished', id: m.id, uploadId, parts, hashed: u.hashed });
        } catch (err) {
          // The upload is aborted by the sink's abort (the caller's cleanup), or by a later sweep.
          this.reply({ op: 'failed', id: m.id, failure: u.failure ?? s3Failure(err) });
        }
        return;
      }
      case 'abort': {
        await Promise.allSettled(u.parts); // a part still uploading would outlive the abort
        const uploadId = await u.created?.catch(() => null);
        this.uploads.delete(m.id);
        if (uploadId) {
          try {
            await this.client.send(new this.sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.key, UploadId: uploadId }));
          } catch {
            /* best effort: sweep (on --resume / --force) lists and aborts what is left open */
          }
        }
        this.reply({ op: 'aborted', id: m.id });
        return;
      }
    }
  }
}

const data = workerData as UploaderData;
/** Tells the owner this thread is gone, so a writer blocked on the in-flight limit does not wait forever. */
function dead(err: unknown): void {
  try {
    data.port.postMessage({ op: 'dead', failure: s3Failure(err) } satisfies UploaderReply);
  } finally {
    const counter = new Int32Array(data.counter);
    Atomics.store(counter, 1, 1);
    Atomics.notify(counter, 0);
  }
}
process.on('uncaughtException', (err) => {
  dead(err);
  process.exit(1);
});
try {
  const sdk = await import('@aws-sdk/client-s3');
  new Uploader(data, sdk, await s3Client(data.description));
} catch (err) {
  dead(err);
}
