// activationGrad: values by hand, gradients (and gradients of gradients) against finite differences.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toTensor } from "../../backend/convert.js";
import type { Tensor } from "../../backend/tensor.js";
import { grad } from "../../autodiff/grad.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { multiply, tanh } from "../elementwise.js";
import { sum } from "../reduction.js";
import { activationGrad, relu, relu6, sigmoid } from "./activations.js";

const f64 = (a: number[]) => toTensor(a, "float64");
const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** The operand activationGrad reads for `kind`: y = f(x) or x. */
const operand = (kind: string, x: Tensor): Tensor =>
  kind === "sigmoid" ? (sigmoid(x) as Tensor) : kind === "tanh" ? (tanh(x) as Tensor) : x;

describe("activationGrad", () => {
  const dy = [0.5, -2, 3, 1.5, -0.25, 4];
  const x = [-1.5, 0, 0.5, 2, 6, 7];

  it("computes dy · f'(x) from y (relu, relu6, sigmoid, tanh) or x (leakyRelu, silu), float64 and float32", () => {
    const y = {
      relu: x.map((v) => Math.max(v, 0)),
      relu6: x.map((v) => Math.min(Math.max(v, 0), 6)),
      sigmoid: x.map(sig),
      tanh: x.map(Math.tanh),
    };
    const want: Record<string, [number[], number[]]> = {
      relu: [y.relu, [0, 0, 3, 1.5, -0.25, 4]],
      relu6: [y.relu6, [0, 0, 3, 1.5, 0, 0]],
      sigmoid: [y.sigmoid, x.map((v, i) => dy[i] * sig(v) * (1 - sig(v)))],
      tanh: [y.tanh, x.map((v, i) => dy[i] * (1 - Math.tanh(v) ** 2))],
      leakyRelu: [x, [0.5 * 0.3, -2, 3, 1.5, -0.25, 4]],
      silu: [x, x.map((v, i) => dy[i] * (sig(v) + v * sig(v) * (1 - sig(v))))],
    };
    for (const [kind, [t, expected]] of Object.entries(want)) {
      for (const dtype of ["float64", "float32"] as const) {
        const got = activationGrad(kind, toTensor(dy, dtype), toTensor(t, dtype), 0.3);
        assert.equal(got.dtype, dtype);
        assertClose(got, expected, dtype === "float32" ? { rtol: 1e-6, atol: 1e-7 } : undefined);
      }
    }
  });

  it("runs the same on sizes above the native thresholds (float32) as in float64", () => {
    const n = 5003;
    const d = randomTensor([n], 3, -2, 2);
    const xs = randomTensor([n], 4, -8, 8);
    for (const kind of ["relu", "relu6", "sigmoid", "tanh", "leakyRelu", "silu"]) {
      const t = operand(kind, xs);
      const want = activationGrad(kind, d, t, 0.2);
      const got = activationGrad(
        kind,
        toTensor(Array.from(d.data), "float32"),
        toTensor(Array.from(t.data), "float32"),
        0.2,
      );
      assertClose(got, Array.from(want.data), { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it("is the gradient of relu, relu6 and sigmoid (kinks: 0 at 0 and 6)", () => {
    const g = grad((t: Tensor) => sum(multiply(relu(t), f64([1, 2, 3, 4]))))(f64([-1, 0, 2, 7]));
    assertClose(g, [0, 0, 3, 4]);
    const g6 = grad((t: Tensor) => sum(relu6(t)))(f64([-1, 0, 2, 6, 7]));
    assertClose(g6, [0, 0, 1, 0, 0]);
  });

  // Points away from the kinks 0 and 6.
  const xs = f64([-2.3, -0.7, 0.4, 1.9, 3.3, 5.2, 6.8, 9.1]);
  const w = randomTensor([8], 5, -2, 2);

  for (const kind of ["relu", "relu6", "sigmoid", "tanh", "leakyRelu", "silu"]) {
    it(`${kind}: gradients in dy and in t against finite differences`, () => {
      // t itself is the input, so the derivative in t is checked directly, not through f.
      checkGrad((d, t) => activationGrad(kind, d, t, 0.2), [w, operand(kind, xs)]);
    });

    it(`${kind}: gradient of the gradient through f (second derivative of the activation)`, () => {
      checkGrad((t) => activationGrad(kind, w, operand(kind, t), 0.2), [xs]);
    });
  }

  it("third derivatives (the gradient of activationGrad's own gradient): sigmoid, tanh, silu", () => {
    for (const kind of ["sigmoid", "tanh", "silu"]) {
      const d2 = (t: Tensor) => grad((u: Tensor) => sum(activationGrad(kind, w, operand(kind, u))))(t) as Tensor;
      checkGrad(d2, [xs]);
    }
  });

  it("rejects unknown kinds, int tensors and mismatched shapes, naming the op", () => {
    assert.throws(() => activationGrad("gelu", f64([1]), f64([1])), /ops\.activationGrad: unknown activation 'gelu'/);
    assert.throws(
      () => activationGrad("relu", toTensor([1], "int32"), toTensor([1], "int32")),
      /ops\.activationGrad: dy must be a float tensor/,
    );
    assert.throws(
      () => activationGrad("relu", f64([1, 2]), f64([1, 2, 3])),
      /ops\.activationGrad: dy and y must have one shape and dtype, received \[2\] float64 and \[3\] float64/,
    );
  });
});
