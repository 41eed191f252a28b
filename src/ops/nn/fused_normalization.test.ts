import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grad } from "../../autodiff/grad.js";
import { castTensor, toTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { add, multiply, rsqrt, square, subtract } from "../elementwise.js";
import { sum } from "../reduction.js";
import { reshape } from "../shape.js";
import { channelAffine, consecutiveAxes, fusedBatchNorm, fusedLayerNorm } from "./fused_normalization.js";
import { moments } from "./normalization.js";

type Norm = (x: Tensor, g: Tensor | null, b: Tensor | null) => [Tensor, Tensor, Tensor];

interface Case {
  name: string;
  shape: number[];
  /** The fused op under test and its composed-ops reference (same outputs, same statistics shapes). */
  fused: Norm;
  composed: Norm;
  /** Shape of gamma and beta. */
  param: number[];
}

/** Reference built from moments and element-wise ops: statistics over `reduce`, parameters along `paramAxes`. */
function composedNorm(reduce: number[], paramAxes: number[], statShape: (s: number[]) => number[], eps: number): Norm {
  return (x, g, b) => {
    const [m, v] = moments(x, reduce, true);
    const pshape = x.shape.map((d, i) => (paramAxes.includes(i) ? d : 1));
    let y = multiply(subtract(x, m), rsqrt(add(v, toTensor(eps, x.dtype))));
    if (g) y = multiply(y, reshape(g, pshape));
    if (b) y = add(y, reshape(b, pshape));
    return [y, reshape(m, statShape(x.shape)), reshape(v, statShape(x.shape))];
  };
}

function bnCase(shape: number[], axis: number, eps = 1e-3): Case {
  const a = axis < 0 ? axis + shape.length : axis;
  const reduce = shape.map((_, i) => i).filter((i) => i !== a);
  return {
    name: `batch norm ${JSON.stringify(shape)} axis ${axis}`,
    shape,
    param: [shape[a]],
    fused: (x, g, b) => fusedBatchNorm(x, g, b, axis, eps),
    composed: composedNorm(reduce, [a], (s) => [s[a]], eps),
  };
}

function lnCase(shape: number[], axes: number[], eps = 1e-3): Case {
  const ax = axes.map((a) => (a < 0 ? a + shape.length : a));
  return {
    name: `layer norm ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`,
    shape,
    param: ax.map((a) => shape[a]),
    fused: (x, g, b) => fusedLayerNorm(x, g, b, axes, eps),
    composed: composedNorm(ax, ax, (s) => s.map((d, i) => (ax.includes(i) ? 1 : d)), eps),
  };
}

const cases: Case[] = [
  bnCase([4, 3], -1),
  bnCase([2, 3, 5], 1),
  bnCase([3, 2, 2, 3], -1, 1e-5),
  bnCase([5, 4], 0),
  bnCase([2, 3, 2, 2], 1),
  lnCase([3, 5], [-1]),
  lnCase([2, 3, 4], [1, 2]),
  lnCase([2, 3, 4], [1]),
  lnCase([4, 2, 3], [0], 1e-5),
];

const variants: [boolean, boolean][] = [
  [true, true],
  [true, false],
  [false, true],
  [false, false],
];

describe("fused normalization: values against the composed ops", () => {
  for (const [ci, c] of cases.entries()) {
    it(`${c.name}: y, mean and variance, every gamma/beta combination, float64 and float32`, () => {
      const x = randomTensor(c.shape, 10 + ci, -2, 3);
      const g = randomTensor(c.param, 20 + ci, 0.5, 2);
      const b = randomTensor(c.param, 30 + ci);
      for (const [hg, hb] of variants) {
        const got = c.fused(x, hg ? g : null, hb ? b : null);
        const want = c.composed(x, hg ? g : null, hb ? b : null);
        for (let k = 0; k < 3; k++) assertClose(got[k], want[k], { rtol: 1e-12, atol: 1e-13 });
        const f32 = (t: Tensor) => castTensor(t, "float32");
        const got32 = c.fused(f32(x), hg ? f32(g) : null, hb ? f32(b) : null);
        for (let k = 0; k < 3; k++) {
          assert.equal(got32[k].dtype, "float32");
          assertClose(got32[k], want[k], { rtol: 1e-5, atol: 1e-5 });
        }
      }
    });
  }

  it("by hand: [[1, 2, 3, 6]] over the last axis, epsilon 0", () => {
    const [y, m, v] = fusedLayerNorm(toTensor([[1, 2, 3, 6]], "float64"), null, null, -1, 0);
    const s = Math.sqrt(3.5);
    assertClose(y, [[-2 / s, -1 / s, 0, 3 / s]], { rtol: 1e-14 });
    assertClose(m, [[3]]);
    assertClose(v, [[3.5]]);
    // Batch norm of the same numbers as a column: one channel.
    const [yb, mb, vb] = fusedBatchNorm(toTensor([[1], [2], [3], [6]], "float64"), [2], [1], 1, 0);
    assertClose(yb, [[1 - 4 / s], [1 - 2 / s], [1], [1 + 6 / s]], { rtol: 1e-14 });
    assertClose(mb, [3]);
    assertClose(vb, [3.5]);
  });

  it("stable for a large offset (two passes in double)", () => {
    const [, m, v] = fusedBatchNorm(
      toTensor([[10000.5], [10001.5], [10002.5], [10003.5]], "float32"),
      null,
      null,
      1,
      0,
    );
    assertClose(m, [10002], { rtol: 1e-7 });
    assertClose(v, [1.25], { rtol: 1e-7 });
  });

  it("channelAffine: x * scale + shift along an axis, with gradients", () => {
    const x = randomTensor([2, 3, 4], 40);
    const s = randomTensor([3], 41);
    const t = randomTensor([3], 42);
    const want = add(multiply(x, reshape(s, [1, 3, 1])), reshape(t, [1, 3, 1]));
    assertClose(channelAffine(x, s, t, 1), want, { rtol: 1e-14, atol: 1e-15 });
    assertClose(channelAffine(x, s, null, 1), multiply(x, reshape(s, [1, 3, 1])), { rtol: 1e-14, atol: 1e-15 });
    checkGrad((a, b, c) => channelAffine(a, b, c, 1), [x, s, t]);
    checkGrad((a, b) => channelAffine(a, b, null, 2), [x, randomTensor([4], 43)]);
  });
});

/** A scalar of all three outputs, so that the gradients of mean and variance take part too. */
function scalarOf(outs: Tensor[], seed: number, withStats: boolean): Tensor {
  let total = sum(multiply(outs[0], randomTensor(outs[0].shape, seed)));
  if (withStats) {
    total = add(total, sum(multiply(outs[1], randomTensor(outs[1].shape, seed + 1))));
    total = add(total, sum(multiply(outs[2], randomTensor(outs[2].shape, seed + 2))));
  }
  return total;
}

describe("fused normalization: gradients (float64, finite differences)", () => {
  for (const [ci, c] of cases.entries()) {
    it(`${c.name}: dx, dgamma, dbeta, with and without the statistics' gradients`, () => {
      const x = randomTensor(c.shape, 50 + ci, -2, 2);
      const g = randomTensor(c.param, 60 + ci, 0.5, 2);
      const b = randomTensor(c.param, 70 + ci);
      for (const stats of [false, true]) {
        checkGrad((xx, gg, bb) => scalarOf(c.fused(xx, gg, bb), 5, stats), [x, g, b]);
        checkGrad((xx) => scalarOf(c.fused(xx, null, null), 6, stats), [x]);
        checkGrad((xx, gg) => scalarOf(c.fused(xx, gg, null), 7, stats), [x, g]);
      }
    });

    it(`${c.name}: second order (the gradient op's own gradient) against finite differences`, () => {
      const x = randomTensor(c.shape, 80 + ci, -2, 2);
      const g = randomTensor(c.param, 90 + ci, 0.5, 2);
      const b = randomTensor(c.param, 100 + ci);
      const w = randomTensor(c.shape, 110 + ci);
      // The gradients of a loss with weights w, as a function of x, gamma, beta and w (dy = w).
      const firstOrder = (xx: Tensor, gg: Tensor, bb: Tensor, ww: Tensor) => {
        const loss = (a: Tensor, p: Tensor, q: Tensor) => {
          const [y, m, v] = c.fused(a, p, q);
          return add(sum(multiply(y, ww)), add(sum(square(m)), sum(v)));
        };
        const [dx, dg, db] = grad(loss, [0, 1, 2])(xx, gg, bb) as Tensor[];
        return add(
          add(sum(multiply(dx, randomTensor(dx.shape, 1))), sum(multiply(dg, randomTensor(dg.shape, 2)))),
          sum(multiply(db, randomTensor(db.shape, 3))),
        );
      };
      checkGrad(firstOrder, [x, g, b, w], { rtol: 1e-5, atol: 1e-6 });
    });

    it(`${c.name}: gradient of a gradient norm equals the composed ops' one`, () => {
      const x = randomTensor(c.shape, 120 + ci, -2, 2);
      const g = randomTensor(c.param, 130 + ci, 0.5, 2);
      const b = randomTensor(c.param, 140 + ci);
      const w = randomTensor(c.shape, 150 + ci);
      const penalty = (norm: Norm) => (xx: Tensor, gg: Tensor, bb: Tensor) => {
        const loss = (a: Tensor, p: Tensor) => sum(multiply(norm(a, p, bb)[0], w));
        const [dx, dg] = grad(loss, [0, 1])(xx, gg) as Tensor[];
        return add(sum(square(dx)), sum(square(dg)));
      };
      const got = grad(penalty(c.fused), [0, 1, 2])(x, g, b) as Tensor[];
      const want = grad(penalty(c.composed), [0, 1, 2])(x, g, b) as Tensor[];
      for (let k = 0; k < 3; k++) assertClose(got[k], want[k], { rtol: 1e-9, atol: 1e-11 });
    });
  }
});

describe("fused normalization: symbolic shapes and errors", () => {
  it("symbolic tensors keep null dims", () => {
    const s = new SymbolicTensor([null, 5, 8], "float32");
    const [y, m, v] = fusedBatchNorm(s, toTensor(new Array(8).fill(1)), null, -1, 1e-3);
    assert.deepEqual([y.shape, m.shape, v.shape], [[null, 5, 8], [8], [8]]);
    const [y2, m2] = fusedLayerNorm(s, null, reshape(toTensor(new Array(40).fill(0), "float32"), [5, 8]), [1, 2], 1e-3);
    assert.deepEqual(
      [y2.shape, m2.shape],
      [
        [null, 5, 8],
        [null, 1, 1],
      ],
    );
    assert.ok(y instanceof SymbolicTensor && y2 instanceof SymbolicTensor);
  });

  it("errors name the op and what was received", () => {
    const x = toTensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      "float32",
    );
    assert.throws(
      () => fusedBatchNorm(x, [1, 2], null, -1, 1e-3),
      /ops\.fusedBatchNorm: gamma must have shape \[3\] and x's dtype float32, received shape \[2\]/,
    );
    assert.throws(
      () => fusedLayerNorm(x, null, [[1, 2, 3]], -1, 1e-3),
      /ops\.fusedLayerNorm: beta must have shape \[3\] .*received shape \[1, 3\]/,
    );
    assert.throws(() => fusedBatchNorm(x, null, null, 2, 1e-3), /ops\.fusedBatchNorm: axis 2 is out of range/);
    assert.throws(() => fusedLayerNorm(x, null, null, -1, -1), /ops\.fusedLayerNorm: epsilon must be >= 0/);
    assert.throws(
      () => fusedLayerNorm(randomTensor([2, 3, 4]), null, null, [0, 2], 1e-3),
      /ops\.fusedLayerNorm: the normalized axes must be consecutive, received \[0,2\]/,
    );
    assert.throws(() => fusedBatchNorm(toTensor([[1, 2]], "int32"), null, null, -1, 1e-3), {
      name: "TypeError",
      message: /fusedBatchNorm: x must be a float tensor .*int32/,
    });
    assert.equal(consecutiveAxes([1, 2], 3), true);
    assert.equal(consecutiveAxes([-1, 0], 3), false);
  });
});
