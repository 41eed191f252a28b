import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { castTensor, toTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import { grad } from "../../autodiff/grad.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { sum } from "../reduction.js";
import { multiply, subtract } from "../elementwise.js";
import {
  celu,
  elu,
  gelu,
  glu,
  hardShrink,
  hardSigmoid,
  hardSilu,
  hardSwish,
  hardTanh,
  logSigmoid,
  leakyRelu,
  logSoftmax,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softmax,
  softplus,
  softShrink,
  softsign,
  sparsePlus,
  squareplus,
  swish,
  tanhShrink,
  threshold,
} from "./activations.js";

interface Fixtures {
  x: number[];
  elementwise: Record<string, number[]>;
  x3: number[][][];
  softmax: { axis: number | number[] | null; softmax: unknown; logSoftmax: unknown }[];
  big: number[][];
  bigSoftmax: number[][];
  bigLogSoftmax: number[][];
  glu: Record<string, unknown>;
}

const fx: Fixtures = JSON.parse(readFileSync(new URL("./activations.fixtures.json", import.meta.url), "utf8"));

const f64 = (a: unknown) => toTensor(a as number[], "float64");
const f32 = (a: unknown) => toTensor(a as number[], "float32");

type Fn = (x: Tensor) => Tensor;
const ELEMENTWISE: Record<string, Fn> = {
  relu,
  relu6,
  sigmoid,
  silu,
  softplus,
  softsign,
  leakyRelu: (x) => leakyRelu(x),
  "leakyRelu_0.01": (x) => leakyRelu(x, 0.01),
  elu: (x) => elu(x),
  "elu_0.5": (x) => elu(x, 0.5),
  selu,
  hardSigmoid,
  gelu_approximate: (x) => gelu(x),
  gelu_exact: (x) => gelu(x, false),
  logSigmoid,
  hardSilu,
  hardTanh,
  celu: (x) => celu(x),
  "celu_0.5": (x) => celu(x, 0.5),
  hardShrink: (x) => hardShrink(x),
  hardShrink_2: (x) => hardShrink(x, 2),
  softShrink: (x) => softShrink(x),
  tanhShrink,
  squareplus: (x) => squareplus(x),
  squareplus_1: (x) => squareplus(x, 1),
  sparsePlus,
  "threshold_1_-2": (x) => threshold(x, 1, -2),
};

describe("activations: forward values against NumPy (scripts/fixtures/nn.py)", () => {
  it("covers every fixture", () => {
    assert.deepEqual(Object.keys(ELEMENTWISE).sort(), Object.keys(fx.elementwise).sort());
  });
  for (const [name, f] of Object.entries(ELEMENTWISE)) {
    it(`${name} in float64 and float32, finite at ±1000`, () => {
      const expected = fx.elementwise[name];
      const y = f(f64(fx.x));
      assert.equal(y.dtype, "float64");
      assertClose(y, expected, { rtol: 1e-12, atol: 1e-15 });
      const y32 = f(f32(fx.x));
      assert.equal(y32.dtype, "float32");
      assertClose(y32, expected, { rtol: 1e-6, atol: 1e-7 });
      for (const v of y32.data) assert.ok(Number.isFinite(v), `${name} gave ${v}`);
    });
  }

  it("gelu defaults to the tanh approximation (Keras 3's approximate=True) and the forms differ", () => {
    const x = f64([1.5, -0.5]);
    assertClose(gelu(x), gelu(x, true), { rtol: 0, atol: 0 });
    const d = Math.abs((gelu(x, true).data[0] as number) - (gelu(x, false).data[0] as number));
    assert.ok(d > 1e-5 && d < 1e-3, `approximate and exact gelu differ by ${d}`);
    // Hand values: gelu_exact(1) = Φ(1) = 0.8413447460685429; tanh form 0.8411919906082768.
    assertClose(gelu(f64([1]), false), [0.8413447460685429], { rtol: 1e-14 });
    assertClose(gelu(f64([1]), true), [0.8411919906082768], { rtol: 1e-14 });
  });

  it("gelu exact keeps the far negative tail (no cancellation in 1 + erf)", () => {
    // x Φ(x) at x = -10: Φ(-10) = 7.61985302416047e-24.
    assertClose(gelu(f64([-10]), false), [-7.61985302416047e-23], { rtol: 1e-10 });
  });

  it("glu along the last and first axes", () => {
    assertClose(glu(f64(fx.x3)), f64(fx.glu["-1"]), { rtol: 1e-12 });
    assertClose(glu(f64(fx.x3), 0), f64(fx.glu["0"]), { rtol: 1e-12 });
  });

  it("swish is silu, hardSwish is hardSilu; hand values of a few ops", () => {
    assert.equal(swish, silu);
    assert.equal(hardSwish, hardSilu);
    assertClose(glu(f64([1, 2, 0, 0])), [0.5, 1]);
    assertClose(squareplus(f64([0])), [1]);
    assertClose(logSigmoid(f64([0])), [-Math.LN2]);
    assertClose(relu(f32([-2, 0, 3])), [0, 0, 3]);
    assertClose(sigmoid(f64([0])), [0.5]);
    assertClose(hardSigmoid(f64([-3, 0, 1.5, 3])), [0, 0.5, 0.75, 1]);
    assertClose(leakyRelu(f64([-2, 2])), [-0.4, 2]);
    assertClose(softsign(f64([-3, 1])), [-0.75, 0.5]);
    assertClose(softplus(f64([0])), [Math.LN2]);
  });

  it("relu propagates NaN as NumPy's maximum does", () => {
    assert.ok(Number.isNaN(relu(f32([Number.NaN])).data[0]));
  });

  for (const c of fx.softmax) {
    it(`softmax and logSoftmax with axis ${JSON.stringify(c.axis)}`, () => {
      const x = f64(fx.x3);
      assertClose(softmax(x, c.axis), f64(c.softmax), { rtol: 1e-12, atol: 1e-15 });
      assertClose(logSoftmax(x, c.axis), f64(c.logSoftmax), { rtol: 1e-12, atol: 1e-14 });
      assertClose(softmax(f32(fx.x3), c.axis), f64(c.softmax), { rtol: 1e-5, atol: 1e-7 });
      assertClose(logSoftmax(f32(fx.x3), c.axis), f64(c.logSoftmax), { rtol: 1e-5, atol: 1e-6 });
    });
  }

  it("softmax defaults to the last axis and sums to 1 along it", () => {
    const y = softmax(f64(fx.x3));
    assertClose(y, softmax(f64(fx.x3), -1), { rtol: 0, atol: 0 });
    assertClose(
      sum(y, -1),
      f64([
        [1, 1, 1],
        [1, 1, 1],
      ]),
      { rtol: 1e-14 },
    );
  });

  it("softmax and logSoftmax are stable for logits of ±1000", () => {
    for (const dt of ["float32", "float64"] as const) {
      const x = toTensor(fx.big, dt);
      assertClose(softmax(x), f64(fx.bigSoftmax), { rtol: 1e-6, atol: 1e-12 });
      assertClose(logSoftmax(x), f64(fx.bigLogSoftmax), { rtol: 1e-6, atol: 1e-6 });
      for (const v of logSoftmax(x).data) assert.ok(Number.isFinite(v));
    }
  });
});

describe("activations: gradients against finite differences", () => {
  // Points away from the kinks (0 and 6) so that central differences are meaningful.
  const x = randomTensor([3, 4], 7, -4, 8);
  const kinks = [0, 6, 0.5, -0.5, 1, -1, -3, 3];
  for (let i = 0; i < x.size; i++) if (kinks.some((k) => Math.abs(x.data[i] - k) < 0.03)) x.data[i] += 0.07;

  const cases: Record<string, Fn> = {
    relu,
    relu6,
    sigmoid,
    silu,
    softplus,
    softsign,
    "leakyRelu(0.2)": (t) => leakyRelu(t),
    "leakyRelu(0.05)": (t) => leakyRelu(t, 0.05),
    elu: (t) => elu(t),
    "elu(0.7)": (t) => elu(t, 0.7),
    selu,
    hardSigmoid,
    "gelu approximate": (t) => gelu(t, true),
    "gelu exact": (t) => gelu(t, false),
    logSigmoid,
    hardSilu,
    hardTanh,
    "celu(1)": (t) => celu(t),
    "celu(0.5)": (t) => celu(t, 0.5),
    "hardShrink(0.5)": (t) => hardShrink(t),
    "softShrink(0.5)": (t) => softShrink(t),
    tanhShrink,
    "squareplus(4)": (t) => squareplus(t),
    "squareplus(1)": (t) => squareplus(t, 1),
    sparsePlus,
    "threshold(1, -2)": (t) => threshold(t, 1, -2),
    "glu(-1)": (t) => glu(t),
  };
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => checkGrad(f, [x]));
  }

  it("glu(0) and glu(1) on a rank-3 tensor", () => {
    const x3 = randomTensor([2, 3, 4], 13, -3, 3);
    checkGrad((t) => glu(t, 0), [x3]);
    checkGrad((t) => glu(t, 2), [x3]);
  });

  it("squareplus with b = 0 is relu", () => {
    assertClose(squareplus(f64([-2, 0, 3]), 0), [0, 0, 3]);
  });

  it("relu's gradient is 0 at 0, leakyRelu's is 1 at 0 (x >= 0 branch)", () => {
    const g = grad((t: Tensor) => sum(relu(t)))(f64([0, 1, -1]));
    assertClose(g, [0, 1, 0]);
    const gl = grad((t: Tensor) => sum(leakyRelu(t, 0.1)))(f64([0, 1, -1]));
    assertClose(gl, [1, 1, 0.1]);
  });

  it("elu's gradient stays finite at large x (the masked expm1 branch does not overflow)", () => {
    const g = grad((t: Tensor) => sum(elu(t)))(f64([1000, -1000]));
    assertClose(g, [1, 0]);
  });

  it("second derivatives: sigmoid, silu and gelu exact", () => {
    const pts = f64([-1.3, 0.4, 2.1]);
    const d1 = (f: Fn) => (t: Tensor) => grad((u: Tensor) => sum(f(u)))(t) as Tensor;
    checkGrad(d1(sigmoid), [pts]);
    checkGrad(d1(silu), [pts]);
    checkGrad(
      d1((t) => gelu(t, false)),
      [pts],
    );
    checkGrad(
      d1((t) => gelu(t, true)),
      [pts],
    );
  });

  const x3 = randomTensor([2, 3, 4], 11, -3, 3);
  for (const axis of [-1, 0, 1, 2, [0, 2], [1, 2], null] as const) {
    it(`softmax over axis ${JSON.stringify(axis)}`, () => checkGrad((t) => softmax(t, axis), [x3]));
    it(`logSoftmax over axis ${JSON.stringify(axis)}`, () => checkGrad((t) => logSoftmax(t, axis), [x3]));
  }

  it("softmax's one-kernel gradient equals the composed ops' in float32, bit for bit, along any axis", () => {
    const x = castTensor(randomTensor([3, 5, 4], 21, -3, 3), "float32");
    const w = castTensor(randomTensor([3, 5, 4], 22), "float32");
    for (const axis of [0, 1, -1]) {
      const y = softmax(x, axis) as Tensor;
      const fused = grad((u: Tensor) => sum(multiply(softmax(u, axis), w)))(x) as Tensor;
      const composed = multiply(y, subtract(w, sum(multiply(w, y), axis, true))) as Tensor;
      assert.deepEqual(Array.from(fused.data), Array.from(composed.data), `axis ${axis}`);
    }
  });

  it("second derivative of softmax and logSoftmax", () => {
    const w = randomTensor([2, 3, 4], 5);
    const d1 = (f: Fn) => (t: Tensor) => grad((u: Tensor) => sum(multiply(f(u), w)))(t) as Tensor;
    checkGrad(
      d1((t) => softmax(t, 1)),
      [x3],
    );
    checkGrad(
      d1((t) => logSoftmax(t, -1)),
      [x3],
    );
  });
});

