// Randomness has one home: every stream of dwgen is a pure-rand xoroshiro128+ generator whose
// 128-bit state is derived by hashing (seed, stream name, partition index). Nothing else draws.
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export type Stream = RandomGenerator;

const TWO_POW_32 = 4294967296;

/** murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** FNV-1a over the UTF-16 code units of a stream name. */
function hashName(name: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * The stream of (seed, name, index): four state words, each a hash chain over all inputs with
 * its own lane constant, so neighbouring partitions (index, index + 1) share no structure —
 * unlike seeding with `seed + index`, whose first xoroshiro outputs share most of their bits.
 * The seed may be any safe integer (both 32-bit halves enter the hash).
 *
 * @example deriveStream(42, 'orders', 0).next() // always the same value for these inputs
 */
export function deriveStream(seed: number, name: string, index: number): Stream {
  const seedLo = seed >>> 0;
  const seedHi = Math.floor(seed / TWO_POW_32) >>> 0;
  const nameHash = hashName(name);
  const state = [0, 0, 0, 0];
  for (let lane = 0; lane < 4; lane++) {
    let h = fmix32(Math.imul(lane + 1, 0x9e3779b9) ^ seedLo);
    h = fmix32(h ^ Math.imul(seedHi + 0x632be5ab, 0x27d4eb2f));
    h = fmix32(h ^ nameHash);
    h = fmix32(h ^ Math.imul(index + 0x165667b1, 0x61c88647));
    h = fmix32(h + lane);
    state[lane] = h;
  }
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[3] = 1; // all-zero state is a fixed point
  return xoroshiro128plusFromState(state);
}

/**
 * The base of a keyed hash (keyHash) for (seed, name): values that are pure functions of a row key
 * — a customer's loyalty tier and ZIP code, needed both where customers are written and where
 * their orders are drawn — come from keyHash(base, key), never from a stream.
 */
export function hashBase(seed: number, name: string): number {
  let h = fmix32(0x2545f491 ^ (seed >>> 0));
  h = fmix32(h ^ Math.imul((Math.floor(seed / TWO_POW_32) >>> 0) + 0x632be5ab, 0x27d4eb2f));
  return fmix32(h ^ hashName(name));
}

/**
 * A uniform 32-bit value that is a pure function of (base, key), as a signed int32 (a small integer
 * for V8, never a heap number): pickWith and the callers take its unsigned value (>>> 0) where they use it.
 */
export function keyHash(base: number, key: number): number {
  return fmix32(fmix32(base ^ Math.imul(key, 0x9e3779b1)) + key);
}

/**
 * A draw in [0, n) for n ≤ 2^21: the top bits of one 32-bit output scaled by n (exact in a double;
 * the bias is below n / 2^32, under 5e-4 even for n = 2^21). Hot-path replacement for uniformInt.
 */
export function below(stream: Stream, n: number): number {
  return Math.floor((stream.next() >>> 0) * n / TWO_POW_32);
}

/** A draw in [0, 1) with 32 bits of resolution. */
export function unit(stream: Stream): number {
  return (stream.next() >>> 0) / TWO_POW_32;
}

/** An integer in [min, max] (inclusive), for ranges of up to 2^21 values. */
export function between(stream: Stream, min: number, max: number): number {
  return min + below(stream, max - min + 1);
}

/**
 * Walker/Vose alias table: picks index i with probability weight[i] / Σ weight in O(1) with one
 * draw. Built with plain IEEE-754 arithmetic in a fixed order, so it is the same on every machine.
 * Each bucket is two adjacent doubles in `entries` — [2i] the 32-bit acceptance threshold,
 * [2i + 1] the alias — so a pick touches one cache line even in a million-entry table.
 */
export class AliasTable {
  readonly size: number;
  readonly entries: Float64Array;

  constructor(entries: Float64Array) {
    this.size = entries.length / 2;
    this.entries = entries;
  }

  /** Builds the table of `weights`, into `entries` (length 2 × weights.length) when given. */
  static build(weights: ArrayLike<number>, entries?: Float64Array): AliasTable {
    const n = weights.length;
    if (n === 0) throw new Error('AliasTable needs at least one weight');
    const table = entries ?? new Float64Array(2 * n);
    if (table.length !== 2 * n) throw new Error(`AliasTable entries must hold ${2 * n} values, got ${table.length}`);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`AliasTable weight ${i} is not a finite non-negative number`);
      total += w;
    }
    if (!(total > 0)) throw new Error('AliasTable weights sum to zero');
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    const set = (i: number, probability: number, alias: number): void => {
      table[2 * i] = Math.min(TWO_POW_32, Math.floor(probability * TWO_POW_32));
      table[2 * i + 1] = alias;
    };
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[--nl];
      set(s, scaled[s], l);
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    while (nl > 0) {
      const l = large[--nl];
      set(l, 1, l);
    }
    while (ns > 0) {
      const s = small[--ns];
      set(s, 1, s);
    }
    return new AliasTable(table);
  }

  /**
   * An index in [0, size) drawn with the table's weights, from ONE 32-bit draw: x × size splits
   * into the bucket (its integer part over 2^32) and a remainder that is uniform over 2^32 / size
   * levels (over 4,000 levels for tables of up to 2^20 entries), compared with the threshold.
   */
  pick(stream: Stream): number {
    const scaled = (stream.next() >>> 0) * this.size; // < 2^52: exact
    const bucket = Math.floor(scaled / TWO_POW_32);
    const e = this.entries;
    return scaled - bucket * TWO_POW_32 < e[2 * bucket] ? bucket : e[2 * bucket + 1];
  }

  /** The pick of a given uniform 32-bit value h (a keyHash, signed or not): as pick, with h for the draw. */
  pickWith(h: number): number {
    const scaled = (h >>> 0) * this.size;
    const bucket = Math.floor(scaled / TWO_POW_32);
    const e = this.entries;
    return scaled - bucket * TWO_POW_32 < e[2 * bucket] ? bucket : e[2 * bucket + 1];
  }
}

