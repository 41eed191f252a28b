/**
 * keras.regularizers: penalties on weights (kernelRegularizer, biasRegularizer) and activations
 * (activityRegularizer), as Keras 3. Classes, camelCase factories (`l1(0.01)`, `l2()`, `l1L2({ l1, l2 })`,
 * `orthogonalRegularizer()`) and string identifiers ("l1", "L2", "l1_l2", "orthogonal_regularizer"...).
 */
import type { AnyTensor } from "../ops/types.js";
import { getFromIdentifier } from "../utils/keras_get.js";
import {
  FunctionRegularizer,
  L1,
  L1L2,
  type L1L2Options,
  L2,
  OrthogonalRegularizer,
  type OrthogonalRegularizerOptions,
  Regularizer,
} from "./regularizers.js";

export {
  FunctionRegularizer,
  L1,
  L1L2,
  type L1L2Options,
  L2,
  type OrthogonalMode,
  OrthogonalRegularizer,
  type OrthogonalRegularizerOptions,
  Regularizer,
} from "./regularizers.js";

// Keras exports each class under a lowercase name too (keras.regularizers.l1 is L1).
export const l1 = (value?: number): L1 => new L1(value);
export const l2 = (value?: number): L2 => new L2(value);
export const l1L2 = (options?: L1L2Options): L1L2 => new L1L2(options);
export const l1_l2 = l1L2;
export const orthogonalRegularizer = (options?: OrthogonalRegularizerOptions): OrthogonalRegularizer =>
  new OrthogonalRegularizer(options);

/** @inline */
type RegularizerClass = new () => Regularizer;

/** A serialized regularizer: `{ className, config }` (`class_name` also accepted). */
export interface RegularizerConfig {
  className?: string;
  class_name?: string;
  config?: Record<string, unknown>;
}

/** What `get` accepts: a Regularizer, its name, class or config, or a function `(x) => scalar`. */
export type RegularizerIdentifier =
  | string
  | Regularizer
  | ((x: AnyTensor) => AnyTensor)
  | RegularizerClass
  | RegularizerConfig;

// Keras's ALL_OBJECTS_DICT (class names and their snake_case), its export aliases, and camelCase.
const BY_NAME = new Map<string, RegularizerClass>([
  ["L1", L1],
  ["l1", L1],
  ["L2", L2],
  ["l2", L2],
  ["L1L2", L1L2],
  ["l1l2", L1L2],
  ["l1_l2", L1L2],
  ["l1L2", L1L2],
  ["OrthogonalRegularizer", OrthogonalRegularizer],
  ["orthogonal_regularizer", OrthogonalRegularizer],
  ["orthogonalRegularizer", OrthogonalRegularizer],
]);

function unknown(name: string): Error {
  return new Error(
    `regularizers.get: unknown regularizer '${name}'. Known regularizers: l1, l2, l1_l2, orthogonal_regularizer ` +
      `(also as class names L1, L2, L1L2, OrthogonalRegularizer, and in camelCase: l1L2, orthogonalRegularizer).`,
  );
}

/**
 * The Regularizer named or described by `identifier` (Keras's `keras.regularizers.get`): a new
 * instance with default factors for a name or class, the instance itself, a wrapper for a
 * function; null for null or undefined.
 */
export function get(identifier: RegularizerIdentifier): Regularizer;
export function get(identifier: RegularizerIdentifier | null | undefined): Regularizer | null;
export function get(identifier: RegularizerIdentifier | null | undefined): Regularizer | null {
  return getFromIdentifier<Regularizer>(identifier, {
    who: "regularizers.get",
    what: "regularizer",
    base: Regularizer,
    byName: BY_NAME,
    unknown,
    wrap: (fn) => new FunctionRegularizer(fn as (x: AnyTensor) => AnyTensor),
  });
}

/** The `{ className, config }` of a regularizer (Keras's `serialize`, keys in camelCase). */
export function serialize(regularizer: Regularizer): { className: string; config: Record<string, unknown> } {
  return { className: regularizer.constructor.name, config: regularizer.getConfig() };
}

/** The regularizer described by `serialize`'s output or a name (Keras's `deserialize`). */
export function deserialize(config: RegularizerConfig | string): Regularizer {
  return get(config);
}
