/**
 * Keras 3's loss functions and classes (keras/src/losses/losses.py). Functions return per-sample
 * values (the last axis, or `axis`, reduced); classes wrap them and reduce over the batch. Written
 * with ops only, so that training differentiates them.
 */
import { isCapturing } from "../backend/trace.js";
import { toTensor } from "../backend/convert.js";
import { isFloat } from "../backend/dtypes.js";
import { normalizeAxis, type SpecShape, shapeToString } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { onesLike } from "../ops/creation.js";
import {
  abs,
  add,
  cast,
  clip,
  divide,
  equal,
  lessEqual,
  log,
  logicalOr,
  maximum,
  minimum,
  multiply,
  negative,
  notEqual,
  power,
  rsqrt,
  square,
  subtract,
  where,
} from "../ops/elementwise.js";
import { sigmoid, softplus } from "../ops/nn/activations.js";
import * as nnLosses from "../ops/nn/losses.js";
import { all, max, mean, sum } from "../ops/reduction.js";
import { toAny } from "../ops/registry.js";
import { squeeze } from "../ops/shape.js";
import type { AnyTensor, Out, TensorInput } from "../ops/types.js";
import { camelToSnake, snakeToCamel } from "../utils/naming.js";
import { Loss, type LossArgs, setLossMask, squeezeOrExpandToSameRank } from "./loss.js";

/** Keras's backend.epsilon(). */
const EPSILON = 1e-7;

/** A constant in `like`'s dtype (plain numbers would be rounded to float32 next to float64 tensors). */
function c(value: number, like: AnyTensor): Tensor {
  return toTensor(value, like.dtype);
}

function compatible(a: SpecShape, b: SpecShape): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/**
 * y_pred as a float tensor (int/bool become float32), y_true cast to its dtype, ranks matched as
 * Keras does; with `sameShape`, both must then have the same shape (nothing is silently broadcast).
 */
function prepare(fn: string, yTrue: TensorInput, yPred: TensorInput, sameShape = true): [AnyTensor, AnyTensor] {
  let p = toAny(yPred);
  if (!isFloat(p.dtype)) p = cast(p, "float32");
  let t = toAny(yTrue);
  if (t.dtype !== p.dtype) t = cast(t, p.dtype);
  [t, p] = squeezeOrExpandToSameRank(t, p);
  if (sameShape && !compatible(t.shape, p.shape)) {
    throw new Error(
      `losses.${fn}: y_true and y_pred must have the same shape, received y_true ${shapeToString(t.shape)} and y_pred ${shapeToString(p.shape)}.`,
    );
  }
  if (p.shape.length === 0) {
    throw new Error(`losses.${fn}: y_pred must have at least one axis (samples or features), received a scalar.`);
  }
  return [t, p];
}

// ------------------------------------------------------------------------------- regression

/** mean(square(y_true - y_pred), axis=-1). */
export function meanSquaredError<A extends TensorInput, B extends TensorInput>(yTrue: A, yPred: B): Out<A | B> {
  const [t, p] = prepare("meanSquaredError", yTrue, yPred);
  return mean(square(subtract(t, p)), -1) as Out<A | B>;
}

/** mean(abs(y_true - y_pred), axis=-1). */
export function meanAbsoluteError<A extends TensorInput, B extends TensorInput>(yTrue: A, yPred: B): Out<A | B> {
  const [t, p] = prepare("meanAbsoluteError", yTrue, yPred);
  return mean(abs(subtract(t, p)), -1) as Out<A | B>;
}

/** 100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1). */
export function meanAbsolutePercentageError<A extends TensorInput, B extends TensorInput>(
  yTrue: A,
  yPred: B,
): Out<A | B> {
  const [t, p] = prepare("meanAbsolutePercentageError", yTrue, yPred);
  const diff = abs(divide(subtract(t, p), maximum(abs(t), c(EPSILON, p))));
  return multiply(c(100, p), mean(diff, -1)) as Out<A | B>;
}

