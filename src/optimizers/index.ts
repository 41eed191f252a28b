/**
 * `keras.optimizers`: Keras 3's optimizers with their update formulas and defaults, `get` from string
 * identifiers, Keras-compatible (de)serialization, and `schedules`.
 */
import { Adadelta } from "./adadelta.js";
import { Adagrad } from "./adagrad.js";
import { Adam } from "./adam.js";
import { Adamax } from "./adamax.js";
import { AdamW } from "./adamw.js";
import { fromKerasKeys, isKerasObjectConfig, type KerasObjectConfig, toKerasKeys } from "./config_keys.js";
import { Lion } from "./lion.js";
import { Nadam } from "./nadam.js";
import { Optimizer, type OptimizerArgs } from "./optimizer.js";
import { RMSprop } from "./rmsprop.js";
import { SGD } from "./sgd.js";
import { serialize as serializeSchedule } from "./schedules/index.js";
import { LearningRateSchedule } from "./schedules/learning_rate_schedule.js";

export { type AdadeltaArgs, Adadelta } from "./adadelta.js";
export { type AdagradArgs, Adagrad } from "./adagrad.js";
export { type AdamArgs, Adam } from "./adam.js";
export { type AdamaxArgs, Adamax } from "./adamax.js";
export { AdamW } from "./adamw.js";
export { type LionArgs, Lion } from "./lion.js";
export { type NadamArgs, Nadam } from "./nadam.js";
export { type LearningRate, Optimizer, type OptimizerArgs } from "./optimizer.js";
export { type RMSpropArgs, RMSprop } from "./rmsprop.js";
export { type SGDArgs, SGD } from "./sgd.js";
export type { KerasObjectConfig } from "./config_keys.js";
export * as schedules from "./schedules/index.js";

type OptimizerClass = new (args?: OptimizerArgs) => Optimizer;

const ALL: Record<string, OptimizerClass> = {
  Adam,
  SGD,
  RMSprop,
  Adadelta,
  AdamW,
  Adagrad,
  Adamax,
  Nadam,
  Lion,
} as unknown as Record<string, OptimizerClass>;

const BUILT_IN = new Set<unknown>(Object.values(ALL));

/**
 * True for the built-in optimizer classes themselves (not subclasses, whose update code is the
 * user's): they read each gradient once and keep no reference to it.
 */
export function keepsNoGradients(optimizer: Optimizer): boolean {
  return BUILT_IN.has(optimizer.constructor);
}

/** "rmsprop", "RMSprop", "adam_w", "adamW" -> the class key, comparing lowercased names without underscores. */
function lookup(name: string): OptimizerClass | undefined {
  const key = name.replace(/_/g, "").toLowerCase();
  for (const [cls, ctor] of Object.entries(ALL)) if (cls.toLowerCase() === key) return ctor;
  return undefined;
}

function unknown(what: string): Error {
  return new Error(
    `optimizers.get: could not interpret optimizer identifier ${what}. Known optimizers: ${Object.keys(ALL)
      .map((k) => `"${k.toLowerCase()}"`)
      .join(", ")} (or an Optimizer instance, or a serialized config).`,
  );
}

/** Keras's serialized form: `{ module: "keras.optimizers", class_name, config (snake_case keys), registered_name: null }`. */
export function serialize(optimizer: Optimizer): KerasObjectConfig {
  const config = optimizer.getConfig();
  const lr = config.learningRate;
  if (typeof lr === "function") {
    throw new Error(
      `optimizers.serialize: optimizer '${optimizer.name}' has a function as its learning rate, which cannot be serialized; use a LearningRateSchedule subclass with getConfig().`,
    );
  }
  if (lr instanceof LearningRateSchedule) config.learningRate = serializeSchedule(lr);
  const cls = optimizer.className;
  return {
    module: "keras.optimizers",
    class_name: cls,
    config: toKerasKeys(config),
    registered_name: lookup(cls) ? null : cls,
  };
}

/** Rebuilds an optimizer from `serialize`'s output (class names matched case-insensitively, as Keras does). */
export function deserialize(
  config: KerasObjectConfig,
  customObjects: Record<string, new (args?: OptimizerArgs) => Optimizer> = {},
): Optimizer {
  if (!isKerasObjectConfig(config)) throw unknown(JSON.stringify(config));
  const ctor = customObjects[config.class_name] ?? lookup(config.class_name);
  if (!ctor) throw unknown(`'${config.class_name}'`);
  const args = fromKerasKeys(config.config ?? {}) as OptimizerArgs;
  return new ctor(args);
}

/** What `get` (and `model.compile({ optimizer })`) accepts. */
export type OptimizerIdentifier = string | Optimizer | KerasObjectConfig;

/** An optimizer from a string identifier, a serialized config, or an instance (returned as is). */
export function get(identifier: OptimizerIdentifier): Optimizer;
export function get(identifier: null | undefined): null;
export function get(identifier: string | Optimizer | KerasObjectConfig | null | undefined): Optimizer | null {
  if (identifier === null || identifier === undefined) return null;
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === "string") {
    const ctor = lookup(identifier);
    if (!ctor) throw unknown(`'${identifier}'`);
    return new ctor();
  }
  if (isKerasObjectConfig(identifier)) return deserialize(identifier);
  throw unknown(String(identifier));
}
