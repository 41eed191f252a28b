/**
 * keras.activations: activation functions by name, as Keras 3. `get("relu")`, `get("leaky_relu")` or
 * `get("leakyRelu")` give the function; `get(null)` gives `linear`; `serialize(fn)` gives Keras's name.
 */
import type { AnyTensor } from "../ops/types.js";
import * as fns from "./activations.js";

export {
  celu,
  elu,
  exponential,
  gelu,
  glu,
  hardShrink,
  hardSigmoid,
  hardSilu,
  hardSwish,
  hardTanh,
  kerasLogits,
  leakyRelu,
  linear,
  logSigmoid,
  logSoftmax,
  mish,
  type ReluOptions,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softmax,
  softplus,
  softShrink,
  softsign,
  sparsePlus,
  sparseSigmoid,
  squareplus,
  swish,
  tanh,
  tanhShrink,
  threshold,
} from "./activations.js";

/** An activation: a function of one tensor (extra arguments, if any, optional). */
export type Activation = (x: AnyTensor) => AnyTensor;

/** A serialized activation as Keras writes it: `{ className: "function", config: "relu" }`. */
export interface ActivationConfig {
  className?: string;
  class_name?: string;
  config: string;
  registeredName?: string;
}

/** What `get` accepts: a Keras name (snake_case or camelCase), a function, a config, or null/undefined (linear). */
export type ActivationIdentifier = string | Activation | ActivationConfig | null | undefined;

// Keras's ALL_OBJECTS_DICT: each function under its Python name (the name `serialize` gives).
const KERAS_NAMES: [string, Activation][] = [
  ["relu", fns.relu],
  ["leaky_relu", fns.leakyRelu],
  ["relu6", fns.relu6],
  ["softmax", fns.softmax],
  ["celu", fns.celu],
  ["elu", fns.elu],
  ["selu", fns.selu],
  ["softplus", fns.softplus],
  ["softsign", fns.softsign],
  ["squareplus", fns.squareplus],
  ["soft_shrink", fns.softShrink],
  ["sparse_plus", fns.sparsePlus],
  ["silu", fns.silu],
  ["gelu", fns.gelu],
  ["glu", fns.glu],
  ["tanh", fns.tanh],
  ["tanh_shrink", fns.tanhShrink],
  ["threshold", fns.threshold as unknown as Activation],
  ["sigmoid", fns.sigmoid],
  ["sparse_sigmoid", fns.sparseSigmoid],
  ["exponential", fns.exponential],
  ["hard_sigmoid", fns.hardSigmoid],
  ["hard_silu", fns.hardSilu],
  ["hard_tanh", fns.hardTanh],
  ["hard_shrink", fns.hardShrink],
  ["linear", fns.linear],
  ["mish", fns.mish],
  ["log_softmax", fns.logSoftmax],
  ["log_sigmoid", fns.logSigmoid],
];

const camel = (snake: string): string => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const BY_NAME = new Map<string, Activation>();
const NAME_OF = new Map<Activation, string>();
for (const [name, fn] of KERAS_NAMES) {
  BY_NAME.set(name, fn);
  BY_NAME.set(camel(name), fn);
  NAME_OF.set(fn, name);
}
// Keras's additional aliases.
BY_NAME.set("swish", fns.silu);
BY_NAME.set("hard_swish", fns.hardSilu);
BY_NAME.set("hardSwish", fns.hardSilu);

/** Whether `fn` is one of Keras's activations (a kernel trace may replay a layer that uses it). */
export function isBuiltin(fn: unknown): boolean {
  return NAME_OF.has(fn as Activation) || fn === fns.linear;
}

function unknown(name: string): Error {
  const known = [...KERAS_NAMES.map(([n]) => n), "swish", "hard_swish"].sort().join(", ");
  return new Error(
    `activations.get: unknown activation '${name}'. Known activations: ${known} (also in camelCase, e.g. "leakyRelu").`,
  );
}

/**
 * The activation function for `identifier` (Keras's `keras.activations.get`): `linear` for null or
 * undefined, the function itself for a function, the named function for a string or config.
 */
export function get(identifier: ActivationIdentifier): Activation {
  if (identifier === null || identifier === undefined) return fns.linear;
  if (typeof identifier === "function") return identifier;
  if (typeof identifier === "string") {
    const fn = BY_NAME.get(identifier);
    if (!fn) throw unknown(identifier);
    return fn;
  }
  if (typeof identifier === "object" && typeof identifier.config === "string") return get(identifier.config);
  throw new TypeError(`activations.get: could not interpret activation function identifier ${String(identifier)}.`);
}

/**
 * Keras's name of a built-in activation ("relu", "leaky_relu", "silu" for swish...). Any other
 * function serializes as Keras does for registered custom functions: `{ className: "function",
 * config: name, registeredName: name }`.
 */
export function serialize(activation: Activation): string | ActivationConfig {
  const name = NAME_OF.get(activation);
  if (name !== undefined) return name;
  if (typeof activation !== "function") {
    throw new TypeError(`activations.serialize: expected a function, received ${String(activation)}.`);
  }
  return { className: "function", config: activation.name, registeredName: activation.name };
}

/** The activation for a name or `serialize`'s output (Keras's `deserialize`). */
export function deserialize(config: string | ActivationConfig): Activation {
  return get(config);
}
