// ASCII digits of integers written straight into a byte buffer: the CSV encoder's numbers and the
// text the generators build from bytes (customer e-mails, phones, addresses) share them. No I/O.

/** "00".."99" as ASCII pairs. */
export const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[i * 2] = 48 + Math.floor(i / 10);
  DIGIT_PAIRS[i * 2 + 1] = 48 + (i % 10);
}

/** "0000".."9999" as ASCII quadruples. */
const DIGIT_QUADS = new Uint8Array(40000);
for (let i = 0; i < 10000; i++) {
  DIGIT_QUADS[i * 4] = 48 + Math.floor(i / 1000);
  DIGIT_QUADS[i * 4 + 1] = 48 + (Math.floor(i / 100) % 10);
  DIGIT_QUADS[i * 4 + 2] = 48 + (Math.floor(i / 10) % 10);
  DIGIT_QUADS[i * 4 + 3] = 48 + (i % 10);
}

/** Writes 0 ≤ v < 10000 without leading zeros. */
function writeUpTo4(buf: Uint8Array, pos: number, v: number): number {
  if (v < 100) {
    if (v < 10) {
      buf[pos] = 48 + v;
      return pos + 1;
    }
    const j = v << 1;
    buf[pos] = DIGIT_PAIRS[j];
    buf[pos + 1] = DIGIT_PAIRS[j + 1];
    return pos + 2;
  }
  const j = v << 2;
  if (v < 1000) {
    buf[pos] = DIGIT_QUADS[j + 1];
    buf[pos + 1] = DIGIT_QUADS[j + 2];
    buf[pos + 2] = DIGIT_QUADS[j + 3];
    return pos + 3;
  }
  write4(buf, pos, v);
  return pos + 4;
}

/** Writes exactly four digits of 0 ≤ v < 10000 (leading zeros kept). */
function write4(buf: Uint8Array, pos: number, v: number): void {
  const j = v << 2;
  buf[pos] = DIGIT_QUADS[j];
  buf[pos + 1] = DIGIT_QUADS[j + 1];
  buf[pos + 2] = DIGIT_QUADS[j + 2];
  buf[pos + 3] = DIGIT_QUADS[j + 3];
}

/**
 * Writes 0 ≤ v < 2^31 (a small integer: V8 keeps every step in int32 arithmetic) in groups of
 * four digits from a table, at most two divisions.
 */
export function writeSmallUint(buf: Uint8Array, pos: number, v: number): number {
  if (v < 10000) return writeUpTo4(buf, pos, v);
  if (v < 100000000) {
    const high = (v / 10000) | 0;
    pos = writeUpTo4(buf, pos, high);
    write4(buf, pos, v - high * 10000);
    return pos + 4;
  }
  const high = (v / 100000000) | 0; // 1..21
  const rest = v - high * 100000000;
  const middle = (rest / 10000) | 0;
  pos = writeUpTo4(buf, pos, high);
  write4(buf, pos, middle);
  write4(buf, pos + 4, rest - middle * 10000);
  return pos + 8;
}

/** Writes a non-negative safe integer; returns the position after it. */
export function writeUint(buf: Uint8Array, pos: number, value: number): number {
  if (value < 2147483648) return writeSmallUint(buf, pos, value | 0);
  // Beyond int32 (keys at very large scale): eight-digit groups, from the right.
  const high = Math.floor(value / 100000000);
  const low = value - high * 100000000;
  pos = writeUint(buf, pos, high);
  const upper = (low / 10000) | 0;
  write4(buf, pos, upper);
  write4(buf, pos + 4, low - upper * 10000);
  return pos + 8;
}

/** Writes a non-negative safe integer with at least `width` digits (leading zeros). */
export function writeUintPadded(buf: Uint8Array, pos: number, value: number, width: number): number {
  const end = writeUint(buf, pos, value);
  const n = end - pos;
  if (n >= width) return end;
  const shift = width - n;
  buf.copyWithin(pos + shift, pos, end);
  buf.fill(48, pos, pos + shift);
  return end + shift;
}
