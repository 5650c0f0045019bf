// Loyalty tiers as blocks of popularity ranks (customerTraits.ts): exact shares, a bijection
// between (tier, rank) and customer keys, and orders drawn tier first in proportion to
// customers × order factor, with each tier's customers by Zipf popularity.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, validateConfig, type Config } from '../src/config/config.js';
import { LoyaltyTiers, loyaltyTierSizes } from '../src/core/customerTraits.js';
import { buildDimensionModel, factContextOf } from '../src/core/model.js';
import { deriveStream } from '../src/core/random.js';

const configWith = (patch: (c: Config) => void): Config => {
  const c = structuredClone(DEFAULT_CONFIG);
  patch(c);
  return validateConfig(c);
};

describe('loyaltyTierSizes', () => {
  it('splits the customers by loyalty_weights, exact to one customer (largest remainder)', () => {
    expect(loyaltyTierSizes(DEFAULT_CONFIG, 10_000)).toEqual([6000, 2500, 1100, 400]);
    expect(loyaltyTierSizes(DEFAULT_CONFIG, 7)).toEqual([4, 2, 1, 0]); // 4.2, 1.75, 0.77, 0.28
    for (const n of [1, 2, 3, 99, 1001, 123_457]) expect(loyaltyTierSizes(DEFAULT_CONFIG, n).reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('leaves someone who orders when rounding would leave only tiers with order factor 0', () => {
    const c = configWith((x) => {
      x.customers.loyalty_weights = { Bronze: 90, Silver: 0, Gold: 0, Platinum: 10 };
      x.customers.loyalty_order_factors = { Bronze: 0, Silver: 1, Gold: 1, Platinum: 1 };
    });
    expect(loyaltyTierSizes(c, 1)).toEqual([0, 0, 0, 1]);
    expect(loyaltyTierSizes(c, 100)).toEqual([90, 0, 0, 10]);
  });
});

describe('LoyaltyTiers', () => {
  it('maps (tier, rank) to every key exactly once, and back', () => {
    for (const n of [1, 7, 1000, 30_011]) {
      const tiers = new LoyaltyTiers(DEFAULT_CONFIG, n);
      const sizes = loyaltyTierSizes(DEFAULT_CONFIG, n);
      const seen = new Uint8Array(n + 1);
      sizes.forEach((size, t) => {
        for (let r = 0; r < size; r++) {
          const key = tiers.keyOf(t, r);
          expect(key >= 1 && key <= n).toBe(true);
          expect(seen[key]).toBe(0);
          seen[key] = 1;
          expect(tiers.tierOf(key)).toBe(t);
        }
      });
      expect(seen.reduce((a, b) => a + b, 0)).toBe(n);
    }
  });

  it('spreads each tier over the key range (no tier is a run of neighbouring keys)', () => {
    const tiers = new LoyaltyTiers(DEFAULT_CONFIG, 100_000);
    for (let from = 1; from <= 100_000; from += 10_000) {
      const counts = [0, 0, 0, 0];
      for (let k = from; k < from + 10_000; k++) counts[tiers.tierOf(k)]++;
      expect(counts.map((c) => Math.round(c / 100))).toEqual([60, 25, 11, 4]);
    }
  });
});

describe('orders drawn tier first', () => {
  const config = configWith((c) => (c.scale_factor = 1));
  const ctx = factContextOf(config, buildDimensionModel(config));
  const sizes = loyaltyTierSizes(config, ctx.plan.customers);
  const factors = [1, 1.4, 1.9, 2.5];

  it('give each tier orders in proportion to its customers × order factor, and keys of that tier', () => {
    const s = deriveStream(3, 'tier-test', 0);
    const draws = 400_000;
    const counts = [0, 0, 0, 0];
    const perKey = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const t = ctx.orderTiers.pick(s);
      const key = ctx.traits.tiers.keyOf(t, ctx.tierCustomers[t].pickRank(s));
      expect(ctx.traits.tier(key)).toBe(t);
      counts[t]++;
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    const total = sizes.reduce((a, n, t) => a + n * factors[t], 0);
    counts.forEach((c, t) => {
      const p = (sizes[t] * factors[t]) / total;
      expect(Math.abs(c / draws - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / draws));
    });
    // orders per customer: Platinum ÷ Bronze = their factors' ratio
    const perCustomer = counts.map((c, t) => c / sizes[t]);
    expect(perCustomer[3] / perCustomer[0]).toBeGreaterThan(2.4);
    expect(perCustomer[3] / perCustomer[0]).toBeLessThan(2.6);
    // popularity inside a tier: its rank 0 customer orders far more than its median one
    const top = perKey.get(ctx.traits.tiers.keyOf(0, 0)) ?? 0;
    const median = perKey.get(ctx.traits.tiers.keyOf(0, sizes[0] >> 1)) ?? 0;
    expect(top).toBeGreaterThan(20 * Math.max(1, median));
  });
});
