import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { loadCases, runCase } from "../convolutional/layer_test_helpers.js";
import { Embedding } from "../core/embedding.js";
import type { Layer } from "../layer.js";
import { AveragePooling1D } from "./average_pooling1d.js";
import { AveragePooling2D } from "./average_pooling2d.js";
import { AveragePooling3D } from "./average_pooling3d.js";
import { GlobalAveragePooling1D } from "./global_average_pooling1d.js";
import { GlobalAveragePooling2D } from "./global_average_pooling2d.js";
import { GlobalAveragePooling3D } from "./global_average_pooling3d.js";
import { GlobalMaxPooling1D } from "./global_max_pooling1d.js";
import { GlobalMaxPooling2D } from "./global_max_pooling2d.js";
import { GlobalMaxPooling3D } from "./global_max_pooling3d.js";
import { MaxPooling1D } from "./max_pooling1d.js";
import { MaxPooling2D } from "./max_pooling2d.js";
import { MaxPooling3D } from "./max_pooling3d.js";

const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");
const t = ops.convertToTensor;

describe("pooling layers match Keras 3 (fixtures written by Keras's own layers, float64)", () => {
  for (const c of loadCases(new URL("./pooling.fixtures.json", import.meta.url))) {
    it(`${c.name}: ${c.class}(${JSON.stringify(c.kwargs)})`, () => runCase(c));
  }
});

describe("pooling layers: values against hand computations", () => {
  it("MaxPooling2D and AveragePooling2D with the defaults (pool 2, strides = pool, valid)", () => {
    // One channel, 4x5: the last column is dropped by valid padding.
    const x = ops.reshape(t(Array.from({ length: 20 }, (_, i) => i)), [1, 4, 5, 1]);
    assert.deepEqual((new MaxPooling2D()(x) as Tensor).toArray(), [
      [
        [[6], [8]],
        [[16], [18]],
      ],
    ]);
    assert.deepEqual((new AveragePooling2D()(x) as Tensor).toArray(), [
      [
        [[3], [5]],
        [[13], [15]],
      ],
    ]);
  });

  it("AveragePooling1D same divides by the positions inside the input", () => {
    const x = t([[[1], [2], [3], [4], [5]]]);
    // Windows [1,2], [3,4], [5] (the padded position is not counted).
    assertClose(new AveragePooling1D(2, { padding: "same" })(x) as Tensor, [[[1.5], [3.5], [5]]]);
  });

  it("GlobalAveragePooling1D with an Embedding mask averages the unmasked steps only", () => {
    const emb = new Embedding(5, 1, { maskZero: true, embeddingsInitializer: "ones" });
    const ids = t([[1, 2, 0, 0]], "int32");
    emb(ids);
    emb.setWeights([t([[0], [1], [3], [5], [7]])]);
    const y = new GlobalAveragePooling1D()(emb(ids)) as Tensor;
    assertClose(y, [[2]]);
  });
});

describe("pooling layers: output shapes with a null batch", () => {
  const cases: [string, () => Layer, (number | null)[], (number | null)[]][] = [
    ["MaxPooling1D default", () => new MaxPooling1D(), [null, 9, 3], [null, 4, 3]],
    [
      "MaxPooling1D same strides 1",
      () => new MaxPooling1D(3, { strides: 1, padding: "same" }),
      [null, 9, 3],
      [null, 9, 3],
    ],
    [
      "AveragePooling1D channels_first",
      () => new AveragePooling1D(2, { dataFormat: "channels_first" }),
      [null, 3, 9],
      [null, 3, 4],
    ],
    [
      "MaxPooling2D [3,2] strides [1,2]",
      () => new MaxPooling2D([3, 2], { strides: [1, 2] }),
      [null, 5, 6, 2],
      [null, 3, 3, 2],
    ],
    [
      "AveragePooling2D same s2",
      () => new AveragePooling2D(3, { strides: 2, padding: "same" }),
      [null, 5, 6, 2],
      [null, 3, 3, 2],
    ],
    ["MaxPooling2D unknown rows", () => new MaxPooling2D(), [null, null, 6, 2], [null, null, 3, 2]],
    ["MaxPooling3D", () => new MaxPooling3D(), [null, 4, 5, 6, 1], [null, 2, 2, 3, 1]],
    [
      "AveragePooling3D same",
      () => new AveragePooling3D(2, { padding: "same" }),
      [null, 4, 5, 6, 1],
      [null, 2, 3, 3, 1],
    ],
    ["GlobalMaxPooling1D", () => new GlobalMaxPooling1D(), [null, 7, 3], [null, 3]],
    [
      "GlobalAveragePooling1D keepdims",
      () => new GlobalAveragePooling1D({ keepdims: true }),
      [null, 7, 3],
      [null, 1, 3],
    ],
    ["GlobalAveragePooling2D", () => new GlobalAveragePooling2D(), [null, 4, 4, 3], [null, 3]],
    [
      "GlobalMaxPooling2D channels_first keepdims",
      () => new GlobalMaxPooling2D({ dataFormat: "channels_first", keepdims: true }),
      [null, 3, 4, 4],
      [null, 3, 1, 1],
    ],
    ["GlobalAveragePooling3D unknown spatial", () => new GlobalAveragePooling3D(), [null, null, 4, null, 3], [null, 3]],
    [
      "GlobalMaxPooling3D keepdims",
      () => new GlobalMaxPooling3D({ keepdims: true }),
      [null, 2, 4, 5, 3],
      [null, 1, 1, 1, 3],
    ],
  ];
  for (const [name, make, input, want] of cases) {
    it(name, () => {
      const y = make()(sym(input));
      assert.ok(y instanceof SymbolicTensor);
      assert.deepEqual(y.shape, want);
    });
  }
});

