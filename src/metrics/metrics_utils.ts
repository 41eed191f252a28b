/**
 * Keras's confusion-matrix bookkeeping (keras/src/metrics/metrics_utils.py): weighted true/false
 * positives/negatives per threshold, accumulated into metric variables. Written as loops over the
 * typed arrays (metrics are never differentiated); same conventions as Keras: a prediction is
 * positive at threshold t when p > t, evenly spaced thresholds use Keras's bucketed update (the
 * predictions clipped to [0, 1], bucket ceil(p·(n-1)) - 1, a reversed cumulative sum).
 */
import { castTensor } from "../backend/convert.js";
import type { DType } from "../backend/dtypes.js";
import { shapeToString } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { squeezeOrExpandToSameRank } from "../losses/loss.js";
import { broadcastTo, expandDims } from "../ops/shape.js";

/** Keras's NEG_INF: the score given to predictions outside the top k. */
export const NEG_INF = -1e10;

/** Keras's backend.epsilon(). */
export const EPSILON = 1e-7;

export type ConfusionKey = "tp" | "fp" | "tn" | "fn";

/** Thresholds as a list (a default when none), each checked to lie in [0, 1] (Keras's parse_init_thresholds). */
export function parseInitThresholds(
  thresholds: number | readonly number[] | null | undefined,
  defaultThreshold = 0.5,
  who = "metrics",
): number[] {
  if (thresholds === null || thresholds === undefined) return [defaultThreshold];
  const list = typeof thresholds === "number" ? [thresholds] : [...thresholds];
  const invalid = list.filter((t) => typeof t !== "number" || !(t >= 0 && t <= 1));
  if (invalid.length > 0) {
    throw new RangeError(`${who}: threshold values must be in [0, 1], received [${invalid.join(", ")}].`);
  }
  return list;
}

/** Whether thresholds are [0, 1/(n-1), ..., 1] (n >= 3), which allows the bucketed update. */
export function isEvenlyDistributedThresholds(thresholds: readonly number[]): boolean {
  const n = thresholds.length;
  if (n < 3) return false;
  for (let i = 0; i < n; i++) {
    const even = Math.fround(i) / Math.fround(n - 1);
    if (!(Math.abs(thresholds[i] - even) <= EPSILON + 1e-5 * Math.abs(even))) return false;
  }
  return true;
}

/** A float32 rounding when the accumulation dtype is float32 (Keras computes in the variables' dtype). */
function rounder(dtype: DType): (x: number) => number {
  return dtype === "float32" ? Math.fround : (x: number) => x;
}

/** x with every value outside the top k of its last axis set to NEG_INF (Keras's _filter_top_k; ties keep the lower index). */
export function filterTopK(x: Tensor, k: number): Tensor {
  const n = x.shape[x.rank - 1] ?? 1;
  const out = castTensor(x, x.dtype).data.slice() as Float32Array | Float64Array;
  const src = x.data;
  const idx = new Int32Array(n);
  const keep = new Uint8Array(n);
  for (let row = 0; row < src.length; row += n) {
    for (let j = 0; j < n; j++) idx[j] = j;
    const sorted = Array.from(idx).sort((a, b) => {
      const d = src[row + b] - src[row + a];
      return d !== 0 && !Number.isNaN(d) ? d : a - b;
    });
    keep.fill(0);
    for (let j = 0; j < Math.min(k, n); j++) keep[sorted[j]] = 1;
    for (let j = 0; j < n; j++) if (!keep[j]) out[row + j] = NEG_INF;
  }
  return new Tensor(out, x.shape.slice(), x.dtype);
}

export interface ConfusionUpdateOptions {
  thresholds: readonly number[];
  /** Use the bucketed update (thresholds evenly spaced in [0, 1]). */
  thresholdsDistributedEvenly?: boolean;
  topK?: number | null;
  classId?: number | null;
  sampleWeight?: Tensor | null;
  /** Keep one column per label ([thresholds, labels] variables) instead of flattening. */
  multiLabel?: boolean;
  /** Per-label weights (flattened case only), broadcast against y_pred's last axis. */
  labelWeights?: Tensor | null;
  who?: string;
}

/** The last-axis slice `x[..., classId, None]`. */
function selectClass(x: Tensor, classId: number, who: string): Tensor {
  const n = x.shape[x.rank - 1];
  if (!(classId >= 0 && classId < n)) {
    throw new RangeError(`${who}: classId ${classId} is out of range for y_pred of shape ${shapeToString(x.shape)}.`);
  }
  const rows = x.size / n;
  const out = Tensor.empty([...x.shape.slice(0, -1), 1], x.dtype);
  for (let r = 0; r < rows; r++) out.data[r] = x.data[r * n + classId];
  return out;
}

/**
 * Adds the weighted confusion counts of one batch to `variables` (Keras's
 * update_confusion_matrix_variables). y_true is cast to bool (nonzero is positive).
 */
