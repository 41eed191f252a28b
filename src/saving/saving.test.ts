import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { toTensor } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import * as keras from "../index.js";
import type { Model } from "../models/model.js";
import { readH5 } from "./h5_io.js";
import { modelFromJson, registerKerasSerializable } from "./index.js";
import { loadModel } from "./saving_api.js";
import { readZip, writeZip } from "./zip_io.js";

const { layers, ops } = keras;
const here = fileURLToPath(new URL(".", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "keras-ts-saving-api-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const X = toTensor([
  [0.5, -1, 2, 0.25],
  [-0.75, 0.1, -2, 1.5],
]);

function data(t: unknown): number[] {
  return [...(t as Tensor).data];
}

/** A functional model with ops on symbolic tensors, a shared layer and a nested model. */
function opsSharedNested(): Model {
  const inp = keras.Input({ shape: [4], name: "x" });
  const shared = new layers.Dense(3, { name: "shared" });
  const a = shared(inp);
  const c = shared(ops.abs(inp));
  const e = ops.multiply(ops.add(a, c), 2);
  const f = ops.concatenate([a, e], -1);
  const innerIn = keras.Input({ shape: [6] });
  const inner = new keras.Model({
    inputs: innerIn,
    outputs: new layers.Dense(2, { activation: "tanh", name: "inner_dense" })(innerIn),
    name: "inner",
  });
  return new keras.Model({ inputs: inp, outputs: new layers.Dense(1, { name: "head" })(inner(f)), name: "outer" });
}

