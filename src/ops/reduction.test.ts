import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import type { DType } from "../backend/dtypes.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { grad } from "../autodiff/grad.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import { multiply } from "./elementwise.js";
import * as R from "./reduction.js";
import type { Axis } from "./reduction.js";

type Fixture = {
  op: string;
  input: unknown;
  inputDType: string;
  axis: number | number[] | null;
  keepdims: boolean;
  expected: unknown;
  expectedShape: number[];
};

const fixtures: { cases: Fixture[] } = JSON.parse(
  readFileSync(new URL("./reduction.fixtures.json", import.meta.url), "utf8"),
);

const t = (data: unknown, dtype: DType = "float64") => toTensor(data as number[], dtype);

type Reducer = (x: Tensor, axis: Axis, keepdims: boolean) => Tensor;
const REDUCERS: Record<string, Reducer> = {
  sum: R.sum,
  mean: R.mean,
  max: R.max,
  min: R.min,
  prod: R.prod,
  var: R.var,
  std: R.std,
  logsumexp: R.logsumexp,
  all: R.all,
  any: R.any,
  argmax: (x, axis, keepdims) => R.argmax(x, axis as number | null, keepdims),
  argmin: (x, axis, keepdims) => R.argmin(x, axis as number | null, keepdims),
  cumsum: (x, axis) => R.cumsum(x, axis as number | null),
  cumprod: (x, axis) => R.cumprod(x, axis as number | null),
};

/** Calls a reduction by its Keras name with Keras's arguments. */
function call(op: string, x: Tensor, axis: Axis, keepdims: boolean): Tensor {
  return REDUCERS[op](x, axis, keepdims);
}

/** The dtype Keras gives each op's result for an input dtype. */
function expectedDType(op: string, input: DType): DType {
  if (op === "argmax" || op === "argmin") return "int32";
  if (op === "all" || op === "any") return "bool";
  if (["mean", "var", "std", "logsumexp"].includes(op)) return input === "float64" ? "float64" : "float32";
  if (input === "bool") return "int32";
  return input;
}

describe("reductions: forward values against NumPy (scripts/fixtures/reduction.py)", () => {
  it("has fixtures for every op", () => {
    const ops = new Set(fixtures.cases.map((c) => c.op));
    for (const op of ["sum", "mean", "max", "min", "prod", "var", "std", "logsumexp", "argmax", "argmin", "all", "any"])
      assert.ok(ops.has(op), op);
    assert.ok(ops.has("cumsum") && ops.has("cumprod"));
  });
  for (const c of fixtures.cases) {
    const inDType = (c.inputDType === "bool" ? "bool" : c.inputDType) as DType;
    it(`${c.op}(${inDType} ${JSON.stringify(c.axis)}, keepdims=${c.keepdims})`, () => {
      const x = t(c.input, inDType);
      const y = call(c.op, x, c.axis, c.keepdims);
      assert.equal(y.dtype, expectedDType(c.op, inDType));
      assert.deepEqual(y.shape, c.expectedShape);
      const expected = t(c.expected, "float64");
      if (y.dtype === "float64") assertClose(y, expected, { rtol: 1e-12, atol: 1e-12 });
      else if (y.dtype === "float32") assertClose(y, expected, { rtol: 1e-6, atol: 1e-6 });
      else assert.deepEqual(Array.from(y.data), Array.from(expected.data));
    });
  }
});