/** mean(square(log(maximum(y_pred, eps) + 1) - log(maximum(y_true, eps) + 1)), axis=-1). */
export function meanSquaredLogarithmicError<A extends TensorInput, B extends TensorInput>(
  yTrue: A,
  yPred: B,
): Out<A | B> {
  const [t, p] = prepare("meanSquaredLogarithmicError", yTrue, yPred);
  const eps = c(EPSILON, p);
  const first = log(add(maximum(p, eps), 1));
  const second = log(add(maximum(t, eps), 1));
  return mean(square(subtract(first, second)), -1) as Out<A | B>;
}

/** x * minimum(rsqrt(sum(x², axis)), 1/eps): Keras's ops.normalize with order 2. */
function l2Normalize(x: AnyTensor, axis: number): AnyTensor {
  const inv = minimum(rsqrt(sum(square(x), axis, true)), c(1 / EPSILON, x));
  return multiply(x, inv);
}

export interface AxisOptions {
  axis?: number;
}

/** -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for equal directions, 0 for orthogonal. */
export function cosineSimilarity<A extends TensorInput, B extends TensorInput>(
  yTrue: A,
  yPred: B,
  { axis = -1 }: AxisOptions = {},
): Out<A | B> {
  const [t, p] = prepare("cosineSimilarity", yTrue, yPred);
  const ax = normalizeAxis("losses.cosineSimilarity", axis, p.shape.length);
  return negative(sum(multiply(l2Normalize(t, ax), l2Normalize(p, ax)), ax)) as Out<A | B>;
}

export interface HuberOptions {
  delta?: number;
}

/** mean(0.5·e² where |e| <= delta, else delta·|e| - 0.5·delta², axis=-1), e = y_pred - y_true. */
export function huber<A extends TensorInput, B extends TensorInput>(
  yTrue: A,
  yPred: B,
  { delta = 1.0 }: HuberOptions = {},
): Out<A | B> {
  const [t, p] = prepare("huber", yTrue, yPred);
  const d = c(delta, p);
  const half = c(0.5, p);
  const error = subtract(p, t);
  const absError = abs(error);
  const quadratic = multiply(half, square(error));
  const linear = subtract(multiply(d, absError), multiply(half, square(d)));
  return mean(where(lessEqual(absError, d), quadratic, linear), -1) as Out<A | B>;
}

/** mean(log(cosh(y_pred - y_true)), axis=-1), computed as x + softplus(-2x) - log(2). */
export function logCosh<A extends TensorInput, B extends TensorInput>(yTrue: A, yPred: B): Out<A | B> {
  const [t, p] = prepare("logCosh", yTrue, yPred);
  const x = subtract(p, t);
  const lc = subtract(add(x, softplus(multiply(x, c(-2, p)))), c(Math.log(2), p));
  return mean(lc, -1) as Out<A | B>;
}

// ---------------------------------------------------------------------------- probabilistic

/** sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [eps, 1]. */
export function klDivergence<A extends TensorInput, B extends TensorInput>(yTrue: A, yPred: B): Out<A | B> {
  const [t0, p0] = prepare("klDivergence", yTrue, yPred);
  const t = clip(t0, EPSILON, 1);
  const p = clip(p0, EPSILON, 1);
  return sum(multiply(t, log(divide(t, p))), -1) as Out<A | B>;
}

/** mean(y_pred - y_true * log(y_pred + eps), axis=-1). */
export function poisson<A extends TensorInput, B extends TensorInput>(yTrue: A, yPred: B): Out<A | B> {
  const [t, p] = prepare("poisson", yTrue, yPred);
  return mean(subtract(p, multiply(t, log(add(p, c(EPSILON, p))))), -1) as Out<A | B>;
}

export interface CrossentropyOptions {
  fromLogits?: boolean;
  labelSmoothing?: number;
  axis?: number;
}

function checkSmoothing(fn: string, labelSmoothing: number): void {
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`losses.${fn}: labelSmoothing must be in [0, 1], received ${labelSmoothing}.`);
  }
}

/** Binary labels squeezed towards 0.5: y·(1 - s) + 0.5·s. */
function smoothBinary(t: AnyTensor, s: number): AnyTensor {
  return s ? add(multiply(t, c(1 - s, t)), c(0.5 * s, t)) : t;
}

/**
 * mean over `axis` of the element-wise binary crossentropy (ops.binaryCrossentropy), with labels
 * smoothed towards 0.5 by `labelSmoothing`.
 */
