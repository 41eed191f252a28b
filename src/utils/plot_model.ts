/**
 * keras.utils.modelToDot / plotModel (Keras 3's model_visualization.py): the model as a Graphviz DOT
 * graph with Keras's HTML-like labels, laid out by @viz-js/viz (Graphviz compiled to WebAssembly, so
 * no system Graphviz is needed) into SVG, and rasterized to PNG where asked.
 */
import { opNodeNames } from "../symbolic/op_names.js";
import type { SpecShape } from "../backend/shape.js";
import type { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Layer } from "../layers/layer.js";
import type { Graph } from "../models/graph.js";
import type { OpHistory, OpNode } from "../ops/registry.js";
import type { LayerHistory, Node } from "../symbolic/node.js";
import * as activations from "../activations/index.js";
import { plotFormat, svgToPng, writeOutput } from "./rasterize.js";

export interface ModelToDotOptions {
  /** Input and output shapes in each box. Default false. */
  showShapes?: boolean;
  /** Output dtypes in each box. Default false. */
  showDtype?: boolean;
  /** Layer names beside the class names. Default true for modelToDot, false for plotModel (as Keras). */
  showLayerNames?: boolean;
  /** Graphviz rankdir: "TB" (vertical) or "LR" (horizontal). Default "TB". */
  rankdir?: "TB" | "LR" | "BT" | "RL";
  /** Draw nested functional and Sequential models as clusters of their layers. Default false. */
  expandNested?: boolean;
  /** Image resolution in dots per inch. Default 200. */
  dpi?: number;
  /** The activation of layers that have one. Default false. */
  showLayerActivations?: boolean;
  /** Trainable / Non-trainable for layers with weights. Default false. */
  showTrainable?: boolean;
  /** How edges are drawn: "ortho" (right angles, Keras's default), "curved", "polyline", "spline", "line". */
  splines?: "ortho" | "curved" | "polyline" | "spline" | "line" | "true" | "false" | "none";
}

export interface PlotModelOptions extends ModelToDotOptions {
  /** Where to write: .png (default "model.png"), .svg or .dot; null writes nothing. */
  toFile?: string | null;
}

export interface PlotModelResult {
  /** The DOT source Graphviz laid out. */
  dot: string;
  /** The laid-out graph as an SVG document. */
  svg: string;
  /** The PNG bytes, when toFile ends in .png. */
  png?: Uint8Array;
}

type LayerWithGraph = Layer & { _graph?: Graph | null; _stack?: Layer[] };
type Producer = Layer | OpNode;

/**
 * Keras uses Helvetica, measured by the system's Graphviz with the installed fonts. Graphviz in
 * WebAssembly sees no fonts and sizes text from built-in metric tables; DejaVu Sans is in them and is
 * wider than most sans fonts, so labels fit their boxes in whatever sans font draws them.
 */
const FONT = "DejaVu Sans";
const RANKDIRS = ["TB", "LR", "BT", "RL"];
const SPLINES = ["ortho", "curved", "polyline", "spline", "line", "true", "false", "none"];

function graphOf(layer: Layer): Graph | null {
  return (layer as LayerWithGraph)._graph ?? null;
}

function isSequential(layer: Layer): boolean {
  return Array.isArray((layer as LayerWithGraph)._stack);
}

