/**
 * Weight constraints (Keras's constraints): projections applied to a weight after each optimizer
 * update. MaxNorm, NonNeg, UnitNorm, MinMaxNorm, with Keras's formulas and epsilon 1e-7.
 */
import { toTensor } from "../backend/convert.js";
import { isFloat } from "../backend/dtypes.js";
import { shapeToString } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import { add, clip, divide, maximum, multiply, sqrt, square } from "../ops/elementwise.js";
import { sum } from "../ops/reduction.js";

/**
 * A projection of a weight: `call(w)` returns the constrained value (the base class returns `w`).
 * Subclasses implement `call` and `getConfig` (Keras's keys in camelCase).
 */
export abstract class Constraint {
  call(w: Tensor): Tensor {
    return w;
  }

  getConfig(): Record<string, unknown> {
    return {};
  }

  static fromConfig<T extends Constraint>(
    this: new (
      config: Record<string, unknown>,
    ) => T,
    config: Record<string, unknown>,
  ): T {
    return new this(config);
  }
}

/** A plain function `(w) => Tensor` used where a Constraint is expected. */
export class FunctionConstraint extends Constraint {
  constructor(readonly fn: (w: Tensor) => Tensor) {
    super();
  }

  override call(w: Tensor): Tensor {
    return this.fn(w);
  }
}

// Keras's backend.epsilon().
const EPSILON = 1e-7;

/** A scalar in w's dtype: plain numbers given to ops are made float32 first (toAnyAll, ops/registry.ts). */
const scalar = (value: number, w: Tensor) => toTensor(value, w.dtype);

export type ConstraintAxis = number | number[];

function checkAxis(where: string, axis: unknown): ConstraintAxis {
  const ok = (a: unknown) => Number.isInteger(a);
  if (ok(axis) || (Array.isArray(axis) && axis.length > 0 && axis.every(ok))) return axis as ConstraintAxis;
  throw new TypeError(
    `${where}: axis must be an integer or a non-empty array of integers, received ${JSON.stringify(axis)}.`,
  );
}

function finite(where: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${where}: ${name} must be a finite number, received ${name}=${String(v)}.`);
  }
  return v;
}

/** sqrt(Σ w²) over `axis`, kept as size-1 axes; checks that `w` is a float tensor and `axis` fits it. */
function norms(where: string, w: Tensor, axis: ConstraintAxis): Tensor {
  if (!isFloat(w.dtype)) {
    throw new TypeError(`${where}: requires a float weight (float32 or float64), received dtype ${w.dtype}.`);
  }
  const rank = w.shape.length;
  for (const a of Array.isArray(axis) ? axis : [axis]) {
    if (a < -rank || a >= rank) {
      throw new RangeError(
        `${where}: axis ${a} is out of range for a weight of shape ${shapeToString(w.shape)} (rank ${rank}).`,
      );
    }
  }
  return sqrt(sum(square(w), axis, true));
}

export interface MaxNormOptions {
  maxValue?: number;
  axis?: ConstraintAxis;
}

/**
 * Rescales each slice along `axis` whose L2 norm exceeds `maxValue` (default 2) to norm `maxValue`:
 * w · clip(n, 0, maxValue) / (ε + n). axis 0 (default) constrains each column of a Dense kernel;
 * use [0, 1, 2] for each filter of a Conv2D kernel.
 */
export class MaxNorm extends Constraint {
  readonly maxValue: number;
  readonly axis: ConstraintAxis;

  constructor({ maxValue = 2, axis = 0 }: MaxNormOptions = {}) {
    super();
    this.maxValue = finite("MaxNorm", "maxValue", maxValue);
    if (this.maxValue < 0) throw new RangeError(`MaxNorm: maxValue must be >= 0, received maxValue=${maxValue}.`);
    this.axis = checkAxis("MaxNorm", axis);
  }

  override call(w: Tensor): Tensor {
    const n = norms("MaxNorm", w, this.axis);
    const desired = clip(n, 0, this.maxValue);
    return multiply(w, divide(desired, add(scalar(EPSILON, w), n)));
  }

  override getConfig(): Record<string, unknown> {
    return { maxValue: this.maxValue, axis: this.axis };
  }
}

/** Sets negative weights to zero: max(w, 0). */
export class NonNeg extends Constraint {
  override call(w: Tensor): Tensor {
    if (!isFloat(w.dtype) && w.dtype !== "int32") {
      throw new TypeError(`NonNeg: requires a numeric weight, received dtype ${w.dtype}.`);
    }
    return maximum(w, 0);
  }
}

export interface UnitNormOptions {
  axis?: ConstraintAxis;
}

/** Scales each slice along `axis` (default 0) to unit L2 norm: w / (ε + n). */
export class UnitNorm extends Constraint {
  readonly axis: ConstraintAxis;

  constructor({ axis = 0 }: UnitNormOptions = {}) {
    super();
    this.axis = checkAxis("UnitNorm", axis);
  }

  override call(w: Tensor): Tensor {
    return divide(w, add(scalar(EPSILON, w), norms("UnitNorm", w, this.axis)));
  }

  override getConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
}

export interface MinMaxNormOptions {
  minValue?: number;
  maxValue?: number;
  rate?: number;
  axis?: ConstraintAxis;
}

/**
 * Moves each slice's L2 norm n into [minValue, maxValue] (defaults 0, 1) at `rate` (default 1, strict):
 * w · (rate · clip(n, minValue, maxValue) + (1 - rate) · n) / (ε + n).
 */
export class MinMaxNorm extends Constraint {
  readonly minValue: number;
  readonly maxValue: number;
  readonly rate: number;
  readonly axis: ConstraintAxis;

  constructor({ minValue = 0, maxValue = 1, rate = 1, axis = 0 }: MinMaxNormOptions = {}) {
    super();
    this.minValue = finite("MinMaxNorm", "minValue", minValue);
    this.maxValue = finite("MinMaxNorm", "maxValue", maxValue);
    this.rate = finite("MinMaxNorm", "rate", rate);
    if (!(this.minValue <= this.maxValue)) {
      throw new RangeError(
        `MinMaxNorm: minValue must not exceed maxValue, received minValue=${minValue}, maxValue=${maxValue}.`,
      );
    }
    this.axis = checkAxis("MinMaxNorm", axis);
  }

  override call(w: Tensor): Tensor {
    const n = norms("MinMaxNorm", w, this.axis);
    const desired = add(
      multiply(scalar(this.rate, w), clip(n, this.minValue, this.maxValue)),
      multiply(scalar(1 - this.rate, w), n),
    );
    return multiply(w, divide(desired, add(scalar(EPSILON, w), n)));
  }

  override getConfig(): Record<string, unknown> {
    return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis };
  }
}
