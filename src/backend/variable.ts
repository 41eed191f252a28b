import { toTensor, castTensor, type TensorData } from "./convert.js";
import { type DType, standardizeDType } from "./dtypes.js";
import { shapeToString, shapesEqual } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface VariableOptions {
  trainable?: boolean;
  name?: string;
  dtype?: DType | string;
  /** Applied to the new value after each optimizer update (Keras's `constraint`). */
  constraint?: ((value: Tensor) => Tensor) | null;
}

/** Called whenever an op reads a variable; autodiff installs it so that tapes watch trainable variables. */
let onRead: ((v: Variable) => void) | null = null;
export function setVariableReadHook(hook: ((v: Variable) => void) | null): void {
  onRead = hook;
}

/** Installed while a kernel trace is captured (backend/trace.ts): every read and assignment of a variable. */
export interface VariableTraceHooks {
  read(v: Variable): void;
  assign(v: Variable, value: Tensor): void;
}
let traceHooks: VariableTraceHooks | null = null;
export function setVariableTraceHooks(hooks: VariableTraceHooks | null): void {
  traceHooks = hooks;
}

let counter = 0;

/** How many variables were ever created (a trace refuses a function that creates some). */
export function variablesCreated(): number {
  return counter;
}

/**
 * A mutable slot holding a tensor: weights, optimizer slots, and state such as BEGAN's `k` or
 * BatchNormalization's moving statistics. `assign` swaps in a new tensor; the old one is never
 * written, so tapes that captured it stay valid.
 */
export class Variable {
  private _value: Tensor;
  trainable: boolean;
  name: string;
  /** Keras's object path (`dense/kernel`), set by the layer that owns it. */
  path: string;
  readonly dtype: DType;
  constraint: ((value: Tensor) => Tensor) | null;
  readonly id = counter++;

  constructor(initial: TensorData, options: VariableOptions = {}) {
    const dtype = options.dtype === undefined ? undefined : standardizeDType(options.dtype, "Variable");
    this._value = toTensor(initial, dtype);
    this.dtype = this._value.dtype;
    this.trainable = options.trainable ?? true;
    this.name = options.name ?? `variable_${this.id}`;
    this.path = this.name;
    this.constraint = options.constraint ?? null;
  }

  /** The current value. Reading it inside an op lets gradient tapes watch this variable. */
  get value(): Tensor {
    onRead?.(this);
    traceHooks?.read(this);
    this.exposed = true;
    return this._value;
  }

  /** The current value without notifying tapes (for saving, printing). */
  peek(): Tensor {
    traceHooks?.read(this);
    this.exposed = true;
    return this._value;
  }

  /**
   * True while code outside the library's kernels may hold the current tensor: it was read through
   * `value` or `peek`, or assigned from outside. While false, an optimizer writes the next value
   * into the current tensor's memory, which nothing can observe (a replayed training step reads
   * weights with `current()`): the step then allocates no parameter-sized memory, and V8 is not
   * pressed to collect the old values (2.7 MB per MLP step: a full collection every ~25 steps).
   */
  exposed = true;

  /** @internal The current tensor, for kernels that do not keep it (does not expose it). */
  current(): Tensor {
    traceHooks?.read(this);
    return this._value;
  }

  /** @internal Stores a tensor the library made and nothing else holds (not exposed). */
  store(t: Tensor): void {
    this.assign(t);
    this.exposed = false;
  }

  get shape(): number[] {
    return this._value.shape;
  }

  /** Replaces the value; the shape must stay the same and the dtype is cast to the variable's. */
  assign(value: TensorData): this {
    const t = toTensor(value, this.dtype);
    if (!shapesEqual(t.shape, this._value.shape)) {
      throw new Error(
        `Variable '${this.path}'.assign: expected shape ${shapeToString(this._value.shape)}, received ${shapeToString(t.shape)}.`,
      );
    }
    this._value = t;
    this.exposed = true;
    traceHooks?.assign(this, t);
    return this;
  }

  assignAdd(delta: TensorData): this {
    return this.combine(delta, 1, "assignAdd");
  }

  assignSub(delta: TensorData): this {
    return this.combine(delta, -1, "assignSub");
  }

  private combine(delta: TensorData, sign: number, op: string): this {
    const d = delta instanceof Tensor ? delta : toTensor(delta, "float64");
    const cur = this._value;
    if (d.size !== 1 && !shapesEqual(d.shape, cur.shape)) {
      throw new Error(
        `Variable '${this.path}'.${op}: expected shape ${shapeToString(cur.shape)} or a scalar, received ${shapeToString(d.shape)}.`,
      );
    }
    const out = castTensor(cur, cur.dtype === "bool" ? "int32" : cur.dtype);
    const res = out === cur ? (cur.data.slice() as typeof cur.data) : out.data;
    const dd = d.data;
    if (d.size === 1) for (let i = 0; i < res.length; i++) res[i] = cur.data[i] + sign * dd[0];
    else for (let i = 0; i < res.length; i++) res[i] = cur.data[i] + sign * dd[i];
    this._value = castTensor(new (cur.constructor as typeof Tensor)(res, cur.shape, out.dtype), this.dtype);
    this.exposed = true;
    traceHooks?.assign(this, this._value);
    return this;
  }

  toArray() {
    return this._value.toArray();
  }

  toString(): string {
    return `<Variable path=${this.path}, shape=${shapeToString(this.shape)}, dtype=${this.dtype}, trainable=${this.trainable}>`;
  }
}
