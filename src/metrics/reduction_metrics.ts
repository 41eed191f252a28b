/** Keras's reduction metrics (keras/src/metrics/reduction_metrics.py): Sum, Mean, MeanMetricWrapper. */
import { castTensor, toTensor } from "../backend/convert.js";
import type { DType } from "../backend/dtypes.js";
import type { Tensor } from "../backend/tensor.js";
import { multiply } from "../ops/elementwise.js";
import { mean, sum } from "../ops/reduction.js";
import { broadcastTo } from "../ops/shape.js";
import type { AnyTensor, TensorInput } from "../ops/types.js";
import { getMask } from "../layers/mask.js";
import { applyMask, squeezeOrExpandToSameRank } from "../losses/loss.js";
import { concrete, Metric, type MetricArgs } from "./metric.js";

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Keras's reduce_to_samplewise_values: the values' mask (if any) joins the sample weights, the
 * weights are matched in rank and broadcast against the values, and both are reduced (`reduce`:
 * "sum" for Sum, "mean" for Mean) to one value per sample.
 */
export function reduceToSamplewiseValues(
  values: Tensor,
  sampleWeight: Tensor | null,
  reduce: "sum" | "mean" = "mean",
  dtype: DType = "float32",
  mask: AnyTensor | null = getMask(values),
): [Tensor, Tensor | null] {
  const fn = reduce === "sum" ? sum : mean;
  let v = castTensor(values, dtype);
  let w = sampleWeight === null ? null : castTensor(sampleWeight, dtype);
  if (w !== null) {
    if (mask !== null) w = applyMask(w, mask, dtype, "sum") as Tensor;
    [v, w] = squeezeOrExpandToSameRank(v, w) as [Tensor, Tensor];
    const wn = w.rank;
    if (v.rank > wn) v = fn(v, range(wn, v.rank)) as Tensor;
    w = broadcastTo(w, v.shape) as Tensor;
    v = multiply(v, w) as Tensor;
    if (wn > 1) w = fn(w, range(1, wn)) as Tensor;
  }
  if (v.rank > 1) v = fn(v, range(1, v.rank)) as Tensor;
  return [v, w];
}

/** reduceToSamplewiseValues with the mean (as Mean and MeanMetricWrapper use it). */
export function samplewise(
  values: Tensor,
  sampleWeight: Tensor | null,
  dtype: DType = "float32",
): [Tensor, Tensor | null] {
  return reduceToSamplewiseValues(values, sampleWeight, "mean", dtype);
}

function sumOf(t: Tensor): number {
  const d = t.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  return s;
}

/** Weighted sum of the values seen (Keras's Sum): one variable, `total`. */
export class Sum extends Metric {
  readonly total;

  constructor({ name = "sum", dtype }: MetricArgs = {}) {
    super({ name, dtype });
    this.total = this.addVariable([], "total");
  }

  updateState(values: TensorInput, sampleWeight: TensorInput | null = null): void {
    const who = `Sum '${this.name}'.updateState`;
    const v0 = concrete(values, who, this.dtype);
    const w0 = sampleWeight === null ? null : concrete(sampleWeight, who, this.dtype);
    const [v] = reduceToSamplewiseValues(v0, w0, "sum", this.dtype, getMask(values));
    this.total.assignAdd(sumOf(v));
  }

  result(): Tensor {
    return this.total.peek();
  }
}

/** Weighted mean of the values seen over every update (Keras's Mean): `total / count`. */
export class Mean extends Metric {
  readonly total;
  readonly count;

  constructor({ name = "mean", dtype }: MetricArgs = {}) {
    super({ name, dtype });
    this.total = this.addVariable([], "total");
    this.count = this.addVariable([], "count");
  }

  updateState(values: TensorInput, sampleWeight: TensorInput | null = null): void {
    const who = `${this.constructor.name} '${this.name}'.updateState`;
    const v0 = concrete(values, who, this.dtype);
    const w0 = sampleWeight === null ? null : concrete(sampleWeight, who, this.dtype);
    const [v, w] = reduceToSamplewiseValues(v0, w0, "mean", this.dtype, getMask(values));
    this.total.assignAdd(sumOf(v));
    this.count.assignAdd(w !== null ? sumOf(w) : v.rank >= 1 ? v.shape[0] : 1);
  }

  /** total / count, 0 before any sample (Keras's divide_no_nan). */
  result(): Tensor {
    const c = this.count.peek().data[0];
    return toTensor(c === 0 ? 0 : this.total.peek().data[0] / c, this.dtype);
  }
}

/** A metric function: `(yTrue, yPred, options?) => one value per sample`. */
// biome-ignore lint/suspicious/noExplicitAny: options differ per function.
export type MetricFn = (yTrue: AnyTensor, yPred: AnyTensor, options?: any) => AnyTensor;

/**
 * A function of (yTrue, yPred) giving per-sample values, averaged over every sample seen as a Mean
 * (Keras's MeanMetricWrapper). Extra options are passed to `fn` as its options object; a mask
 * carried by y_pred multiplies the sample weights.
 */
export class MeanMetricWrapper extends Mean {
  readonly fn: MetricFn;
  readonly fnOptions: Record<string, unknown>;

  constructor(fn: MetricFn, args: MetricArgs & Record<string, unknown> = {}) {
    const { name, dtype, ...options } = args;
    super({ name: (name as string | undefined) ?? (fn.name || "mean_metric_wrapper"), dtype });
    this.fn = fn;
    this.fnOptions = options;
  }

  override updateState(
    yTrue: TensorInput,
    yPred: TensorInput = null as never,
    sampleWeight: TensorInput | null = null,
  ): void {
    const who = `${this.constructor.name} '${this.name}'.updateState`;
    const mask = getMask(yPred);
    const t = concrete(yTrue, who);
    const p = concrete(yPred, who);
    const values = this.fn(t, p, this.fnOptions);
    const w = sampleWeight === null ? null : concrete(sampleWeight, who, this.dtype);
    const merged = applyMask(w, mask === null ? null : concrete(mask, who), this.dtype, "sum");
    super.updateState(values as Tensor, merged as Tensor | null);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), fn: this.fn, ...this.fnOptions };
  }

  // biome-ignore lint/suspicious/noExplicitAny: subclasses take options, not a function.
  static override fromConfig<T extends Metric>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    // biome-ignore lint/complexity/noThisInStatic: subclasses (Accuracy, ...) take options only.
    if ((this as unknown) !== MeanMetricWrapper) return new this(config);
    const { fn, ...rest } = config;
    if (typeof fn !== "function") {
      throw new TypeError(
        `MeanMetricWrapper.fromConfig: config.fn must be a function, received ${JSON.stringify(fn)}.`,
      );
    }
    return new this(fn, rest);
  }
}
