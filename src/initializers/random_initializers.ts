/**
 * Random initializers (Keras's random_initializers): RandomNormal, RandomUniform, TruncatedNormal,
 * VarianceScaling and its Glorot/He/Lecun presets, Orthogonal.
 *
 * Seeding is Keras 3's: an initializer made without a seed draws one when it is constructed
 * (`makeDefaultSeed`), so each new initializer gives new values, while one instance called twice
 * with an integer seed (given or drawn) gives the same values twice. A SeedGenerator seed gives new
 * values at each call.
 */
import { type DType, isFloat } from "../backend/dtypes.js";
import { shapeToString } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { normal, truncatedNormal, uniform } from "../random/random.js";
import { makeDefaultSeed, SeedGenerator } from "../random/seed_generator.js";
import { checkCallArgs, Initializer } from "./initializer.js";

/** What random initializers accept as `seed`; a SeedGenerator's serialized form is accepted too. */
export type InitializerSeed = number | SeedGenerator | SerializedSeedGenerator | null | undefined;

/** A SeedGenerator as getConfig writes it (Keras's serialized object, keys in camelCase). */
export interface SerializedSeedGenerator {
  module: "keras.random";
  className: "SeedGenerator";
  config: { seed: number | undefined };
}

function isSerializedGenerator(s: unknown): s is SerializedSeedGenerator {
  return typeof s === "object" && s !== null && (s as { className?: unknown }).className === "SeedGenerator";
}

function floatDType(where: string, shape: number[], dtype: DType | string | undefined): DType {
  const d = checkCallArgs(where, shape, dtype);
  if (!isFloat(d)) throw new TypeError(`${where}: requires a float dtype (float32 or float64), received dtype ${d}.`);
  return d;
}

