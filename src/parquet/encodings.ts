// Parquet value encodings: PLAIN (INT32, INT64, BOOLEAN, BYTE_ARRAY), the RLE/bit-packed hybrid used
// for definition levels and dictionary indices, and a reusable growable byte buffer they write into.
import { endianness } from 'node:os';

if (endianness() !== 'LE') {
  // PLAIN numbers are written as views of typed arrays, which is only correct on little-endian hosts.
  throw new Error('dwgen Parquet encoder requires a little-endian host');
}

/** A growable byte buffer, reused across pages (call `reset()`; copy what must outlive it). */
export class ByteSink {
  buf: Uint8Array;
  pos = 0;

  constructor(initialCapacity = 1 << 16) {
    this.buf = new Uint8Array(initialCapacity);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** A view of the bytes written since the last reset (invalidated by further writes). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  u8(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  u32le(v: number): void {
    this.ensure(4);
    const b = this.buf;
    let p = this.pos;
    b[p++] = v & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = (v >>> 24) & 0xff;
    this.pos = p;
  }

  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
}

/** Bytes of `values[start, end)` as PLAIN INT32 (a view, no copy). */
export function plainInt32View(values: Int32Array, start: number, end: number): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset + start * 4, (end - start) * 4);
}

/** Bytes of the INT64 values `[start, end)` held as (lo, hi) 32-bit word pairs (a view, no copy). */
export function plainInt64View(words: Int32Array, start: number, end: number): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset + start * 8, (end - start) * 8);
}

/** PLAIN BOOLEAN: one bit per value, least significant bit first. */
export function plainBoolean(values: Uint8Array, start: number, end: number, out: ByteSink): void {
  const n = end - start;
  const nbytes = (n + 7) >>> 3;
  out.ensure(nbytes);
  const b = out.buf;
  let p = out.pos;
  let i = start;
  const full = start + (n & ~7);
  for (; i < full; i += 8) {
    b[p++] =
      (values[i]! & 1) |
      ((values[i + 1]! & 1) << 1) |
      ((values[i + 2]! & 1) << 2) |
      ((values[i + 3]! & 1) << 3) |
      ((values[i + 4]! & 1) << 4) |
      ((values[i + 5]! & 1) << 5) |
      ((values[i + 6]! & 1) << 6) |
      ((values[i + 7]! & 1) << 7);
  }
  if (i < end) {
    let v = 0;
    for (let k = 0; i < end; i++, k++) v |= (values[i]! & 1) << k;
    b[p++] = v;
  }
  out.pos = p;
}

/** Writes `s` as UTF-8 at out.pos (capacity for 3 bytes per UTF-16 unit must be ensured). */
function writeUtf8(s: string, out: ByteSink): void {
  const b = out.buf;
  let p = out.pos;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      b[p++] = c;
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      b[p++] = 0xf0 | (c >> 18);
      b[p++] = 0x80 | ((c >> 12) & 0x3f);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate, as TextEncoder does
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    }
  }
  out.pos = p;
}

/** PLAIN BYTE_ARRAY of one string: 4-byte little-endian length, then its UTF-8 bytes. */
export function plainString(s: string, out: ByteSink): void {
  out.ensure(4 + s.length * 3);
  const lenAt = out.pos;
  out.pos += 4;
  writeUtf8(s, out);
  const len = out.pos - lenAt - 4;
  const b = out.buf;
  b[lenAt] = len & 0xff;
  b[lenAt + 1] = (len >>> 8) & 0xff;
  b[lenAt + 2] = (len >>> 16) & 0xff;
  b[lenAt + 3] = (len >>> 24) & 0xff;
}

/** UTF-8 bytes of a string (for dictionary pages and statistics). */
export function utf8Bytes(s: string): Uint8Array {
  const sink = new ByteSink(s.length * 3 + 1);
  sink.ensure(s.length * 3);
  writeUtf8(s, sink);
  return sink.buf.slice(0, sink.pos);
}

/** Bits needed for values 0..maxValue (at least 1, which every reader accepts). */
export function bitWidthOf(maxValue: number): number {
  let w = 1;
  while (w < 32 && maxValue >= 2 ** w) w++;
  return w;
}