describe("reductions: values by hand", () => {
  it("reduces float32 and keeps float32", () => {
    const x = t(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      "float32",
    );
    const s = R.sum(x, 0);
    assert.equal(s.dtype, "float32");
    assert.deepEqual(s.toArray(), [5, 7, 9]);
    assert.deepEqual(R.mean(x, 1, true).toArray(), [[2], [5]]);
    assert.deepEqual(R.max(x, [0, 1]).toArray(), 6);
    assert.deepEqual(R.min(x).toArray(), 1);
    assert.deepEqual(R.prod(x, -1).toArray(), [6, 120]);
    // var of [1,2,3] is 2/3 (population, ddof 0).
    assertClose(R.var(x, 1), [2 / 3, 2 / 3]);
    assertClose(R.std(x, 1), [Math.sqrt(2 / 3), Math.sqrt(2 / 3)]);
    assert.deepEqual(R.sum(x, []).toArray(), x.toArray());
  });

  it("works on int32 tensors whose extreme is negative and on bool tensors", () => {
    const x = t([-5, -3, -9], "int32");
    assert.equal(R.max(x).item(), -3);
    assert.equal(R.min(x).item(), -9);
    const b = t([true, true], "bool");
    assert.equal(R.min(b).item(), true);
    assert.equal(R.max(t([false, false], "bool")).item(), false);
    const s = R.sum(t([true, true, false], "bool"));
    assert.equal(s.dtype, "int32");
    assert.equal(s.item(), 2);
  });

  it("propagates NaN through max/min and counts NaN as true in all/any", () => {
    const x = t([1, Number.NaN, 3]);
    assert.ok(Number.isNaN(R.max(x).item() as number));
    assert.ok(Number.isNaN(R.min(x).item() as number));
    assert.equal(R.argmax(x).item(), 1);
    assert.equal(R.argmin(t([2, 0, Number.NaN, Number.NaN])).item(), 2);
    assert.equal(R.all(t([Number.NaN, 1])).item(), true);
    assert.equal(R.any(t([0, Number.NaN])).item(), true);
    assert.equal(R.any(t([0, 0])).item(), false);
  });

  it("argmax/argmin take the first occurrence of ties, over the flattened tensor by default", () => {
    const x = t(
      [
        [1, 7, 7],
        [7, 0, 0],
      ],
      "float32",
    );
    assert.equal(R.argmax(x).item(), 1);
    assert.equal(R.argmin(x).item(), 4);
    assert.deepEqual(R.argmax(x, 0).toArray(), [1, 0, 0]);
    assert.deepEqual(R.argmax(x, -1, true).toArray(), [[1], [0]]);
    assert.deepEqual(R.argmax(x, null, true).shape, [1, 1]);
    assert.equal(R.argmax(x).dtype, "int32");
  });

  it("cumsum/cumprod flatten when axis is omitted and take a dtype", () => {
    const x = t(
      [
        [1, 2],
        [3, 4],
      ],
      "float32",
    );
    assert.deepEqual(R.cumsum(x).toArray(), [1, 3, 6, 10]);
    assert.deepEqual(R.cumsum(x, 0).toArray(), [
      [1, 2],
      [4, 6],
    ]);
    assert.deepEqual(R.cumprod(x, 1).toArray(), [
      [1, 2],
      [3, 12],
    ]);
    const c = R.cumsum(t([1.5, 2.5], "float32"), 0, "int32");
    assert.equal(c.dtype, "int32");
    assert.deepEqual(c.toArray(), [1, 3]);
    assert.deepEqual(R.cumsum(t(5, "float32")).toArray(), [5]);
  });

  it("logsumexp is stable for large and very negative inputs", () => {
    assertClose(R.logsumexp(t([1000, 1000])), 1000 + Math.LN2, { rtol: 1e-15, atol: 0 });
    assertClose(R.logsumexp(t([1000, 1000], "float32")), 1000 + Math.LN2, { rtol: 1e-7, atol: 0 });
    assertClose(R.logsumexp(t([-1000, -1000])), -1000 + Math.LN2, { rtol: 1e-15, atol: 0 });
    assertClose(
      R.logsumexp(
        t([
          [1000, 0],
          [-1000, -1001],
        ]),
        1,
      ),
      [1000, -1000 + Math.log1p(Math.exp(-1))],
    );
    assert.equal(R.logsumexp(t([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])).item(), Number.NEGATIVE_INFINITY);
    assert.equal(R.logsumexp(t([Number.POSITIVE_INFINITY, 1])).item(), Number.POSITIVE_INFINITY);
    const g = grad((x: Tensor) => R.logsumexp(x))(t([1000, 1000, 1000, 1000])) as Tensor;
    assertClose(g, [0.25, 0.25, 0.25, 0.25]);
  });

  it("var is accurate for a large offset (two-pass)", () => {
    assertClose(R.var(t([1e8 + 1, 1e8 + 2, 1e8 + 3])), 2 / 3, { rtol: 1e-9, atol: 0 });
  });
});

