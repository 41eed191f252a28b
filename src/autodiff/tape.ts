import { recycleBuffers, withAllocationLog } from "../backend/buffer_pool.js";
import { isFloat } from "../backend/dtypes.js";
import { shapeToString, shapesEqual } from "../backend/shape.js";
import type { Tensor } from "../backend/tensor.js";
import { setVariableReadHook, Variable } from "../backend/variable.js";
import { add } from "../ops/elementwise.js";
import { onesLike, zerosLike } from "../ops/creation.js";
import { isRecording, type OpDef, setRecorder } from "../ops/registry.js";

interface Entry {
  op: OpDef<unknown>;
  inputs: Tensor[];
  outputs: Tensor[];
  attrs: unknown;
}

export interface GradientTapeOptions {
  /** Allow `gradient` to be called more than once. */
  persistent?: boolean;
  /** Watch every trainable variable read while recording (default true, as in TensorFlow). */
  watchAccessedVariables?: boolean;
}

const active: GradientTape[] = [];

function updateHooks(): void {
  if (active.length === 0) {
    setRecorder(null);
    setVariableReadHook(null);
    return;
  }
  setRecorder((op, inputs, outputs, attrs) => {
    for (const tape of active) tape.maybeRecord(op, inputs, outputs, attrs);
  });
  setVariableReadHook((v) => {
    for (const tape of active) if (tape.watchAccessedVariables && v.trainable) tape.watch(v);
  });
}

/**
 * Records the ops run inside `record()` on watched tensors, then computes gradients by walking them
 * backward. The backward pass runs ops too, so an enclosing tape records it: gradients of gradients work.
 */
export class GradientTape {
  readonly persistent: boolean;
  readonly watchAccessedVariables: boolean;
  private readonly tracked = new Set<Tensor>();
  private readonly variableReads = new Map<Variable, Set<Tensor>>();
  private readonly entries: Entry[] = [];
  private used = false;

  constructor(options: GradientTapeOptions = {}) {
    this.persistent = options.persistent ?? false;
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
  }

  /** Runs `fn` with this tape recording (synchronously) and returns its result. */
  record<T>(fn: () => T): T {
    active.push(this);
    updateHooks();
    try {
      return fn();
    } finally {
      const i = active.lastIndexOf(this);
      if (i >= 0) active.splice(i, 1);
      updateHooks();
    }
  }

  /** Watches tensors or variables so that gradients with respect to them can be asked for. */
  watch(...xs: (Tensor | Variable)[]): void {
    for (const x of xs) {
      if (x instanceof Variable) {
        const t = x.peek();
        let set = this.variableReads.get(x);
        if (!set) this.variableReads.set(x, (set = new Set()));
        set.add(t);
        this.tracked.add(t);
      } else this.tracked.add(x);
    }
  }

  /** @internal Called for every op run while this tape is active. */
  maybeRecord(op: OpDef<unknown>, inputs: Tensor[], outputs: Tensor[], attrs: unknown): void {
    let hit = false;
    for (const x of inputs) {
      if (this.tracked.has(x)) {
        hit = true;
        break;
      }
    }
    if (!hit) return;
    const diff = outputs.filter((o) => isFloat(o.dtype));
    if (diff.length === 0) return;
    this.entries.push({ op, inputs, outputs, attrs });
    for (const o of diff) this.tracked.add(o);
  }

