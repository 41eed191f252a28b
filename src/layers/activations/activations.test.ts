import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import { GradientTape } from "../../autodiff/tape.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { Activation } from "./activation.js";
import { ELU } from "./elu.js";
import { LeakyReLU } from "./leaky_relu.js";
import { PReLU } from "./prelu.js";
import { ReLU } from "./relu.js";
import { Softmax } from "./softmax.js";

const t = ops.convertToTensor;
const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");
const xs = t([-10, -5, 0, 5, 10]);

describe("Activation", () => {
  it("applies a named or given function and keeps symbolic shapes", () => {
    assertClose(new Activation("relu")(t([-3, -1, 0, 2])), [0, 0, 0, 2]);
    assertClose(new Activation((x) => ops.multiply(x, 2))(t([1, -2])), [2, -4]);
    assert.deepEqual(new Activation("sigmoid")(sym([null, 5])).shape, [null, 5]);
    assert.equal(new Activation("relu").getConfig().activation, "relu");
    assert.equal(new Activation("relu").supportsMasking, true);
  });
});

describe("ReLU", () => {
  it("follows Keras's formula with maxValue, negativeSlope and threshold", () => {
    assertClose(new ReLU()(xs), [0, 0, 0, 5, 10]);
    assertClose(new ReLU({ maxValue: 10, negativeSlope: 0.5 })(xs), [-5, -2.5, 0, 5, 10]);
    assertClose(new ReLU({ maxValue: 5 })(xs), [0, 0, 0, 5, 5]);
    assertClose(new ReLU({ maxValue: 6 })(t([-1, 3, 7])), [0, 3, 6]);
    assertClose(new ReLU({ threshold: 5 })(xs), [0, 0, 0, 0, 10]);
    assertClose(new ReLU({ negativeSlope: 0.25 })(xs), [-2.5, -1.25, 0, 5, 10]);
    // where(x > 2, x, 0) clipped to 8, minus 0.5 * relu(2 - x)
    assertClose(new ReLU({ threshold: 2, negativeSlope: 0.5, maxValue: 8 })(t([-2, 1, 3, 10])), [-2, -0.5, 3, 8]);
    assert.deepEqual(new ReLU({ maxValue: 1 })(sym([null, 3])).shape, [null, 3]);
  });

  it("gradient (away from the kinks)", () => {
    const x = t([-2.5, -0.7, 0.6, 2.4, 3.1, 9], "float64");
    checkGrad((a) => new ReLU({ threshold: 2, negativeSlope: 0.5, maxValue: 8 })(a) as Tensor, [x]);
  });

  it("validates its options naming the layer; config", () => {
    assert.throws(
      () => new ReLU({ maxValue: -1, name: "r" }),
      /Layer 'r' \(ReLU\): maxValue cannot be a negative value, received maxValue=-1/,
    );
    assert.throws(() => new ReLU({ negativeSlope: -0.1 }), /negativeSlope cannot be null or a negative value/);
    assert.throws(() => new ReLU({ threshold: -1 }), /threshold cannot be null or a negative value/);
    const c = new ReLU({ maxValue: 6, name: "r6" }).getConfig();
    assert.deepEqual(c, { name: "r6", trainable: true, dtype: "float32", maxValue: 6, negativeSlope: 0, threshold: 0 });
  });
});

describe("LeakyReLU", () => {
  it("defaults to Keras 3's negativeSlope 0.3", () => {
    assertClose(new LeakyReLU()(xs), [-3, -1.5, 0, 5, 10]);
    assertClose(new LeakyReLU({ negativeSlope: 0.5 })(xs), [-5, -2.5, 0, 5, 10]);
    assert.deepEqual(new LeakyReLU()(sym([null, 2, 2])).shape, [null, 2, 2]);
    assert.equal(new LeakyReLU().getConfig().negativeSlope, 0.3);
    assert.throws(
      () => new LeakyReLU({ negativeSlope: -1, name: "lk" }),
      /Layer 'lk' \(LeakyReLU\): .*received negativeSlope=-1/,
    );
    checkGrad((a) => new LeakyReLU()(a) as Tensor, [t([-1.5, 0.5, 2], "float64")]);
  });
});

describe("ELU", () => {
  it("alpha * (exp(x) - 1) below 0, x above", () => {
    assertClose(new ELU()(t([-1, 0, 2])), [Math.exp(-1) - 1, 0, 2]);
    assertClose(new ELU({ alpha: 0.5 })(t([-2, 3])), [0.5 * (Math.exp(-2) - 1), 3]);
    assert.deepEqual(new ELU()(sym([null, 4])).shape, [null, 4]);
    assert.equal(new ELU({ alpha: 0.5 }).getConfig().alpha, 0.5);
    checkGrad((a) => new ELU({ alpha: 0.7 })(a) as Tensor, [t([-1.5, -0.2, 0.5, 2], "float64")]);
  });
});

