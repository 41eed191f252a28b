/**
 * Keras's confusion-matrix metrics (keras/src/metrics/confusion_metrics.py): TruePositives & co.,
 * Precision, Recall, the X-at-Y metrics and AUC, all accumulating weighted counts per threshold.
 */
import { toTensor } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { sigmoid } from "../ops/nn/activations.js";
import type { TensorInput } from "../ops/types.js";
import { concrete, Metric, type MetricArgs } from "./metric.js";
import {
  type ConfusionKey,
  EPSILON,
  isEvenlyDistributedThresholds,
  NEG_INF,
  parseInitThresholds,
  updateConfusionMatrixVariables,
} from "./metrics_utils.js";

const divNoNan = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** The values of a variable as float64 numbers. */
const vals = (v: Variable): Float64Array => Float64Array.from(v.peek().data);

/** A scalar for one threshold, else the vector (Keras's `result[0] if len(thresholds) == 1`). */
function perThreshold(values: Float64Array, dtype: Metric["dtype"]): Tensor {
  return values.length === 1 ? toTensor(values[0], dtype) : toTensor(values, dtype);
}

export interface ThresholdsArgs extends MetricArgs {
  /** A threshold or a list of thresholds in [0, 1]; a prediction is positive when above it. Default 0.5. */
  thresholds?: number | number[] | null;
}

/** A weighted count of one confusion-matrix cell per threshold (Keras's _ConfusionMatrixConditionCount). */
export abstract class ConfusionMatrixConditionCount extends Metric {
  readonly initThresholds: number | number[] | null;
  readonly thresholds: number[];
  readonly accumulator: Variable;
  protected readonly thresholdsDistributedEvenly: boolean;

  constructor(
    protected readonly confusionMatrixCond: ConfusionKey,
    { thresholds = null, name, dtype }: ThresholdsArgs = {},
  ) {
    super({ name, dtype });
    this.initThresholds = thresholds;
    this.thresholds = parseInitThresholds(thresholds, 0.5, this.constructor.name);
    this.thresholdsDistributedEvenly = isEvenlyDistributedThresholds(this.thresholds);
    this.accumulator = this.addVariable([this.thresholds.length], "accumulator");
  }

  updateState(yTrue: TensorInput, yPred: TensorInput, sampleWeight: TensorInput | null = null): void {
    const who = `${this.constructor.name} '${this.name}'.updateState`;
    updateConfusionMatrixVariables(
      { [this.confusionMatrixCond]: this.accumulator },
      concrete(yTrue, who),
      concrete(yPred, who),
      {
        thresholds: this.thresholds,
        thresholdsDistributedEvenly: this.thresholdsDistributedEvenly,
        sampleWeight: sampleWeight === null ? null : concrete(sampleWeight, who),
        who,
      },
    );
  }

  result(): Tensor {
    return perThreshold(vals(this.accumulator), this.dtype);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), thresholds: this.initThresholds };
  }
}

/** Weighted count of false positives (Keras's FalsePositives). */
export class FalsePositives extends ConfusionMatrixConditionCount {
  constructor(args: ThresholdsArgs = {}) {
    super("fp", args);
  }
}

/** Weighted count of false negatives (Keras's FalseNegatives). */
export class FalseNegatives extends ConfusionMatrixConditionCount {
  constructor(args: ThresholdsArgs = {}) {
    super("fn", args);
  }
}

/** Weighted count of true negatives (Keras's TrueNegatives). */
export class TrueNegatives extends ConfusionMatrixConditionCount {
  constructor(args: ThresholdsArgs = {}) {
    super("tn", args);
  }
}

/** Weighted count of true positives (Keras's TruePositives). */
export class TruePositives extends ConfusionMatrixConditionCount {
  constructor(args: ThresholdsArgs = {}) {
    super("tp", args);
  }
}

export interface PrecisionRecallArgs extends ThresholdsArgs {
  /** Only the k highest scores of each sample count as predicted positives (threshold default then -1e10). */
  topK?: number | null;
  /** Restricts the metric to one class (column) of [samples, classes] data. */
  classId?: number | null;
}

/** Shared state of Precision and Recall: true positives and one error cell per threshold. */
abstract class PrecisionRecallBase extends Metric {
  readonly initThresholds: number | number[] | null;
  readonly topK: number | null;
  readonly classId: number | null;
  readonly thresholds: number[];
  readonly truePositives: Variable;
  protected readonly thresholdsDistributedEvenly: boolean;
  protected abstract readonly errorKey: ConfusionKey;
  protected abstract readonly errors: Variable;

