import { castTensor } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import { broadcastTo, reshape } from "../ops/shape.js";
import { multiply } from "../ops/elementwise.js";
import { mean, sum } from "../ops/reduction.js";
import { convertToTensor } from "../ops/creation.js";
import type { AnyTensor, TensorInput } from "../ops/types.js";
import { Metric, type MetricArgs } from "./metric.js";

/**
 * Keras's reduce_to_samplewise_values: weights broadcast against the values, and values of rank > 1
 * averaged down to one value per sample (weights likewise).
 */
export function samplewise(values: Tensor, sampleWeight: Tensor | null): [Tensor, Tensor | null] {
  let v = castTensor(values, "float32");
  let w = sampleWeight ? castTensor(sampleWeight, "float32") : null;
  if (w) {
    while (w.rank > v.rank && w.shape[w.rank - 1] === 1) w = reshape(w, w.shape.slice(0, -1)) as Tensor;
    while (w.rank < v.rank) w = reshape(w, [...w.shape, 1]) as Tensor;
    w = broadcastTo(w, v.shape) as Tensor;
    v = multiply(v, w) as Tensor;
  }
  if (v.rank > 1) {
    const axes = Array.from({ length: v.rank - 1 }, (_, i) => i + 1);
    v = mean(v, axes) as Tensor;
    if (w) w = mean(w, axes) as Tensor;
  }
  return [v, w];
}

/** Weighted sum of the values seen (Keras's Sum). */
export class Sum extends Metric {
  readonly total;

  constructor(args: MetricArgs = {}) {
    super(args);
    this.total = this.addVariable([], "total");
  }

  updateState(values: TensorInput, sampleWeight: TensorInput | null = null): void {
    const [v] = samplewise(
      convertToTensor(values as never),
      sampleWeight === null ? null : convertToTensor(sampleWeight as never),
    );
    this.total.assignAdd(sum(v) as Tensor);
  }

  result(): Tensor {
    return this.total.peek();
  }
}

/** Weighted mean of the values seen over every update (Keras's Mean). */
export class Mean extends Metric {
  readonly total;
  readonly count;

  constructor(args: MetricArgs = {}) {
    super(args);
    this.total = this.addVariable([], "total");
    this.count = this.addVariable([], "count");
  }

  updateState(values: TensorInput, sampleWeight: TensorInput | null = null): void {
    const [v, w] = samplewise(
      convertToTensor(values as never),
      sampleWeight === null ? null : convertToTensor(sampleWeight as never),
    );
    this.total.assignAdd(sum(v) as Tensor);
    this.count.assignAdd(w ? (sum(w) as Tensor) : v.rank >= 1 ? v.shape[0] : 1);
  }

  result(): Tensor {
    const c = this.count.peek().data[0];
    return convertToTensor(c === 0 ? 0 : this.total.peek().data[0] / c);
  }
}

/** A function of (yTrue, yPred) giving per-sample values, averaged as a Mean (Keras's MeanMetricWrapper). */
export class MeanMetricWrapper extends Mean {
  readonly fn: (yTrue: AnyTensor, yPred: AnyTensor, kwargs?: Record<string, unknown>) => AnyTensor;
  readonly kwargs: Record<string, unknown>;

  constructor(
    fn: (yTrue: AnyTensor, yPred: AnyTensor, kwargs?: Record<string, unknown>) => AnyTensor,
    args: MetricArgs & Record<string, unknown> = {},
  ) {
    const { name, dtype, ...kwargs } = args;
    super({ name: (name as string | undefined) ?? fn.name, dtype: dtype as MetricArgs["dtype"] });
    this.fn = fn;
    this.kwargs = kwargs;
  }

  override updateState(
    yTrue: TensorInput,
    yPred: TensorInput = null as never,
    sampleWeight: TensorInput | null = null,
  ): void {
    const values = this.fn(convertToTensor(yTrue as never), convertToTensor(yPred as never), this.kwargs) as Tensor;
    super.updateState(values, sampleWeight);
  }
}