describe("reductions: gradients", () => {
  const x = randomTensor([2, 3, 4], 7, 0.5, 1.5);
  const axisCases: Axis[] = [undefined, null, 0, 1, -1, [0, 2], [-1, -2], [0, 1, 2]];
  const differentiable = ["sum", "mean", "max", "min", "prod", "var", "std", "logsumexp"] as const;
  for (const op of differentiable) {
    for (const axis of axisCases) {
      for (const keepdims of [false, true]) {
        it(`${op}(axis=${JSON.stringify(axis)}, keepdims=${keepdims})`, () => {
          checkGrad((a) => call(op, a, axis, keepdims), [x]);
        });
      }
    }
  }

  for (const op of ["cumsum", "cumprod"] as const) {
    for (const axis of [null, 0, 1, 2, -1]) {
      it(`${op}(axis=${axis})`, () => checkGrad((a) => call(op, a, axis, false), [x]));
    }
  }

  it("shares the gradient of max/min equally among ties", () => {
    const g = grad((a: Tensor) => R.max(a))(t([1, 3, 3, 2])) as Tensor;
    assertClose(g, [0, 0.5, 0.5, 0]);
    const gm = grad((a: Tensor) => R.sum(R.min(a, 1)))(
      t([
        [2, 2, 5],
        [1, 4, 6],
      ]),
    ) as Tensor;
    assertClose(gm, [
      [0.5, 0.5, 0],
      [1, 0, 0],
    ]);
    // Finite differences agree: nudging one of two tied maxima moves the max by half on average.
    checkGrad((a) => R.max(a), [t([1, 3, 3, 2])]);
  });

  it("prod's gradient is exact where inputs are zero", () => {
    const g = grad((a: Tensor) => R.prod(a))(t([2, 0, 3])) as Tensor;
    assertClose(g, [0, 6, 0]);
    const g2 = grad((a: Tensor) => R.prod(a))(t([0, 5, 0])) as Tensor;
    assertClose(g2, [0, 0, 0]);
    const z = t([
      [
        [1, 0, 2],
        [3, 4, 0.5],
      ],
      [
        [0, 0, 1],
        [2, 1, 3],
      ],
    ]);
    for (const axis of [undefined, 0, [0, 2], [1, 2], -1] as Axis[]) checkGrad((a) => R.prod(a, axis, true), [z]);
  });

  it("differentiates gradients (second order) of prod, var, logsumexp and cumsum", () => {
    const small = randomTensor([2, 3], 3, 0.5, 1.5);
    for (const f of [
      (a: Tensor) => R.prod(a, 1),
      (a: Tensor) => R.var(a, 0),
      (a: Tensor) => R.std(a),
      (a: Tensor) => R.logsumexp(a, -1),
      (a: Tensor) => R.cumprod(a, 1),
    ]) {
      const g = (a: Tensor) => multiply(grad((b: Tensor) => R.sum(multiply(f(b), f(b))))(a) as Tensor, a);
      checkGrad(g, [small], { rtol: 1e-4, atol: 1e-5 });
    }
  });
});

