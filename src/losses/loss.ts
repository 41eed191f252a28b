/**
 * The Loss base class and the reduction helpers of Keras 3 (keras/src/losses/loss.py): a loss's
 * `call` returns per-sample values; `apply` (also the instance called as a function) converts the
 * inputs, merges masks and sample weights, and reduces.
 */
import { type TensorData, toTensor } from "../backend/convert.js";
import { type DType, standardizeDType } from "../backend/dtypes.js";
import { broadcastShapes, type SpecShape, shapeToString } from "../backend/shape.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { getMask, setMask } from "../layers/mask.js";
import { onesLike, size } from "../ops/creation.js";
import { cast, divide, equal, logicalAnd, multiply, where } from "../ops/elementwise.js";
import { sum } from "../ops/reduction.js";
import { toAny } from "../ops/registry.js";
import { expandDims, squeeze } from "../ops/shape.js";
import type { AnyTensor, TensorInput } from "../ops/types.js";
import { snakeToCamel, toSnakeCase, uniqueName } from "../utils/naming.js";

/** How per-sample values become the loss: Keras 3's reductions (`null` is "none"). */
export type Reduction = "sum_over_batch_size" | "sum" | "mean" | "mean_with_sample_weight" | "none" | null;

const REDUCTIONS: readonly Reduction[] = [
  "sum_over_batch_size",
  "sum",
  "mean",
  "mean_with_sample_weight",
  "none",
  null,
];

/** Checks a reduction name (Keras's standardize_reduction). */
export function standardizeReduction(reduction: Reduction | string | undefined, where = "Loss"): Reduction {
  if (reduction === undefined) return "sum_over_batch_size";
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new Error(
      `${where}: invalid reduction ${JSON.stringify(reduction)}. Expected one of "sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none" or null.`,
    );
  }
  return reduction as Reduction;
}

export interface LossArgs {
  name?: string;
  reduction?: Reduction;
  dtype?: DType | string | null;
}

/** Inputs that give a concrete result (no symbolic tensor among them). */
export type ConcreteInput = Tensor | Variable | TensorData;

/** A loss instance is callable: `loss(yTrue, yPred, sampleWeight?)` is `loss.apply(...)`. */
export interface Loss {
  (yTrue: ConcreteInput, yPred: ConcreteInput, sampleWeight?: TensorInput | null): Tensor;
  (yTrue: TensorInput, yPred: SymbolicTensor, sampleWeight?: TensorInput | null): SymbolicTensor;
  (yTrue: SymbolicTensor, yPred: TensorInput, sampleWeight?: TensorInput | null): SymbolicTensor;
  (yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null): AnyTensor;
}