export function binaryCrossentropy<A extends TensorInput, B extends TensorInput>(
  yTrue: A,
  yPred: B,
  { fromLogits = false, labelSmoothing = 0, axis = -1 }: CrossentropyOptions = {},
): Out<A | B> {
  checkSmoothing("binaryCrossentropy", labelSmoothing);
  const [t0, p] = prepare("binaryCrossentropy", yTrue, yPred);
  const t = smoothBinary(t0, labelSmoothing);
  return mean(nnLosses.binaryCrossentropy(t, p, fromLogits), axis) as Out<A | B>;
}

export interface BinaryFocalOptions extends CrossentropyOptions {
  applyClassBalancing?: boolean;
  alpha?: number;
  gamma?: number;
}

/**
 * Binary crossentropy times the focal factor (1 - p_t)^gamma, p_t = y·p + (1 - y)(1 - p); with
 * `applyClassBalancing`, also times alpha (class 1) or 1 - alpha (class 0). Mean over `axis`.
 */
export function binaryFocalCrossentropy<A extends TensorInput, B extends TensorInput>(
  yTrue: A,
  yPred: B,
  {
    applyClassBalancing = false,
    alpha = 0.25,
    gamma = 2.0,
    fromLogits = false,
    labelSmoothing = 0,
    axis = -1,
  }: BinaryFocalOptions = {},
): Out<A | B> {
  checkSmoothing("binaryFocalCrossentropy", labelSmoothing);
  const [t0, p0] = prepare("binaryFocalCrossentropy", yTrue, yPred);
  const t = smoothBinary(t0, labelSmoothing);
  const p = fromLogits ? sigmoid(p0) : p0;
  const bce = nnLosses.binaryCrossentropy(t, p, false);
  const one = c(1, p);
  const pT = add(multiply(t, p), multiply(subtract(one, t), subtract(one, p)));
  let focal = multiply(power(subtract(one, pT), c(gamma, p)), bce);
  if (applyClassBalancing) {
    const weight = add(multiply(t, c(alpha, p)), multiply(subtract(one, t), c(1 - alpha, p)));
    focal = multiply(weight, focal);
  }
  return mean(focal, axis) as Out<A | B>;
}

/**
 * Crossentropy of one-hot (or soft) labels along `axis` (ops.categoricalCrossentropy), labels
 * smoothed as y·(1 - s) + s / classes.
 */
export function categoricalCrossentropy<A extends TensorInput, B extends TensorInput>(
  yTrue: A,
  yPred: B,
  { fromLogits = false, labelSmoothing = 0, axis = -1 }: CrossentropyOptions = {},
): Out<A | B> {
  checkSmoothing("categoricalCrossentropy", labelSmoothing);
  const [t0, p] = prepare("categoricalCrossentropy", yTrue, yPred);
  const ax = normalizeAxis("losses.categoricalCrossentropy", axis, p.shape.length);
  let t = t0;
  if (labelSmoothing) {
    const n = t.shape[ax];
    const classes = n !== null ? c(n, p) : sum(onesLike(t), ax, true);
    t = add(multiply(t, c(1 - labelSmoothing, p)), divide(c(labelSmoothing, p), classes));
  }
  return nnLosses.categoricalCrossentropy(t, p, fromLogits, ax) as Out<A | B>;
}

export interface SparseCrossentropyOptions {
  fromLogits?: boolean;
  /** A class index whose samples are left out (loss 0, masked out of the mean), e.g. a "void" class. */
  ignoreClass?: number | null;
  axis?: number;
}

/**
 * Crossentropy of integer labels (shape of y_pred without `axis`, or with a trailing 1) along
 * `axis` (ops.sparseCategoricalCrossentropy). Samples labelled `ignoreClass` get 0 and a mask, so
 * that the class's reduction averages over the others.
 */
