/**
 * `keras.metrics`: Keras 3's stateful metrics, their per-sample functions, string identifiers in
 * Keras's spellings ("binary_accuracy", "mse", "BinaryAccuracy") and camelCase, and Keras's
 * serialization format.
 */
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  categoricalHinge,
  hinge,
  klDivergence,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  poisson,
  sparseCategoricalCrossentropy,
  squaredHinge,
} from "../losses/losses.js";
import type { AnyTensor } from "../ops/types.js";
import { configClass, serializeFunctionRef, serializeInstance } from "../utils/keras_serialization.js";
import { camelToSnake, snakeToCamel, toSnakeCase } from "../utils/naming.js";
import {
  Accuracy,
  accuracy,
  BinaryAccuracy,
  binaryAccuracy,
  CategoricalAccuracy,
  categoricalAccuracy,
  SparseCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  sparseCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  TopKCategoricalAccuracy,
  topKCategoricalAccuracy,
} from "./accuracy_metrics.js";
import {
  AUC,
  FalseNegatives,
  FalsePositives,
  Precision,
  PrecisionAtRecall,
  Recall,
  RecallAtPrecision,
  SensitivityAtSpecificity,
  SpecificityAtSensitivity,
  TrueNegatives,
  TruePositives,
} from "./confusion_metrics.js";
import { F1Score, FBetaScore } from "./f_score_metrics.js";
import { CategoricalHinge, Hinge, SquaredHinge } from "./hinge_metrics.js";
import { Metric } from "./metric.js";
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  KLDivergence,
  Poisson,
  SparseCategoricalCrossentropy,
} from "./probabilistic_metrics.js";
import { Mean, MeanMetricWrapper, type MetricFn, Sum } from "./reduction_metrics.js";
import {
  CosineSimilarity,
  cosineSimilarity,
  LogCoshError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  RootMeanSquaredError,
} from "./regression_metrics.js";

export * from "./accuracy_metrics.js";
export * from "./confusion_metrics.js";
export * from "./f_score_metrics.js";
export * from "./hinge_metrics.js";
export { concrete, Metric, type MetricArgs } from "./metric.js";
export * from "./metrics_utils.js";
export * from "./probabilistic_metrics.js";
export * from "./reduction_metrics.js";
export * from "./regression_metrics.js";
// The loss functions Keras also exports under keras.metrics (per-sample values).
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  categoricalHinge,
  hinge,
  klDivergence,
  logCosh,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  poisson,
  sparseCategoricalCrossentropy,
  squaredHinge,
};

