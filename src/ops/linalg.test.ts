import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { DType } from "../backend/dtypes.js";
import { grad } from "../autodiff/grad.js";
import { kernels } from "../backend/kernels.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import * as ops from "./index.js";

interface Fixture {
  op: "matmul" | "dot" | "einsum";
  subscripts?: string;
  inputs: { shape: number[]; data: number[] }[];
  shape: number[];
  expected: number[];
}

const fixtures: Fixture[] = JSON.parse(readFileSync(new URL("./linalg.fixtures.json", import.meta.url), "utf8"));

function fromFixture({ shape, data }: { shape: number[]; data: number[] }, dtype: DType = "float64"): Tensor {
  const t = Tensor.empty(shape, dtype);
  t.data.set(data);
  return t;
}

/** out = op(a) @ op(b) by the textbook triple loop, batch broadcast as the kernel's contract says. */
function naiveMatmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): number[] {
  const batch = Math.max(a.shape[0], b.shape[0]);
  const [M, K] = transA ? [a.shape[2], a.shape[1]] : [a.shape[1], a.shape[2]];
  const N = transB ? b.shape[1] : b.shape[2];
  const out: number[] = [];
  for (let t = 0; t < batch; t++) {
    const ao = a.shape[0] === 1 ? 0 : t * M * K;
    const bo = b.shape[0] === 1 ? 0 : t * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          s += a.data[ao + (transA ? k * M + i : i * K + k)] * b.data[bo + (transB ? j * K + k : k * N + j)];
        }
        out.push(s);
      }
    }
  }
  return out;
}

describe("matmul kernel", () => {
  const cases: [number, number, number, number, number][] = [
    // [batchA, batchB, M, K, N]: odd sizes, sizes that cross the k (128) and column (256) tiles,
    // broadcast batches on either side, degenerate sizes.
    [1, 1, 7, 13, 5],
    [3, 3, 5, 9, 4],
    [1, 4, 3, 6, 2],
    [4, 1, 2, 5, 7],
    [1, 1, 3, 300, 270],
    [2, 2, 1, 1, 1],
    [1, 1, 1, 7, 1],
    [1, 1, 4, 0, 3],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    for (const [ba, bb, M, K, N] of cases) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          it(`${dtype} [${ba}|${bb}, ${M}, ${K}, ${N}] transA=${transA} transB=${transB}`, () => {
            const a = ops.cast(randomTensor(transA ? [ba, K, M] : [ba, M, K], 3 + M), dtype) as Tensor;
            const b = ops.cast(randomTensor(transB ? [bb, N, K] : [bb, K, N], 5 + N), dtype) as Tensor;
            const out = Tensor.empty([Math.max(ba, bb), M, N], dtype);
            out.data.fill(42); // the kernel must overwrite, not accumulate
            kernels.matmul(a, b, out, transA, transB);
            const expected = Tensor.empty(out.shape, "float64");
            expected.data.set(naiveMatmul(a, b, transA, transB));
            assertClose(out, expected, dtype === "float32" ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-12 });
          });
        }
      }
    }
  }

  it("multiplies int32 exactly", () => {
    const a = new Tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [1, 2, 3]);
    const b = new Tensor(Int32Array.from([7, 8, 9, 10, 11, 12]), [1, 3, 2]);
    const out = Tensor.empty([1, 2, 2], "int32");
    kernels.matmul(a, b, out, false, false);
    assert.deepEqual(Array.from(out.data), [58, 64, 139, 154]);
  });
});