describe("pooling layers: gradients (float64, finite differences)", () => {
  const through = (layer: Layer) => (x: Tensor) => layer(x) as Tensor;
  it("MaxPooling2D same", () =>
    checkGrad(through(new MaxPooling2D(2, { padding: "same" })), [randomTensor([1, 3, 5, 2], 1)]));
  it("AveragePooling2D same strides 1", () =>
    checkGrad(through(new AveragePooling2D(3, { strides: 1, padding: "same" })), [randomTensor([1, 4, 3, 2], 2)]));
  it("GlobalMaxPooling2D and GlobalAveragePooling3D", () => {
    checkGrad(through(new GlobalMaxPooling2D()), [randomTensor([2, 3, 3, 2], 3)]);
    checkGrad(through(new GlobalAveragePooling3D({ keepdims: true })), [randomTensor([1, 2, 2, 3, 2], 4)]);
  });
});

describe("pooling layers: configs and errors", () => {
  it("getConfig gives Keras's keys with standardized tuples (strides default to poolSize)", () => {
    const c = new MaxPooling2D(3, { padding: "same" }).getConfig();
    assert.deepEqual(Object.keys(c), ["name", "trainable", "dtype", "poolSize", "padding", "strides", "dataFormat"]);
    assert.deepEqual([c.poolSize, c.strides, c.padding, c.dataFormat], [[3, 3], [3, 3], "same", "channels_last"]);
    assert.deepEqual(new AveragePooling1D().getConfig().poolSize, [2]);
    const g = new GlobalAveragePooling2D({ keepdims: true, dataFormat: "channelsFirst" }).getConfig();
    assert.deepEqual(Object.keys(g), ["name", "trainable", "dtype", "dataFormat", "keepdims"]);
    assert.deepEqual([g.dataFormat, g.keepdims], ["channels_first", true]);
  });

  it("have no weights", () => {
    const p = new MaxPooling2D();
    p(ops.ones([1, 4, 4, 1]));
    assert.equal(p.weights.length, 0);
  });

  it("errors name the layer", () => {
    assert.throws(
      () => new MaxPooling2D(2, { name: "mp" })(ops.ones([1, 4, 4])),
      /Layer 'mp' \(MaxPooling2D\).*expected ndim=4, found ndim=3/,
    );
    assert.throws(
      () => new GlobalAveragePooling1D()(sym([null, 3, 4, 5])),
      /\(GlobalAveragePooling1D\).*expected ndim=3, found ndim=4/,
    );
    assert.throws(() => new AveragePooling2D([2, 2, 2]), /\(AveragePooling2D\): poolSize must be .* list of 2/);
    assert.throws(
      () => new MaxPooling1D(2, { padding: "causal" }),
      /\(MaxPooling1D\): padding must be one of "valid", "same"/,
    );
    assert.throws(
      () => new MaxPooling2D(5, { name: "big" })(sym([null, 3, 3, 1])),
      /Layer 'big' \(MaxPooling2D\).*\[null, 3, 3, 1\]/,
    );
  });
});
