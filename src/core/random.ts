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
 * Walker/Vose alias table: picks index i with probability weight[i] / Σ weight in O(1) with two
 * draws. Built with plain IEEE-754 arithmetic in a fixed order, so it is the same on every machine.
 */
export class AliasTable {
  readonly size: number;
  readonly probability: Float64Array;
  readonly alias: Int32Array;

  constructor(probability: Float64Array, alias: Int32Array) {
    this.size = probability.length;
    this.probability = probability;
    this.alias = alias;
  }

  static build(weights: ArrayLike<number>, probability?: Float64Array, alias?: Int32Array): AliasTable {
    const n = weights.length;
    if (n === 0) throw new Error('AliasTable needs at least one weight');
    const prob = probability ?? new Float64Array(n);
    const al = alias ?? new Int32Array(n);
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
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[--nl];
      prob[s] = scaled[s];
      al[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    while (nl > 0) {
      const l = large[--nl];
      prob[l] = 1;
      al[l] = l;
    }
    while (ns > 0) {
      const s = small[--ns];
      prob[s] = 1;
      al[s] = s;
    }
    return new AliasTable(prob, al);
  }

  /** An index in [0, size) drawn with the table's weights. */
  pick(stream: Stream): number {
    const column = below(stream, this.size);
    return unit(stream) < this.probability[column] ? column : this.alias[column];
  }
}
