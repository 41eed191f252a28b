// Every native kernel against its TypeScript twin. Skips when the addon is not built, except
// under KERAS_TS_REQUIRE_NATIVE=1 (CI), where an addon that failed to load is a failure.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backendInfo } from "../kernels.js";
import { Tensor } from "../tensor.js";
import { addon, collapseBroadcast, collapseStrides, getNumThreads, setNumThreads } from "./index.js";
import { assertNear, assertSame, cpu, native, random, skip } from "./test_helpers.js";

const required = process.env.KERAS_TS_REQUIRE_NATIVE === "1";

describe("native addon", () => {
  it("loaded when KERAS_TS_REQUIRE_NATIVE=1", { skip: !required && "KERAS_TS_REQUIRE_NATIVE is not set" }, () => {
    assert.ok(addon, `native addon did not load: ${backendInfo().native.error}`);
  });
});

describe("native matmul vs TypeScript", { skip }, () => {
  // [batchA, batchB, batch, M, N, K]
  const cases: number[][] = [
    [1, 1, 1, 128, 512, 784],
    [1, 1, 1, 33, 17, 65],
    [1, 1, 1, 1, 300, 7],
    [1, 1, 1, 257, 1, 31],
    [3, 3, 3, 19, 23, 29],
    [4, 1, 4, 16, 40, 24],
    [1, 5, 5, 21, 13, 50],
    [2, 2, 2, 64, 64, 3],
  ];
  for (const [batchA, batchB, batch, M, N, K] of cases) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`[${batchA}|${batchB}] ${M}x${K} @ ${K}x${N} transA=${transA} transB=${transB}`, () => {
          const a = random(transA ? [batchA, K, M] : [batchA, M, K], M * 31 + K);
          const b = random(transB ? [batchB, N, K] : [batchB, K, N], N * 17 + K);
          const want = Tensor.empty([batch, M, N]);
          const got = Tensor.empty([batch, M, N]);
          cpu.matmul(a, b, want, transA, transB);
          native.matmul(a, b, got, transA, transB);
          // Both sum K products of numbers in [-1, 1]; they differ only in rounding order.
          assertNear(got, want, 2e-6 * K, "matmul");
        });
      }
    }
  }

  it("adds a bias to every row, batched and not, with K = 0 too, as TypeScript does", () => {
    for (const [batchA, batchB, batch, M, N, K] of [
      [1, 1, 1, 128, 512, 784],
      [3, 1, 3, 17, 29, 40],
      [2, 2, 2, 33, 65, 0],
    ]) {
      for (const transB of [false, true]) {
        const a = random([batchA, M, K], M + K);
        const b = random(transB ? [batchB, N, K] : [batchB, K, N], N + K);
        const bias = random([N], N);
        const want = Tensor.empty([batch, M, N]);
        const got = Tensor.empty([batch, M, N]);
        cpu.matmul(a, b, want, false, transB, bias);
        native.matmul(a, b, got, false, transB, bias);
        assertNear(got, want, 2e-6 * (K + 1), `matmul + bias ${[batch, M, N, K]}`);
        if (K === 0) assert.equal(got.data[N + 3], bias.data[3]);
      }
    }
  });

  it("reads tensors that are views into a larger buffer (byte offset)", () => {
    const big = random([1, 2 * 40 * 30 + 5], 7);
    const a = new Tensor((big.data as Float32Array).subarray(5, 5 + 40 * 30), [1, 40, 30]);
    const b = random([1, 30, 50], 8);
    const want = Tensor.empty([1, 40, 50]);
    const got = Tensor.empty([1, 40, 50]);
    cpu.matmul(a, b, want, false, false);
    native.matmul(a, b, got, false, false);
    assertNear(got, want, 1e-4, "matmul view");
  });

  it("handles K = 0 and empty outputs, and hands float64 and tiny products to TypeScript", () => {
    const got = Tensor.empty([1, 70, 80]);
    got.data.fill(3);
    native.matmul(Tensor.empty([1, 70, 0]), Tensor.empty([1, 0, 80]), got, false, false);
    assert.ok(got.data.every((v) => v === 0));
    native.matmul(Tensor.empty([1, 0, 5]), Tensor.empty([1, 5, 80]), Tensor.empty([1, 0, 80]), false, false);
    for (const [dtype, M] of [
      ["float64", 40],
      ["float32", 3],
    ] as const) {
      const a = random([2, M, 9], 3, -1, 1, dtype);
      const b = random([1, 9, 11], 4, -1, 1, dtype);
      const want = Tensor.empty([2, M, 11], dtype);
      const got = Tensor.empty([2, M, 11], dtype);
      cpu.matmul(a, b, want, false, false);
      native.matmul(a, b, got, false, false);
      assertSame(got, want, `matmul ${dtype}`);
    }
  });

  it("gives the same results on one thread", () => {
    const before = getNumThreads();
    try {
      setNumThreads(1);
      assert.equal(getNumThreads(), 1);
      assert.equal(backendInfo().native.threads, 1);
      const a = random([1, 96, 200], 11);
      const b = random([1, 150, 200], 12);
      const want = Tensor.empty([1, 96, 150]);
      const got = Tensor.empty([1, 96, 150]);
      cpu.matmul(a, b, want, false, true);
      native.matmul(a, b, got, false, true);
      assertNear(got, want, 4e-4, "matmul on one thread");
    } finally {
      setNumThreads(before);
    }
    assert.equal(getNumThreads(), before);
  });
});

