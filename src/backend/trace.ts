/**
 * Kernel traces: what a function computed, as the kernel calls it made, replayed on new inputs and
 * variable values without the JavaScript that issued them (ops, specs, the tape, layers). This is
 * what Keras's `jit_compile` gives a training step on JAX or TensorFlow (one compiled program
 * instead of op-by-op dispatch), for a runtime whose kernels are already compiled: a replayed step
 * costs its kernels and little else, and V8 has far less code to keep optimizing while it runs.
 *
 * A trace is right only for functions whose kernel calls do not depend on tensor values (no branch
 * on data, no random numbers drawn in JavaScript, nothing computed outside kernels from the inputs
 * or the variables). `verifyTrace` checks that, bit for bit, against an eager run on perturbed
 * inputs and variables; callers use a trace only after it passes.
 *
 * Memory is planned as XLA plans it: each buffer a kernel writes is taken (from the buffer pool)
 * just before its first use and handed back right after its last, so a replayed step reuses memory
 * that is still in cache; buffers the results or the variables keep are never handed back.
 */
import { kernels } from "./kernels.js";
import { recycleBuffers, setAllocationObserver } from "./buffer_pool.js";
import { type DType, type TypedArray, dtypeOfArray } from "./dtypes.js";
import { outputBuffer, Tensor } from "./tensor.js";
import { setVariableTraceHooks, type Variable, variablesCreated } from "./variable.js";

/** A buffer seen during capture, by where it came from. */
type Base =
  /** The data of the i-th input tensor. */
  | { kind: "input"; index: number; array: TypedArray }
  /** The current value of a variable (as it is when the replay starts). */
  | { kind: "variable"; variable: Variable; array: TypedArray }
  /** Allocated inside by Tensor for a kernel's output: fresh memory on every replay. */
  | { kind: "output"; buffer: ArrayBuffer; zeroed: boolean }
  /** Made outside kernels (a constant) and never written by one: shared by every replay. */
  | { kind: "constant"; array: TypedArray; initial: TypedArray }
  /** Made outside kernels, then written by one or returned: a fresh copy of its first contents per replay. */
  | { kind: "copied"; array: TypedArray; initial: TypedArray };

/** Where a buffer comes from on each replay (a Base without the capture's memory). */
type Source =
  | { kind: "input"; index: number; length: number; dtype: DType }
  | { kind: "variable"; variable: Variable; length: number; dtype: DType }
  | { kind: "output"; bytes: number; zeroed: boolean }
  | { kind: "constant"; array: TypedArray }
  | { kind: "copied"; initial: TypedArray };

function source(b: Base): Source {
  switch (b.kind) {
    case "input":
      return { kind: "input", index: b.index, length: b.array.length, dtype: dtypeOfArray(b.array) };
    case "variable":
      return { kind: "variable", variable: b.variable, length: b.array.length, dtype: dtypeOfArray(b.array) };
    case "output":
      return { kind: "output", bytes: b.buffer.byteLength, zeroed: b.zeroed };
    case "constant":
      return { kind: "constant", array: b.array };
    case "copied":
      return { kind: "copied", initial: b.initial };
  }
}

/** A tensor seen during capture: a view (byte offset, element count) of a base. */
interface Slot {
  base: number;
  byteOffset: number;
  length: number;
  dtype: DType;
  shape: number[];
}

interface Call {
  fn: (...args: unknown[]) => unknown;
  args: unknown[];
  /** Argument positions holding one tensor, and its slot. */
  tensorAt: number[];
  tensorSlot: number[];
  /** Argument positions holding an array of tensors, and their slots. */
  listAt: number[];
  listSlots: number[][];
}

/** Why a function could not be traced. */
export class TraceError extends Error {}

