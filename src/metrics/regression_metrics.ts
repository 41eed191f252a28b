/** Keras's regression metrics (keras/src/metrics/regression_metrics.py). */
import { toTensor } from "../backend/convert.js";
import { isFloat } from "../backend/dtypes.js";
import { normalizeAxis } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import {
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
} from "../losses/losses.js";
import { squeezeOrExpandToSameRank } from "../losses/loss.js";
import { cast, minimum, multiply, rsqrt, square, subtract } from "../ops/elementwise.js";
import { sum } from "../ops/reduction.js";
import { toAny } from "../ops/registry.js";
import type { AnyTensor, TensorInput } from "../ops/types.js";
import { BuiltinMeanMetric } from "./builtin_mean_metric.js";
import { concrete, type MetricArgs } from "./metric.js";
import { Mean } from "./reduction_metrics.js";

/** Keras's backend.epsilon(). */
const EPSILON = 1e-7;

/** Mean of squared errors over every sample seen (Keras's MeanSquaredError). */
export class MeanSquaredError extends BuiltinMeanMetric {
  constructor({ name = "mean_squared_error", dtype }: MetricArgs = {}) {
    super(meanSquaredError, { name, dtype });
  }
}

/** Mean of absolute errors (Keras's MeanAbsoluteError). */
export class MeanAbsoluteError extends BuiltinMeanMetric {
  constructor({ name = "mean_absolute_error", dtype }: MetricArgs = {}) {
    super(meanAbsoluteError, { name, dtype });
  }
}

/** Mean absolute percentage error (Keras's MeanAbsolutePercentageError). */
export class MeanAbsolutePercentageError extends BuiltinMeanMetric {
  constructor({ name = "mean_absolute_percentage_error", dtype }: MetricArgs = {}) {
    super(meanAbsolutePercentageError, { name, dtype });
  }
}

/** Mean squared logarithmic error (Keras's MeanSquaredLogarithmicError). */
export class MeanSquaredLogarithmicError extends BuiltinMeanMetric {
  constructor({ name = "mean_squared_logarithmic_error", dtype }: MetricArgs = {}) {
    super(meanSquaredLogarithmicError, { name, dtype });
  }
}

/**
 * sqrt of the mean squared error over every element seen (Keras's RootMeanSquaredError: a Mean of
 * the element-wise squared errors, so the root is taken of the epoch's mean, not per batch).
 */
export class RootMeanSquaredError extends Mean {
  constructor({ name = "root_mean_squared_error", dtype }: MetricArgs = {}) {
    super({ name, dtype });
  }

  override updateState(
    yTrue: TensorInput,
    yPred: TensorInput = null as never,
    sampleWeight: TensorInput | null = null,
  ): void {
    const who = `RootMeanSquaredError '${this.name}'.updateState`;
    const [t, p] = squeezeOrExpandToSameRank(concrete(yTrue, who, this.dtype), concrete(yPred, who, this.dtype));
    super.updateState(square(subtract(p as Tensor, t as Tensor)), sampleWeight);
  }

  override result(): Tensor {
    return toTensor(Math.sqrt(super.result().data[0]), this.dtype);
  }
}

/** x · min(rsqrt(sum(x², axis)), 1/eps): Keras's ops.normalize with order 2. */
function l2Normalize(x: AnyTensor, axis: number): AnyTensor {
  return multiply(x, minimum(rsqrt(sum(square(x), axis, true)), toTensor(1 / EPSILON, x.dtype)));
}

export interface AxisOptions {
  axis?: number;
}

/** sum(l2_normalize(y_true) · l2_normalize(y_pred), axis): 1 for equal directions (Keras's metric cosine_similarity). */
export function cosineSimilarity(yTrue: TensorInput, yPred: TensorInput, { axis = -1 }: AxisOptions = {}): AnyTensor {
  let p = toAny(yPred);
  if (!isFloat(p.dtype)) p = cast(p, "float32");
  let t = toAny(yTrue);
  if (t.dtype !== p.dtype) t = cast(t, p.dtype);
  [t, p] = squeezeOrExpandToSameRank(t, p);
  const ax = normalizeAxis("metrics.cosineSimilarity", axis, p.shape.length);
  return sum(multiply(l2Normalize(t, ax), l2Normalize(p, ax)), ax);
}

/** Mean cosine similarity between labels and predictions (Keras's CosineSimilarity). */
export class CosineSimilarity extends BuiltinMeanMetric {
  readonly axis: number;

  constructor({ name = "cosine_similarity", dtype, axis = -1 }: MetricArgs & AxisOptions = {}) {
    super(cosineSimilarity, { name, dtype, axis });
    this.axis = axis;
  }
}

/** Mean of log(cosh(y_pred - y_true)) (Keras's LogCoshError, named "logcosh"). */
export class LogCoshError extends BuiltinMeanMetric {
  constructor({ name = "logcosh", dtype }: MetricArgs = {}) {
    super(logCosh, { name, dtype });
  }
}