describe("collapseStrides", () => {
  it("merges axes only where all inputs stay contiguous", () => {
    assert.deepEqual(collapseStrides([4, 5, 6], [[4, 5, 6], [4, 5, 6], []]), { dims: [120], strides: [[1], [1], [0]] });
    assert.deepEqual(collapseStrides([4, 5, 6], [[4, 5, 6], [6], [4, 1, 6]]), {
      dims: [4, 5, 6],
      strides: [
        [30, 6, 1],
        [0, 0, 1],
        [6, 0, 1],
      ],
    });
  });
});

describe("collapseBroadcast", () => {
  it("drops size-1 axes and merges axes that stay contiguous for both inputs", () => {
    assert.deepEqual(collapseBroadcast([4, 5, 6], [4, 5, 6], [4, 5, 6]), { dims: [120], sa: [1], sb: [1] });
    assert.deepEqual(collapseBroadcast([4, 5, 6], [4, 5, 6], [6]), { dims: [20, 6], sa: [6, 1], sb: [0, 1] });
    assert.deepEqual(collapseBroadcast([4, 5, 6], [4, 5, 6], []), { dims: [120], sa: [1], sb: [0] });
    assert.deepEqual(collapseBroadcast([4, 1, 6], [4, 1, 1], [1, 1, 6]), { dims: [4, 6], sa: [1, 0], sb: [0, 1] });
    assert.deepEqual(collapseBroadcast([2, 3, 4], [2, 1, 4], [3, 1]), {
      dims: [2, 3, 4],
      sa: [4, 0, 1],
      sb: [0, 1, 0],
    });
    assert.deepEqual(collapseBroadcast([1, 1], [1, 1], [1]), { dims: [1], sa: [0], sb: [0] });
  });
});

const BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum"];

