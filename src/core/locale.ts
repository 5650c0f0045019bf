// Word lists for names and addresses, read once from @faker-js/faker's en_US locale
// definitions (en_US over en, as faker merges them) (the version is pinned exactly in package.json: a new faker changes the output).
// Generators pick from these arrays by index with their own seeded streams; faker's template
// methods are not on the hot path (measured 0.028M customer records/s against 0.7M/s here).
import { faker } from '@faker-js/faker/locale/en_US';

// Only the en_US module: importing the package root loads every locale (3× slower start-up).
const en = faker.rawDefinitions;

function need<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`@faker-js/faker locale data has no ${what}: is the pinned version installed?`);
  return value;
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];

export const FIRST_NAMES: readonly string[] = unique([
  ...need(en.person?.first_name?.female, 'person.first_name.female'),
  ...need(en.person?.first_name?.male, 'person.first_name.male'),
]);
export const LAST_NAMES: readonly string[] = unique(need(en.person?.last_name?.generic, 'person.last_name.generic'));
export const CITY_NAMES: readonly string[] = need(en.location?.city_name, 'location.city_name');
export const STREET_SUFFIXES: readonly string[] = need(en.location?.street_suffix, 'location.street_suffix');
export const STATE_ABBRS: readonly string[] = need(en.location?.state_abbr, 'location.state_abbr');
export const EMAIL_DOMAINS: readonly string[] = need(en.internet?.free_email, 'internet.free_email');
export const PRODUCT_ADJECTIVES: readonly string[] = need(en.commerce?.product_name?.adjective, 'commerce.product_name.adjective');
export const PRODUCT_MATERIALS: readonly string[] = need(en.commerce?.product_name?.material, 'commerce.product_name.material');
export const PRODUCT_NOUNS: readonly string[] = need(en.commerce?.product_name?.product, 'commerce.product_name.product');

/** ZIP code ranges per state, from en_US's postcode_by_state templates ({{number.int({min, max})}}). */
export const ZIP_RANGES: ReadonlyMap<string, readonly (readonly [number, number])[]> = (() => {
  const byState = need(en.location?.postcode_by_state as Record<string, string | string[]> | undefined, 'location.postcode_by_state');
  const ranges = new Map<string, [number, number][]>();
  for (const state of STATE_ABBRS) {
    const templates = byState[state];
    const list = (Array.isArray(templates) ? templates : [templates ?? '']).map((t) => {
      const m = /"min":\s*(\d+),\s*"max":\s*(\d+)/.exec(t);
      if (!m) throw new Error(`@faker-js/faker postcode_by_state.${state} has an unexpected form: ${t}`);
      return [Number(m[1]), Number(m[2])] as [number, number];
    });
    ranges.set(state, list);
  }
  return ranges;
})();

/** Product taxonomy: every sub-category belongs to exactly one category. */
export const CATEGORIES: readonly { readonly name: string; readonly subCategories: readonly string[] }[] = [
  { name: 'Electronics', subCategories: ['Televisions', 'Audio', 'Cameras', 'Phones', 'Computer Accessories'] },
  { name: 'Home', subCategories: ['Furniture', 'Kitchen', 'Bedding', 'Decor', 'Lighting'] },
  { name: 'Clothing', subCategories: ['Men', 'Women', 'Kids', 'Outerwear', 'Activewear'] },
  { name: 'Shoes', subCategories: ['Running', 'Casual', 'Boots', 'Sandals'] },
  { name: 'Sports', subCategories: ['Fitness', 'Cycling', 'Camping', 'Team Sports'] },
  { name: 'Beauty', subCategories: ['Skincare', 'Makeup', 'Fragrance', 'Hair Care'] },
  { name: 'Grocery', subCategories: ['Snacks', 'Beverages', 'Pantry', 'Frozen'] },
  { name: 'Toys', subCategories: ['Building Sets', 'Dolls', 'Puzzles', 'Outdoor Play'] },
  { name: 'Books', subCategories: ['Fiction', 'Non-Fiction', 'Children', 'Comics'] },
  { name: 'Garden', subCategories: ['Plants', 'Tools', 'Outdoor Furniture', 'Grills'] },
];

export const STORE_KINDS: readonly string[] = ['Market', 'Outlet', 'Superstore', 'Plaza', 'Center', 'Express'];
export const BRAND_SUFFIXES: readonly string[] = ['Brands', 'Goods', 'Works', 'Supply', 'Labs', 'Co.'];
export const PROMOTION_KINDS: readonly string[] = ['Sale', 'Savings Event', 'Clearance', 'Flash Deal', 'Weekend Special', 'Rewards Bonus'];
