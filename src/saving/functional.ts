import { toTensor } from "../backend/convert.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { InputLayer } from "../layers/core/input_layer.js";
import { Layer } from "../layers/layer.js";
import { Model } from "../models/model.js";
import { Sequential } from "../models/sequential.js";
import type { OpHistory, OpNode } from "../ops/registry.js";
import type { LayerHistory, Node } from "../symbolic/node.js";
import { flatten } from "../tree/index.js";
import { toSnakeCase } from "../utils/naming.js";
import { compileConfigOf } from "./compile_config.js";
import { getRegisteredName, getRegisteredObject, isRegistered } from "./object_registration.js";
import { kerasCallArgs } from "./layer_table.js";
import { kerasOpFor, opFromKeras } from "./op_table.js";
import {
  type CustomObjects,
  deserializeConfigValue,
  deserializeLayer,
  dtypeFromKeras,
  dtypePolicy,
  fromKerasKey,
  isKerasObject,
  type KerasObject,
  serializeConfigValue,
  serializeLayer,
  serializeTensorValue,
  setModelSerializer,
  toKerasKey,
} from "./serialization.js";

/**
 * Models to and from Keras 3 configs: functional models as Keras's Functional.get_config writes them
 * (layers[] with inbound_nodes of `__keras_tensor__` records, input_layers, output_layers), Sequential
 * models, and registered subclassed models.
 */

/** An operation of a functional graph in Keras's sense: a layer, or one op applied to symbolic tensors. */
type Operation = Layer | OpNode;
type GraphNode = { op: Operation; node: Node<Layer> | OpNode };

/** True for functional models in Keras's sense (class Functional): plain Model instances with a graph. */
export function isFunctionalModel(x: unknown): x is Model {
  return x instanceof Model && !(x instanceof Sequential) && x.constructor === Model && x.isFunctional;
}

function producer(t: SymbolicTensor): { gn: GraphNode; index: number } | null {
  const h = t.history;
  if (h?.kind === "layer") {
    const lh = h as LayerHistory;
    const node = lh.node as unknown as Node<Layer>;
    return { gn: { op: node.layer, node }, index: lh.index };
  }
  if (h?.kind === "op") {
    const oh = h as OpHistory;
    return { gn: { op: oh.node, node: oh.node }, index: oh.index };
  }
  return null;
}

function nodeInputs(gn: GraphNode): SymbolicTensor[] {
  if (gn.op instanceof Layer) {
    if (gn.op instanceof InputLayer) return [];
    return (gn.node as Node<Layer>).inputTensors;
  }
  return (gn.node as OpNode).inputs.filter((x): x is SymbolicTensor => x instanceof SymbolicTensor);
}

/** Keras's map_graph: operations (and their graph nodes) ordered by decreasing depth, then first visit. */
export function kerasGraphOrder(inputs: SymbolicTensor[], outputs: SymbolicTensor[]) {
  const finished = new Set<object>();
  const inProgress = new Set<object>();
  const nodesInOrder: GraphNode[] = [];
  const opIndex = new Map<Operation, number>();
  const inputSet = new Set(inputs);
  const visit = (t: SymbolicTensor): void => {
    const p = producer(t);
    if (!p) return;
    const { gn } = p;
    if (finished.has(gn.node)) return;
    const isInput = gn.op instanceof InputLayer;
    if (!isInput && inputSet.has(t)) {
      finished.add(gn.node);
      return;
    }
    if (inProgress.has(gn.node)) throw new Error(`The graph has a cycle at '${opName(gn.op)}'.`);
    if (!opIndex.has(gn.op)) opIndex.set(gn.op, opIndex.size);
    inProgress.add(gn.node);
    if (!isInput) for (const x of nodeInputs(gn)) visit(x);
    finished.add(gn.node);
    inProgress.delete(gn.node);
    nodesInOrder.push(gn);
  };
  for (const y of outputs) visit(y);

  const nodeDepth = new Map<object, number>();
  const opDepth = new Map<Operation, number>();
  const inGraph = new Set(nodesInOrder.map((g) => g.node));
  for (let i = nodesInOrder.length - 1; i >= 0; i--) {
    const gn = nodesInOrder[i];
    let depth = nodeDepth.get(gn.node) ?? 0;
    if (!nodeDepth.has(gn.node)) nodeDepth.set(gn.node, 0);
    depth = Math.max(depth, opDepth.get(gn.op) ?? 0);
    opDepth.set(gn.op, depth);
    nodeDepth.set(gn.node, depth);
    for (const x of nodeInputs(gn)) {
      const p = producer(x);
      if (!p || !inGraph.has(p.gn.node)) continue;
      nodeDepth.set(p.gn.node, Math.max(depth + 1, nodeDepth.get(p.gn.node) ?? 0));
    }
  }
  const graphNodes = new Set<object>(inGraph);
  for (const x of inputs) {
    const p = producer(x);
    if (p && !opDepth.has(p.gn.op) && p.gn.op instanceof InputLayer) {
      opDepth.set(p.gn.op, 0);
      opIndex.set(p.gn.op, -1);
      graphNodes.add(p.gn.node);
    }
  }
  const operations = [...opDepth.keys()].sort(
    (a, b) =>
      (opDepth.get(b) as number) - (opDepth.get(a) as number) ||
      (opIndex.get(a) as number) - (opIndex.get(b) as number),
  );
  return { operations, graphNodes };
}