/** Keras calls a plain Model built from inputs and outputs "Functional". */
function className(layer: Layer): string {
  const name = layer.constructor.name;
  return name === "Model" && graphOf(layer) !== null ? "Functional" : name;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function quoteId(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Python's repr of a shape tuple: (None, 784), (None,), (). */
function pyShape(shape: SpecShape): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return `(${dims.join(", ")}${dims.length === 1 ? "," : ""})`;
}

/** As Keras's layer.input / layer.output: one tensor alone, several as a list. */
function formatShapes(tensors: readonly SymbolicTensor[] | null): string {
  if (!tensors || tensors.length === 0) return "?";
  if (tensors.length === 1) return pyShape(tensors[0].shape);
  return `[${tensors.map((t) => pyShape(t.shape)).join(", ")}]`;
}

function formatDtypes(tensors: readonly SymbolicTensor[] | null): string {
  if (!tensors || tensors.length === 0) return "?";
  if (tensors.length === 1) return tensors[0].dtype;
  return `[${tensors.map((t) => `'${t.dtype}'`).join(", ")}]`;
}

function symbolicInputs(node: OpNode): SymbolicTensor[] {
  return node.inputs.filter((x) => (x as { isSymbolic?: boolean }).isSymbolic === true) as SymbolicTensor[];
}

function activationName(layer: Layer): string | null {
  const fn = (layer as { activation?: unknown }).activation;
  if (typeof fn !== "function") return null;
  try {
    const s = activations.serialize(fn as activations.Activation);
    return typeof s === "string" ? s : fn.name || String(s.config);
  } catch {
    return fn.name || "function";
  }
}

interface Box {
  name: string;
  className: string;
  inputs: readonly SymbolicTensor[] | null;
  outputs: readonly SymbolicTensor[] | null;
  activation: string | null;
  /** null when the box has no weights (Keras shows trainability only for layers with weights). */
  trainable: boolean | null;
}

interface Flags {
  showShapes: boolean;
  showDtype: boolean;
  showLayerNames: boolean;
  showLayerActivations: boolean;
  showTrainable: boolean;
}

/** Keras's make_layer_label: a black title row, then white cells for shapes, dtype and trainability. */
function makeLabel(box: Box, f: Flags): string {
  let table = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">';
  let colspan = Number(f.showDtype) + Number(f.showTrainable) + (f.showShapes ? 2 : 0);
  colspan = Math.max(1, colspan);
  // &#160; keeps the space between the bold name and the class when the SVG is drawn.
  const title = f.showLayerNames
    ? `<b>${escapeHtml(box.name)}</b>&#160;(${escapeHtml(box.className)})`
    : `<b>${escapeHtml(box.className)}</b>`;
  table += `<tr><td colspan="${colspan}" bgcolor="black"><font point-size="16" color="white">${title}</font></td></tr>`;
  if (f.showLayerActivations && box.activation !== null) {
    table +=
      `<tr><td bgcolor="white" colspan="${colspan}"><font point-size="14">` +
      `Activation: <b>${escapeHtml(box.activation)}</b></font></td></tr>`;
  }
  const cols: string[] = [];
  const cell = (text: string, value: string) =>
    `<td bgcolor="white"><font point-size="14">${text}: <b>${escapeHtml(value)}</b></font></td>`;
  if (f.showShapes) {
    if (box.className !== "InputLayer") cols.push(cell("Input shape", formatShapes(box.inputs)));
    cols.push(cell("Output shape", formatShapes(box.outputs)));
  }
  if (f.showDtype) cols.push(cell("Output dtype", formatDtypes(box.outputs)));
  if (f.showTrainable && box.trainable !== null) {
    cols.push(
      box.trainable
        ? '<td bgcolor="forestgreen"><font point-size="14" color="white"><b>Trainable</b></font></td>'
        : '<td bgcolor="firebrick"><font point-size="14" color="white"><b>Non-trainable</b></font></td>',
    );
  }
  if (cols.length) table += `<tr>${cols.join("")}</tr>`;
  return `${table}</table>>`;
}

/** Op nodes named as Keras names operations and as summary() lists them: add, add_1, ... */
/** Builds the DOT text; node ids are stable per object across nested models. */
class DotWriter {
  private readonly ids = new Map<object, string>();
  private readonly edges = new Set<string>();

  constructor(
    private readonly flags: Flags,
    private readonly expandNested: boolean,
  ) {}

  id(obj: object): string {
    let id = this.ids.get(obj);
    if (id === undefined) {
      id = `n${this.ids.size}`;
      this.ids.set(obj, id);
    }
    return id;
  }

  nodeLine(obj: object, box: Box): string {
    return `${this.id(obj)} [label=${makeLabel(box, this.flags)}, fontname=${quoteId(FONT)}, border=0, margin=0];`;
  }

  /** One edge per (source, destination) pair, as Keras's add_edge. */
  edgeLine(src: object, dst: object): string | null {
    const key = `${this.id(src)}->${this.id(dst)}`;
    if (this.edges.has(key)) return null;
    this.edges.add(key);
    return `${this.id(src)} -> ${this.id(dst)} [penwidth=2];`;
  }

  layerBox(layer: Layer, graph: Graph | null): Box {
    // The layer's first call in this model (a shared layer: its first use here), as Keras's layer.input.
    let node: Node<Layer> | undefined;
    for (const s of graph?.steps ?? []) {
      if (s.kind === "layer" && s.node.layer === layer) {
        node = s.node;
        break;
      }
    }
    node ??= layer._inboundNodes[0];
    return {
      name: layer.name,
      className: className(layer),
      inputs: node ? node.inputTensors : null,
      outputs: node ? node.outputTensors : null,
      activation: activationName(layer),
      trainable: layer.weights.length > 0 ? layer.trainable : null,
    };
  }

  opBox(node: OpNode, name: string): Box {
    const cls = node.op.name.charAt(0).toUpperCase() + node.op.name.slice(1);
    return {
      name,
      className: cls,
      inputs: symbolicInputs(node),
      outputs: node.outputs,
      activation: null,
      trainable: null,
    };
  }

  /** The statements of one model (Keras's model_to_dot body); nested models recurse as clusters. */
  modelBody(model: Layer, depth: number): string[] {
    const graph = graphOf(model);
    const lines: string[] = [];
    if (graph === null) {
      // Subclassed models are one box, as in Keras.
      lines.push(this.nodeLine(model, this.layerBox(model, null)));
      return lines;
    }
    const sequential = isSequential(model);
    const ops = opNodeNames<OpNode>(graph.steps);
    // Boxes: Sequential shows its layers without the InputLayer; a functional model its inputs, then
    // every layer once and every op node, in execution order.
    const items: (Layer | OpNode)[] = [];
    const seen = new Set<Layer>();
    const addLayer = (l: Layer) => {
      if (seen.has(l)) return;
      seen.add(l);
      if (!(sequential && l.constructor.name === "InputLayer")) items.push(l);
    };
    for (const x of graph.inputs) addLayer((x.history as LayerHistory).node.layer as Layer);
    for (const s of graph.steps) {
      if (s.kind === "layer") addLayer(s.node.layer);
      else items.push(s.node);
    }
    for (const item of items) {
      if (isOpNode(item)) {
        lines.push(this.nodeLine(item, this.opBox(item, ops.get(item) as string)));
      } else if (this.expandNested && graphOf(item) !== null && item !== model) {
        lines.push(...this.cluster(item, depth + 1));
      } else {
        lines.push(this.nodeLine(item, this.layerBox(item, graph)));
      }
    }
    // Edges: from the producer of every input of every call in this model.
    for (const s of graph.steps) {
      const dst: Producer = s.kind === "layer" ? s.node.layer : s.node;
      const inputs = s.kind === "layer" ? s.node.inputTensors : symbolicInputs(s.node);
      inputs.forEach((t, inputIndex) => {
        const from = producerOf(t);
        if (!from) return;
        let [source, outputIndex] = from;
        // A Sequential draws no InputLayer box, so nothing comes from it.
        if (sequential && !isOpNode(source) && source.constructor.name === "InputLayer") return;
        let destination: Producer = dst;
        if (this.expandNested) {
          // Into an expanded model: from the box that makes its output, to the box that takes its input.
          while (!isOpNode(source) && graphOf(source) !== null) {
            const inner = producerOf((graphOf(source) as Graph).outputs[outputIndex]);
            if (!inner) break;
            [source, outputIndex] = inner;
          }
          while (!isOpNode(destination) && graphOf(destination) !== null) {
            const g = graphOf(destination) as Graph;
            const next: Producer | undefined = isSequential(destination)
              ? (destination as LayerWithGraph).layers[0]
              : producerOf(g.inputs[inputIndex])?.[0];
            if (!next) break;
            destination = next;
          }
        }
        const line = this.edgeLine(source, destination);
        if (line) lines.push(line);
      });
    }
    return lines;
  }

  cluster(model: Layer, depth: number): string[] {
    const body = this.modelBody(model, depth).map((l) => `  ${l}`);
    return [
      `subgraph ${quoteId(`cluster_${model.name}`)} {`,
      `  style=dashed;`,
      `  label=${quoteId(model.name)};`,
      `  labeljust=l;`,
      ...body,
      "}",
    ];
  }
}

function isOpNode(x: unknown): x is OpNode {
  return typeof x === "object" && x !== null && "op" in x && "attrs" in x;
}

/** The layer or op node that made a tensor, and which of its outputs the tensor is. */
function producerOf(t: SymbolicTensor | undefined): [Producer, number] | null {
  const h = t?.history;
  if (h?.kind === "layer") return [(h as LayerHistory).node.layer as Layer, (h as LayerHistory).index];
  if (h?.kind === "op") return [(h as OpHistory).node, (h as OpHistory).index];
  return null;
}

function resolveOptions(caller: string, o: ModelToDotOptions, namesDefault: boolean) {
  const rankdir = o.rankdir ?? "TB";
  if (!RANKDIRS.includes(rankdir))
    throw new Error(`${caller}: rankdir must be one of ${RANKDIRS.join(", ")}, received '${rankdir}'.`);
  const splines = o.splines ?? "ortho";
  if (!SPLINES.includes(splines))
    throw new Error(`${caller}: splines must be one of ${SPLINES.join(", ")}, received '${splines}'.`);
  const dpi = o.dpi ?? 200;
  if (!(typeof dpi === "number" && Number.isFinite(dpi) && dpi > 0))
    throw new Error(`${caller}: dpi must be a positive number, received ${String(dpi)}.`);
  const flags: Flags = {
    showShapes: o.showShapes ?? false,
    showDtype: o.showDtype ?? false,
    showLayerNames: o.showLayerNames ?? namesDefault,
    showLayerActivations: o.showLayerActivations ?? false,
    showTrainable: o.showTrainable ?? false,
  };
  return { rankdir, splines, dpi, flags, expandNested: o.expandNested ?? false };
}

function dotFor(model: Layer, options: ModelToDotOptions, caller: string, namesDefault: boolean): string {
  const o = resolveOptions(caller, options, namesDefault);
  if (!model.built && graphOf(model) === null) {
    throw new Error(
      `${caller}: model '${model.name}' has not yet been built. Build the model first by calling build() or by calling the model on a batch of data (a Sequential model: give its first layer an input shape or add a keras.Input).`,
    );
  }
  const writer = new DotWriter(o.flags, o.expandNested);
  const body = writer.modelBody(model, 0).map((l) => `  ${l}`);
  return [
    "digraph G {",
    `  rankdir=${o.rankdir};`,
    "  concentrate=true;",
    `  dpi=${o.dpi};`,
    `  splines=${o.splines};`,
    "  node [shape=record];",
    ...body,
    "}",
    "",
  ].join("\n");
}

/**
 * The model as Graphviz DOT text (Keras's `keras.utils.model_to_dot`): one box per layer and per op
 * on symbolic tensors, labelled "name (ClassName)", an edge from the producer of every input of every
 * call (a shared layer gets one edge per distinct producer), nested models as one box or, with
 * `expandNested`, as a dashed cluster of their own boxes.
 */
export function modelToDot(model: Layer, options: ModelToDotOptions = {}): string {
  return dotFor(model, options, "modelToDot", true);
}

type VizModule = typeof import("@viz-js/viz");
let viz: Promise<Awaited<ReturnType<VizModule["instance"]>>> | null = null;

async function layout(dot: string, caller: string): Promise<string> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  let instance: Awaited<typeof viz>;
  try {
    instance = await viz;
  } catch (e) {
    viz = null;
    throw new Error(
      `${caller}: laying out the graph needs the npm package @viz-js/viz, which could not be loaded (${(e as Error).message}). Install it (npm install @viz-js/viz) or write .dot instead.`,
    );
  }
  const result = instance.render(dot, { format: "svg" });
  if (result.status !== "success") {
    const msgs = result.errors.map((e) => e.message).join("; ");
    throw new Error(`${caller}: Graphviz could not lay out the model's graph: ${msgs}`);
  }
  return withFontFallbacks(result.output);
}

