// The revision of the generator's output: for one config, every build of the same revision
// writes the same bytes. It is raised in the commit that changes the output on purpose (where
// test/fixtures/goldenChecksums.ts changes, which pins the revision its checksums belong to), so
// that a run's state, its partitions and the shards' shared pre-pass counts written by a build of
// another revision are never reused: the config hash alone no longer determines them.
//
//   1  before issue 13 (no realism)
//   2  issue 13: geography, popularity, loyalty, seasonality, categories, consistency
//   3  loyalty tier drawn first (tiers as blocks of popularity ranks); a line's product and
//      return draw as keyed hashes of its place in the partition
//   4  ZIP weights scaled to the 2020 Census state populations (at most 130,000 a ZIP);
//      Manhattan's population on its "New York" ZIPs, no longer all on ZIP 10048 (geography.ts)
export const OUTPUT_REVISION = 4;