/** The layers of a model in Keras's `model.layers` order (what the weights file walks). */
export function kerasLayers(model: Model): Layer[] {
  if (model instanceof Sequential) return model.layers;
  if (!model.isFunctional) return model.layers;
  return kerasGraphOrder(model.inputs, model.outputs).operations.filter((o): o is Layer => o instanceof Layer);
}

function opName(op: Operation): string {
  return op instanceof Layer ? op.name : op.op.name;
}

// ------------------------------------------------------------------ serialization

function functionalConfig(model: Model): Record<string, unknown> {
  const inputs = model.inputs;
  const outputs = model.outputs;
  const { operations, graphNodes } = kerasGraphOrder(inputs, outputs);
  // Ops get Keras's auto names (snake case of the op class), unique among the model's operation names.
  const names = new Map<Operation, string>();
  const used = new Set(operations.filter((o) => o instanceof Layer).map((o) => (o as Layer).name));
  for (const op of operations) {
    if (op instanceof Layer) {
      names.set(op, op.name);
      continue;
    }
    const base = toSnakeCase(kerasOpFor(op).className);
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    names.set(op, name);
  }
  const keptIndex = (op: Operation, node: object, forStructure: boolean): number => {
    if (!(op instanceof Layer)) return 0;
    const kept = op._inboundNodes.filter((n) => graphNodes.has(n));
    const i = kept.indexOf(node as Node<Layer>);
    // Keras's functional models own a first node linking their inputs to outputs: input_layers and
    // output_layers count it, node arguments do not (Functional.get_config / serialize_node).
    return forStructure && isFunctionalModel(op) ? i + 1 : i;
  };
  const tensorRecord = (t: SymbolicTensor): unknown => {
    const p = producer(t);
    if (!p) throw new Error(`Model '${model.name}': a symbolic tensor of the graph has no producer.`);
    return {
      class_name: "__keras_tensor__",
      config: {
        shape: [...t.shape],
        dtype: t.dtype,
        keras_history: [names.get(p.gn.op), keptIndex(p.gn.op, p.gn.node, false), p.index],
      },
    };
  };
  const serializeArg = (x: unknown): unknown => {
    if (x instanceof SymbolicTensor) return tensorRecord(x);
    if (x instanceof Tensor) return serializeTensorValue(x);
    if (Array.isArray(x)) return x.map(serializeArg);
    if (x !== null && typeof x === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) out[k] = serializeArg(v);
      return out;
    }
    return x;
  };
  const layers = operations.map((op) => {
    if (op instanceof Layer) {
      const record = serializeLayer(op) as Record<string, unknown>;
      record.name = op.name;
      record.inbound_nodes = op._inboundNodes
        .filter((n) => graphNodes.has(n) && !(op instanceof InputLayer))
        .map((n) => {
          const kwargs: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(n.options)) kwargs[toKerasKey(k)] = serializeArg(v);
          const names = kerasCallArgs(op.constructor.name);
          if (names && isPlainObject(n.inputs)) {
            // Keras passes these tensors as separate arguments: leading ones positionally, the rest by name.
            const dict = n.inputs as Record<string, unknown>;
            const args: unknown[] = [];
            for (const name of names) {
              if (dict[name] === undefined) break;
              args.push(serializeArg(dict[name]));
            }
            for (const [k, v] of Object.entries(dict)) {
              if (!names.slice(0, args.length).includes(k)) kwargs[toKerasKey(k)] = serializeArg(v);
            }
            return { args, kwargs };
          }
          return { args: [serializeArg(n.inputs)], kwargs };
        });
      return record;
    }
    const spec = kerasOpFor(op);
    const name = names.get(op) as string;
    return {
      module: spec.module,
      class_name: spec.className,
      config: { name, ...spec.config },
      registered_name: spec.className,
      name,
      inbound_nodes: [{ args: spec.args(op.inputs).map(serializeArg), kwargs: serializeArg(spec.kwargs) }],
    };
  });
  const structure = (s: unknown): unknown => {
    if (s instanceof SymbolicTensor) {
      const p = producer(s) as { gn: GraphNode; index: number };
      return [names.get(p.gn.op), keptIndex(p.gn.op, p.gn.node, true), p.index];
    }
    if (Array.isArray(s)) return s.map(structure);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s as object)) out[k] = structure(v);
    return out;
  };
  return {
    name: model.name,
    trainable: model.trainable,
    layers,
    input_layers: structure(model._inputStructure),
    output_layers: structure(model._outputStructure),
  };
}