/**
 * The base of every loss (Keras's Loss). Subclasses implement `call(yTrue, yPred)` returning one
 * value per sample (shape [batch, ...], or a scalar); the library applies masks, sample weights
 * and the reduction. Subclasses may keep state in fields, e.g. a non-trainable Variable assigned in
 * `call` (BEGAN's k).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the call signature of callable instances.
export abstract class Loss {
  // No field initializers here: the constructor returns another object (see below), and only
  // subclass fields are initialized on it.
  declare name: string;
  declare reduction: Reduction;
  declare protected _dtype: DType;

  constructor(args: LossArgs = {}) {
    // Instances are functions so that `loss(yTrue, yPred)` works; subclass fields land on this object.
    const self = ((yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null) =>
      (self as unknown as Loss).apply(yTrue, yPred, sampleWeight)) as unknown as Loss;
    Object.setPrototypeOf(self, new.target.prototype);
    for (const key of ["name", "length"]) {
      Object.defineProperty(self, key, { value: undefined, writable: true, enumerable: false, configurable: true });
    }
    self.name = args.name ?? uniqueName(toSnakeCase(new.target.name));
    self.reduction = standardizeReduction(args.reduction, `${new.target.name}`);
    self._dtype = args.dtype ? standardizeDType(args.dtype, `${new.target.name}`) : "float32";
    // biome-ignore lint/correctness/noConstructorReturn: callable instances (see above).
    return self;
  }

  /** The dtype the inputs are converted to and the loss is computed in (float32 unless given). */
  get dtype(): DType {
    return this._dtype;
  }

  /** Per-sample loss values: shape [batch, ...] (or a scalar). */
  abstract call(yTrue: AnyTensor, yPred: AnyTensor): AnyTensor;

  /** "Loss 'mean_squared_error' (MeanSquaredError)", as error messages name losses. */
  describe(): string {
    return `Loss '${this.name}' (${this.constructor.name})`;
  }

  /**
   * Keras's `Loss.__call__`: converts both inputs to the loss's dtype, runs `call`, merges the mask
   * of `yPred` (and of the values `call` returns) into the sample weights, and reduces.
   */
  apply(yTrue: ConcreteInput, yPred: ConcreteInput, sampleWeight?: TensorInput | null): Tensor;
  apply(yTrue: TensorInput, yPred: SymbolicTensor, sampleWeight?: TensorInput | null): SymbolicTensor;
  apply(yTrue: SymbolicTensor, yPred: TensorInput, sampleWeight?: TensorInput | null): SymbolicTensor;
  apply(yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null): AnyTensor;
  apply(yTrue: TensorInput, yPred: TensorInput, sampleWeight: TensorInput | null = null): AnyTensor {
    const inMask = getMask(yPred);
    const p = toDType(yPred, this.dtype);
    const t = toDType(yTrue, this.dtype);
    let raw: AnyTensor;
    try {
      raw = this.call(t, p);
    } catch (e) {
      throw rethrow(e, `${this.describe()} on y_true ${shapeToString(t.shape)} and y_pred ${shapeToString(p.shape)}`);
    }
    if (raw === undefined || raw === null) {
      throw new Error(`${this.describe()}: call() returned ${raw}; it must return the per-sample loss values.`);
    }
    const outMask = getMask(raw);
    const values = toDType(raw as TensorInput, this.dtype);
    checkPerSample(this.describe(), values, p);
    let mask: AnyTensor | null = inMask ?? outMask;
    if (inMask && outMask) mask = logicalAnd(toBool(inMask), toBool(outMask));
    return reduceWeightedValues(values, {
      sampleWeight,
      mask,
      reduction: this.reduction,
      dtype: this.dtype,
      context: this.describe(),
    });
  }

  /** Keras's config keys: `name` and `reduction` (subclasses add theirs, in snake_case). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: this.reduction };
  }

  /** A new instance from `getConfig()`'s output: snake_case keys become the constructor's camelCase options. */
  // biome-ignore lint/suspicious/noExplicitAny: subclasses take their own options.
  static fromConfig<T extends Loss>(this: new (args?: any) => T, config: Record<string, unknown>): T {
    const args: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
      // A Keras DTypePolicy config ({ class_name: "DTypePolicy", config: { name } }) becomes its name.
      if (k === "dtype" && v !== null && typeof v === "object") {
        args.dtype = (v as { config?: { name?: string } }).config?.name;
      } else args[snakeToCamel(k)] = v;
    }
    return new this(args);
  }
}

function rethrow(e: unknown, prefix: string): Error {
  if (!(e instanceof Error)) return new Error(`${prefix}: ${String(e)}`);
  const Ctor = e instanceof TypeError ? TypeError : e instanceof RangeError ? RangeError : Error;
  return new Ctor(`${prefix}: ${e.message}`, { cause: e });
}

/** Converts to a tensor of `dtype`, through the cast op so that gradients flow back to float inputs. */
function toDType(x: TensorInput, dtype: DType): AnyTensor {
  // Plain data is read straight into `dtype` (no float32 rounding on the way to float64).
  const t = isPlainData(x) ? toAny(x, dtype) : toAny(x);
  return t.dtype === dtype ? t : cast(t, dtype);
}

