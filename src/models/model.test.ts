import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { GradientTape } from "../autodiff/tape.js";
import { Input } from "../layers/core/input_layer.js";
import { Dense } from "../layers/core/dense.js";
import { Lambda } from "../layers/core/lambda.js";
import { type CallOptions, Layer } from "../layers/layer.js";
import * as ops from "../ops/index.js";
import type { AnyTensor } from "../ops/types.js";
import { assertClose } from "../testing/gradcheck.js";
import type { Nested } from "../tree/index.js";
import { Model } from "./model.js";
import { Sequential } from "./sequential.js";

const t = ops.convertToTensor;

/** A Dense layer with fixed weights, for hand-checkable values. */
function fixedDense(kernel: number[][], bias: number[], activation?: string): Dense {
  const d = new Dense(bias.length, { activation });
  d.build([null, kernel.length]);
  d.built = true;
  d.setWeights([t(kernel), t(bias)]);
  return d;
}

describe("functional API (the founding document's tips)", () => {
  it("builds an MLP from keras.Input and predicts what a hand computation gives", () => {
    const inputs = Input({ shape: [2] });
    const h = fixedDense(
      [
        [1, -1],
        [2, 0.5],
      ],
      [0.5, -0.5],
      "relu",
    )(inputs);
    const out = fixedDense([[1], [-2]], [0.25])(h);
    const model = new Model({ inputs, outputs: out });
    // x=[1,1]: h = relu([1+2+0.5, -1+0.5-0.5]) = [3.5, 0]; y = 3.5 - 0 + 0.25 = 3.75
    // x=[-1,2]: h = relu([-1+4+0.5, 1+1-0.5]) = [3.5, 1.5]; y = 3.5 - 3 + 0.25 = 0.75
    const y = model.predict([
      [1, 1],
      [-1, 2],
    ]) as Tensor;
    assertClose(y, [[3.75], [0.75]]);
    assert.deepEqual(model.outputs[0].shape, [null, 1]);
    assert.equal(model.layers.length, 3);
    assert.equal(model.countParams(), 6 + 3);
  });

  it("shares one layer instance's weights across two inputs; gradients from both uses add up", () => {
    const dense = fixedDense([[2], [3]], [1]);
    const left = Input({ shape: [2] });
    const right = Input({ shape: [2] });
    const a = dense(left);
    const b = dense(right);
    const model = new Model({ inputs: [left, right], outputs: ops.add(a, b) });
    assert.equal(model.weights.length, 2);
    assert.equal(model.trainableWeights[0], dense.kernel);
    const xl = t([[1, 0]]);
    const xr = t([[0, 1]]);
    const tape = new GradientTape();
    const y = tape.record(() => ops.sum(model.apply([xl, xr]) as Tensor));
    assertClose(y, 2 + 1 + 3 + 1);
    const [gk, gb] = tape.gradient(y, [dense.kernel, dense.bias!]);
    assertClose(gk as Tensor, [[1], [1]]); // d/dk of (x_l + x_r)·k
    assertClose(gb as Tensor, [2]); // bias used twice
  });

  it("reuses a nested model as a layer: two calls share every weight, with two different heads", () => {
    const inp = Input({ shape: [3] });
    const shared = new Model({
      inputs: inp,
      outputs: new Dense(4, { activation: "tanh" })(inp),
      name: "shared_layers",
    });
    const x1 = Input({ shape: [3] });
    const x2 = Input({ shape: [3] });
    const head1 = new Dense(1, { name: "head_1" })(shared(x1));
    const head2 = new Dense(2, { name: "head_2" })(shared(x2));
    const model = new Model({ inputs: [x1, x2], outputs: [head1, head2] });
    // shared: 3*4+4 = 16, heads: 5 and 10
    assert.equal(model.countParams(), 16 + 5 + 10);
    assert.equal(model.weights.filter((w) => shared.weights.includes(w)).length, 2);
    const [y1, y2] = model.predict([ops.ones([5, 3]), ops.ones([5, 3])]) as Tensor[];
    assert.deepEqual(y1.shape, [5, 1]);
    assert.deepEqual(y2.shape, [5, 2]);
    // Both heads see the same shared features for the same input.
    const feats = shared.predict(ops.ones([1, 3])) as Tensor;
    const h1 = model.getLayer("head_1") as Dense;
    assertClose(y1.slice([0, 0], [1, 1]), ops.add(ops.matmul(feats, h1.kernel), h1.bias!) as Tensor, { rtol: 1e-5 });
  });

  it("splits a 10-vector into halves with Lambda (traced, outputShape array, outputShape function) and with ops", () => {
    const inputs = Input({ shape: [10] });
    const traced = new Lambda((x: AnyTensor) => ops.split(x, 2, 1)[0])(inputs);
    const byArray = new Lambda((x: AnyTensor) => ops.split(x, 2, 1)[1], { outputShape: [5] })(inputs);
    const byFn = new Lambda((x: AnyTensor) => ops.split(x, 2, 1)[1], {
      outputShape: (s) => [(s as (number | null)[])[0], 5],
    })(inputs);
    const plain = ops.split(inputs, 2, 1)[0];
    for (const y of [traced, byArray, byFn, plain]) assert.deepEqual(y.shape, [null, 5]);
    const model = new Model({ inputs, outputs: [traced, byArray, byFn, plain] });
    const x = ops.reshape(ops.arange(20, undefined, 1, "float32"), [2, 10]);
    const [a, b, c, d] = model.predict(x) as Tensor[];
    assertClose(a, [
      [0, 1, 2, 3, 4],
      [10, 11, 12, 13, 14],
    ]);
    assertClose(b, [
      [5, 6, 7, 8, 9],
      [15, 16, 17, 18, 19],
    ]);
    assertClose(c, b);
    assertClose(d, a);
  });

  it("feeds ops on symbolic tensors (and tensor methods) straight into layers; constants join the graph", () => {
    const inputs = Input({ shape: [3] });
    const scaled = ops.relu(ops.add(ops.multiply(inputs, 2), t([1, -10, 1])));
    const first = inputs.slice([0, 0], [-1, 2]);
    const model = new Model({ inputs, outputs: [fixedDense([[1], [1], [1]], [0])(scaled), first] });
    const [y, f] = model.predict([[1, 2, 3]]) as Tensor[];
    assertClose(y, [[3 + 0 + 7]]);
    assertClose(f, [[1, 2]]);
  });

  it("takes and returns named inputs and outputs", () => {
    const a = Input({ shape: [2], name: "a" });
    const b = Input({ shape: [2], name: "b" });
    const model = new Model({ inputs: { a, b }, outputs: { sum: ops.add(a, b), diff: ops.subtract(a, b) } });
    const out = model.predict({ a: [[1, 2]], b: [[3, 5]] }) as unknown as Record<string, Tensor>;
    assertClose(out.sum, [[4, 7]]);
    assertClose(out.diff, [[-2, -3]]);
  });

  it("builds sub-models to intermediate outputs, also inside nested models", () => {
    const inputs = Input({ shape: [4] });
    const d1 = new Dense(3, { name: "feat" });
    const h = d1(inputs);
    const model = new Model({ inputs, outputs: new Dense(1)(h) });
    const features = new Model({ inputs: model.inputs, outputs: model.getLayer("feat").output as SymbolicTensor });
    const x = ops.ones([2, 4]);
    assertClose(features.predict(x) as Tensor, d1.apply(x) as Tensor);
    assert.equal(d1.input, inputs);
  });

  it("runs training-dependent layers with training true only when asked", () => {
    class Noise extends Layer {
      override call(x: Nested<AnyTensor>, { training }: CallOptions): AnyTensor {
        return training ? ops.add(x as AnyTensor, 100) : (x as AnyTensor);
      }
    }
    const inputs = Input({ shape: [1] });
    const model = new Model({ inputs, outputs: new Noise()(inputs) });
    assertClose(model.predict([[1]]) as Tensor, [[1]]);
    assertClose(model.apply(t([[1]]), { training: true }) as Tensor, [[101]]);
    assertClose(model.apply(t([[1]])) as Tensor, [[1]]);
  });
});

