import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose, randomTensor } from "../../testing/gradcheck.js";
import type { Layer } from "../layer.js";
import { Conv1D } from "./conv1d.js";
import { Conv1DTranspose } from "./conv1d_transpose.js";
import { Conv2D } from "./conv2d.js";
import { Conv2DTranspose } from "./conv2d_transpose.js";
import { Conv3D } from "./conv3d.js";
import { Conv3DTranspose } from "./conv3d_transpose.js";
import { DepthwiseConv1D } from "./depthwise_conv1d.js";
import { DepthwiseConv2D } from "./depthwise_conv2d.js";
import { checkLayerGrad, loadCases, runCase } from "./layer_test_helpers.js";
import { SeparableConv1D } from "./separable_conv1d.js";
import { SeparableConv2D } from "./separable_conv2d.js";

const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");

describe("convolution layers match Keras 3 (fixtures written by Keras's own layers, float64)", () => {
  for (const c of loadCases(new URL("./convolutional.fixtures.json", import.meta.url))) {
    it(`${c.name}: ${c.class}(${JSON.stringify(c.kwargs)})`, () => runCase(c));
  }
});

describe("convolution layers: output shapes with a null batch", () => {
  const cases: [string, () => Layer, (number | null)[], (number | null)[]][] = [
    ["Conv1D valid", () => new Conv1D(4, 3), [null, 10, 2], [null, 8, 4]],
    [
      "Conv1D causal dilation 2",
      () => new Conv1D(4, 3, { padding: "causal", dilationRate: 2 }),
      [null, 10, 2],
      [null, 10, 4],
    ],
    ["Conv1D same strides 3", () => new Conv1D(4, 2, { padding: "same", strides: 3 }), [null, 10, 2], [null, 4, 4]],
    ["Conv2D valid strides", () => new Conv2D(5, [3, 2], { strides: [2, 1] }), [null, 7, 6, 3], [null, 3, 5, 5]],
    [
      "Conv2D same strides 2",
      () => new Conv2D(5, 3, { padding: "same", strides: 2 }),
      [null, 7, 6, 3],
      [null, 4, 3, 5],
    ],
    ["Conv2D valid dilation 2", () => new Conv2D(5, 3, { dilationRate: 2 }), [null, 7, 6, 3], [null, 3, 2, 5]],
    ["Conv2D unknown rows", () => new Conv2D(5, 3), [null, null, 6, 3], [null, null, 4, 5]],
    [
      "Conv2D channels_first",
      () => new Conv2D(5, 3, { dataFormat: "channels_first" }),
      [null, 3, 7, 6],
      [null, 5, 5, 4],
    ],
    ["Conv3D same", () => new Conv3D(2, 3, { padding: "same", strides: 2 }), [null, 5, 4, 3, 1], [null, 3, 2, 2, 2]],
    ["Conv1DTranspose valid s2", () => new Conv1DTranspose(3, 3, { strides: 2 }), [null, 4, 2], [null, 9, 3]],
    ["Conv1DTranspose valid k<s", () => new Conv1DTranspose(3, 1, { strides: 2 }), [null, 4, 2], [null, 8, 3]],
    [
      "Conv2DTranspose same s2",
      () => new Conv2DTranspose(3, 4, { strides: 2, padding: "same" }),
      [null, 7, 5, 8],
      [null, 14, 10, 3],
    ],
    [
      "Conv2DTranspose valid outputPadding",
      () => new Conv2DTranspose(3, 3, { strides: 2, outputPadding: 1 }),
      [null, 3, 4, 2],
      [null, 8, 10, 3],
    ],
    [
      "Conv2DTranspose dilation",
      () => new Conv2DTranspose(3, 3, { dilationRate: 2 }),
      [null, 3, 4, 2],
      [null, 7, 8, 3],
    ],
    ["Conv3DTranspose s2", () => new Conv3DTranspose(2, 2, { strides: 2 }), [null, 2, 3, 4, 1], [null, 4, 6, 8, 2]],
    ["DepthwiseConv1D", () => new DepthwiseConv1D(3, { depthMultiplier: 3 }), [null, 8, 2], [null, 6, 6]],
    [
      "DepthwiseConv2D same s2",
      () => new DepthwiseConv2D(3, { strides: 2, padding: "same" }),
      [null, 5, 6, 4],
      [null, 3, 3, 4],
    ],
    ["SeparableConv1D", () => new SeparableConv1D(5, 3, { strides: 2 }), [null, 9, 2], [null, 4, 5]],
    [
      "SeparableConv2D dilation",
      () => new SeparableConv2D(5, 3, { dilationRate: 2, depthMultiplier: 2 }),
      [null, 9, 8, 3],
      [null, 5, 4, 5],
    ],
  ];
  for (const [name, make, input, want] of cases) {
    it(name, () => {
      const y = make()(sym(input));
      assert.ok(y instanceof SymbolicTensor);
      assert.deepEqual(y.shape, want);
      assert.equal(y.dtype, "float32");
    });
  }
});

