import { castTensor } from "../backend/convert.js";
import { type DType, promoteTypes } from "../backend/dtypes.js";
import { kernels } from "../backend/kernels.js";
import "../backend/cpu/linalg.js";
import { broadcastShapes, type SpecShape, shapeToString, stridesOf } from "../backend/shape.js";
import { Tensor } from "../backend/tensor.js";
import { multiply, unbroadcast } from "./elementwise.js";
import { apply1, defineOp, toAny } from "./registry.js";
import type { AnyTensor, Out, Spec, TensorInput } from "./types.js";

const T = (x: AnyTensor) => x as Tensor;

/** Products of bools are bools (any of the ands, as NumPy's), computed in int32. */
function workDType(d: DType): DType {
  return d === "bool" ? "int32" : d;
}

function finish(out: Tensor, dtype: DType): Tensor {
  return out.dtype === dtype ? out : castTensor(out, dtype);
}

function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

// ---------------------------------------------------------------- size-1 axes (private)

/**
 * Inserts (or removes) a size-1 axis at `axis`: the 1-D promotion of matmul and the broadcasting
 * of size-1 einsum axes, which must keep unknown (null) dimensions that reshape cannot express.
 */
const UNIT_AXIS = defineOp<{ axis: number; insert: boolean }>({
  name: "unitAxis",
  spec: ([x], { axis, insert }) => {
    const shape = x.shape.slice();
    if (insert) shape.splice(axis, 0, 1);
    else shape.splice(axis, 1);
    return { shape, dtype: x.dtype };
  },
  forward: ([x], _a, [o]) => new Tensor(x.data, o.shape, x.dtype),
  grad: ([dy], { attrs: { axis, insert } }) => [unitAxis(dy, axis, !insert) as Tensor],
});

function unitAxis(x: AnyTensor, axis: number, insert: boolean): AnyTensor {
  return apply1(UNIT_AXIS, [x], { axis, insert });
}

// ---------------------------------------------------------------- matmul

interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
}

/** The output spec of op(a) @ op(b) for operands of rank >= 2 with broadcast batch dims. */
function matmulSpec(op: string, a: Spec, b: Spec, { transA, transB }: MatmulAttrs): Spec {
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new Error(
      `${op}: operands must have rank >= 2, received shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)}.`,
    );
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const ka = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (ka !== null && kb !== null && ka !== kb) {
    throw new Error(
      `${op}: inner dimensions do not match: ${shapeToString(a.shape)} @ ${shapeToString(b.shape)}: ${ka} vs ${kb}.`,
    );
  }
  let batch: SpecShape;
  try {
    batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new Error(
      `${op}: the batch dimensions of ${shapeToString(a.shape)} and ${shapeToString(b.shape)} do not broadcast (each must be equal or 1).`,
    );
  }
  return { shape: [...batch, m, n], dtype: promoteTypes(a.dtype, b.dtype) };
}

/** Batch dims of `shape` broadcast to `batch`, as one leading axis the kernel can take. */
function toRank3(x: Tensor, batch: number[], dtype: DType): Tensor {
  const inner = x.shape.slice(-2);
  const own = x.shape.slice(0, -2);
  const n = product(own);
  x = castTensor(x, dtype);
  if (n === 1 || (own.length === batch.length && own.every((d, i) => d === batch[i]))) {
    return new Tensor(x.data, [n, inner[0], inner[1]], x.dtype);
  }
  // Partly broadcast batch (e.g. [2, 1] against [2, 5]): materialize it for the kernel.
  const full = Tensor.empty([...batch, ...inner], dtype);
  kernels.broadcastTo(x, full);
  return new Tensor(full.data, [product(batch), inner[0], inner[1]], dtype);
}

const MATMUL = defineOp<MatmulAttrs>({
  name: "matmul",
  spec: ([a, b], attrs) => matmulSpec("ops.matmul", a, b, attrs),
  forward: ([a, b], { transA, transB }, [o]) => {
    const batch = o.shape.slice(0, -2);
    const work = workDType(o.dtype);
    // The kernel writes every element.
    const out = Tensor.uninitialized([product(batch), o.shape[o.shape.length - 2], o.shape[o.shape.length - 1]], work);
    kernels.matmul(toRank3(a, batch, work), toRank3(b, batch, work), out, transA, transB);
    return finish(new Tensor(out.data, o.shape, work), o.dtype);
  },
  // With A' = op(A), B' = op(B): dA' = dY B'^T and dB' = A'^T dY, each expressed through the flags
  // so that no transpose is materialized, then summed over the batch dims that were broadcast.
  grad: ([dy], { inputs: [a, b], attrs: { transA, transB }, needsGrad: [needA, needB] }) => {
    const da = !needA ? null : transA ? matmulOp(b, dy, transB, true) : matmulOp(dy, b, false, !transB);
    const db = !needB ? null : transB ? matmulOp(dy, a, true, transA) : matmulOp(a, dy, !transA, false);
    return [da && unbroadcast(T(da), a.shape), db && unbroadcast(T(db), b.shape)];
  },
});

