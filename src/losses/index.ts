/**
 * keras.losses: the Loss base class, Keras 3's loss classes (reducing over the batch) and loss
 * functions (per-sample values), string identifiers in Keras's spellings ("categorical_crossentropy",
 * "mse", "CategoricalCrossentropy") and camelCase, and Keras's serialization format.
 */
import type { AnyTensor } from "../ops/types.js";
import { configClass, serializeFunctionRef, serializeInstance } from "../utils/keras_serialization.js";
import { toSnakeCase } from "../utils/naming.js";
import { Loss } from "./loss.js";
import {
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  binaryCrossentropy,
  binaryFocalCrossentropy,
  CategoricalCrossentropy,
  CategoricalHinge,
  CosineSimilarity,
  categoricalCrossentropy,
  categoricalHinge,
  cosineSimilarity,
  Hinge,
  Huber,
  hinge,
  huber,
  KLDivergence,
  klDivergence,
  LogCosh,
  LossFunctionWrapper,
  logCosh,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  Poisson,
  poisson,
  SparseCategoricalCrossentropy,
  SquaredHinge,
  sparseCategoricalCrossentropy,
  squaredHinge,
} from "./losses.js";

export {
  applyMask,
  type ConcreteInput,
  divideNoNan,
  Loss,
  type LossArgs,
  type Reduction,
  type ReduceWeightedOptions,
  reduceValues,
  reduceWeightedValues,
  squeezeOrExpandToSameRank,
  standardizeReduction,
} from "./loss.js";
export * from "./losses.js";

/** A loss function as users write it: `(yTrue, yPred) => per-sample values`. */
/**
 * A loss function of (yTrue, yPred) returning per-sample values. Declared as a method so that
 * functions typed with `Tensor` parameters (what they receive in training) are accepted too.
 */
export type LossFunction = { fn(yTrue: AnyTensor, yPred: AnyTensor): AnyTensor }["fn"];

/** A serialized loss (Keras's serialize_keras_object format). */
export interface LossConfig {
  module?: string | null;
  class_name: string;
  config?: Record<string, unknown> | string;
  registered_name?: string | null;
}

/** @inline */
// biome-ignore lint/suspicious/noExplicitAny: loss classes take their own options.
type LossClass = (new (args?: any) => Loss) & { fromConfig(config: Record<string, unknown>): Loss };

/** What `get` accepts: a Loss, a loss function, a Loss class, a name, or a serialized loss. */
export type LossIdentifier = string | Loss | LossFunction | LossClass | LossConfig;

/** Keras's loss classes by class name. */
const CLASSES: Record<string, LossClass> = {
  LossFunctionWrapper: LossFunctionWrapper as unknown as LossClass,
  MeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  CosineSimilarity,
  Huber,
  LogCosh,
  Hinge,
  SquaredHinge,
  CategoricalHinge,
  KLDivergence,
  Poisson,
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
};

/** Keras's loss functions by their snake_case names, with the class that wraps each. */
const FUNCTIONS: Record<string, [LossFunction, LossClass]> = {
  mean_squared_error: [meanSquaredError, MeanSquaredError],
  mean_absolute_error: [meanAbsoluteError, MeanAbsoluteError],
  mean_absolute_percentage_error: [meanAbsolutePercentageError, MeanAbsolutePercentageError],
  mean_squared_logarithmic_error: [meanSquaredLogarithmicError, MeanSquaredLogarithmicError],
  cosine_similarity: [cosineSimilarity, CosineSimilarity],
  huber: [huber, Huber],
  log_cosh: [logCosh, LogCosh],
  hinge: [hinge, Hinge],
  squared_hinge: [squaredHinge, SquaredHinge],
  categorical_hinge: [categoricalHinge, CategoricalHinge],
  kl_divergence: [klDivergence, KLDivergence],
  poisson: [poisson, Poisson],
  binary_crossentropy: [binaryCrossentropy, BinaryCrossentropy],
  binary_focal_crossentropy: [binaryFocalCrossentropy, BinaryFocalCrossentropy],
  categorical_crossentropy: [categoricalCrossentropy, CategoricalCrossentropy],
  sparse_categorical_crossentropy: [sparseCategoricalCrossentropy, SparseCategoricalCrossentropy],
};

/** Keras's short names (ALL_OBJECTS_DICT). */
const ALIASES: Record<string, string> = {
  bce: "binary_crossentropy",
  BCE: "binary_crossentropy",
  kld: "kl_divergence",
  KLD: "kl_divergence",
  mae: "mean_absolute_error",
  MAE: "mean_absolute_error",
  mse: "mean_squared_error",
  MSE: "mean_squared_error",
  mape: "mean_absolute_percentage_error",
  MAPE: "mean_absolute_percentage_error",
  msle: "mean_squared_logarithmic_error",
  MSLE: "mean_squared_logarithmic_error",
};

const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** The snake_case function name a string stands for ("mse", "meanSquaredError", "mean_squared_error"). */
function functionName(name: string): string | null {
  if (hasOwn(ALIASES, name)) return ALIASES[name];
  if (hasOwn(FUNCTIONS, name)) return name;
  const snake = toSnakeCase(name);
  return /^[a-z]/.test(name) && hasOwn(FUNCTIONS, snake) ? snake : null;
}

