/**
 * Keras's accuracy metrics (keras/src/metrics/accuracy_metrics.py): per-sample match functions
 * written with ops (they work on symbolic tensors too) and the MeanMetricWrapper classes over them.
 */
import { isFloat } from "../backend/dtypes.js";
import { cast, equal, greater, isnan, less, where } from "../ops/elementwise.js";
import { takeAlongAxis } from "../ops/indexing.js";
import { argmax, sum } from "../ops/reduction.js";
import { toAny } from "../ops/registry.js";
import { expandDims, reshape, slice, squeeze } from "../ops/shape.js";
import type { AnyTensor, TensorInput } from "../ops/types.js";
import { squeezeOrExpandToSameRank } from "../losses/loss.js";
import { BuiltinMeanMetric } from "./builtin_mean_metric.js";
import type { MetricArgs } from "./metric.js";
import { MeanMetricWrapper } from "./reduction_metrics.js";

function floatPred(yPred: TensorInput): AnyTensor {
  const p = toAny(yPred);
  return isFloat(p.dtype) ? p : cast(p, "float32");
}

function castTo(x: AnyTensor, dtype: AnyTensor["dtype"]): AnyTensor {
  return x.dtype === dtype ? x : cast(x, dtype);
}

/** 1 where y_true equals y_pred exactly, else 0 (Keras's accuracy). */
export function accuracy(yTrue: TensorInput, yPred: TensorInput): AnyTensor {
  const p = toAny(yPred);
  const t = castTo(toAny(yTrue), p.dtype);
  const [t2, p2] = squeezeOrExpandToSameRank(t, p);
  return cast(equal(t2, p2), "float32");
}

export interface ThresholdOptions {
  threshold?: number;
}

/** 1 where y_true equals (y_pred > threshold), else 0 (Keras's binary_accuracy). */
export function binaryAccuracy(
  yTrue: TensorInput,
  yPred: TensorInput,
  { threshold = 0.5 }: ThresholdOptions = {},
): AnyTensor {
  const [t, p] = squeezeOrExpandToSameRank(toAny(yTrue), toAny(yPred));
  return cast(equal(t, cast(greater(p, threshold), t.dtype)), "float32");
}

/** 1 where argmax(y_true) equals argmax(y_pred) along the last axis (Keras's categorical_accuracy). */
export function categoricalAccuracy(yTrue: TensorInput, yPred: TensorInput): AnyTensor {
  const p = floatPred(yPred);
  let t = argmax(toAny(yTrue), -1) as AnyTensor;
  // Keras: labels with one axis more than the predictions keep a trailing 1 after argmax.
  const reshapeTo = t.shape.length === p.shape.length ? t.shape : null;
  if (reshapeTo !== null) t = squeeze(t, -1);
  const matches = cast(equal(t, argmax(p, -1)), "float32");
  return reshapeTo !== null && !reshapeTo.includes(null) ? reshape(matches, reshapeTo as number[]) : matches;
}

/** 1 where the integer label equals argmax(y_pred) along the last axis (Keras's sparse_categorical_accuracy). */
export function sparseCategoricalAccuracy(yTrue: TensorInput, yPred: TensorInput): AnyTensor {
  const p = floatPred(yPred);
  let t = castTo(toAny(yTrue), p.dtype);
  if (t.shape.length === p.shape.length && t.shape[t.shape.length - 1] === 1) t = squeeze(t, -1);
  // Keras reshapes to y_true's shape and then squeezes a trailing 1 again: the result is t's shape.
  let matches = cast(equal(t, cast(argmax(p, -1), t.dtype)), "float32");
  if (matches.shape.length > 1 && matches.shape[matches.shape.length - 1] === 1) matches = squeeze(matches, -1);
  return matches;
}

export interface TopKOptions {
  k?: number;
}

/**
 * Keras's ops.in_top_k: whether each target's score is among the k largest of its row (ties with
 * the k-th count as in; a NaN score counts as -inf). `targets` [N] int, `predictions` [N, C].
 */
function inTopK(targets: AnyTensor, predictions: AnyTensor, k: number): AnyTensor {
  const idx = expandDims(castTo(targets, "int32"), -1);
  let atLabel = takeAlongAxis(predictions, idx, -1);
  atLabel = where(isnan(atLabel), Number.NEGATIVE_INFINITY, atLabel);
  const above = sum(cast(greater(predictions, atLabel), "int32"), -1);
  return less(above, k);
}

