import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { castTensor, toTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { grad } from "../../autodiff/grad.js";
import { clip, divide, log, multiply, negative, square } from "../elementwise.js";
import { sum } from "../reduction.js";
import { reshape } from "../shape.js";
import { softmax } from "./activations.js";
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from "./losses.js";

interface Case {
  target: number[][];
  probs: number[][];
  logits: number[][];
  fromProbs: number[];
  fromLogits: number[];
}
interface Fixtures {
  binary: Case;
  categorical: Case;
  categorical3d: Case;
  sparse: { labels: number[]; fromProbs: number[]; fromLogits: number[] };
  sparse3d: { labels: number[][]; fromProbs: number[][]; fromLogits: number[][] };
}

const fx: Fixtures = JSON.parse(readFileSync(new URL("./losses.fixtures.json", import.meta.url), "utf8"));
const f64 = (a: unknown) => toTensor(a as number[], "float64");
const f32 = (a: unknown) => toTensor(a as number[], "float32");
const i32 = (a: unknown) => toTensor(a as number[], "int32");

describe("crossentropies: forward values against NumPy (scripts/fixtures/nn.py)", () => {
  it("binaryCrossentropy from probabilities (clipped to [1e-7, 1 - 1e-7]) and from logits", () => {
    const c = fx.binary;
    assertClose(binaryCrossentropy(f64(c.target), f64(c.probs)), f64(c.fromProbs), { rtol: 1e-12 });
    assertClose(binaryCrossentropy(f64(c.target), f64(c.logits), true), f64(c.fromLogits), { rtol: 1e-12 });
    // float32: 1 - 1e-7 rounds to 1 - 2^-23 ≈ 1 - 1.19e-7 (as in Keras), which changes the clipped p = 1 terms.
    const hi = Math.fround(1 - 1e-7);
    const t = c.target.flat();
    const expected32 = c.probs
      .flat()
      .map((p, i) => (p === 1 ? -(t[i] * Math.log(hi) + (1 - t[i]) * Math.log(1 - hi)) : c.fromProbs.flat()[i]));
    assert.ok(c.probs.flat().includes(1), "the fixture exercises clipping at 1");
    const y32 = binaryCrossentropy(f32(c.target), f32(c.probs));
    assertClose(reshape(y32, [y32.size]), expected32, { rtol: 1e-5, atol: 1e-6 });
    assertClose(binaryCrossentropy(f32(c.target), f32(c.logits), true), f64(c.fromLogits), {
      rtol: 1e-5,
      atol: 1e-5,
    });
  });

  it("binaryCrossentropy by hand", () => {
    // -(0.25 log 0.8 + 0.75 log 0.2); logit 0 with target 1: log 2; probability 0 with target 1: -log(1e-7).
    assertClose(binaryCrossentropy(f64([0.25, 1]), f64([0.8, 0])), [
      -(0.25 * Math.log(0.8) + 0.75 * Math.log(0.2)),
      -Math.log(1e-7),
    ]);
    assertClose(binaryCrossentropy(f64([1, 0]), f64([0, 0]), true), [Math.LN2, Math.LN2]);
  });

  it("binaryCrossentropy with logits ±1000 is finite (stable softplus form)", () => {
    const y = binaryCrossentropy(f32([0, 1, 1, 0]), f32([1000, -1000, 1000, -1000]), true);
    assertClose(y, [1000, 1000, 0, 0], { rtol: 1e-6 });
  });

  for (const name of ["categorical", "categorical3d"] as const) {
    it(`categoricalCrossentropy (${name}) from probabilities (normalized, clipped) and logits`, () => {
      const c = fx[name];
      const axis = name === "categorical" ? -1 : 1;
      assertClose(categoricalCrossentropy(f64(c.target), f64(c.probs), false, axis), f64(c.fromProbs), {
        rtol: 1e-12,
      });
      assertClose(categoricalCrossentropy(f64(c.target), f64(c.logits), true, axis), f64(c.fromLogits), {
        rtol: 1e-12,
      });
      assertClose(categoricalCrossentropy(f32(c.target), f32(c.probs), false, axis), f64(c.fromProbs), {
        rtol: 1e-5,
        atol: 1e-5,
      });
      assertClose(categoricalCrossentropy(f32(c.target), f32(c.logits), true, axis), f64(c.fromLogits), {
        rtol: 1e-5,
        atol: 1e-5,
      });
    });
  }

  it("categoricalCrossentropy by hand: Keras's doc example [0.051, 2.302]", () => {
    const y = categoricalCrossentropy(
      f64([
        [0, 1, 0],
        [0, 0, 1],
      ]),
      f64([
        [0.05, 0.95, 0],
        [0.1, 0.8, 0.1],
      ]),
    );
    assertClose(y, [-Math.log(0.95), -Math.log(0.1)], { rtol: 1e-12 });
  });

  it("categoricalCrossentropy accepts int targets (cast to output's dtype)", () => {
    const y = categoricalCrossentropy(i32([[0, 1]]), f32([[0.25, 0.75]]));
    assert.equal(y.dtype, "float32");
    assertClose(y, [-Math.log(0.75)]);
  });

  it("sparseCategoricalCrossentropy from probabilities and logits, axis -1 and 1", () => {
    const c = fx.categorical;
    const s = fx.sparse;
    assertClose(sparseCategoricalCrossentropy(i32(s.labels), f64(c.probs)), f64(s.fromProbs), { rtol: 1e-12 });
    assertClose(sparseCategoricalCrossentropy(i32(s.labels), f64(c.logits), true), f64(s.fromLogits), {
      rtol: 1e-12,
    });
    const c3 = fx.categorical3d;
    const s3 = fx.sparse3d;
    assertClose(sparseCategoricalCrossentropy(i32(s3.labels), f64(c3.probs), false, 1), f64(s3.fromProbs), {
      rtol: 1e-12,
    });
    assertClose(sparseCategoricalCrossentropy(i32(s3.labels), f64(c3.logits), true, 1), f64(s3.fromLogits), {
      rtol: 1e-12,
    });
  });

  it("sparseCategoricalCrossentropy equals categorical with one-hot targets, float labels and [N, 1] labels too", () => {
    const c = fx.categorical;
    const labels = fx.sparse.labels;
    const oneHot = f32(labels.map((l) => [0, 1, 2, 3].map((j) => (j === l ? 1 : 0))));
    const expected = categoricalCrossentropy(oneHot, f32(c.logits), true);
    assertClose(sparseCategoricalCrossentropy(f32(labels), f32(c.logits), true), expected);
    assertClose(sparseCategoricalCrossentropy(i32(labels.map((l) => [l])), f32(c.logits), true), expected);
    assertClose(sparseCategoricalCrossentropy(labels, f32(c.logits), true), expected);
  });

  it("crossentropies with logits of ±1000 are finite", () => {
    const logits = f32([
      [1000, -1000, 0],
      [-1000, 1000, 500],
    ]);
    const y = sparseCategoricalCrossentropy(i32([1, 1]), logits, true);
    assertClose(y, [2000, 0], { rtol: 1e-6 });
    const yc = categoricalCrossentropy(
      f32([
        [0, 1, 0],
        [0, 1, 0],
      ]),
      logits,
      true,
    );
    assertClose(yc, [2000, 0], { rtol: 1e-6 });
  });
});

describe("crossentropies: gradients against finite differences", () => {
  const target = randomTensor([3, 4], 3, 0, 1);
  const probs = randomTensor([3, 4], 4, 0.05, 0.95);
  const logits = randomTensor([3, 4], 5, -3, 3);

  it("binaryCrossentropy w.r.t. output and target, probabilities and logits", () => {
    checkGrad((t, o) => binaryCrossentropy(t, o), [target, probs]);
    checkGrad((t, o) => binaryCrossentropy(t, o, true), [target, logits]);
  });

  it("binaryCrossentropy's logit gradient is sigmoid(x) - t, also at x = 0", () => {
    checkGrad((o) => binaryCrossentropy(f64([0.3, 1, 0]), o, true), [f64([0, 0, 0])]);
  });

  it("categoricalCrossentropy w.r.t. output and target, axis -1 and 0", () => {
    const soft = softmax(randomTensor([3, 4], 6), -1) as Tensor;
    checkGrad((t, o) => categoricalCrossentropy(t, o), [soft, probs]);
    checkGrad((t, o) => categoricalCrossentropy(t, o, true), [soft, logits]);
    checkGrad((t, o) => categoricalCrossentropy(t, o, false, 0), [soft, probs]);
    checkGrad((t, o) => categoricalCrossentropy(t, o, true, 0), [soft, logits]);
  });

  it("categoricalCrossentropy's fused gradient (output only) matches finite differences, unnormalized rows, axis -1, 0, 1", () => {
    const soft = f64([
      [0.2, 0.3, 0.5, 0],
      [0, 0, 1, 0],
      [0.25, 0.25, 0.25, 0.25],
    ]);
    const o = f64([
      [0.3, 0.2, 0.9, 0.4],
      [0.1, 0.2, 2, 0.3],
      [0.1, 0.7, 0.4, 0.6],
    ]);
    checkGrad((x) => categoricalCrossentropy(soft, x), [o]);
    checkGrad((x) => categoricalCrossentropy(soft, x, false, 0), [o]);
    const t3 = softmax(randomTensor([2, 3, 4], 11), 1) as Tensor;
    checkGrad((x) => categoricalCrossentropy(t3, x, false, 1), [randomTensor([2, 3, 4], 12, 0.1, 1)]);
  });

  const as32 = (x: Tensor) => castTensor(x, "float32");
  const composedCce = (t: Tensor, o: Tensor, axis: number) =>
    negative(sum(multiply(t, log(clip(divide(o, sum(o, axis, true)), 1e-7, 1 - 1e-7))), axis)) as Tensor;

  it("categoricalCrossentropy's fused forward and gradient equal the composed ops' (clipped entries included)", () => {
    const t = softmax(as32(randomTensor([7, 5, 3], 13, -2, 2)), 1) as Tensor;
    const o = as32(randomTensor([7, 5, 3], 14, 0, 1));
    o.data[4] = 0; // clipped at eps
    o.data[9] = 1e-9;
    for (let c = 0; c < 5; c++) o.data[20 * 3 + c * 3] = c === 2 ? 1 : 0; // a one-hot row: clipped at 1 - eps
    // Float32 forward: the fused kernel rounds as the composed ops do, so the values are equal.
    assert.deepEqual(Array.from(categoricalCrossentropy(t, o, false, 1).data), Array.from(composedCce(t, o, 1).data));
    const dy = as32(randomTensor([7, 3], 15, 0.5, 1.5));
    const fused = grad((x: Tensor) => sum(multiply(categoricalCrossentropy(t, x, false, 1), dy)) as Tensor)(
      o,
    ) as Tensor;
    const composed = grad((x: Tensor) => sum(multiply(composedCce(t, x, 1), dy)) as Tensor)(o) as Tensor;
    assertClose(fused, composed, { rtol: 1e-5, atol: 1e-6 });
  });

  it("categoricalCrossentropy has gradients of gradients (the composed form under an outer tape)", () => {
    const soft = softmax(randomTensor([3, 4], 15), -1) as Tensor;
    // f(o) = sum((d loss / d o)^2): differentiating it needs the gradient rule to be differentiable.
    const f = (o: Tensor) =>
      sum(square(grad((x: Tensor) => sum(categoricalCrossentropy(soft, x)) as Tensor)(o) as Tensor));
    checkGrad((o) => f(o) as Tensor, [randomTensor([3, 4], 16, 0.1, 1)]);
  });

  it("sparseCategoricalCrossentropy w.r.t. output, axis -1 and 1", () => {
    const labels = i32([0, 3, 1]);
    checkGrad((o) => sparseCategoricalCrossentropy(labels, o), [probs]);
    checkGrad((o) => sparseCategoricalCrossentropy(labels, o, true), [logits]);
    const l3 = i32([
      [0, 2],
      [1, 1],
    ]);
    const x3 = randomTensor([2, 3, 2], 8, 0.1, 1);
    checkGrad((o) => sparseCategoricalCrossentropy(l3, o, false, 1), [x3]);
    checkGrad((o) => sparseCategoricalCrossentropy(l3, o, true, 1), [x3]);
  });
});

describe("crossentropies: symbolic tensors and errors", () => {
  it("symbolic outputs give per-sample symbolic values with null kept", () => {
    const o = new SymbolicTensor([null, 5], "float32");
    const t = new SymbolicTensor([null, 5], "float32");
    const b = binaryCrossentropy(t, o, true);
    assert.ok(b instanceof SymbolicTensor);
    assert.deepEqual(b.shape, [null, 5]);
    const c = categoricalCrossentropy(t, o);
    assert.ok(c instanceof SymbolicTensor);
    assert.deepEqual(c.shape, [null]);
    const s = sparseCategoricalCrossentropy(new SymbolicTensor([null], "int32"), o, true);
    assert.ok(s instanceof SymbolicTensor);
    assert.deepEqual(s.shape, [null]);
    const s1 = sparseCategoricalCrossentropy(new SymbolicTensor([null, 1], "int32"), o);
    assert.deepEqual(s1.shape, [null]);
    const c3 = categoricalCrossentropy(
      new SymbolicTensor([null, 4, 7], "float32"),
      new SymbolicTensor([null, 4, 7], "float32"),
      true,
      1,
    );
    assert.deepEqual(c3.shape, [null, 7]);
  });

  it("shape mismatches name the op and both shapes", () => {
    assert.throws(
      () => binaryCrossentropy(f32([[1, 0]]), f32([[0.5, 0.5, 0]])),
      /ops\.binaryCrossentropy: target and output must have the same shape, received target \[1, 2\] and output \[1, 3\]/,
    );
    assert.throws(
      () => categoricalCrossentropy(f32([1, 0]), f32([[0.5, 0.5]])),
      /ops\.categoricalCrossentropy: .*received target \[2\] and output \[1, 2\]/,
    );
    assert.throws(
      () => sparseCategoricalCrossentropy(i32([1, 0, 1]), f32([[0.5, 0.5]])),
      /ops\.sparseCategoricalCrossentropy: target must have output's shape without the class axis 1 \(\[1\]\), received target \[3\] and output \[1, 2\]/,
    );
    assert.throws(
      () => categoricalCrossentropy(f32(1), f32(1)),
      /ops\.categoricalCrossentropy: output must be at least rank 1/,
    );
    assert.throws(
      () => categoricalCrossentropy(f32([[1, 0]]), f32([[1, 0]]), false, 2),
      /ops\.categoricalCrossentropy: axis 2 is out of range/,
    );
  });

  it("out-of-range and non-integer labels name the op, the label and the class count", () => {
    const o = f32([
      [0.2, 0.8],
      [0.5, 0.5],
    ]);
    assert.throws(() => sparseCategoricalCrossentropy(i32([0, 2]), o), {
      name: "RangeError",
      message: /ops\.sparseCategoricalCrossentropy: .*integers in \[0, 2\).*received 2 at flat position 1/,
    });
    assert.throws(() => sparseCategoricalCrossentropy(i32([-1, 0]), o), /sparseCategoricalCrossentropy: .*received -1/);
    assert.throws(
      () => sparseCategoricalCrossentropy(f32([0.5, 1]), o),
      /sparseCategoricalCrossentropy: .*received 0\.5/,
    );
  });

  it("int/bool outputs and bool labels are TypeErrors naming the op and dtype", () => {
    assert.throws(() => binaryCrossentropy(f32([1]), i32([1])), {
      name: "TypeError",
      message: /ops\.binaryCrossentropy: output must be a float tensor .*received dtype int32/,
    });
    assert.throws(() => categoricalCrossentropy(f32([1]), toTensor([true])), {
      name: "TypeError",
      message: /ops\.categoricalCrossentropy: output .*received dtype bool/,
    });
    assert.throws(() => sparseCategoricalCrossentropy(i32([0]), i32([[1, 0]])), {
      name: "TypeError",
      message: /ops\.sparseCategoricalCrossentropy: output .*int32/,
    });
    assert.throws(() => sparseCategoricalCrossentropy(toTensor([true]), f32([[1, 0]])), {
      name: "TypeError",
      message: /ops\.sparseCategoricalCrossentropy: target .*received dtype bool/,
    });
  });
});