  constructor({ thresholds = null, topK = null, classId = null, name, dtype }: PrecisionRecallArgs) {
    super({ name, dtype });
    this.initThresholds = thresholds;
    this.topK = topK;
    this.classId = classId;
    this.thresholds = parseInitThresholds(thresholds, topK === null ? 0.5 : NEG_INF, this.constructor.name);
    this.thresholdsDistributedEvenly = isEvenlyDistributedThresholds(this.thresholds);
    this.truePositives = this.addVariable([this.thresholds.length], "true_positives");
  }

  updateState(yTrue: TensorInput, yPred: TensorInput, sampleWeight: TensorInput | null = null): void {
    const who = `${this.constructor.name} '${this.name}'.updateState`;
    updateConfusionMatrixVariables(
      { tp: this.truePositives, [this.errorKey]: this.errors },
      concrete(yTrue, who),
      concrete(yPred, who),
      {
        thresholds: this.thresholds,
        thresholdsDistributedEvenly: this.thresholdsDistributedEvenly,
        topK: this.topK,
        classId: this.classId,
        sampleWeight: sampleWeight === null ? null : concrete(sampleWeight, who),
        who,
      },
    );
  }

  /** tp / (tp + errors) per threshold, 0 where nothing was counted. */
  result(): Tensor {
    const tp = vals(this.truePositives);
    const e = vals(this.errors);
    return perThreshold(
      tp.map((x, i) => divNoNan(x, x + e[i])),
      this.dtype,
    );
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), thresholds: this.initThresholds, topK: this.topK, classId: this.classId };
  }
}

/** tp / (tp + fp) over every sample seen (Keras's Precision). */
export class Precision extends PrecisionRecallBase {
  readonly falsePositives: Variable;
  protected readonly errorKey = "fp" as const;

  constructor(args: PrecisionRecallArgs = {}) {
    super(args);
    this.falsePositives = this.addVariable([this.thresholds.length], "false_positives");
  }

  protected get errors(): Variable {
    return this.falsePositives;
  }
}

/** tp / (tp + fn) over every sample seen (Keras's Recall). */
export class Recall extends PrecisionRecallBase {
  readonly falseNegatives: Variable;
  protected readonly errorKey = "fn" as const;

  constructor(args: PrecisionRecallArgs = {}) {
    super(args);
    this.falseNegatives = this.addVariable([this.thresholds.length], "false_negatives");
  }

  protected get errors(): Variable {
    return this.falseNegatives;
  }
}

export interface SensitivitySpecificityArgs extends MetricArgs {
  numThresholds?: number;
  classId?: number | null;
}

/** All four cells at evenly spaced thresholds (Keras's SensitivitySpecificityBase). */
abstract class SensitivitySpecificityBase extends Metric {
  readonly value: number;
  readonly numThresholds: number;
  readonly classId: number | null;
  readonly thresholds: number[];
  readonly truePositives: Variable;
  readonly falsePositives: Variable;
  readonly trueNegatives: Variable;
  readonly falseNegatives: Variable;
  private readonly evenly: boolean;

  constructor(
    value: number,
    what: string,
    { numThresholds = 200, classId = null, name, dtype }: SensitivitySpecificityArgs,
  ) {
    super({ name, dtype });
    if (!(value >= 0 && value <= 1)) {
      throw new RangeError(`${this.constructor.name}: ${what} must be in [0, 1], received ${value}.`);
    }
    if (!(Number.isInteger(numThresholds) && numThresholds > 0)) {
      throw new RangeError(
        `${this.constructor.name}: numThresholds must be an integer > 0, received ${numThresholds}.`,
      );
    }
    this.value = value;
    this.numThresholds = numThresholds;
    this.classId = classId;
    if (numThresholds === 1) {
      this.thresholds = [0.5];
      this.evenly = false;
    } else {
      const inner = Array.from({ length: numThresholds - 2 }, (_, i) => (i + 1) / (numThresholds - 1));
      this.thresholds = [0, ...inner, 1];
      this.evenly = true;
    }
    const n = this.thresholds.length;
    this.truePositives = this.addVariable([n], "true_positives");
    this.falsePositives = this.addVariable([n], "false_positives");
    this.trueNegatives = this.addVariable([n], "true_negatives");
    this.falseNegatives = this.addVariable([n], "false_negatives");
  }

  updateState(yTrue: TensorInput, yPred: TensorInput, sampleWeight: TensorInput | null = null): void {
    const who = `${this.constructor.name} '${this.name}'.updateState`;
    updateConfusionMatrixVariables(
      { tp: this.truePositives, tn: this.trueNegatives, fp: this.falsePositives, fn: this.falseNegatives },
      concrete(yTrue, who),
      concrete(yPred, who),
      {
        thresholds: this.thresholds,
        thresholdsDistributedEvenly: this.evenly,
        classId: this.classId,
        sampleWeight: sampleWeight === null ? null : concrete(sampleWeight, who),
        who,
      },
    );
  }