export function sparseCategoricalCrossentropy<A extends TensorInput, B extends TensorInput>(
  yTrue: A,
  yPred: B,
  { fromLogits = false, ignoreClass = null, axis = -1 }: SparseCrossentropyOptions = {},
): Out<A | B> {
  let p = toAny(yPred);
  if (!isFloat(p.dtype)) p = cast(p, "float32");
  let t = toAny(yTrue);
  if (t.shape.length === p.shape.length && t.shape[t.shape.length - 1] === 1) t = squeeze(t, -1);
  if (ignoreClass === null || ignoreClass === undefined) {
    return nnLosses.sparseCategoricalCrossentropy(t, p, fromLogits, axis) as Out<A | B>;
  }
  const valid = notEqual(t, ignoreClass);
  // Ignored labels become class 0 so that the lookup is valid; their values are then replaced by 0.
  // (Keras also zeroes y_pred there; leaving it keeps the gradient finite for probabilities.)
  t = where(valid, t, 0);
  const res = where(valid, nnLosses.sparseCategoricalCrossentropy(t, p, fromLogits, axis), 0);
  setLossMask(res, valid);
  return res as Out<A | B>;
}

// ------------------------------------------------------------------------------------ hinge

/** Labels in {0, 1} become {-1, 1} (Keras's convert_binary_labels_to_hinge); other labels stay. */
function hingeLabels(t: AnyTensor): AnyTensor {
  const converted = subtract(multiply(t, c(2, t)), c(1, t));
  // Decided in JavaScript when eager; with ops while a trace is captured (the labels of later
  // batches may be either kind).
  if (t instanceof Tensor && !isCapturing()) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0 && d[i] !== 1) return t;
    return converted;
  }
  const binary = all(logicalOr(equal(t, 0), equal(t, 1)));
  return where(binary, converted, t);
}

/** mean(maximum(1 - y_true·y_pred, 0), axis=-1); labels in {-1, 1} (or {0, 1}, converted). */
export function hinge<A extends TensorInput, B extends TensorInput>(yTrue: A, yPred: B): Out<A | B> {
  const [t0, p] = prepare("hinge", yTrue, yPred);
  const t = hingeLabels(t0);
  return mean(maximum(subtract(c(1, p), multiply(t, p)), c(0, p)), -1) as Out<A | B>;
}

/** mean(square(maximum(1 - y_true·y_pred, 0)), axis=-1). */
export function squaredHinge<A extends TensorInput, B extends TensorInput>(yTrue: A, yPred: B): Out<A | B> {
  const [t0, p] = prepare("squaredHinge", yTrue, yPred);
  const t = hingeLabels(t0);
  return mean(square(maximum(subtract(c(1, p), multiply(t, p)), c(0, p))), -1) as Out<A | B>;
}

/** maximum(neg - pos + 1, 0), pos = sum(y_true·y_pred), neg = max((1 - y_true)·y_pred), along the last axis. */
export function categoricalHinge<A extends TensorInput, B extends TensorInput>(yTrue: A, yPred: B): Out<A | B> {
  const [t, p] = prepare("categoricalHinge", yTrue, yPred);
  const pos = sum(multiply(t, p), -1);
  const neg = max(multiply(subtract(c(1, p), t), p), -1);
  return maximum(add(subtract(neg, pos), c(1, p)), c(0, p)) as Out<A | B>;
}

// Keras's short names.
export { meanSquaredError as mse, meanAbsoluteError as mae };
export { meanAbsolutePercentageError as mape, meanSquaredLogarithmicError as msle };
export { klDivergence as kld };

// ---------------------------------------------------------------------------------- classes

/** A per-sample loss function: `(yTrue, yPred, options) => values of shape [batch, ...]`. */
// biome-ignore lint/suspicious/noExplicitAny: options differ per function.
export type LossFn = (yTrue: AnyTensor, yPred: AnyTensor, options?: any) => AnyTensor;

export interface LossFunctionWrapperArgs extends LossArgs {
  /** Passed to `fn` as its options object. */
  [option: string]: unknown;
}

/**
 * A Loss computing its per-sample values with a function (Keras's LossFunctionWrapper): ranks of
 * y_true and y_pred are matched first, then `fn(yTrue, yPred, options)` runs with the extra options.
 */
export class LossFunctionWrapper extends Loss {
  readonly fn: LossFn;
  readonly fnOptions: Record<string, unknown>;

  constructor(fn: LossFn, args: LossFunctionWrapperArgs = {}) {
    const { name, reduction, dtype, ...options } = args;
    super({ name: (name as string | undefined) ?? (fn.name || undefined), reduction, dtype } as LossArgs);
    this.fn = fn;
    this.fnOptions = options;
  }

