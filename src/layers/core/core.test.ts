import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import { GradientTape } from "../../autodiff/tape.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { Softmax } from "../activations/softmax.js";
import { type CallOptions, Layer } from "../layer.js";
import { getMask } from "../mask.js";
import { Dense } from "./dense.js";
import { Embedding } from "./embedding.js";
import { Identity } from "./identity.js";
import { Dropout } from "../regularization/dropout.js";
import { Add } from "../merging/add.js";
import { Input } from "./input_layer.js";

const t = ops.convertToTensor;

/** Records the mask it receives; supports masking so that masks reach it. */
class MaskSpy extends Layer {
  seen: unknown = "not called";
  constructor() {
    super();
    this.supportsMasking = true;
  }
  override call(x: never, { mask }: CallOptions) {
    this.seen = mask;
    return x;
  }
}

describe("Identity", () => {
  it("returns its inputs, keeps symbolic shapes and passes masks", () => {
    const layer = new Identity();
    const x = t([
      [1, 2],
      [3, 4],
    ]);
    assert.equal(layer(x), x);
    const y = layer(new SymbolicTensor([null, 3, 4], "int32"));
    assert.deepEqual(y.shape, [null, 3, 4]);
    assert.equal(y.dtype, "int32");
    assert.equal(layer.supportsMasking, true);
    assert.equal(layer.weights.length, 0);
  });
});