function isPlainData(x: TensorInput): boolean {
  return !(x instanceof Tensor || x instanceof SymbolicTensor || x instanceof Variable);
}

function toBool(m: AnyTensor): AnyTensor {
  return m.dtype === "bool" ? m : cast(m, "bool");
}

/** The values a loss returns must be one per sample (leading axis = y_pred's batch) or a scalar. */
function checkPerSample(who: string, values: AnyTensor, yPred: AnyTensor): void {
  if (values.shape.length === 0 || yPred.shape.length === 0) return;
  const n = values.shape[0];
  const batch = yPred.shape[0];
  if (n !== null && batch !== null && n !== batch) {
    throw new Error(
      `${who}: call() must return one loss value per sample (shape [${batch}, ...], as y_pred ${shapeToString(yPred.shape)}) ` +
        `or a scalar, received shape ${shapeToString(values.shape)}.`,
    );
  }
}

/**
 * Squeezes or expands the last axis when the ranks differ by exactly one and that axis has size 1
 * (Keras's squeeze_or_expand_to_same_rank): [B] and [B, 1] become [B, 1] and [B, 1] (rank 1 is
 * expanded when `expandRank1`), [B, T] and [B, T, 1] become [B, T] and [B, T].
 */
export function squeezeOrExpandToSameRank(x1: AnyTensor, x2: AnyTensor, expandRank1 = true): [AnyTensor, AnyTensor] {
  const r1 = x1.shape.length;
  const r2 = x2.shape.length;
  if (r1 === r2) return [x1, x2];
  if (r1 === r2 + 1 && x1.shape[r1 - 1] === 1) {
    if (r2 === 1 && expandRank1) x2 = expandDims(x2, -1);
    else x1 = squeeze(x1, -1);
  }
  if (r2 === r1 + 1 && x2.shape[r2 - 1] === 1) {
    if (r1 === 1 && expandRank1) x1 = expandDims(x1, -1);
    else x2 = squeeze(x2, -1);
  }
  return [x1, x2];
}

/**
 * Weights of lower rank than the values they weight are per sample: [B] against [B, T] gets
 * trailing axes ([B, 1]) instead of NumPy's alignment on the last axis. Other shapes broadcast as usual.
 */
function alignLeading(w: AnyTensor, like: AnyTensor): AnyTensor {
  const r = w.shape.length;
  if (r === 0 || r >= like.shape.length) return w;
  const prefixFits = w.shape.every((d, i) => d === null || like.shape[i] === null || d === like.shape[i] || d === 1);
  if (!prefixFits) return w;
  const axes = Array.from({ length: like.shape.length - r }, (_, i) => r + i);
  return expandDims(w, axes);
}

/** The element count of `x`: a number when its shape is known, a tensor otherwise. */
function numElements(x: AnyTensor): number | AnyTensor {
  const n = size(x);
  return n !== null ? n : sum(onesLike(x));
}

/** a / b, and 0 where b is 0 (Keras's divide_no_nan), with finite gradients everywhere. */
export function divideNoNan(a: AnyTensor, b: AnyTensor | number): AnyTensor {
  const d = typeof b === "number" ? toTensor(b, a.dtype) : b.dtype === a.dtype ? b : cast(b, a.dtype);
  const zero = equal(d, 0);
  return where(zero, 0, divide(a, where(zero, 1, d)));
}

function castTo(x: AnyTensor, dtype: DType): AnyTensor {
  return x.dtype === dtype ? x : cast(x, dtype);
}

/**
 * Keras's reduce_values: "none" (or null) and scalar values pass through; otherwise the sum,
 * divided by the element count ("sum_over_batch_size", "mean") or by the sum of the sample
 * weights ("mean_with_sample_weight", when weights were given).
 */