describe("native binary vs TypeScript", { skip }, () => {
  const shapes: [number[], number[]][] = [
    [[1001], [1001]],
    [[3, 333], []],
    [[], [7, 77]],
    [[129, 513], [513]],
    [
      [129, 513],
      [129, 1],
    ],
    [
      [1, 300],
      [17, 1],
    ],
    [
      [5, 1, 7, 11],
      [6, 1, 11],
    ],
    [
      [2, 3, 4, 5, 6, 7],
      [3, 1, 5, 1, 7],
    ],
    [
      [300, 300],
      [300, 300],
    ],
    [[1 << 16], [1]],
  ];
  for (const op of BINARY) {
    it(`${op} with broadcasting (exactly equal)`, () => {
      for (const [sa, sb] of shapes) {
        const a = random(sa, sa.length * 7 + 1);
        const b = random(sb, sb.length * 13 + 2, op === "divide" ? 0.5 : -1, op === "divide" ? 2 : 1);
        const outShape = broadcastShape(sa, sb);
        const want = Tensor.empty(outShape);
        const got = Tensor.empty(outShape);
        cpu.binary(op, a, b, want);
        native.binary(op, a, b, got);
        assertSame(got, want, `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      }
    });
  }

  it("propagates NaN and infinities as the TypeScript kernel does", () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 3.5];
    const n = specials.length;
    const a = Tensor.empty([n, n * 40]);
    const b = Tensor.empty([n, n * 40]);
    for (let i = 0; i < a.size; i++) {
      a.data[i] = specials[i % n];
      b.data[i] = specials[Math.floor(i / n) % n];
    }
    for (const op of BINARY) {
      const want = Tensor.empty(a.shape);
      const got = Tensor.empty(a.shape);
      cpu.binary(op, a, b, want);
      native.binary(op, a, b, got);
      assertSame(got, want, op);
    }
  });

  it("hands other dtypes and ops to TypeScript", () => {
    const a = random([40, 40], 1, -3, 3, "float64");
    const b = random([40], 2, 0.5, 2, "float64");
    for (const [op, x, y] of [
      ["add", a, b],
      ["power", random([40, 40], 3, 0.5, 2), random([40], 4)],
      ["mod", random([40, 40], 5, -3, 3), random([40], 6, 0.5, 2)],
    ] as const) {
      const want = Tensor.empty([40, 40], x.dtype);
      const got = Tensor.empty([40, 40], x.dtype);
      cpu.binary(op, x, y, want);
      native.binary(op, x, y, got);
      assertSame(got, want, op);
    }
  });
});

const COMPARISONS = ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"];

describe("native comparisons and where vs TypeScript", { skip }, () => {
  const shapes: [number[], number[]][] = [
    [[1001], [1001]],
    [[3, 333], []],
    [[129, 513], [513]],
    [
      [1, 300],
      [17, 1],
    ],
    [
      [5, 1, 7, 11],
      [6, 1, 11],
    ],
  ];
  // Values on a coarse grid so that equal pairs occur; NaN and signed zeros included.
  const grid = (shape: number[], seed: number) => {
    const t = random(shape, seed, -3, 3);
    for (let i = 0; i < t.size; i++) t.data[i] = Math.round(t.data[i]);
    if (t.size > 20) {
      t.data[3] = NaN;
      t.data[7] = -0;
      t.data[11] = 0;
    }
    return t;
  };
  for (const op of COMPARISONS) {
    it(`${op} into bool (exactly equal)`, () => {
      for (const [sa, sb] of shapes) {
        const a = grid(sa, sa.length * 3 + 1);
        const b = grid(sb, sb.length * 5 + 2);
        const outShape = broadcastShape(sa, sb);
        const want = Tensor.empty(outShape, "bool");
        const got = Tensor.empty(outShape, "bool");
        cpu.binary(op, a, b, want);
        native.binary(op, a, b, got);
        assertSame(got, want, `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      }
    });
  }

  it("where with broadcast condition and branches (exactly equal)", () => {
    const cases: [number[], number[], number[]][] = [
      [[64, 300], [64, 300], []],
      [
        [64, 300],
        [64, 300],
        [64, 300],
      ],
      [[300], [64, 300], [64, 1]],
      [
        [7, 1, 90],
        [1, 5, 90],
        [7, 5, 1],
      ],
      [[1], [40, 40], [40, 40]],
    ];
    for (const [sc, sa, sb] of cases) {
      const cond = Tensor.empty(sc, "bool");
      const x = random(sc, sc.length + 9);
      for (let i = 0; i < cond.size; i++) cond.data[i] = x.data[i] > 0 ? 1 : 0;
      const a = random(sa, 21);
      const b = random(sb, 22);
      const outShape = broadcastShape(broadcastShape(sc, sa), sb);
      const want = Tensor.empty(outShape);
      const got = Tensor.empty(outShape);
      cpu.where(cond, a, b, want);
      native.where(cond, a, b, got);
      assertSame(got, want, `where ${JSON.stringify([sc, sa, sb])}`);
    }
  });

  it("hands float64 inputs and non-bool conditions to TypeScript", () => {
    const a = random([40, 40], 1, -1, 1, "float64");
    const want = Tensor.empty([40, 40], "bool");
    const got = Tensor.empty([40, 40], "bool");
    cpu.binary("greater", a, a, want);
    native.binary("greater", a, a, got);
    assertSame(got, want, "greater float64");
    const cond = random([40, 40], 2);
    const w = Tensor.empty([40, 40]);
    const g = Tensor.empty([40, 40]);
    cpu.where(cond, random([40, 40], 3), random([40], 4), w);
    native.where(cond, random([40, 40], 3), random([40], 4), g);
    assertSame(g, w, "where float cond");
  });
});

function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}