describe("Embedding", () => {
  function fixed(maskZero = false, dtype?: string): Embedding {
    const e = new Embedding(4, 2, { maskZero, dtype });
    e.build([null, 3]);
    e.built = true;
    e.setWeights([
      t([
        [0, 0.5],
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    ]);
    return e;
  }

  it("creates one weight 'embeddings' of shape [inputDim, outputDim], uniform in [-0.05, 0.05]", () => {
    const e = new Embedding(1000, 64);
    e.build([null, 10]);
    assert.equal(e.weights.length, 1);
    assert.equal(e.weights[0].name, "embeddings");
    assert.equal(e.weights[0].path, `${e.name}/embeddings`);
    assert.deepEqual(e.embeddings.shape, [1000, 64]);
    const v = e.embeddings.peek();
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of v.data) {
      lo = Math.min(lo, a);
      hi = Math.max(hi, a);
    }
    assert.ok(lo >= -0.05 && hi <= 0.05 && hi - lo > 0.09, `range [${lo}, ${hi}]`);
  });

  it("looks up rows (int and float indices) and gives [null, ..., outputDim] symbolically", () => {
    const e = fixed();
    const y = e(
      t(
        [
          [1, 3],
          [0, 2],
        ],
        "int32",
      ),
    );
    assertClose(y, [
      [
        [1, 2],
        [5, 6],
      ],
      [
        [0, 0.5],
        [3, 4],
      ],
    ]);
    assert.equal(y.dtype, "float32");
    assertClose(e(t([2, 1])), [
      [3, 4],
      [1, 2],
    ]);
    const s = e(Input({ shape: [7], dtype: "int32" }));
    assert.deepEqual(s.shape, [null, 7, 2]);
    assert.equal(s.dtype, "float32");
    assert.deepEqual(e(new SymbolicTensor([null, null], "float32")).shape, [null, null, 2]);
  });

  it("maskZero: the mask inputs != 0 reaches the next layer that supports masking", () => {
    const e = fixed(true);
    assert.equal(e.supportsMasking, true);
    const x = t(
      [
        [1, 0, 2],
        [0, 0, 3],
      ],
      "int32",
    );
    const y = e(x);
    const mask = getMask(y) as Tensor;
    assert.deepEqual(mask.toArray(), [
      [true, false, true],
      [false, false, true],
    ]);
    const spy = new MaskSpy();
    spy(y);
    assert.deepEqual((spy.seen as Tensor).toArray(), mask.toArray());
    // Without maskZero there is no mask.
    const spy2 = new MaskSpy();
    spy2(fixed(false)(x));
    assert.equal(spy2.seen, null);
  });

  it("maskZero: symbolic outputs carry a bool mask; it propagates through layers that support masking", () => {
    const e = fixed(true);
    const h = e(Input({ shape: [3], dtype: "int32" }));
    const m = getMask(h) as SymbolicTensor;
    assert.ok(m instanceof SymbolicTensor);
    assert.deepEqual(m.shape, [null, 3]);
    assert.equal(m.dtype, "bool");
    // Concrete: Embedding -> Dropout (inference, supports masking) -> a masked Softmax over time.
    const x = t([[1, 0, 2]], "int32");
    const spy = new MaskSpy();
    const h2 = spy(new Dropout(0.5)(e(x)));
    assert.deepEqual((spy.seen as Tensor).toArray(), [[true, false, true]]);
    // As in Keras, Softmax aligns masks to the right: [1, 3] does not broadcast to inputs [1, 3, 2].
    assert.throws(
      () => new Softmax({ axis: 1, name: "sm" })(h2),
      /Layer 'sm' \(Softmax\): the mask must be broadcastable .* inputs of shape \[1, 3, 2\] and a mask of shape \[1, 3\]/,
    );
  });

  it("in a functional model, the mask reaches later layers during predict; merges OR it", async () => {
    const { Model } = await import("../../models/model.js");
    const inputs = Input({ shape: [3], dtype: "int32" });
    const e = fixed(true);
    const spy = new MaskSpy();
    const h = spy(new Dropout(0.5)(e(inputs)));
    const merged = new Add()([h, new Identity()(h)]);
    assert.deepEqual((getMask(merged) as SymbolicTensor).shape, [null, 3]);
    const model = new Model({ inputs, outputs: merged });
    const y = model.predict(t([[1, 0, 2]], "int32")) as Tensor;
    assertClose(y, [
      [
        [2, 4],
        [0, 1],
        [6, 8],
      ],
    ]);
    assert.deepEqual((spy.seen as Tensor).toArray(), [[true, false, true]]);
  });

  it("gradient with respect to the embeddings: the tape matches finite differences (float64)", () => {
    const e = fixed(false, "float64");
    const idx = t(
      [
        [1, 3, 1],
        [0, 1, 2],
      ],
      "int32",
    );
    const w = randomTensor([2, 3, 2], 5);
    checkGrad(
      (_i, emb) => {
        e.embeddings.assign(emb);
        return ops.sum(ops.multiply(e(idx) as Tensor, w));
      },
      [idx, e.embeddings.peek()],
      { argnums: [1] },
    );
    // And the tape's gradient of the variable itself: counts of each index times the weights.
    const tape = new GradientTape();
    const loss = tape.record(() => ops.sum(ops.multiply(e(idx) as Tensor, w)));
    const [g] = tape.gradient(loss, [e.embeddings]) as Tensor[];
    const expected = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    const flat = [1, 3, 1, 0, 1, 2];
    flat.forEach((row, k) => {
      expected[row][0] += w.data[2 * k];
      expected[row][1] += w.data[2 * k + 1];
    });
    assertClose(g, expected, { rtol: 1e-12 });
  });

  it("rejects non-positive dims naming the layer, and reports Keras's config", () => {
    assert.throws(
      () => new Embedding(0, 3, { name: "emb" }),
      /Layer 'emb' \(Embedding\): inputDim must be a positive integer, received 0/,
    );
    assert.throws(() => new Embedding(3, 1.5), /outputDim must be a positive integer, received 1.5/);
    const config = new Embedding(10, 3, { name: "e1", maskZero: true, embeddingsRegularizer: "l2" }).getConfig();
    assert.equal(config.name, "e1");
    assert.equal(config.inputDim, 10);
    assert.equal(config.outputDim, 3);
    assert.equal(config.maskZero, true);
    assert.equal((config.embeddingsInitializer as { className: string }).className, "RandomUniform");
    assert.equal((config.embeddingsRegularizer as { className: string }).className, "L2");
    assert.equal(config.embeddingsConstraint, null);
  });
});

describe("Layer.build called directly", () => {
  it("marks the layer built, so that calling it does not build (and duplicate its weights) again", () => {
    const layer = new Dense(3);
    layer.build([null, 4]);
    assert.equal(layer.built, true);
    assert.equal(layer.weights.length, 2);
    layer(new Tensor(new Float32Array(8), [2, 4]));
    assert.equal(layer.weights.length, 2);
  });
});