describe("round trips inside keras-ts", () => {
  it("functional model with ops, a shared layer and a nested model: same predictions to the bit, same config", async () => {
    const model = opsSharedNested();
    const path = join(tmp, "outer.keras");
    await model.save(path);
    const again = await loadModel(path);
    assert.deepEqual(data(again.predict(X)), data(model.predict(X)));
    assert.equal(again.toJSON(), model.toJSON());
    const config = JSON.parse(model.toJSON());
    assert.equal(config.class_name, "Functional");
    const names = config.config.layers.map((l: { class_name: string; name: string }) => `${l.class_name}:${l.name}`);
    // Keras's operation order (by depth) and op records named like Keras's auto names.
    assert.deepEqual(names, [
      "InputLayer:x",
      "Absolute:absolute",
      "Dense:shared",
      "Add:add",
      "Multiply:multiply",
      "Concatenate:concatenate",
      "Functional:inner",
      "Dense:head",
    ]);
    const shared = config.config.layers[2];
    assert.deepEqual(
      shared.inbound_nodes.map(
        (n: { args: { config: { keras_history: unknown } }[] }) => n.args[0].config.keras_history,
      ),
      [
        ["x", 0, 0],
        ["absolute", 0, 0],
      ],
    );
    assert.deepEqual(config.config.layers[4].inbound_nodes[0].args[1], 2);
    const h5 = await readH5(readZip(readFileSync(path), "x").get("model.weights.h5") as Uint8Array, "x");
    // HDF5 lists groups alphabetically; the names come from Keras's walk of model.layers.
    assert.deepEqual(
      [...(h5.groups.get("layers")?.groups.keys() ?? [])],
      ["dense", "dense_1", "functional", "input_layer"],
    );
    assert.equal(h5.groups.get("layers")?.groups.get("dense_1")?.groups.get("vars")?.attrs.name, "head");
    assert.deepEqual(
      [...(h5.groups.get("layers")?.groups.get("functional")?.groups.get("layers")?.groups.keys() ?? [])],
      ["dense", "input_layer"],
    );
  });

  it("Sequential, compiled and trained: optimizer state and compile config come back, training resumes identically", async () => {
    keras.random.setRandomSeed(1);
    const make = () =>
      new keras.Sequential(
        [keras.Input({ shape: [4] }), new layers.Dense(5, { activation: "relu" }), new layers.Dense(2)],
        {
          name: "seq",
        },
      );
    const model = make();
    model.compile({ optimizer: new keras.optimizers.Adam({ learningRate: 0.01 }), loss: "mse", metrics: ["mae"] });
    const y = toTensor([
      [1, 0],
      [0, 1],
    ]);
    await model.fit(X, y, { epochs: 2, verbose: 0, shuffle: false });
    const path = join(tmp, "seq.keras");
    await model.save(path);
    const again = await loadModel(path);
    assert.equal(again.compiled, true);
    assert.equal(again.optimizer?.constructor.name, "Adam");
    assert.deepEqual(
      again.optimizer?.variables.map((v) => data(v.peek())),
      model.optimizer?.variables.map((v) => data(v.peek())),
    );
    const cfg = JSON.parse(
      new TextDecoder().decode(readZip(readFileSync(path), "x").get("config.json")),
    ).compile_config;
    assert.equal(cfg.loss, "mse");
    assert.deepEqual(cfg.metrics, ["mae"]);
    assert.equal(cfg.optimizer.class_name, "Adam");
    await model.fit(X, y, { epochs: 1, verbose: 0, shuffle: false });
    await again.fit(X, y, { epochs: 1, verbose: 0, shuffle: false });
    assert.deepEqual(again.getWeights().map(data), model.getWeights().map(data));
  });

  it("saveWeights / loadWeights use Keras's .weights.h5 layout", async () => {
    const model = opsSharedNested();
    const other = opsSharedNested();
    const path = join(tmp, "w.weights.h5");
    await model.saveWeights(path);
    await other.loadWeights(path);
    assert.deepEqual(other.getWeights().map(data), model.getWeights().map(data));
    const h5 = await readH5(new Uint8Array(readFileSync(path)), "w");
    assert.equal(h5.groups.get("vars")?.attrs.name, "outer");
    assert.deepEqual(
      h5.groups.get("layers")?.groups.get("dense")?.groups.get("vars")?.datasets.get("0")?.shape,
      [4, 3],
    );
  });

  it("toJSON / modelFromJson rebuild the architecture", () => {
    const model = opsSharedNested();
    const again = modelFromJson(model.toJSON());
    assert.equal(again.toJSON(), model.toJSON());
    again.setWeights(model.getWeights());
    assert.deepEqual(data(again.predict(X)), data(model.predict(X)));
  });

  it("Lambda layers save the registered function's name and load it back", async () => {
    const halve = registerKerasSerializable(
      function halve(t: keras.SymbolicTensor | Tensor) {
        return ops.multiply(t, 0.5);
      },
      { package: "test" },
    );
    const inp = keras.Input({ shape: [4] });
    const model = new keras.Model({ inputs: inp, outputs: new layers.Lambda(halve)(inp) });
    const json = JSON.parse(model.toJSON());
    assert.deepEqual(json.config.layers[1].config.function, {
      module: "builtins",
      class_name: "function",
      config: "test>halve",
      registered_name: "function",
    });
    const path = join(tmp, "lambda.keras");
    await model.save(path);
    assert.deepEqual(data((await loadModel(path)).predict(X)), data(ops.multiply(X, 0.5)));
  });

  it("registered custom layers save and load", async () => {
    class Scale extends keras.Layer {
      factor: number;
      constructor(args: { factor?: number; name?: string } = {}) {
        super(args);
        this.factor = args.factor ?? 1;
      }
      override call(x: never) {
        return ops.multiply(x, this.factor);
      }
      override getConfig() {
        return { ...super.getConfig(), factor: this.factor };
      }
    }
    registerKerasSerializable(Scale, { package: "test" });
    const inp = keras.Input({ shape: [4] });
    const model = new keras.Model({ inputs: inp, outputs: new Scale({ factor: 3 })(inp) });
    const path = join(tmp, "custom.keras");
    await model.save(path);
    const rec = JSON.parse(model.toJSON()).config.layers[1];
    assert.equal(rec.registered_name, "test>Scale");
    assert.equal(rec.config.factor, 3);
    assert.deepEqual(data((await loadModel(path)).predict(X)), data(ops.multiply(X, 3)));
  });
});

