// Ops applied to symbolic tensors in functional models: saved as Keras 3's operation records
// (class names, config and call arguments as Keras writes them), loaded back identically.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import * as keras from "../index.js";
import type { Model } from "../models/model.js";
import { loadModel } from "./saving_api.js";
import { readZip } from "./zip_io.js";

const { layers, ops } = keras;
const tmp = mkdtempSync(join(tmpdir(), "keras-ts-op-nodes-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A model whose graph holds many different ops between its layers. */
export function manyOpsModel(): Model<keras.SymbolicTensor[]> {
  const x = keras.Input({ shape: [4, 6], name: "x" });
  const idx = keras.Input({ shape: [3], dtype: "int32", name: "idx" });
  const img = keras.Input({ shape: [6, 6, 2], name: "img" });
  const a = ops.abs(x);
  const r = ops.reshape(a, [-1, 3, 8]);
  const [, right] = ops.split(x, 2, -1);
  const gram = ops.matmul(x, ops.transpose(x, [0, 2, 1]));
  const s = ops.sum(gram, 1, true);
  const soft = ops.softmax(ops.leakyRelu(right, 0.1), -1);
  const clipped = ops.clip(ops.cumsum(x, 1), -0.75, 0.75);
  const w = ops.where(ops.greater(x, 0), ops.square(x), ops.multiply(x, 0.5));
  const e = ops.einsum("bij,bkj->bik", w, clipped);
  const taken = ops.take(x, toTensor([0, 3, 1], "int32"), 1);
  const padded = ops.pad(taken, [
    [0, 0],
    [1, 0],
    [0, 0],
  ]);
  const sl = ops.slice(padded, [0, 1, 2], [2, 2, 3]);
  const conv = ops.conv(
    img,
    ops.reshape(toTensor(Array.from({ length: 36 }, (_, i) => (i % 7) / 7 - 0.4)), [3, 3, 2, 2]),
    {
      padding: "same",
    },
  );
  const pooled = ops.maxPool(conv, 2, 2);
  const flat = ops.reshape(pooled, [-1, 18]);
  const stats = ops.concatenate(
    [
      ops.mean(r, [1, 2], true).reshape([-1, 1]),
      ops.std(x, [1, 2]).reshape([-1, 1]),
      ops.squeeze(ops.expandDims(ops.max(e, [1, 2]), 1), 1).reshape([-1, 1]),
      ops.reshape(s, [-1, 4]),
      ops.reshape(soft, [-1, 12]),
      ops.reshape(sl, [-1, 6]),
      ops.reshape(ops.oneHot(idx, 5), [-1, 15]),
      ops.gelu(flat, false),
      ops.reshape(ops.tile(ops.expandDims(ops.argmax(x, -1), -1), [1, 1, 2]), [-1, 8]).cast("float32"),
    ],
    -1,
  );
  const out = new layers.Dense(3, { name: "head" })(stats);
  return new keras.Model({ inputs: [x, idx, img], outputs: [out, ops.logSoftmax(out, -1)], name: "many_ops" });
}

function inputsFor(): Tensor[] {
  const ramp = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return [
    ops.reshape(toTensor(ramp(48, (i) => Math.sin(i * 1.7) * 1.3)), [2, 4, 6]) as Tensor,
    toTensor(
      [
        [0, 3, 1],
        [2, 2, 0],
      ],
      "int32",
    ),
    ops.reshape(toTensor(ramp(144, (i) => Math.cos(i * 0.37))), [2, 6, 6, 2]) as Tensor,
  ];
}

const bits = (x: unknown) => (x as Tensor[]).map((t) => [...t.data]);

describe("ops on symbolic tensors in .keras files", () => {
  it("a model with many different ops round-trips: same Keras op records, predictions to the bit", async () => {
    const model = manyOpsModel();
    const before = model.predict(inputsFor());
    const path = join(tmp, "many_ops.keras");
    await model.save(path);
    const again = await loadModel(path);
    assert.equal(again.toJSON(), model.toJSON());
    assert.deepEqual(bits(again.predict(inputsFor())), bits(before));
    const config = JSON.parse(new TextDecoder().decode(readZip(readFileSync(path), "x").get("config.json")));
    const opRecords = (config.config.layers as { module: string; class_name: string; config: object }[]).filter((l) =>
      l.module.startsWith("keras.src.ops"),
    );
    const classes = new Set(opRecords.map((l) => `${l.module.split(".").pop()}.${l.class_name}`));
    for (const c of [
      "numpy.Absolute",
      "numpy.Reshape",
      "numpy.Split",
      "numpy.Matmul",
      "numpy.Transpose",
      "numpy.Sum",
      "nn.Softmax",
      "nn.LeakyRelu",
      "numpy.Clip",
      "numpy.Cumsum",
      "numpy.Where",
      "numpy.Einsum",
      "numpy.Take",
      "numpy.Pad",
      "core.Slice",
      "nn.Conv",
      "nn.MaxPool",
      "numpy.Std",
      "numpy.ExpandDims",
      "numpy.Squeeze",
      "nn.Gelu",
      "numpy.Tile",
      "numpy.Argmax",
      "core.Cast",
      "nn.LogSoftmax",
      "nn.OneHot",
    ]) {
      assert.ok(classes.has(c), `${c} among ${[...classes].join(", ")}`);
    }
    // Keras's config and call arguments (as Keras 3.15.1 writes them for the same calls).
    const rec = (cls: string) =>
      opRecords.find((l) => l.class_name === cls) as unknown as {
        config: Record<string, unknown>;
        inbound_nodes: { args: unknown[]; kwargs: Record<string, unknown> }[];
      };
    assert.deepEqual(rec("Reshape").config, { name: "reshape", newshape: [-1, 3, 8] });
    assert.deepEqual(rec("Split").config, { name: "split", indices_or_sections: 2, axis: 2 });
    assert.deepEqual(rec("Transpose").config, { name: "transpose", axes: [0, 2, 1] });
    assert.deepEqual(rec("Sum").config, { name: "sum", axis: 1, keepdims: true });
    assert.deepEqual(rec("Clip").config, { name: "clip", x_min: -0.75, x_max: 0.75 });
    assert.deepEqual(rec("Einsum").config, { name: "einsum", subscripts: "bij,bkj->bik" });
    assert.deepEqual(rec("Slice").config, { name: "slice", shape: [2, 2, 3] });
    assert.deepEqual(rec("Slice").inbound_nodes[0].args[1], [0, 1, 2]);
    assert.deepEqual(rec("Pad").inbound_nodes[0].kwargs, { constant_values: null });
    assert.deepEqual(rec("MaxPool").config, {
      name: "max_pool",
      pool_size: 2,
      strides: 2,
      padding: "valid",
      data_format: "channels_last",
    });
    assert.equal((rec("Conv").inbound_nodes[0].args[1] as { class_name: string }).class_name, "__numpy__");
  });

  it("an op Keras has no operation for is refused by name", async () => {
    const x = keras.Input({ shape: [3] });
    const y = ops.cumsum(x, 1);
    // An internal form no public keras-ts op records on symbolic tensors (a reversed cumsum).
    (y.history as unknown as { node: { attrs: { reverse: boolean } } }).node.attrs.reverse = true;
    const model = new keras.Model({ inputs: x, outputs: y });
    await assert.rejects(
      model.save(join(tmp, "bad.keras")),
      /ops\.cumsum with reverse or exclusive accumulation cannot be saved in a \.keras file/,
    );
  });

  it("Keras's composite ops (Elu, Stack, Moments, ...) load as keras-ts's ops", async () => {
    const json = JSON.stringify({
      module: "keras.src.models.functional",
      class_name: "Functional",
      registered_name: "Functional",
      config: {
        name: "m",
        trainable: true,
        layers: [
          {
            module: "keras.layers",
            class_name: "InputLayer",
            registered_name: null,
            name: "x",
            inbound_nodes: [],
            config: { batch_shape: [null, 3], dtype: "float32", name: "x" },
          },
          ...[
            ["Elu", "nn", { alpha: 0.5 }],
            ["Selu", "nn", {}],
            ["HardSigmoid", "nn", {}],
          ].map(([cls, mod, cfg]) => ({
            module: `keras.src.ops.${mod}`,
            class_name: cls,
            registered_name: cls,
            name: String(cls).toLowerCase(),
            config: { name: String(cls).toLowerCase(), ...(cfg as object) },
            inbound_nodes: [{ args: [tensorRef("x")], kwargs: {} }],
          })),
          {
            module: "keras.src.ops.numpy",
            class_name: "Stack",
            registered_name: "Stack",
            name: "stack",
            config: { name: "stack", axis: 1 },
            inbound_nodes: [{ args: [[tensorRef("elu"), tensorRef("selu"), tensorRef("hardsigmoid")]], kwargs: {} }],
          },
        ],
        input_layers: ["x", 0, 0],
        output_layers: ["stack", 0, 0],
      },
    });
    const model = keras.models.modelFromJson(json);
    const x = toTensor([[-1, 0.5, 2]]);
    const got = model.predict(x) as Tensor;
    const want = ops.stack([ops.elu(x, 0.5), ops.selu(x), ops.hardSigmoid(x)], 1) as Tensor;
    assert.deepEqual(got.shape, [1, 3, 3]);
    assert.deepEqual([...got.data], [...want.data]);
  });
});

function tensorRef(name: string) {
  return {
    class_name: "__keras_tensor__",
    config: { shape: [null, 3], dtype: "float32", keras_history: [name, 0, 0] },
  };
}