function sequentialConfig(model: Sequential): Record<string, unknown> {
  const layers = model._stack.map((l) => serializeLayer(l));
  const config: Record<string, unknown> = {
    name: model.name,
    trainable: model.trainable,
    dtype: dtypePolicy(model.dtype),
    layers,
  };
  const first = model._stack[0];
  if (first instanceof InputLayer) config.build_input_shape = [...first.batchShape];
  return config;
}

/** Serializes Sequential, functional and registered subclassed models (null for other layers). */
export function serializeModel(layer: Layer): KerasObject | null {
  if (!(layer instanceof Model)) return null;
  if (layer instanceof Sequential && layer.constructor === Sequential) {
    const config = sequentialConfig(layer);
    const first = layer._stack[0];
    return {
      module: "keras",
      class_name: "Sequential",
      config,
      registered_name: null,
      build_config: { input_shape: first instanceof InputLayer ? [...first.batchShape] : null },
      compile_config: compileConfigOf(layer),
    };
  }
  if (isFunctionalModel(layer)) {
    return {
      module: "keras.src.models.functional",
      class_name: "Functional",
      config: functionalConfig(layer),
      registered_name: "Functional",
      build_config: { input_shape: null },
      compile_config: compileConfigOf(layer),
    };
  }
  const cls = layer.constructor as new (...a: never[]) => unknown;
  if (!isRegistered(cls)) {
    throw new Error(
      `Model '${layer.name}' (${cls.name}): cannot save a subclassed model whose class is not registered. Register it with keras.saving.registerKerasSerializable(${cls.name}) and give it a getConfig() returning its constructor arguments (and a static fromConfig if they are not one options object).`,
    );
  }
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(layer.getConfig())) {
    config[toKerasKey(k)] =
      k === "dtype" && typeof v === "string" ? dtypePolicy(v) : serializeConfigValue(k, v, `Model '${layer.name}'`);
  }
  const out: KerasObject = { module: null, class_name: cls.name, config, registered_name: getRegisteredName(cls) };
  out.compile_config = compileConfigOf(layer);
  if (layer.built && layer._batchInputShape) out.build_config = { input_shape: [...layer._batchInputShape] };
  return out;
}

// ------------------------------------------------------------------ deserialization

type Created =
  | Layer
  | { kind: "op"; className: string; module: string; config: Record<string, unknown>; calls: SymbolicTensor[][] };

class NotYet extends Error {}

function isTensorRecord(
  x: unknown,
): x is { class_name: "__keras_tensor__"; config: { keras_history: [string, number, number] } } {
  return isKerasObject(x) && x.class_name === "__keras_tensor__";
}

