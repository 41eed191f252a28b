/**
 * keras.constraints: projections applied to weights after each optimizer update (kernelConstraint,
 * biasConstraint), as Keras 3. Classes, camelCase factories (`maxNorm({ maxValue: 3 })`) and string
 * identifiers ("max_norm", "MaxNorm", "maxNorm", "non_neg", "unit_norm", "min_max_norm").
 */
import type { Tensor } from "../backend/tensor.js";
import { getFromIdentifier } from "../utils/keras_get.js";
import {
  Constraint,
  FunctionConstraint,
  MaxNorm,
  type MaxNormOptions,
  MinMaxNorm,
  type MinMaxNormOptions,
  NonNeg,
  UnitNorm,
  type UnitNormOptions,
} from "./constraints.js";

export {
  Constraint,
  type ConstraintAxis,
  FunctionConstraint,
  MaxNorm,
  type MaxNormOptions,
  MinMaxNorm,
  type MinMaxNormOptions,
  NonNeg,
  UnitNorm,
  type UnitNormOptions,
} from "./constraints.js";

// Keras exports each class under a snake_case name too (keras.constraints.max_norm is MaxNorm).
export const maxNorm = (options?: MaxNormOptions): MaxNorm => new MaxNorm(options);
export const nonNeg = (): NonNeg => new NonNeg();
export const unitNorm = (options?: UnitNormOptions): UnitNorm => new UnitNorm(options);
export const minMaxNorm = (options?: MinMaxNormOptions): MinMaxNorm => new MinMaxNorm(options);

/** @inline */
type ConstraintClass = new () => Constraint;

/** A serialized constraint: `{ className, config }` (`class_name` also accepted). */
export interface ConstraintConfig {
  className?: string;
  class_name?: string;
  config?: Record<string, unknown>;
}

/** What `get` accepts: a Constraint, its name, class or config, or a function `(w) => Tensor`. */
export type ConstraintIdentifier = string | Constraint | ((w: Tensor) => Tensor) | ConstraintClass | ConstraintConfig;

const CLASSES: [ConstraintClass, string, string, string][] = [
  [MaxNorm, "MaxNorm", "max_norm", "maxNorm"],
  [NonNeg, "NonNeg", "non_neg", "nonNeg"],
  [UnitNorm, "UnitNorm", "unit_norm", "unitNorm"],
  [MinMaxNorm, "MinMaxNorm", "min_max_norm", "minMaxNorm"],
];
const BY_NAME = new Map<string, ConstraintClass>(
  CLASSES.flatMap(([cls, ...names]) => names.map((n) => [n, cls] as const)),
);

function unknown(name: string): Error {
  return new Error(
    `constraints.get: unknown constraint '${name}'. Known constraints: ${CLASSES.map((c) => c[2]).join(", ")} ` +
      `(also as class names, e.g. "MaxNorm", and in camelCase, e.g. "maxNorm").`,
  );
}

/**
 * The Constraint named or described by `identifier` (Keras's `keras.constraints.get`): a new
 * instance with default arguments for a name or class, the instance itself, a wrapper for a
 * function; null for null or undefined.
 */
export function get(identifier: ConstraintIdentifier): Constraint;
export function get(identifier: ConstraintIdentifier | null | undefined): Constraint | null;
export function get(identifier: ConstraintIdentifier | null | undefined): Constraint | null {
  return getFromIdentifier<Constraint>(identifier, {
    who: "constraints.get",
    what: "constraint",
    base: Constraint,
    byName: BY_NAME,
    unknown,
    wrap: (fn) => new FunctionConstraint(fn as (w: Tensor) => Tensor),
  });
}

/** The `{ className, config }` of a constraint (Keras's `serialize`, keys in camelCase). */
export function serialize(constraint: Constraint): { className: string; config: Record<string, unknown> } {
  return { className: constraint.constructor.name, config: constraint.getConfig() };
}

/** The constraint described by `serialize`'s output or a name (Keras's `deserialize`). */
export function deserialize(config: ConstraintConfig | string): Constraint {
  return get(config);
}