/**
 * Zipf popularity over a large key space without a per-key table. Ranks are grouped into
 * buckets that widen with the rank ([r, r + max(1, ⌊r / RANK_BUCKET_RESOLUTION⌋)), so within a
 * bucket the Zipf weight varies by under (1 + 1/256)^skew, < 0.4 % at skew 1); a small alias
 * table picks the bucket by its exact summed weight and a uniform draw picks the rank inside it.
 * A fixed affine scatter then maps ranks to keys, so popular keys are spread over the key range.
 * A 1M-key table is ~3,000 buckets (48 KB): it stays in cache, where a per-key alias table
 * (16 MB) costs a cache miss per draw.
 */
export class ZipfKeySampler {
  readonly keys: number;
  readonly buckets: AliasTable;
  /** First rank of each bucket, plus the end (keys). */
  readonly bucketStart: Float64Array;
  readonly step: number;

  constructor(keys: number, bucketAlias: Float64Array, bucketStart: Float64Array) {
    this.keys = keys;
    this.buckets = new AliasTable(bucketAlias);
    this.bucketStart = bucketStart;
    this.step = scatterStep(keys);
  }

  /** Bucket starts and bucket weights of `keys` ranks at this skew (0 = uniform). */
  static plan(keys: number, skew: number): { bucketStart: Float64Array; weights: Float64Array } {
    const starts: number[] = [];
    const weights: number[] = [];
    for (let r = 0; r < keys; ) {
      const width = Math.min(keys - r, Math.max(1, Math.floor(r / RANK_BUCKET_RESOLUTION)));
      let w = 0;
      for (let k = r; k < r + width; k++) w += skew === 0 ? 1 : Math.pow(k + 1, -skew);
      starts.push(r);
      weights.push(w);
      r += width;
    }
    starts.push(keys);
    return { bucketStart: Float64Array.from(starts), weights: Float64Array.from(weights) };
  }

  /** A key in [1, keys]. */
  pick(stream: Stream): number {
    return modExact(this.pickRank(stream) * this.step, this.keys) + 1; // rank × step < 2^51: step < 2^20 (see scatterStep)
  }

  /** A popularity rank in [0, keys), 0 the most popular (the draw of pick, before the scatter). */
  pickRank(stream: Stream): number {
    const b = this.buckets.pick(stream);
    const start = this.bucketStart[b];
    return start + below(stream, this.bucketStart[b + 1] - start);
  }
}

/** Bucket width is rank / RANK_BUCKET_RESOLUTION: larger is closer to exact Zipf, and a larger table. */
export const RANK_BUCKET_RESOLUTION = 256;

/**
 * A multiplier coprime with n for the rank → key scatter: near n × 0.618 (the golden ratio spreads
 * neighbouring ranks far apart), capped below 2^20 so rank × step stays an exact double.
 */
export function scatterStep(n: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = Math.max(1, Math.min(Math.floor(n * 0.6180339887498949), (1 << 20) - 1));
  while (gcd(step, n) !== 1) step--;
  return step;
}

/**
 * x mod n, exactly, for integers 0 ≤ x < 2^52 and 0 < n ≤ 2^31, without `%` on doubles (V8 calls
 * fmod for it, the largest cost of an order's customer pick): x / n is rounded, so its floor may
 * be one off, and the remainder is corrected by n at most once.
 */
export function modExact(x: number, n: number): number {
  const r = x - Math.floor(x / n) * n; // q × n ≤ x + n < 2^53: exact
  return r < 0 ? r + n : r >= n ? r - n : r;
}

/** (a × b) mod n, exactly, for integers 0 ≤ a, b < n ≤ 2^31 (a × b itself may exceed 2^53). */
export function mulMod(a: number, b: number, n: number): number {
  const high = modExact(a * Math.floor(b / 65536), n); // < 2^31 × 2^15: exact
  return modExact(high * 65536 + a * (b & 0xffff), n); // < 2^47 + 2^47: exact (b < 2^31, so & is exact)
}

/** The inverse of a modulo n (a coprime with n, n ≤ 2^31): the x in [0, n) with a × x ≡ 1 (mod n). */
export function modInverse(a: number, n: number): number {
  if (n === 1) return 0;
  let [r0, r1] = [n, a % n];
  let [t0, t1] = [0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1) throw new Error(`${a} has no inverse modulo ${n}`);
  return t0 < 0 ? t0 + n : t0;
}