describe("reductions: errors", () => {
  const x = t([
    [1, 2],
    [3, 4],
  ]);
  it("names the op, the axis and the rank when an axis is out of range", () => {
    assert.throws(() => R.sum(x, 2), /ops\.sum: axis 2 is out of range for a tensor of rank 2/);
    assert.throws(() => R.mean(x, [0, -3]), /ops\.mean: axis -3 is out of range for a tensor of rank 2/);
    assert.throws(() => R.var(x, 5), /ops\.var: axis 5 .*rank 2/);
    assert.throws(() => R.std(x, 5), /ops\.std: axis 5 .*rank 2/);
    assert.throws(() => R.logsumexp(x, -3), /ops\.logsumexp: axis -3 .*rank 2/);
    assert.throws(() => R.all(x, 2), /ops\.all: axis 2 .*rank 2/);
    assert.throws(() => R.argmax(x, 2), /ops\.argmax: axis 2 .*rank 2/);
    assert.throws(() => R.argmin(x, -3), /ops\.argmin: axis -3 .*rank 2/);
    assert.throws(() => R.cumsum(x, 2), /ops\.cumsum: axis 2 .*rank 2/);
    assert.throws(() => R.cumprod(x, 1.5), /ops\.cumprod: axis 1\.5 .*rank 2/);
  });
  it("rejects repeated axes", () => {
    assert.throws(() => R.sum(x, [0, 0]), /ops\.sum: repeated axis in \[0,0\]/);
    assert.throws(() => R.max(x, [1, -1]), /ops\.max: repeated axis in \[1,-1\]/);
  });
  it("argmax/cumsum take a single axis, and argmax needs a non-empty axis", () => {
    assert.throws(() => R.argmax(x, [0, 1] as unknown as number), /ops\.argmax: axis must be a single integer/);
    assert.throws(() => R.cumsum(x, [0] as unknown as number), /ops\.cumsum: axis must be a single integer/);
    assert.throws(() => R.argmax(Tensor.empty([2, 0]), 1), /ops\.argmax: .*empty.*\[2, 0\]/);
    assert.throws(() => R.argmin(Tensor.empty([0])), /ops\.argmin: .*empty.*\[0\]/);
  });
});

describe("reductions: symbolic tensors", () => {
  const s = new SymbolicTensor([null, 3, 4], "float32");
  const shapeOf = (y: SymbolicTensor) => {
    assert.ok(y instanceof SymbolicTensor);
    return y.shape;
  };
  it("propagates null dims, including reducing over a null axis", () => {
    for (const f of [R.sum, R.mean, R.max, R.min, R.prod, R.var, R.std, R.logsumexp, R.all, R.any]) {
      assert.deepEqual(shapeOf(f(s, -1)), [null, 3]);
      assert.deepEqual(shapeOf(f(s, 0)), [3, 4]);
      assert.deepEqual(shapeOf(f(s, [0, 2], true)), [1, 3, 1]);
      assert.deepEqual(shapeOf(f(s)), []);
    }
    assert.deepEqual(shapeOf(R.argmax(s, 1)), [null, 4]);
    assert.deepEqual(shapeOf(R.argmin(s, 0, true)), [1, 3, 4]);
    assert.deepEqual(shapeOf(R.argmax(s)), []);
    assert.deepEqual(shapeOf(R.cumsum(s, 1)), [null, 3, 4]);
    assert.deepEqual(shapeOf(R.cumprod(s)), [null]);
  });
  it("gives Keras's dtypes", () => {
    const i = new SymbolicTensor([null, 2], "int32");
    assert.equal(R.sum(i, 1).dtype, "int32");
    assert.equal(R.mean(i, 1).dtype, "float32");
    assert.equal(R.var(i, 1).dtype, "float32");
    assert.equal(R.logsumexp(i).dtype, "float32");
    assert.equal(R.argmax(s, 1).dtype, "int32");
    assert.equal(R.any(s).dtype, "bool");
    assert.equal(R.cumsum(new SymbolicTensor([null], "bool")).dtype, "int32");
  });
  it("checks axes against the symbolic rank", () => {
    assert.throws(() => R.sum(s, 3), /ops\.sum: axis 3 is out of range for a tensor of rank 3/);
  });
});
