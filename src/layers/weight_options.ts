/**
 * Layers keep each weight's options under Keras's names, `<weight>Initializer`, `<weight>Regularizer`
 * and `<weight>Constraint` (kernelInitializer, gammaConstraint...). These helpers read them by weight
 * name, for addWeight and for getConfig in Keras's key order.
 */
import * as constraints from "../constraints/index.js";
import * as initializers from "../initializers/index.js";
import * as regularizers from "../regularizers/index.js";

export const serializeOrNull = <T>(x: T | null, f: (x: T) => unknown): unknown => (x === null ? null : f(x));

const field = (layer: object, key: string): unknown => (layer as Record<string, unknown>)[key];

/** The initializer, regularizer and constraint of `weight`, as addWeight takes them. */
export function weightOptions(
  layer: object,
  weight: string,
): {
  initializer: initializers.Initializer;
  regularizer: regularizers.Regularizer | null;
  constraint: constraints.Constraint | null;
} {
  return {
    initializer: field(layer, `${weight}Initializer`) as initializers.Initializer,
    regularizer: field(layer, `${weight}Regularizer`) as regularizers.Regularizer | null,
    constraint: field(layer, `${weight}Constraint`) as constraints.Constraint | null,
  };
}

/** `<weight>Initializer` config entries, serialized, in the order of `weights`. */
export function initializersConfig(layer: object, weights: readonly string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const w of weights) {
    config[`${w}Initializer`] = initializers.serialize(field(layer, `${w}Initializer`) as initializers.Initializer);
  }
  return config;
}

/** `<weight>Regularizer` config entries (null where there is none). */
export function regularizersConfig(layer: object, weights: readonly string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const w of weights) {
    const r = field(layer, `${w}Regularizer`) as regularizers.Regularizer | null;
    config[`${w}Regularizer`] = serializeOrNull(r, regularizers.serialize);
  }
  return config;
}

/** `<weight>Constraint` config entries (null where there is none). */
export function constraintsConfig(layer: object, weights: readonly string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const w of weights) {
    const c = field(layer, `${w}Constraint`) as constraints.Constraint | null;
    config[`${w}Constraint`] = serializeOrNull(c, constraints.serialize);
  }
  return config;
}

/**
 * The three kinds in Keras's order: every initializer, every regularizer (then, with `activity`,
 * the layer's activityRegularizer, as Keras's kernel layers save it), every constraint.
 */
export function weightOptionsConfig(
  layer: object,
  weights: readonly string[],
  activity = false,
): Record<string, unknown> {
  return {
    ...initializersConfig(layer, weights),
    ...regularizersConfig(layer, weights),
    ...(activity
      ? {
          activityRegularizer: serializeOrNull(
            field(layer, "activityRegularizer") as regularizers.Regularizer | null,
            regularizers.serialize,
          ),
        }
      : {}),
    ...constraintsConfig(layer, weights),
  };
}
