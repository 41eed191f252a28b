/**
 * keras.initializers: the initial values of weights, as Keras 3. Classes (`new GlorotUniform({ seed })`),
 * camelCase factories (`glorotUniform({ seed })`) and string identifiers in Keras's spellings
 * ("glorot_uniform", "GlorotUniform") or camelCase ("glorotUniform"), all through `get`.
 */
import type { DType } from "../backend/dtypes.js";
import type { Tensor } from "../backend/tensor.js";
import { Constant, Identity, Ones, Zeros } from "./constant_initializers.js";
import { FunctionInitializer, Initializer } from "./initializer.js";
import {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  Orthogonal,
  type OrthogonalOptions,
  RandomNormal,
  type RandomNormalOptions,
  RandomUniform,
  type RandomUniformOptions,
  type SeedOptions,
  TruncatedNormal,
  VarianceScaling,
  type VarianceScalingOptions,
} from "./random_initializers.js";

export { Constant, Identity, Ones, Zeros } from "./constant_initializers.js";
export { FunctionInitializer, Initializer } from "./initializer.js";
export {
  computeFans,
  type FanMode,
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  type InitializerSeed,
  LecunNormal,
  LecunUniform,
  Orthogonal,
  OrthogonalInitializer,
  type OrthogonalOptions,
  RandomInitializer,
  RandomNormal,
  type RandomNormalOptions,
  RandomUniform,
  type RandomUniformOptions,
  type SeedOptions,
  type SerializedSeedGenerator,
  TruncatedNormal,
  VarianceScaling,
  type VarianceScalingDistribution,
  type VarianceScalingOptions,
} from "./random_initializers.js";

/** Keras's other name of Identity. */
export const IdentityInitializer = Identity;

// camelCase factories: Keras exports each class under a snake_case name too (keras.initializers.glorot_uniform).
export const constant = (value: number | { value?: number } = 0): Constant => new Constant(value);
export const zeros = (): Zeros => new Zeros();
export const ones = (): Ones => new Ones();
export const identity = (options?: { gain?: number }): Identity => new Identity(options);
export const randomNormal = (options?: RandomNormalOptions): RandomNormal => new RandomNormal(options);
export const truncatedNormal = (options?: RandomNormalOptions): TruncatedNormal => new TruncatedNormal(options);
export const randomUniform = (options?: RandomUniformOptions): RandomUniform => new RandomUniform(options);
export const varianceScaling = (options?: VarianceScalingOptions): VarianceScaling => new VarianceScaling(options);
export const glorotUniform = (options?: SeedOptions): GlorotUniform => new GlorotUniform(options);
export const glorotNormal = (options?: SeedOptions): GlorotNormal => new GlorotNormal(options);
export const heUniform = (options?: SeedOptions): HeUniform => new HeUniform(options);
export const heNormal = (options?: SeedOptions): HeNormal => new HeNormal(options);
export const lecunUniform = (options?: SeedOptions): LecunUniform => new LecunUniform(options);
export const lecunNormal = (options?: SeedOptions): LecunNormal => new LecunNormal(options);
export const orthogonal = (options?: OrthogonalOptions): Orthogonal => new Orthogonal(options);

/** @inline */
type InitializerClass = new (config?: never) => Initializer;

/** A serialized initializer: `{ className, config }` (Keras's `{"class_name", "config"}` also accepted). */
export interface InitializerConfig {
  className?: string;
  class_name?: string;
  config?: Record<string, unknown>;
}

/** What `get` accepts: an Initializer, its name, its serialized config, its class, or `(shape, dtype) => Tensor`. */
export type InitializerIdentifier =
  | string
  | Initializer
  | ((shape: number[], dtype: DType) => Tensor)
  | InitializerClass
  | InitializerConfig;

// Keras's class names, their snake_case forms (ALL_OBJECTS_DICT), Keras's aliases, and camelCase.
const CLASSES: [InitializerClass, string, string][] = [
  [Constant, "Constant", "constant"],
  [Zeros, "Zeros", "zeros"],
  [Ones, "Ones", "ones"],
  [Identity, "Identity", "identity"],
  [RandomNormal, "RandomNormal", "random_normal"],
  [TruncatedNormal, "TruncatedNormal", "truncated_normal"],
  [RandomUniform, "RandomUniform", "random_uniform"],
  [VarianceScaling, "VarianceScaling", "variance_scaling"],
  [GlorotUniform, "GlorotUniform", "glorot_uniform"],
  [GlorotNormal, "GlorotNormal", "glorot_normal"],
  [HeUniform, "HeUniform", "he_uniform"],
  [HeNormal, "HeNormal", "he_normal"],
  [LecunUniform, "LecunUniform", "lecun_uniform"],
  [LecunNormal, "LecunNormal", "lecun_normal"],
  [Orthogonal, "Orthogonal", "orthogonal"],
];

const camel = (snake: string): string => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const BY_NAME = new Map<string, InitializerClass>();
for (const [cls, className, snake] of CLASSES) {
  BY_NAME.set(className, cls);
  BY_NAME.set(snake, cls);
  BY_NAME.set(camel(snake), cls);
}
for (const [alias, cls] of [
  ["OrthogonalInitializer", Orthogonal],
  ["orthogonal_initializer", Orthogonal],
  ["IdentityInitializer", Identity],
  ["identity_initializer", Identity],
  ["uniform", RandomUniform],
  ["normal", RandomNormal],
  ["one", Ones],
  ["zero", Zeros],
] as const) {
  BY_NAME.set(alias, cls);
}

function unknown(name: string): Error {
  const known = CLASSES.map(([, , snake]) => snake).join(", ");
  return new Error(
    `initializers.get: unknown initializer '${name}'. Known initializers: ${known} ` +
      `(also as class names, e.g. "GlorotUniform", and in camelCase, e.g. "glorotUniform"; aliases: normal, uniform, one, zero).`,
  );
}

/**
 * The Initializer named or described by `identifier` (Keras's `keras.initializers.get`): a new
 * instance for a name, class or config, the instance itself for an Initializer, a wrapper for a
 * `(shape, dtype) => Tensor` function; null for null or undefined.
 */
export function get(identifier: InitializerIdentifier): Initializer;
export function get(identifier: InitializerIdentifier | null | undefined): Initializer | null;
export function get(identifier: InitializerIdentifier | null | undefined): Initializer | null {
  if (identifier === null || identifier === undefined) return null;
  if (identifier instanceof Initializer) return identifier;
  if (typeof identifier === "string") {
    const cls = BY_NAME.get(identifier);
    if (!cls) throw unknown(identifier);
    return new cls();
  }
  if (typeof identifier === "function") {
    if (identifier.prototype instanceof Initializer) return new (identifier as InitializerClass)();
    return new FunctionInitializer(identifier as (shape: number[], dtype: DType) => Tensor);
  }
  if (typeof identifier === "object") {
    const name = identifier.className ?? identifier.class_name;
    if (typeof name === "string") {
      const cls = BY_NAME.get(name);
      if (!cls) throw unknown(name);
      return (cls as unknown as typeof Constant).fromConfig(identifier.config ?? {});
    }
  }
  throw new TypeError(`initializers.get: could not interpret initializer identifier ${String(identifier)}.`);
}

/** The `{ className, config }` of an initializer (Keras's `serialize`, keys in camelCase). */
export function serialize(initializer: Initializer): { className: string; config: Record<string, unknown> } {
  return { className: initializer.constructor.name, config: initializer.getConfig() };
}

/** The initializer described by `serialize`'s output or a name (Keras's `deserialize`). */
export function deserialize(config: InitializerConfig | string): Initializer {
  return get(config);
}
