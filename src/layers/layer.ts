import { toTensor } from "../backend/convert.js";
import { type DType, standardizeDType } from "../backend/dtypes.js";
import { type SpecShape, shapeToString } from "../backend/shape.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import * as constraints from "../constraints/index.js";
import * as initializers from "../initializers/index.js";
import { divide } from "../ops/elementwise.js";
import type { AnyTensor } from "../ops/types.js";
import * as regularizers from "../regularizers/index.js";
import { type LayerHistory, Node } from "../symbolic/node.js";
import { isTracing, traceScope } from "../symbolic/tracing.js";
import { flatten, mapStructure, type Nested } from "../tree/index.js";
import { toSnakeCase, uniqueName } from "../utils/naming.js";
import { currentTraining, isOutermostCall, withCallContext } from "./call_context.js";
import { assertInputCompatibility, type InputSpec } from "./input_spec.js";
import { getMask, setMask } from "./mask.js";

/** Options every layer call accepts; layers read the ones they use. */
export interface CallOptions {
  training?: boolean;
  mask?: Nested<AnyTensor | null> | null;
  [key: string]: unknown;
}

/** Constructor arguments shared by all layers. */
export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  dtype?: DType | string;
  /** Shape without the batch axis; lets a Sequential model build at construction. */
  inputShape?: (number | null)[];
  batchSize?: number;
  /** Regularizer applied to the layer's outputs; its value joins `losses`. */
  activityRegularizer?: regularizers.RegularizerIdentifier | null;
}

export interface AddWeightArgs {
  shape: readonly number[];
  initializer?: initializers.InitializerIdentifier;
  dtype?: DType | string;
  trainable?: boolean;
  regularizer?: regularizers.RegularizerIdentifier | null;
  constraint?: constraints.ConstraintIdentifier | null;
  name?: string;
}

export type LayerInput = AnyTensor | Variable | number | readonly LayerInput[] | { readonly [k: string]: LayerInput };

/** A layer instance is callable: `layer(x)` runs `call` (concrete) or records a node (symbolic). */
export interface Layer {
  (
    inputs: SymbolicTensor | readonly SymbolicTensor[] | { readonly [k: string]: SymbolicTensor },
    options?: CallOptions,
  ): SymbolicTensor;
  (inputs: LayerInput, options?: CallOptions): Tensor;
}

const OWN_KEYS_SKIPPED = new Set(["inputSpec", "activityRegularizer", "name"]);

function isSymbolicLeaf(x: unknown): x is SymbolicTensor {
  return x instanceof SymbolicTensor;
}