/** A serialized metric (Keras's serialize_keras_object format). */
export interface MetricConfig {
  module?: string | null;
  class_name: string;
  config?: Record<string, unknown> | string;
  registered_name?: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: metric classes take their own options.
export type MetricClass = (new (...args: any[]) => Metric) & { fromConfig(config: Record<string, unknown>): Metric };

export type MetricIdentifier =
  | string
  | Metric
  | MetricClass
  | MetricConfig
  | ((yTrue: AnyTensor, yPred: AnyTensor) => AnyTensor);

/** Keras's metric classes by class name (ALL_OBJECTS). */
export const CLASSES: Record<string, MetricClass> = {
  Mean,
  Sum,
  MeanMetricWrapper: MeanMetricWrapper as unknown as MetricClass,
  MeanSquaredError,
  RootMeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  CosineSimilarity,
  LogCoshError,
  AUC,
  FalseNegatives,
  FalsePositives,
  Precision,
  PrecisionAtRecall: PrecisionAtRecall as unknown as MetricClass,
  Recall,
  RecallAtPrecision: RecallAtPrecision as unknown as MetricClass,
  SensitivityAtSpecificity: SensitivityAtSpecificity as unknown as MetricClass,
  SpecificityAtSensitivity: SpecificityAtSensitivity as unknown as MetricClass,
  TrueNegatives,
  TruePositives,
  Hinge,
  SquaredHinge,
  CategoricalHinge,
  KLDivergence,
  Poisson,
  BinaryCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
  Accuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  TopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  F1Score,
  FBetaScore,
};

/** Classes that need a constructor argument (a target value); `get` cannot make them from a name. */
const NEEDS_ARGS = new Set([
  "MeanMetricWrapper",
  "PrecisionAtRecall",
  "RecallAtPrecision",
  "SensitivityAtSpecificity",
  "SpecificityAtSensitivity",
]);

/** Keras's short names (ALL_OBJECTS_DICT), plus the loss-function spellings of the loss metrics. */
const ALIASES: Record<string, string> = {
  bce: "BinaryCrossentropy",
  BCE: "BinaryCrossentropy",
  mse: "MeanSquaredError",
  MSE: "MeanSquaredError",
  mae: "MeanAbsoluteError",
  MAE: "MeanAbsoluteError",
  mape: "MeanAbsolutePercentageError",
  MAPE: "MeanAbsolutePercentageError",
  msle: "MeanSquaredLogarithmicError",
  MSLE: "MeanSquaredLogarithmicError",
  kld: "KLDivergence",
  KLD: "KLDivergence",
  logcosh: "LogCoshError",
  log_cosh: "LogCoshError",
};

/** Metric factories by Keras name: snake_case class names ("binary_accuracy", "auc", "f1_score") and the short names. */
export const REGISTRY: Record<string, () => Metric> = {};
for (const [className, cls] of Object.entries(CLASSES)) {
  if (NEEDS_ARGS.has(className)) continue;
  REGISTRY[toSnakeCase(className)] = () => new cls();
}
for (const [alias, className] of Object.entries(ALIASES)) REGISTRY[alias] = () => new CLASSES[className]();

/** Keras's per-sample metric functions by snake_case name (for `{ class_name: "function" }` configs). */
const FUNCTIONS: Record<string, MetricFn> = {
  accuracy,
  binary_accuracy: binaryAccuracy,
  categorical_accuracy: categoricalAccuracy,
  sparse_categorical_accuracy: sparseCategoricalAccuracy,
  top_k_categorical_accuracy: topKCategoricalAccuracy,
  sparse_top_k_categorical_accuracy: sparseTopKCategoricalAccuracy,
  cosine_similarity: cosineSimilarity,
  mean_squared_error: meanSquaredError,
  mean_absolute_error: meanAbsoluteError,
  mean_absolute_percentage_error: meanAbsolutePercentageError,
  mean_squared_logarithmic_error: meanSquaredLogarithmicError,
  log_cosh: logCosh,
  hinge,
  squared_hinge: squaredHinge,
  categorical_hinge: categoricalHinge,
  kl_divergence: klDivergence,
  poisson,
  binary_crossentropy: binaryCrossentropy,
  categorical_crossentropy: categoricalCrossentropy,
  sparse_categorical_crossentropy: sparseCategoricalCrossentropy,
};

const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** The registry key a string stands for: as given, a class name, camelCase or Keras's snake_case of it. */
function registryKey(id: string): string | null {
  if (hasOwn(REGISTRY, id)) return id;
  if (hasOwn(CLASSES, id) && !NEEDS_ARGS.has(id)) return toSnakeCase(id);
  for (const k of [camelToSnake(id), toSnakeCase(id)]) if (hasOwn(REGISTRY, k)) return k;
  return null;
}

function isMetricClass(x: unknown): x is MetricClass {
  return typeof x === "function" && (x === Metric || x.prototype instanceof Metric);
}

/**
 * A Metric from an identifier (Keras's keras.metrics.get): a Metric as is; a Metric class as a new
 * instance; a name ("binary_accuracy", "binaryAccuracy", "BinaryAccuracy", "mse", "auc") as a new
 * instance with default options; a serialized metric deserialized; a function `(yTrue, yPred) =>
 * per-sample values` wrapped in a MeanMetricWrapper named after it.
 */
export function get(id: MetricIdentifier): Metric {
  if (id instanceof Metric) return id;
  if (isMetricClass(id)) return new id();
  if (typeof id === "function") return new MeanMetricWrapper(id as MetricFn);
  if (typeof id === "object" && id !== null && typeof (id as MetricConfig).class_name === "string") {
    const obj = deserialize(id as MetricConfig);
    return obj instanceof Metric ? obj : new MeanMetricWrapper(obj);
  }
  if (typeof id !== "string") throw new TypeError(`metrics.get: could not interpret metric identifier ${String(id)}.`);
  const key = registryKey(id);
  if (key === null) {
    throw new Error(
      `metrics.get: unknown metric '${id}'. Known metrics: ${Object.keys(REGISTRY).sort().join(", ")} ` +
        `(also their class names, e.g. BinaryAccuracy, and camelCase, e.g. binaryAccuracy).`,
    );
  }
  return REGISTRY[key]();
}

function functionName(fn: unknown): string | null {
  for (const [name, f] of Object.entries(FUNCTIONS)) if (f === fn) return name;
  return null;
}

function serializeFunction(fn: (...args: never[]) => unknown): MetricConfig {
  return serializeFunctionRef(fn, "keras.metrics", functionName(fn));
}

/**
 * Keras's config dict of a metric: `{ module: "keras.metrics", class_name, config, registered_name: null }`
 * with snake_case config keys. Functions give `{ class_name: "function", config: name }`; custom
 * classes carry `registered_name` (their class name) and need `customObjects` to come back.
 */
export function serialize(metric: Metric | MetricFn): MetricConfig {
  if (!(metric instanceof Metric)) return serializeFunction(metric);
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metric.getConfig())) {
    config[camelToSnake(k)] = typeof v === "function" ? serializeFunction(v as MetricFn) : v;
  }
  return serializeInstance(metric, "keras.metrics", CLASSES, config);
}