describe("Sequential", () => {
  it("builds from an inputShape, from keras.Input, or at the first call; add and pop", () => {
    const s1 = new Sequential([new Dense(4, { inputShape: [3] }), new Dense(2)]);
    assert.ok(s1.isFunctional);
    assert.deepEqual(s1.outputs[0].shape, [null, 2]);
    const s2 = new Sequential([Input({ shape: [3] }), new Dense(4)]);
    assert.equal(s2.layers.length, 1);
    const s3 = new Sequential();
    s3.add(new Dense(5));
    s3.add(new Dense(1));
    assert.ok(!s3.isFunctional);
    assert.deepEqual((s3.predict(ops.ones([2, 7])) as Tensor).shape, [2, 1]);
    assert.equal(s3.countParams(), 7 * 5 + 5 + 6);
    s3.pop();
    assert.equal(s3.layers.length, 1);
    assert.deepEqual((s3.predict(ops.ones([2, 7])) as Tensor).shape, [2, 5]);
  });

  it("matches the same model written functionally, weight for weight", () => {
    const seq = new Sequential([new Dense(3, { activation: "relu", inputShape: [2] }), new Dense(1)]);
    const inputs = Input({ shape: [2] });
    const fn = new Model({ inputs, outputs: new Dense(1)(new Dense(3, { activation: "relu" })(inputs)) });
    fn.setWeights(seq.getWeights());
    const x = t([
      [0.5, -1],
      [2, 3],
    ]);
    assertClose(fn.predict(x) as Tensor, seq.predict(x) as Tensor);
    assert.equal(fn.countParams(), seq.countParams());
  });
});

