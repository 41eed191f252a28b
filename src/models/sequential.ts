import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Input, InputLayer, isInputTensor } from "../layers/core/input_layer.js";
import type { CallOptions, Layer, LayerArgs } from "../layers/layer.js";
import type { LayerHistory } from "../symbolic/node.js";
import type { AnyTensor } from "../ops/types.js";
import type { Nested } from "../tree/index.js";
import { Model, PLAIN_MODELS } from "./model.js";

/**
 * A plain stack of layers (Keras's Sequential). It becomes a functional graph as soon as its input
 * shape is known: from a keras.Input or InputLayer added first, a first layer's `inputShape`, or the
 * first call.
 */
export class Sequential extends Model {
  declare _stack: Layer[];

  constructor(layers: readonly (Layer | SymbolicTensor)[] = [], args: Omit<LayerArgs, "inputShape"> = {}) {
    super(args);
    this._stack = [];
    for (const l of layers) this.add(l, false);
    this.maybeRebuild();
  }

  /** Appends a layer (or a keras.Input, which sets the input shape). */
  add(layer: Layer | SymbolicTensor, rebuild = true): void {
    this._stepTracer = undefined;
    this._weightsCache = undefined;
    if (layer instanceof SymbolicTensor) {
      if (!isInputTensor(layer)) {
        throw new TypeError(`Sequential '${this.name}'.add: a symbolic tensor must come from keras.Input.`);
      }
      layer = (layer.history as LayerHistory).node.layer as Layer;
    }
    if (layer instanceof InputLayer && this._stack.length > 0) {
      throw new Error(`Sequential '${this.name}'.add: an InputLayer can only be the first layer.`);
    }
    if (this._stack.some((l) => l.name === layer.name)) {
      throw new Error(
        `Sequential '${this.name}'.add: all layers must have unique names; '${layer.name}' is already in the model.`,
      );
    }
    this._stack.push(layer);
    if (rebuild) this.maybeRebuild();
  }

  /** Removes the last layer. */
  pop(): Layer {
    const hasInput = this._stack[0] instanceof InputLayer;
    if (this._stack.length === (hasInput ? 1 : 0))
      throw new Error(`Sequential '${this.name}'.pop: there are no layers to remove.`);
    const layer = this._stack.pop() as Layer;
    this._stepTracer = undefined;
    this._weightsCache = undefined;
    this._graph = null;
    this.built = false;
    this.maybeRebuild();
    return layer;
  }

  /** The layers in order, without the InputLayer (as in Keras). */
  override get layers(): Layer[] {
    return this._stack.filter((l) => !(l instanceof InputLayer));
  }

  private inputShape(): (number | null)[] | null {
    const first = this._stack[0];
    if (!first) return null;
    if (first instanceof InputLayer) return first.batchShape;
    return first._batchInputShape;
  }

  /** Builds the functional graph when the input shape is known. */
  private maybeRebuild(): void {
    const shape = this.inputShape();
    if (!shape || this.layers.length === 0) return;
    this.buildGraphFor(
      shape,
      this._stack[0] instanceof InputLayer ? (this._stack[0] as InputLayer)._inputTensor.dtype : "float32",
    );
  }

  private buildGraphFor(batchShape: (number | null)[], dtype: "float32" | "float64" | "int32" | "bool"): void {
    const first = this._stack[0];
    const input =
      first instanceof InputLayer ? first._inputTensor : Input({ batchShape: [null, ...batchShape.slice(1)], dtype });
    let x: AnyTensor = input;
    for (const layer of this.layers) {
      const y: unknown = layer(x as SymbolicTensor);
      if (!(y instanceof SymbolicTensor)) {
        throw new Error(
          `Sequential '${this.name}': layer '${layer.name}' returned several tensors; every layer of a Sequential model must return one. Use the functional API for multi-output layers.`,
        );
      }
      x = y;
    }
    this.initGraph(input, x as SymbolicTensor);
    if (!(first instanceof InputLayer)) this._stack.unshift((input.history as LayerHistory).node.layer as Layer);
  }

  override build(inputShape: Nested<(number | null)[]>): void {
    if (this._graph) return;
    const shape = inputShape as (number | null)[];
    if (this.layers.length === 0)
      throw new Error(`Sequential '${this.name}': add layers before calling or building it.`);
    this.buildGraphFor(shape, "float32");
  }

  override call(inputs: Nested<AnyTensor>, options: CallOptions): Nested<AnyTensor> {
    if (!this._graph) {
      const first = inputs as AnyTensor;
      this.buildGraphFor(first.shape.slice(), first.dtype === "int32" ? "int32" : "float32");
    }
    return super.call(inputs, options);
  }
}

PLAIN_MODELS.add(Sequential);
