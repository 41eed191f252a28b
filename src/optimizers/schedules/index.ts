/** `keras.optimizers.schedules`: learning-rate schedules, their camelCase factories and (de)serialization. */
import { fromKerasKeys, isKerasObjectConfig, type KerasObjectConfig, toKerasKeys } from "../config_keys.js";
import {
  CosineDecay,
  type CosineDecayOptions,
  CosineDecayRestarts,
  type CosineDecayRestartsOptions,
  ExponentialDecay,
  type ExponentialDecayOptions,
  InverseTimeDecay,
  type LearningRateSchedule,
  PiecewiseConstantDecay,
  PolynomialDecay,
  type PolynomialDecayOptions,
} from "./learning_rate_schedule.js";

export * from "./learning_rate_schedule.js";

export const exponentialDecay = (
  initialLearningRate: number,
  decaySteps: number,
  decayRate: number,
  options?: ExponentialDecayOptions,
) => new ExponentialDecay(initialLearningRate, decaySteps, decayRate, options);
export const piecewiseConstantDecay = (boundaries: number[], values: number[], options?: { name?: string }) =>
  new PiecewiseConstantDecay(boundaries, values, options);
export const polynomialDecay = (initialLearningRate: number, decaySteps: number, options?: PolynomialDecayOptions) =>
  new PolynomialDecay(initialLearningRate, decaySteps, options);
export const inverseTimeDecay = (
  initialLearningRate: number,
  decaySteps: number,
  decayRate: number,
  options?: ExponentialDecayOptions,
) => new InverseTimeDecay(initialLearningRate, decaySteps, decayRate, options);
export const cosineDecay = (initialLearningRate: number, decaySteps: number, options?: CosineDecayOptions) =>
  new CosineDecay(initialLearningRate, decaySteps, options);
export const cosineDecayRestarts = (
  initialLearningRate: number,
  firstDecaySteps: number,
  options?: CosineDecayRestartsOptions,
) => new CosineDecayRestarts(initialLearningRate, firstDecaySteps, options);

/** @inline */
// biome-ignore lint/suspicious/noExplicitAny: configs are untyped dictionaries.
type C = Record<string, any>;

/** Rebuilds each built-in schedule from its camelCase config. */
const BUILDERS: Record<string, (c: C) => LearningRateSchedule> = {
  ExponentialDecay: ({ initialLearningRate, decaySteps, decayRate, ...o }) =>
    new ExponentialDecay(initialLearningRate, decaySteps, decayRate, o),
  PiecewiseConstantDecay: ({ boundaries, values, ...o }) => new PiecewiseConstantDecay(boundaries, values, o),
  PolynomialDecay: ({ initialLearningRate, decaySteps, ...o }) =>
    new PolynomialDecay(initialLearningRate, decaySteps, o),
  InverseTimeDecay: ({ initialLearningRate, decaySteps, decayRate, ...o }) =>
    new InverseTimeDecay(initialLearningRate, decaySteps, decayRate, o),
  CosineDecay: ({ initialLearningRate, decaySteps, ...o }) => new CosineDecay(initialLearningRate, decaySteps, o),
  CosineDecayRestarts: ({ initialLearningRate, firstDecaySteps, ...o }) =>
    new CosineDecayRestarts(initialLearningRate, firstDecaySteps, o),
};

/** Keras's serialized form: `{ module: "keras.optimizers.schedules", class_name, config (snake_case), registered_name: null }`. */
export function serialize(schedule: LearningRateSchedule): KerasObjectConfig {
  const name = schedule.constructor.name;
  const builtin = name in BUILDERS && BUILDERS[name] !== undefined;
  return {
    module: "keras.optimizers.schedules",
    class_name: name,
    config: toKerasKeys(schedule.getConfig()),
    registered_name: builtin ? null : name,
  };
}

/** Subclasses of LearningRateSchedule with a `fromConfig(config)` static, or factories taking the camelCase config. */
export type CustomSchedules = Record<
  string,
  ((config: C) => LearningRateSchedule) | { fromConfig(config: C): LearningRateSchedule }
>;

export function deserialize(config: KerasObjectConfig, customObjects: CustomSchedules = {}): LearningRateSchedule {
  if (!isKerasObjectConfig(config)) {
    throw new Error(`schedules.deserialize: expected { class_name, config }, received ${JSON.stringify(config)}.`);
  }
  const cfg = fromKerasKeys(config.config ?? {});
  const custom =
    customObjects[config.class_name] ?? (config.registered_name ? customObjects[config.registered_name] : undefined);
  if (custom) return "fromConfig" in custom ? custom.fromConfig(cfg) : custom(cfg);
  const build = BUILDERS[config.class_name];
  if (!build) {
    throw new Error(
      `schedules.deserialize: unknown learning rate schedule '${config.class_name}'. Known: ${Object.keys(BUILDERS).join(", ")}; pass others in customObjects.`,
    );
  }
  return build(cfg);
}
