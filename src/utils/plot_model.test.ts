import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Concatenate } from "../layers/merging/concatenate.js";
import { Input } from "../layers/core/input_layer.js";
import { Dense } from "../layers/core/dense.js";
import type { CallOptions } from "../layers/layer.js";
import { Model } from "../models/model.js";
import { Sequential } from "../models/sequential.js";
import * as ops from "../ops/index.js";
import type { AnyTensor } from "../ops/types.js";
import type { Nested } from "../tree/index.js";
import { modelToDot, plotModel } from "./plot_model.js";
import { checkWellFormedXml } from "./xml_check.js";

const dir = mkdtempSync(join(tmpdir(), "keras-ts-plot-model-"));

/** Boxes of a DOT text: node id -> "name (Class)" (or the class alone without layer names). */
function boxes(dot: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of dot.matchAll(/^\s*(n\d+) \[label=<<table.*?<b>(.*?)<\/b>(?:&#160;\((.*?)\))?/gm)) {
    out.set(m[1], m[3] === undefined ? m[2] : `${m[2]} (${m[3]})`);
  }
  return out;
}

/** Edges of a DOT text as "from name -> to name" (layer names), sorted. */
function edges(dot: string): string[] {
  const names = boxes(dot);
  const name = (id: string) => (names.get(id) as string).split(" ")[0];
  return [...dot.matchAll(/^\s*(n\d+) -> (n\d+) \[penwidth=2\];$/gm)].map((m) => `${name(m[1])}->${name(m[2])}`).sort();
}

/** Two inputs through one shared Dense, an op on symbolic tensors, a merge, and a nested model. */
function sharedModel() {
  const left = Input({ shape: [8], name: "left" });
  const right = Input({ shape: [8], name: "right" });
  const shared = new Dense(4, { activation: "relu", name: "shared_dense" });
  const a = shared.apply(left) as SymbolicTensor;
  const b = shared.apply(right) as SymbolicTensor;
  const sum = ops.add(a, b);
  const merged = new Concatenate({ name: "cat" }).apply([sum, b]) as SymbolicTensor;
  const innerIn = Input({ shape: [4], name: "inner_in" });
  const inner = new Model({
    inputs: innerIn,
    outputs: new Dense(2, { name: "inner_dense" }).apply(innerIn) as SymbolicTensor,
    name: "inner",
  });
  const projected = new Dense(4, { name: "proj" }).apply(merged) as SymbolicTensor;
  const head = new Dense(1, { name: "head" }).apply(inner.apply(projected) as SymbolicTensor) as SymbolicTensor;
  return new Model({ inputs: [left, right], outputs: head, name: "outer" });
}

describe("modelToDot", () => {
  it("draws every layer and op as 'name (Class)' with an edge from each input's producer", () => {
    const dot = modelToDot(sharedModel());
    assert.deepEqual(
      [...boxes(dot).values()],
      [
        "left (InputLayer)",
        "right (InputLayer)",
        "shared_dense (Dense)",
        "add (Add)",
        "cat (Concatenate)",
        "proj (Dense)",
        "inner (Functional)",
        "head (Dense)",
      ],
    );
    assert.deepEqual(
      edges(dot),
      [
        "add->cat",
        "inner->head",
        "left->shared_dense",
        "proj->inner",
        "right->shared_dense",
        "shared_dense->add",
        "shared_dense->cat",
        "cat->proj",
      ].sort(),
    );
    // The shared layer: two inbound edges, one per call.
    assert.equal(edges(dot).filter((e) => e.endsWith("->shared_dense")).length, 2);
    // Keras's graph attributes.
    for (const attr of ["rankdir=TB;", "concentrate=true;", "dpi=200;", "splines=ortho;", "node [shape=record];"])
      assert.ok(dot.includes(attr), attr);
    assert.ok(!dot.includes("inner_dense"), "a nested model is one box unless expandNested");
    assert.ok(!dot.includes("Output shape"));
  });

  it("expandNested draws a nested model as a dashed cluster, edges going to its input and from its output layer", () => {
    const dot = modelToDot(sharedModel(), { expandNested: true });
    const cluster = /subgraph "cluster_inner" \{\n([\s\S]*?)\n {2}\}/.exec(dot);
    assert.ok(cluster, dot);
    assert.match(cluster[1], /style=dashed;/);
    assert.match(cluster[1], /label="inner";/);
    assert.deepEqual([...boxes(cluster[1]).values()], ["inner_in (InputLayer)", "inner_dense (Dense)"]);
    assert.ok(!dot.includes("(Functional)"));
    const e = edges(dot);
    assert.ok(e.includes("proj->inner_in"), e.join(" "));
    assert.ok(e.includes("inner_in->inner_dense"), e.join(" "));
    assert.ok(e.includes("inner_dense->head"), e.join(" "));
    assert.ok(
      e.every((x) => !x.split("->").includes("inner")),
      "no edge to or from the nested model's own box",
    );
  });

  it("a Sequential shows its layers without the InputLayer, chained; nested and expanded, edges enter its first layer", () => {
    const seq = new Sequential([Input({ shape: [3] }), new Dense(5, { name: "s1" }), new Dense(2, { name: "s2" })], {
      name: "stack",
    });
    const dot = modelToDot(seq);
    assert.deepEqual([...boxes(dot).values()], ["s1 (Dense)", "s2 (Dense)"]);
    assert.deepEqual(edges(dot), ["s1->s2"]);

    const x = Input({ shape: [3], name: "x" });
    const outer = new Model({
      inputs: x,
      outputs: new Dense(1, { name: "out" }).apply(seq.apply(x) as SymbolicTensor) as SymbolicTensor,
    });
    assert.deepEqual(edges(modelToDot(outer)), ["stack->out", "x->stack"]);
    const expanded = modelToDot(outer, { expandNested: true });
    assert.match(expanded, /subgraph "cluster_stack"/);
    assert.deepEqual(edges(expanded), ["s1->s2", "s2->out", "x->s1"]);
  });

  it("showShapes puts Keras's input/output shape cells in the labels (none for an InputLayer's input)", () => {
    const dot = modelToDot(sharedModel(), { showShapes: true });
    const label = (name: string) => (dot.split("\n").find((l) => l.includes(`<b>${name}</b>`)) as string) ?? "";
    assert.match(label("shared_dense"), /Input shape: <b>\(None, 8\)<\/b>.*Output shape: <b>\(None, 4\)<\/b>/);
    assert.match(label("cat"), /Input shape: <b>\[\(None, 4\), \(None, 4\)\]<\/b>.*Output shape: <b>\(None, 8\)<\/b>/);
    assert.match(label("add"), /Input shape: <b>\[\(None, 4\), \(None, 4\)\]<\/b>/);
    assert.match(label("inner"), /Input shape: <b>\(None, 4\)<\/b>.*Output shape: <b>\(None, 2\)<\/b>/);
    assert.match(label("left"), /Output shape: <b>\(None, 8\)<\/b>/);
    assert.doesNotMatch(label("left"), /Input shape/);
    assert.match(label("left"), /colspan="2"/);
  });

  it("showDtype, showTrainable, showLayerActivations and showLayerNames as Keras labels them", () => {
    const model = sharedModel();
    model.getLayer("proj").trainable = false;
    const dot = modelToDot(model, { showDtype: true, showTrainable: true, showLayerActivations: true });
    const label = (name: string) => dot.split("\n").find((l) => l.includes(`<b>${name}</b>`)) as string;
    assert.match(label("shared_dense"), /Activation: <b>relu<\/b>/);
    assert.match(label("shared_dense"), /Output dtype: <b>float32<\/b>/);
    assert.match(label("shared_dense"), /<b>Trainable<\/b>/);
    assert.match(label("proj"), /<b>Non-trainable<\/b>/);
    assert.doesNotMatch(label("cat"), /Trainable|Activation/, "no weights, no activation");
    assert.match(label("shared_dense"), /colspan="2"/);

    const noNames = modelToDot(model, { showLayerNames: false });
    assert.deepEqual([...boxes(noNames).values()].slice(0, 4), ["InputLayer", "InputLayer", "Dense", "Add"]);
    assert.ok(!noNames.includes("shared_dense"));
    assert.match(
      modelToDot(model, { rankdir: "LR", dpi: 96, splines: "line" }),
      /rankdir=LR;\n {2}concentrate=true;\n {2}dpi=96;\n {2}splines=line;/,
    );
  });

  it("escapes names for the HTML labels", () => {
    const x = Input({ shape: [2], name: "a<b>&c" });
    const dot = modelToDot(new Model({ inputs: x, outputs: new Dense(1).apply(x) as SymbolicTensor }));
    assert.ok(dot.includes("<b>a&lt;b&gt;&amp;c</b>"));
  });

  it("a subclassed model is one box; an unbuilt one is an error", () => {
    class Sub extends Model {
      dense = new Dense(2);
      override call(x: Nested<AnyTensor>, _options: CallOptions): AnyTensor {
        return this.dense.apply(x as AnyTensor) as SymbolicTensor;
      }
    }
    const sub = new Sub({ name: "sub" });
    assert.throws(() => modelToDot(sub), /modelToDot: model 'sub' has not yet been built/);
    sub.apply(ops.convertToTensor([[1, 2, 3]]));
    assert.deepEqual([...boxes(modelToDot(sub)).values()], ["sub (Sub)"]);
    assert.throws(
      () => modelToDot(new Sequential([new Dense(1)], { name: "empty" })),
      /model 'empty' has not yet been built/,
    );
  });

  it("rejects unknown options with errors that name them", () => {
    const model = sharedModel();
    assert.throws(
      () => modelToDot(model, { rankdir: "XY" as "TB" }),
      /modelToDot: rankdir must be one of TB, LR, BT, RL, received 'XY'/,
    );
    assert.throws(() => modelToDot(model, { dpi: -1 }), /modelToDot: dpi must be a positive number, received -1/);
  });
});

describe("plotModel", () => {
  it("writes SVG: well-formed, laid out by Graphviz, with every layer's name", async () => {
    const file = join(dir, "model.svg");
    const result = await plotModel(sharedModel(), { toFile: file, showShapes: true, showLayerNames: true });
    const svg = readFileSync(file, "utf8");
    assert.equal(svg, result.svg);
    assert.equal(checkWellFormedXml(svg), "svg");
    for (const name of ["left", "right", "shared_dense", "add", "cat", "proj", "inner", "head"])
      assert.ok(svg.includes(`>${name}</text>`), name);
    assert.ok(svg.includes("(None, 8)"));
    // One graphviz node group per box, one edge group per edge.
    assert.equal((svg.match(/class="node"/g) ?? []).length, 8);
    assert.equal((svg.match(/class="edge"/g) ?? []).length, 8);
    assert.match(result.dot, /^digraph G \{/);
  });

  it("hides layer names by default, as Keras's plot_model", async () => {
    const { svg } = await plotModel(sharedModel(), { toFile: null });
    assert.ok(!svg.includes("shared_dense"));
    assert.ok(svg.includes(">Dense</text>"));
  });

  it("writes PNG with the PNG signature, at Graphviz's size for the dpi", async () => {
    const file = join(dir, "model.png");
    const { png, svg } = await plotModel(sharedModel(), {
      toFile: file,
      showShapes: true,
      showLayerNames: true,
      dpi: 100,
    });
    const bytes = readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual(new Uint8Array(bytes), png);
    const width = bytes.readUInt32BE(16);
    const height = bytes.readUInt32BE(20);
    const [, w, h] = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg) as RegExpExecArray;
    assert.equal(width, Math.round(Number(w)));
    assert.ok(Math.abs(height - Number(h)) <= 1, `${height} vs ${h}`);
    assert.ok(width > 300 && height > 600, `${width}x${height}`);
  });

  it("writes DOT, and names the formats it supports", async () => {
    const file = join(dir, "model.dot");
    const { dot } = await plotModel(sharedModel(), { toFile: file });
    assert.equal(readFileSync(file, "utf8"), dot);
    await assert.rejects(
      plotModel(sharedModel(), { toFile: join(dir, "m.pdf") }),
      /plotModel: cannot write '.*m\.pdf': the format '\.pdf' is not supported\. Use \.png, \.svg or \.dot\./,
    );
  });
});