export function reduceValues(
  values: AnyTensor,
  sampleWeight: AnyTensor | null = null,
  reduction: Reduction = "sum_over_batch_size",
): AnyTensor {
  const shape = values.shape;
  if (reduction === null || reduction === "none" || shape.length === 0 || (shape.length === 1 && shape[0] === 0)) {
    return values;
  }
  let loss: AnyTensor = sum(values);
  if (reduction === "sum_over_batch_size" || reduction === "mean" || reduction === "mean_with_sample_weight") {
    if (reduction === "mean_with_sample_weight" && sampleWeight !== null) {
      loss = divideNoNan(loss, castTo(sum(sampleWeight), loss.dtype));
    } else {
      const n = numElements(values);
      loss = typeof n === "number" && n > 0 ? divide(loss, toTensor(n, loss.dtype)) : divideNoNan(loss, n);
    }
  }
  return loss;
}

/**
 * Keras's apply_mask: merges a mask into the sample weights. For "mean" and "sum_over_batch_size"
 * the kept entries are scaled by total/valid so that the mean runs over the unmasked entries only.
 */
export function applyMask(
  sampleWeight: AnyTensor | null,
  mask: AnyTensor | null,
  dtype: DType,
  reduction: Reduction,
): AnyTensor | null {
  if (mask === null) return sampleWeight;
  let m = castTo(mask, dtype);
  if (reduction === "mean" || reduction === "sum_over_batch_size") {
    const total = numElements(m);
    const valid = sum(m);
    m = multiply(m, divideNoNan(typeof total === "number" ? toTensor(total, dtype) : total, valid));
  }
  if (sampleWeight === null) return m;
  let sw = castTo(sampleWeight, dtype);
  [m, sw] = squeezeOrExpandToSameRank(m, sw);
  sw = alignLeading(sw, m);
  m = alignLeading(m, sw);
  return multiply(sw, m);
}

export interface ReduceWeightedOptions {
  sampleWeight?: TensorInput | null;
  mask?: TensorInput | null;
  reduction?: Reduction;
  dtype?: DType;
  /** Who is reducing, for error messages (e.g. "Loss 'mse' (MeanSquaredError)"). */
  context?: string;
}

/**
 * Keras's reduce_weighted_values: merges mask and sample weights, matches their rank to the
 * values, weights them and reduces.
 */
export function reduceWeightedValues(values: TensorInput, options: ReduceWeightedOptions = {}): AnyTensor {
  const reduction = standardizeReduction(options.reduction, options.context ?? "reduceWeightedValues");
  const v0 = toAny(values, options.dtype && isPlainData(values) ? options.dtype : undefined);
  const dtype = options.dtype ?? v0.dtype;
  let v = castTo(v0, dtype);
  let sw =
    options.sampleWeight === null || options.sampleWeight === undefined ? null : toDType(options.sampleWeight, dtype);
  const mask = options.mask === null || options.mask === undefined ? null : toAny(options.mask);
  const given = sw;
  sw = applyMask(sw, mask, v.dtype, reduction);
  if (sw !== null) {
    [v, sw] = squeezeOrExpandToSameRank(v, sw);
    sw = alignLeading(sw, v);
    checkBroadcast(options.context, v.shape, sw.shape, given !== null);
    v = multiply(v, sw);
  }
  return reduceValues(v, sw, reduction);
}

function checkBroadcast(
  context: string | undefined,
  values: SpecShape,
  weights: SpecShape,
  sampleWeights: boolean,
): void {
  try {
    broadcastShapes("", values, weights);
  } catch {
    const what = sampleWeights ? "sample_weight (merged with the mask, if any)" : "the mask";
    throw new Error(
      `${context ?? "reduceWeightedValues"}: ${what} of shape ${shapeToString(weights)} does not fit the per-sample ` +
        `loss values of shape ${shapeToString(values)}. Give one weight per sample ([batch]) or a shape that broadcasts to ${shapeToString(values)}.`,
    );
  }
}

/** Attaches `mask` to per-sample loss values (Keras's set_keras_mask); `apply` merges it with y_pred's. */
export function setLossMask(values: AnyTensor, mask: AnyTensor | null): void {
  setMask(values, mask);
}