  call(yTrue: AnyTensor, yPred: AnyTensor): AnyTensor {
    const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
    return this.fn(t, p, this.fnOptions);
  }

  /** Keras's config: name, reduction, `fn` (see serialize in index.ts) and the options in snake_case. */
  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), fn: this.fn };
    for (const [k, v] of Object.entries(this.fnOptions)) config[camelToSnake(k)] = v;
    return config;
  }

  /** From a config whose `fn` is already a function (deserialize in index.ts resolves it). */
  // biome-ignore lint/suspicious/noExplicitAny: subclasses take their own options.
  static override fromConfig<T extends Loss>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    // biome-ignore lint/complexity/noThisInStatic: subclasses (MeanSquaredError...) take options, not a function.
    if ((this as unknown) !== LossFunctionWrapper) return Loss.fromConfig.call(this, config) as T;
    const { fn, ...rest } = config;
    if (typeof fn !== "function") {
      throw new TypeError(
        `LossFunctionWrapper.fromConfig: config.fn must be a function, received ${JSON.stringify(fn)}.`,
      );
    }
    const args: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rest)) args[snakeToCamel(k)] = v;
    return new this(fn, args);
  }
}

/** @inline */
type BaseArgs = Omit<LossArgs, never>;

/**
 * Keras's loss classes (MeanSquaredError...): the function is implied by the class, so the config is
 * the name, the reduction and the options (snake_case keys, in the order the constructor passes them).
 */
class BuiltinLoss extends LossFunctionWrapper {
  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, reduction: this.reduction };
    for (const [k, v] of Object.entries(this.fnOptions)) config[camelToSnake(k)] = v;
    return config;
  }
}

/** Computes the mean of squares of errors between labels and predictions. */
export class MeanSquaredError extends BuiltinLoss {
  constructor({ name = "mean_squared_error", reduction, dtype }: BaseArgs = {}) {
    super(meanSquaredError, { name, reduction, dtype });
  }
}

/** Computes the mean of absolute difference between labels and predictions. */
export class MeanAbsoluteError extends BuiltinLoss {
  constructor({ name = "mean_absolute_error", reduction, dtype }: BaseArgs = {}) {
    super(meanAbsoluteError, { name, reduction, dtype });
  }
}

/** Computes the mean absolute percentage error between labels and predictions. */
export class MeanAbsolutePercentageError extends BuiltinLoss {
  constructor({ name = "mean_absolute_percentage_error", reduction, dtype }: BaseArgs = {}) {
    super(meanAbsolutePercentageError, { name, reduction, dtype });
  }
}

/** Computes the mean squared logarithmic error between labels and predictions. */
export class MeanSquaredLogarithmicError extends BuiltinLoss {
  constructor({ name = "mean_squared_logarithmic_error", reduction, dtype }: BaseArgs = {}) {
    super(meanSquaredLogarithmicError, { name, reduction, dtype });
  }
}

/**
 * Computes the (negated) cosine similarity between labels and predictions along `axis`. Its config
 * keeps `axis`, which Keras's get_config leaves out (lost on reload there).
 */
export class CosineSimilarity extends BuiltinLoss {
  constructor({ axis = -1, name = "cosine_similarity", reduction, dtype }: BaseArgs & AxisOptions = {}) {
    super(cosineSimilarity, { name, reduction, dtype, axis });
  }
}

/**
 * Computes the Huber loss between labels and predictions. Its config keeps `delta`, which Keras's
 * get_config leaves out (lost on reload there).
 */
export class Huber extends BuiltinLoss {
  constructor({ delta = 1.0, name = "huber_loss", reduction, dtype }: BaseArgs & HuberOptions = {}) {
    super(huber, { name, reduction, dtype, delta });
  }
}

/** Computes the logarithm of the hyperbolic cosine of the prediction error. */
export class LogCosh extends BuiltinLoss {
  constructor({ name = "log_cosh", reduction, dtype }: BaseArgs = {}) {
    super(logCosh, { name, reduction, dtype });
  }
}

/** Computes the hinge loss between labels (-1/1 or 0/1) and predictions. */
export class Hinge extends BuiltinLoss {
  constructor({ name = "hinge", reduction, dtype }: BaseArgs = {}) {
    super(hinge, { name, reduction, dtype });
  }
}