/** A captured function: replay it with `replay(inputs)`. */
export class Trace {
  /** @internal */
  constructor(
    private readonly bases: readonly Source[],
    private readonly slots: readonly Slot[],
    private readonly calls: readonly Call[],
    /** Output slots (null: the function returned null there). */
    private readonly outputSlots: readonly (number | null)[],
    private readonly assigns: readonly { variable: Variable; slot: number }[],
    /** Per call index: output bases to allocate before it, and to recycle after it. */
    private readonly allocBefore: readonly number[][],
    private readonly freeAfter: readonly number[][],
    /** Output bases only the results or assignments use (allocated after the last call). */
    private readonly allocAtEnd: readonly number[],
    private readonly slotsOfBase: readonly number[][],
    /** Whether an output or an assigned value is a view of a variable's value. */
    private readonly exposes: boolean,
  ) {}

  /** Number of kernel calls a replay makes. */
  get kernelCalls(): number {
    return this.calls.length;
  }

  /**
   * Runs the kernel calls again on `inputs` (same shapes and dtypes as when captured) and the
   * variables' current values, applies the captured assignments, and returns the outputs.
   */
  replay(inputs: readonly Tensor[]): (Tensor | null)[] {
    const { bases, slots, calls } = this;
    const tensors: Tensor[] = new Array(slots.length);
    const arrays: (TypedArray | ArrayBuffer)[] = new Array(bases.length);
    const place = (b: number) => {
      for (const s of this.slotsOfBase[b]) tensors[s] = makeTensor(slots[s], arrays[b]);
    };
    for (let b = 0; b < bases.length; b++) {
      const base = bases[b];
      if (base.kind === "output") continue;
      if (base.kind === "input") {
        const t = inputs[base.index];
        if (t.data.length !== base.length || dtypeOfArray(t.data) !== base.dtype) {
          throw new TraceError(`trace: input ${base.index} does not match the traced one.`);
        }
        arrays[b] = t.data;
      } else if (base.kind === "variable") {
        // Read without exposing (Variable.current): nothing of it outlives the replay unless an
        // output or an assignment is a view of it, and then it is exposed.
        const a = (this.exposes ? base.variable.peek() : base.variable.current()).data;
        if (a.length !== base.length || dtypeOfArray(a) !== base.dtype) {
          throw new TraceError(`trace: variable '${base.variable.path}' does not match the traced one.`);
        }
        arrays[b] = a;
      } else arrays[b] = base.kind === "constant" ? base.array : base.initial.slice();
      place(b);
    }
    for (let c = 0; c < calls.length; c++) {
      for (const b of this.allocBefore[c]) {
        arrays[b] = outputOf(bases[b]);
        place(b);
      }
      const call = calls[c];
      const args = call.args.slice();
      for (let k = 0; k < call.tensorAt.length; k++) args[call.tensorAt[k]] = tensors[call.tensorSlot[k]];
      for (let k = 0; k < call.listAt.length; k++) args[call.listAt[k]] = call.listSlots[k].map((s) => tensors[s]);
      call.fn(...args);
      const done = this.freeAfter[c];
      if (done.length > 0) recycleBuffers(done.map((b) => new Uint8Array(arrays[b] as ArrayBuffer)));
    }
    for (const b of this.allocAtEnd) {
      arrays[b] = outputOf(bases[b]);
      place(b);
    }
    for (const { variable, slot } of this.assigns) variable.assign(tensors[slot]);
    return this.outputSlots.map((s) => (s === null ? null : tensors[s]));
  }
}

function outputOf(base: Source): ArrayBuffer {
  const { bytes, zeroed } = base as Extract<Source, { kind: "output" }>;
  return outputBuffer(bytes, zeroed);
}

const ARRAY_TYPES = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
} as const;

function makeTensor(s: Slot, source: TypedArray | ArrayBuffer): Tensor {
  let data: TypedArray;
  if (source instanceof ArrayBuffer) data = new ARRAY_TYPES[s.dtype](source, s.byteOffset, s.length);
  else if (s.byteOffset === 0 && s.length === source.length && dtypeOfArray(source) === s.dtype) data = source;
  else data = new ARRAY_TYPES[s.dtype](source.buffer as ArrayBuffer, source.byteOffset + s.byteOffset, s.length);
  return new Tensor(data, s.shape, s.dtype);
}

function bytesEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Collects a trace while `fn` runs eagerly (kernels, allocations and variable accesses). */
class Capture {
  readonly bases: Base[] = [];
  readonly slots: Slot[] = [];
  readonly calls: Call[] = [];
  readonly assigns: { variable: Variable; slot: number }[] = [];
  private readonly slotOf = new Map<Tensor, number>();
  /** Output buffers by ArrayBuffer; external arrays (inputs, variables, constants) by typed array. */
  private readonly outputBase = new Map<ArrayBufferLike, number>();
  private readonly externals: { array: TypedArray; base: number }[] = [];
  private readonly allowed: ReadonlySet<Variable>;
  failure: string | null = null;

  constructor(inputs: readonly Tensor[], variables: readonly Variable[]) {
    this.allowed = new Set(variables);
    for (const [index, t] of inputs.entries()) this.addExternal({ kind: "input", index, array: t.data });
    for (const v of variables) this.addExternal({ kind: "variable", variable: v, array: v.peek().data });
  }

  private addExternal(base: Extract<Base, { array: TypedArray }>): number {
    const b = this.bases.push(base) - 1;
    this.externals.push({ array: base.array, base: b });
    return b;
  }

  fail(why: string): void {
    this.failure ??= why;
  }

  onAllocation(a: ArrayBufferView, zeroed: boolean): void {
    if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength || !(a.buffer instanceof ArrayBuffer)) {
      this.fail("an output buffer that is not a whole ArrayBuffer");
      return;
    }
    // A buffer recycled and taken again inside is a new base: its earlier tensors are dead by then.
    this.outputBase.set(a.buffer, this.bases.push({ kind: "output", buffer: a.buffer, zeroed }) - 1);
  }

  onRead(v: Variable): void {
    if (!this.allowed.has(v)) this.fail(`it reads variable '${v.path}', which the trace was not given`);
  }

  onAssign(v: Variable, t: Tensor): void {
    if (!this.allowed.has(v)) this.fail(`it assigns variable '${v.path}', which the trace was not given`);
    else this.assigns.push({ variable: v, slot: this.slot(t) });
  }

  /** The slot of tensor `t`, registering it (and its base) at first sight. */
  slot(t: Tensor): number {
    let s = this.slotOf.get(t);
    if (s !== undefined) return s;
    const a = t.data;
    let base = this.outputBase.get(a.buffer);
    let byteOffset = a.byteOffset;
    if (base === undefined) {
      for (const e of this.externals) {
        const lo = e.array.byteOffset;
        if (
          e.array.buffer === a.buffer &&
          a.byteOffset >= lo &&
          a.byteOffset + a.byteLength <= lo + e.array.byteLength
        ) {
          base = e.base;
          byteOffset = a.byteOffset - lo;
          break;
        }
      }
    }
    if (base === undefined) {
      base = this.addExternal({ kind: "constant", array: a, initial: a.slice() });
      byteOffset = 0;
    }
    s = this.slots.push({ base, byteOffset, length: a.length, dtype: t.dtype, shape: t.shape.slice() }) - 1;
    this.slotOf.set(t, s);
    return s;
  }

  /**
   * A zero-filled output buffer that JavaScript wrote before any kernel used it (ops.full, onesLike:
   * Tensor.empty and fill) holds a constant: copied on every replay, from its contents now.
   */
  private checkFilled(b: number): void {
    const base = this.bases[b];
    if (base.kind !== "output" || !base.zeroed || this.checked.has(b)) return;
    this.checked.add(b);
    const bytes = new Uint8Array(base.buffer);
    if (bytes.some((v) => v !== 0)) this.bases[b] = { kind: "copied", array: bytes, initial: bytes.slice() };
  }

  private readonly checked = new Set<number>();

  /** Records one kernel call (before it runs); returns the constants it may write, to check after. */
  record(fn: (...args: unknown[]) => unknown, args: unknown[]): number[] {
    const call: Call = { fn, args: args.slice(), tensorAt: [], tensorSlot: [], listAt: [], listSlots: [] };
    const touched: number[] = [];
    const note = (s: number) => {
      this.checkFilled(this.slots[s].base);
      if (this.bases[this.slots[s].base].kind === "constant") touched.push(this.slots[s].base);
      return s;
    };
    args.forEach((a, i) => {
      if (a instanceof Tensor) {
        call.tensorAt.push(i);
        call.tensorSlot.push(note(this.slot(a)));
        call.args[i] = null;
      } else if (Array.isArray(a) && a.some((e) => e instanceof Tensor)) {
        if (!a.every((e) => e instanceof Tensor)) this.fail("a kernel argument mixes tensors and other values");
        call.listAt.push(i);
        call.listSlots.push(a.map((e: Tensor) => note(this.slot(e))));
        call.args[i] = null;
      } else if (a !== null && typeof a === "object" && Object.values(a).some((e) => e instanceof Tensor)) {
        this.fail("a kernel argument holds tensors inside an object");
      }
    });
    this.calls.push(call);
    return touched;
  }

  /** A constant a kernel wrote to is really a buffer made in JavaScript: copied on every replay. */
  checkWritten(bases: number[]): void {
    for (const b of bases) {
      const base = this.bases[b];
      if (base.kind === "constant" && !bytesEqual(base.array, base.initial)) {
        this.bases[b] = { kind: "copied", array: base.array, initial: base.initial };
      }
    }
  }

  finish(outputs: readonly (Tensor | null)[]): Trace {
    const outputSlots = outputs.map((t) => (t === null ? null : this.slot(t)));
    for (const s of outputSlots) if (s !== null) this.checkFilled(this.slots[s].base);
    for (const a of this.assigns) this.checkFilled(this.slots[a.slot].base);
    const { bases, slots, calls } = this;
    // Results and assigned values leave the trace: never recycled, and never shared between replays.
    const kept = new Set<number>();
    for (const s of outputSlots) if (s !== null) kept.add(slots[s].base);
    for (const a of this.assigns) kept.add(slots[a.slot].base);
    for (const b of kept) {
      const base = bases[b];
      if (base.kind === "constant") bases[b] = { kind: "copied", array: base.array, initial: base.initial };
    }
    const first = new Array<number>(bases.length).fill(-1);
    const last = new Array<number>(bases.length).fill(-1);
    calls.forEach((call, c) => {
      const use = (s: number) => {
        const b = slots[s].base;
        if (first[b] < 0) first[b] = c;
        last[b] = c;
      };
      call.tensorSlot.forEach(use);
      for (const l of call.listSlots) l.forEach(use);
    });
    const allocBefore = calls.map((): number[] => []);
    const freeAfter = calls.map((): number[] => []);
    const allocAtEnd: number[] = [];
    bases.forEach((base, b) => {
      if (base.kind !== "output") return;
      if (first[b] < 0) allocAtEnd.push(b);
      else {
        allocBefore[first[b]].push(b);
        if (!kept.has(b)) freeAfter[last[b]].push(b);
      }
    });
    const slotsOfBase = bases.map((): number[] => []);
    slots.forEach((s, i) => {
      slotsOfBase[s.base].push(i);
    });
    const exposes = [...kept].some((b) => bases[b].kind === "variable");
    return new Trace(
      bases.map(source),
      slots,
      calls,
      outputSlots,
      this.assigns,
      allocBefore,
      freeAfter,
      allocAtEnd,
      slotsOfBase,
      exposes,
    );
  }
}

