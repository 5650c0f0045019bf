// The reference geography: the compact copy `npm run build` writes (dist/core/geography.bin) holds
// exactly the tables built from the pinned packages, the tables are consistent, and the ZIP weights
// add up to each state's 2020 Census population with no ZIP out of scale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_POPULATION_2020 } from '../src/core/censusPopulation.js';
import { GEO_STATES, MAX_ZIP_POPULATION, decodeGeography, referenceGeography } from '../src/core/geography.js';
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

  it('the ZIP weights of each state add up to its 2020 Census population (331,449,281 in all)', () => {
    expect(Object.values(STATE_POPULATION_2020).reduce((a, b) => a + b, 0)).toBe(331_449_281);
    expect(Object.keys(STATE_POPULATION_2020).sort()).toEqual([...GEO_STATES].sort());
    const byState = new Float64Array(GEO_STATES.length);
    for (let z = 0; z < fresh.geoZipCode.length; z++) byState[fresh.geoCityState[fresh.geoZipCity[z]!]!] += fresh.geoZipWeight[z]!;
    GEO_STATES.forEach((st, s) => expect(Math.abs(byState[s]! / STATE_POPULATION_2020[st]! - 1), st).toBeLessThan(1e-9));
  });

  it('no ZIP outweighs the most populous real ZIP areas (130,000 people); small places stay small; Manhattan\'s people are on its "New York" ZIPs, not on 10048', () => {
    let max = 0;
    for (const w of fresh.geoZipWeight) max = Math.max(max, w);
    expect(max).toBeLessThanOrEqual(MAX_ZIP_POPULATION);
    expect(MAX_ZIP_POPULATION).toBe(130_000);
    const sorted = Float64Array.from(fresh.geoZipWeight).sort();
    expect(sorted[sorted.length >> 1]).toBeGreaterThan(1_000); // the median ZIP: a few thousand people (2020 Census ZCTAs: about 2,800)
    expect(sorted[sorted.length >> 1]).toBeLessThan(6_000);
    const weightOf = (zip: number): number => fresh.geoZipWeight[fresh.geoZipCode.indexOf(zip)]!;
    expect(weightOf(10048)).toBeLessThan(20_000); // the former World Trade Center ZIP: it held all 1.5 M of GeoNames' Manhattan
    expect(weightOf(10001)).toBeCloseTo(weightOf(10048), 6); // one place, split evenly over its ZIPs
    expect(weightOf(11201)).toBeGreaterThan(10_000); // Brooklyn keeps its own population
  });
});