const UNARY: [string, number, number][] = [
  ["negative", -3, 3],
  ["square", -3, 3],
  ["sqrt", 0, 5],
  ["abs", -3, 3],
  ["relu", -3, 3],
  ["reciprocal", -3, 3],
  ["exp", -90, 90],
  ["log", 1e-6, 100],
  ["tanh", -10, 10],
  ["sigmoid", -100, 100],
];

describe("native unary vs TypeScript", { skip }, () => {
  for (const [op, lo, hi] of UNARY) {
    it(`${op} (exactly equal), incl. NaN, infinities, zeros and out-of-domain values`, () => {
      for (const n of [257, 4099, 100003]) {
        const x = random([n], n + op.length, lo, hi);
        [NaN, Infinity, -Infinity, 0, -0, -1, 1e-45, 100, -100].forEach((v, i) => {
          x.data[i * 13] = v;
        });
        const want = Tensor.empty([n]);
        const got = Tensor.empty([n]);
        cpu.unary(op, x, want);
        native.unary(op, x, got);
        assertSame(got, want, `${op} n=${n}`);
      }
    });
  }

  it("hands small, float64 and other ops to TypeScript", () => {
    for (const [op, x] of [
      ["exp", random([10], 1)],
      ["exp", random([1000], 2, -1, 1, "float64")],
      ["sin", random([1000], 3)],
    ] as const) {
      const want = Tensor.empty(x.shape, x.dtype);
      const got = Tensor.empty(x.shape, x.dtype);
      cpu.unary(op, x, want);
      native.unary(op, x, got);
      assertSame(got, want, op);
    }
  });
});

describe("native reduce vs TypeScript", { skip }, () => {
  const cases: [number[], number[]][] = [
    [[100003], [0]],
    [[128, 512], [1]],
    [[128, 512], [0]],
    [[33, 65, 17], [1]],
    [
      [33, 65, 17],
      [1, 2],
    ],
    [
      [33, 65, 17],
      [0, 1],
    ],
    [
      [7, 3000],
      [0, 1],
    ],
    [
      [4, 5, 6, 70],
      [0, 2],
    ], // not one block: TypeScript
  ];
  for (const op of ["sum", "max"] as const) {
    it(`${op} over blocks of axes`, () => {
      for (const [shape, axes] of cases) {
        const x = random(shape, shape.length * 5 + axes[0]);
        const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const want = Tensor.empty(outShape);
        const got = Tensor.empty(outShape);
        cpu.reduce(op, x, axes, want);
        native.reduce(op, x, axes, got);
        // Sums accumulate in double on both sides, in different orders.
        if (op === "sum") assertNear(got, want, 1e-6, `${op} ${JSON.stringify(shape)} ${axes}`);
        else assertSame(got, want, `${op} ${JSON.stringify(shape)} ${axes}`);
      }
    });
  }

  it("max propagates NaN and sums of infinities match", () => {
    const x = random([64, 100], 9);
    x.data[130] = NaN;
    x.data[1000] = Infinity;
    x.data[5000] = -Infinity;
    for (const op of ["sum", "max"] as const) {
      for (const axes of [[1], [0]]) {
        const outShape = axes[0] === 1 ? [64, 1] : [1, 100];
        const want = Tensor.empty(outShape);
        const got = Tensor.empty(outShape);
        cpu.reduce(op, x, axes, want);
        native.reduce(op, x, axes, got);
        assertNear(got, want, 1e-6, `${op} ${axes}`);
        for (let i = 0; i < want.size; i++) assert.equal(Number.isNaN(got.data[i]), Number.isNaN(want.data[i]));
      }
    }
  });
});

describe("backendInfo", () => {
  it("reports the addon and which kernels are native", () => {
    const info = backendInfo();
    assert.equal(info.native.loaded, addon !== null);
    if (addon && !info.forcedTypeScript) {
      assert.equal(info.kernels.matmul, "native");
      assert.equal(info.kernels.binary, "native");
      assert.match(info.native.onednn ?? "", /^\d+\.\d+\.\d+$/);
      assert.ok((info.native.threads ?? 0) >= 1);
      assert.equal(typeof info.native.mallocTuned, "boolean");
    } else {
      assert.equal(info.kernels.matmul, "cpu");
    }
  });
});