describe("PReLU", () => {
  it("creates 'alpha' of the input's shape without the batch axis (1 on shared axes), zeros by default", () => {
    const p = new PReLU();
    const y = p(sym([null, 3, 4]));
    assert.deepEqual(y.shape, [null, 3, 4]);
    assert.equal(p.weights.length, 1);
    assert.equal(p.alpha.name, "alpha");
    assert.deepEqual(p.alpha.shape, [3, 4]);
    assert.ok(Array.from(p.alpha.peek().data).every((v) => v === 0));
    const shared = new PReLU({ sharedAxes: [1, 2] });
    shared(sym([null, 5, 6, 3]));
    assert.deepEqual(shared.alpha.shape, [1, 1, 3]);
    // The unshared axis must keep its size on later calls.
    assert.throws(
      () => shared(sym([null, 7, 7, 4])),
      /Layer 'p_re_lu(_\d+)?' \(PReLU\).*expected axis 3 of the input shape to have size 3, but received input with shape \[null, 7, 7, 4\]/,
    );
  });

  it("computes relu(x) - alpha * relu(-x) with a learned alpha", () => {
    const p = new PReLU({ sharedAxes: 1 });
    p(sym([null, 2, 2]));
    p.setWeights([t([[0.1, 0.5]])]);
    assertClose(
      p(
        t([
          [
            [-1, -2],
            [3, -4],
          ],
        ]),
      ),
      [
        [
          [-0.1, -1],
          [3, -2],
        ],
      ],
    );
  });

  it("gradient with respect to the inputs and to alpha (float64)", () => {
    const p = new PReLU({ alphaInitializer: "ones", dtype: "float64" });
    p(sym([null, 2, 3]));
    const x = randomTensor([2, 2, 3], 3);
    const alpha0 = randomTensor([2, 3], 4, 0.1, 0.9);
    checkGrad(
      (a, alpha) => {
        p.alpha.assign(alpha);
        return p(a) as Tensor;
      },
      [x, alpha0],
    );
    // The tape sees the variable: d sum(prelu(x)) / d alpha = sum over the batch of -relu(-x).
    p.alpha.assign(alpha0);
    const tape = new GradientTape();
    const loss = tape.record(() => ops.sum(p(x) as Tensor));
    const [g] = tape.gradient(loss, [p.alpha]) as Tensor[];
    assertClose(g, ops.sum(ops.negative(ops.relu(ops.negative(x))), 0) as Tensor, { rtol: 1e-12 });
  });

  it("errors on unknown unshared sizes and bad sharedAxes; config", () => {
    assert.throws(
      () => new PReLU({ name: "pr" })(sym([null, null, 3])),
      /Layer 'pr' \(PReLU\): the input axes that alpha does not share must have known sizes, received input shape \[null, null, 3\]/,
    );
    assert.deepEqual(new PReLU({ sharedAxes: [1] })(sym([null, null, 3])).shape, [null, null, 3]);
    assert.throws(
      () => new PReLU({ sharedAxes: [0], name: "pr0" })(sym([null, 3])),
      /Layer 'pr0' \(PReLU\): sharedAxes must hold axes in \[1, 1\]/,
    );
    const c = new PReLU({ sharedAxes: [1, 2], alphaConstraint: "nonNeg" }).getConfig();
    assert.deepEqual(c.sharedAxes, [1, 2]);
    assert.equal((c.alphaInitializer as { className: string }).className, "Zeros");
    assert.equal((c.alphaConstraint as { className: string }).className, "NonNeg");
    assert.equal(c.alphaRegularizer, null);
  });
});

describe("Softmax", () => {
  const logits = t([
    [1, 2, 1],
    [0, 0, Math.log(2)],
  ]);

  it("normalizes along the axis", () => {
    const e = Math.E;
    assertClose(new Softmax()(logits), [
      [1 / (2 + e), e / (2 + e), 1 / (2 + e)],
      [0.25, 0.25, 0.5],
    ]);
    assertClose(
      new Softmax({ axis: 0 })(
        t([
          [0, 1],
          [0, 1],
        ]),
      ),
      [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
    );
    // Several axes: one distribution over both.
    assertClose(
      new Softmax({ axis: [0, 1] })(
        t([
          [0, 0],
          [0, Math.log(5)],
        ]),
      ),
      [
        [0.125, 0.125],
        [0.125, 0.625],
      ],
    );
    assert.deepEqual(new Softmax()(sym([null, 7])).shape, [null, 7]);
    assert.equal(new Softmax({ axis: 1 }).getConfig().axis, 1);
  });

  it("masked positions get -1e9 before and 0 after the softmax", () => {
    const mask = t(
      [
        [true, false, true],
        [false, true, true],
      ],
      "bool",
    );
    const y = new Softmax()(logits, { mask });
    assertClose(y, [
      [0.5, 0, 0.5],
      [0, 1 / 3, 2 / 3],
    ]);
    // A float mask counts as true above 0.5; a [1, 3] mask broadcasts over the batch.
    assertClose(new Softmax()(logits, { mask: t([[1, 0, 0]]) }), [
      [1, 0, 0],
      [1, 0, 0],
    ]);
    // Gradient through the masked softmax (masked entries get none).
    checkGrad((a) => new Softmax()(a, { mask }) as Tensor, [ops.cast(logits, "float64") as Tensor]);
  });

  it("rejects masks that do not broadcast, naming the layer and both shapes", () => {
    assert.throws(
      () => new Softmax({ name: "sm" })(logits, { mask: t([[true, false]], "bool") }),
      /Layer 'sm' \(Softmax\): the mask must be broadcastable .* inputs of shape \[2, 3\] and a mask of shape \[1, 2\]/,
    );
    assert.throws(() => new Softmax()(t([1, 2]), { mask: t([[true, true]], "bool") }), /no more axes than the inputs/);
  });
});
