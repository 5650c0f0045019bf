// Word lists for names and addresses, read once from @faker-js/faker's en_US locale
// definitions (en_US over en, as faker merges them) (the version is pinned exactly in package.json: a new faker changes the output).
// Generators pick from these arrays by index with their own seeded streams; faker's template
// methods are not on the hot path (measured 0.028M customer records/s against 0.7M/s here).
import { faker } from '@faker-js/faker/locale/en_US';
import { CATEGORY_NAMES } from './tables.js';

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
export const STREET_SUFFIXES: readonly string[] = need(en.location?.street_suffix, 'location.street_suffix');
export const EMAIL_DOMAINS: readonly string[] = need(en.internet?.free_email, 'internet.free_email');
export const PRODUCT_ADJECTIVES: readonly string[] = need(en.commerce?.product_name?.adjective, 'commerce.product_name.adjective');


/** One sub-category and the nouns its product names end with. */
export interface SubCategory {
  readonly name: string;
  readonly nouns: readonly string[];
}

/**
 * Product taxonomy, in CATEGORY_NAMES order: every sub-category belongs to exactly one category.
 * A product name is "<adjective> <noun>" from its own category's adjectives and its
 * sub-category's nouns, so a Comics book is never an "Awesome Silk Mouse".
 */
export const CATEGORIES: readonly { readonly name: (typeof CATEGORY_NAMES)[number]; readonly adjectives: readonly string[]; readonly subCategories: readonly SubCategory[] }[] = [
  {
    name: 'Electronics',
    adjectives: ['Wireless', 'Smart', 'Compact', 'Ultra HD', 'Bluetooth', 'Portable', 'Pro', 'Digital'],
    subCategories: [
      { name: 'Televisions', nouns: ['4K LED TV', 'OLED TV', 'QLED TV', 'Smart TV', 'TV Soundbar Bundle'] },
      { name: 'Audio', nouns: ['Headphones', 'Earbuds', 'Speaker', 'Soundbar', 'Turntable', 'Receiver'] },
      { name: 'Cameras', nouns: ['Mirrorless Camera', 'Action Camera', 'Camera Lens', 'Tripod', 'Dash Cam'] },
      { name: 'Phones', nouns: ['Smartphone', 'Phone Case', 'Charger', 'Screen Protector', 'Power Bank'] },
      { name: 'Computer Accessories', nouns: ['Keyboard', 'Mouse', 'Monitor', 'Webcam', 'USB Hub', 'Laptop Stand'] },
    ],
  },
  {
    name: 'Home',
    adjectives: ['Modern', 'Classic', 'Rustic', 'Stainless', 'Ceramic', 'Oak', 'Velvet', 'Minimalist'],
    subCategories: [
      { name: 'Furniture', nouns: ['Sofa', 'Armchair', 'Coffee Table', 'Bookshelf', 'Dining Chair', 'TV Stand'] },
      { name: 'Kitchen', nouns: ['Cookware Set', 'Chef Knife', 'Blender', 'Coffee Maker', 'Cutting Board', 'Dutch Oven'] },
      { name: 'Bedding', nouns: ['Duvet Cover', 'Sheet Set', 'Pillow', 'Comforter', 'Mattress Topper'] },
      { name: 'Decor', nouns: ['Wall Mirror', 'Vase', 'Throw Blanket', 'Picture Frame', 'Area Rug', 'Candle'] },
      { name: 'Lighting', nouns: ['Floor Lamp', 'Table Lamp', 'Pendant Light', 'LED Strip', 'Desk Lamp'] },
    ],
  },
  {
    name: 'Clothing',
    adjectives: ['Slim Fit', 'Relaxed', 'Cotton', 'Linen', 'Merino', 'Classic', 'Organic', 'Stretch'],
    subCategories: [
      { name: 'Men', nouns: ["Men's Oxford Shirt", "Men's Chinos", "Men's Polo", "Men's Jeans", "Men's Sweater"] },
      { name: 'Women', nouns: ["Women's Blouse", "Women's Dress", "Women's Jeans", "Women's Cardigan", "Women's Skirt"] },
      { name: 'Kids', nouns: ["Kids' T-Shirt", "Kids' Hoodie", "Kids' Pajamas", "Kids' Leggings", "Kids' Shorts"] },
      { name: 'Outerwear', nouns: ['Parka', 'Rain Jacket', 'Puffer Vest', 'Wool Coat', 'Windbreaker'] },
      { name: 'Activewear', nouns: ['Running Tights', 'Sports Bra', 'Training Shorts', 'Track Jacket', 'Yoga Pants'] },
    ],
  },
  {
    name: 'Shoes',
    adjectives: ['Lightweight', 'Waterproof', 'Leather', 'Suede', 'Cushioned', 'Trail', 'Classic', 'Breathable'],
    subCategories: [
      { name: 'Running', nouns: ['Running Shoe', 'Racing Flat', 'Trail Runner', 'Stability Shoe'] },
      { name: 'Casual', nouns: ['Sneaker', 'Loafer', 'Slip-On', 'Canvas Shoe', 'Boat Shoe'] },
      { name: 'Boots', nouns: ['Chelsea Boot', 'Hiking Boot', 'Work Boot', 'Ankle Boot', 'Snow Boot'] },
      { name: 'Sandals', nouns: ['Slide Sandal', 'Flip-Flop', 'Sport Sandal', 'Espadrille'] },
    ],
  },
  {
    name: 'Sports',
    adjectives: ['Adjustable', 'Heavy-Duty', 'Foldable', 'Pro', 'Ultralight', 'All-Weather', 'Competition', 'Compact'],
    subCategories: [
      { name: 'Fitness', nouns: ['Dumbbell Set', 'Yoga Mat', 'Kettlebell', 'Resistance Bands', 'Exercise Bike', 'Jump Rope'] },
      { name: 'Cycling', nouns: ['Road Bike', 'Bike Helmet', 'Bike Lock', 'Cycling Gloves', 'Bike Light'] },
      { name: 'Camping', nouns: ['Tent', 'Sleeping Bag', 'Camp Stove', 'Backpack', 'Headlamp', 'Cooler'] },
      { name: 'Team Sports', nouns: ['Basketball', 'Soccer Ball', 'Baseball Glove', 'Football', 'Hockey Stick'] },
    ],
  },
  {
    name: 'Beauty',
    adjectives: ['Hydrating', 'Vegan', 'Fragrance-Free', 'Matte', 'Radiant', 'Gentle', 'Long-Wear', 'Nourishing'],
    subCategories: [
      { name: 'Skincare', nouns: ['Face Moisturizer', 'Serum', 'Cleanser', 'Sunscreen SPF 50', 'Eye Cream'] },
      { name: 'Makeup', nouns: ['Lipstick', 'Mascara', 'Foundation', 'Eyeshadow Palette', 'Concealer'] },
      { name: 'Fragrance', nouns: ['Eau de Parfum', 'Eau de Toilette', 'Body Mist', 'Cologne'] },
      { name: 'Hair Care', nouns: ['Shampoo', 'Conditioner', 'Hair Oil', 'Hair Dryer', 'Styling Cream'] },
    ],
  },
  {
    name: 'Grocery',
    adjectives: ['Organic', 'Sea Salt', 'Honey', 'Whole Grain', 'Low-Sugar', 'Family Size', 'Roasted', 'Classic'],
    subCategories: [
      { name: 'Snacks', nouns: ['Potato Chips', 'Granola Bars', 'Trail Mix', 'Pretzels', 'Popcorn', 'Crackers'] },
      { name: 'Beverages', nouns: ['Cold Brew Coffee', 'Green Tea', 'Sparkling Water', 'Orange Juice', 'Ground Coffee'] },
      { name: 'Pantry', nouns: ['Pasta', 'Olive Oil', 'Peanut Butter', 'Rice', 'Tomato Sauce', 'Cereal'] },
      { name: 'Frozen', nouns: ['Frozen Pizza', 'Ice Cream', 'Frozen Berries', 'Veggie Burgers', 'Dumplings'] },
    ],
  },
  {
    name: 'Toys',
    adjectives: ['Deluxe', 'Classic', 'Wooden', 'Interactive', 'Mini', 'Glow-in-the-Dark', 'Remote Control', 'Junior'],
    subCategories: [
      { name: 'Building Sets', nouns: ['Brick Set', 'Castle Kit', 'Magnetic Tiles', 'Robot Kit', 'Train Set'] },
      { name: 'Dolls', nouns: ['Fashion Doll', 'Baby Doll', 'Dollhouse', 'Action Figure', 'Plush Bear'] },
      { name: 'Puzzles', nouns: ['1000-Piece Puzzle', 'Jigsaw Puzzle', 'Puzzle Cube', '3D Puzzle', 'Floor Puzzle'] },
      { name: 'Outdoor Play', nouns: ['Water Blaster', 'Scooter', 'Kite', 'Sandbox Set', 'Trampoline'] },
    ],
  },
  {
    name: 'Books',
    adjectives: ['Hardcover', 'Paperback', 'Illustrated', 'Collector\'s', 'Bestselling', 'Annotated', 'Large Print', 'Boxed'],
    subCategories: [
      { name: 'Fiction', nouns: ['Mystery Novel', 'Thriller', 'Romance Novel', 'Fantasy Saga', 'Literary Novel'] },
      { name: 'Non-Fiction', nouns: ['Biography', 'History of America', 'Cookbook', 'Self-Help Guide', 'Travel Guide'] },
      { name: 'Children', nouns: ['Picture Book', 'Bedtime Stories', 'Early Reader', 'Activity Book', 'Fairy Tales'] },
      { name: 'Comics', nouns: ['Graphic Novel', 'Manga Volume', 'Comic Omnibus', 'Superhero Anthology'] },
    ],
  },
  {
    name: 'Garden',
    adjectives: ['Weatherproof', 'Cast Iron', 'Solar', 'Heavy-Duty', 'Teak', 'Cedar', 'Ergonomic', 'Perennial'],
    subCategories: [
      { name: 'Plants', nouns: ['Rose Bush', 'Tomato Seedlings', 'Herb Garden Kit', 'Succulent Set', 'Hydrangea'] },
      { name: 'Tools', nouns: ['Pruning Shears', 'Garden Hose', 'Shovel', 'Rake', 'Leaf Blower', 'Lawn Mower'] },
      { name: 'Outdoor Furniture', nouns: ['Patio Set', 'Adirondack Chair', 'Hammock', 'Garden Bench', 'Umbrella'] },
      { name: 'Grills', nouns: ['Gas Grill', 'Charcoal Grill', 'Smoker', 'Grill Cover', 'BBQ Tool Set'] },
    ],
  },
];
if (CATEGORIES.some((c, i) => c.name !== CATEGORY_NAMES[i])) throw new Error('locale CATEGORIES must follow CATEGORY_NAMES order');

export const STORE_KINDS: readonly string[] = ['Market', 'Outlet', 'Superstore', 'Plaza', 'Center', 'Express'];
export const BRAND_SUFFIXES: readonly string[] = ['Brands', 'Goods', 'Works', 'Supply', 'Labs', 'Co.'];
export const PROMOTION_KINDS: readonly string[] = ['Sale', 'Savings Event', 'Clearance', 'Flash Deal', 'Weekend Special', 'Rewards Bonus'];