describe("subclassed models and custom layers", () => {
  it("tracks layers kept in fields, arrays and objects, and summarizes after the first call", () => {
    class Block extends Layer {
      dense = new Dense(2);
      override call(x: Nested<AnyTensor>): AnyTensor {
        return this.dense.apply(x as AnyTensor) as AnyTensor;
      }
    }
    class MyModel extends Model {
      first = new Dense(4, { activation: "relu", name: "first" });
      blocks = [new Block(), new Block()];
      heads = { out: new Dense(1) };
      override call(x: Nested<AnyTensor>, { training }: CallOptions): AnyTensor {
        let h = this.first.apply(x as AnyTensor, { training }) as AnyTensor;
        for (const b of this.blocks) h = b.apply(h) as AnyTensor;
        return this.heads.out.apply(h) as AnyTensor;
      }
    }
    const m = new MyModel();
    const y = m.apply(ops.ones([3, 5])) as Tensor;
    assert.deepEqual(y.shape, [3, 1]);
    assert.equal(m.layers.length, 4);
    assert.equal(m.weights.length, 8);
    // first 5*4+4, block 4*2+2, block_1 2*2+2 (its input is 2 wide), head 2+1
    assert.equal(m.countParams(), 24 + 10 + 6 + 3);
    const text = m.summary({ printFn: null });
    assert.match(text, /first \(Dense\)\s+│ \(3, 4\)/);
    assert.match(text, /Total params: 43/);
    m.trainable = false;
    assert.equal(m.trainableWeights.length, 0);
    assert.equal(m.nonTrainableWeights.length, 8);
    m.trainable = true;
    m.blocks[0].trainable = false;
    assert.equal(m.trainableWeights.length, 6);
  });

  it("infers a custom layer's output shape by tracing call (no shape code)", () => {
    class Halve extends Layer {
      override call(x: Nested<AnyTensor>): AnyTensor {
        return ops.mean(ops.reshape(x as AnyTensor, [-1, 2, 3]), 1);
      }
    }
    const inputs = Input({ shape: [6] });
    const y = new Halve()(inputs);
    assert.deepEqual(y.shape, [null, 3]);
  });
});