export function updateConfusionMatrixVariables(
  variables: Partial<Record<ConfusionKey, Variable>>,
  yTrue: Tensor,
  yPred: Tensor,
  options: ConfusionUpdateOptions,
): void {
  const who = options.who ?? "metrics";
  const keys = Object.keys(variables) as ConfusionKey[];
  if (keys.length === 0) throw new Error(`${who}: no confusion-matrix variable to update.`);
  const dtype = (variables[keys[0]] as Variable).dtype;
  const thresholds = options.thresholds;
  const multiLabel = options.multiLabel ?? false;

  let t = castTensor(yTrue, dtype);
  let p = castTensor(yPred, dtype);
  [p, t] = squeezeOrExpandToSameRank(p, t) as [Tensor, Tensor];
  if (p.size !== t.size || p.rank !== t.rank || p.shape.some((d, i) => d !== t.shape[i])) {
    throw new Error(
      `${who}: y_true and y_pred must have the same shape, received y_true ${shapeToString(yTrue.shape)} and y_pred ${shapeToString(yPred.shape)}.`,
    );
  }
  let sw: Tensor | null = null;
  if (options.sampleWeight !== null && options.sampleWeight !== undefined) {
    sw = expandDims(castTensor(options.sampleWeight, dtype), -1) as Tensor;
    [, sw] = squeezeOrExpandToSameRank(t, sw, false) as [Tensor, Tensor];
  }
  if (options.topK !== null && options.topK !== undefined) p = filterTopK(p, options.topK);
  if (options.classId !== null && options.classId !== undefined) {
    if (p.rank <= 1) {
      throw new Error(
        `${who}: when classId is given, y_pred must have shape [samples, classes], received ${shapeToString(p.shape)}.`,
      );
    }
    t = selectClass(t, options.classId, who);
    p = selectClass(p, options.classId, who);
  }
  let w: ArrayLike<number> | null = null;
  if (sw !== null) {
    try {
      w = (broadcastTo(sw, p.shape) as Tensor).data;
    } catch {
      throw new Error(
        `${who}: sample_weight of shape ${shapeToString(options.sampleWeight?.shape ?? [])} does not broadcast to y_pred ${shapeToString(p.shape)}.`,
      );
    }
  }
  let lw: ArrayLike<number> | null = null;
  if (!multiLabel && options.labelWeights) {
    lw = (broadcastTo(expandDims(castTensor(options.labelWeights, dtype), 0), p.shape) as Tensor).data;
  }

  const labels = multiLabel ? (p.rank >= 1 ? p.shape[p.rank - 1] : 1) : 1;
  const nT = thresholds.length;
  const acc: Record<ConfusionKey, Float64Array> = {
    tp: new Float64Array(nT * labels),
    fp: new Float64Array(nT * labels),
    tn: new Float64Array(nT * labels),
    fn: new Float64Array(nT * labels),
  };
  const pd = p.data;
  const td = t.data;
  const n = pd.length;
  const r = rounder(dtype);

  if (options.thresholdsDistributedEvenly) {
    // Keras's _update_confusion_matrix_variables_optimized: thresholds with an epsilon outside [0, 1]
    // (AUC's) put predictions of 0 into the first bucket.
    const withEpsilon = thresholds[0] < 0 || thresholds[nT - 1] > 1;
    const scale = r(nT - 1);
    const tpB = new Float64Array(nT * labels);
    const fpB = new Float64Array(nT * labels);
    const totT = new Float64Array(labels);
    const totF = new Float64Array(labels);
    for (let i = 0; i < n; i++) {
      const weight = (w ? w[i] : 1) * (lw ? lw[i] : 1);
      const y = td[i] !== 0 ? 1 : 0;
      const pv = Math.min(Math.max(pd[i], 0), 1);
      let b = Math.ceil(r(pv * scale)) - 1;
      if (withEpsilon && b < 0) b = 0;
      const l = i % labels;
      totT[l] += y * weight;
      totF[l] += (1 - y) * weight;
      if (b < 0 || b >= nT || Number.isNaN(b)) continue; // dropped, as segment_sum drops out-of-range ids
      tpB[b * labels + l] += y * weight;
      fpB[b * labels + l] += (1 - y) * weight;
    }
    for (let l = 0; l < labels; l++) {
      let ctp = 0;
      let cfp = 0;
      for (let k = nT - 1; k >= 0; k--) {
        ctp += tpB[k * labels + l];
        cfp += fpB[k * labels + l];
        acc.tp[k * labels + l] = ctp;
        acc.fp[k * labels + l] = cfp;
        acc.fn[k * labels + l] = totT[l] - ctp;
        acc.tn[k * labels + l] = totF[l] - cfp;
      }
    }
  } else {
    const th = thresholds.map((x) => r(x));
    for (let i = 0; i < n; i++) {
      const weight = (w ? w[i] : 1) * (lw ? lw[i] : 1);
      const y = td[i] !== 0;
      const pv = pd[i];
      const l = i % labels;
      for (let k = 0; k < nT; k++) {
        const pos = pv > th[k];
        const j = k * labels + l;
        if (y) {
          if (pos) acc.tp[j] += weight;
          else acc.fn[j] += weight;
        } else if (pos) acc.fp[j] += weight;
        else acc.tn[j] += weight;
      }
    }
  }
  for (const key of keys) {
    const v = variables[key] as Variable;
    if (v.peek().size !== nT * labels) {
      throw new Error(
        `${who}: the '${key}' variable has shape ${shapeToString(v.shape)}, expected ${nT * labels} entries (thresholds × labels).`,
      );
    }
    v.assignAdd(new Tensor(acc[key], v.shape.slice(), "float64"));
  }
}