/** op(a) @ op(b) with transposes as flags (no transpose materialized); shapes as matmul's rank-3 view. */
export function matmulOp(a: AnyTensor, b: AnyTensor, transA: boolean, transB: boolean): AnyTensor {
  return apply1(MATMUL, [a, b], { transA, transB });
}

/**
 * Matrix product with NumPy's semantics: batch dims broadcast; a 1-D first operand is a row vector
 * and a 1-D second operand a column vector, their added axis removed from the result. Integer
 * operands give int32, mixed ones the promoted float type.
 */
export function matmul<A extends TensorInput, B extends TensorInput>(x1: A, x2: B): Out<A | B> {
  let a = toAny(x1);
  let b = toAny(x2);
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra === 0 || rb === 0) {
    throw new Error(
      `ops.matmul: operands must have rank >= 1 (use ops.multiply for scalars), received shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)}.`,
    );
  }
  const ka = a.shape[ra - 1];
  const kb = b.shape[rb === 1 ? 0 : rb - 2];
  if (ka !== null && kb !== null && ka !== kb) {
    throw new Error(
      `ops.matmul: inner dimensions do not match: ${shapeToString(a.shape)} @ ${shapeToString(b.shape)}: ${ka} vs ${kb}.`,
    );
  }
  if (ra === 1) a = unitAxis(a, 0, true);
  if (rb === 1) b = unitAxis(b, 1, true);
  let y = matmulOp(a, b, false, false);
  if (rb === 1) y = unitAxis(y, y.shape.length - 1, false);
  if (ra === 1) y = unitAxis(y, y.shape.length - (rb === 1 ? 1 : 2), false);
  return y as Out<A | B>;
}

// ---------------------------------------------------------------- einsum (one or two operands)

/**
 * One einsum term per operand and one for the output, each a string of one-character labels.
 * Labels may repeat within a term (a diagonal) and the output may hold labels no input has (a
 * broadcast, sized by `sizes`): both arise in gradients. `sizes` gives every label's size.
 */
interface EinsumAttrs {
  subs: string[];
  out: string;
  sizes: Record<string, number | null>;
}

/** The size of every label, checked for agreement between operands. */
function labelSizes(inputs: readonly Spec[], { subs, sizes }: EinsumAttrs): Map<string, number | null> {
  const m = new Map<string, number | null>(Object.entries(sizes));
  inputs.forEach((x, i) => {
    if (subs[i].length !== x.shape.length) {
      throw new Error(
        `ops.einsum: operand ${i} has shape ${shapeToString(x.shape)} (rank ${x.shape.length}) but its subscript '${subs[i]}' names ${subs[i].length} axes.`,
      );
    }
    [...subs[i]].forEach((l, ax) => {
      const d = x.shape[ax];
      const prev = m.get(l);
      if (prev === undefined || prev === null) m.set(l, d);
      else if (d !== null && d !== prev) {
        throw new Error(
          `ops.einsum: label '${l}' has size ${d} in operand ${i} (shape ${shapeToString(x.shape)}) but size ${prev} elsewhere.`,
        );
      }
    });
  });
  return m;
}

