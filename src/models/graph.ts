import { shapeToString } from "../backend/shape.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { InputLayer, isInputTensor } from "../layers/core/input_layer.js";
import { isLeafValue, type Layer } from "../layers/layer.js";
import { applyOp, type OpHistory, type OpNode } from "../ops/registry.js";
import type { AnyTensor } from "../ops/types.js";
import type { LayerHistory, Node } from "../symbolic/node.js";
import { flatten, mapStructure, type Nested } from "../tree/index.js";

/** A step of a functional graph: a layer call or an op application. */
export type GraphStep = { kind: "layer"; node: Node<Layer> } | { kind: "op"; node: OpNode };

/** The steps from a model's inputs to its outputs, in an order where each runs after its inputs exist. */
export interface Graph {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  steps: GraphStep[];
  /** Every layer in the graph (inputs' InputLayers first, then in execution order), without repeats. */
  layers: Layer[];
}

function describeTensor(t: SymbolicTensor): string {
  const h = t.history;
  if (h?.kind === "layer") {
    const layer = (h as LayerHistory).node.layer as Layer;
    return `tensor '${t.name}' (shape ${shapeToString(t.shape)}, made by layer '${layer.name}')`;
  }
  if (h?.kind === "op")
    return `tensor '${t.name}' (shape ${shapeToString(t.shape)}, made by ops.${(h as OpHistory).node.op.name})`;
  return `tensor '${t.name}' (shape ${shapeToString(t.shape)})`;
}

/** Walks back from the outputs to the inputs and orders the steps; errors name what is missing. */
export function buildGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[], modelName: string): Graph {
  inputs.forEach((x, i) => {
    if (!(x instanceof SymbolicTensor)) {
      throw new TypeError(
        `Model '${modelName}': input ${i} is not a symbolic tensor (received ${describeValue(x)}). Create inputs with keras.Input({ shape }).`,
      );
    }
    if (!isInputTensor(x)) {
      throw new TypeError(
        `Model '${modelName}': input ${i} is ${describeTensor(x)}, not a keras.Input tensor. A model's inputs must come from keras.Input({ shape }).`,
      );
    }
  });
  if (new Set(inputs).size !== inputs.length)
    throw new Error(`Model '${modelName}': the same input tensor is given twice.`);
  outputs.forEach((y, i) => {
    if (!(y instanceof SymbolicTensor)) {
      throw new TypeError(
        `Model '${modelName}': output ${i} is not a symbolic tensor (received ${describeValue(y)}). Outputs must be computed from the keras.Input tensors.`,
      );
    }
  });

  const inputSet = new Set(inputs);
  const steps: GraphStep[] = [];
  const done = new Set<object>();
  const active = new Set<object>();
  const visit = (t: SymbolicTensor, consumer: string): void => {
    if (inputSet.has(t)) return;
    const h = t.history;
    if (h?.kind === "layer") {
      const node = (h as LayerHistory).node as Node<Layer>;
      if (node.layer instanceof InputLayer) {
        throw new Error(
          `Graph disconnected: cannot obtain a value for ${describeTensor(t)} at ${consumer}. ` +
            `That keras.Input is not among the inputs of model '${modelName}' (inputs: ${inputs.map((x) => `'${x.name}'`).join(", ") || "none"}).`,
        );
      }
      if (done.has(node)) return;
      if (active.has(node))
        throw new Error(`Model '${modelName}': the graph has a cycle at layer '${node.layer.name}'.`);
      active.add(node);
      for (const x of node.inputTensors) visit(x, `layer '${node.layer.name}'`);
      active.delete(node);
      done.add(node);
      steps.push({ kind: "layer", node });
    } else if (h?.kind === "op") {
      const node = (h as OpHistory).node;
      if (done.has(node)) return;
      for (const x of node.inputs) if (x instanceof SymbolicTensor) visit(x, `ops.${node.op.name}`);
      done.add(node);
      steps.push({ kind: "op", node });
    } else {
      throw new Error(
        `Graph disconnected: ${describeTensor(t)} at ${consumer} was not produced by keras.Input, a layer or an op.`,
      );
    }
  };
  outputs.forEach((y, i) => {
    visit(y, `output ${i} of model '${modelName}'`);
  });

  const layers: Layer[] = [];
  const seen = new Set<Layer>();
  const addLayer = (l: Layer) => {
    if (!seen.has(l)) {
      seen.add(l);
      layers.push(l);
    }
  };
  for (const x of inputs) addLayer((x.history as LayerHistory).node.layer as Layer);
  for (const s of steps) if (s.kind === "layer") addLayer(s.node.layer);
  const names = new Map<string, Layer>();
  for (const l of layers) {
    const other = names.get(l.name);
    if (other && other !== l) {
      throw new Error(
        `Model '${modelName}': the layer name '${l.name}' is used by two different layers (${other.constructor.name} and ${l.constructor.name}). Layer names must be unique within a model.`,
      );
    }
    names.set(l.name, l);
  }
  return { inputs, outputs, steps, layers };
}

/**
 * Runs the graph on concrete tensors (computes) or symbolic ones (while a model's own output spec
 * is traced). Each layer sees the `training` flag of the enclosing call unless its node fixed one.
 */
export function runGraph(
  graph: Graph,
  inputValues: AnyTensor[],
  wanted: SymbolicTensor[] = graph.outputs,
): AnyTensor[] {
  const values = new Map<SymbolicTensor, AnyTensor>();
  graph.inputs.forEach((x, i) => {
    values.set(x, inputValues[i]);
  });
  const lookup = (leaf: unknown): unknown => {
    if (!(leaf instanceof SymbolicTensor)) return leaf;
    const v = values.get(leaf);
    if (v === undefined)
      throw new Error(`internal error: no value for ${describeTensor(leaf)} while running the graph.`);
    return v;
  };
  for (const step of graph.steps) {
    if (step.kind === "layer") {
      const { node } = step;
      const args = mapStructure(node.inputs, lookup, isLeafValue);
      const out = node.layer.apply(args as Nested<AnyTensor>, node.options);
      const flatOut = flatten(out, isLeafValue) as AnyTensor[];
      node.outputTensors.forEach((t, i) => {
        values.set(t, flatOut[i]);
      });
    } else {
      const { node } = step;
      const outs = applyOp(node.op, node.inputs.map(lookup) as AnyTensor[], node.attrs);
      node.outputs.forEach((t, i) => {
        values.set(t, outs[i]);
      });
    }
  }
  return wanted.map(lookup) as AnyTensor[];
}

function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === "object") return `a ${(x as object).constructor?.name ?? "object"}`;
  return `${typeof x} ${String(x)}`;
}