function topKMatches(t: AnyTensor, p: AnyTensor, k: number): AnyTensor {
  const classes = p.shape[p.shape.length - 1];
  if (p.shape.length > 2) {
    if (classes === null) throw new Error("topKCategoricalAccuracy: y_pred's last axis must be known.");
    p = reshape(p, [-1, classes]);
  }
  const origShape = t.shape;
  if (origShape.length > 1) t = reshape(t, [-1]);
  const matches = cast(inTopK(t, p, k), "float32");
  return origShape.length > 1 && origShape.every((d) => d !== null) ? reshape(matches, origShape as number[]) : matches;
}

/** 1 where argmax(y_true) is among the top k of y_pred (Keras's top_k_categorical_accuracy). */
export function topKCategoricalAccuracy(
  yTrue: TensorInput,
  yPred: TensorInput,
  { k = 5 }: TopKOptions = {},
): AnyTensor {
  const p = floatPred(yPred);
  return topKMatches(argmax(toAny(yTrue), -1) as AnyTensor, p, k);
}

export interface SparseTopKOptions extends TopKOptions {
  /** y_pred holds class ids sorted by score (best first) instead of scores. */
  fromSortedIds?: boolean;
}

/** 1 where the integer label is among the top k of y_pred (Keras's sparse_top_k_categorical_accuracy). */
export function sparseTopKCategoricalAccuracy(
  yTrue: TensorInput,
  yPred: TensorInput,
  { k = 5, fromSortedIds = false }: SparseTopKOptions = {},
): AnyTensor {
  let p = toAny(yPred);
  let t = toAny(yTrue);
  if (!fromSortedIds) {
    if (!isFloat(p.dtype)) p = cast(p, "float32");
    return topKMatches(castTo(t, "int32"), p, k);
  }
  const classes = p.shape[p.shape.length - 1];
  if (p.shape.length > 2) p = reshape(p, [-1, classes as number]);
  const origShape = t.shape;
  if (origShape.length > 1) t = reshape(t, [-1]);
  // Any of the first k ids equal to the label.
  const firstK = slice(p, [0, 0], [-1, classes === null ? k : Math.min(k, classes)]);
  const hits = sum(cast(equal(castTo(expandDims(t, -1), p.dtype), firstK), "int32"), -1);
  const matches = cast(greater(hits, 0), "float32");
  return origShape.length > 1 && origShape.every((d) => d !== null) ? reshape(matches, origShape as number[]) : matches;
}

/** How often predictions equal labels exactly (Keras's Accuracy). */
export class Accuracy extends BuiltinMeanMetric {
  constructor({ name = "accuracy", dtype }: MetricArgs = {}) {
    super(accuracy, { name, dtype });
  }
}

/** How often y_pred > threshold matches binary labels (Keras's BinaryAccuracy). */
export class BinaryAccuracy extends BuiltinMeanMetric {
  readonly threshold: number;

  constructor({ name = "binary_accuracy", dtype, threshold = 0.5 }: MetricArgs & ThresholdOptions = {}) {
    super(binaryAccuracy, { name, dtype, threshold });
    this.threshold = threshold;
  }
}

/** How often argmax(y_pred) matches one-hot labels (Keras's CategoricalAccuracy). */
export class CategoricalAccuracy extends BuiltinMeanMetric {
  constructor({ name = "categorical_accuracy", dtype }: MetricArgs = {}) {
    super(categoricalAccuracy, { name, dtype });
  }
}

/** How often argmax(y_pred) matches integer labels (Keras's SparseCategoricalAccuracy). */
export class SparseCategoricalAccuracy extends BuiltinMeanMetric {
  constructor({ name = "sparse_categorical_accuracy", dtype }: MetricArgs = {}) {
    super(sparseCategoricalAccuracy, { name, dtype });
  }
}

/** How often the one-hot label is among the top k predictions (Keras's TopKCategoricalAccuracy). */
export class TopKCategoricalAccuracy extends BuiltinMeanMetric {
  readonly k: number;

  constructor({ k = 5, name = "top_k_categorical_accuracy", dtype }: MetricArgs & TopKOptions = {}) {
    super(topKCategoricalAccuracy, { name, dtype, k });
    this.k = k;
  }
}

/** How often the integer label is among the top k predictions (Keras's SparseTopKCategoricalAccuracy). */
export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;
  readonly fromSortedIds: boolean;

  constructor({
    k = 5,
    name = "sparse_top_k_categorical_accuracy",
    dtype,
    fromSortedIds = false,
  }: MetricArgs & SparseTopKOptions = {}) {
    super(sparseTopKCategoricalAccuracy, { name, dtype, k, fromSortedIds });
    this.k = k;
    this.fromSortedIds = fromSortedIds;
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, dtype: this.dtype, k: this.k };
    if (this.fromSortedIds) config.fromSortedIds = true;
    return config;
  }
}
