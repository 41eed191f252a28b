import type { SpecShape } from "../backend/shape.js";
import type { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Variable } from "../backend/variable.js";
import type { Layer } from "../layers/layer.js";
import type { LayerHistory, Node } from "../symbolic/node.js";
import { flatten } from "../tree/index.js";
import { opNodeNames } from "../symbolic/op_names.js";

export interface SummaryOptions {
  /** Print nested models' layers too (Keras's expand_nested). */
  expandNested?: boolean;
  /** Where each line goes; `null` prints nothing (the text is still returned). Default: console.log. */
  printFn?: ((line: string) => void) | null;
  lineLength?: number;
}

interface OpNodeLike {
  op: { name: string };
  inputs: unknown[];
  outputs: SymbolicTensor[];
}

type ModelLike = Layer & {
  _graph?: { steps: { kind: string; node: unknown }[]; layers: Layer[] } | null;
};

/** Shapes as Keras prints them: (None, 784). */
function shapeText(shape: SpecShape): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return `(${dims.join(", ")}${dims.length === 1 ? "," : ""})`;
}

function outputShapeText(layer: Layer): string {
  const nodes = layer._inboundNodes;
  let shapes: SpecShape[] = [];
  if (nodes.length > 0) shapes = flatten(nodes[0].outputs).map((t) => t.shape);
  else if (layer._lastOutputShapes) shapes = layer._lastOutputShapes;
  if (shapes.length === 0) return "?";
  return shapes.map(shapeText).join(", ");
}

/** Keras calls a plain Model built from inputs and outputs "Functional". */
function className(layer: Layer): string {
  const name = layer.constructor.name;
  return name === "Model" && (layer as ModelLike)._graph != null ? "Functional" : name;
}

function paramCount(vars: Variable[]): number {
  return vars.reduce((n, v) => n + v.peek().size, 0);
}

