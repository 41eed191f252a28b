/**
 * Random tensors (Keras's `keras.random`): normal, uniform, truncatedNormal, randint, categorical.
 * Values come from Philox4x32-10 (see philox.ts), so a given seed gives the same values on every
 * machine and every run.
 */
import { type DType, isFloat, standardizeDType } from "../backend/dtypes.js";
import { shapeToString } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { apply1, defineOp, toAny } from "../ops/registry.js";
import type { Out, TensorInput } from "../ops/types.js";
import { normalAt, randomDoubles, randomNormals } from "./philox.js";
import { drawSeed, type Seed } from "./seed_generator.js";

export interface FloatOptions {
  dtype?: DType | string;
  seed?: Seed;
}

function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(
      `random.${op}: shape must be an array of non-negative integers, received ${Array.isArray(shape) ? shapeToString(shape) : String(shape)}.`,
    );
  }
  return shape.slice();
}

function floatDType(op: string, dtype: DType | string | undefined): DType {
  const d = dtype === undefined ? "float32" : standardizeDType(dtype, `random.${op}`);
  if (!isFloat(d)) throw new TypeError(`random.${op}: requires a float dtype, received dtype ${d}.`);
  return d;
}

function checkFinite(op: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`random.${op}: ${k} must be a finite number, received ${String(v)}.`);
    }
  }
}

/** Samples from a normal distribution (Box–Muller on Philox uniforms). */
export function normal(
  shape: readonly number[],
  { mean = 0, stddev = 1, dtype, seed }: FloatOptions & { mean?: number; stddev?: number } = {},
): Tensor {
  const s = checkShape("normal", shape);
  const d = floatDType("normal", dtype);
  checkFinite("normal", { mean, stddev });
  const out = Tensor.empty(s, d);
  const z = randomNormals(drawSeed(seed, "random.normal"), out.size);
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = mean + stddev * z[i];
  return out;
}

/**
 * Samples from a normal distribution, redrawing every value more than two standard deviations from
 * the mean (as Keras and TensorFlow do). Redraws use further Philox streams of the same seed, so the
 * result stays a pure function of the seed.
 */