/**
 * Graphviz writes one family without fallbacks; viewers (and resvg, for the PNG) then fall back to
 * serif. Name sans fonts common on Linux, macOS and Windows; DejaVu Sans is among the widest, so any
 * of them fits the boxes.
 */
function withFontFallbacks(svg: string): string {
  return svg.replace(
    /font-family="[^"]*"/g,
    `font-family="${FONT},Verdana,Helvetica,Arial,Liberation Sans,sans-serif"`,
  );
}

/** The SVG's size in points (with Graphviz's dpi applied, the pixel size of Graphviz's own PNG). */
function svgWidth(svg: string): number | undefined {
  const m = /<svg[^>]*\swidth="([\d.]+)pt"/.exec(svg);
  return m ? Number(m[1]) : undefined;
}

/**
 * Draws the model (Keras's `keras.utils.plot_model`) and writes it to `toFile`: `.png` (the default,
 * "model.png"), `.svg` or `.dot`. Graphviz runs as WebAssembly (@viz-js/viz), so nothing needs to be
 * installed on the system; PNG goes through @resvg/resvg-js. Returns the DOT and SVG text (and the
 * PNG bytes). Asynchronous because the WebAssembly module loads asynchronously.
 */
export async function plotModel(model: Layer, options: PlotModelOptions = {}): Promise<PlotModelResult> {
  const caller = "plotModel";
  const toFile = options.toFile === undefined ? "model.png" : options.toFile;
  const format = toFile === null ? null : plotFormat(toFile);
  if (format !== null && !["png", "svg", "dot", "gv"].includes(format)) {
    throw new Error(
      `${caller}: cannot write '${toFile}': the format '.${format}' is not supported. Use .png, .svg or .dot.`,
    );
  }
  const dot = dotFor(model, options, caller, false);
  const svg = await layout(dot, caller);
  const result: PlotModelResult = { dot, svg };
  if (toFile === null) return result;
  if (format === "png") {
    result.png = await svgToPng(svg, { width: svgWidth(svg), caller });
    writeOutput(toFile, result.png, caller);
  } else {
    writeOutput(toFile, format === "svg" ? svg : dot, caller);
  }
  return result;
}