function finite(where: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${where}: ${name} must be a finite number, received ${String(v)}.`);
  }
  return v;
}

/** Base of the seeded initializers: holds the seed used by `call` and the one given (for getConfig). */
export abstract class RandomInitializer extends Initializer {
  /** The seed passed to random ops: the given integer or SeedGenerator, or one drawn at construction. */
  readonly seed: number | SeedGenerator;
  private readonly initSeed: number | SeedGenerator | null;

  constructor(seed: InitializerSeed) {
    super();
    if (seed === undefined || seed === null) {
      this.initSeed = null;
      this.seed = makeDefaultSeed();
    } else if (isSerializedGenerator(seed)) {
      this.initSeed = new SeedGenerator(seed.config?.seed);
      this.seed = this.initSeed;
    } else if (seed instanceof SeedGenerator || (typeof seed === "number" && Number.isSafeInteger(seed))) {
      this.initSeed = seed;
      this.seed = seed;
    } else {
      throw new TypeError(
        `${this.constructor.name}: seed must be an integer or a keras.random.SeedGenerator, received ${typeof seed} ${String(seed)}.`,
      );
    }
  }

  override getConfig(): Record<string, unknown> {
    const s = this.initSeed;
    const seed: number | SerializedSeedGenerator | null =
      s instanceof SeedGenerator ? { module: "keras.random", className: "SeedGenerator", config: s.getConfig() } : s;
    return { seed };
  }
}

export interface RandomNormalOptions {
  mean?: number;
  stddev?: number;
  seed?: InitializerSeed;
}

/** Samples from N(mean, stddev²); defaults mean 0, stddev 0.05. */
export class RandomNormal extends RandomInitializer {
  readonly mean: number;
  readonly stddev: number;

  constructor({ mean = 0, stddev = 0.05, seed }: RandomNormalOptions = {}) {
    super(seed);
    this.mean = finite("RandomNormal", "mean", mean);
    this.stddev = finite("RandomNormal", "stddev", stddev);
  }

  override call(shape: number[], dtype: DType = "float32"): Tensor {
    const d = floatDType("RandomNormal", shape, dtype);
    return normal(shape, { mean: this.mean, stddev: this.stddev, dtype: d, seed: this.seed });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mean: this.mean, stddev: this.stddev };
  }
}

/** Samples from N(mean, stddev²) redrawing values beyond two standard deviations; mean 0, stddev 0.05. */
export class TruncatedNormal extends RandomInitializer {
  readonly mean: number;
  readonly stddev: number;

  constructor({ mean = 0, stddev = 0.05, seed }: RandomNormalOptions = {}) {
    super(seed);
    this.mean = finite("TruncatedNormal", "mean", mean);
    this.stddev = finite("TruncatedNormal", "stddev", stddev);
  }

  override call(shape: number[], dtype: DType = "float32"): Tensor {
    const d = floatDType("TruncatedNormal", shape, dtype);
    return truncatedNormal(shape, { mean: this.mean, stddev: this.stddev, dtype: d, seed: this.seed });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mean: this.mean, stddev: this.stddev };
  }
}

export interface RandomUniformOptions {
  minval?: number;
  maxval?: number;
  seed?: InitializerSeed;
}

/** Samples uniformly from [minval, maxval); defaults -0.05, 0.05. */
export class RandomUniform extends RandomInitializer {
  readonly minval: number;
  readonly maxval: number;

  constructor({ minval = -0.05, maxval = 0.05, seed }: RandomUniformOptions = {}) {
    super(seed);
    this.minval = finite("RandomUniform", "minval", minval);
    this.maxval = finite("RandomUniform", "maxval", maxval);
    if (!(this.minval < this.maxval)) {
      throw new RangeError(
        `RandomUniform: minval must be less than maxval, received minval=${minval}, maxval=${maxval}.`,
      );
    }
  }

  override call(shape: number[], dtype: DType = "float32"): Tensor {
    const d = floatDType("RandomUniform", shape, dtype);
    return uniform(shape, { minval: this.minval, maxval: this.maxval, dtype: d, seed: this.seed });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), minval: this.minval, maxval: this.maxval };
  }
}

/**
 * The number of input and output units of a weight of `shape` (Keras's compute_fans): rank 0 gives
 * [1, 1], rank 1 [n, n], rank 2 [rows, cols]; higher ranks are convolution kernels
 * (..., inputDepth, depth), whose fans are the depths times the receptive field size.
 */
export function computeFans(shape: readonly number[]): [number, number] {
  if (shape.length < 1) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  let receptiveFieldSize = 1;
  for (let i = 0; i < shape.length - 2; i++) receptiveFieldSize *= shape[i];
  return [shape[shape.length - 2] * receptiveFieldSize, shape[shape.length - 1] * receptiveFieldSize];
}

export type FanMode = "fan_in" | "fan_out" | "fan_avg";
export type VarianceScalingDistribution = "truncated_normal" | "untruncated_normal" | "uniform";

export interface VarianceScalingOptions {
  scale?: number;
  mode?: FanMode;
  /** Case-insensitive; "normal" means "truncated_normal", as in Keras. */
  distribution?: VarianceScalingDistribution | "normal" | string;
  seed?: InitializerSeed;
}

// The standard deviation of the standard normal truncated to [-2, 2]: dividing by it makes the
// truncated samples' standard deviation sqrt(scale / n).
const TRUNCATION_CORRECTION = 0.87962566103423978;

const MODES: readonly FanMode[] = ["fan_in", "fan_out", "fan_avg"];
const DISTRIBUTIONS: readonly VarianceScalingDistribution[] = ["truncated_normal", "untruncated_normal", "uniform"];

/**
 * Samples with a standard deviation of sqrt(scale / n), n the fan chosen by `mode` (fan_in, fan_out
 * or their average; at least 1): truncated_normal (default; stddev sqrt(scale / n) / 0.8796...
 * before truncation at two stddevs), untruncated_normal, or uniform in [-limit, limit] with
 * limit = sqrt(3 scale / n). Defaults: scale 1, mode fan_in, truncated_normal.
 */
export class VarianceScaling extends RandomInitializer {
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: VarianceScalingDistribution;

  constructor({ scale = 1, mode = "fan_in", distribution = "truncated_normal", seed }: VarianceScalingOptions = {}) {
    super(seed);
    const name = this.constructor.name;
    if (typeof scale !== "number" || !(scale > 0) || !Number.isFinite(scale)) {
      throw new RangeError(`${name}: scale must be a positive number, received scale=${String(scale)}.`);
    }
    if (!MODES.includes(mode)) {
      throw new RangeError(`${name}: mode must be one of ${MODES.join(", ")}, received mode=${String(mode)}.`);
    }
    let dist = String(distribution).toLowerCase();
    if (dist === "normal") dist = "truncated_normal";
    if (!DISTRIBUTIONS.includes(dist as VarianceScalingDistribution)) {
      throw new RangeError(
        `${name}: distribution must be one of ${DISTRIBUTIONS.join(", ")}, received distribution=${String(distribution)}.`,
      );
    }
    this.scale = scale;
    this.mode = mode;
    this.distribution = dist as VarianceScalingDistribution;
  }

  override call(shape: number[], dtype: DType = "float32"): Tensor {
    const d = floatDType(this.constructor.name, shape, dtype);
    const [fanIn, fanOut] = computeFans(shape);
    const n = this.mode === "fan_in" ? fanIn : this.mode === "fan_out" ? fanOut : (fanIn + fanOut) / 2;
    const scale = this.scale / Math.max(1, n);
    if (this.distribution === "truncated_normal") {
      const stddev = Math.sqrt(scale) / TRUNCATION_CORRECTION;
      return truncatedNormal(shape, { mean: 0, stddev, dtype: d, seed: this.seed });
    }
    if (this.distribution === "untruncated_normal") {
      return normal(shape, { mean: 0, stddev: Math.sqrt(scale), dtype: d, seed: this.seed });
    }
    const limit = Math.sqrt(3 * scale);
    return uniform(shape, { minval: -limit, maxval: limit, dtype: d, seed: this.seed });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), scale: this.scale, mode: this.mode, distribution: this.distribution };
  }
}

export interface SeedOptions {
  seed?: InitializerSeed;
}

/** Presets of VarianceScaling whose config is only the seed. */
abstract class VarianceScalingPreset extends VarianceScaling {
  override getConfig(): Record<string, unknown> {
    return { seed: super.getConfig().seed };
  }
}

/** Glorot (Xavier) uniform: uniform in ±sqrt(6 / (fanIn + fanOut)). */
export class GlorotUniform extends VarianceScalingPreset {
  constructor({ seed }: SeedOptions = {}) {
    super({ scale: 1, mode: "fan_avg", distribution: "uniform", seed });
  }
}

/** Glorot (Xavier) normal: truncated normal with stddev sqrt(2 / (fanIn + fanOut)). */
export class GlorotNormal extends VarianceScalingPreset {
  constructor({ seed }: SeedOptions = {}) {
    super({ scale: 1, mode: "fan_avg", distribution: "truncated_normal", seed });
  }
}

/** LeCun uniform: uniform in ±sqrt(3 / fanIn). */
export class LecunUniform extends VarianceScalingPreset {
  constructor({ seed }: SeedOptions = {}) {
    super({ scale: 1, mode: "fan_in", distribution: "uniform", seed });
  }
}

/** LeCun normal: truncated normal with stddev sqrt(1 / fanIn). */
export class LecunNormal extends VarianceScalingPreset {
  constructor({ seed }: SeedOptions = {}) {
    super({ scale: 1, mode: "fan_in", distribution: "truncated_normal", seed });
  }
}

/** He uniform: uniform in ±sqrt(6 / fanIn). */
export class HeUniform extends VarianceScalingPreset {
  constructor({ seed }: SeedOptions = {}) {
    super({ scale: 2, mode: "fan_in", distribution: "uniform", seed });
  }
}

/** He normal: truncated normal with stddev sqrt(2 / fanIn). */
export class HeNormal extends VarianceScalingPreset {
  constructor({ seed }: SeedOptions = {}) {
    super({ scale: 2, mode: "fan_in", distribution: "truncated_normal", seed });
  }
}

/**
 * Q of the reduced QR factorization of the m×n row-major matrix `a` (m >= n), with each column
 * multiplied by the sign of R's diagonal entry, as Keras does after `ops.qr`. That makes the result
 * the unique factor with a positive diagonal in R, whatever QR algorithm computed it; here Householder
 * reflections in float64.
 */
export function signCorrectedQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const diag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // Householder vector v for column k below the diagonal: (I - 2 v vᵀ / vᵀv) maps it to alpha e_k.
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += r[i * n + k] * r[i * n + k];
    const x0 = r[k * n + k];
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    vs.push(v);
    diag[k] = alpha;
    if (vv === 0) continue;
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * r[i * n + j];
      const f = (2 * dot) / vv;
      for (let i = k; i < m; i++) r[i * n + j] -= f * v[i - k];
    }
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity (last reflection first).
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * q[i * n + j];
      const f = (2 * dot) / vv;
      for (let i = k; i < m; i++) q[i * n + j] -= f * v[i - k];
    }
  }
  for (let j = 0; j < n; j++) {
    const s = Math.sign(diag[j]);
    for (let i = 0; i < m; i++) q[i * n + j] *= s;
  }
  return q;
}

export interface OrthogonalOptions {
  gain?: number;
  seed?: InitializerSeed;
}

/**
 * An orthogonal matrix (Saxe et al., 2014), times `gain` (default 1): the Q factor of a normal random
 * matrix. Shapes of rank > 2 are treated as [prod(shape[:-1]), shape[-1]] and reshaped back; the
 * result has orthonormal columns when rows >= columns, orthonormal rows otherwise.
 */
export class Orthogonal extends RandomInitializer {
  readonly gain: number;

  constructor({ gain = 1, seed }: OrthogonalOptions = {}) {
    super(seed);
    this.gain = finite("Orthogonal", "gain", gain);
  }

  override call(shape: number[], dtype: DType = "float32"): Tensor {
    const d = floatDType("Orthogonal", shape, dtype);
    if (shape.length < 2) {
      throw new Error(
        `Orthogonal: the tensor to initialize must be at least two-dimensional, received shape ${shapeToString(shape)} of rank ${shape.length}.`,
      );
    }
    let rows = 1;
    for (let i = 0; i < shape.length - 1; i++) rows *= shape[i];
    const cols = shape[shape.length - 1];
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    const out = Tensor.empty(shape.slice(), d);
    if (n === 0) return out;
    // Drawn in the requested dtype, as Keras does, then factored in float64.
    const a = Float64Array.from(normal([m, n], { dtype: d, seed: this.seed }).data);
    const q = signCorrectedQ(a, m, n);
    const o = out.data;
    if (rows >= cols) {
      for (let i = 0; i < q.length; i++) o[i] = this.gain * q[i];
    } else {
      // rows < cols: the result is Qᵀ ([n, m] = [rows, cols]).
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) o[i * m + j] = this.gain * q[j * n + i];
    }
    return out;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), gain: this.gain };
  }
}

/** Keras 3's other name of Orthogonal. */
export const OrthogonalInitializer = Orthogonal;