  protected rates(): { sensitivity: Float64Array; specificity: Float64Array; precision: Float64Array } {
    const tp = vals(this.truePositives);
    const fp = vals(this.falsePositives);
    const tn = vals(this.trueNegatives);
    const fn = vals(this.falseNegatives);
    return {
      sensitivity: tp.map((x, i) => divNoNan(x, x + fn[i])),
      specificity: tn.map((x, i) => divNoNan(x, x + fp[i])),
      precision: tp.map((x, i) => divNoNan(x, x + fp[i])),
    };
  }

  /** max(dependent where constrained >= value, else 0), 0 at least (Keras's _find_max_under_constraint). */
  protected maxUnderConstraint(constrained: Float64Array, dependent: Float64Array): Tensor {
    let best = 0;
    for (let i = 0; i < constrained.length; i++)
      if (constrained[i] >= this.value && dependent[i] > best) best = dependent[i];
    return toTensor(best, this.dtype);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), classId: this.classId, numThresholds: this.numThresholds };
  }
}

/** Best sensitivity (recall) where specificity >= the given value (Keras's SensitivityAtSpecificity). */
export class SensitivityAtSpecificity extends SensitivitySpecificityBase {
  constructor({ specificity, ...args }: SensitivitySpecificityArgs & { specificity: number }) {
    super(specificity, "specificity", args);
  }

  result(): Tensor {
    const r = this.rates();
    return this.maxUnderConstraint(r.specificity, r.sensitivity);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), specificity: this.value };
  }
}

/** Best specificity where sensitivity >= the given value (Keras's SpecificityAtSensitivity). */
export class SpecificityAtSensitivity extends SensitivitySpecificityBase {
  constructor({ sensitivity, ...args }: SensitivitySpecificityArgs & { sensitivity: number }) {
    super(sensitivity, "sensitivity", args);
  }

  result(): Tensor {
    const r = this.rates();
    return this.maxUnderConstraint(r.sensitivity, r.specificity);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), sensitivity: this.value };
  }
}

/** Best precision where recall >= the given value (Keras's PrecisionAtRecall). */
export class PrecisionAtRecall extends SensitivitySpecificityBase {
  constructor({ recall, ...args }: SensitivitySpecificityArgs & { recall: number }) {
    super(recall, "recall", args);
  }

  result(): Tensor {
    const r = this.rates();
    return this.maxUnderConstraint(r.sensitivity, r.precision);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recall: this.value };
  }
}

/** Best recall where precision >= the given value (Keras's RecallAtPrecision). */
export class RecallAtPrecision extends SensitivitySpecificityBase {
  constructor({ precision, ...args }: SensitivitySpecificityArgs & { precision: number }) {
    super(precision, "precision", args);
  }

  result(): Tensor {
    const r = this.rates();
    return this.maxUnderConstraint(r.precision, r.sensitivity);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), precision: this.value };
  }
}

export type AUCCurve = "ROC" | "PR" | "PRGAIN";
export type AUCSummationMethod = "interpolation" | "majoring" | "minoring";

export interface AUCArgs extends MetricArgs {
  numThresholds?: number;
  curve?: AUCCurve | "roc" | "pr" | "prgain";
  summationMethod?: AUCSummationMethod | "Interpolation" | "Majoring" | "Minoring";
  /** Explicit thresholds in [0, 1] (numThresholds becomes their count + 2). */
  thresholds?: number[] | null;
  /** One curve per label ([samples, labels] data), the AUCs averaged; otherwise all labels are flattened. */
  multiLabel?: boolean;
  numLabels?: number | null;
  /** Per-label weights: of the flattened counts, or of the per-label AUCs' average with multiLabel. */
  labelWeights?: number[] | null;
  /** y_pred holds logits (a sigmoid is applied first). */
  fromLogits?: boolean;
}

function parseCurve(curve: string): AUCCurve {
  const map: Record<string, AUCCurve> = {
    roc: "ROC",
    ROC: "ROC",
    pr: "PR",
    PR: "PR",
    prgain: "PRGAIN",
    PRGAIN: "PRGAIN",
  };
  const c = Object.hasOwn(map, curve) ? map[curve] : undefined;
  if (c === undefined) throw new Error(`AUC: invalid curve "${curve}". Expected one of "PR", "ROC", "PRGAIN".`);
  return c;
}