export function truncatedNormal(
  shape: readonly number[],
  { mean = 0, stddev = 1, dtype, seed }: FloatOptions & { mean?: number; stddev?: number } = {},
): Tensor {
  const s = checkShape("truncatedNormal", shape);
  const d = floatDType("truncatedNormal", dtype);
  checkFinite("truncatedNormal", { mean, stddev });
  const key = drawSeed(seed, "random.truncatedNormal");
  const out = Tensor.empty(s, d);
  const z = randomNormals(key, out.size);
  const scratch = new Uint32Array(4);
  const pair = new Float64Array(2);
  const o = out.data;
  for (let i = 0; i < o.length; i++) {
    let v = z[i];
    // Each round accepts with probability 0.954, so a value needs more than a few rounds almost never.
    for (let stream = 1; v < -2 || v > 2; stream++) v = normalAt(key, i, stream, scratch, pair);
    o[i] = mean + stddev * v;
  }
  return out;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The largest value of `dtype` strictly below `x` (x finite). */
function below(x: number, dtype: DType): number {
  if (dtype === "float32") {
    F32[0] = x;
    if (F32[0] < x) return F32[0];
    if (F32[0] === 0) return -1.401298464324817e-45;
    U32[0] += F32[0] > 0 ? -1 : 1;
    return F32[0];
  }
  if (x === 0) return -Number.MIN_VALUE;
  F64[0] = x;
  U64[0] += x > 0 ? -1n : 1n;
  return F64[0];
}

/** Samples uniformly from [minval, maxval). */
export function uniform(
  shape: readonly number[],
  { minval = 0, maxval = 1, dtype, seed }: FloatOptions & { minval?: number; maxval?: number } = {},
): Tensor {
  const s = checkShape("uniform", shape);
  const d = floatDType("uniform", dtype);
  checkFinite("uniform", { minval, maxval });
  if (!(minval < maxval)) {
    throw new RangeError(
      `random.uniform: minval must be less than maxval, received minval=${minval}, maxval=${maxval}.`,
    );
  }
  const out = Tensor.empty(s, d);
  const u = randomDoubles(drawSeed(seed, "random.uniform"), out.size);
  const o = out.data;
  const span = maxval - minval;
  // Rounding (to float32, or of minval + span * u) can land on maxval; the range excludes it.
  const top = below(maxval, d);
  for (let i = 0; i < o.length; i++) {
    o[i] = minval + span * u[i];
    if (o[i] >= maxval) o[i] = top;
  }
  return out;
}

/** Samples integers uniformly from [minval, maxval). */
export function randint(
  shape: readonly number[],
  minval: number,
  maxval: number,
  { dtype = "int32", seed }: FloatOptions = {},
): Tensor {
  const s = checkShape("randint", shape);
  const d = standardizeDType(dtype, "random.randint");
  if (d !== "int32") throw new TypeError(`random.randint: requires an integer dtype, received dtype ${d}.`);
  if (!Number.isInteger(minval) || !Number.isInteger(maxval)) {
    throw new RangeError(
      `random.randint: minval and maxval must be integers, received minval=${minval}, maxval=${maxval}.`,
    );
  }
  if (minval >= maxval) {
    throw new RangeError(
      `random.randint: minval must be less than maxval, received minval=${minval}, maxval=${maxval}.`,
    );
  }
  if (minval < -0x80000000 || maxval > 0x80000000) {
    throw new RangeError(
      `random.randint: [minval, maxval) must fit in int32, received minval=${minval}, maxval=${maxval}.`,
    );
  }
  const out = Tensor.empty(s, d);
  // floor(u * span) with 53-bit u: the bias is below span / 2^53, i.e. at most 5e-7 for int32 ranges.
  const u = randomDoubles(drawSeed(seed, "random.randint"), out.size);
  const o = out.data;
  const span = maxval - minval;
  for (let i = 0; i < o.length; i++) o[i] = minval + Math.floor(u[i] * span);
  return out;
}

// ---------------------------------------------------------------- categorical

interface CategoricalAttrs {
  numSamples: number;
  dtype: DType;
  seed: Seed;
}

const CATEGORICAL = defineOp<CategoricalAttrs>({
  name: "categorical",
  nonDifferentiable: true,
  spec: ([logits], { numSamples, dtype }) => {
    if (logits.shape.length !== 2) {
      throw new Error(
        `random.categorical: logits must be a 2-D tensor of shape [batchSize, numClasses], received shape ${shapeToString(logits.shape)}.`,
      );
    }
    if (!isFloat(logits.dtype)) {
      throw new TypeError(`random.categorical: logits must be a float tensor, received dtype ${logits.dtype}.`);
    }
    return { shape: [logits.shape[0], numSamples], dtype };
  },
  // The seed is drawn when the op runs, so a graph holding this op draws afresh each execution.
  forward: ([logits], { numSamples, seed }, [o]) => {
    const [batch, classes] = logits.shape;
    const out = Tensor.empty(o.shape, o.dtype);
    const u = randomDoubles(drawSeed(seed, "random.categorical"), batch * numSamples);
    const x = logits.data;
    const cdf = new Float64Array(classes);
    for (let b = 0; b < batch; b++) {
      let m = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < classes; c++) m = Math.max(m, x[b * classes + c]);
      let total = 0;
      let last = classes - 1;
      for (let c = 0; c < classes; c++) {
        const p = Math.exp(x[b * classes + c] - m);
        if (p > 0) last = c;
        total += p;
        cdf[c] = total;
      }
      for (let k = 0; k < numSamples; k++) {
        // Inverse CDF: the first class whose cumulative weight exceeds u * total (binary search).
        const target = u[b * numSamples + k] * total;
        let lo = 0;
        let hi = last;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] > target) hi = mid;
          else lo = mid + 1;
        }
        out.data[b * numSamples + k] = lo;
      }
    }
    return out;
  },
});

/**
 * Draws `numSamples` class indices per row of `logits` ([batchSize, numClasses], unnormalized
 * log-probabilities); returns [batchSize, numSamples].
 */
export function categorical<T extends TensorInput>(
  logits: T,
  numSamples: number,
  { dtype = "int32", seed }: FloatOptions = {},
): Out<T> {
  if (!Number.isInteger(numSamples) || numSamples < 0) {
    throw new RangeError(`random.categorical: numSamples must be a non-negative integer, received ${numSamples}.`);
  }
  const d = standardizeDType(dtype, "random.categorical");
  if (d === "bool") throw new TypeError("random.categorical: dtype must be numeric, received dtype bool.");
  return apply1(CATEGORICAL, [toAny(logits)], { numSamples, dtype: d, seed }) as Out<T>;
}
