import { castTensor } from "../backend/convert.js";
import { shapeToString } from "../backend/shape.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import type { LayerHistory } from "../symbolic/node.js";
import { InputLayer } from "../layers/core/input_layer.js";
import { isTracing as isTracingNow } from "../symbolic/tracing.js";
import { withCallContext } from "../layers/call_context.js";
import { type CallOptions, isLeafValue, type Layer, type LayerArgs } from "../layers/layer.js";
import type { ModelData } from "../trainers/data_adapter.js";
import { type PredictOptions, Trainer } from "../trainers/trainer.js";
import type { AnyTensor } from "../ops/types.js";
import { flatten, isNested, type Nested, packSequenceAs } from "../tree/index.js";
import { uniqueName } from "../utils/naming.js";
import { buildGraph, type Graph, runGraph } from "./graph.js";
import { summary, type SummaryOptions } from "../utils/summary.js";

export type SymbolicStructure = SymbolicTensor | readonly SymbolicTensor[] | { readonly [k: string]: SymbolicTensor };

export interface ModelArgs<O extends SymbolicStructure = SymbolicStructure> extends LayerArgs {
  /** Functional models: the keras.Input tensors (one, an array, or named in an object). */
  inputs?: SymbolicStructure;
  /** Functional models: the output tensors, returned in the same structure. */
  outputs?: O;
}

/** The concrete results of a model whose outputs have the symbolic structure `S`. */
export type ConcreteOf<S> = S extends SymbolicTensor
  ? Tensor
  : S extends readonly SymbolicTensor[]
    ? Tensor[]
    : { [K in keyof S]: Tensor };

/**
 * A model (Keras's Model). Functional when built from `{ inputs, outputs }`; subclassed when a class
 * extends it and implements `call`. A model is a layer: calling it on new inputs shares its weights.
 */
export class Model<O extends SymbolicStructure = SymbolicTensor> extends Trainer {
  /** @internal */
  declare _graph: Graph | null;
  /** @internal */
  declare _inputStructure: SymbolicStructure | null;
  /** @internal */
  declare _outputStructure: SymbolicStructure | null;
  /** @internal Symbolic loss terms added with addLoss, computed by the graph on every forward pass. */
  declare _symbolicLosses: SymbolicTensor[];

  constructor(args: ModelArgs<O> = {}) {
    const functional = args.inputs !== undefined || args.outputs !== undefined;
    super({ ...args, name: args.name ?? (functional && new.target === Model ? uniqueName("functional") : undefined) });
    this._graph = null;
    this._inputStructure = null;
    this._outputStructure = null;
    this._symbolicLosses = [];
    if (functional) this.initGraph(args.inputs, args.outputs);
  }

  /** Makes this model functional: records the graph from `inputs` to `outputs`. */
  protected initGraph(inputs: SymbolicStructure | undefined, outputs: SymbolicStructure | undefined): void {
    if (inputs === undefined || outputs === undefined) {
      throw new Error(`Model '${this.name}': a functional model needs both inputs and outputs.`);
    }
    const flatIn = flatten(inputs as Nested<SymbolicTensor>, isLeafValue);
    const flatOut = flatten(outputs as Nested<SymbolicTensor>, isLeafValue);
    this._graph = buildGraph(flatIn, [...flatOut, ...this._symbolicLosses], this.name);
    this._graph.outputs = flatOut;
    this._inputStructure = inputs;
    this._outputStructure = outputs;
    this.built = true;
    this._batchInputShape = flatIn[0]?.shape.slice() ?? null;
  }

  /** @internal Sequential and functional models whose class is Keras's own (not a subclass with its own call). */
  override isPlainModel(layer: Layer): boolean {
    const cls = layer.constructor;
    return PLAIN_MODELS.has(cls) && (cls !== Model || (layer as Model)._graph !== null);
  }

  /** True for models built from inputs and outputs (including Sequential once its input shape is known). */
  get isFunctional(): boolean {
    return this._graph !== null;
  }

  /** The model's keras.Input tensors (functional models). */
  get inputs(): SymbolicTensor[] {
    return this.graph("inputs").inputs;
  }

  get outputs(): SymbolicTensor[] {
    return this.graph("outputs").outputs;
  }

  /** @internal The functional graph, or an error naming `what` the caller needed from it. */
  protected graph(what: string): Graph {
    if (!this._graph) {
      throw new Error(
        `Model '${this.name}' has no ${what}: it is not a functional model (build it from keras.Input tensors, or call it first).`,
      );
    }
    return this._graph;
  }

  override get layers(): Layer[] {
    const tracked = super.layers;
    if (!this._graph) return tracked;
    const out = this._graph.layers.slice();
    for (const l of tracked) if (!out.includes(l)) out.push(l);
    return out;
  }

