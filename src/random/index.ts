/** keras.random: random tensors, dropout and shuffling, seeded by integers or SeedGenerators. */
export { dropout } from "./dropout.js";
export { categorical, type FloatOptions, normal, randint, truncatedNormal, uniform } from "./random.js";
export {
  drawSeed,
  getRandomSeed,
  globalSeedGenerator,
  makeDefaultSeed,
  type Seed,
  SeedGenerator,
  setRandomSeed,
} from "./seed_generator.js";
export { shuffle } from "./shuffle.js";
export type { SeedPair } from "./philox.js";