function parseSummation(method: string): AUCSummationMethod {
  const m = method.toLowerCase();
  if (m !== "interpolation" && m !== "majoring" && m !== "minoring") {
    throw new Error(
      `AUC: invalid summationMethod "${method}". Expected one of "interpolation", "majoring", "minoring".`,
    );
  }
  return m;
}

/**
 * Area under the ROC or PR curve, from weighted confusion counts at `numThresholds` thresholds
 * accumulated over every batch (Keras's AUC). Thresholds are [-eps, 1/(n-1), ..., (n-2)/(n-1), 1+eps]
 * so that predictions of exactly 0 and 1 fall inside; the area is a Riemann sum ("interpolation":
 * trapezoids for ROC, Davis & Goadrich's interpolation for PR).
 */
export class AUC extends Metric {
  readonly numThresholds: number;
  readonly curve: AUCCurve;
  readonly summationMethod: AUCSummationMethod;
  readonly multiLabel: boolean;
  readonly numLabels: number | null;
  readonly labelWeights: Float64Array | null;
  readonly fromLogits: boolean;
  private readonly initFromThresholds: boolean;
  private readonly _thresholds: number[];
  private readonly evenly: boolean;
  private built = false;
  private _numLabels = 1;
  truePositives!: Variable;
  falsePositives!: Variable;
  trueNegatives!: Variable;
  falseNegatives!: Variable;

  constructor({
    numThresholds = 200,
    curve = "ROC",
    summationMethod = "interpolation",
    name,
    dtype,
    thresholds = null,
    multiLabel = false,
    numLabels = null,
    labelWeights = null,
    fromLogits = false,
  }: AUCArgs = {}) {
    super({ name, dtype });
    this.initFromThresholds = thresholds !== null && thresholds !== undefined;
    let inner: number[];
    if (thresholds !== null && thresholds !== undefined) {
      parseInitThresholds(thresholds, 0.5, "AUC");
      inner = [...thresholds].sort((a, b) => a - b);
      this.numThresholds = inner.length + 2;
      this.evenly = isEvenlyDistributedThresholds([0, ...inner, 1]);
    } else {
      if (!(Number.isInteger(numThresholds) && numThresholds > 1)) {
        throw new RangeError(`AUC: numThresholds must be an integer > 1, received ${numThresholds}.`);
      }
      this.numThresholds = numThresholds;
      inner = Array.from({ length: numThresholds - 2 }, (_, i) => (i + 1) / (numThresholds - 1));
      this.evenly = true;
    }
    this._thresholds = [0 - EPSILON, ...inner, 1 + EPSILON];
    this.curve = parseCurve(curve);
    this.summationMethod = parseSummation(summationMethod);
    this.multiLabel = multiLabel;
    this.numLabels = numLabels;
    this.labelWeights = labelWeights ? Float64Array.from(labelWeights) : null;
    this.fromLogits = fromLogits;
    if (multiLabel) {
      if (numLabels) this.build([null, numLabels]);
    } else {
      if (numLabels) throw new Error("AUC: numLabels is needed only when multiLabel is true.");
      this.build(null);
    }
  }

  /** The thresholds, with -eps and 1+eps at the ends. */
  get thresholds(): number[] {
    return this._thresholds.slice();
  }

  private build(shape: readonly (number | null)[] | null): void {
    let varShape = [this.numThresholds];
    if (this.multiLabel) {
      if (shape === null || shape.length !== 2 || shape[1] === null) {
        throw new Error(
          `AUC: y_pred must have rank 2 ([samples, labels]) when multiLabel is true, received shape [${shape?.join(", ")}].`,
        );
      }
      this._numLabels = shape[1];
      varShape = [this.numThresholds, this._numLabels];
    }
    this.truePositives = this.addVariable(varShape, "true_positives");
    this.falsePositives = this.addVariable(varShape, "false_positives");
    this.trueNegatives = this.addVariable(varShape, "true_negatives");
    this.falseNegatives = this.addVariable(varShape, "false_negatives");
    this.built = true;
  }

  updateState(yTrue: TensorInput, yPred: TensorInput, sampleWeight: TensorInput | null = null): void {
    const who = `AUC '${this.name}'.updateState`;
    let p = concrete(yPred, who);
    if (!this.built) this.build(p.shape);
    if (this.fromLogits) p = sigmoid(p.dtype === "float64" ? p : concrete(p, who, "float32")) as Tensor;
    updateConfusionMatrixVariables(
      { tp: this.truePositives, tn: this.trueNegatives, fp: this.falsePositives, fn: this.falseNegatives },
      concrete(yTrue, who),
      p,
      {
        thresholds: this._thresholds,
        thresholdsDistributedEvenly: this.evenly,
        sampleWeight: sampleWeight === null ? null : concrete(sampleWeight, who),
        multiLabel: this.multiLabel,
        labelWeights: this.multiLabel || !this.labelWeights ? null : toTensor(this.labelWeights, this.dtype),
        who,
      },
    );
  }