describe("convolution layers: weights", () => {
  it("have Keras's names, shapes, order and default initializers (float32)", () => {
    const conv = new Conv2D(8, 3, { groups: 2 });
    conv(sym([null, 6, 6, 4]));
    assert.deepEqual(
      conv.weights.map((w) => [w.path, w.shape, w.dtype]),
      [
        [`${conv.name}/kernel`, [3, 3, 2, 8], "float32"],
        [`${conv.name}/bias`, [8], "float32"],
      ],
    );
    // glorot_uniform: limit sqrt(6 / (fanIn + fanOut)), fanIn = 3*3*2, fanOut = 3*3*8.
    const limit = Math.sqrt(6 / (18 + 72));
    const k = conv.kernel.peek().data;
    assert.ok(k.every((v) => Math.abs(v) <= limit) && Math.max(...k) > limit * 0.8);
    assert.ok(conv.bias?.peek().data.every((v) => v === 0));
    const t = new Conv3DTranspose(5, [1, 2, 3], { useBias: false });
    t(sym([null, 4, 4, 4, 2]));
    assert.deepEqual(
      t.weights.map((w) => [w.name, w.shape]),
      [["kernel", [1, 2, 3, 5, 2]]],
    );
    const s = new SeparableConv1D(4, 3, { depthMultiplier: 2 });
    s(sym([null, 8, 3]));
    assert.deepEqual(
      s.weights.map((w) => [w.name, w.shape]),
      [
        ["depthwise_kernel", [3, 3, 2]],
        ["pointwise_kernel", [1, 6, 4]],
        ["bias", [4]],
      ],
    );
    const d = new DepthwiseConv2D([2, 3], { depthMultiplier: 2, dataFormat: "channels_first" });
    d(sym([null, 3, 8, 8]));
    assert.deepEqual(
      d.weights.map((w) => [w.name, w.shape]),
      [
        ["kernel", [2, 3, 3, 2]],
        ["bias", [6]],
      ],
    );
  });

  it("Conv2D same with strides equals a naive loop (TensorFlow's same padding: extra at the end)", () => {
    const conv = new Conv2D(2, 3, { strides: 2, padding: "same", dtype: "float64" });
    const x = randomTensor([1, 6, 5, 2], 3);
    conv(x);
    const w = randomTensor([3, 3, 2, 2], 4);
    const b = randomTensor([2], 5);
    conv.setWeights([w, b]);
    const y = conv(x) as Tensor;
    // out = ceil(n/s); total pad = max((out-1)*s + k - n, 0), before = floor(total / 2).
    const [H, W, C, O, K, S] = [6, 5, 2, 2, 3, 2];
    const oh = Math.ceil(H / S);
    const ow = Math.ceil(W / S);
    const ph = Math.floor(Math.max((oh - 1) * S + K - H, 0) / 2);
    const pw = Math.floor(Math.max((ow - 1) * S + K - W, 0) / 2);
    const want: number[] = [];
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < O; o++) {
          let acc = b.data[o];
          for (let di = 0; di < K; di++)
            for (let dj = 0; dj < K; dj++)
              for (let c = 0; c < C; c++) {
                const r = i * S + di - ph;
                const q = j * S + dj - pw;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                acc += x.data[(r * W + q) * C + c] * w.data[((di * K + dj) * C + c) * O + o];
              }
          want.push(acc);
        }
    assertClose(y, ops.reshape(ops.convertToTensor(want, "float64"), [1, oh, ow, O]) as Tensor, { rtol: 1e-12 });
  });
});

