import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { convertToTensor as t } from "../ops/creation.js";
import * as ops from "../ops/elementwise.js";
import { sum } from "../ops/reduction.js";
import { stopGradient } from "../ops/gradient.js";
import { assertClose, checkGrad } from "../testing/gradcheck.js";
import { grad, valueAndGrad } from "./grad.js";
import { GradientTape } from "./tape.js";

describe("grad and valueAndGrad", () => {
  it("differentiates a scalar function", () => {
    const g = grad((x: Tensor) => sum(ops.multiply(ops.square(x), x)))(t([1, 2, 3]));
    assertClose(g, [3, 12, 27]);
  });

  it("takes argnums and nested structures", () => {
    const f = (p: { w: Tensor; b: Tensor[] }, x: Tensor) => sum(ops.add(ops.multiply(p.w, x), ops.multiply(p.b[0], 2)));
    const [gp, gx] = grad(f, [0, 1])({ w: t([1, 2]), b: [t([5, 5])] }, t([3, 4])) as [
      { w: Tensor; b: Tensor[] },
      Tensor,
    ];
    assertClose(gp.w, [3, 4]);
    assertClose(gp.b[0], [2, 2]);
    assertClose(gx, [1, 2]);
    const [v, g] = valueAndGrad((x: Tensor) => sum(ops.square(x)))(t([3, 4]));
    assert.equal(v.item(), 25);
    assertClose(g, [6, 8]);
  });

  it("gives zeros for an argument the function does not use", () => {
    const g = grad((_x: Tensor, y: Tensor) => sum(y), 0)(t([1, 2]), t([3]));
    assertClose(g, [0, 0]);
  });

  it("sums the gradient of a tensor used twice", () => {
    assertClose(grad((x: Tensor) => sum(ops.add(ops.multiply(x, 3), ops.sin(x))))(t([0])), [4]);
  });

  it("nests: second and third derivatives", () => {
    const f = (x: Tensor) => sum(ops.multiply(ops.square(x), x)); // x^3
    const df = (x: Tensor) => sum(grad(f)(x)); // 3x^2
    const ddf = (x: Tensor) => sum(grad(df)(x)); // 6x
    assertClose(grad(df)(t([1, 2])), [6, 12]);
    assertClose(grad(ddf)(t([1, 2])), [6, 6]);
    // the gradient of a gradient agrees with finite differences of the first gradient
    checkGrad(
      (x) => sum(ops.multiply(grad((y: Tensor) => sum(ops.exp(ops.sin(y))))(x), x)),
      [t([0.3, -0.7], "float64")],
    );
  });

  it("supports a VAT-style inner gradient with respect to a perturbation", () => {
    // d/dw of L(w) = sum((w * (x + r_adv))^2) where r_adv = stopGradient(grad of a divergence w.r.t. r at r = 0)
    const x = t([1, 2], "float64");
    const loss = (w: Tensor) => {
      const r0 = t([0, 0], "float64");
      const div = (r: Tensor) => sum(ops.square(ops.multiply(w, ops.add(x, r))));
      const rAdv = stopGradient(grad(div)(r0));
      return sum(ops.square(ops.multiply(w, ops.add(x, rAdv))));
    };
    // r_adv = 2 w^2 x = [0.5, 9]; with r_adv held constant, dL/dw = 2 w (x + r_adv)^2.
    assertClose(grad(loss)(t([0.5, -1.5], "float64")), [2 * 0.5 * 1.5 ** 2, 2 * -1.5 * 11 ** 2]);
  });

  it("errors on non-float arguments and non-scalar results", () => {
    assert.throws(
      () => grad((x: Tensor) => sum(x))(t([1, 2], "int32")),
      /keras\.grad: argument 0 holds a int32 tensor/,
    );
    assert.throws(
      () => grad((x: Tensor) => ops.square(x))(t([1, 2])),
      /must return a scalar tensor, received shape \[2\]/,
    );
  });
});

describe("GradientTape", () => {
  it("watches trainable variables automatically and not others", () => {
    const w = new Variable([1, 2], { name: "w" });
    const frozen = new Variable([3, 4], { name: "frozen", trainable: false });
    const tape = new GradientTape();
    const loss = tape.record(() => sum(ops.multiply(ops.multiply(w, frozen), w)));
    const [gw, gf] = tape.gradient(loss, [w, frozen]);
    assertClose(gw as Tensor, [6, 16]);
    assert.equal(gf, null);
  });

  it("returns null or zeros for unconnected sources, and is single-use unless persistent", () => {
    const x = t([1, 2]);
    const y = t([3]);
    const tape = new GradientTape({ persistent: true });
    tape.watch(x, y);
    const z = tape.record(() => sum(ops.square(x)));
    assert.deepEqual(tape.gradient(z, [y]), [null]);
    assertClose(tape.gradient(z, [y], { unconnected: "zero" })[0] as Tensor, [0]);
    const once = new GradientTape();
    once.watch(x);
    const z2 = once.record(() => sum(x));
    once.gradient(z2, [x]);
    assert.throws(() => once.gradient(z2, [x]), /non-persistent tape can be used once/);
  });

  it("stops at stopGradient and at integer casts", () => {
    const x = t([1, 2]);
    const tape = new GradientTape({ persistent: true });
    tape.watch(x);
    const a = tape.record(() => sum(ops.multiply(stopGradient(x), x)));
    assertClose(tape.gradient(a, [x])[0] as Tensor, [1, 2]);
    const b = tape.record(() => sum(ops.cast(ops.cast(x, "int32"), "float32")));
    assert.equal(tape.gradient(b, [x])[0], null);
  });

  it("refuses integer targets and sources", () => {
    const x = t([1, 2]);
    const tape = new GradientTape({ persistent: true });
    tape.watch(x);
    const n = tape.record(() => ops.cast(sum(x), "int32"));
    assert.throws(() => tape.gradient(n, [x]), /the target has dtype int32; gradients flow only through float tensors/);
    const i = t([1], "int32");
    assert.throws(() => tape.gradient(sum(x), [i]), /source 0 has dtype int32/);
  });

  it("sees assignments made during the step (state such as BEGAN's k)", () => {
    const k = new Variable(0, { trainable: false, name: "k" });
    const w = new Variable([2], { name: "w" });
    const tape = new GradientTape();
    const loss = tape.record(() => {
      const l = sum(ops.multiply(w, ops.add(k, 1)));
      k.assign(ops.add(k, 0.5));
      return l;
    });
    assert.equal(k.peek().item(), 0.5);
    assertClose(tape.gradient(loss, [w])[0] as Tensor, [1]);
  });
});

describe("gradients nobody asked for", () => {
  it("are not computed: the input data of a product gets no gradient work", async () => {
    const { kernels } = await import("../backend/kernels.js");
    const { matmul } = await import("../ops/linalg.js");
    const x = t([
      [1, 2],
      [3, 4],
    ]);
    const w = new Variable(t([[1], [-1]]));
    const k = kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
    const original = k.matmul;
    let calls = 0;
    k.matmul = (...a: unknown[]) => {
      calls++;
      return original(...a);
    };
    try {
      const tape = new GradientTape();
      const loss = tape.record(() => sum(ops.square(matmul(x, w) as Tensor)));
      calls = 0;
      const [gw] = tape.gradient(loss, [w]);
      // dW = x^T dY only; dX = dY W^T is skipped (x is not watched).
      assert.equal(calls, 1);
      // y = [-1, -1], dY = 2y = [-2, -2]; dW = x^T dY = [-8, -12].
      assertClose(gw as Tensor, [[-8], [-12]]);
    } finally {
      k.matmul = original;
    }
  });
});