  /** A layer by name or by index in `layers`. */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    if (typeof nameOrIndex === "number") {
      const l = layers[nameOrIndex];
      if (!l)
        throw new RangeError(
          `Model '${this.name}'.getLayer: index ${nameOrIndex} is out of range (${layers.length} layers).`,
        );
      return l;
    }
    const l = layers.find((x) => x.name === nameOrIndex);
    if (!l) {
      throw new Error(
        `Model '${this.name}'.getLayer: no layer named '${nameOrIndex}'. Layers: ${layers.map((x) => x.name).join(", ")}.`,
      );
    }
    return l;
  }

  override call(inputs: Nested<AnyTensor>, options: CallOptions = {}): Nested<AnyTensor> {
    if (!this._graph) {
      throw new Error(
        `Model '${this.name}': a subclassed model must implement call(inputs, { training }), or be built from { inputs, outputs }.`,
      );
    }
    const values = this.matchInputs(inputs);
    const graph = this._graph;
    // `model.call(x, { training })` called directly passes the flag to every layer, as model(x) does.
    const all = withCallContext(this, options.training, () =>
      runGraph(graph, values, [...graph.outputs, ...this._symbolicLosses]),
    );
    const outs = all.slice(0, this._graph.outputs.length);
    for (const l of all.slice(outs.length)) if (l instanceof Tensor) this._callLosses.push(l);
    return packSequenceAs(this._outputStructure, outs, isLeafValue) as Nested<AnyTensor>;
  }

  /** Flattens call inputs in the order of the model's inputs, checking count, shape and dtype. */
  private matchInputs(inputs: Nested<AnyTensor>): AnyTensor[] {
    const graph = this._graph as Graph;
    const structure = this._inputStructure;
    let flat: unknown[];
    if (
      structure &&
      !Array.isArray(structure) &&
      !(structure instanceof SymbolicTensor) &&
      isNested(inputs) &&
      !Array.isArray(inputs)
    ) {
      const obj = inputs as Record<string, unknown>;
      flat = Object.keys(structure).map((k) => {
        if (!(k in obj))
          throw new Error(
            `Model '${this.name}': missing input '${k}'. Expected inputs: ${Object.keys(structure).join(", ")}.`,
          );
        return obj[k];
      });
    } else {
      flat = flatten(inputs, isLeafValue);
    }
    if (flat.length !== graph.inputs.length) {
      throw new Error(
        `Model '${this.name}' expects ${graph.inputs.length} input(s) (${graph.inputs.map((x) => `'${x.name}' ${shapeToString(x.shape)}`).join(", ")}), received ${flat.length}.`,
      );
    }
    return flat.map((v, i) => {
      const spec = graph.inputs[i];
      const t = v instanceof Variable ? v.value : v;
      if (!(t instanceof Tensor) && !(t instanceof SymbolicTensor)) {
        throw new TypeError(
          `Model '${this.name}': input ${i} ('${spec.name}') must be a tensor, received ${typeof t}.`,
        );
      }
      const ok =
        t.shape.length === spec.shape.length &&
        spec.shape.every((d, j) => d === null || t.shape[j] === null || d === t.shape[j]);
      if (!ok) {
        throw new Error(
          `Model '${this.name}': input ${i} ('${spec.name}') expects shape ${shapeToString(spec.shape)}, received ${shapeToString(t.shape)}.`,
        );
      }
      if (t instanceof Tensor && t.dtype !== spec.dtype) return castTensor(t, spec.dtype);
      return t;
    });
  }

  /**
   * Adds a loss term. A symbolic expression of this model's tensors (the founding document's loss
   * "from outside a layer") is computed by the graph on every forward pass; inside `call`, a concrete
   * value is added to this pass's losses.
   */
  override addLoss(loss: AnyTensor | number): void {
    if (loss instanceof SymbolicTensor && this._graph && !isTracingNow()) {
      const inputs = this._inputStructure as SymbolicStructure;
      this._symbolicLosses.push(loss);
      this.initGraph(inputs, this._outputStructure as SymbolicStructure);
      return;
    }
    super.addLoss(loss);
  }

  /** Names of the outputs (keys of a named structure, else the layers that produce them). */
  override get outputNames(): string[] {
    const s = this._outputStructure;
    if (s && !(s instanceof SymbolicTensor) && !Array.isArray(s)) return Object.keys(s);
    if (!this._graph) return ["output_0"];
    const names = this._graph.outputs.map((t, i) => {
      const h = producerOf(t);
      return h ? (h.node.layer as Layer).name : t.history?.kind === "op" ? t.name : `output_${i}`;
    });
    return names.map((n, i) => (names.indexOf(n) === i ? n : `${n}_${i}`));
  }

  /** Outputs for the data in batches (training false), in the structure of the model's outputs. */
  override predict(x: ModelData, options: PredictOptions = {}): ConcreteOf<O> {
    return super.predict(x, options) as ConcreteOf<O>;
  }

  override predictOnBatch(x: ModelData): ConcreteOf<O> {
    return super.predictOnBatch(x) as ConcreteOf<O>;
  }

  /** Prints (and returns) the layer table as Keras's model.summary() does. */
  summary(options: SummaryOptions = {}): string {
    return summary(this, options);
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable };
  }
}

/** Model classes whose call is the library's (Sequential adds itself). */
export const PLAIN_MODELS = new Set<unknown>([Model]);

/** The layer node that made a tensor, if any. */
export function producerOf(t: SymbolicTensor): LayerHistory | null {
  return t.history?.kind === "layer" ? (t.history as LayerHistory) : null;
}

export { InputLayer };