type IntArray = Uint8Array | Uint16Array | Int32Array;

/** Bit-packs `count` values (a multiple of 8, padded with zeros past `end`) LSB first. */
function bitPack(values: IntArray, start: number, end: number, count: number, bitWidth: number, out: ByteSink): void {
  out.ensure((count * bitWidth) >>> 3);
  const b = out.buf;
  let p = out.pos;
  if (bitWidth === 1) {
    for (let i = start; i < start + count; i += 8) {
      let v = 0;
      for (let k = 0; k < 8; k++) {
        const j = i + k;
        if (j < end) v |= (values[j]! & 1) << k;
      }
      b[p++] = v;
    }
  } else {
    let acc = 0;
    let bits = 0;
    const mask = bitWidth >= 32 ? 0xffffffff : (1 << bitWidth) - 1;
    for (let i = start; i < start + count; i++) {
      const v = i < end ? values[i]! & mask : 0;
      // acc holds fewer than 8 pending bits; bitWidth ≤ 24 keeps acc within 32 bits.
      acc |= v << bits;
      bits += bitWidth;
      while (bits >= 8) {
        b[p++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) b[p++] = acc & 0xff;
  }
  out.pos = p;
}

function rleRun(value: number, length: number, bitWidth: number, out: ByteSink): void {
  out.varint(length * 2);
  const bytes = (bitWidth + 7) >>> 3;
  out.ensure(bytes);
  for (let k = 0; k < bytes; k++) out.buf[out.pos++] = (value >>> (8 * k)) & 0xff;
}

function bitPackedRun(values: IntArray, start: number, end: number, bitWidth: number, out: ByteSink): void {
  const groups = Math.ceil((end - start) / 8);
  out.varint(groups * 2 + 1);
  bitPack(values, start, end, groups * 8, bitWidth, out);
}

/**
 * RLE/bit-packed hybrid encoding of `values[start, end)` (without the length prefix). Runs of 8 or
 * more equal values become RLE runs; everything else is bit-packed in groups of 8. Only the final
 * bit-packed run is padded, so decoders that stop after `end − start` values read exactly these.
 */
export function rleHybrid(values: IntArray, start: number, end: number, bitWidth: number, out: ByteSink): void {
  if (bitWidth > 24) throw new RangeError(`RLE bit width ${bitWidth} > 24 is not supported`);
  let bpStart = -1; // start of the pending bit-packed stretch
  let i = start;
  while (i < end) {
    const v = values[i]!;
    let j = i + 1;
    while (j < end && values[j] === v) j++;
    let runLen = j - i;
    if (runLen >= 8) {
      if (bpStart >= 0) {
        // Fill the pending bit-packed stretch to a multiple of 8 with values of this run.
        const rem = (i - bpStart) & 7;
        if (rem !== 0) {
          const take = 8 - rem;
          i += take;
          runLen -= take;
        }
        if (runLen < 8) {
          i = j; // the rest of the run stays in the bit-packed stretch
          continue;
        }
        bitPackedRun(values, bpStart, i, bitWidth, out);
        bpStart = -1;
      }
      rleRun(v, runLen, bitWidth, out);
      i = j;
    } else {
      if (bpStart < 0) bpStart = i;
      i = j;
    }
  }
  if (bpStart >= 0) bitPackedRun(values, bpStart, end, bitWidth, out);
}

/** Definition levels of a v1 data page: 4-byte length, then the RLE/bit-packed hybrid (width 1). */
export function definitionLevels(levels: Uint8Array, start: number, end: number, out: ByteSink): void {
  out.ensure(4);
  const lenAt = out.pos;
  out.pos += 4;
  rleHybrid(levels, start, end, 1, out);
  const len = out.pos - lenAt - 4;
  const b = out.buf;
  b[lenAt] = len & 0xff;
  b[lenAt + 1] = (len >>> 8) & 0xff;
  b[lenAt + 2] = (len >>> 16) & 0xff;
  b[lenAt + 3] = (len >>> 24) & 0xff;
}