const EINSUM = defineOp<EinsumAttrs>({
  name: "einsum",
  spec: (inputs, attrs) => {
    const m = labelSizes(inputs, attrs);
    const shape: SpecShape = [...attrs.out].map((l) => {
      const d = m.get(l);
      if (d === undefined) throw new Error(`ops.einsum: output label '${l}' has no size.`);
      return d;
    });
    return { shape, dtype: inputs.map((x) => x.dtype).reduce(promoteTypes) };
  },
  forward: (xs, attrs, [o]) => {
    const m = labelSizes(xs, attrs) as Map<string, number>;
    const work = workDType(o.dtype);
    const ts = xs.map((x) => castTensor(x, work));
    const out = ts.length === 1 ? loopEinsum(ts, attrs.subs, attrs.out, m) : pairEinsum(ts, attrs.subs, attrs.out, m);
    return finish(out, o.dtype);
  },
  // Each operand's gradient is the einsum of the output gradient with the other operand, into the
  // operand's own term; `sizes` carries the labels the result needs but its inputs lack.
  grad: ([dy], { inputs, attrs: { subs, out } }) => {
    const sizes: Record<string, number> = {};
    inputs.forEach((x, i) => {
      [...subs[i]].forEach((l, ax) => {
        sizes[l] = x.shape[ax];
      });
    });
    if (inputs.length === 1) return [einsumOp([dy], [out], subs[0], sizes) as Tensor];
    const [a, b] = inputs;
    return [
      einsumOp([dy, b], [out, subs[1]], subs[0], sizes) as Tensor,
      einsumOp([a, dy], [subs[0], out], subs[1], sizes) as Tensor,
    ];
  },
});

function einsumOp(xs: AnyTensor[], subs: string[], out: string, sizes: Record<string, number | null> = {}): AnyTensor {
  return apply1(EINSUM, xs, { subs, out, sizes });
}

/** Strides of each label in a term: the sum of the strides of its axes, 0 when absent. */
function labelStrides(labels: readonly string[], sub: string, shape: readonly number[]): number[] {
  const own = stridesOf(shape);
  return labels.map((l) => {
    let s = 0;
    for (let ax = 0; ax < sub.length; ax++) if (sub[ax] === l) s += own[ax];
    return s;
  });
}

/** Any one- or two-operand einsum by a direct loop over all labels (output labels outermost). */
function loopEinsum(xs: Tensor[], subs: readonly string[], out: string, m: Map<string, number>): Tensor {
  const labels = [...new Set([...out, ...subs.join("")])];
  const shape = [...out].map((l) => m.get(l) as number);
  const res = Tensor.empty(shape, xs[0].dtype);
  kernels.einsumLoop(
    xs,
    res,
    labels.map((l) => m.get(l) as number),
    xs.map((x, i) => labelStrides(labels, subs[i], x.shape)),
    labelStrides(labels, out, shape),
  );
  return res;
}

/** `x` (term `sub`) rearranged into term `target`, a view when nothing moves. */
function arrange(x: Tensor, sub: string, target: string, m: Map<string, number>): Tensor {
  return sub === target ? x : loopEinsum([x], [sub], target, m);
}

/**
 * Two-operand einsum as one batched matmul: labels in both operands and the output are batch,
 * labels in one operand and the output are rows (of a) or columns (of b), labels in both operands
 * only are contracted. Operands already laid out as [batch, rows, inner] or [batch, inner, rows]
 * go to the kernel as views (through its transpose flags); others are rearranged first, which
 * also takes diagonals and sums labels found in one operand only.
 */
function pairEinsum(xs: Tensor[], subs: readonly string[], out: string, m: Map<string, number>): Tensor {
  const [sa, sb] = subs;
  const inA = new Set(sa);
  const inB = new Set(sb);
  const outLabels = [...new Set(out)];
  const batch = outLabels.filter((l) => inA.has(l) && inB.has(l)).join("");
  const rows = outLabels.filter((l) => inA.has(l) && !inB.has(l)).join("");
  const cols = outLabels.filter((l) => inB.has(l) && !inA.has(l)).join("");
  const inner = [...inA].filter((l) => inB.has(l) && !out.includes(l)).join("");
  // An output laid out [batch, cols, rows] is the product with the operands swapped: no rearranging.
  if (out === batch + cols + rows && rows !== "" && cols !== "") return pairEinsum([xs[1], xs[0]], [sb, sa], out, m);
  const size = (s: string) => product([...s].map((l) => m.get(l) as number));
  const [nb, nm, nn, nk] = [size(batch), size(rows), size(cols), size(inner)];

  let transA = false;
  let a = xs[0];
  if (sa === batch + inner + rows) transA = true;
  else a = arrange(a, sa, batch + rows + inner, m);
  let transB = false;
  let b = xs[1];
  if (sb === batch + cols + inner) transB = true;
  else b = arrange(b, sb, batch + inner + cols, m);

  const res = Tensor.uninitialized([nb, nm, nn], a.dtype);
  kernels.matmul(
    new Tensor(a.data, transA ? [nb, nk, nm] : [nb, nm, nk], a.dtype),
    new Tensor(b.data, transB ? [nb, nn, nk] : [nb, nk, nn], b.dtype),
    res,
    transA,
    transB,
  );
  const got = batch + rows + cols;
  const view = new Tensor(
    res.data,
    [...got].map((l) => m.get(l) as number),
    res.dtype,
  );
  return arrange(view, got, out, m);
}