/** The capture under way, and how deep inside a kernel call it is (inner calls are not recorded). */
let active: Capture | null = null;
let depth = 0;

/**
 * Runs a check written in JavaScript on tensor values (labels in range, say) so that a trace
 * replays it too: a replayed step then throws where the eager step would.
 */
export function traceableCheck<T extends Tensor[]>(check: (...tensors: T) => void, ...tensors: T): void {
  if (active !== null && depth === 0) active.record(check as (...args: unknown[]) => unknown, tensors);
  check(...tensors);
}

/**
 * Runs `fn` eagerly and returns its outputs with a trace of it, or the reason it cannot be traced.
 * `inputs` are the tensors a replay is given anew; `variables` those whose current values a replay
 * reads (and may assign). Reading any other variable, creating one, or a kernel returning a value
 * makes the function untraceable.
 */
export function captureTrace(
  fn: () => (Tensor | null)[],
  inputs: readonly Tensor[],
  variables: readonly Variable[],
): { outputs: (Tensor | null)[]; trace: Trace | null; failure: string | null } {
  if (active !== null) throw new TraceError("captureTrace: a trace is already being captured.");
  const cap = new Capture(inputs, variables);
  const table = kernels as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = { ...table };
  depth = 0;
  for (const [name, fn] of Object.entries(original)) {
    table[name] = (...args: unknown[]) => {
      // Kernels that call other kernels through the table: only the outer call is replayed.
      if (depth > 0) return fn(...args);
      const touched = cap.record(fn, args);
      depth++;
      let r: unknown;
      try {
        r = fn(...args);
      } finally {
        depth--;
      }
      if (r !== undefined) cap.fail(`kernel '${name}' returned a value`);
      if (touched.length > 0) cap.checkWritten(touched);
      return r;
    };
  }
  const created = variablesCreated();
  active = cap;
  setAllocationObserver((a, zeroed) => cap.onAllocation(a, zeroed));
  setVariableTraceHooks({ read: (v) => cap.onRead(v), assign: (v, t) => cap.onAssign(v, t) });
  let outputs: (Tensor | null)[];
  try {
    outputs = fn();
  } finally {
    Object.assign(table, original);
    setAllocationObserver(null);
    setVariableTraceHooks(null);
    active = null;
  }
  if (variablesCreated() !== created) cap.fail("it creates variables");
  const trace = cap.failure === null ? cap.finish(outputs) : null;
  return { outputs, trace, failure: cap.failure };
}

