// Unit tests of the random streams, the alias tables and the Zipf key sampler.
import { describe, expect, it } from 'vitest';
import { AliasTable, ZipfKeySampler, below, deriveStream, modExact, modInverse, mulMod, scatterStep } from '../src/core/random.js';

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
};

describe('deriveStream', () => {
  it('is a pure function of (seed, name, index)', () => {
    const a = deriveStream(42, 'orders', 3);
    const b = deriveStream(42, 'orders', 3);
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
  });

  it('pins the first outputs (a change here changes every dataset)', () => {
    const s = deriveStream(42, 'orders', 0);
    expect([s.next(), s.next(), s.next()]).toEqual(FIRST_OUTPUTS);
  });

  it('neighbouring partitions, seeds and names give unrelated first outputs (~50 % of bits differ)', () => {
    for (const [make, label] of [
      [(i: number) => deriveStream(42, 'orders', i), 'partition'],
      [(i: number) => deriveStream(i, 'orders', 0), 'seed'],
      [(i: number) => deriveStream(42, `t${i}`, 0), 'name'],
    ] as const) {
      let differing = 0;
      const n = 200;
      for (let i = 0; i < n; i++) differing += popcount(make(i).next() ^ make(i + 1).next());
      const share = differing / (n * 32);
      expect(share, label).toBeGreaterThan(0.45);
      expect(share, label).toBeLessThan(0.55);
    }
  });

  it('takes seeds beyond 32 bits into account', () => {
    expect(deriveStream(2 ** 32 + 5, 'x', 0).next()).not.toBe(deriveStream(5, 'x', 0).next());
  });
});