describe("ops.matmul", () => {
  it("multiplies hand-computed matrices", () => {
    const a = ops.convertToTensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = ops.convertToTensor([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    const y = ops.matmul(a, b);
    assert.equal(y.dtype, "float32");
    assert.deepEqual(y.toArray(), [
      [58, 64],
      [139, 154],
    ]);
  });

  it("promotes 1-D operands and removes the added axis", () => {
    const m = ops.convertToTensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const v = ops.matmul([1, 1, 1], m);
    assert.deepEqual(v.shape, [2]);
    assert.deepEqual(v.toArray(), [9, 12]);
    const w = ops.matmul(m, [1, -1]);
    assert.deepEqual(w.toArray(), [-1, -1, -1]);
    const s = ops.matmul([1, 2, 3], [4, 5, 6]);
    assert.deepEqual(s.shape, []);
    assert.equal(s.item(), 32);
  });

  it("keeps int32 for integer operands and promotes mixed ones", () => {
    const a = ops.convertToTensor([[1, 2]], "int32");
    const b = ops.convertToTensor([[3], [4]], "int32");
    const y = ops.matmul(a, b);
    assert.equal(y.dtype, "int32");
    assert.deepEqual(y.toArray(), [[11]]);
    const z = ops.matmul(a, ops.convertToTensor([[0.5], [0.25]]));
    assert.equal(z.dtype, "float32");
    assert.deepEqual(z.toArray(), [[1]]);
    const f64 = ops.matmul(a, ops.convertToTensor([[0.5], [0.25]], "float64"));
    assert.equal(f64.dtype, "float64");
    const t = ops.convertToTensor([
      [true, false],
      [false, false],
    ]);
    const bools = ops.matmul(t, t);
    assert.equal(bools.dtype, "bool");
    assert.deepEqual(bools.toArray(), [
      [true, false],
      [false, false],
    ]);
  });

  it("matches NumPy fixtures (odd sizes, broadcast batch, 1-D)", () => {
    const cases = fixtures.filter((f) => f.op === "matmul");
    assert.ok(cases.length >= 8);
    for (const f of cases) {
      const [a, b] = f.inputs.map((x) => fromFixture(x));
      const y = ops.matmul(a, b);
      assertClose(y, fromFixture({ shape: f.shape, data: f.expected }), { rtol: 1e-12, atol: 1e-12 });
      // float32 too (inputs rounded to float32, so only a loose tolerance).
      const y32 = ops.matmul(ops.cast(a, "float32"), ops.cast(b, "float32"));
      assert.equal(y32.dtype, "float32");
      assertClose(y32, fromFixture({ shape: f.shape, data: f.expected }), { rtol: 1e-4, atol: 1e-5 });
    }
  });

  it("broadcasts batch dims: [2, 1, 3, 4] @ [5, 4, 2] -> [2, 5, 3, 2]", () => {
    const a = randomTensor([2, 1, 3, 4], 1);
    const b = randomTensor([5, 4, 2], 2);
    const y = ops.matmul(a, b);
    assert.deepEqual(y.shape, [2, 5, 3, 2]);
    // Slice [1, 3] equals a[1, 0] @ b[3].
    const a1 = new Tensor(a.data.slice(12, 24), [3, 4]);
    const b3 = new Tensor(b.data.slice(24, 32), [4, 2]);
    const ref = ops.matmul(a1, b3);
    assertClose(new Tensor(y.data.slice((1 * 5 + 3) * 6, (1 * 5 + 4) * 6), [3, 2]), ref, { rtol: 1e-14 });
  });

  it("differentiates 2-D, batched, broadcast-batch and 1-D products", () => {
    const shapes: [number[], number[]][] = [
      [
        [3, 4],
        [4, 2],
      ],
      [
        [2, 3, 4],
        [2, 4, 5],
      ],
      [
        [2, 1, 3, 4],
        [5, 4, 2],
      ],
      [
        [3, 4],
        [2, 4, 3],
      ],
      [[4], [4, 3]],
      [[3, 4], [4]],
      [[4], [4]],
      [[4], [2, 4, 3]],
    ];
    shapes.forEach(([sa, sb], i) => {
      checkGrad((a, b) => ops.matmul(a, b), [randomTensor(sa, 10 + i), randomTensor(sb, 20 + i)]);
    });
  });

  it("has gradients of gradients (the transposed-flag products and their own gradients)", () => {
    // The first gradient runs matmul with transB (dA = dY B^T) and transA (dB = A^T dY); the
    // second differentiates those, reaching every flag combination and the batch reduction.
    const shapes: [number[], number[]][] = [
      [
        [2, 3],
        [3, 4],
      ],
      [
        [2, 1, 2, 3],
        [3, 3, 2],
      ],
      [[3], [3, 2]],
    ];
    shapes.forEach(([sa, sb], i) => {
      checkGrad(
        (a, b) => {
          const [ga, gb] = grad((x: Tensor, y: Tensor) => ops.sum(ops.square(ops.matmul(x, y))) as Tensor, [0, 1])(
            a,
            b,
          ) as Tensor[];
          return ops.add(ops.sum(ops.multiply(ga, ga)), ops.sum(ops.sin(gb))) as Tensor;
        },
        [randomTensor(sa, 60 + i), randomTensor(sb, 70 + i)],
      );
    });
  });

  it("propagates null dims of symbolic inputs", () => {
    const x = new SymbolicTensor([null, 3, 4], "float32");
    const y = ops.matmul(x, ops.convertToTensor(randomTensor([4, 5], 1)));
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 3, 5]);
    const v = ops.matmul(new SymbolicTensor([null, null, 4], "float32"), new SymbolicTensor([4], "float32"));
    assert.deepEqual(v.shape, [null, null]);
    const u = ops.matmul(new SymbolicTensor([null], "float32"), new SymbolicTensor([null, 7], "float32"));
    assert.deepEqual(u.shape, [7]);
    const w = ops.matmul(new SymbolicTensor([2, 1, 3, 4], "float32"), new SymbolicTensor([null, 4, 6], "float32"));
    assert.deepEqual(w.shape, [2, null, 3, 6]);
  });

  it("rejects mismatched inner dimensions, naming both shapes", () => {
    assert.throws(
      () => ops.matmul(ops.zeros([2, 3]), ops.zeros([4, 5])),
      /ops\.matmul: inner dimensions do not match: \[2, 3\] @ \[4, 5\]: 3 vs 4/,
    );
    assert.throws(() => ops.matmul(ops.zeros([3]), ops.zeros([4])), /ops\.matmul: .*\[3\] @ \[4\]: 3 vs 4/);
    assert.throws(
      () => ops.matmul(new SymbolicTensor([null, 3], "float32"), ops.zeros([2, 5])),
      /ops\.matmul: inner dimensions do not match: \[null, 3\] @ \[2, 5\]: 3 vs 2/,
    );
    assert.throws(() => ops.matmul(ops.zeros([]), ops.zeros([3])), /ops\.matmul: .*rank >= 1.*\[\] and \[3\]/);
    assert.throws(
      () => ops.matmul(ops.zeros([2, 3, 4]), ops.zeros([3, 4, 5])),
      /ops\.matmul: the batch dimensions of \[2, 3, 4\] and \[3, 4, 5\] do not broadcast/,
    );
  });
});

