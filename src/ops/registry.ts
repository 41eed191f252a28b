import { castTensor, type TensorData, toTensor } from "../backend/convert.js";
import { type DType, isFloat } from "../backend/dtypes.js";
import type { Shape } from "../backend/shape.js";
import { type SymbolicHistory, SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import type { AnyTensor, Spec, TensorInput } from "./types.js";

/** What the backward pass of one recorded op receives. */
export interface GradContext<A> {
  inputs: Tensor[];
  outputs: Tensor[];
  attrs: A;
  /**
   * Which inputs need a gradient (those on a path from a watched source). A gradient may return null
   * for the others, and should where computing it costs real work (a product, a reduction).
   */
  needsGrad: readonly boolean[];
}

/**
 * One op, defined once: its output spec (shapes with `null` for unknown dims), its forward
 * computation on concrete tensors, and its gradient written with ops (so that it can itself be
 * differentiated). The same definition serves eager execution, symbolic graphs and autodiff.
 */
export interface OpDef<A = Record<string, never>> {
  readonly name: string;
  /** Output specs from input specs; validates arguments and throws errors that name the op. */
  spec(inputs: readonly Spec[], attrs: A): Spec | Spec[];
  /** Computes the outputs; `out` holds the (fully known) output specs. */
  forward(inputs: Tensor[], attrs: A, out: { shape: Shape; dtype: DType }[]): Tensor | Tensor[];
  /**
   * Gradients of the inputs given the gradients of the outputs (missing ones filled with zeros).
   * Return null for an input that gets no gradient. Absent: the op cannot be differentiated.
   */
  grad?(dys: Tensor[], ctx: GradContext<A>): (Tensor | null)[];
  /** True for ops whose outputs never carry gradients (comparisons, argmax, stopGradient). */
  readonly nonDifferentiable?: boolean;
}

export function defineOp<A = Record<string, never>>(def: OpDef<A>): OpDef<A> {
  return def;
}

/** One application of an op to symbolic (and constant) tensors: a node of a symbolic graph. */
export interface OpNode {
  readonly op: OpDef<unknown>;
  readonly inputs: AnyTensor[];
  readonly attrs: unknown;
  readonly outputs: SymbolicTensor[];
}

/** The record an op node leaves on each symbolic tensor it produces. */
export interface OpHistory extends SymbolicHistory {
  readonly kind: "op";
  readonly node: OpNode;
  readonly index: number;
}

export type Recorder = (op: OpDef<unknown>, inputs: Tensor[], outputs: Tensor[], attrs: unknown) => void;

let recorder: Recorder | null = null;

/** Installed by autodiff while at least one gradient tape is recording. */
export function setRecorder(r: Recorder | null): void {
  recorder = r;
}

/**
 * Whether a gradient tape records the ops run now. A gradient rule may then take a fused,
 * non-differentiable path when nothing records it (a first-order backward pass), and its composed,
 * differentiable form when a tape does (gradients of gradients).
 */
export function isRecording(): boolean {
  return recorder !== null;
}

/** Runs `op` on concrete tensors (computes) or symbolic ones (records an op node). */
export function applyOp<A>(op: OpDef<A>, inputs: AnyTensor[], attrs: A): AnyTensor[] {
  const specs = op.spec(inputs, attrs);
  const outSpecs = Array.isArray(specs) ? specs : [specs];
  if (inputs.some((x) => x instanceof SymbolicTensor)) {
    const node: OpNode = { op: op as OpDef<unknown>, inputs, attrs, outputs: [] };
    for (const [i, s] of outSpecs.entries()) {
      const history: OpHistory = { kind: "op", node, index: i };
      node.outputs.push(new SymbolicTensor(s.shape.slice(), s.dtype, history));
    }
    return node.outputs;
  }
  const concrete = inputs as Tensor[];
  const res = op.forward(concrete, attrs, outSpecs as { shape: Shape; dtype: DType }[]);
  const outputs = Array.isArray(res) ? res : [res];
  if (recorder !== null && !op.nonDifferentiable) recorder(op as OpDef<unknown>, concrete, outputs, attrs);
  return outputs;
}

/** `applyOp` for single-output ops. */
export function apply1<A>(op: OpDef<A>, inputs: AnyTensor[], attrs: A): AnyTensor {
  return applyOp(op, inputs, attrs)[0];
}

function isTensorLike(x: unknown): x is AnyTensor {
  return x instanceof Tensor || x instanceof SymbolicTensor;
}

/** Converts one op argument to a tensor (reading variables through their watched `value`). */
export function toAny(x: TensorInput, dtype?: DType): AnyTensor {
  if (x instanceof Variable) x = x.value;
  if (x instanceof SymbolicTensor) return x;
  if (x instanceof Tensor) return dtype && x.dtype !== dtype ? castTensor(x, dtype) : x;
  return toTensor(x as TensorData, dtype);
}

/**
 * Converts the arguments of an element-wise op together. Tensors keep their dtypes; plain numbers,
 * booleans and arrays are "weak" (as Keras treats Python scalars): they take the dtype of the tensor
 * arguments unless that would lose their value (2.5 next to an int32 tensor gives float32).
 */
export function toAnyAll(args: readonly TensorInput[]): AnyTensor[] {
  const strong: DType[] = [];
  for (const a of args) {
    if (a instanceof Variable) strong.push(a.dtype);
    else if (isTensorLike(a)) strong.push(a.dtype);
  }
  let ref: DType | undefined = strong[0];
  for (const d of strong) if (rank(d) > rank(ref as DType)) ref = d;
  return args.map((a) => {
    if (a instanceof Variable || isTensorLike(a)) return toAny(a);
    if (ref === undefined) return toTensor(a as TensorData);
    // Built in float64 first so that 0.1 next to a float64 tensor stays 0.1.
    const t = toTensor(a as TensorData, "float64");
    return castTensor(t, weakDType(t, ref));
  });
}

function rank(d: DType): number {
  return d === "bool" ? 0 : d === "int32" ? 1 : d === "float32" ? 2 : 3;
}

function weakDType(t: Tensor, ref: DType): DType {
  if (isFloat(ref)) return ref;
  if (t.dtype === "bool") return ref;
  const data = t.data;
  for (let i = 0; i < data.length; i++) if (!Number.isInteger(data[i])) return "float32";
  return ref === "bool" ? "int32" : ref;
}