describe('below', () => {
  it('stays in [0, n) and reaches both ends', () => {
    const s = deriveStream(1, 'below', 0);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const v = below(s, 7);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(7);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('AliasTable', () => {
  it('draws each index with its weight (within 4 standard deviations over 400k draws)', () => {
    const weights = [1, 0, 3, 6, 10, 0.5];
    const total = weights.reduce((a, b) => a + b, 0);
    const t = AliasTable.build(weights);
    const s = deriveStream(3, 'alias', 0);
    const counts = new Array(weights.length).fill(0);
    const n = 400_000;
    for (let i = 0; i < n; i++) counts[t.pick(s)]++;
    weights.forEach((w, i) => {
      const p = w / total;
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(counts[i] - n * p), `index ${i}`).toBeLessThanOrEqual(4 * sd + 1e-9);
    });
    expect(counts[1]).toBe(0);
  });

  it('refuses empty, negative and all-zero weights', () => {
    expect(() => AliasTable.build([])).toThrow(/at least one weight/);
    expect(() => AliasTable.build([1, -1])).toThrow(/weight 1/);
    expect(() => AliasTable.build([0, 0])).toThrow(/sum to zero/);
  });
});

describe('ZipfKeySampler', () => {
  it('draws keys in 1..N, the top-ranked keys most often, scattered over the key range', () => {
    const n = 100_000;
    const { bucketStart, weights } = ZipfKeySampler.plan(n, 1);
    expect(bucketStart[0]).toBe(0);
    expect(bucketStart[bucketStart.length - 1]).toBe(n);
    expect(weights.length).toBeLessThan(3000);
    const sampler = new ZipfKeySampler(n, AliasTable.build(weights).entries, bucketStart);
    const s = deriveStream(5, 'zipf', 0);
    const counts = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) {
      const k = sampler.pick(s);
      expect(k).toBeGreaterThanOrEqual(1);
      expect(k).toBeLessThanOrEqual(n);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const top = [...counts].sort((a, b) => b[1] - a[1]);
    // rank 0 is key 1 + 0, rank 1 is key 1 + step: the two most frequent keys
    const step = scatterStep(n);
    expect(top[0][0]).toBe(1);
    expect(top[1][0]).toBe(1 + step);
    // Zipf with skew 1 over 1e5 keys: rank 0 has 1/H(1e5) ≈ 8.3 % of the draws
    expect(top[0][1] / 200_000).toBeGreaterThan(0.075);
    expect(top[0][1] / 200_000).toBeLessThan(0.091);
  });

  it('with skew 0 is uniform', () => {
    const { weights } = ZipfKeySampler.plan(1000, 0);
    const first = weights[0] / 1;
    for (let i = 0; i < weights.length; i++) expect(weights[i]).toBeGreaterThan(0);
    expect(first).toBe(1);
  });

  it('scatterStep is coprime with n, so the rank → key map is a bijection', () => {
    for (const n of [1, 2, 10, 97, 1000, 123_456, 10_000_000]) {
      const step = scatterStep(n);
      expect(step).toBeLessThan(2 ** 20);
      const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
      expect(gcd(step, n)).toBe(1);
    }
    const n = 1000;
    const keys = new Set(Array.from({ length: n }, (_, r) => (r * scatterStep(n)) % n));
    expect(keys.size).toBe(n);
  });
});

const FIRST_OUTPUTS: number[] = [142409983, -1714371299, -1508122349];

describe('modExact, mulMod and modInverse', () => {
  it('modExact equals the remainder for x < 2^52, where x / n rounds to an integer or just past one', () => {
    const s = deriveStream(7, 'modExact-test', 0);
    const check = (x: number, n: number): void => expect(modExact(x, n), `${x} mod ${n}`).toBe(Number(BigInt(x) % BigInt(n)));
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + below(s, 2 ** 21) * (1 + below(s, 1024)); // up to 2^31
      const x = below(s, 2 ** 21) * 2 ** 31 + below(s, 2 ** 21) * 1024 + below(s, 1024); // up to 2^52
      check(x, n);
    }
    for (const n of [1, 2, 3, 7, 1_000_003, 2_147_483_647, 2 ** 31]) {
      for (const q of [0, 1, 2, 2 ** 20 - 1, 2 ** 20, Math.floor((2 ** 52 - 1) / n)]) for (const d of [-1, 0, 1]) if (q * n + d >= 0 && q * n + d < 2 ** 52) check(q * n + d, n);
    }
  });

  it('multiply exactly modulo n where a × b exceeds 2^53', () => {
    const n = 2_147_483_647;
    const a = 2_147_483_000;
    const b = 1_999_999_999;
    expect(mulMod(a, b, n)).toBe(Number((BigInt(a) * BigInt(b)) % BigInt(n)));
    for (const [x, y, m] of [[0, 5, 7], [6, 6, 7], [123_456_789, 987_654_321, 1_000_000_007]]) {
      expect(mulMod(x, y, m)).toBe(Number((BigInt(x) * BigInt(y)) % BigInt(m)));
    }
  });

  it('invert the rank → key scatter step of any key count', () => {
    for (const n of [1, 2, 3, 10, 97, 1000, 123_456, 10_000_000, 1_000_000_000]) {
      const step = scatterStep(n);
      const inverse = modInverse(step, n);
      expect(inverse).toBeGreaterThanOrEqual(0);
      expect(inverse).toBeLessThan(n);
      expect(mulMod(step, inverse, n)).toBe(n === 1 ? 0 : 1);
    }
    expect(() => modInverse(4, 10)).toThrow(/4 has no inverse modulo 10/);
  });
});

describe('ZipfKeySampler.pickRank', () => {
  it('is the rank pick scatters into a key (same draws)', () => {
    const n = 5000;
    const { bucketStart, weights } = ZipfKeySampler.plan(n, 0.8);
    const sampler = new ZipfKeySampler(n, AliasTable.build(weights).entries, bucketStart);
    const a = deriveStream(9, 'rank', 0);
    const b = deriveStream(9, 'rank', 0);
    const step = scatterStep(n);
    for (let i = 0; i < 1000; i++) expect(sampler.pick(a)).toBe(((sampler.pickRank(b) * step) % n) + 1);
  });
});
