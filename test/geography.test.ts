// The reference geography: the compact copy `npm run build` writes (dist/core/geography.bin) holds
// exactly the tables built from the pinned packages, and the tables are consistent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GEO_STATES, decodeGeography, referenceGeography } from '../src/core/geography.js';
import { ROOT } from './helpers/dwgen.js';

describe('reference geography', () => {
  const fresh = referenceGeography(); // from src/: built from the packages (no cache beside the module)

  it('dist/core/geography.bin decodes to exactly the tables built from the packages', () => {
    const cached = decodeGeography(readFileSync(join(ROOT, 'dist/core/geography.bin')));
    expect(cached).not.toBeNull();
    for (const [k, v] of Object.entries(fresh)) expect(Array.from(cached![k as keyof typeof fresh] as ArrayLike<number>), k).toEqual(Array.from(v as ArrayLike<number>));
  });

  it('every ZIP is a 5-digit code of one city in one of the 50 states and DC; every state has area codes', () => {
    expect(fresh.geoZipCode.length).toBeGreaterThan(40_000);
    expect(new Set(fresh.geoZipCode).size).toBe(fresh.geoZipCode.length);
    for (let z = 0; z < fresh.geoZipCode.length; z++) {
      expect(fresh.geoZipCode[z]).toBeLessThan(100_000);
      expect(fresh.geoZipWeight[z]).toBeGreaterThan(0);
    }
    const beverlyHills = fresh.geoZipCode.indexOf(90210);
    const city = fresh.geoZipCity[beverlyHills]!;
    expect(new TextDecoder().decode(fresh.geoCityNameBytes.slice(fresh.geoCityNameOffsets[city], fresh.geoCityNameOffsets[city + 1]))).toBe('Beverly Hills');
    expect(GEO_STATES[fresh.geoCityState[city]!]).toBe('CA');
    for (let s = 0; s < GEO_STATES.length; s++) expect(fresh.geoAreaOffsets[s + 1]! - fresh.geoAreaOffsets[s]!, GEO_STATES[s]).toBeGreaterThan(0);
  });
});
