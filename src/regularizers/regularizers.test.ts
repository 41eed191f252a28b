import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { checkGrad, randomTensor } from "../testing/gradcheck.js";
import * as regularizers from "./index.js";
import { L1, L1L2, L2, OrthogonalRegularizer } from "./regularizers.js";

const value = (t: unknown) => (t as Tensor).item() as number;
const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

/** Independent reference of Keras's OrthogonalRegularizer on a row-major [n, m] matrix. */
function orthogonalReference(x: number[][], factor: number, mode: "rows" | "columns"): number {
  const vecs = mode === "rows" ? x : x[0].map((_, j) => x.map((row) => row[j]));
  const unit = vecs.map((v) => {
    const n = Math.sqrt(v.reduce((s, a) => s + a * a, 0));
    return v.map((a) => a / n);
  });
  let total = 0;
  for (let i = 0; i < unit.length; i++)
    for (let j = 0; j < unit.length; j++)
      if (i !== j) total += Math.abs(unit[i].reduce((s, a, k) => s + a * unit[j][k], 0));
  const pairs = (unit.length * (unit.length - 1)) / 2;
  return (factor * 0.5 * total) / pairs;
}

describe("L1, L2, L1L2", () => {
  const x = toTensor([
    [1, -2],
    [0.5, -3],
  ]);
  it("compute Keras's penalties", () => {
    close(value(new L1().call(x)), 0.01 * 6.5);
    close(value(new L1(0.3).call(x)), 0.3 * 6.5);
    close(value(new L2().call(x)), 0.01 * 14.25);
    close(value(new L2(0.5).call(x)), 0.5 * 14.25);
    close(value(new L1L2({ l1: 0.1, l2: 0.2 }).call(x)), 0.1 * 6.5 + 0.2 * 14.25);
    close(value(new L1L2({ l2: 0.1 }).call(x)), 0.1 * 14.25);
    const zero = new L1L2().call(x) as Tensor;
    assert.deepEqual([zero.shape, zero.dtype, zero.item()], [[], "float32", 0]);
  });
  it("keep the input's float dtype", () => {
    const x64 = toTensor([1, -2], "float64");
    assert.equal((new L1(0.1).call(x64) as Tensor).dtype, "float64");
    // The factors keep float64 precision (0.1 is not rounded to float32 on the way).
    assert.equal(value(new L1(0.1).call(x64)), 0.1 * 3);
    assert.equal(value(new L2(0.1).call(x64)), 0.1 * 5);
    assert.equal((new L1L2({ l1: 0.1, l2: 0.1 }).call(x64) as Tensor).dtype, "float64");
  });
  it("are differentiable", () => {
    const w = randomTensor([3, 4], 5);
    checkGrad((t) => new L1(0.3).call(t) as Tensor, [w]);
    checkGrad((t) => new L2(0.2).call(t) as Tensor, [w]);
    checkGrad((t) => new L1L2({ l1: 0.1, l2: 0.7 }).call(t) as Tensor, [w]);
  });
  it("work on symbolic tensors", () => {
    const s = new SymbolicTensor([null, 8], "float32");
    for (const r of [new L1(), new L2(), new L1L2({ l1: 1 }), new L1L2()]) {
      const out = r.call(s);
      assert.ok(out instanceof SymbolicTensor);
      assert.deepEqual(out.shape, []);
    }
  });
  it("have Keras's configs and validation", () => {
    assert.deepEqual(new L1().getConfig(), { l1: 0.01 });
    assert.deepEqual(new L2(0.2).getConfig(), { l2: 0.2 });
    assert.deepEqual(new L1L2({ l1: 0.1 }).getConfig(), { l1: 0.1, l2: 0 });
    assert.deepEqual(L1.fromConfig({ l1: 0.4 }).getConfig(), { l1: 0.4 });
    assert.throws(() => new L1(-1), /L1: l1 must be a non-negative finite number, received l1=-1/);
    assert.throws(
      () => new L1L2({ l2: Number.POSITIVE_INFINITY }),
      /L1L2: l2 must be a non-negative finite number, received l2=Infinity/,
    );
    assert.throws(() => new L2().call(toTensor([1, 2], "int32")), /L2: requires a float tensor .*received dtype int32/);
  });
});