/** Rebuilds a functional model from Keras's Functional config (Keras's functional_from_config). */
export function functionalFromConfig(config: Record<string, unknown>, customObjects: CustomObjects = {}): Model {
  const name = (config.name as string | undefined) ?? undefined;
  const layerRecords = config.layers as (KerasObject & { name: string; inbound_nodes: unknown[] })[];
  if (!Array.isArray(layerRecords)) throw new Error(`Functional model '${name}': its config has no 'layers' list.`);
  const created = new Map<string, Created>();
  const pending = new Map<string, unknown[]>();
  for (const rec of layerRecords) {
    let obj: Created;
    if (typeof rec.module === "string" && rec.module.startsWith("keras.src.ops")) {
      obj = {
        kind: "op",
        className: rec.class_name,
        module: rec.module,
        config: (rec.config ?? {}) as Record<string, unknown>,
        calls: [],
      };
    } else {
      obj = deserializeLayer(rec, customObjects);
    }
    created.set(rec.name, obj);
    const nodes = Array.isArray(rec.inbound_nodes) ? rec.inbound_nodes : [];
    if (nodes.length) pending.set(rec.name, nodes.slice());
  }

  const tensorAt = (
    layerName: string,
    nodeIndex: number,
    tensorIndex: number,
    forStructure: boolean,
  ): SymbolicTensor => {
    const obj = created.get(layerName);
    if (!obj)
      throw new Error(`Functional model '${name}': a node refers to '${layerName}', which is not among its layers.`);
    let outs: SymbolicTensor[] | undefined;
    if (obj instanceof Layer) {
      const i = forStructure && isFunctionalRecordLayer(obj) ? nodeIndex - 1 : nodeIndex;
      const node = obj instanceof InputLayer ? obj._inboundNodes[0] : obj._inboundNodes[i];
      outs = node ? flatten(node.outputs) : undefined;
    } else {
      outs = obj.calls[nodeIndex];
    }
    if (!outs) throw new NotYet();
    const t = outs[tensorIndex];
    if (!t)
      throw new Error(`Functional model '${name}': '${layerName}' has no output ${tensorIndex} at node ${nodeIndex}.`);
    return t;
  };
  const revive = (x: unknown): unknown => {
    if (isTensorRecord(x)) {
      const [l, n, t] = x.config.keras_history;
      return tensorAt(l, n, t, false);
    }
    if (isKerasObject(x) && (x.class_name === "__numpy__" || x.class_name === "__tensor__")) {
      const c = x.config as { value: number[]; dtype?: string };
      return toTensor(
        c.value as never,
        c.dtype === "float64" || c.dtype === "int32" || c.dtype === "bool" ? c.dtype : "float32",
      );
    }
    if (isKerasObject(x) && x.class_name === "__tuple__")
      return ((x.config as { value: unknown[] }).value ?? []).map(revive);
    if (Array.isArray(x)) return x.map(revive);
    if (x !== null && typeof x === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) out[k] = revive(v);
      return out;
    }
    return x;
  };
  const processNode = (layerName: string, nodeData: unknown): void => {
    const obj = created.get(layerName) as Created;
    let args: unknown[];
    let kwargs: Record<string, unknown>;
    if (Array.isArray(nodeData)) {
      // Keras 2 style: [[layer, node, tensor, kwargs?], ...].
      const ts = nodeData.map((d) => tensorAt(d[0], d[1], d[2], false));
      args = [ts.length === 1 ? ts[0] : ts];
      kwargs = (nodeData[0]?.[3] as Record<string, unknown>) ?? {};
    } else {
      const nd = nodeData as { args?: unknown[]; kwargs?: Record<string, unknown> };
      args = revive(nd.args ?? []) as unknown[];
      kwargs = revive(nd.kwargs ?? {}) as Record<string, unknown>;
    }
    if (obj instanceof Layer) {
      const names = kerasCallArgs(obj.constructor.name);
      if (names) [args, kwargs] = callArgsAsObject(names, args, kwargs);
      const options: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(kwargs)) {
        // The call's training flag comes from the enclosing call (as Keras's functional call passes it).
        if (k === "training" || (k === "mask" && v === null)) continue;
        options[fromKerasKey(k)] = v;
      }
      if (args.length !== 1) {
        throw new Error(
          `${obj.describe()}: the file calls it with ${args.length} positional arguments; keras-ts layers take one input structure.`,
        );
      }
      obj.apply(args[0] as never, options);
    } else {
      const out = opFromKeras(obj.className, obj.module, obj.config, args, kwargs, layerName);
      obj.calls.push(flatten(out as never) as SymbolicTensor[]);
    }
  };

  while (pending.size > 0) {
    let progress = false;
    for (const rec of layerRecords) {
      const list = pending.get(rec.name);
      if (!list) continue;
      while (list.length > 0) {
        try {
          processNode(rec.name, list[0]);
        } catch (e) {
          if (e instanceof NotYet) break;
          throw e;
        }
        list.shift();
        progress = true;
      }
      if (list.length === 0) pending.delete(rec.name);
    }
    if (!progress) {
      throw new Error(
        `Functional model '${name}': invalid configuration: the graph has loops or disconnected nodes (unresolved: ${[...pending.keys()].join(", ")}).`,
      );
    }
  }

  const structure = (s: unknown): unknown => {
    if (Array.isArray(s) && s.length === 3 && typeof s[0] === "string" && typeof s[1] === "number") {
      return tensorAt(s[0], s[1], s[2] as number, true);
    }
    if (Array.isArray(s)) return s.map(structure);
    if (s !== null && typeof s === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) out[k] = structure(v);
      return out;
    }
    throw new Error(`Functional model '${name}': could not interpret input/output entry ${JSON.stringify(s)}.`);
  };
  const model = new Model({
    inputs: structure(config.input_layers) as never,
    outputs: structure(config.output_layers) as never,
    name,
  });
  if (config.trainable === false) model.trainable = false;
  return model;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;
}