  /**
   * Gradients of `target` with respect to `sources` (tensors or variables), in the same order.
   * A source that `target` does not depend on gets null, or zeros with `unconnected: "zero"`.
   */
  gradient(
    target: Tensor,
    sources: readonly (Tensor | Variable)[],
    options: { outputGradient?: Tensor; unconnected?: "none" | "zero" } = {},
  ): (Tensor | null)[] {
    if (this.used && !this.persistent) {
      throw new Error(
        "GradientTape.gradient: a non-persistent tape can be used once; create it with { persistent: true }.",
      );
    }
    this.used = true;
    if (!isFloat(target.dtype)) {
      throw new TypeError(
        `GradientTape.gradient: the target has dtype ${target.dtype}; gradients flow only through float tensors. Cast it with ops.cast(x, "float32") where the loss is computed.`,
      );
    }
    sources.forEach((s, i) => {
      if (!isFloat(s.dtype)) {
        throw new TypeError(
          `GradientTape.gradient: source ${i} has dtype ${s.dtype}; gradients exist only with respect to float tensors.`,
        );
      }
    });
    // With no tape recording this backward pass, nothing outside it can hold its intermediate
    // gradients: their buffers are recycled, except those the returned gradients use.
    const run = () =>
      this.collect(backprop(this.entries, this.tracked, target, options.outputGradient), sources, options);
    if (isRecording()) return run();
    const [result, allocated] = withAllocationLog(run);
    const kept = new Set<ArrayBufferLike>();
    for (const g of result) if (g) kept.add(g.data.buffer);
    recycleBuffers(allocated.filter((a) => !kept.has(a.buffer)));
    return result;
  }

  /** The gradient of each source from the backward pass's gradients (summed over its reads). */
  private collect(
    grads: Map<Tensor, Tensor>,
    sources: readonly (Tensor | Variable)[],
    options: { unconnected?: "none" | "zero" },
  ): (Tensor | null)[] {
    return sources.map((s) => {
      let g: Tensor | null = null;
      const reads = s instanceof Variable ? [...(this.variableReads.get(s) ?? [])] : [s];
      for (const t of reads) {
        const gt = grads.get(t);
        if (gt) g = g ? (add(g, gt) as Tensor) : gt;
      }
      if (g === null && options.unconnected === "zero") {
        g = zerosLike(s instanceof Variable ? s.peek() : s) as Tensor;
      }
      return g;
    });
  }
}

/**
 * Reverse-mode accumulation over recorded entries; returns the gradient of every tracked tensor
 * reached. Inputs the tape does not track (the data, the labels) get no gradient: their ops are
 * told so through `needsGrad`, which skips, for instance, a fifth of an MLP step's matmul work.
 */
function backprop(
  entries: readonly Entry[],
  tracked: ReadonlySet<Tensor>,
  target: Tensor,
  seed?: Tensor,
): Map<Tensor, Tensor> {
  const grads = new Map<Tensor, Tensor>();
  if (seed && !shapesEqual(seed.shape, target.shape)) {
    throw new Error(
      `GradientTape.gradient: outputGradient has shape ${shapeToString(seed.shape)} but the target has ${shapeToString(target.shape)}.`,
    );
  }
  grads.set(target, seed ?? (onesLike(target) as Tensor));
  for (let e = entries.length - 1; e >= 0; e--) {
    const { op, inputs, outputs, attrs } = entries[e];
    let any = false;
    for (const o of outputs) if (grads.has(o)) any = true;
    if (!any) continue;
    if (!op.grad) {
      throw new Error(`ops.${op.name}: this op has no gradient, but a gradient was requested through it.`);
    }
    const needsGrad = inputs.map((x) => isFloat(x.dtype) && tracked.has(x));
    const dys = outputs.map((o) => grads.get(o) ?? (zerosLike(o) as Tensor));
    const dxs = op.grad(dys, { inputs, outputs, attrs, needsGrad });
    for (let i = 0; i < inputs.length; i++) {
      const dx = dxs[i];
      const x = inputs[i];
      if (!dx || !needsGrad[i]) continue;
      if (!shapesEqual(dx.shape, x.shape)) {
        throw new Error(
          `ops.${op.name}: internal error, gradient of input ${i} has shape ${shapeToString(dx.shape)} but the input has ${shapeToString(x.shape)}.`,
        );
      }
      const prev = grads.get(x);
      grads.set(x, prev ? (add(prev, dx) as Tensor) : dx);
    }
  }
  return grads;
}
