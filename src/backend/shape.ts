/** Shape arithmetic shared by tensors, symbolic tensors and op specs. `null` is an unknown dimension. */
export type Shape = number[];
export type SpecShape = (number | null)[];

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapeToString(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? "null" : String(d))).join(", ")}]`;
}

export function shapesEqual(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of several shapes; unknown (null) dimensions stay unknown unless the other side fixes them. */
export function broadcastShapes(op: string, ...shapes: (readonly (number | null)[])[]): SpecShape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: SpecShape = new Array(rank).fill(1);
  for (let i = 0; i < rank; i++) {
    let dim: number | null = 1;
    for (const s of shapes) {
      const j = s.length - rank + i;
      const d = j < 0 ? 1 : s[j];
      if (d === 1) continue;
      if (dim === 1) dim = d;
      else if (d === null) {
        /* keep the known size */
      } else if (dim === null) dim = d;
      else if (dim !== d) {
        throw new Error(
          `${op}: cannot broadcast shapes ${shapes.map(shapeToString).join(" and ")}: ` +
            `axis ${i - rank} has sizes ${dim} and ${d}. Sizes must be equal or one of them 1.`,
        );
      }
    }
    out[i] = dim;
  }
  return out;
}

/** Turns a possibly negative axis into 0..rank-1, with an error that names the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${rank - 1}]).`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalizes `axis` (undefined = all axes, a number, or a list) to sorted unique axes. */
export function normalizeAxes(op: string, axis: number | readonly number[] | null | undefined, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new Error(`${op}: repeated axis in ${JSON.stringify(list)}.`);
  return out.sort((a, b) => a - b);
}