/** Keras's separate call arguments (positional, or tensor kwargs) as the one object keras-ts takes. */
function callArgsAsObject(
  names: readonly string[],
  args: unknown[],
  kwargs: Record<string, unknown>,
): [unknown[], Record<string, unknown>] {
  if (args.length === 1 && isPlainObject(args[0])) return [args, kwargs];
  const dict: Record<string, unknown> = {};
  args.forEach((a, i) => {
    dict[names[i] ?? `arg${i}`] = a;
  });
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    // Tensor arguments (key, attention_mask) go in the object; flags stay call options.
    if (v instanceof SymbolicTensor) dict[fromKerasKey(k)] = v;
    else rest[k] = v;
  }
  return [[dict], rest];
}

function isFunctionalRecordLayer(layer: Layer): boolean {
  return isFunctionalModel(layer);
}

/** Rebuilds a Sequential model from Keras's Sequential config. */
export function sequentialFromConfig(config: Record<string, unknown>, customObjects: CustomObjects = {}): Sequential {
  const records = (config.layers ?? []) as KerasObject[];
  const layers = records.map((r) => deserializeLayer(r, customObjects));
  const args: Record<string, unknown> = { name: config.name };
  if (config.dtype !== undefined && config.dtype !== null)
    args.dtype = dtypeFromKeras(config.dtype, `Sequential '${config.name}'`);
  const shape = config.build_input_shape as (number | null)[] | undefined;
  if (!(layers[0] instanceof InputLayer) && Array.isArray(shape) && layers.length > 0 && !layers[0]._batchInputShape) {
    layers.unshift(new InputLayer({ batchShape: shape }));
  }
  const model = new Sequential(layers, args);
  if (config.trainable === false) model.trainable = false;
  return model;
}

function deserializeModel(record: KerasObject, customObjects: CustomObjects): Layer | null {
  const config = (record.config ?? {}) as Record<string, unknown>;
  const registered = record.registered_name ? getRegisteredObject(record.registered_name, customObjects) : undefined;
  if (registered) {
    if (
      !(registered as { prototype?: unknown }).prototype ||
      !((registered as { prototype: unknown }).prototype instanceof Model)
    )
      return null;
    const cls = registered as unknown as { fromConfig?: (c: Record<string, unknown>) => Model } & (new (
      a: Record<string, unknown>,
    ) => Model);
    const camel: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
      camel[fromKerasKey(k)] =
        k === "dtype"
          ? dtypeFromKeras(v, record.class_name)
          : deserializeConfigValue(k, v, customObjects, record.class_name);
    }
    const model = typeof cls.fromConfig === "function" ? cls.fromConfig(camel) : new cls(camel);
    const shape = (record.build_config as { input_shape?: unknown } | undefined)?.input_shape;
    // Build the weights as Keras's build_from_config does, by tracing a call on the saved input shape.
    if (!model.built && Array.isArray(shape)) model.apply(new SymbolicTensor(shape as (number | null)[], "float32"));
    return model;
  }
  if (record.class_name === "Functional" || (record.class_name === "Model" && Array.isArray(config.layers))) {
    return functionalFromConfig({ ...config }, customObjects);
  }
  if (record.class_name === "Sequential") return sequentialFromConfig(config, customObjects);
  return null;
}

setModelSerializer({ serialize: serializeModel, deserialize: deserializeModel });
