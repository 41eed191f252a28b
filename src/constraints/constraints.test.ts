import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import { MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from "./constraints.js";
import * as constraints from "./index.js";

const EPS = 1e-7;
// Columns have norms 5 and 0.5; rows have norms 3 and sqrt(16.25).
const w = () =>
  toTensor(
    [
      [3, 0],
      [4, 0.5],
    ],
    "float64",
  );

describe("MaxNorm", () => {
  it("rescales columns whose norm exceeds maxValue (axis 0 default, maxValue 2)", () => {
    const out = new MaxNorm().call(w());
    const s0 = 2 / (EPS + 5);
    const s1 = 0.5 / (EPS + 0.5);
    assertClose(
      out,
      [
        [3 * s0, 0],
        [4 * s0, 0.5 * s1],
      ],
      { rtol: 1e-12, atol: 0 },
    );
  });
  it("uses the given axis and maxValue (rows, axis 1 or -1; whole tensor, axis [0, 1])", () => {
    const r1 = Math.sqrt(16.25);
    const expected = [
      [3 * (3 / (EPS + 3)), 0],
      [4 * (4 / (EPS + r1)), 0.5 * (4 / (EPS + r1))],
    ];
    assertClose(new MaxNorm({ maxValue: 4, axis: 1 }).call(w()), expected, { rtol: 1e-12, atol: 0 });
    assertClose(new MaxNorm({ maxValue: 4, axis: -1 }).call(w()), expected, { rtol: 1e-12, atol: 0 });
    const total = Math.sqrt(25.25);
    const f = 1 / (EPS + total);
    assertClose(
      new MaxNorm({ maxValue: 1, axis: [0, 1] }).call(w()),
      [
        [3 * f, 0],
        [4 * f, 0.5 * f],
      ],
      { rtol: 1e-12, atol: 0 },
    );
  });
  it("keeps the shape and dtype of conv kernels", () => {
    const k = new MaxNorm({ axis: [0, 1, 2] }).call(randomTensor([3, 3, 2, 4], 1, -3, 3));
    assert.deepEqual(k.shape, [3, 3, 2, 4]);
    assert.equal(k.dtype, "float64");
    // Each filter (last axis) now has norm <= 2.
    for (let o = 0; o < 4; o++) {
      let s = 0;
      for (let i = 0; i < 18; i++) s += k.data[i * 4 + o] ** 2;
      assert.ok(Math.sqrt(s) <= 2 + 1e-9, `filter ${o} norm ${Math.sqrt(s)}`);
    }
  });
  it("is differentiable", () => {
    checkGrad((t) => new MaxNorm({ maxValue: 1 }).call(t), [randomTensor([3, 2], 4)]);
  });
});

describe("NonNeg", () => {
  it("zeroes negative weights", () => {
    assertClose(new NonNeg().call(toTensor([-1, 0, 2.5, -0.1])), [0, 0, 2.5, 0]);
    assert.deepEqual(new NonNeg().getConfig(), {});
  });
});

describe("UnitNorm", () => {
  it("divides each slice by its norm plus epsilon", () => {
    assertClose(
      new UnitNorm().call(w()),
      [
        [3 / (5 + EPS), 0],
        [4 / (5 + EPS), 0.5 / (0.5 + EPS)],
      ],
      { rtol: 1e-12, atol: 0 },
    );
    const r1 = Math.sqrt(16.25) + EPS;
    assertClose(
      new UnitNorm({ axis: 1 }).call(w()),
      [
        [3 / (3 + EPS), 0],
        [4 / r1, 0.5 / r1],
      ],
      { rtol: 1e-12, atol: 0 },
    );
  });
  it("is differentiable", () => {
    checkGrad((t) => new UnitNorm({ axis: 1 }).call(t), [randomTensor([2, 3], 6)]);
  });
});

describe("MinMaxNorm", () => {
  it("moves norms into [minValue, maxValue] at rate", () => {
    const strict = new MinMaxNorm({ minValue: 1, maxValue: 2 }).call(w());
    assertClose(
      strict,
      [
        [3 * (2 / (5 + EPS)), 0],
        [4 * (2 / (5 + EPS)), 0.5 * (1 / (0.5 + EPS))],
      ],
      { rtol: 1e-12, atol: 0 },
    );
    // rate 0.5: desired = 0.5 · clip(n) + 0.5 · n: 3.5 for n = 5, 0.75 for n = 0.5.
    const half = new MinMaxNorm({ minValue: 1, maxValue: 2, rate: 0.5 }).call(w());
    assertClose(
      half,
      [
        [3 * (3.5 / (5 + EPS)), 0],
        [4 * (3.5 / (5 + EPS)), 0.5 * (0.75 / (0.5 + EPS))],
      ],
      { rtol: 1e-12, atol: 0 },
    );
    // rate 0.3 (not a float32 number): desired = 0.3 · 2 + 0.7 · 5 for n = 5.
    const d = 0.3 * 2 + (1 - 0.3) * 5;
    assertClose(
      new MinMaxNorm({ minValue: 1, maxValue: 2, rate: 0.3 }).call(w()),
      [
        [3 * (d / (5 + EPS)), 0],
        [4 * (d / (5 + EPS)), 0.5 * ((0.3 * 1 + (1 - 0.3) * 0.5) / (0.5 + EPS))],
      ],
      { rtol: 1e-14, atol: 0 },
    );
    // Defaults: minValue 0, maxValue 1, rate 1, axis 0.
    assertClose(new MinMaxNorm().call(w()), new MaxNorm({ maxValue: 1 }).call(w()), { rtol: 1e-12, atol: 0 });
  });
  it("is differentiable", () => {
    checkGrad((t) => new MinMaxNorm({ minValue: 0.5, maxValue: 0.8, rate: 0.7 }).call(t), [randomTensor([3, 2], 8)]);
  });
});

describe("configs, validation, get", () => {
  it("have Keras's configs (camelCase)", () => {
    assert.deepEqual(new MaxNorm().getConfig(), { maxValue: 2, axis: 0 });
    assert.deepEqual(new UnitNorm({ axis: [0, 1] }).getConfig(), { axis: [0, 1] });
    assert.deepEqual(new MinMaxNorm().getConfig(), { minValue: 0, maxValue: 1, rate: 1, axis: 0 });
    assert.deepEqual(MaxNorm.fromConfig({ maxValue: 3, axis: 1 }).getConfig(), { maxValue: 3, axis: 1 });
  });
  it("reject bad arguments and weights with clear errors", () => {
    assert.throws(
      () => new MaxNorm({ axis: 0.5 }),
      /MaxNorm: axis must be an integer or a non-empty array of integers, received 0.5/,
    );
    assert.throws(() => new MaxNorm({ maxValue: -1 }), /MaxNorm: maxValue must be >= 0, received maxValue=-1/);
    assert.throws(
      () => new MinMaxNorm({ minValue: 2, maxValue: 1 }),
      /MinMaxNorm: minValue must not exceed maxValue, received minValue=2, maxValue=1/,
    );
    assert.throws(
      () => new UnitNorm({ axis: 2 }).call(w()),
      /UnitNorm: axis 2 is out of range for a weight of shape \[2, 2\] \(rank 2\)/,
    );
    assert.throws(
      () => new MaxNorm().call(toTensor([1, 2], "int32")),
      /MaxNorm: requires a float weight .*received dtype int32/,
    );
  });
  it("get accepts Keras's names and camelCase, instances, classes, functions, configs", () => {
    for (const [names, cls] of [
      [["max_norm", "MaxNorm", "maxNorm"], MaxNorm],
      [["non_neg", "NonNeg", "nonNeg"], NonNeg],
      [["unit_norm", "UnitNorm", "unitNorm"], UnitNorm],
      [["min_max_norm", "MinMaxNorm", "minMaxNorm"], MinMaxNorm],
    ] as const) {
      for (const n of names) assert.equal(constraints.get(n).constructor, cls, n);
    }
    const c = new UnitNorm();
    assert.equal(constraints.get(c), c);
    assert.ok(constraints.get(NonNeg) instanceof NonNeg);
    const f = constraints.get((t: Tensor) => new NonNeg().call(t));
    assertClose(f.call(toTensor([-2, 3])), [0, 3]);
    const back = constraints.get(constraints.serialize(new MinMaxNorm({ maxValue: 3, rate: 0.5, axis: 1 })));
    assert.deepEqual(back.getConfig(), { minValue: 0, maxValue: 3, rate: 0.5, axis: 1 });
    assert.equal(constraints.get(null), null);
    assert.deepEqual(constraints.maxNorm({ maxValue: 3 }).getConfig(), { maxValue: 3, axis: 0 });
    assert.ok(constraints.nonNeg() instanceof NonNeg);
    assert.deepEqual(constraints.unitNorm({ axis: 1 }).getConfig(), { axis: 1 });
    assert.deepEqual(constraints.minMaxNorm({ rate: 0.2 }).getConfig(), {
      minValue: 0,
      maxValue: 1,
      rate: 0.2,
      axis: 0,
    });
  });
  it("get names an unknown identifier and lists the known ones", () => {
    assert.throws(
      () => constraints.get("maxnorm"),
      /constraints.get: unknown constraint 'maxnorm'. Known constraints: max_norm, non_neg, unit_norm, min_max_norm/,
    );
  });
});
