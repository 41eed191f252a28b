/** Keras's F-score metrics (keras/src/metrics/f_score_metrics.py): FBetaScore and F1Score. */
import { castTensor, toTensor } from "../backend/convert.js";
import { shapeToString } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import type { TensorInput } from "../ops/types.js";
import { concrete, Metric, type MetricArgs } from "./metric.js";
import { EPSILON } from "./metrics_utils.js";

export type FScoreAverage = null | "micro" | "macro" | "weighted";

export interface FBetaScoreArgs extends MetricArgs {
  /** null: one score per class; "micro": from the pooled counts; "macro": mean of the class scores; "weighted": weighted by support. */
  average?: FScoreAverage;
  beta?: number;
  /** y_pred > threshold is positive; null: the row's maximum (ties included) is positive. */
  threshold?: number | null;
}

/**
 * The F-beta score (1 + β²)·P·R / (β²·P + R) of multi-class or multi-label [samples, classes] data,
 * from counts accumulated over every batch (Keras's FBetaScore).
 */
export class FBetaScore extends Metric {
  readonly average: FScoreAverage;
  readonly beta: number;
  readonly threshold: number | null;
  truePositives!: Variable;
  falsePositives!: Variable;
  falseNegatives!: Variable;
  intermediateWeights!: Variable;
  private built = false;

  constructor({ average = null, beta = 1.0, threshold = null, name = "fbeta_score", dtype }: FBetaScoreArgs = {}) {
    super({ name, dtype });
    const who = this.constructor.name;
    if (![null, "micro", "macro", "weighted"].includes(average)) {
      throw new Error(
        `${who}: invalid average ${JSON.stringify(average)}. Expected one of null, "micro", "macro", "weighted".`,
      );
    }
    if (typeof beta !== "number" || !(beta > 0)) {
      throw new RangeError(`${who}: beta must be a number > 0, received ${beta}.`);
    }
    if (threshold !== null && (typeof threshold !== "number" || !(threshold > 0 && threshold <= 1))) {
      throw new RangeError(`${who}: threshold must satisfy 0 < threshold <= 1, received ${threshold}.`);
    }
    this.average = average;
    this.beta = beta;
    this.threshold = threshold;
  }

  private build(trueShape: readonly number[], predShape: readonly number[]): void {
    if (predShape.length !== 2 || trueShape.length !== 2) {
      throw new Error(
        `${this.constructor.name}: expects 2D inputs of shape [batch_size, output_dim], received y_pred ${shapeToString(predShape)} and y_true ${shapeToString(trueShape)}.`,
      );
    }
    const shape = this.average !== "micro" ? [predShape[1]] : [];
    this.truePositives = this.addVariable(shape, "true_positives");
    this.falsePositives = this.addVariable(shape, "false_positives");
    this.falseNegatives = this.addVariable(shape, "false_negatives");
    this.intermediateWeights = this.addVariable(shape, "intermediate_weights");
    this.built = true;
  }

  updateState(yTrue: TensorInput, yPred: TensorInput, sampleWeight: TensorInput | null = null): void {
    const who = `${this.constructor.name} '${this.name}'.updateState`;
    const t = concrete(yTrue, who, this.dtype);
    const p = concrete(yPred, who, this.dtype);
    if (!this.built) this.build(t.shape, p.shape);
    if (t.shape[0] !== p.shape[0] || t.shape[1] !== p.shape[1] || t.rank !== 2 || p.rank !== 2) {
      throw new Error(
        `${who}: y_true and y_pred must have the same shape [batch_size, ${this.truePositives.shape[0] ?? "classes"}], received y_true ${shapeToString(t.shape)} and y_pred ${shapeToString(p.shape)}.`,
      );
    }
    const [B, C] = p.shape;
    // Sample weights: [B] (or [B, 1]) per sample, or [B, C] per entry.
    let w: ArrayLike<number> | null = null;
    let wPerEntry = false;
    if (sampleWeight !== null) {
      const sw = castTensor(concrete(sampleWeight, who), this.dtype);
      if (sw.size === B * C && sw.rank === 2) wPerEntry = true;
      else if (sw.size !== B && sw.size !== 1) {
        throw new Error(
          `${who}: sample_weight of shape ${shapeToString(sw.shape)} does not fit y_pred ${shapeToString(p.shape)}.`,
        );
      }
      w = sw.size === 1 ? new Float64Array(B).fill(sw.data[0]) : sw.data;
    }
    const perClass = this.average !== "micro";
    const tp = new Float64Array(perClass ? C : 1);
    const fp = new Float64Array(tp.length);
    const fn = new Float64Array(tp.length);
    const iw = new Float64Array(tp.length);
    const pd = p.data;
    const td = t.data;
    for (let b = 0; b < B; b++) {
      let rowMax = Number.NEGATIVE_INFINITY;
      if (this.threshold === null) for (let c = 0; c < C; c++) rowMax = Math.max(rowMax, pd[b * C + c]);
      for (let c = 0; c < C; c++) {
        const i = b * C + c;
        const pv = pd[i];
        const pred = this.threshold === null ? pv >= rowMax && Math.abs(pv) > 1e-9 : pv > this.threshold;
        const yp = pred ? 1 : 0;
        const yt = td[i];
        const wt = w === null ? 1 : wPerEntry ? w[i] : w[b];
        const j = perClass ? c : 0;
        tp[j] += yp * yt * wt;
        fp[j] += yp * (1 - yt) * wt;
        fn[j] += (1 - yp) * yt * wt;
        iw[j] += yt * wt;
      }
    }
    const add = (v: Variable, d: Float64Array): void => {
      v.assignAdd(perClass ? toTensor(d, "float64") : d[0]);
    };
    add(this.truePositives, tp);
    add(this.falsePositives, fp);
    add(this.falseNegatives, fn);
    add(this.intermediateWeights, iw);
  }

  result(): Tensor {
    if (!this.built) return toTensor(0, this.dtype);
    const tp = Float64Array.from(this.truePositives.peek().data);
    const fp = this.falsePositives.peek().data;
    const fn = this.falseNegatives.peek().data;
    const b2 = this.beta ** 2;
    const f = tp.map((x, i) => {
      const precision = x / (x + fp[i] + EPSILON);
      const recall = x / (x + fn[i] + EPSILON);
      return ((precision * recall) / (b2 * precision + recall + EPSILON)) * (1 + b2);
    });
    if (this.average === "weighted") {
      const iw = this.intermediateWeights.peek().data;
      let total = 0;
      for (let i = 0; i < iw.length; i++) total += iw[i];
      let s = 0;
      for (let i = 0; i < f.length; i++) s += f[i] * (iw[i] / (total + EPSILON));
      return toTensor(s, this.dtype);
    }
    if (this.average !== null) return toTensor(f.reduce((a, b) => a + b, 0) / f.length, this.dtype);
    return this.average === null && this.truePositives.shape.length === 0
      ? toTensor(f[0], this.dtype)
      : toTensor(f, this.dtype);
  }

  override resetState(): void {
    if (this.built) super.resetState();
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), average: this.average, beta: this.beta, threshold: this.threshold };
  }
}

/** The F1 score, 2·P·R / (P + R) (Keras's F1Score: FBetaScore with beta 1). */
export class F1Score extends FBetaScore {
  constructor({ average = null, threshold = null, name = "f1_score", dtype }: Omit<FBetaScoreArgs, "beta"> = {}) {
    super({ average, beta: 1.0, threshold, name, dtype });
  }

  override getConfig(): Record<string, unknown> {
    const { beta: _beta, ...config } = super.getConfig();
    return config;
  }
}