describe("OrthogonalRegularizer", () => {
  const rows = [
    [1, 0, 2],
    [1, 1, 0],
    [0.5, -1, 1],
    [2, 0.5, -1],
  ];
  it("computes Keras's mean absolute cosine between rows or columns", () => {
    // Hand value: rows [1, 0] and [1, 1] have cosine 1/√2, one pair: 0.01 · ½ · 2/√2.
    close(
      value(
        new OrthogonalRegularizer().call(
          toTensor([
            [1, 0],
            [1, 1],
          ]),
        ),
      ),
      0.01 * 0.5 * Math.SQRT2,
    );
    close(
      value(new OrthogonalRegularizer({ factor: 0.3 }).call(toTensor(rows))),
      orthogonalReference(rows, 0.3, "rows"),
    );
    close(
      value(new OrthogonalRegularizer({ factor: 2, mode: "columns" }).call(toTensor(rows))),
      orthogonalReference(rows, 2, "columns"),
    );
    // Orthogonal rows: no penalty.
    close(
      value(
        new OrthogonalRegularizer().call(
          toTensor([
            [3, 0],
            [0, -2],
          ]),
        ),
      ),
      0,
    );
  });
  it("is differentiable", () => {
    const w = randomTensor([4, 3], 11);
    checkGrad((t) => new OrthogonalRegularizer({ factor: 0.5 }).call(t) as Tensor, [w]);
    checkGrad((t) => new OrthogonalRegularizer({ mode: "columns" }).call(t) as Tensor, [w]);
  });
  it("works on symbolic tensors whose regularized axis is known", () => {
    const out = new OrthogonalRegularizer({ mode: "columns" }).call(new SymbolicTensor([null, 5], "float32"));
    assert.ok(out instanceof SymbolicTensor);
    assert.deepEqual(out.shape, []);
    assert.throws(
      () => new OrthogonalRegularizer().call(new SymbolicTensor([null, 5], "float32")),
      /OrthogonalRegularizer: the first axis \(mode "rows"\) must be known, received shape \[null, 5\]/,
    );
  });
  it("rejects other ranks and modes; has Keras's config", () => {
    assert.throws(
      () => new OrthogonalRegularizer().call(toTensor([1, 2, 3])),
      /OrthogonalRegularizer: inputs must have rank 2, received shape \[3\]/,
    );
    assert.throws(
      () => new OrthogonalRegularizer({ mode: "diagonal" as never }),
      /mode must be "rows" or "columns", received mode=diagonal/,
    );
    assert.deepEqual(new OrthogonalRegularizer().getConfig(), { factor: 0.01, mode: "rows" });
  });
});

describe("regularizers.get", () => {
  it("accepts Keras's names and camelCase, with default factors", () => {
    assert.deepEqual(regularizers.get("l1").getConfig(), { l1: 0.01 });
    assert.deepEqual(regularizers.get("L2").getConfig(), { l2: 0.01 });
    for (const n of ["l1_l2", "l1l2", "L1L2", "l1L2"]) assert.ok(regularizers.get(n) instanceof L1L2, n);
    for (const n of ["orthogonal_regularizer", "OrthogonalRegularizer", "orthogonalRegularizer"]) {
      assert.ok(regularizers.get(n) instanceof OrthogonalRegularizer, n);
    }
  });
  it("passes instances, instantiates classes, wraps functions, reads configs", () => {
    const r = new L1(0.5);
    assert.equal(regularizers.get(r), r);
    assert.ok(regularizers.get(L2) instanceof L2);
    const f = regularizers.get((x) => new L2(1).call(x));
    close(value(f.call(toTensor([3, 4]))), 25);
    const back = regularizers.get(regularizers.serialize(new L1L2({ l1: 0.2, l2: 0.3 })));
    assert.deepEqual(back.getConfig(), { l1: 0.2, l2: 0.3 });
    assert.equal(regularizers.get(null), null);
  });
  it("has camelCase factories", () => {
    assert.deepEqual(regularizers.l1(0.2).getConfig(), { l1: 0.2 });
    assert.deepEqual(regularizers.l2().getConfig(), { l2: 0.01 });
    assert.deepEqual(regularizers.l1L2({ l1: 0.01, l2: 0.02 }).getConfig(), { l1: 0.01, l2: 0.02 });
    assert.deepEqual(regularizers.orthogonalRegularizer({ factor: 0.1 }).getConfig(), { factor: 0.1, mode: "rows" });
  });
  it("names an unknown identifier and lists the known ones", () => {
    assert.throws(
      () => regularizers.get("l3"),
      /regularizers.get: unknown regularizer 'l3'. Known regularizers: l1, l2, l1_l2, orthogonal_regularizer/,
    );
  });
});
