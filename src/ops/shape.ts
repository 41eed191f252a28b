import { castTensor } from "../backend/convert.js";
import type { PadMode } from "../backend/cpu/shape.js";
import "../backend/cpu/shape.js";
import { isFloat, promoteTypes } from "../backend/dtypes.js";
import { kernels } from "../backend/kernels.js";
import { broadcastShapes, normalizeAxes, normalizeAxis, type SpecShape, shapeToString } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { add, cast, unbroadcast } from "./elementwise.js";
import { sum } from "./reduction.js";
import { apply1, applyOp, defineOp, toAny, toAnyAll } from "./registry.js";
import type { AnyTensor, Out, TensorInput } from "./types.js";

export type { PadMode };

// ---------------------------------------------------------------- reshape

/** Resolves a target shape with at most one -1 against an input shape that may hold nulls. */
function reshapeSpec(op: string, inShape: SpecShape, target: readonly number[]): SpecShape {
  let unknown = -1;
  let known = 1;
  target.forEach((d, i) => {
    if (d === -1) {
      if (unknown >= 0) throw new Error(`${op}: only one dimension can be -1, received ${shapeToString(target)}.`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: dimensions must be non-negative integers or -1, received ${shapeToString(target)}.`);
    } else known *= d;
  });
  const inKnown = !inShape.includes(null);
  const inSize = inKnown ? (inShape as number[]).reduce((a, b) => a * b, 1) : null;
  if (unknown < 0) {
    if (inSize !== null && inSize !== known) {
      throw new Error(
        `${op}: cannot reshape a tensor of shape ${shapeToString(inShape)} (${inSize} elements) into shape ${shapeToString(target)} (${known} elements).`,
      );
    }
    return target.slice();
  }
  const out: SpecShape = target.slice();
  if (inSize === null) {
    out[unknown] = null;
    return out;
  }
  if (known === 0 || inSize % known !== 0) {
    throw new Error(
      `${op}: cannot reshape a tensor of shape ${shapeToString(inShape)} (${inSize} elements) into shape ${shapeToString(target)}: ${inSize} is not a multiple of ${known}.`,
    );
  }
  out[unknown] = inSize / known;
  return out;
}

const RESHAPE = defineOp<{ shape: number[] }>({
  name: "reshape",
  spec: ([x], { shape }) => ({ shape: reshapeSpec("ops.reshape", x.shape, shape), dtype: x.dtype }),
  // Tensors are immutable, so the reshaped tensor shares the buffer.
  forward: ([x], _attrs, [o]) => new Tensor(x.data, o.shape, x.dtype),
  grad: ([dy], { inputs: [x] }) => [reshape(dy, x.shape) as Tensor],
});

/** Gives `x` a new shape with the same number of elements; one dimension may be -1. */
export function reshape<A extends TensorInput>(x: A, newShape: readonly number[]): Out<A> {
  return apply1(RESHAPE, [toAny(x)], { shape: newShape.slice() }) as Out<A>;
}

// ---------------------------------------------------------------- broadcastTo

const BROADCAST_TO = defineOp<{ shape: number[] }>({
  name: "broadcastTo",
  spec: ([x], { shape }) => {
    const b = broadcastShapes("ops.broadcastTo", x.shape, shape);
    if (x.shape.length > shape.length || b.some((d, i) => d !== null && d !== shape[i])) {
      throw new Error(
        `ops.broadcastTo: cannot broadcast a tensor of shape ${shapeToString(x.shape)} to shape ${shapeToString(shape)}.`,
      );
    }
    return { shape: shape.slice(), dtype: x.dtype };
  },
  forward: ([x], _a, [o]) => {
    if (x.size === o.shape.reduce((a, b) => a * b, 1)) return new Tensor(x.data, o.shape, x.dtype);
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.broadcastTo(x, out);
    return out;
  },
  grad: ([dy], { inputs: [x] }) => [unbroadcast(dy, x.shape)],
});

/** Broadcasts `x` to `shape` by NumPy's rules. */
export function broadcastTo<A extends TensorInput>(x: A, shape: readonly number[]): Out<A> {
  return apply1(BROADCAST_TO, [toAny(x)], { shape: shape.slice() }) as Out<A>;
}

// ---------------------------------------------------------------- helpers

type Dim = number | null;
const T = (x: AnyTensor) => x as Tensor;

function checkInts(op: string, what: string, values: readonly number[], min = 0): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < min) {
      throw new RangeError(`${op}: ${what} must be integers >= ${min}, received ${JSON.stringify(values)}.`);
    }
  }
}

/** A view of `x` with a new shape (same element order): for reshape-like ops. */
function view(x: Tensor, shape: number[]): Tensor {
  return new Tensor(x.data, shape, x.dtype);
}

// ---------------------------------------------------------------- transpose

const TRANSPOSE = defineOp<{ perm: number[] }>({
  name: "transpose",
  spec: ([x], { perm }) => {
    if (perm.length !== x.shape.length) {
      throw new Error(
        `ops.transpose: axes ${JSON.stringify(perm)} must list each axis of a tensor of shape ${shapeToString(x.shape)} once.`,
      );
    }
    return { shape: perm.map((p) => x.shape[p]), dtype: x.dtype };
  },
  forward: ([x], { perm }, [o]) => {
    if (perm.every((p, i) => p === i)) return view(x, o.shape);
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.transpose(x, perm, out);
    return out;
  },
  grad: ([dy], { attrs: { perm } }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    return [T(transpose(dy, inv))];
  },
});

/** Permutes the axes of `x`: output axis i is input axis `axes[i]` (default: reversed axes). */
export function transpose<A extends TensorInput>(x: A, axes?: readonly number[] | null): Out<A> {
  const t = toAny(x);
  const r = t.shape.length;
  let perm: number[];
  if (axes === undefined || axes === null) perm = Array.from({ length: r }, (_, i) => r - 1 - i);
  else {
    if (axes.length !== r) {
      throw new Error(
        `ops.transpose: axes ${JSON.stringify(axes)} must list each axis of a tensor of shape ${shapeToString(t.shape)} once.`,
      );
    }
    normalizeAxes("ops.transpose", axes, r); // rejects repeated or out-of-range axes
    perm = axes.map((a) => normalizeAxis("ops.transpose", a, r));
  }
  return apply1(TRANSPOSE, [t], { perm }) as Out<A>;
}

// ---------------------------------------------------------------- expandDims, squeeze

const EXPAND_DIMS = defineOp<{ axes: number[] }>({
  name: "expandDims",
  spec: ([x], { axes }) => {
    const shape: Dim[] = [];
    let k = 0;
    for (let i = 0; i < x.shape.length + axes.length; i++) shape.push(axes.includes(i) ? 1 : x.shape[k++]);
    return { shape, dtype: x.dtype };
  },
  forward: ([x], _a, [o]) => view(x, o.shape),
  grad: ([dy], { inputs: [x] }) => [T(reshape(dy, x.shape))],
});

/** Inserts size-1 axes at `axis` (a number or a list, positions in the output). */
export function expandDims<A extends TensorInput>(x: A, axis: number | readonly number[]): Out<A> {
  const t = toAny(x);
  const n = typeof axis === "number" ? 1 : axis.length;
  const axes = normalizeAxes("ops.expandDims", axis, t.shape.length + n);
  return apply1(EXPAND_DIMS, [t], { axes }) as Out<A>;
}

const SQUEEZE = defineOp<{ axes: number[] | null }>({
  name: "squeeze",
  spec: ([x], { axes }) => {
    if (axes === null) return { shape: x.shape.filter((d) => d !== 1), dtype: x.dtype };
    for (const a of axes) {
      if (x.shape[a] !== 1 && x.shape[a] !== null) {
        throw new Error(
          `ops.squeeze: cannot squeeze axis ${a} of a tensor of shape ${shapeToString(x.shape)}: its size is ${x.shape[a]}, not 1.`,
        );
      }
    }
    return { shape: x.shape.filter((_, i) => !axes.includes(i)), dtype: x.dtype };
  },
  forward: ([x], _a, [o]) => view(x, o.shape),
  grad: ([dy], { inputs: [x] }) => [T(reshape(dy, x.shape))],
});

/** Removes size-1 axes: those in `axis`, or all of them when omitted. */
export function squeeze<A extends TensorInput>(x: A, axis?: number | readonly number[] | null): Out<A> {
  const t = toAny(x);
  const axes = axis === undefined || axis === null ? null : normalizeAxes("ops.squeeze", axis, t.shape.length);
  return apply1(SQUEEZE, [t], { axes }) as Out<A>;
}

// ---------------------------------------------------------------- concatenate, stack, split

const CONCATENATE = defineOp<{ axis: number }>({
  name: "concatenate",
  spec: (xs, { axis }) => {
    const first = xs[0].shape;
    const bad = () =>
      new Error(
        `ops.concatenate: all inputs must have the same rank and the same sizes except along axis ${axis}, received shapes ${xs.map((x) => shapeToString(x.shape)).join(", ")}.`,
      );
    const shape: Dim[] = first.slice();
    let dtype = xs[0].dtype;
    let total: Dim = 0;
    for (const x of xs) {
      if (x.shape.length !== first.length) throw bad();
      x.shape.forEach((d, i) => {
        if (i === axis) return;
        if (shape[i] === null) shape[i] = d;
        else if (d !== null && d !== shape[i]) throw bad();
      });
      total = total === null || x.shape[axis] === null ? null : total + (x.shape[axis] as number);
      dtype = promoteTypes(dtype, x.dtype);
    }
    shape[axis] = total;
    return { shape, dtype };
  },
  forward: (xs, { axis }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.concatenate(
      xs.map((x) => castTensor(x, o.dtype)),
      axis,
      out,
    );
    return out;
  },
  grad: ([dy], { inputs, attrs: { axis } }) => {
    const bounds: number[] = [];
    let at = 0;
    for (const x of inputs.slice(0, -1)) bounds.push((at += x.shape[axis]));
    const parts = split(dy, bounds, axis);
    return inputs.map((x, i) => (isFloat(x.dtype) ? T(cast(parts[i], x.dtype)) : null));
  },
});

/** Joins tensors along an existing axis; other sizes must match. Dtypes promote as in NumPy. */
export function concatenate<A extends TensorInput>(xs: readonly A[], axis = 0): Out<A> {
  if (xs.length === 0) throw new Error("ops.concatenate: expected at least one tensor, received an empty list.");
  const ts = toAnyAll(xs);
  const r = ts[0].shape.length;
  if (r === 0) throw new Error("ops.concatenate: cannot concatenate scalars (shape []); use ops.stack.");
  return apply1(CONCATENATE, ts, { axis: normalizeAxis("ops.concatenate", axis, r) }) as Out<A>;
}

/** Joins tensors of the same shape along a new axis. */
export function stack<A extends TensorInput>(xs: readonly A[], axis = 0): Out<A> {
  if (xs.length === 0) throw new Error("ops.stack: expected at least one tensor, received an empty list.");
  const ts = toAnyAll(xs);
  const s0 = ts[0].shape;
  for (const t of ts) {
    if (t.shape.length !== s0.length || t.shape.some((d, i) => d !== null && s0[i] !== null && d !== s0[i])) {
      throw new Error(
        `ops.stack: all inputs must have the same shape, received shapes ${ts.map((x) => shapeToString(x.shape)).join(", ")}.`,
      );
    }
  }
  const a = normalizeAxis("ops.stack", axis, s0.length + 1);
  return concatenate(
    ts.map((t) => expandDims(t, a)),
    a,
  ) as Out<A>;
}

interface SplitAttrs {
  axis: number;
  sections: number | null;
  indices: number[] | null;
}

/** [start, size] of each piece along the axis (nulls where the axis size is unknown). */
function splitBounds(n: Dim, { axis, sections, indices }: SplitAttrs, shape: readonly Dim[]): [Dim, Dim][] {
  if (sections !== null) {
    if (n === null) return Array.from({ length: sections }, () => [null, null]);
    if (n % sections !== 0) {
      throw new Error(
        `ops.split: cannot split axis ${axis} of size ${n} (tensor of shape ${shapeToString(shape)}) into ${sections} equal sections; pass a list of split indices for unequal pieces.`,
      );
    }
    const k = n / sections;
    return Array.from({ length: sections }, (_, i) => [i * k, k]);
  }
  // NumPy semantics: pieces x[:i0], x[i0:i1], ..., x[ik:], each with Python slicing (negatives wrap).
  const idx = indices as number[];
  const cuts: Dim[] = [0, ...idx, n];
  const fix = (c: Dim): Dim => {
    if (c === null) return null;
    if (n === null) return c < 0 ? null : c;
    const v = c < 0 ? c + n : c;
    return Math.min(Math.max(v, 0), n);
  };
  const out: [Dim, Dim][] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const s = fix(cuts[i]);
    const e = fix(cuts[i + 1]);
    out.push([s, s === null || e === null ? null : Math.max(0, e - s)]);
  }
  return out;
}

const SPLIT = defineOp<SplitAttrs>({
  name: "split",
  spec: ([x], attrs) =>
    splitBounds(x.shape[attrs.axis], attrs, x.shape).map(([, size]) => ({
      shape: x.shape.map((d, i) => (i === attrs.axis ? size : d)),
      dtype: x.dtype,
    })),
  forward: ([x], attrs, outs) => {
    const bounds = splitBounds(x.shape[attrs.axis], attrs, x.shape) as [number, number][];
    return outs.map((o, k) => {
      const out = Tensor.empty(o.shape, o.dtype);
      kernels.slice(
        x,
        x.shape.map((_, i) => (i === attrs.axis ? bounds[k][0] : 0)),
        out,
      );
      return out;
    });
  },
  grad: (dys, { inputs: [x], attrs }) => {
    const { axis } = attrs;
    const n = x.shape[axis];
    const bounds = splitBounds(n, attrs, x.shape) as [number, number][];
    // Pieces that tile the axis in order (the usual case) concatenate back; otherwise pad and sum.
    let at = 0;
    const tiles = bounds.every(([s, size]) => {
      const ok = s === at || size === 0;
      at += size;
      return ok;
    });
    if (tiles && at === n) return [T(concatenate(dys, axis))];
    let dx: Tensor | null = null;
    bounds.forEach(([s, size], k) => {
      const widths = x.shape.map((_, i) => (i === axis ? [s, n - s - size] : [0, 0]));
      const p = T(pad(dys[k], widths));
      dx = dx === null ? p : T(add(dx, p));
    });
    return [dx];
  },
});

/**
 * Splits `x` along `axis` into `indicesOrSections` equal pieces (a number; the size must divide
 * evenly) or at the given indices (NumPy semantics). Returns a list of tensors.
 */
export function split<A extends TensorInput>(x: A, indicesOrSections: number | readonly number[], axis = 0): Out<A>[] {
  const t = toAny(x);
  const r = t.shape.length;
  if (r === 0) throw new Error("ops.split: cannot split a scalar (shape []).");
  const a = normalizeAxis("ops.split", axis, r);
  let attrs: SplitAttrs;
  if (typeof indicesOrSections === "number") {
    if (!Number.isInteger(indicesOrSections) || indicesOrSections < 1) {
      throw new RangeError(
        `ops.split: the number of sections must be a positive integer, received ${indicesOrSections}.`,
      );
    }
    attrs = { axis: a, sections: indicesOrSections, indices: null };
  } else {
    if (!indicesOrSections.every(Number.isInteger)) {
      throw new RangeError(`ops.split: split indices must be integers, received ${JSON.stringify(indicesOrSections)}.`);
    }
    attrs = { axis: a, sections: null, indices: indicesOrSections.slice() };
  }
  return applyOp(SPLIT, [t], attrs) as Out<A>[];
}

// ---------------------------------------------------------------- slice, pad

const SLICE = defineOp<{ begin: number[]; size: number[] }>({
  name: "slice",
  spec: ([x], { begin, size }) => {
    const r = x.shape.length;
    if (begin.length !== r || size.length !== r) {
      throw new Error(
        `ops.slice: startIndices ${shapeToString(begin)} and shape ${shapeToString(size)} must each have one entry per axis of the input of shape ${shapeToString(x.shape)}.`,
      );
    }
    const shape = x.shape.map((d, i) => {
      const s = size[i] === -1 ? (d === null ? null : d - begin[i]) : size[i];
      if (d !== null && (s === null || begin[i] + s > d || s < 0)) {
        throw new RangeError(
          `ops.slice: startIndices ${shapeToString(begin)} with shape ${shapeToString(size)} exceed the input of shape ${shapeToString(x.shape)} on axis ${i}.`,
        );
      }
      return s;
    });
    return { shape, dtype: x.dtype };
  },
  forward: ([x], { begin }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.slice(x, begin, out);
    return out;
  },
  grad: ([dy], { inputs: [x], attrs: { begin } }) => [
    T(
      pad(
        dy,
        x.shape.map((d, i) => [begin[i], d - begin[i] - dy.shape[i]]),
      ),
    ),
  ],
});

/**
 * `x[start[0]:start[0]+shape[0], ...]` (Keras's ops.slice: start indices and sizes per axis).
 * A size of -1 takes everything to the end of that axis.
 */
export function slice<A extends TensorInput>(
  inputs: A,
  startIndices: readonly number[],
  shape: readonly number[],
): Out<A> {
  checkInts("ops.slice", "startIndices", startIndices);
  checkInts("ops.slice", "shape entries (or -1)", shape, -1);
  return apply1(SLICE, [toAny(inputs)], { begin: startIndices.slice(), size: shape.slice() }) as Out<A>;
}

export type PadWidth =
  | number
  | readonly [number, number]
  | readonly (readonly [number, number])[]
  | readonly number[][];

interface PadAttrs {
  widths: [number, number][];
  mode: PadMode;
  value: number;
}

const PAD = defineOp<PadAttrs>({
  name: "pad",
  spec: ([x], { widths, mode }) => {
    const shape = x.shape.map((d, i) => {
      const [b, a] = widths[i];
      if (d !== null && mode !== "constant") {
        const most = mode === "reflect" ? d - 1 : d;
        if (b > most || a > most) {
          throw new RangeError(
            `ops.pad: in "${mode}" mode each pad must be at most ${mode === "reflect" ? "the axis size - 1" : "the axis size"}, received pad widths ${JSON.stringify(widths)} for shape ${shapeToString(x.shape)} (axis ${i}).`,
          );
        }
      }
      return d === null ? null : d + b + a;
    });
    return { shape, dtype: x.dtype };
  },
  forward: ([x], { widths, mode, value }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.pad(
      x,
      widths.map((w) => w[0]),
      mode,
      value,
      out,
    );
    return out;
  },
  grad: ([dy], { inputs: [x], attrs: { widths, mode } }) => {
    if (mode === "constant") {
      return [
        T(
          slice(
            dy,
            widths.map((w) => w[0]),
            x.shape,
          ),
        ),
      ];
    }
    // Reflecting pads are one pad per axis; the adjoint folds each axis's borders back in turn.
    let g = dy;
    widths.forEach(([b, a], axis) => {
      if (b === 0 && a === 0) return;
      const n = x.shape[axis];
      const begin = g.shape.map(() => 0);
      const sizeAt = (start: number, len: number) => {
        const bb = begin.slice();
        bb[axis] = start;
        return T(
          slice(
            g,
            bb,
            g.shape.map((d, i) => (i === axis ? len : d)),
          ),
        );
      };
      const widthsFor = (lo: number, hi: number) => g.shape.map((_, i) => (i === axis ? [lo, hi] : [0, 0]));
      const off = mode === "reflect" ? 1 : 0;
      let acc = sizeAt(b, n);
      if (b > 0) acc = T(add(acc, pad(flip(sizeAt(0, b), axis), widthsFor(off, n - b - off))));
      if (a > 0) acc = T(add(acc, pad(flip(sizeAt(b + n, a), axis), widthsFor(n - a - off, off))));
      g = acc;
    });
    return [g];
  },
});

function padWidths(widths: PadWidth, shape: readonly Dim[]): [number, number][] {
  const r = shape.length;
  const bad = () =>
    new Error(
      `ops.pad: padWidth must be a number, a [before, after] pair, or one pair per axis of the input of shape ${shapeToString(shape)}, received ${JSON.stringify(widths)}.`,
    );
  let out: [number, number][];
  if (typeof widths === "number") out = shape.map(() => [widths, widths]);
  else if (widths.length === 2 && typeof widths[0] === "number") {
    const [b, a] = widths as [number, number];
    out = shape.map(() => [b, a]);
  } else {
    const pairs = widths as readonly (readonly number[])[];
    if (!pairs.every((p) => Array.isArray(p) && p.length === 2)) throw bad();
    if (pairs.length === 1 && r !== 1) out = shape.map(() => [pairs[0][0], pairs[0][1]]);
    else if (pairs.length === r) out = pairs.map((p) => [p[0], p[1]]);
    else throw bad();
  }
  checkInts("ops.pad", "pad widths", out.flat());
  return out;
}

/**
 * Pads `x` by `padWidth` ([[before, after], ...] per axis, or one pair for all axes) with
 * `constantValues` ("constant" mode) or by mirroring ("reflect" excludes the edge, "symmetric" repeats it).
 */
export function pad<A extends TensorInput>(
  x: A,
  padWidth: PadWidth,
  mode: PadMode | string = "constant",
  constantValues = 0,
): Out<A> {
  const t = toAny(x);
  if (mode !== "constant" && mode !== "reflect" && mode !== "symmetric") {
    throw new Error(`ops.pad: mode must be "constant", "reflect" or "symmetric", received "${mode}".`);
  }
  if (mode !== "constant" && constantValues !== 0) {
    throw new Error(`ops.pad: constantValues can only be set in "constant" mode, received mode "${mode}".`);
  }
  return apply1(PAD, [t], { widths: padWidths(padWidth, t.shape), mode, value: constantValues }) as Out<A>;
}

// ---------------------------------------------------------------- tile, repeat, flip

const TILE = defineOp<{ repeats: number[] }>({
  name: "tile",
  spec: ([x], { repeats }) => ({
    shape: x.shape.map((d, i) => (repeats[i] === 0 ? 0 : d === null ? null : d * repeats[i])),
    dtype: x.dtype,
  }),
  forward: ([x], { repeats }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.tile(x, repeats, out);
    return out;
  },
  // Output axis i splits as [repeats[i], size[i]]; summing the repeat axes gives the gradient.
  grad: ([dy], { inputs: [x], attrs: { repeats } }) => {
    const split2 = x.shape.flatMap((d, i) => [repeats[i], d]);
    const axes = x.shape.map((_, i) => 2 * i);
    return [T(reshape(sum(reshape(dy, split2), axes), x.shape))];
  },
});

/** Repeats `x` `repeats[i]` times along axis i (NumPy's tile: shorter lists apply to the last axes). */
export function tile<A extends TensorInput>(x: A, repeats: number | readonly number[]): Out<A> {
  let t = toAny(x);
  const reps = typeof repeats === "number" ? [repeats] : repeats.slice();
  checkInts("ops.tile", "repeats", reps);
  const r = t.shape.length;
  if (reps.length > r)
    t = expandDims(
      t,
      Array.from({ length: reps.length - r }, (_, i) => i),
    );
  while (reps.length < t.shape.length) reps.unshift(1);
  return apply1(TILE, [t], { repeats: reps }) as Out<A>;
}

const REPEAT = defineOp<{ repeats: number; axis: number }>({
  name: "repeat",
  spec: ([x], { repeats, axis }) => ({
    shape: x.shape.map((d, i) => (i !== axis ? d : repeats === 0 ? 0 : d === null ? null : d * repeats)),
    dtype: x.dtype,
  }),
  forward: ([x], { repeats, axis }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.repeat(x, repeats, axis, out);
    return out;
  },
  grad: ([dy], { inputs: [x], attrs: { repeats, axis } }) => {
    const s = x.shape.slice();
    s.splice(axis + 1, 0, repeats);
    return [T(reshape(sum(reshape(dy, s), axis + 1), x.shape))];
  },
});

/** Repeats each element `repeats` times along `axis` (on the flattened tensor when omitted, as NumPy). */
export function repeat<A extends TensorInput>(x: A, repeats: number, axis?: number | null): Out<A> {
  let t = toAny(x);
  checkInts("ops.repeat", "repeats", [repeats]);
  if (axis === undefined || axis === null) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  return apply1(REPEAT, [t], { repeats, axis: normalizeAxis("ops.repeat", axis, t.shape.length) }) as Out<A>;
}

const FLIP = defineOp<{ axes: number[] }>({
  name: "flip",
  spec: ([x]) => ({ shape: x.shape, dtype: x.dtype }),
  forward: ([x], { axes }, [o]) => {
    const out = Tensor.empty(o.shape, o.dtype);
    kernels.flip(x, axes, out);
    return out;
  },
  grad: ([dy], { attrs: { axes } }) => [T(flip(dy, axes))],
});

/** Reverses the order of elements along `axis` (a number, a list, or all axes when omitted). */
export function flip<A extends TensorInput>(x: A, axis?: number | readonly number[] | null): Out<A> {
  const t = toAny(x);
  return apply1(FLIP, [t], { axes: normalizeAxes("ops.flip", axis, t.shape.length) }) as Out<A>;
}