describe("convolution layers: gradients (tape vs finite differences, float64)", () => {
  const f64 = { dtype: "float64" };
  it("Conv2D same, strides 2, relu-free", () =>
    checkLayerGrad(new Conv2D(2, 3, { ...f64, padding: "same", strides: 2 }), randomTensor([2, 5, 4, 2], 1)));
  it("Conv2D grouped, dilation", () =>
    checkLayerGrad(new Conv2D(4, 2, { ...f64, groups: 2, dilationRate: 2 }), randomTensor([1, 5, 5, 4], 2)));
  it("Conv1D causal", () =>
    checkLayerGrad(new Conv1D(2, 3, { ...f64, padding: "causal" }), randomTensor([2, 5, 2], 3)));
  it("Conv3D channels_first", () =>
    checkLayerGrad(new Conv3D(2, 2, { ...f64, dataFormat: "channels_first" }), randomTensor([1, 2, 3, 3, 2], 4)));
  it("Conv2DTranspose strides 2 same", () =>
    checkLayerGrad(new Conv2DTranspose(2, 3, { ...f64, strides: 2, padding: "same" }), randomTensor([1, 3, 2, 2], 5)));
  it("Conv1DTranspose outputPadding", () =>
    checkLayerGrad(new Conv1DTranspose(2, 3, { ...f64, strides: 2, outputPadding: 1 }), randomTensor([2, 3, 2], 6)));
  it("DepthwiseConv2D multiplier 2", () =>
    checkLayerGrad(new DepthwiseConv2D(2, { ...f64, depthMultiplier: 2 }), randomTensor([1, 4, 3, 2], 7)));
  it("SeparableConv2D same", () =>
    checkLayerGrad(
      new SeparableConv2D(3, 2, { ...f64, padding: "same", depthMultiplier: 2 }),
      randomTensor([1, 3, 4, 2], 8),
    ));
});

describe("convolution layers: getConfig", () => {
  it("Conv2D gives Keras's keys in camelCase with standardized tuples", () => {
    const conv = new Conv2D(8, 3, { strides: 2, padding: "SAME", activation: "relu", kernelRegularizer: "l2" });
    const config = conv.getConfig();
    assert.deepEqual(Object.keys(config), [
      "name",
      "trainable",
      "dtype",
      "filters",
      "kernelSize",
      "strides",
      "padding",
      "dataFormat",
      "dilationRate",
      "groups",
      "activation",
      "useBias",
      "kernelInitializer",
      "biasInitializer",
      "kernelRegularizer",
      "biasRegularizer",
      "activityRegularizer",
      "kernelConstraint",
      "biasConstraint",
    ]);
    assert.deepEqual(
      [config.kernelSize, config.strides, config.padding, config.dataFormat, config.dilationRate, config.activation],
      [[3, 3], [2, 2], "same", "channels_last", [1, 1], "relu"],
    );
    assert.deepEqual(config.kernelInitializer, { className: "GlorotUniform", config: { seed: null } });
    assert.equal((config.kernelRegularizer as { className: string }).className, "L2");
    assert.equal(config.biasRegularizer, null);
  });

  it("transposed, depthwise and separable configs", () => {
    const t = new Conv2DTranspose(4, 3, { strides: 2, outputPadding: [1, 0] }).getConfig();
    assert.deepEqual([t.outputPadding, t.strides, "groups" in t], [[1, 0], [2, 2], false]);
    assert.equal(new Conv1DTranspose(4, 3).getConfig().outputPadding, null);
    const d = new DepthwiseConv1D(3, { depthMultiplier: 2 }).getConfig();
    assert.deepEqual([d.depthMultiplier, d.kernelSize, "filters" in d], [2, [3], false]);
    assert.ok("depthwiseInitializer" in d && "depthwiseRegularizer" in d && "depthwiseConstraint" in d);
    const s = new SeparableConv2D(5, 3).getConfig();
    assert.deepEqual([s.filters, s.depthMultiplier], [5, 1]);
    assert.ok("pointwiseInitializer" in s && "pointwiseRegularizer" in s && "pointwiseConstraint" in s);
  });
});

