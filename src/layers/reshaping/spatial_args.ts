/** Argument handling shared by the padding, cropping and upsampling layers (Keras's argument_validation). */
import type { SpecShape } from "../../backend/shape.js";
import { standardizeTuple } from "../convolutional/conv_args.js";

export { standardizeTuple };

/**
 * One (before, after) pair per spatial axis, from an int (the same on every side), a list of `n`
 * ints (symmetric per axis) or a list of `n` pairs, as Keras's ZeroPadding2D/3D and Cropping2D/3D.
 */
export function standardizePairs(
  value: number | readonly (number | readonly number[])[],
  n: number,
  name: string,
  who: string,
): [number, number][] {
  const bad = () =>
    new Error(
      `${who}: ${name} must be a non-negative integer, a list of ${n} such integers (symmetric per axis), or a list of ${n} pairs [before, after], received ${JSON.stringify(value)}.`,
    );
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) throw bad();
    return Array.from({ length: n }, () => [value, value]);
  }
  if (!Array.isArray(value) || value.length !== n) throw bad();
  return value.map((entry, i) => {
    const nth = ["1st", "2nd", "3rd"][i] ?? `${i + 1}th`;
    const pair = standardizeTuple(entry as number | number[], 2, `the ${nth} entry of ${name}`, who, true);
    return [pair[0], pair[1]];
  });
}

/** The input's spatial axes (after the batch axis; after the channels axis in channels-first). */
export function spatialAxes(rank: number, dataFormat: "channels_last" | "channels_first"): number[] {
  const first = dataFormat === "channels_first" ? 2 : 1;
  return Array.from({ length: rank - 2 }, (_, i) => first + i);
}

export function shapeString(shape: SpecShape): string {
  return `[${shape.map((d) => (d === null ? "null" : d)).join(", ")}]`;
}