/** Custom classes and functions by name, for `deserialize` (Keras's custom_objects). */
export type CustomObjects = Record<string, MetricClass | MetricFn>;

/**
 * The metric described by `serialize`'s output or a name (Keras's keras.metrics.deserialize): a
 * Metric for class configs and names, the function for `{ class_name: "function" }` configs.
 */
export function deserialize(config: MetricConfig | string, customObjects: CustomObjects = {}): Metric | MetricFn {
  if (typeof config === "string") {
    if (hasOwn(customObjects, config)) {
      const c = customObjects[config];
      return isMetricClass(c) ? new c() : c;
    }
    return get(config);
  }
  if (config.class_name === "function") {
    const name = typeof config.config === "string" ? config.config : (config.registered_name ?? "");
    if (hasOwn(customObjects, name) && !isMetricClass(customObjects[name])) return customObjects[name] as MetricFn;
    const snake = toSnakeCase(name);
    if (hasOwn(FUNCTIONS, name)) return FUNCTIONS[name];
    if (hasOwn(FUNCTIONS, snake)) return FUNCTIONS[snake];
    throw new Error(
      `metrics.deserialize: unknown metric function '${name}'. Pass it in customObjects, e.g. deserialize(config, { ${name} }).`,
    );
  }
  const cls = configClass(config, customObjects, CLASSES, isMetricClass);
  if (cls === null) {
    throw new Error(
      `metrics.deserialize: unknown metric class '${config.class_name}'. Known classes: ${Object.keys(CLASSES).join(", ")}. ` +
        `Pass custom classes in customObjects, e.g. deserialize(config, { ${config.class_name} }).`,
    );
  }
  const args: Record<string, unknown> = {};
  const inner = typeof config.config === "object" && config.config !== null ? config.config : {};
  for (const [k, v] of Object.entries(inner)) {
    const isFnConfig = k === "fn" && typeof v === "object" && v !== null;
    args[snakeToCamel(k)] = isFnConfig ? deserialize(v as MetricConfig, customObjects) : v;
  }
  return cls.fromConfig(args);
}
