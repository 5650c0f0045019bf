// Unit tests of the Parquet building blocks: RLE/bit-packed hybrid, PLAIN booleans and strings,
// the Thrift compact writer, UTF-8 ordering of string statistics and codec selection.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { COMPRESSIONS, codecFor } from '../src/parquet/compression.js';
import { ByteSink, bitWidthOf, definitionLevels, plainBoolean, plainString, rleHybrid, utf8Bytes } from '../src/parquet/encodings.js';
import { Codec } from '../src/parquet/metadata.js';
import { compareUtf8, stringMinMax } from '../src/parquet/statistics.js';
import { CT, ThriftWriter } from '../src/parquet/thrift.js';
import { prng } from './parquetFixtures.js';

/** Reference decoder of the RLE/bit-packed hybrid (independent of the encoder). */
function decodeHybrid(bytes: Uint8Array, bitWidth: number, count: number): number[] {
  const out: number[] = [];
  let p = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (out.length < count) {
    const h = varint();
    if (h % 2 === 0) {
      let v = 0;
      for (let k = 0; k < Math.ceil(bitWidth / 8); k++) v |= bytes[p++]! << (8 * k);
      for (let i = 0; i < h / 2; i++) out.push(v);
    } else {
      const n = ((h - 1) / 2) * 8;
      let bitPos = 0;
      const start = p;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let b = 0; b < bitWidth; b++, bitPos++) v |= ((bytes[start + (bitPos >> 3)]! >> (bitPos & 7)) & 1) << b;
        out.push(v);
      }
      p = start + ((n * bitWidth) >> 3);
    }
  }
  expect(p).toBe(bytes.length);
  return out.slice(0, count);
}

describe('RLE/bit-packed hybrid', () => {
  it.each([1, 2, 3, 5, 8, 12, 16, 20])('round-trips mixed runs at bit width %i', (bitWidth) => {
    const rnd = prng(bitWidth);
    const max = 2 ** bitWidth - 1;
    const values = new Int32Array(5000);
    let i = 0;
    while (i < values.length) {
      const run = rnd() < 0.3 ? 1 + Math.floor(rnd() * 40) : 1;
      const v = Math.floor(rnd() * (max + 1));
      for (let k = 0; k < run && i < values.length; k++) values[i++] = v;
    }
    const sink = new ByteSink(16);
    rleHybrid(values, 100, 4321, bitWidth, sink);
    expect(decodeHybrid(sink.view(), bitWidth, 4221)).toEqual(Array.from(values.subarray(100, 4321)));
  });

  it('uses a single RLE run for a constant stretch and bit-packs short runs', () => {
    const sink = new ByteSink();
    rleHybrid(new Uint8Array(1000).fill(1), 0, 1000, 1, sink);
    expect(Array.from(sink.view())).toEqual([0xd0, 0x0f, 0x01]); // varint(2000), value 1
    sink.reset();
    rleHybrid(Uint8Array.of(1, 0, 1, 1, 0), 0, 5, 1, sink);
    expect(Array.from(sink.view())).toEqual([0x03, 0b01101]);
  });

  it('prefixes definition levels with their byte length', () => {
    const sink = new ByteSink();
    definitionLevels(new Uint8Array(20).fill(1), 0, 20, sink);
    expect(Array.from(sink.view())).toEqual([2, 0, 0, 0, 40, 1]);
  });

  it('bit width is at least 1 and covers the largest index', () => {
    expect([0, 1, 2, 3, 4, 255, 256, 32767].map(bitWidthOf)).toEqual([1, 1, 2, 2, 3, 8, 9, 15]);
  });
});

