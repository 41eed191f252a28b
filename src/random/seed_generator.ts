import { Variable } from "../backend/variable.js";
import type { SeedPair } from "./philox.js";

const TWO_32 = 0x100000000;

let nameCounter = 0;

/** Reduces a safe integer seed to the 32-bit key word (negative and large seeds wrap, as uint32 does). */
function seedWord(seed: number, where: string): number {
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`${where}: seed must be an integer, received ${String(seed)}.`);
  }
  return ((seed % TWO_32) + TWO_32) % TWO_32;
}

/**
 * Draws fresh seeds for random ops (Keras's `keras.random.SeedGenerator`). Random ops given an
 * integer seed are stateless: the same integer gives the same values each call. Given a
 * SeedGenerator they draw its current state and advance it, so repeated calls differ while the
 * whole sequence is reproducible from the initial seed.
 *
 *     const gen = new keras.random.SeedGenerator(42);
 *     const a = keras.random.normal([2, 3], { seed: gen });
 *     const b = keras.random.normal([2, 3], { seed: gen }); // different from a
 *
 * The state is a non-trainable int32 variable `[seed, counter]` (Keras's `seed_generator_state`),
 * so layers can track and save it; its first draw equals the draw of the integer seed itself.
 */
export class SeedGenerator {
  readonly name: string;
  readonly state: Variable;
  private readonly initialSeed: number | undefined;

  constructor(seed?: number, { name }: { name?: string } = {}) {
    this.initialSeed = seed;
    const s = seedWord(seed ?? makeDefaultSeed(), "SeedGenerator");
    const k = nameCounter++;
    this.name = name ?? (k === 0 ? "seed_generator" : `seed_generator_${k}`);
    this.state = new Variable(new Int32Array([s | 0, 0]), {
      dtype: "int32",
      trainable: false,
      name: "seed_generator_state",
    });
    this.state.path = `${this.name}/seed_generator_state`;
  }

  /** The current seed pair; advances the counter. */
  next(): SeedPair {
    const d = this.state.peek().data;
    const seed = d[0] >>> 0;
    const counter = d[1] >>> 0;
    this.state.assign(new Int32Array([d[0], (counter + 1) | 0]));
    return [seed, counter];
  }

  getConfig(): { seed: number | undefined } {
    return { seed: this.initialSeed };
  }

  static fromConfig(config: { seed?: number }): SeedGenerator {
    return new SeedGenerator(config.seed);
  }
}

/** What random ops accept as `seed`. */
export type Seed = number | SeedGenerator | null | undefined;

// Stands in for Python's `random` module, which Keras uses to pick default seeds: unseeded it
// uses Math.random, after setRandomSeed it is a deterministic splitmix32 stream.
let defaultSeedState: number | null = null;

function splitmix32(): number {
  defaultSeedState = ((defaultSeedState as number) + 0x9e3779b9) >>> 0;
  let z = defaultSeedState;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seed in [1, 1e9] for generators created without one (Keras's `make_default_seed`). */
export function makeDefaultSeed(): number {
  const u = defaultSeedState === null ? Math.random() : splitmix32() / TWO_32;
  return 1 + Math.floor(u * 1e9);
}

let globalGenerator: SeedGenerator | null = null;
let globalSeed: number | null = null;

/** The generator used by random ops called without a seed (created on first use). */
export function globalSeedGenerator(): SeedGenerator {
  if (globalGenerator === null) globalGenerator = new SeedGenerator();
  return globalGenerator;
}

/**
 * @internal Snapshot of the global generator's state (and of the default-seed sequence); calling
 * the result puts both back. For work that must leave no trace in the random stream (the check of
 * a traced training step).
 */
export function saveRandomState(): () => void {
  const generator = globalGenerator;
  const state = generator?.state.peek();
  const seedState = defaultSeedState;
  return () => {
    globalGenerator = generator;
    if (generator && state) generator.state.assign(state);
    defaultSeedState = seedState;
  };
}

/**
 * Makes unseeded randomness reproducible (Keras's `keras.utils.set_random_seed`): resets the global
 * SeedGenerator to `seed` and seeds the choice of default seeds, so SeedGenerators created later
 * without a seed (by layers and initializers) are reproducible too.
 */
export function setRandomSeed(seed: number): void {
  const word = seedWord(seed, "setRandomSeed");
  globalSeed = seed;
  defaultSeedState = word;
  globalGenerator = new SeedGenerator(seed);
}

/** The seed given to `setRandomSeed`, or null if it was never called (Keras's `get_random_seed`). */
export function getRandomSeed(): number | null {
  return globalSeed;
}

/** Turns a `seed` argument into a seed pair, advancing the generator it names (Keras's `draw_seed`). */
export function drawSeed(seed: Seed, where = "random"): SeedPair {
  if (seed instanceof SeedGenerator) return seed.next();
  if (seed === undefined || seed === null) return globalSeedGenerator().next();
  if (typeof seed === "number") return [seedWord(seed, where), 0];
  throw new TypeError(
    `${where}: seed must be an integer or a keras.random.SeedGenerator, received ${typeof seed} ${String(seed)}.`,
  );
}
