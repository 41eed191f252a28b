/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
 * counter-based generator behind TensorFlow's and PyTorch's stateless random ops. Each 128-bit
 * counter block, encrypted under a 64-bit key, gives four independent 32-bit words; any element can
 * be computed without the ones before it, and the output is the same on every machine.
 *
 * keras-ts's layout: key = (seed, 0); counter = (block low, block high, draw index, stream). The
 * draw index is the SeedGenerator's counter (0 for an integer seed); `stream` separates the extra
 * rounds of rejection sampling (truncated normal) from the main one.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const M0L = M0 & 0xffff;
const M0H = M0 >>> 16;
const M1L = M1 & 0xffff;
const M1H = M1 >>> 16;

/** High 32 bits of the 64-bit product of `a` (uint32) and a constant split in 16-bit halves. */
function mulhi(a: number, mL: number, mH: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const ll = aL * mL;
  const lh = aL * mH;
  const hl = aH * mL;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * mH + Math.floor(lh / 65536) + Math.floor(hl / 65536) + Math.floor(mid / 65536)) >>> 0;
}

/** Writes the four output words of one Philox4x32-10 block into `out[at..at+3]`. */
export function philoxBlock(
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  out: Uint32Array,
  at: number,
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let ka = k0 >>> 0;
  let kb = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(x0, M0L, M0H);
    const lo0 = Math.imul(x0, M0) >>> 0;
    const hi1 = mulhi(x2, M1L, M1H);
    const lo1 = Math.imul(x2, M1) >>> 0;
    x0 = (hi1 ^ x1 ^ ka) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ kb) >>> 0;
    x3 = lo0;
    ka = (ka + W0) >>> 0;
    kb = (kb + W1) >>> 0;
  }
  out[at] = x0;
  out[at + 1] = x1;
  out[at + 2] = x2;
  out[at + 3] = x3;
}

/** A seed as drawn from a SeedGenerator or an integer: the key word and the draw index. */
export type SeedPair = readonly [number, number];

/** `n` random 32-bit words of stream `stream` for `seed`. */
export function randomWords(seed: SeedPair, n: number, stream = 0): Uint32Array {
  const blocks = Math.ceil(n / 4);
  const out = new Uint32Array(blocks * 4);
  const [key, draw] = seed;
  for (let b = 0; b < blocks; b++)
    philoxBlock(key, 0, b % 0x100000000, Math.floor(b / 0x100000000), draw, stream, out, b * 4);
  return n === out.length ? out : out.subarray(0, n);
}

const TWO_NEG_53 = 1 / 9007199254740992;

/**
 * `n` uniform doubles in [0, 1), each built from two words with 53 random bits (as NumPy's
 * `random()` does), so float64 outputs are fully random and float32 ones round from them.
 */
export function randomDoubles(seed: SeedPair, n: number, stream = 0): Float64Array {
  const w = randomWords(seed, 2 * n, stream);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = ((w[2 * i] >>> 5) * 67108864 + (w[2 * i + 1] >>> 6)) * TWO_NEG_53;
  return out;
}

/**
 * `n` standard normal values by Box–Muller: Philox block p gives two uniforms (u1, u2) and the
 * normals 2p and 2p+1, sqrt(-2 ln(1 - u1)) times cos and sin of 2 pi u2 (1 - u1 is in (0, 1], so
 * the log is finite). Element i depends on block floor(i / 2) only, so `normalAt` can redraw one.
 */
export function randomNormals(seed: SeedPair, n: number, stream = 0): Float64Array {
  const pairs = Math.ceil(n / 2);
  const w = randomWords(seed, 4 * pairs, stream);
  const out = new Float64Array(2 * pairs);
  for (let p = 0; p < pairs; p++) boxMuller(w, 4 * p, out, 2 * p);
  return n === out.length ? out : out.subarray(0, n);
}

/** Element `i` of `randomNormals(seed, *, stream)`, computed alone. */
export function normalAt(seed: SeedPair, i: number, stream: number, scratch: Uint32Array, pair: Float64Array): number {
  const p = Math.floor(i / 2);
  philoxBlock(seed[0], 0, p % 0x100000000, Math.floor(p / 0x100000000), seed[1], stream, scratch, 0);
  boxMuller(scratch, 0, pair, 0);
  return pair[i & 1];
}

function boxMuller(w: Uint32Array, at: number, out: Float64Array, to: number): void {
  const u1 = ((w[at] >>> 5) * 67108864 + (w[at + 1] >>> 6)) * TWO_NEG_53;
  const u2 = ((w[at + 2] >>> 5) * 67108864 + (w[at + 3] >>> 6)) * TWO_NEG_53;
  const r = Math.sqrt(-2 * Math.log(1 - u1));
  const t = 2 * Math.PI * u2;
  out[to] = r * Math.cos(t);
  out[to + 1] = r * Math.sin(t);
}
