// A preallocated output buffer that encoders write ASCII into directly, handing full chunks to a
// consumer (a file, a hash, a list of buffers to transfer). No per-row strings, no per-row writes.

/** Receives each full chunk. It must copy or consume the bytes before returning if the writer reuses its buffer. */
export type ChunkConsumer = (chunk: Uint8Array) => void;

export const DEFAULT_CHUNK_BYTES = 1 << 20; // 1 MiB: large sequential writes, small enough to stay cache-warm

/**
 * Chunk buffers handed back for reuse, on this thread. A single-file table's chunks travel from a
 * worker to the main thread (transferred) and are garbage once appended: allocated afresh, they
 * cost the worker page faults and the main thread a GC per ~100 MB of external memory (~0.3 s of
 * main-thread CPU at SF 10). The main thread gives them back (giveSpareChunks after the append)
 * and sends them to workers with the next tasks (takeSpareChunks); workers write into them again.
 */
const spareChunks: ArrayBuffer[] = [];

/** At most this many spare chunks are kept per thread by default (64 MiB); beyond it they are left to GC. */
export const MAX_SPARE_CHUNKS = 64;

/**
 * Keeps the buffers of these chunks for reuse (those of the standard chunk size only), while this
 * thread holds fewer than `keepAtMost` (a worker keeps one task's worth: see SPARE_CHUNKS_PER_TASK).
 */
export function giveSpareChunks(buffers: Iterable<ArrayBufferLike>, keepAtMost = MAX_SPARE_CHUNKS): void {
  for (const b of buffers) {
    if (spareChunks.length >= keepAtMost) return;
    if (b instanceof ArrayBuffer && b.byteLength === DEFAULT_CHUNK_BYTES) spareChunks.push(b);
  }
}

/** Removes and returns up to `max` spare chunk buffers (to transfer to a worker with a task). */
export function takeSpareChunks(max: number): ArrayBuffer[] {
  return spareChunks.splice(Math.max(0, spareChunks.length - max));
}

/** The number of spare chunk buffers this thread holds (tests). */
export function spareChunkCount(): number {
  return spareChunks.length;
}

/** A buffer of `bytes`: a spare chunk when it is the standard size and one is at hand. */
function newChunk(bytes: number): Uint8Array {
  if (bytes === DEFAULT_CHUNK_BYTES) {
    const spare = spareChunks.pop();
    if (spare !== undefined) return Buffer.from(spare);
  }
  return Buffer.allocUnsafeSlow(bytes);
}

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  /** Bytes handed to the consumer so far (not counting what is still buffered). */
  flushedBytes = 0;
  private readonly chunkBytes: number;
  private readonly reuse: boolean;
  private readonly consumer: ChunkConsumer;

  /**
   * @param consumer gets every full chunk.
   * @param reuse true when the consumer is done with a chunk once it returns (a synchronous write),
   *   so the same buffer is written again; false takes a new buffer per chunk, a spare one when this
   *   thread holds one (giveSpareChunks), since the chunks are kept.
   */
  constructor(consumer: ChunkConsumer, reuse: boolean, chunkBytes = DEFAULT_CHUNK_BYTES) {
    this.consumer = consumer;
    this.reuse = reuse;
    this.chunkBytes = chunkBytes;
    this.buf = reuse ? Buffer.allocUnsafeSlow(chunkBytes) : newChunk(chunkBytes);
  }

  /** Makes room for at least `bytes` more bytes, flushing the current chunk if needed. */
  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.flush();
    if (bytes > this.buf.length) this.buf = newChunk(Math.max(bytes, this.chunkBytes));
  }

  /** Hands the buffered bytes to the consumer; `more` = false when nothing will be written after. */
  flush(more = true): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.flushedBytes += this.pos;
    this.consumer(chunk);
    if (!this.reuse && more) this.buf = newChunk(this.chunkBytes);
    this.pos = 0;
  }

  /** Total bytes written: flushed plus buffered. */
  get totalBytes(): number {
    return this.flushedBytes + this.pos;
  }
}
