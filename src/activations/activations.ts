/**
 * Keras 3's activation functions (keras.activations), as functions of a tensor built on keras.ops.
 * They differ from the ops of the same name only where Keras's do: `gelu` defaults to the exact
 * form, `relu` takes Keras's negativeSlope/maxValue/threshold options, and `sigmoid`/`softmax`
 * remember their logits (see `kerasLogits`).
 */
import { isFloat } from "../backend/dtypes.js";
import { constant } from "../ops/nn/float_args.js";
import { toAny } from "../ops/registry.js";
import { add, clip, exp, greater, multiply, negative, subtract, tanh as tanhOp, where } from "../ops/elementwise.js";
import * as nn from "../ops/nn/activations.js";
import type { AnyTensor, Out, TensorInput } from "../ops/types.js";

// Keras caches the logits on sigmoid and softmax outputs (`_keras_logits`) so that crossentropy
// losses can work from them; a WeakMap does the same without touching the tensor objects.
const logitsOf = new WeakMap<object, AnyTensor>();

/** The input of the `sigmoid` or `softmax` activation that produced `output`, if it did. */
export function kerasLogits(output: unknown): AnyTensor | undefined {
  return typeof output === "object" && output !== null ? logitsOf.get(output) : undefined;
}

function withLogits<A>(output: A, logits: AnyTensor): A {
  logitsOf.set(output as object, logits);
  return output;
}

/** The tensor of `x`, which must be float (the activations composed here name themselves in the error). */
function floatArg(fn: string, x: TensorInput): AnyTensor {
  const t = toAny(x);
  if (!isFloat(t.dtype)) {
    throw new TypeError(
      `activations.${fn}: x must be a float tensor (float32 or float64), received dtype ${t.dtype}. Cast it first, e.g. ops.cast(x, "float32").`,
    );
  }
  return t;
}

function finite(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`activations.${fn}: ${name} must be a finite number, received ${name}=${String(v)}.`);
  }
  return v;
}

export interface ReluOptions {
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Saturation value (default none). */
  maxValue?: number | null;
  /** Values below it are zeroed, or scaled by negativeSlope (default 0). */
  threshold?: number;
}

/**
 * Keras's relu: max(x, 0) by default; with options, `x` for threshold <= x < maxValue (maxValue
 * above), `negativeSlope · (x - threshold)` below the threshold.
 */
export function relu<A extends TensorInput>(
  x: A,
  { negativeSlope = 0, maxValue = null, threshold = 0 }: ReluOptions = {},
): Out<A> {
  finite("relu", "negativeSlope", negativeSlope);
  finite("relu", "threshold", threshold);
  if (maxValue !== null && maxValue !== undefined) {
    finite("relu", "maxValue", maxValue);
    if (maxValue < 0) throw new RangeError(`activations.relu: maxValue must be >= 0, received maxValue=${maxValue}.`);
  }
  const t = floatArg("relu", x);
  // The same steps as Keras's ReLU.static_call. Constants are made in x's dtype: plain numbers
  // would be rounded to float32 first (see toAnyAll in ops/registry.ts).
  const th = constant(threshold, t);
  let negativePart: AnyTensor | null = null;
  if (negativeSlope !== 0) {
    if ((maxValue === null || maxValue === undefined) && threshold === 0)
      return nn.leakyRelu(t, negativeSlope) as Out<A>;
    negativePart = threshold !== 0 ? nn.relu(add(negative(t), th)) : nn.relu(negative(t));
  }
  let clipMax = maxValue !== null && maxValue !== undefined;
  let y: AnyTensor;
  if (threshold !== 0) {
    y = where(greater(t, th), t, 0);
  } else if (maxValue === 6) {
    y = nn.relu6(t);
    clipMax = false;
  } else {
    y = nn.relu(t);
  }
  if (clipMax) y = clip(y, 0, maxValue as number);
  if (negativePart !== null) y = subtract(y, multiply(constant(negativeSlope, t), negativePart));
  return y as Out<A>;
}

/** x for x >= 0, negativeSlope · x otherwise (default 0.2). */
export function leakyRelu<A extends TensorInput>(x: A, negativeSlope = 0.2): Out<A> {
  return nn.leakyRelu(x, negativeSlope);
}

/** min(max(x, 0), 6). */
export function relu6<A extends TensorInput>(x: A): Out<A> {
  return nn.relu6(x);
}

/** exp(x) / Σ exp(x) along `axis` (default -1); remembers its logits. */
export function softmax<A extends TensorInput>(x: A, axis: number | number[] = -1): Out<A> {
  const t = toAny(x);
  return withLogits(nn.softmax(t, axis) as Out<A>, t);
}

/** log(softmax(x)) along `axis` (default -1). */
export function logSoftmax<A extends TensorInput>(x: A, axis: number | number[] = -1): Out<A> {
  return nn.logSoftmax(x, axis);
}

