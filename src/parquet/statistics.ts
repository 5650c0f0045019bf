// Column-chunk statistics: plain-encoded min/max bytes per physical type and the UTF-8 byte order
// that Parquet uses for strings (which differs from JavaScript's UTF-16 order only past U+D7FF).
import { utf8Bytes } from './encodings.js';
import { PhysicalType } from './metadata.js';

const TWO_32 = 4294967296;

/** Plain (unprefixed) bytes of a numeric statistic value for INT32, INT64 or BOOLEAN. */
export function numericStatBytes(type: PhysicalType, v: number): Uint8Array {
  switch (type) {
    case PhysicalType.INT32: {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v, true);
      return b;
    }
    case PhysicalType.INT64: {
      const b = new Uint8Array(8);
      const dv = new DataView(b.buffer);
      const hi = Math.floor(v / TWO_32);
      dv.setUint32(0, v - hi * TWO_32, true);
      dv.setInt32(4, hi, true);
      return b;
    }
    case PhysicalType.BOOLEAN:
      return Uint8Array.of(v === 0 ? 0 : 1);
    default:
      throw new Error(`numericStatBytes: unsupported physical type ${type}`);
  }
}

/** Maps a UTF-16 code unit so that unit order equals UTF-8 byte order (surrogates sort last). */
function fixup(c: number): number {
  return c >= 0xd800 ? (c >= 0xe000 ? c - 0x800 : c + 0x2000) : c;
}

/** Compares two strings in the order of their UTF-8 bytes (Parquet's unsigned BYTE_ARRAY order). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return fixup(ca) - fixup(cb);
  }
  return a.length - b.length;
}

/** Min and max of `values` in UTF-8 byte order, as UTF-8 bytes; undefined when empty. */
export function stringMinMax(values: readonly string[]): { min: Uint8Array; max: Uint8Array } | undefined {
  if (values.length === 0) return undefined;
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < values.length; i++) {
    const s = values[i]!;
    if (compareUtf8(s, min) < 0) min = s;
    else if (compareUtf8(s, max) > 0) max = s;
  }
  return { min: utf8Bytes(min), max: utf8Bytes(max) };
}