describe("bad input", () => {
  const good = join(tmp, "good.keras");
  const ready = (async () => {
    await opsSharedNested().save(good);
  })();

  it("a truncated zip", async () => {
    await ready;
    const p = join(tmp, "truncated.keras");
    writeFileSync(p, readFileSync(good).subarray(0, 2000));
    await assert.rejects(
      loadModel(p),
      /truncated\.keras' is not a valid zip archive \(no central directory found: the file is truncated/,
    );
  });

  it("a corrupt member (CRC mismatch)", async () => {
    await ready;
    const bytes = new Uint8Array(readFileSync(good));
    // Flip a byte inside model.weights.h5's data (stored uncompressed, after the two JSON members).
    bytes[bytes.length - 4000] ^= 0xff;
    const p = join(tmp, "corrupt.keras");
    writeFileSync(p, bytes);
    await assert.rejects(
      loadModel(p),
      /corrupt\.keras' is corrupt: the CRC-32 of member 'model\.weights\.h5' does not match/,
    );
  });

  it("a missing member", async () => {
    await ready;
    const members = readZip(new Uint8Array(readFileSync(good)), "good");
    const p = join(tmp, "missing.keras");
    writeFileSync(
      p,
      writeZip([
        ["metadata.json", members.get("metadata.json") as Uint8Array],
        ["config.json", members.get("config.json") as Uint8Array],
      ]),
    );
    await assert.rejects(
      loadModel(p),
      /missing\.keras' is missing the member 'model\.weights\.h5' \(members: metadata\.json, config\.json\)/,
    );
  });

  it("a weight of the wrong shape names the layer, the variable and both shapes", async () => {
    const inp = keras.Input({ shape: [4] });
    const small = new keras.Model({ inputs: inp, outputs: new layers.Dense(3, { name: "d" })(inp) });
    const inp2 = keras.Input({ shape: [4] });
    const big = new keras.Model({ inputs: inp2, outputs: new layers.Dense(5, { name: "d2" })(inp2) });
    const p = join(tmp, "small.weights.h5");
    await small.saveWeights(p);
    const before = big.getWeights().map(data);
    await assert.rejects(
      big.loadWeights(p),
      /Layer 'd2' \(Dense\): variable 'kernel' has shape \[4, 5\], but '.*small\.weights\.h5' holds shape \[4, 3\] at 'layers\/dense\/vars\/0'/,
    );
    assert.deepEqual(big.getWeights().map(data), before, "a failed load leaves the weights unchanged");
  });

  it("an unknown layer class is named, with how to register it", async () => {
    await ready;
    const members = readZip(new Uint8Array(readFileSync(good)), "good");
    const config = new TextDecoder()
      .decode(members.get("config.json"))
      .replace('"class_name":"Dense"', '"class_name":"FancyDense"');
    const p = join(tmp, "unknown.keras");
    writeFileSync(
      p,
      writeZip([
        ["metadata.json", members.get("metadata.json") as Uint8Array],
        ["config.json", new TextEncoder().encode(config)],
        ["model.weights.h5", members.get("model.weights.h5") as Uint8Array],
      ]),
    );
    await assert.rejects(loadModel(p), /Unknown layer class 'FancyDense' .*registerKerasSerializable\(FancyDense\)/);
  });

  it("a Lambda whose function is not registered names what to register", async () => {
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
            name: "in",
            inbound_nodes: [],
            config: { batch_shape: [null, 2], dtype: "float32", name: "in" },
          },
          {
            module: "keras.layers",
            class_name: "Lambda",
            registered_name: null,
            name: "lam",
            config: {
              name: "lam",
              function: {
                module: "__main__",
                class_name: "function",
                config: "my_pkg>double_it",
                registered_name: "function",
              },
            },
            inbound_nodes: [
              {
                args: [
                  {
                    class_name: "__keras_tensor__",
                    config: { shape: [null, 2], dtype: "float32", keras_history: ["in", 0, 0] },
                  },
                ],
                kwargs: {},
              },
            ],
          },
        ],
        input_layers: ["in", 0, 0],
        output_layers: ["lam", 0, 0],
      },
    });
    assert.throws(
      () => modelFromJson(json),
      /unknown function 'my_pkg>double_it'\. Register it before loading: keras\.saving\.registerKerasSerializable\(double_it, \{ package: "my_pkg" \}\)/,
    );
  });

  it("a Keras 2 legacy .h5 file gets a clear error", async () => {
    await assert.rejects(
      loadModel(join(here, "fixtures", "legacy_keras2.h5")),
      /legacy_keras2\.h5' is a Keras 2 \(legacy HDF5 \.h5\) model file, which keras-ts cannot load/,
    );
    const inp = keras.Input({ shape: [3] });
    const m = new keras.Model({ inputs: inp, outputs: new layers.Dense(2)(inp) });
    const p = join(tmp, "legacy.weights.h5");
    copyFileSync(join(here, "fixtures", "legacy_keras2.h5"), p);
    await assert.rejects(m.loadWeights(p), /is a Keras 2 \(legacy HDF5\) file/);
  });

  it("an unregistered custom layer cannot be saved, and the previous file stays intact (atomic save)", async () => {
    await ready;
    class Unregistered extends keras.Layer {
      override call(x: never) {
        return x;
      }
    }
    const inp = keras.Input({ shape: [4] });
    const model = new keras.Model({ inputs: inp, outputs: new Unregistered()(inp) });
    const p = join(tmp, "atomic.keras");
    copyFileSync(good, p);
    const before = readFileSync(p);
    await assert.rejects(model.save(p), /cannot save the custom layer class Unregistered: register it/);
    assert.deepEqual(readFileSync(p), before);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });

  it("file names must have Keras's extensions", async () => {
    await assert.rejects(opsSharedNested().save(join(tmp, "x.zip")), /must end in \.keras/);
    await assert.rejects(opsSharedNested().saveWeights(join(tmp, "x.h5")), /must end in \.weights\.h5/);
  });
});