/** Whether a trace is being captured now. */
export function isCapturing(): boolean {
  return active !== null;
}

// Perturbation: x * (1 + u) + u / 1000 with u in [-1/4, 1/4] from a fixed sequence, for floats;
// tensors of integers (class labels, also as floats) have their rows rotated by one instead.
function perturb(t: Tensor, seed: number): Tensor {
  const d = t.data;
  const out = d.slice();
  if ((t.dtype === "float32" || t.dtype === "float64") && !d.every(Number.isInteger)) {
    let s = seed >>> 0 || 1;
    for (let i = 0; i < out.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const u = (s / 2 ** 32 - 0.5) / 2;
      out[i] = d[i] * (1 + u) + u / 1000;
    }
  } else if (t.shape.length > 0 && t.shape[0] > 1) {
    const row = d.length / t.shape[0];
    for (let i = 0; i < out.length; i++) out[i] = d[(i + row) % d.length];
  }
  return new Tensor(out, t.shape.slice(), t.dtype);
}

function sameBits(a: Tensor | null, b: Tensor | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.dtype === b.dtype &&
    a.shape.length === b.shape.length &&
    a.shape.every((n, i) => n === b.shape[i]) &&
    bytesEqual(a.data, b.data)
  );
}

/**
 * Checks `trace` against `fn` run eagerly, on perturbed copies of `inputs` and of the variables'
 * values: the outputs and the variables' final values must match bit for bit. The variables are
 * left as they were.
 */
export function verifyTrace(
  trace: Trace,
  fn: (inputs: readonly Tensor[]) => (Tensor | null)[],
  inputs: readonly Tensor[],
  variables: readonly Variable[],
): boolean {
  const saved = variables.map((v) => v.peek());
  const xs = inputs.map((t, i) => perturb(t, 7 + i));
  const start = saved.map((t, i) => perturb(t, 1009 + i));
  const set = (values: readonly Tensor[]) => {
    for (const [i, v] of variables.entries()) v.assign(values[i]);
  };
  try {
    return compare();
  } catch {
    // The eager step rejected the perturbed values (a check on labels, say): no verdict, no trace.
    return false;
  } finally {
    set(saved);
  }
  function compare(): boolean {
    set(start);
    const eager = fn(xs);
    const eagerState = variables.map((v) => v.peek());
    set(start);
    const replayed = trace.replay(xs);
    const replayedState = variables.map((v) => v.peek());
    return (
      eager.length === replayed.length &&
      eager.every((t, i) => sameBits(t, replayed[i])) &&
      eagerState.every((t, i) => sameBits(t, replayedState[i]))
    );
  }
}