  /** Sums per-label areas over the thresholds and averages the labels (weighted by labelWeights). */
  private aggregate(terms: Float64Array): Tensor {
    const L = this._numLabels;
    const byLabel = new Float64Array(L);
    for (let i = 0; i < terms.length; i++) byLabel[i % L] += terms[i];
    if (!this.multiLabel) return toTensor(byLabel[0], this.dtype);
    if (this.labelWeights === null) return toTensor(byLabel.reduce((a, b) => a + b, 0) / L, this.dtype);
    let num = 0;
    let den = 0;
    for (let l = 0; l < L; l++) {
      num += byLabel[l] * this.labelWeights[l];
      den += this.labelWeights[l];
    }
    return toTensor(divNoNan(num, den), this.dtype);
  }

  /** Davis & Goadrich's interpolated area under the PR curve (Keras's interpolate_pr_auc). */
  interpolatePrAuc(): Tensor {
    if (!this.built) return toTensor(0, this.dtype);
    const L = this._numLabels;
    const tp = vals(this.truePositives);
    const fp = vals(this.falsePositives);
    const fn = vals(this.falseNegatives);
    const terms = new Float64Array((this.numThresholds - 1) * L);
    for (let k = 0; k < this.numThresholds - 1; k++) {
      for (let l = 0; l < L; l++) {
        const i0 = k * L + l;
        const i1 = (k + 1) * L + l;
        const dtp = tp[i0] - tp[i1];
        const p0 = tp[i0] + fp[i0];
        const p1 = tp[i1] + fp[i1];
        const dp = p0 - p1;
        const precSlope = divNoNan(dtp, Math.max(dp, 0));
        const intercept = tp[i1] - precSlope * p1;
        const safePRatio = p0 > 0 && p1 > 0 ? divNoNan(p0, Math.max(p1, 0)) : 1;
        terms[i0] = divNoNan(precSlope * (dtp + intercept * Math.log(safePRatio)), Math.max(tp[i1] + fn[i1], 0));
      }
    }
    return this.aggregate(terms);
  }

  result(): Tensor {
    if (!this.built) return toTensor(0, this.dtype);
    if (this.curve === "PR" && this.summationMethod === "interpolation") return this.interpolatePrAuc();
    const tp = vals(this.truePositives);
    const fp = vals(this.falsePositives);
    const tn = vals(this.trueNegatives);
    const fn = vals(this.falseNegatives);
    const recall = tp.map((x, i) => divNoNan(x, x + fn[i]));
    let x: Float64Array;
    let y: Float64Array;
    if (this.curve === "ROC") {
      x = fp.map((v, i) => divNoNan(v, v + tn[i]));
      y = recall;
    } else if (this.curve === "PR") {
      x = recall;
      y = tp.map((v, i) => divNoNan(v, v + fp[i]));
    } else {
      const scaling = tp.map((v, i) => divNoNan(v + fn[i], tn[i] + fp[i]));
      x = tp.map((v, i) => (v === 0 ? 0 : Math.max(1 - scaling[i] * divNoNan(fn[i], v), 0)));
      y = tp.map((v, i) => (v === 0 ? 1 : 1 - scaling[i] * divNoNan(fp[i], v)));
    }
    const L = this._numLabels;
    const terms = new Float64Array((this.numThresholds - 1) * L);
    for (let i = 0; i < terms.length; i++) {
      const a = y[i];
      const b = y[i + L];
      const h =
        this.summationMethod === "interpolation"
          ? (a + b) / 2
          : this.summationMethod === "minoring"
            ? Math.min(a, b)
            : Math.max(a, b);
      terms[i] = (x[i] - x[i + L]) * h;
    }
    return this.aggregate(terms);
  }

  override resetState(): void {
    if (this.built) super.resetState();
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      numThresholds: this.numThresholds,
      curve: this.curve,
      summationMethod: this.summationMethod,
      multiLabel: this.multiLabel,
      numLabels: this.numLabels,
      labelWeights: this.labelWeights ? Array.from(this.labelWeights) : null,
      fromLogits: this.fromLogits,
    };
    if (this.initFromThresholds) config.thresholds = this._thresholds.slice(1, -1);
    return config;
  }
}
