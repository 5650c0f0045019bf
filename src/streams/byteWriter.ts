// A preallocated output buffer that encoders write ASCII into directly, handing full chunks to a
// consumer (a file, a hash, a list of buffers to transfer). No per-row strings, no per-row writes.

/** Receives each full chunk. It must copy or consume the bytes before returning if the writer reuses its buffer. */
export type ChunkConsumer = (chunk: Uint8Array) => void;

export const DEFAULT_CHUNK_BYTES = 1 << 20; // 1 MiB: large sequential writes, small enough to stay cache-warm

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
   *   so the same buffer is written again; false allocates a fresh buffer per chunk (chunks kept).
   */
  constructor(consumer: ChunkConsumer, reuse: boolean, chunkBytes = DEFAULT_CHUNK_BYTES) {
    this.consumer = consumer;
    this.reuse = reuse;
    this.chunkBytes = chunkBytes;
    this.buf = Buffer.allocUnsafeSlow(chunkBytes);
  }

  /** Makes room for at least `bytes` more bytes, flushing the current chunk if needed. */
  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.flush();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafeSlow(Math.max(bytes, this.chunkBytes));
  }

  /** Hands the buffered bytes to the consumer; `more` = false when nothing will be written after. */
  flush(more = true): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.flushedBytes += this.pos;
    this.consumer(chunk);
    if (!this.reuse && more) this.buf = Buffer.allocUnsafeSlow(this.chunkBytes);
    this.pos = 0;
  }

  /** Total bytes written: flushed plus buffered. */
  get totalBytes(): number {
    return this.flushedBytes + this.pos;
  }
}