describe('PLAIN encodings', () => {
  it('packs booleans LSB first', () => {
    const sink = new ByteSink();
    plainBoolean(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0), 0, 11, sink);
    expect(Array.from(sink.view())).toEqual([0x81, 0x03]);
  });

  it('writes strings as length-prefixed UTF-8, like TextEncoder', () => {
    const samples = ['', 'abc', 'café', '日本', '😀', 'a\ud800b', '\u{10ffff}\u{e000}'];
    const sink = new ByteSink(2);
    for (const s of samples) plainString(s, sink);
    const expected: number[] = [];
    for (const s of samples) {
      const b = new TextEncoder().encode(s);
      expected.push(b.length & 0xff, b.length >> 8, 0, 0, ...b);
      expect(Array.from(utf8Bytes(s))).toEqual(Array.from(b));
    }
    expect(Array.from(sink.view())).toEqual(expected);
  });
});

describe('string statistics order', () => {
  it('compareUtf8 agrees with byte-wise comparison of the UTF-8 encodings', () => {
    const alphabet = ['a', 'Z', 'é', '日', '\u{e000}', '\u{ffff}', '😀', '\u{10ffff}', ''];
    const rnd = prng(11);
    const pick = () => Array.from({ length: Math.floor(rnd() * 4) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const a = pick();
      const b = pick();
      expect(Math.sign(compareUtf8(a, b)), `${a} vs ${b}`).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }
  });

  it('stringMinMax picks by UTF-8 order, where U+E000 sorts before astral characters', () => {
    const mm = stringMinMax(['😀', '\u{e000}', 'b'])!;
    expect(Buffer.from(mm.min).toString()).toBe('b');
    expect(Buffer.from(mm.max).toString()).toBe('😀');
    expect(stringMinMax([])).toBeUndefined();
  });
});

describe('Thrift compact writer', () => {
  it('encodes field deltas, long field ids, zigzag varints and lists', () => {
    const w = new ThriftWriter(1);
    w.structBegin()
      .i32Field(1, -1)
      .i64Field(2, 2 ** 40)
      .boolField(3, true)
      .stringField(20, 'hi')
      .listField(21, CT.I32, 16);
    for (let i = 0; i < 16; i++) w.i32(i);
    w.structField(22).i32Field(1, 5).structEnd().structEnd();
    const bytes = Array.from(w.finish());
    expect(bytes.slice(0, 2)).toEqual([0x15, 0x01]); // field 1 i32, zigzag(-1) = 1
    expect(bytes.slice(2, 9)).toEqual([0x16, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]); // zigzag(2^40) = 2^41
    expect(bytes[9]).toBe(0x11); // field 3 bool true
    expect(bytes.slice(10, 14)).toEqual([0x08, 40, 2, 0x68]); // long form: type, zigzag(20), len, 'h'
    expect(bytes.slice(15, 17)).toEqual([0x19, 0xf5]); // field 21 list, size ≥ 15 → 0xF0 | I32
    expect(bytes[17]).toBe(16); // varint size
    expect(bytes.slice(-5)).toEqual([0x1c, 0x15, 10, 0, 0]); // nested struct, field 1 = 5, two stops
  });

  it('rejects unsafe i64 values', () => {
    expect(() => new ThriftWriter().structBegin().i64Field(1, 2 ** 53)).toThrow(RangeError);
  });
});

describe('codecs', () => {
  const data = new TextEncoder().encode('dwgen '.repeat(1000));

  it.each(COMPRESSIONS)('%s compresses to a fresh buffer', (name) => {
    const c = codecFor(name);
    const out = c.compress(data);
    expect(out.buffer).not.toBe(data.buffer);
    if (name === 'none') expect(out).toEqual(data);
    else expect(out.length).toBeLessThan(data.length / 10);
    if (name === 'gzip') expect(Buffer.compare(gunzipSync(out), data)).toBe(0);
  });

  it('maps names to Parquet codec ids', () => {
    expect(COMPRESSIONS.map((n) => codecFor(n).codec)).toEqual([Codec.SNAPPY, Codec.ZSTD, Codec.GZIP, Codec.UNCOMPRESSED]);
  });
});