// ---------------------------------------------------------------- einsum (public)

const LETTERS = /^[a-zA-Z]$/;
// Labels standing for the axes under "...", outside the letters a user can write.
const ELLIPSIS_BASE = 0x3b1;

interface Term {
  labels: string[];
  ellipsis: number; // index in labels where "..." stands, or -1
}

function parseTerm(term: string, subscripts: string, where: string): Term {
  const labels: string[] = [];
  let ellipsis = -1;
  for (let i = 0; i < term.length; ) {
    if (term.startsWith("...", i)) {
      if (ellipsis >= 0) {
        throw new Error(
          `ops.einsum: '...' appears more than once in ${where} '${term}' of subscripts '${subscripts}'.`,
        );
      }
      ellipsis = labels.length;
      i += 3;
    } else if (LETTERS.test(term[i])) {
      labels.push(term[i]);
      i++;
    } else {
      throw new Error(
        `ops.einsum: invalid character '${term[i]}' in ${where} '${term}' of subscripts '${subscripts}' (labels are letters a-z, A-Z; '...' stands for any leading axes).`,
      );
    }
  }
  return { labels, ellipsis };
}

/**
 * Einstein summation over the operands, as NumPy's `einsum`: explicit ("ij,jk->ik") and implicit
 * ("ij,jk": the labels used once, sorted) outputs, repeated labels (traces and diagonals), "..."
 * for broadcast leading axes, and size-1 axes broadcast. Three or more operands are contracted
 * pairwise from the left.
 */
