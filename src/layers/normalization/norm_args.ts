/** Axis checks shared by the normalization layers. */

/** A non-negative axis of `shape`, or an error naming the layer. */
export function canonicalAxis(axis: number, shape: readonly (number | null)[], who: string): number {
  const r = shape.length;
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new Error(
      `${who}: axis ${axis} is out of bounds for inputs of rank ${r} (shape [${shape.map((d) => d ?? "null")}]).`,
    );
  }
  return axis < 0 ? axis + r : axis;
}

/** Sorted non-negative axes without duplicates. */
export function canonicalAxes(
  axes: number | readonly number[],
  shape: readonly (number | null)[],
  who: string,
): number[] {
  const list = (typeof axes === "number" ? [axes] : axes.slice()).map((a) => canonicalAxis(a, shape, who));
  if (new Set(list).size !== list.length) {
    throw new Error(`${who}: duplicate axes are not allowed, received axis=${JSON.stringify(axes)}.`);
  }
  return list.sort((a, b) => a - b);
}