describe("errors name the layer, the model and what to do", () => {
  it("a layer given an input of the wrong last axis", () => {
    const dense = new Dense(2);
    dense.apply(ops.ones([1, 4]));
    assert.throws(
      () => dense.apply(ops.ones([1, 3])),
      /Layer 'dense_\d+' \(Dense\): input 0 is incompatible with the layer: expected axis -1 of the input shape to have size 4, but received input with shape \[1, 3\]/,
    );
    assert.throws(
      () => dense(Input({ shape: [5] })),
      /expected axis -1 of the input shape to have size 4.*\[null, 5\]/,
    );
  });

  it("a model called with the wrong input shape or count", () => {
    const inputs = Input({ shape: [4] });
    const model = new Model({ inputs, outputs: new Dense(1)(inputs) });
    assert.throws(
      () => model.predict(ops.ones([2, 5])),
      /input 0 \('input_layer_\d+'\) expects shape \[null, 4\], received \[2, 5\]/,
    );
    assert.throws(() => model.apply([ops.ones([2, 4]), ops.ones([2, 4])]), /expects 1 input\(s\).*received 2/);
  });

  it("graph disconnected, naming the tensor, its layer and the missing input", () => {
    const a = Input({ shape: [2], name: "a_in" });
    const b = Input({ shape: [2], name: "b_in" });
    const y = new Dense(1, { name: "joined" })(ops.add(a, b));
    assert.throws(
      () => new Model({ inputs: a, outputs: y }),
      /Graph disconnected: cannot obtain a value for tensor 'b_in' .*made by layer 'b_in'.* at ops\.add.*inputs: 'a_in'/,
    );
  });

  it("a concrete tensor where the model needs keras.Input, and a symbolic tensor given to predict", () => {
    const inputs = Input({ shape: [2] });
    const out = new Dense(1)(inputs);
    assert.throws(
      () => new Model({ inputs: ops.ones([1, 2]) as never, outputs: out }),
      /input 0 is not a symbolic tensor.*keras\.Input/,
    );
    const model = new Model({ inputs, outputs: out });
    assert.throws(() => model.predict(inputs as never), /received a symbolic tensor.*call model\(x\)/);
    const mid = new Dense(3)(inputs);
    assert.throws(() => new Model({ inputs: mid, outputs: new Dense(1)(mid) }), /not a keras\.Input tensor/);
  });

  it("a Lambda that throws while traced keeps the original error and names the layer", () => {
    const inputs = Input({ shape: [3] });
    const boom = new Lambda(
      () => {
        throw new RangeError("bad split");
      },
      { name: "splitter" },
    );
    assert.throws(
      () => boom(inputs),
      (e: Error) =>
        /Layer 'splitter' \(Lambda\): call\(\) failed while computing the output shape for inputs of shape \[null, 3\]: bad split/.test(
          e.message,
        ) && e.cause instanceof RangeError,
    );
  });

  it("duplicate layer names in one model", () => {
    const inputs = Input({ shape: [2] });
    const y = new Dense(2, { name: "twin" })(new Dense(2, { name: "twin" })(inputs));
    assert.throws(() => new Model({ inputs, outputs: y }), /layer name 'twin' is used by two different layers/);
  });
});

describe("calling models", () => {
  it("passes training from model.call to every layer, and builds sub-models of nested models", () => {
    class Noise extends Layer {
      override call(x: Nested<AnyTensor>, { training }: CallOptions): AnyTensor {
        return training ? ops.add(x as AnyTensor, 100) : (x as AnyTensor);
      }
    }
    const inner = Input({ shape: [1] });
    const noisy = new Noise({ name: "noise" })(inner);
    const nested = new Model({ inputs: inner, outputs: new Dense(1, { name: "inner_dense" })(noisy) });
    const outer = Input({ shape: [1] });
    const model = new Model({ inputs: outer, outputs: nested(outer) });
    const one = t([[1]]);
    assertClose(
      model.call(one, { training: true }) as Tensor,
      nested.call(ops.add(one, 100), { training: false }) as Tensor,
    );
    const sub = new Model({ inputs: nested.inputs, outputs: nested.getLayer("noise").output as SymbolicTensor });
    assertClose(sub.call(one, { training: true }) as Tensor, [[101]]);
    assertClose(sub.predict(one) as Tensor, [[1]]);
  });
});
