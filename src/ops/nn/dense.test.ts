// ops.dense (the Dense layer's fused op): values against matmul + bias + activation composed,
// gradients and gradients of gradients against finite differences, symbolic shapes, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grad } from "../../autodiff/grad.js";
import { castTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { add, multiply } from "../elementwise.js";
import { matmul } from "../linalg.js";
import { sum } from "../reduction.js";
import { relu, relu6 } from "./activations.js";
import type { FusedActivation } from "./conv.js";
import { dense } from "./dense.js";

function composed(x: Tensor, w: Tensor, b: Tensor | null, act: FusedActivation): Tensor {
  let y = matmul(x, w) as Tensor;
  if (b) y = add(y, b) as Tensor;
  return (act === "relu" ? relu(y) : act === "relu6" ? relu6(y) : y) as Tensor;
}

const f32 = (t: Tensor) => castTensor(t, "float32");
const ACTS: FusedActivation[] = [null, "relu", "relu6"];

describe("ops.dense", () => {
  for (const xs of [
    [5, 7],
    [2, 3, 7],
    [130, 64],
  ]) {
    for (const act of ACTS) {
      it(`inputs [${xs}], activation ${act}: equals matmul + bias + activation (float64, and float32 native)`, () => {
        const x = randomTensor(xs, 1, -4, 4);
        const w = randomTensor([xs[xs.length - 1], 9], 2, -1, 1);
        const b = randomTensor([9], 3, -1, 1);
        assertClose(dense(x, w, b, act), composed(x, w, b, act), { rtol: 1e-12, atol: 1e-12 });
        assertClose(dense(x, w, null, act), composed(x, w, null, act), { rtol: 1e-12, atol: 1e-12 });
        assertClose(dense(f32(x), f32(w), f32(b), act), composed(f32(x), f32(w), f32(b), act), {
          rtol: 1e-5,
          atol: 1e-5,
        });
      });
    }
  }

  for (const act of ACTS) {
    it(`gradients in inputs, kernel and bias (activation ${act}), and gradients of gradients`, () => {
      // Inputs away from the activation's kinks (0 and 6) so that finite differences are valid.
      const x = randomTensor([2, 3, 4], 4, 0.5, 1.5);
      const w = randomTensor([4, 5], 5, -1, 1);
      const b = randomTensor([5], 6, -0.2, 0.2);
      checkGrad((a, k, c) => dense(a, k, c, act), [x, w, b]);
      checkGrad((a, k) => dense(a, k, null, act), [x, w]);
      const g = (k: Tensor) =>
        sum(multiply(grad((a: Tensor) => sum(multiply(dense(a, k, b, act), dense(a, k, b, act))) as Tensor)(x), x));
      checkGrad((k) => g(k) as Tensor, [w]);
    });
  }

  it("the gradient with respect to the kernel alone equals the composed ops'", () => {
    const x = randomTensor([3, 4], 7);
    const w = randomTensor([4, 2], 8);
    const gw = grad((k: Tensor) => sum(dense(x, k, null, "relu")) as Tensor)(w) as Tensor;
    assertClose(gw, grad((k: Tensor) => sum(composed(x, k, null, "relu")) as Tensor)(w) as Tensor);
  });

  it("keeps unknown dims of symbolic inputs", () => {
    const y = dense(new SymbolicTensor([null, 3, 4], "float32"), new SymbolicTensor([4, 6], "float32"), null, "relu");
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 3, 6]);
  });

  it("names the op and the shapes or dtypes on bad input", () => {
    const x = randomTensor([2, 3]);
    assert.throws(
      () => dense(x, randomTensor([4, 5]), null),
      /ops\.dense: expected inputs \[\.\.\., k\].*received inputs \[2, 3\], kernel \[4, 5\]/,
    );
    assert.throws(() => dense(x, randomTensor([3, 5]), randomTensor([4])), /ops\.dense:.*bias \[4\]/);
    assert.throws(
      () => dense(x, f32(randomTensor([3, 5])), null),
      /ops\.dense: inputs, kernel and bias must share one float dtype.*float64, float32/,
    );
  });
});