function unknownLoss(name: string): Error {
  return new Error(
    `losses.get: unknown loss '${name}'. Known losses: ${Object.keys(FUNCTIONS).join(", ")}; ` +
      `short names ${Object.keys(ALIASES).join(", ")}; class names ${Object.keys(CLASSES)
        .filter((k) => k !== "LossFunctionWrapper")
        .join(", ")}; and the camelCase function names (e.g. categoricalCrossentropy).`,
  );
}

function isLossClass(x: unknown): x is LossClass {
  return typeof x === "function" && (x === Loss || x.prototype instanceof Loss);
}

/**
 * The Loss for `identifier` (Keras's `keras.losses.get`, plus the wrapping Keras's compile does):
 * a Loss instance as is; a function wrapped in a LossFunctionWrapper named after it; a class or a
 * name as a new instance with default options ("mse" and "mean_squared_error" give MeanSquaredError);
 * a serialized loss deserialized. Null and undefined give null.
 */
export function get(identifier: LossIdentifier): Loss;
export function get(identifier: LossIdentifier | null | undefined): Loss | null;
export function get(identifier: LossIdentifier | null | undefined): Loss | null {
  if (identifier === null || identifier === undefined) return null;
  // Loss instances are functions too: test them first.
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === "string") {
    if (hasOwn(CLASSES, identifier) && identifier !== "LossFunctionWrapper") return new CLASSES[identifier]();
    const fn = functionName(identifier);
    if (fn === null) throw unknownLoss(identifier);
    return new FUNCTIONS[fn][1]();
  }
  if (isLossClass(identifier)) return new identifier();
  if (typeof identifier === "function") return new LossFunctionWrapper(identifier as LossFunction);
  if (typeof identifier === "object" && typeof identifier.class_name === "string") {
    const obj = deserialize(identifier);
    return obj instanceof Loss ? obj : new LossFunctionWrapper(obj);
  }
  throw new TypeError(`losses.get: could not interpret loss identifier ${String(identifier)}.`);
}

/** Whether `loss` is one of Keras's losses (its class exactly, or the wrapper of one of its functions). */
export function isBuiltinLoss(loss: Loss): boolean {
  if (loss instanceof LossFunctionWrapper) return builtinFunctionName(loss.fn) !== null;
  return Object.values(CLASSES).includes(loss.constructor as LossClass);
}

function builtinFunctionName(fn: unknown): string | null {
  for (const [name, [f]] of Object.entries(FUNCTIONS)) if (f === fn) return name;
  return null;
}

function serializeFunction(fn: LossFunction | ((...a: never[]) => unknown)): LossConfig {
  return serializeFunctionRef(fn, "keras.losses", builtinFunctionName(fn));
}

/**
 * Keras's config dict of a loss: `{ module: "keras.losses", class_name, config, registered_name: null }`
 * with snake_case config keys. Functions give `{ class_name: "function", config: name }`. Custom
 * classes and functions carry `registered_name` (their name) and need `customObjects` to come back.
 */
export function serialize(loss: Loss | LossFunction | string): LossConfig | string {
  if (typeof loss === "string") return loss;
  if (!(loss instanceof Loss)) return serializeFunction(loss);
  const config = loss.getConfig();
  if (typeof config.fn === "function") config.fn = serializeFunction(config.fn as LossFunction);
  return serializeInstance(loss, "keras.losses", CLASSES, config);
}

/** Custom classes and functions by name, for `deserialize` (Keras's custom_objects). */
export type CustomObjects = Record<string, LossClass | LossFunction>;

/**
 * The loss described by `serialize`'s output or a name (Keras's `keras.losses.deserialize`):
 * a Loss for class configs and names, the function for `{ class_name: "function" }` configs.
 */
export function deserialize(config: LossConfig | string, customObjects: CustomObjects = {}): Loss | LossFunction {
  if (typeof config === "string") {
    if (hasOwn(customObjects, config)) return get(customObjects[config]);
    return get(config);
  }
  const name = config.registered_name ?? config.class_name;
  if (config.class_name === "function") {
    const fnName = typeof config.config === "string" ? config.config : name;
    const custom = hasOwn(customObjects, fnName) ? customObjects[fnName] : null;
    if (custom && !isLossClass(custom)) return custom;
    const builtin = functionName(fnName);
    if (builtin === null) {
      throw new Error(
        `losses.deserialize: unknown loss function '${fnName}'. Pass it in customObjects, e.g. deserialize(config, { ${fnName} }).`,
      );
    }
    return FUNCTIONS[builtin][0];
  }
  const cls = configClass(config, customObjects, CLASSES, isLossClass);
  if (cls === null) {
    throw new Error(
      `losses.deserialize: unknown loss class '${config.class_name}'. Known classes: ${Object.keys(CLASSES).join(", ")}. ` +
        `Pass custom classes in customObjects, e.g. deserialize(config, { ${config.class_name} }).`,
    );
  }
  const inner = { ...((config.config as Record<string, unknown> | undefined) ?? {}) };
  if (inner.fn !== undefined && typeof inner.fn !== "function") {
    inner.fn = deserialize(inner.fn as LossConfig | string, customObjects);
  }
  return cls.fromConfig(inner);
}