describe("activations: symbolic tensors and errors", () => {
  const s = new SymbolicTensor([null, 3, 5], "float32");

  it("every op maps a symbolic tensor to one of the same shape, null kept", () => {
    const all: ((t: SymbolicTensor) => SymbolicTensor)[] = [
      relu,
      relu6,
      sigmoid,
      silu,
      softplus,
      softsign,
      (t) => leakyRelu(t),
      (t) => elu(t),
      selu,
      hardSigmoid,
      (t) => gelu(t),
      (t) => gelu(t, false),
      (t) => softmax(t),
      (t) => softmax(t, [1, 2]),
      (t) => logSoftmax(t, 1),
      (t) => logSoftmax(t, [0, 2]),
      logSigmoid,
      hardSilu,
      hardTanh,
      (t) => celu(t),
      (t) => hardShrink(t),
      (t) => softShrink(t),
      tanhShrink,
      (t) => squareplus(t),
      sparsePlus,
      (t) => threshold(t, 0, 1),
    ];
    for (const f of all) {
      const y = f(s);
      assert.ok(y instanceof SymbolicTensor);
      assert.deepEqual(y.shape, [null, 3, 5]);
      assert.equal(y.dtype, "float32");
    }
  });

  it("int and bool tensors are rejected with the op name and dtype", () => {
    const ints = toTensor([1, -2], "int32");
    const bools = toTensor([true, false]);
    assert.throws(() => relu(ints), { name: "TypeError", message: /ops\.relu: .*received dtype int32/ });
    assert.throws(() => gelu(ints, false), { name: "TypeError", message: /ops\.gelu: .*received dtype int32/ });
    assert.throws(() => gelu(ints), { name: "TypeError", message: /ops\.gelu: .*received dtype int32/ });
    assert.throws(() => softmax(bools), { name: "TypeError", message: /ops\.softmax: .*received dtype bool/ });
    assert.throws(() => logSoftmax(ints), { name: "TypeError", message: /ops\.logSoftmax: .*received dtype int32/ });
    assert.throws(() => elu(ints), { name: "TypeError", message: /ops\.elu: .*received dtype int32/ });
    assert.throws(() => selu(bools), { name: "TypeError", message: /ops\.selu: .*received dtype bool/ });
    assert.throws(() => hardSigmoid(ints), { name: "TypeError", message: /ops\.hardSigmoid: .*int32/ });
    assert.throws(() => softsign(ints), { name: "TypeError", message: /ops\.softsign: .*int32/ });
    assert.throws(() => relu(new SymbolicTensor([null, 2], "int32")), /ops\.relu: .*int32/);
  });

  it("an out-of-range softmax axis names the op and the rank", () => {
    assert.throws(() => softmax(f32([[1, 2]]), 2), /ops\.softmax: axis 2 is out of range for a tensor of rank 2/);
    assert.throws(() => logSoftmax(s, -4), /ops\.logSoftmax: axis -4 is out of range for a tensor of rank 3/);
    assert.throws(() => softmax(s, [1, 1]), /ops\.softmax: repeated axis/);
  });

  it("glu halves the axis, and rejects an odd size", () => {
    const y = glu(new SymbolicTensor([null, 3, 6], "float32"));
    assert.deepEqual(y.shape, [null, 3, 3]);
    assert.throws(() => glu(f32([[1, 2, 3]])), /ops\.glu: axis -1 must have an even size .*received shape \[1, 3\]/);
    assert.throws(() => glu(toTensor([[1, 2]], "int32")), { name: "TypeError", message: /ops\.glu: .*int32/ });
  });

  it("the composed activations reject int tensors by name", () => {
    const ints = toTensor([1, -2], "int32");
    for (const [name, f] of Object.entries({
      logSigmoid,
      hardSilu,
      hardTanh,
      celu,
      hardShrink,
      softShrink,
      tanhShrink,
      squareplus,
      sparsePlus,
    })) {
      assert.throws(() => (f as (t: Tensor) => Tensor)(ints), {
        name: "TypeError",
        message: new RegExp(`ops\\.${name}: .*int32`),
      });
    }
    assert.throws(() => celu(f32([1]), 0), /ops\.celu: alpha must be a finite non-zero number/);
    assert.throws(() => squareplus(f32([1]), -1), /ops\.squareplus: b must be >= 0/);
  });

  it("leakyRelu rejects a non-finite slope", () => {
    assert.throws(() => leakyRelu(f32([1]), Number.NaN), /ops\.leakyRelu: negativeSlope must be a finite number/);
  });
});