/** Computes the squared hinge loss between labels (-1/1 or 0/1) and predictions. */
export class SquaredHinge extends BuiltinLoss {
  constructor({ name = "squared_hinge", reduction, dtype }: BaseArgs = {}) {
    super(squaredHinge, { name, reduction, dtype });
  }
}

/** Computes the categorical hinge loss between one-hot labels and predictions. */
export class CategoricalHinge extends BuiltinLoss {
  constructor({ name = "categorical_hinge", reduction, dtype }: BaseArgs = {}) {
    super(categoricalHinge, { name, reduction, dtype });
  }
}

/** Computes the Kullback-Leibler divergence between labels and predictions. */
export class KLDivergence extends BuiltinLoss {
  constructor({ name = "kl_divergence", reduction, dtype }: BaseArgs = {}) {
    super(klDivergence, { name, reduction, dtype });
  }
}

/** Computes the Poisson loss between labels and predictions. */
export class Poisson extends BuiltinLoss {
  constructor({ name = "poisson", reduction, dtype }: BaseArgs = {}) {
    super(poisson, { name, reduction, dtype });
  }
}

/** Computes the crossentropy between binary labels and predicted probabilities (or logits). */
export class BinaryCrossentropy extends BuiltinLoss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor({
    fromLogits = false,
    labelSmoothing = 0,
    axis = -1,
    name = "binary_crossentropy",
    reduction,
    dtype,
  }: BaseArgs & CrossentropyOptions = {}) {
    checkSmoothing("BinaryCrossentropy", labelSmoothing);
    super(binaryCrossentropy, { name, reduction, dtype, fromLogits, labelSmoothing, axis });
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }
}

/** Computes the focal crossentropy between binary labels and predictions. */
export class BinaryFocalCrossentropy extends BuiltinLoss {
  readonly applyClassBalancing: boolean;
  readonly alpha: number;
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor({
    applyClassBalancing = false,
    alpha = 0.25,
    gamma = 2.0,
    fromLogits = false,
    labelSmoothing = 0,
    axis = -1,
    name = "binary_focal_crossentropy",
    reduction,
    dtype,
  }: BaseArgs & BinaryFocalOptions = {}) {
    checkSmoothing("BinaryFocalCrossentropy", labelSmoothing);
    // Options in Keras's config order.
    super(binaryFocalCrossentropy, {
      name,
      reduction,
      dtype,
      fromLogits,
      labelSmoothing,
      axis,
      applyClassBalancing,
      alpha,
      gamma,
    });
    this.applyClassBalancing = applyClassBalancing;
    this.alpha = alpha;
    this.gamma = gamma;
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }
}

/** Computes the crossentropy between one-hot labels and predicted probabilities (or logits). */
export class CategoricalCrossentropy extends BuiltinLoss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;

  constructor({
    fromLogits = false,
    labelSmoothing = 0,
    axis = -1,
    name = "categorical_crossentropy",
    reduction,
    dtype,
  }: BaseArgs & CrossentropyOptions = {}) {
    checkSmoothing("CategoricalCrossentropy", labelSmoothing);
    super(categoricalCrossentropy, { name, reduction, dtype, fromLogits, labelSmoothing, axis });
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }
}

/** Computes the crossentropy between integer labels and predicted probabilities (or logits). */
export class SparseCategoricalCrossentropy extends BuiltinLoss {
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;
  readonly axis: number;

  constructor({
    fromLogits = false,
    ignoreClass = null,
    axis = -1,
    name = "sparse_categorical_crossentropy",
    reduction,
    dtype,
  }: BaseArgs & SparseCrossentropyOptions = {}) {
    super(sparseCategoricalCrossentropy, { name, reduction, dtype, fromLogits, ignoreClass, axis });
    this.fromLogits = fromLogits;
    this.ignoreClass = ignoreClass;
    this.axis = axis;
  }
  /** Keras's keys; `axis` (not an argument of Keras's class) only when it is not -1. */
  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      name: this.name,
      reduction: this.reduction,
      from_logits: this.fromLogits,
      ignore_class: this.ignoreClass,
    };
    if (this.axis !== -1) config.axis = this.axis;
    return config;
  }
}