describe("ops.dot", () => {
  it("matches NumPy fixtures (N-D . M-D, 1-D . N-D, N-D . 1-D, 2-D)", () => {
    const cases = fixtures.filter((f) => f.op === "dot");
    assert.ok(cases.length >= 4);
    for (const f of cases) {
      const [a, b] = f.inputs.map((x) => fromFixture(x));
      assertClose(ops.dot(a, b), fromFixture({ shape: f.shape, data: f.expected }), { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("multiplies by scalars and takes inner products", () => {
    assert.deepEqual(ops.dot(2, [1, 2, 3]).toArray(), [2, 4, 6]);
    assert.equal(ops.dot([1, 2, 3], [4, 5, 6]).item(), 32);
  });

  it("differentiates every case", () => {
    const shapes: [number[], number[]][] = [
      [[], [2, 3]],
      [[3], [3]],
      [
        [2, 3],
        [3, 4],
      ],
      [[2, 3, 4], [4]],
      [
        [2, 3, 4],
        [5, 4, 3],
      ],
      [[4], [2, 4, 3]],
    ];
    shapes.forEach(([sa, sb], i) => {
      checkGrad((a, b) => ops.dot(a, b), [randomTensor(sa, 30 + i), randomTensor(sb, 40 + i)]);
    });
  });

  it("gives symbolic shapes and names misaligned shapes", () => {
    const y = ops.dot(new SymbolicTensor([null, 3, 4], "float32"), new SymbolicTensor([5, 4, 2], "float32"));
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 3, 5, 2]);
    assert.throws(
      () => ops.dot(ops.zeros([2, 3, 4]), ops.zeros([5, 3, 2])),
      /ops\.dot: shapes \[2, 3, 4\] and \[5, 3, 2\] are not aligned: 4 .* vs 3/,
    );
  });
});

describe("ops.einsum", () => {
  it("computes hand-checked patterns", () => {
    const m = ops.reshape(ops.arange(6), [2, 3]);
    assert.deepEqual(ops.einsum("ij->ji", m).toArray(), [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    assert.equal(ops.einsum("ij->", m).item(), 15);
    assert.deepEqual(ops.einsum("ij->i", m).toArray(), [3, 12]);
    const sq = ops.reshape(ops.arange(9), [3, 3]);
    assert.deepEqual(ops.einsum("ii->i", sq).toArray(), [0, 4, 8]);
    assert.equal(ops.einsum("ii", sq).item(), 12);
    assert.equal(ops.einsum("i,i->", [1, 2, 3], [4, 5, 6]).item(), 32);
    assert.deepEqual(ops.einsum("i,j->ij", [1, 2], [3, 4, 5]).toArray(), [
      [3, 4, 5],
      [6, 8, 10],
    ]);
    assert.deepEqual(ops.einsum(" ij , jk -> ik ", m, ops.ones([3, 1])).toArray(), [[3], [12]]);
  });

  it("matches NumPy fixtures for 1-, 2- and 3-operand patterns, implicit outputs and '...'", () => {
    const cases = fixtures.filter((f) => f.op === "einsum");
    assert.ok(cases.length >= 20);
    for (const f of cases) {
      const xs = f.inputs.map((x) => fromFixture(x));
      const y = ops.einsum(f.subscripts as string, ...xs);
      assert.deepEqual(y.shape, f.shape, f.subscripts);
      assertClose(y, fromFixture({ shape: f.shape, data: f.expected }), { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it("keeps int32 for integer operands", () => {
    const a = ops.convertToTensor([[1, 2]], "int32");
    const y = ops.einsum("ij,kj->ik", a, a);
    assert.equal(y.dtype, "int32");
    assert.deepEqual(y.toArray(), [[5]]);
  });

  it("differentiates its patterns", () => {
    const cases: [string, number[][]][] = [
      [
        "ij,jk->ik",
        [
          [3, 4],
          [4, 2],
        ],
      ],
      [
        "bij,bjk->bik",
        [
          [2, 3, 4],
          [2, 4, 2],
        ],
      ],
      [
        "bhqd,bhkd->bhqk",
        [
          [1, 2, 3, 2],
          [1, 2, 4, 2],
        ],
      ],
      ["i,i->", [[5], [5]]],
      ["ij->ji", [[3, 4]]],
      ["ii->i", [[3, 3]]],
      ["ii", [[3, 3]]],
      ["ij->", [[2, 3]]],
      ["ij->j", [[2, 3]]],
      [
        "bi,bj->bij",
        [
          [2, 3],
          [2, 4],
        ],
      ],
      [
        "abc,cd,de->abe",
        [
          [2, 2, 3],
          [3, 2],
          [2, 3],
        ],
      ],
      [
        "ij,ij->ij",
        [
          [2, 3],
          [1, 3],
        ],
      ],
      [
        "bij,jk->bki",
        [
          [2, 3, 4],
          [4, 2],
        ],
      ],
      [
        "ijk,jil->kl",
        [
          [2, 3, 2],
          [3, 2, 2],
        ],
      ],
      [
        "...ij,...jk->...ik",
        [
          [2, 1, 2, 3],
          [3, 3, 2],
        ],
      ],
      ["ii,i->i", [[3, 3], [3]]],
      [
        "bqd,bkd->bkq",
        [
          [2, 3, 2],
          [2, 4, 2],
        ],
      ],
      [
        "ij,jk",
        [
          [2, 3],
          [3, 2],
        ],
      ],
    ];
    cases.forEach(([sub, shapes], i) => {
      checkGrad(
        (...xs) => ops.einsum(sub, ...xs) as Tensor,
        shapes.map((s, k) => randomTensor(s, 50 + 7 * i + k)),
      );
    });
  });

  it("has gradients of gradients", () => {
    for (const [sub, sa, sb] of [
      ["bij,bkj->bik", [2, 3, 2], [2, 2, 2]],
      ["ij,j->i", [3, 2], [2]],
      ["ii,ij->j", [2, 2], [2, 3]],
    ] as [string, number[], number[]][]) {
      checkGrad(
        (a, b) => {
          const g = grad((x: Tensor, y: Tensor) => ops.sum(ops.square(ops.einsum(sub, x, y))) as Tensor, [0, 1])(
            a,
            b,
          ) as Tensor[];
          return ops.add(ops.sum(ops.square(g[0])), ops.sum(ops.sin(g[1]))) as Tensor;
        },
        [randomTensor(sa, 3), randomTensor(sb, 4)],
      );
    }
  });

  it("propagates null dims of symbolic inputs", () => {
    const q = new SymbolicTensor([null, 4, 8, 16], "float32");
    const k = new SymbolicTensor([null, 4, 10, 16], "float32");
    const s = ops.einsum("bhqd,bhkd->bhqk", q, k);
    assert.ok(s instanceof SymbolicTensor);
    assert.deepEqual(s.shape, [null, 4, 8, 10]);
    const e = ops.einsum("...ij,jk->...ik", new SymbolicTensor([null, 3, 4], "float32"), ops.zeros([4, 2]));
    assert.deepEqual(e.shape, [null, 3, 2]);
    const t = ops.einsum(
      "bi,bj,jk->bik",
      new SymbolicTensor([null, 3], "float32"),
      ops.zeros([5, 4]),
      ops.zeros([4, 2]),
    );
    assert.deepEqual(t.shape, [5, 3, 2]);
  });

  it("rejects bad subscripts and operand counts with messages that name the problem", () => {
    const a = ops.zeros([2, 3]);
    const b = ops.zeros([3, 4]);
    assert.throws(
      () => ops.einsum("ij,jk->ik", a),
      /ops\.einsum: subscripts 'ij,jk->ik' name 2 operands, but 1 operand was given/,
    );
    assert.throws(
      () => ops.einsum("ij->ij", a, b),
      /ops\.einsum: subscripts 'ij->ij' name 1 operand, but 2 operands were given/,
    );
    assert.throws(
      () => ops.einsum("ijk,jk->ik", a, b),
      /ops\.einsum: operand 0 has shape \[2, 3\] \(rank 2\) but its subscript 'ijk' names 3 axes/,
    );
    assert.throws(
      () => ops.einsum("ij,kl->iz", a, b),
      /ops\.einsum: output label 'z' in subscripts 'ij,kl->iz' does not appear in any operand/,
    );
    assert.throws(() => ops.einsum("ij,jk->ii", a, b), /ops\.einsum: output label 'i' appears more than once/);
    assert.throws(
      () => ops.einsum("i1,jk->ik", a, b),
      /ops\.einsum: invalid character '1' in the term of operand 0 'i1'/,
    );
    assert.throws(
      () => ops.einsum("ij,ik->jk", a, b),
      /ops\.einsum: label 'i' has size 2 in one operand and 3 in operand 1 .*shapes \[2, 3\], \[3, 4\]/,
    );
    assert.throws(() => ops.einsum("ij->i->j", a), /ops\.einsum: subscripts 'ij->i->j' contain '->' more than once/);
    assert.throws(() => ops.einsum("...i...->i", a), /ops\.einsum: '\.\.\.' appears more than once/);
    assert.throws(
      () => ops.einsum("...j->j", ops.zeros([2, 3, 4])),
      /ops\.einsum: .*'\.\.\.' .*output of subscripts '\.\.\.j->j' has no '\.\.\.'/,
    );
    assert.throws(
      () => ops.einsum("ij,jk->ik", a, ops.zeros([4, 4])),
      /ops\.einsum: label 'j' has size 3 in one operand and 4 in operand 1/,
    );
  });
});
