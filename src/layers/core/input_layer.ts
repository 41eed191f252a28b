import { type DType, standardizeDType } from "../../backend/dtypes.js";
import { type SpecShape, shapeToString } from "../../backend/shape.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { type LayerHistory, Node } from "../../symbolic/node.js";
import { Layer } from "../layer.js";

export interface InputArgs {
  /** Shape without the batch axis; `null` for unknown sizes. */
  shape?: (number | null)[];
  batchSize?: number | null;
  /** Full shape including the batch axis (instead of shape + batchSize). */
  batchShape?: (number | null)[];
  dtype?: DType | string;
  name?: string;
}

/** The layer behind `keras.Input`: it has no computation, only the symbolic tensor it creates. */
export class InputLayer extends Layer {
  readonly batchShape: SpecShape;
  declare _inputTensor: SymbolicTensor;

  constructor(args: InputArgs = {}) {
    super({ name: args.name, dtype: args.dtype });
    if (args.shape === undefined && args.batchShape === undefined) {
      throw new Error("keras.Input: give `shape` (without the batch axis) or `batchShape`.");
    }
    const shape = args.batchShape ?? [args.batchSize ?? null, ...(args.shape ?? [])];
    for (const d of shape) {
      if (d !== null && (!Number.isInteger(d) || d < 0)) {
        throw new Error(
          `keras.Input: shape must hold non-negative integers or null, received ${shapeToString(shape)}.`,
        );
      }
    }
    this.batchShape = shape.slice();
    this.built = true;
    const node = new Node<Layer>(this, [], {});
    const history: LayerHistory = { kind: "layer", node: node as Node, index: 0 };
    const dtype = args.dtype ? standardizeDType(args.dtype, "keras.Input") : "float32";
    this._inputTensor = new SymbolicTensor(shape.slice(), dtype, history, this.name);
    node.outputs = this._inputTensor;
    this._inboundNodes.push(node);
  }

  override call(): never {
    throw new Error(`${this.describe()}: an InputLayer is not called; feed its tensor (keras.Input) to other layers.`);
  }

  override getConfig(): Record<string, unknown> {
    return { batchShape: this.batchShape, dtype: this._inputTensor.dtype, name: this.name };
  }
}

/** A symbolic input of a model (Keras's keras.Input): `keras.Input({ shape: [784] })`. */
export function Input(args: InputArgs): SymbolicTensor {
  return new InputLayer(args)._inputTensor;
}

export function isInputTensor(x: unknown): x is SymbolicTensor {
  if (!(x instanceof SymbolicTensor) || x.history?.kind !== "layer") return false;
  return (x.history as LayerHistory).node.layer instanceof InputLayer;
}
