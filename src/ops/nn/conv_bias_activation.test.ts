// convBiasActivation (the Conv layers' fused op): values against conv + bias + activation composed,
// gradients and gradients of gradients against finite differences, symbolic shapes, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grad } from "../../autodiff/grad.js";
import { castTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { add, multiply } from "../elementwise.js";
import { sum } from "../reduction.js";
import { reshape } from "../shape.js";
import { relu, relu6 } from "./activations.js";
import { type ConvOptions, type FusedActivation, conv, convBiasActivation } from "./conv.js";

/** The unfused reference: activation(conv(x, w) + b), bias on the channel axis. */
function composed(x: Tensor, w: Tensor, b: Tensor | null, act: FusedActivation, o: ConvOptions): Tensor {
  let y = conv(x, w, o) as Tensor;
  if (b) {
    const first = o.dataFormat === "channels_first";
    const shape = first ? [1, b.size, ...new Array(x.rank - 2).fill(1)] : [b.size];
    y = add(y, reshape(b, shape)) as Tensor;
  }
  return (act === "relu" ? relu(y) : act === "relu6" ? relu6(y) : y) as Tensor;
}

const f32 = (t: Tensor) => castTensor(t, "float32");

const CASES: [string, number[], number[], ConvOptions][] = [
  ["2-d valid", [2, 7, 6, 3], [3, 3, 3, 5], {}],
  ["2-d same, strides 2, dilation 1", [2, 9, 8, 2], [3, 2, 2, 4], { strides: 2, padding: "same" }],
  ["2-d grouped, channels_first", [2, 4, 6, 5], [3, 3, 2, 6], { dataFormat: "channels_first" }],
  ["1-d dilated", [3, 11, 2], [3, 2, 4], { dilationRate: 2 }],
  ["3-d", [1, 4, 5, 4, 2], [2, 2, 3, 2, 3], { padding: "same" }],
];

describe("convBiasActivation", () => {
  for (const [name, xs, ws, o] of CASES) {
    it(`${name}: equals conv + bias + activation (float64 TypeScript, float32 native)`, () => {
      const x = randomTensor(xs, 1, -2, 2);
      const w = randomTensor(ws, 2);
      const O = ws[ws.length - 1];
      const b = randomTensor([O], 3);
      for (const act of ["relu", "relu6", null] as const) {
        for (const bias of [b, null]) {
          const want = composed(x, w, bias, act, o);
          assertClose(convBiasActivation(x, w, bias, act, o), want);
          const got32 = convBiasActivation(f32(x), f32(w), bias && f32(bias), act, o) as Tensor;
          assert.equal(got32.dtype, "float32");
          assertClose(got32, want, { rtol: 1e-5, atol: 1e-5 });
        }
      }
    });

    it(`${name}: gradients in x, w and b against finite differences`, () => {
      const x = randomTensor(xs, 4, -2, 2);
      const w = randomTensor(ws, 5);
      const b = randomTensor([ws[ws.length - 1]], 6);
      for (const act of ["relu", "relu6", null] as const) {
        checkGrad((a, k, c) => convBiasActivation(a, k, c, act, o), [x, w, b]);
      }
      checkGrad((a, k) => convBiasActivation(a, k, null, "relu", o), [x, w]);
    });
  }

  it("the gradient in float32 (native kernels) matches the composed ops'", () => {
    const x = f32(randomTensor([4, 12, 12, 3], 7, -2, 2));
    const w = f32(randomTensor([3, 3, 3, 8], 8));
    const b = f32(randomTensor([8], 9));
    const v = f32(randomTensor([4, 10, 10, 8], 10));
    const loss = (f: typeof composed) => (a: Tensor, k: Tensor, c: Tensor) => sum(multiply(f(a, k, c, "relu", {}), v));
    const fused = (a: Tensor, k: Tensor, c: Tensor | null, act: FusedActivation, o: ConvOptions) =>
      convBiasActivation(a, k, c, act, o) as Tensor;
    const want = grad(loss(composed), [0, 1, 2])(x, w, b) as Tensor[];
    const got = grad(loss(fused), [0, 1, 2])(x, w, b) as Tensor[];
    for (let i = 0; i < 3; i++) assertClose(got[i], want[i], { rtol: 1e-5, atol: 1e-5 });
  });

  it("second order: gradients of its gradients in x, w and b", () => {
    const o: ConvOptions = { strides: 2, padding: "same" };
    const x = randomTensor([1, 5, 4, 2], 11, -2, 2);
    const w = randomTensor([3, 2, 2, 3], 12);
    const b = randomTensor([3], 13);
    const v = randomTensor([1, 3, 2, 3], 14);
    const f = (a: Tensor, k: Tensor, c: Tensor) => sum(multiply(convBiasActivation(a, k, c, "relu", o), v));
    // The relu mask is constant around these points: the gradients are linear in the other inputs.
    for (const i of [0, 1, 2]) checkGrad((a, k, c) => grad(f, i)(a, k, c) as Tensor, [x, w, b]);
  });

  it("keeps null dims of symbolic inputs", () => {
    const x = new SymbolicTensor([null, 8, 7, 3], "float32");
    const y = convBiasActivation(x, f32(randomTensor([3, 3, 3, 4], 1)), f32(randomTensor([4], 2)), "relu", {
      padding: "same",
    });
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 8, 7, 4]);
  });

  it("rejects a bias that is not one value per output channel, naming the op", () => {
    const x = randomTensor([1, 5, 5, 2], 1);
    const w = randomTensor([3, 3, 2, 4], 2);
    assert.throws(
      () => convBiasActivation(x, w, randomTensor([3], 3), "relu"),
      /ops\.conv: the bias must be a vector of the 4 output channels with dtype float64, received shape \[3\]/,
    );
    assert.throws(
      () => convBiasActivation(x, w, randomTensor([1, 4], 3), null),
      /ops\.conv: the bias must be a vector of the 4 output channels/,
    );
  });
});