/** max(x, 0) + alpha · (exp(min(x, 0) / alpha) - 1) (default alpha 1). */
export function celu<A extends TensorInput>(x: A, alpha = 1.0): Out<A> {
  return nn.celu(x, alpha);
}

/** x for x >= 0, alpha · (exp(x) - 1) otherwise (default alpha 1). */
export function elu<A extends TensorInput>(x: A, alpha = 1.0): Out<A> {
  return nn.elu(x, alpha);
}

/** scale · elu(x, alpha) with alpha 1.67326324, scale 1.05070098 (Klambauer et al., 2017). */
export function selu<A extends TensorInput>(x: A): Out<A> {
  return nn.selu(x);
}

/** log(exp(x) + 1). */
export function softplus<A extends TensorInput>(x: A): Out<A> {
  return nn.softplus(x);
}

/** x / (|x| + 1). */
export function softsign<A extends TensorInput>(x: A): Out<A> {
  return nn.softsign(x);
}

/** (x + sqrt(x² + b)) / 2 (default b 4). */
export function squareplus<A extends TensorInput>(x: A, b = 4): Out<A> {
  return nn.squareplus(x, b);
}

/** x - threshold above threshold, x + threshold below -threshold, 0 between (default 0.5). */
export function softShrink<A extends TensorInput>(x: A, threshold = 0.5): Out<A> {
  return nn.softShrink(x, threshold);
}

/** 0 for x <= -1, (x + 1)² / 4 for -1 < x < 1, x for x >= 1. */
export function sparsePlus<A extends TensorInput>(x: A): Out<A> {
  return nn.sparsePlus(x);
}

/** x · sigmoid(x) (also called swish). */
export function silu<A extends TensorInput>(x: A): Out<A> {
  return nn.silu(x);
}

/** Keras's other name of silu (serialized as "silu"). */
export const swish = silu;

/**
 * Gaussian error linear unit: x · Φ(x) by default (approximate=false, Keras's activation default,
 * unlike ops.gelu), or its tanh approximation.
 */
export function gelu<A extends TensorInput>(x: A, approximate = false): Out<A> {
  return nn.gelu(x, approximate);
}

/** Gated linear unit: the halves a, b of x along `axis` (default -1) give a · sigmoid(b). */
export function glu<A extends TensorInput>(x: A, axis = -1): Out<A> {
  return nn.glu(x, axis);
}

/** Hyperbolic tangent. */
export function tanh<A extends TensorInput>(x: A): Out<A> {
  return tanhOp(x) as Out<A>;
}

/** x - tanh(x). */
export function tanhShrink<A extends TensorInput>(x: A): Out<A> {
  return nn.tanhShrink(x);
}

/** x where x > threshold, defaultValue elsewhere (both required, as in Keras). */
export function threshold<A extends TensorInput>(x: A, thresholdValue: number, defaultValue: number): Out<A> {
  finite("threshold", "threshold", thresholdValue);
  finite("threshold", "defaultValue", defaultValue);
  return nn.threshold(x, thresholdValue, defaultValue);
}

/** 1 / (1 + exp(-x)); remembers its logits. */
export function sigmoid<A extends TensorInput>(x: A): Out<A> {
  const t = toAny(x);
  return withLogits(nn.sigmoid(t) as Out<A>, t);
}

/** 0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1. */
export function sparseSigmoid<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("sparseSigmoid", x);
  return clip(multiply(0.5, add(t, 1)), 0, 1) as Out<A>;
}

/** exp(x). */
export function exponential<A extends TensorInput>(x: A): Out<A> {
  return exp(x) as Out<A>;
}

/** 0 for x <= -3, 1 for x >= 3, x / 6 + 1/2 between. */
export function hardSigmoid<A extends TensorInput>(x: A): Out<A> {
  return nn.hardSigmoid(x);
}

/** x · hardSigmoid(x) (also called hard_swish). */
export function hardSilu<A extends TensorInput>(x: A): Out<A> {
  return nn.hardSilu(x);
}

/** Keras's other name of hardSilu (serialized as "hard_silu"). */
export const hardSwish = hardSilu;

/** clip(x, -1, 1). */
export function hardTanh<A extends TensorInput>(x: A): Out<A> {
  return nn.hardTanh(x);
}

/** x where |x| > threshold, 0 elsewhere (default 0.5). */
export function hardShrink<A extends TensorInput>(x: A, threshold = 0.5): Out<A> {
  return nn.hardShrink(x, threshold);
}

/** The identity: returns x unchanged. */
export function linear<A extends TensorInput>(x: A): Out<A> {
  return toAny(x) as Out<A>;
}

/** x · tanh(softplus(x)) (Misra, 2019). */
export function mish<A extends TensorInput>(x: A): Out<A> {
  const t = floatArg("mish", x);
  return multiply(t, tanhOp(nn.softplus(t))) as Out<A>;
}

/** log(sigmoid(x)). */
export function logSigmoid<A extends TensorInput>(x: A): Out<A> {
  return nn.logSigmoid(x);
}