function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toFixed(2)} ${units[u]}`;
}

/** How Keras's "Connected to" names a tensor: producer[node][index]. */
function producerName(t: SymbolicTensor, ops: Map<unknown, string>): string {
  const h = t.history as (LayerHistory | { kind: "op"; node: unknown; index: number }) | null;
  if (h?.kind === "op") return `${ops.get(h.node) ?? t.name}[0][${h.index}]`;
  if (h?.kind !== "layer") return t.name;
  const producer = h.node.layer as Layer;
  const nodeIndex = producer._inboundNodes.indexOf(h.node as Node<Layer>);
  return `${producer.name}[${Math.max(nodeIndex, 0)}][${h.index}]`;
}

function connectedTo(layer: Layer, model: ModelLike, ops: Map<unknown, string>): string[] {
  const steps = model._graph?.steps ?? [];
  const nodes = steps.filter((s) => s.kind === "layer" && (s.node as Node).layer === layer).map((s) => s.node as Node);
  const parts = nodes.flatMap((node) => node.inputTensors.map((t) => producerName(t, ops)));
  return parts.length ? parts : ["-"];
}

function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}

/** model.summary(): the layer table as Keras 3 prints it, with total/trainable/non-trainable params. */
export function summary(model: Layer, options: SummaryOptions = {}): string {
  const m = model as ModelLike;
  const functional = m._graph != null;
  const layers = m.layers;
  // As Keras decides: a chain — one input, one output, every layer called once on at most one
  // tensor, and no tensor feeding two steps (no branches).
  const steps = m._graph?.steps ?? [];
  const layerSteps = steps.filter((s) => s.kind === "layer").map((s) => s.node as Node);
  const consumed = new Set<unknown>();
  let branches = false;
  for (const s of steps) {
    const inputs =
      s.kind === "layer"
        ? (s.node as Node).inputTensors
        : (s.node as OpNodeLike).inputs.filter((x) => (x as { isSymbolic?: boolean }).isSymbolic === true);
    for (const t of inputs) {
      if (consumed.has(t)) branches = true;
      consumed.add(t);
    }
  }
  const graphIO = m._graph as unknown as { inputs: unknown[]; outputs: unknown[] } | null;
  const sequentialLike =
    !functional ||
    m.constructor.name === "Sequential" ||
    (!branches &&
      new Set(layerSteps.map((n) => n.layer)).size === layerSteps.length &&
      layerSteps.every((n) => n.inputTensors.length <= 1) &&
      graphIO?.inputs.length === 1 &&
      graphIO?.outputs.length === 1);
  const headers = sequentialLike
    ? ["Layer (type)", "Output Shape", "Param #"]
    : ["Layer (type)", "Output Shape", "Param #", "Connected to"];
  const lineLength = options.lineLength ?? (sequentialLike ? 79 : 107);
  const fractions = sequentialLike ? [0.45, 0.35, 0.2] : [0.3, 0.25, 0.15, 0.3];
  const widths = fractions.map((f) => Math.max(8, Math.floor((lineLength - headers.length - 1) * f) - 2));

  const rows: string[][][] = [];
  const layerRow = (layer: Layer, owner: ModelLike, depth: number, ops: Map<unknown, string>) => {
    const indent = " ".repeat(depth * 2);
    const built = layer.built || layer.weights.length > 0;
    const params = built ? paramCount(layer.weights).toLocaleString("en-US") : "0 (unbuilt)";
    const cells = [
      wrap(`${indent}${layer.name} (${className(layer)})`, widths[0]),
      wrap(outputShapeText(layer), widths[1]),
      [params],
    ];
    if (!sequentialLike) cells.push(connectedTo(layer, owner, ops).flatMap((c) => wrap(c, widths[3])));
    rows.push(cells);
    const inner = layer as ModelLike;
    if (options.expandNested && inner._graph != null && inner !== owner && inner.layers.length > 0) {
      addRows(inner, depth + 1);
    }
  };
  // A functional model lists its layers and its op nodes (ops on symbolic tensors) in graph order.
  const addRows = (owner: ModelLike, depth: number) => {
    const ops = opNodeNames<unknown & { op: { name: string } }>(owner._graph?.steps ?? []) as Map<unknown, string>;
    const listed = new Set<Layer>();
    const ownerLayers = owner === m ? layers : owner.layers;
    const graph = owner._graph;
    if (!graph || owner.constructor.name === "Sequential") {
      for (const l of ownerLayers) layerRow(l, owner, depth, ops);
      return;
    }
    for (const l of graph.layers) {
      if (l.constructor.name !== "InputLayer") continue;
      listed.add(l);
      layerRow(l, owner, depth, ops);
    }
    for (const step of graph.steps) {
      if (step.kind === "layer") {
        const l = (step.node as Node).layer as Layer;
        if (listed.has(l)) continue;
        listed.add(l);
        layerRow(l, owner, depth, ops);
      } else {
        const node = step.node as OpNodeLike;
        const name = ops.get(node) as string;
        const cells = [
          wrap(`${" ".repeat(depth * 2)}${name} (${node.op.name[0].toUpperCase()}${node.op.name.slice(1)})`, widths[0]),
          wrap(node.outputs.map((t) => shapeText(t.shape)).join(", "), widths[1]),
          ["0"],
        ];
        if (!sequentialLike) {
          const inputs = node.inputs.filter(
            (x): x is SymbolicTensor => (x as { isSymbolic?: boolean }).isSymbolic === true,
          );
          cells.push(inputs.map((t) => producerName(t, ops)).flatMap((c) => wrap(c, widths[3])));
        }
        rows.push(cells);
      }
    }
    for (const l of ownerLayers) if (!listed.has(l)) layerRow(l, owner, depth, ops);
  };
  addRows(m, 0);

  const pad = (s: string, w: number, right: boolean) => (right ? s.padStart(w) : s.padEnd(w));
  const line = (l: string, mid: string, r: string, fill: string) =>
    l + widths.map((w) => fill.repeat(w + 2)).join(mid) + r;
  const rowLines = (cells: string[][], sep: string) => {
    const height = Math.max(...cells.map((c) => c.length));
    const out: string[] = [];
    for (let i = 0; i < height; i++) {
      out.push(sep + cells.map((c, j) => ` ${pad(c[i] ?? "", widths[j], j === 2)} `).join(sep) + sep);
    }
    return out;
  };

  const lines: string[] = [];
  lines.push(`Model: "${model.name}"`);
  lines.push(line("┏", "┳", "┓", "━"));
  lines.push(
    ...rowLines(
      headers.map((h) => [h]),
      "┃",
    ),
  );
  lines.push(line("┡", "╇", "┩", "━"));
  rows.forEach((cells, i) => {
    if (i > 0) lines.push(line("├", "┼", "┤", "─"));
    lines.push(...rowLines(cells, "│"));
  });
  lines.push(line("└", "┴", "┘", "─"));
  const weights = model.weights;
  const trainable = paramCount(model.trainableWeights);
  const total = paramCount(weights);
  const bytes = (n: number) => formatBytes(n * 4);
  lines.push(` Total params: ${total.toLocaleString("en-US")} (${bytes(total)})`);
  lines.push(` Trainable params: ${trainable.toLocaleString("en-US")} (${bytes(trainable)})`);
  lines.push(` Non-trainable params: ${(total - trainable).toLocaleString("en-US")} (${bytes(total - trainable)})`);
  const text = lines.join("\n");
  const print = options.printFn === undefined ? console.log : options.printFn;
  if (print) for (const l of lines) print(l);
  return text;
}
