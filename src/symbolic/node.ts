import type { SymbolicHistory, SymbolicTensor } from "../backend/symbolic_tensor.js";
import { flatten, type Nested } from "../tree/index.js";

/** What a node needs of the layer that made it (the layers module supplies the real Layer). */
export interface NodeOwner {
  name: string;
}

/**
 * One call of a layer on symbolic tensors: its arguments (the input structure, with any constant
 * tensors inside it), its non-tensor call options, and the symbolic outputs it produced.
 */
export class Node<L extends NodeOwner = NodeOwner> {
  readonly layer: L;
  readonly inputs: Nested<unknown>;
  readonly options: Record<string, unknown>;
  outputs: Nested<SymbolicTensor> = [];

  constructor(layer: L, inputs: Nested<unknown>, options: Record<string, unknown>) {
    this.layer = layer;
    this.inputs = inputs;
    this.options = options;
  }

  /** The symbolic tensors among the inputs, in order. */
  get inputTensors(): SymbolicTensor[] {
    return flatten(this.inputs).filter(isSymbolicLeaf) as SymbolicTensor[];
  }

  get outputTensors(): SymbolicTensor[] {
    return flatten(this.outputs);
  }
}

function isSymbolicLeaf(x: unknown): boolean {
  return typeof x === "object" && x !== null && (x as { isSymbolic?: boolean }).isSymbolic === true;
}

/** The record a layer call leaves on each symbolic tensor it produces. */
export interface LayerHistory extends SymbolicHistory {
  readonly kind: "layer";
  readonly node: Node;
  readonly index: number;
}