export function einsum<A extends TensorInput[]>(subscripts: string, ...operands: A): Out<A[number]> {
  if (typeof subscripts !== "string") {
    throw new TypeError(`ops.einsum: the first argument must be the subscripts string, received ${typeof subscripts}.`);
  }
  const xs = operands.map((x) => toAny(x));
  const spec = subscripts.replace(/\s+/g, "");
  const arrow = spec.indexOf("->");
  if (arrow >= 0 && spec.indexOf("->", arrow + 1) >= 0) {
    throw new Error(`ops.einsum: subscripts '${subscripts}' contain '->' more than once.`);
  }
  const lhs = arrow >= 0 ? spec.slice(0, arrow) : spec;
  const terms = lhs.split(",");
  if (terms.length !== xs.length) {
    throw new Error(
      `ops.einsum: subscripts '${subscripts}' name ${terms.length} operand${terms.length === 1 ? "" : "s"}, but ${xs.length} operand${xs.length === 1 ? " was" : "s were"} given.`,
    );
  }
  const parsed = terms.map((t, i) => parseTerm(t, subscripts, `the term of operand ${i}`));

  // Expand "..." into labels, aligned at the right across operands.
  let nEll = 0;
  parsed.forEach((p, i) => {
    const r = xs[i].shape.length;
    if (p.ellipsis < 0 ? p.labels.length !== r : p.labels.length > r) {
      throw new Error(
        `ops.einsum: operand ${i} has shape ${shapeToString(xs[i].shape)} (rank ${r}) but its subscript '${terms[i]}' names ${p.labels.length} axes${p.ellipsis >= 0 ? " besides '...'" : ""}.`,
      );
    }
    if (p.ellipsis >= 0) nEll = Math.max(nEll, r - p.labels.length);
  });
  const ellLabels = Array.from({ length: nEll }, (_, k) => String.fromCharCode(ELLIPSIS_BASE + k));
  const subs = parsed.map((p, i) => {
    if (p.ellipsis < 0) return p.labels;
    const e = xs[i].shape.length - p.labels.length;
    return [...p.labels.slice(0, p.ellipsis), ...ellLabels.slice(nEll - e), ...p.labels.slice(p.ellipsis)];
  });

  // Sizes: equal, or 1 where another operand has more (broadcast, as NumPy allows).
  const sizes = new Map<string, number | null>();
  subs.forEach((s, i) => {
    s.forEach((l, ax) => {
      const d = xs[i].shape[ax];
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) sizes.set(l, d);
      else if (d !== null && d !== 1 && prev !== null && d !== prev) {
        const show = (l: string) => (LETTERS.test(l) ? `label '${l}'` : "the axes under '...'");
        throw new Error(
          `ops.einsum: ${show(l)} has size ${prev} in one operand and ${d} in operand ${i} (subscripts '${subscripts}', shapes ${xs.map((x) => shapeToString(x.shape)).join(", ")}).`,
        );
      } else if (prev === null && d !== 1) sizes.set(l, d);
    });
  });

  // The output term.
  const counts = new Map<string, number>();
  for (const s of subs) for (const l of s) counts.set(l, (counts.get(l) ?? 0) + 1);
  let outLabels: string[];
  if (arrow >= 0) {
    const p = parseTerm(spec.slice(arrow + 2), subscripts, "the output");
    for (const [k, l] of p.labels.entries()) {
      if (!counts.has(l)) {
        throw new Error(
          `ops.einsum: output label '${l}' in subscripts '${subscripts}' does not appear in any operand.`,
        );
      }
      if (p.labels.indexOf(l) !== k) {
        throw new Error(`ops.einsum: output label '${l}' appears more than once in subscripts '${subscripts}'.`);
      }
    }
    if (p.ellipsis < 0 && nEll > 0) {
      throw new Error(
        `ops.einsum: the operands have axes under '...' but the output of subscripts '${subscripts}' has no '...' to hold them.`,
      );
    }
    outLabels =
      p.ellipsis < 0 ? p.labels : [...p.labels.slice(0, p.ellipsis), ...ellLabels, ...p.labels.slice(p.ellipsis)];
  } else {
    const once = [...counts.keys()].filter((l) => counts.get(l) === 1 && LETTERS.test(l)).sort();
    outLabels = [...ellLabels, ...once];
  }

  // Size-1 axes broadcast against a larger size elsewhere: drop them (a missing label broadcasts).
  const ts = xs.map((x, i) => {
    let t = x;
    for (let ax = subs[i].length - 1; ax >= 0; ax--) {
      const l = subs[i][ax];
      if (x.shape[ax] === 1 && sizes.get(l) !== 1 && subs[i].indexOf(l) === subs[i].lastIndexOf(l)) {
        t = unitAxis(t, ax, false);
        subs[i] = subs[i].filter((_, k) => k !== ax);
      }
    }
    return t;
  });
  const known: Record<string, number | null> = {};
  for (const l of outLabels) known[l] = sizes.get(l) ?? null;

  const terms2 = subs.map((s) => s.join(""));
  const out = outLabels.join("");
  if (ts.length <= 2) return einsumOp(ts, terms2, out, known) as Out<A[number]>;
  // Pairwise from the left, keeping the labels that later operands or the output still need.
  let acc = ts[0];
  let accSub = terms2[0];
  for (let i = 1; i < ts.length; i++) {
    const later = new Set([...terms2.slice(i + 1).join(""), ...out]);
    const keep = i === ts.length - 1 ? out : [...new Set(accSub + terms2[i])].filter((l) => later.has(l)).join("");
    acc = einsumOp([acc, ts[i]], [accSub, terms2[i]], keep, known);
    accSub = keep;
  }
  return acc as Out<A[number]>;
}

// ---------------------------------------------------------------- dot

/**
 * NumPy's `dot`: a scalar operand multiplies; 1-D and 2-D operands follow matmul; otherwise the sum
 * over the last axis of x1 and the second-to-last of x2 (the last when x2 is 1-D).
 */
export function dot<A extends TensorInput, B extends TensorInput>(x1: A, x2: B): Out<A | B> {
  const a = toAny(x1);
  const b = toAny(x2);
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra === 0 || rb === 0) return multiply(a, b) as Out<A | B>;
  if (rb <= 2 && ra <= 2) return matmul(a, b) as Out<A | B>;
  if (rb === 1) return matmul(a, b) as Out<A | B>;
  const ka = a.shape[ra - 1];
  const kb = b.shape[rb - 2];
  if (ka !== null && kb !== null && ka !== kb) {
    throw new Error(
      `ops.dot: shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)} are not aligned: ${ka} (last axis of x1) vs ${kb} (second-to-last axis of x2).`,
    );
  }
  // As einsum terms: x1 is "<a axes>k", x2 is "<b axes>kz", the result "<a axes><b axes>z".
  const la = Array.from({ length: ra - 1 }, (_, i) => String.fromCharCode(0x100 + i)).join("");
  const lb = Array.from({ length: rb - 2 }, (_, i) => String.fromCharCode(0x200 + i)).join("");
  return einsumOp([a, b], [`${la}k`, `${lb}kz`], `${la}${lb}z`) as Out<A | B>;
}
