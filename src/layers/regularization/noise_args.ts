import type { Layer } from "../layer.js";

/** Keras's check of rates and standard deviations: a number in [0, 1], named in the error. */
export function unitIntervalArg(layer: Layer, name: string, value: number): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new Error(
      `${layer.describe()}: invalid value received for argument \`${name}\`: expected a float value between 0 and 1, received ${name}=${String(value)}.`,
    );
  }
  return value;
}