/**
 * The base of every layer (Keras's Layer): owns weights created in `build`, computes in `call`,
 * tracks the layers and variables it keeps in its fields, arrays or objects, and records graph nodes
 * when called on symbolic tensors. Subclass it and override `build` and `call`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds the call signature of callable instances.
export class Layer {
  declare name: string;
  declare built: boolean;
  /** Whether this layer passes (or computes) masks; when false, an incoming mask stops here. */
  declare supportsMasking: boolean;
  declare inputSpec: InputSpec | (InputSpec | null)[] | null;
  declare activityRegularizer: regularizers.Regularizer | null;
  declare protected _trainable: boolean;
  declare protected _dtype: DType;
  /** @internal */
  declare _ownTrainable: Variable[];
  /** @internal */
  declare _ownNonTrainable: Variable[];
  /** @internal */
  declare _callLosses: AnyTensor[];
  /** @internal */
  declare _inboundNodes: Node<Layer>[];
  /** @internal */
  declare _batchInputShape: SpecShape | null;
  /** @internal Output shapes of the last concrete call (for summaries of subclassed models). */
  declare _lastOutputShapes: SpecShape[] | null;

  constructor(args: LayerArgs = {}) {
    // Instances are functions so that `layer(x)` works; subclass fields land on this object.
    const self = ((inputs: LayerInput, options?: CallOptions) =>
      (self as unknown as Layer).apply(inputs, options)) as unknown as Layer;
    Object.setPrototypeOf(self, new.target.prototype);
    for (const key of ["name", "length"]) {
      Object.defineProperty(self, key, { value: undefined, writable: true, enumerable: false, configurable: true });
    }
    self.name = args.name ?? uniqueName(toSnakeCase(new.target.name));
    self.built = false;
    self.supportsMasking = false;
    self.inputSpec = null;
    self._trainable = args.trainable ?? true;
    self._dtype = args.dtype ? standardizeDType(args.dtype, `${new.target.name}`) : "float32";
    self._ownTrainable = [];
    self._ownNonTrainable = [];
    self._callLosses = [];
    self._inboundNodes = [];
    self._lastOutputShapes = null;
    self.activityRegularizer = args.activityRegularizer ? regularizers.get(args.activityRegularizer) : null;
    self._batchInputShape = args.inputShape ? [args.batchSize ?? null, ...args.inputShape] : null;
    // As Keras's build wrapper: a layer built by calling build() directly is built (a later call
    // must not build it again and duplicate its weights).
    const build = self.build;
    Object.defineProperty(self, "build", {
      value(this: Layer, inputShape: Nested<SpecShape>) {
        build.call(this, inputShape);
        this.built = true;
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
    // biome-ignore lint/correctness/noConstructorReturn: callable instances (see above).
    return self;
  }

  /** Creates the weights once the input shape is known. Called once, before the first `call`. */
  build(_inputShape: Nested<SpecShape>): void {}

  /** The layer's computation. `inputs` is concrete, or symbolic while the output spec is traced. */
  call(_inputs: Nested<AnyTensor>, _options: CallOptions): Nested<AnyTensor> {
    throw new Error(`${this.describe()}: the layer does not implement call().`);
  }

  /** Override to give output shapes by hand; by default they come from tracing `call` on symbolic inputs. */
  computeOutputShape?(inputShape: Nested<SpecShape>): Nested<SpecShape>;

  /** The output mask; by default the input mask passes through layers that support masking. */
  computeMask(_inputs: Nested<AnyTensor>, mask: Nested<AnyTensor | null> | null): Nested<AnyTensor | null> | null {
    return this.supportsMasking ? (mask ?? null) : null;
  }

  /** "Layer 'dense_1' (Dense)", as error messages name layers. */
  describe(): string {
    return `Layer '${this.name}' (${this.constructor.name})`;
  }

  get dtype(): DType {
    return this._dtype;
  }

  // ------------------------------------------------------------------ weights

  /** Creates a weight owned by this layer (Keras's add_weight). */
  addWeight(args: AddWeightArgs): Variable {
    const dtype = args.dtype ? standardizeDType(args.dtype, this.describe()) : this._dtype;
    const init = initializers.get(
      args.initializer ?? (dtype === "int32" || dtype === "bool" ? "zeros" : "glorot_uniform"),
    );
    const value = init.call(args.shape.slice(), dtype);
    const name = args.name ?? `variable_${this._ownTrainable.length + this._ownNonTrainable.length}`;
    const trainable = (args.trainable ?? true) && this._trainable;
    const constraint = args.constraint ? constraints.get(args.constraint) : null;
    const v = new Variable(value, {
      name,
      dtype,
      trainable,
      constraint: constraint ? (w: Tensor) => constraint.call(w) : null,
    });
    v.path = `${this.name}/${name}`;
    if (args.regularizer) regularizerOf.set(v, regularizers.get(args.regularizer));
    ((args.trainable ?? true) ? this._ownTrainable : this._ownNonTrainable).push(v);
    return v;
  }

  /** The layers kept in this layer's fields (directly, or in arrays and plain objects), in order. */
  get layers(): Layer[] {
    const out: Layer[] = [];
    const seen = new Set<unknown>([this]);
    const walk = (v: unknown): void => {
      if (seen.has(v)) return;
      if (v instanceof Layer) {
        seen.add(v);
        out.push(v);
      } else if (Array.isArray(v)) {
        seen.add(v);
        for (const e of v) walk(e);
      } else if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
        seen.add(v);
        for (const e of Object.values(v)) walk(e);
      }
    };
    for (const [key, v] of Object.entries(this)) if (!key.startsWith("_") && !OWN_KEYS_SKIPPED.has(key)) walk(v);
    return out;
  }

  /** Variables kept directly in fields (not created by addWeight), e.g. a loss's or a GAN's state. */
  private get fieldVariables(): Variable[] {
    const out: Variable[] = [];
    const walk = (v: unknown, depth: number): void => {
      if (v instanceof Variable) out.push(v);
      else if (depth < 3 && Array.isArray(v)) for (const e of v) walk(e, depth + 1);
    };
    for (const [key, v] of Object.entries(this)) if (!key.startsWith("_")) walk(v, 0);
    return out;
  }

  /** All variables: this layer's own (trainable first), then its sublayers', without duplicates. */
  get weights(): Variable[] {
    const seen = new Set<Variable>();
    const out: Variable[] = [];
    const add = (v: Variable) => {
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    };
    for (const v of this._ownTrainable) add(v);
    for (const v of this._ownNonTrainable) add(v);
    for (const v of this.fieldVariables) add(v);
    for (const l of this.layers) for (const v of l.weights) add(v);
    return out;
  }

  get variables(): Variable[] {
    return this.weights;
  }

  get trainableWeights(): Variable[] {
    return this._trainable ? this.weights.filter((v) => v.trainable) : [];
  }

  get nonTrainableWeights(): Variable[] {
    return this._trainable ? this.weights.filter((v) => !v.trainable) : this.weights;
  }

  get trainableVariables(): Variable[] {
    return this.trainableWeights;
  }

  get nonTrainableVariables(): Variable[] {
    return this.nonTrainableWeights;
  }

  /** Setting false freezes every weight inside, sublayers included (takes effect at the next step). */
  get trainable(): boolean {
    return this._trainable;
  }

  set trainable(value: boolean) {
    trainableChanges++;
    this._trainable = value;
    for (const v of this._ownTrainable) v.trainable = value;
    for (const l of this.layers) l.trainable = value;
  }

  /** The weights' values, in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((v) => v.peek());
  }

  setWeights(values: readonly (Tensor | Parameters<typeof toTensor>[0])[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new Error(`${this.describe()}.setWeights: expected ${ws.length} arrays, received ${values.length}.`);
    }
    ws.forEach((v, i) => {
      v.assign(values[i]);
    });
  }

  countParams(): number {
    if (!this.built && this.weights.length === 0) {
      throw new Error(`${this.describe()}.countParams: the layer is not built yet; call it on an input first.`);
    }
    return this.weights.reduce((n, v) => n + v.peek().size, 0);
  }

  // ------------------------------------------------------------------ losses

  /** Adds a loss term (from `call`, or with a concrete value from outside). */
  addLoss(loss: AnyTensor | number): void {
    if (loss instanceof SymbolicTensor) {
      if (isTracing()) return;
      throw new Error(
        `${this.describe()}.addLoss: received a symbolic tensor outside of call(). Use model.addLoss(expr) on a model built from it.`,
      );
    }
    this._callLosses.push(typeof loss === "number" ? toTensor(loss) : loss);
  }

  /** Losses from the last call (addLoss, activity regularizers) plus weight regularization, sublayers included. */
  get losses(): Tensor[] {
    const out: Tensor[] = [];
    const visit = (l: Layer, seen: Set<Layer>) => {
      if (seen.has(l)) return;
      seen.add(l);
      for (const x of l._callLosses) out.push(x as Tensor);
      for (const v of [...l._ownTrainable, ...l._ownNonTrainable]) {
        const r = regularizerOf.get(v);
        if (r) out.push(r.call(v.value) as Tensor);
      }
      for (const s of l.layers) visit(s, seen);
    };
    visit(this, new Set());
    return out;
  }

  private clearCallLosses(seen = new Set<Layer>()): void {
    if (seen.has(this)) return;
    seen.add(this);
    this._callLosses = [];
    for (const l of this.layers) l.clearCallLosses(seen);
  }

  // ------------------------------------------------------------------ calling

  /** Calls the layer (what `layer(x)` does). */
  apply(inputs: LayerInput, options: CallOptions = {}): Nested<AnyTensor> {
    let args = inputs as Nested<unknown>;
    // As in Keras, arrays are structure (a list of inputs); numbers and typed arrays become tensors.
    args = mapStructure(
      args,
      (x) =>
        x instanceof Variable
          ? x.value
          : typeof x === "number" || (ArrayBuffer.isView(x) && !(x instanceof DataView))
            ? toTensor(x as number)
            : x,
      (x) => isLeafValue(x) || ArrayBuffer.isView(x),
    );
    const leaves = flatten(args, isLeafValue).filter(
      (x): x is AnyTensor => x instanceof Tensor || x instanceof SymbolicTensor,
    );
    const symbolic = leaves.some(isSymbolicLeaf);
    assertInputCompatibility(this.inputSpec, leaves, this);

    let mask = options.mask;
    if (mask === undefined) {
      const masks = mapStructure(args, (x) => getMask(x), isLeafValue);
      mask = flatten(masks).some((m) => m) ? (masks as Nested<AnyTensor | null>) : null;
    }
    const training = options.training ?? currentTraining();
    const callOptions: CallOptions = { ...options, mask, training };

    this.maybeBuild(args as Nested<AnyTensor>);

    if (symbolic) {
      const spec = this.computeOutputSpec(args as Nested<AnyTensor>, callOptions);
      if (isTracing()) return spec;
      return this.recordNode(args, options, spec, mask ?? null);
    }
    const outermost = isOutermostCall();
    if (outermost) this.clearCallLosses();
    return withCallContext(this, training, () => {
      const out = this.call(args as Nested<AnyTensor>, { ...callOptions, training: training ?? false });
      this._lastOutputShapes = flatten(out, isLeafValue).map((t) => (t as AnyTensor).shape);
      const outMask = this.computeMask(args as Nested<AnyTensor>, mask ?? null);
      if (outMask !== null) {
        const flatOut = flatten(out);
        const flatMask = flatten(outMask as Nested<AnyTensor | null>);
        for (const [i, t] of flatOut.entries()) setMask(t, flatMask[flatMask.length === 1 ? 0 : i]);
      }
      if (this.activityRegularizer) {
        // Per sample, as Keras divides the activity loss by the batch size.
        for (const t of flatten(out) as Tensor[]) {
          const loss = this.activityRegularizer.call(t) as Tensor;
          const batch = t.rank > 0 ? t.shape[0] : 0;
          this._callLosses.push(batch > 0 ? (divide(loss, batch) as unknown as Tensor) : loss);
        }
      }
      return out;
    });
  }

  /** Builds from the shapes of the first inputs (once). */
  protected maybeBuild(inputs: Nested<AnyTensor>): void {
    if (this.built) return;
    const shapes = mapStructure(inputs, (t) => (t as AnyTensor).shape?.slice() ?? [], isLeafValue);
    if (this._batchInputShape === null) {
      const first = flatten(inputs, isLeafValue).find((t) => t instanceof Tensor || t instanceof SymbolicTensor);
      if (first) this._batchInputShape = first.shape.slice();
    }
    this.build(shapes as Nested<SpecShape>);
    this.built = true;
  }

  /**
   * Output specs for symbolic inputs: from `computeOutputShape` when the layer gives one, otherwise
   * by running `call` on the symbolic inputs (ops infer every shape), without recording nodes.
   */
  computeOutputSpec(inputs: Nested<AnyTensor>, options: CallOptions = {}): Nested<SymbolicTensor> {
    if (this.computeOutputShape) {
      const shapes = this.computeOutputShape(mapStructure(inputs, (t) => t.shape, isLeafValue) as Nested<SpecShape>);
      const isShape = (v: unknown) => Array.isArray(v) && v.every((d) => d === null || typeof d === "number");
      return mapStructure(
        shapes,
        (s) => new SymbolicTensor((s as SpecShape).slice(), this.computeDtype(inputs)),
        isShape,
      );
    }
    return traceScope(() => {
      let out: Nested<AnyTensor>;
      try {
        out = this.call(inputs, { ...options, training: options.training ?? false });
      } catch (e) {
        const shapes = flatten(inputs, isLeafValue)
          .map((t) => (t instanceof SymbolicTensor || t instanceof Tensor ? shapeToString(t.shape) : String(t)))
          .join(", ");
        const err = new Error(
          `${this.describe()}: call() failed while computing the output shape for inputs of shape ${shapes}: ${(e as Error).message}`,
          { cause: e },
        );
        throw err;
      }
      return mapStructure(out, (t) => {
        if (t instanceof SymbolicTensor || t instanceof Tensor) return new SymbolicTensor(t.shape.slice(), t.dtype);
        throw new TypeError(`${this.describe()}: call() must return tensors, received ${typeof t}.`);
      });
    });
  }

  /** The dtype of outputs when a layer gives shapes by hand. */
  protected computeDtype(inputs: Nested<AnyTensor>): DType {
    const first = flatten(inputs, isLeafValue).find((t) => t instanceof Tensor || t instanceof SymbolicTensor);
    return first && (first.dtype === "int32" || first.dtype === "bool") ? this._dtype : (first?.dtype ?? this._dtype);
  }

  private recordNode(
    args: Nested<unknown>,
    options: CallOptions,
    spec: Nested<SymbolicTensor>,
    mask: Nested<AnyTensor | null> | null,
  ): Nested<SymbolicTensor> {
    const nodeOptions: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) if (k !== "mask" && v !== undefined) nodeOptions[k] = v;
    const node = new Node<Layer>(this, args, nodeOptions);
    let i = 0;
    const outputs = mapStructure(spec, (s) => {
      const history: LayerHistory = { kind: "layer", node: node as Node, index: i++ };
      return new SymbolicTensor(
        s.shape,
        s.dtype,
        history,
        i === 1 && flatten(spec).length === 1 ? this.name : `${this.name}_${i - 1}`,
      );
    }) as Nested<SymbolicTensor>;
    node.outputs = outputs;
    this._inboundNodes.push(node);
    const outMask = this.supportsMasking || mask ? this.symbolicMask(args, mask) : null;
    if (outMask) {
      const flatOut = flatten(outputs);
      const flatMask = flatten(outMask);
      for (const [k, t] of flatOut.entries()) setMask(t, flatMask[flatMask.length === 1 ? 0 : k]);
    }
    return outputs;
  }

  private symbolicMask(args: Nested<unknown>, mask: Nested<AnyTensor | null> | null): Nested<AnyTensor | null> | null {
    try {
      return traceScope(() => this.computeMask(args as Nested<AnyTensor>, mask));
    } catch {
      return null;
    }
  }

  // ------------------------------------------------------------------ graph info

  /** The input of the layer's first call on symbolic tensors. */
  get input(): Nested<AnyTensor> {
    return this.firstNode("input").inputs as Nested<AnyTensor>;
  }

  /** The output of the layer's first call on symbolic tensors. */
  get output(): Nested<SymbolicTensor> {
    return this.firstNode("output").outputs;
  }

  private firstNode(what: string): Node<Layer> {
    const node = this._inboundNodes[0];
    if (!node) {
      throw new Error(
        `${this.describe()} has no ${what}: it has not been called on a symbolic tensor (keras.Input) yet.`,
      );
    }
    return node;
  }

  /** The base config (name, trainable, dtype); layers add their own arguments. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: this._dtype };
    return config;
  }

  toString(): string {
    return `<${this.constructor.name} name=${this.name}, built=${this.built}>`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

let trainableChanges = 0;

/** How many times any layer's `trainable` was set (traced training steps key on it). */
export function trainableVersion(): number {
  return trainableChanges;
}

/** Regularizers of weights created by addWeight. */
const regularizerOf = new WeakMap<Variable, regularizers.Regularizer>();

/** The regularizer `addWeight` attached to a variable, if any. */
export function weightRegularizer(v: Variable): regularizers.Regularizer | undefined {
  return regularizerOf.get(v);
}

/** Leaves of layer-call structures: tensors, variables and layers are never descended into. */
export function isLeafValue(x: unknown): boolean {
  return x instanceof Tensor || x instanceof SymbolicTensor || x instanceof Variable || x instanceof Layer;
}