describe("convolution layers: errors name the layer", () => {
  it("wrong input rank", () => {
    const conv = new Conv2D(2, 3, { name: "c2" });
    assert.throws(() => conv(ops.ones([2, 5, 3])), /Layer 'c2' \(Conv2D\).*expected ndim=4, found ndim=3.*\[2, 5, 3\]/);
    assert.throws(() => new Conv1D(2, 3)(sym([null, 5, 5, 3])), /\(Conv1D\).*expected ndim=3, found ndim=4/);
  });

  it("channel mismatch after build", () => {
    const conv = new Conv2D(2, 3, { name: "c3" });
    conv(ops.ones([1, 5, 5, 3]));
    assert.throws(
      () => conv(ops.ones([1, 5, 5, 4])),
      /Layer 'c3' \(Conv2D\).*axis -1 of the input shape to have size 3.*\[1, 5, 5, 4\]/,
    );
    const t = new Conv2DTranspose(2, 3, { dataFormat: "channels_first" });
    t(sym([null, 3, 4, 4]));
    assert.throws(() => t(sym([null, 2, 4, 4])), /\(Conv2DTranspose\).*axis 1 of the input shape to have size 3/);
  });

  it("unknown channels, groups not dividing the channels", () => {
    assert.throws(
      () => new Conv2D(2, 3)(sym([null, 5, 5, null])),
      /\(Conv2D\): the channel axis \(last\).*must be known/,
    );
    assert.throws(
      () => new Conv2D(4, 3, { groups: 2 })(ops.ones([1, 5, 5, 3])),
      /\(Conv2D\).*divisible by the number of groups.*3 channels/,
    );
  });

  it("invalid arguments", () => {
    assert.throws(() => new Conv2D(0, 3), /\(Conv2D\): filters must be a positive integer, received 0/);
    assert.throws(
      () => new Conv2D(3, 3, { groups: 2 }),
      /\(Conv2D\).*filters must be evenly divisible.*groups=2, filters=3/,
    );
    assert.throws(() => new Conv2D(3, [3, 3, 3]), /\(Conv2D\): kernelSize must be .* list of 2/);
    assert.throws(() => new Conv2D(3, 3, { padding: "causal" }), /\(Conv2D\): padding must be one of "valid", "same"/);
    assert.throws(
      () => new Conv2D(3, 3, { strides: 2, dilationRate: 2 }),
      /\(Conv2D\): strides > 1 is not supported together with dilationRate > 1/,
    );
    assert.throws(() => new Conv2D(3, 3, { dataFormat: "nhwc" }), /\(Conv2D\): dataFormat must be/);
    assert.throws(
      () => new Conv2DTranspose(3, 3, { strides: 2, outputPadding: 2 }),
      /\(Conv2DTranspose\): outputPadding must be smaller than the strides/,
    );
    assert.throws(
      () => new DepthwiseConv2D(3, { depthMultiplier: 0 }),
      /\(DepthwiseConv2D\): depthMultiplier must be a positive integer/,
    );
  });

  it("a kernel larger than the input names the layer in symbolic calls", () => {
    assert.throws(
      () => new Conv2D(2, 5, { name: "big" })(sym([null, 3, 3, 1])),
      /Layer 'big' \(Conv2D\).*\[null, 3, 3, 1\]/,
    );
  });
});

describe("convolution layers: configs round-trip through the constructors", () => {
  it("new Class(positional..., getConfig()) gives the same config", () => {
    const layers = [
      new Conv1D(3, 2, { padding: "causal", activation: "relu", kernelRegularizer: "l1", biasConstraint: "non_neg" }),
      new Conv2D(4, [3, 1], { strides: [2, 1], dataFormat: "channels_first", kernelInitializer: "he_normal" }),
      new Conv3DTranspose(2, 2, { strides: 2, outputPadding: 1, useBias: false }),
      new DepthwiseConv2D(3, { depthMultiplier: 2, depthwiseRegularizer: "l2" }),
      new SeparableConv2D(5, 3, { pointwiseInitializer: "zeros", dilationRate: 2 }),
    ];
    for (const layer of layers) {
      const config = layer.getConfig() as Record<string, unknown> & { filters: number; kernelSize: number[] };
      const Ctor = layer.constructor as new (...args: unknown[]) => Layer;
      const again =
        layer instanceof DepthwiseConv2D
          ? new Ctor(config.kernelSize, config)
          : new Ctor(config.filters, config.kernelSize, config);
      assert.deepEqual(again.getConfig(), config);
    }
  });
});
