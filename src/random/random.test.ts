import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { arange, convertToTensor, ones } from "../ops/creation.js";
import { reshape } from "../ops/shape.js";
import { checkGrad, randomTensor } from "../testing/gradcheck.js";
import { philoxBlock } from "./philox.js";
import * as random from "./index.js";

const values = (t: Tensor) => Array.from(t.data);

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of t.data) {
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / t.size;
  let q = 0;
  for (const v of t.data) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / t.size), min, max };
}

describe("Philox4x32-10", () => {
  it("matches the Random123 known-answer vectors", () => {
    const out = new Uint32Array(4);
    const hex = () => Array.from(out, (v) => v.toString(16).padStart(8, "0")).join(" ");
    philoxBlock(0, 0, 0, 0, 0, 0, out, 0);
    assert.equal(hex(), "6627e8d5 e169c58d bc57ac4c 9b00dbd8");
    const f = 0xffffffff;
    philoxBlock(f, f, f, f, f, f, out, 0);
    assert.equal(hex(), "408f276d 41c83b0e a20bc7c6 6d5451fd");
    philoxBlock(0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, out, 0);
    assert.equal(hex(), "d16cfe09 94fdcceb 5001e420 24126ea1");
  });
});

describe("seeds", () => {
  it("an integer seed is stateless: the same values on every call", () => {
    const a = random.normal([3, 4], { seed: 42 });
    const b = random.normal([3, 4], { seed: 42 });
    assert.deepEqual(values(a), values(b));
    assert.notDeepEqual(values(a), values(random.normal([3, 4], { seed: 43 })));
  });

  it("a SeedGenerator advances on each draw and replays from a fresh generator", () => {
    const g1 = new random.SeedGenerator(7);
    const draws1 = [
      random.uniform([5], { seed: g1 }),
      random.uniform([5], { seed: g1 }),
      random.normal([5], { seed: g1 }),
    ];
    assert.notDeepEqual(values(draws1[0]), values(draws1[1]));
    const g2 = new random.SeedGenerator(7);
    const draws2 = [
      random.uniform([5], { seed: g2 }),
      random.uniform([5], { seed: g2 }),
      random.normal([5], { seed: g2 }),
    ];
    for (const [i, d] of draws1.entries()) assert.deepEqual(values(d), values(draws2[i]));
    // As in Keras, the first draw of SeedGenerator(s) is the draw of the integer seed s.
    assert.deepEqual(values(draws1[0]), values(random.uniform([5], { seed: 7 })));
  });

  it("keeps its state in a non-trainable int32 variable [seed, counter]", () => {
    const g = new random.SeedGenerator(1234);
    assert.ok(g.state instanceof Variable);
    assert.equal(g.state.trainable, false);
    assert.equal(g.state.dtype, "int32");
    assert.deepEqual(g.state.toArray(), [1234, 0]);
    random.randint([2], 0, 10, { seed: g });
    random.randint([2], 0, 10, { seed: g });
    assert.deepEqual(g.state.toArray(), [1234, 2]);
    assert.deepEqual(g.getConfig(), { seed: 1234 });
    const h = random.SeedGenerator.fromConfig(g.getConfig());
    assert.deepEqual(h.state.toArray(), [1234, 0]);
  });

  it("setRandomSeed makes unseeded draws and seedless generators reproducible", () => {
    random.setRandomSeed(2024);
    assert.equal(random.getRandomSeed(), 2024);
    const a1 = random.normal([4]);
    const a2 = random.normal([4]);
    const g = new random.SeedGenerator();
    const a3 = random.uniform([4], { seed: g });
    assert.notDeepEqual(values(a1), values(a2));
    random.setRandomSeed(2024);
    assert.deepEqual(values(random.normal([4])), values(a1));
    assert.deepEqual(values(random.normal([4])), values(a2));
    assert.deepEqual(values(random.uniform([4], { seed: new random.SeedGenerator() })), values(a3));
    // Unseeded draws come from the global generator, seeded like SeedGenerator(2024).
    assert.deepEqual(values(a1), values(random.normal([4], { seed: 2024 })));
  });

  it("rejects seeds that are not integers or SeedGenerators", () => {
    assert.throws(() => random.normal([2], { seed: 1.5 }), /random\.normal: seed must be an integer, received 1\.5/);
    assert.throws(() => new random.SeedGenerator(Number.NaN), /SeedGenerator: seed must be an integer/);
    assert.throws(() => random.setRandomSeed(0.5), /setRandomSeed: seed must be an integer/);
    assert.throws(
      () => random.normal([2], { seed: "3" as unknown as number }),
      /random\.normal: seed must be an integer or a keras\.random\.SeedGenerator, received string 3/,
    );
  });
});

describe("distributions", () => {
  const N = 100_000;

  it("normal: shape, dtype, mean, std and the one-sigma mass", () => {
    const t = random.normal([N], { mean: 2, stddev: 3, seed: 1 });
    assert.deepEqual(t.shape, [N]);
    assert.equal(t.dtype, "float32");
    const s = stats(t);
    assert.ok(Math.abs(s.mean - 2) < 0.05, `mean ${s.mean}`);
    assert.ok(Math.abs(s.std - 3) < 0.05, `std ${s.std}`);
    let within = 0;
    for (const v of t.data) if (Math.abs(v - 2) <= 3) within++;
    assert.ok(Math.abs(within / N - 0.6827) < 0.01, `one-sigma mass ${within / N}`);
    const d = random.normal([2, 3, 4], { dtype: "float64", seed: 1 });
    assert.deepEqual(d.shape, [2, 3, 4]);
    assert.equal(d.dtype, "float64");
    assert.ok(d.data instanceof Float64Array);
    // float32 and float64 draws of a seed are the same numbers, rounded.
    const f = random.normal([24], { seed: 1 });
    for (let i = 0; i < 24; i++) assert.equal(f.data[i], Math.fround(d.data[i]));
  });

  it("uniform: bounds, mean, variance", () => {
    const t = random.uniform([N], { minval: -2, maxval: 5, seed: 2 });
    const s = stats(t);
    assert.ok(s.min >= -2 && s.max < 5, `range [${s.min}, ${s.max}]`);
    assert.ok(s.min < -1.99 && s.max > 4.99);
    assert.ok(Math.abs(s.mean - 1.5) < 0.03, `mean ${s.mean}`);
    assert.ok(Math.abs(s.std - 7 / Math.sqrt(12)) < 0.03, `std ${s.std}`);
    const u01 = stats(random.uniform([N], { seed: 3, dtype: "float64" }));
    assert.ok(u01.min >= 0 && u01.max < 1);
    assert.ok(Math.abs(u01.mean - 0.5) < 0.005);
  });

  it("uniform never returns maxval, even where float32 rounding would reach it", () => {
    // [1, 1 + 2^-23) holds a single float32: every value must be 1.
    const t = random.uniform([1000], { minval: 1, maxval: 1 + 2 ** -23, seed: 4 });
    for (const v of t.data) assert.equal(v, 1);
  });

  it("truncatedNormal: never beyond two standard deviations, truncated mean and std", () => {
    const t = random.truncatedNormal([N], { mean: -1, stddev: 0.5, seed: 5 });
    const s = stats(t);
    assert.ok(s.min >= -2 && s.max <= 0, `range [${s.min}, ${s.max}]`);
    assert.ok(s.min < -1.99 && s.max > -0.01);
    assert.ok(Math.abs(s.mean + 1) < 0.01, `mean ${s.mean}`);
    // The standard normal truncated to [-2, 2] has std 0.87962.
    assert.ok(Math.abs(s.std - 0.5 * 0.87962) < 0.005, `std ${s.std}`);
    assert.deepEqual(
      values(random.truncatedNormal([7], { seed: 9 })),
      values(random.truncatedNormal([7], { seed: 9 })),
    );
  });

  it("randint: int32 in [minval, maxval), roughly uniform", () => {
    const t = random.randint([N], -3, 7, { seed: 6 });
    assert.equal(t.dtype, "int32");
    const counts = new Array(10).fill(0);
    for (const v of t.data) {
      assert.ok(Number.isInteger(v) && v >= -3 && v < 7, `value ${v}`);
      counts[v + 3]++;
    }
    // Expected 10000 each with standard deviation ~95.
    for (const c of counts) assert.ok(Math.abs(c - N / 10) < 500, `counts ${counts}`);
  });

  it("categorical: frequencies follow softmax(logits); -inf classes never drawn", () => {
    const logits = convertToTensor([
      [Math.log(0.2), Math.log(0.5), Math.log(0.3)],
      [0, Number.NEGATIVE_INFINITY, 0],
    ]);
    const n = 50_000;
    const s = random.categorical(logits, n, { seed: 7 });
    assert.deepEqual(s.shape, [2, n]);
    assert.equal(s.dtype, "int32");
    const counts = [new Array(3).fill(0), new Array(3).fill(0)];
    for (let b = 0; b < 2; b++) for (let k = 0; k < n; k++) counts[b][s.data[b * n + k]]++;
    for (const [c, p] of [0.2, 0.5, 0.3].entries()) assert.ok(Math.abs(counts[0][c] / n - p) < 0.01, `${counts[0]}`);
    assert.equal(counts[1][1], 0);
    assert.ok(Math.abs(counts[1][0] / n - 0.5) < 0.01, `${counts[1]}`);
    const sym = random.categorical(new SymbolicTensor([null, 5], "float32"), 3, { seed: 1 });
    assert.ok(sym instanceof SymbolicTensor);
    assert.deepEqual(sym.shape, [null, 3]);
  });

  it("validates shapes, dtypes and ranges", () => {
    assert.throws(
      () => random.uniform([2], { dtype: "int32" }),
      /random\.uniform: requires a float dtype, received dtype int32/,
    );
    assert.throws(
      () => random.normal([2], { dtype: "bool" }),
      /random\.normal: requires a float dtype, received dtype bool/,
    );
    assert.throws(
      () => random.randint([2], 0, 5, { dtype: "float32" }),
      /random\.randint: requires an integer dtype, received dtype float32/,
    );
    assert.throws(
      () => random.randint([2], 5, 5),
      /random\.randint: minval must be less than maxval, received minval=5, maxval=5/,
    );
    assert.throws(() => random.randint([2], 6, 5), /minval must be less than maxval, received minval=6, maxval=5/);
    assert.throws(() => random.randint([2], 0.5, 5), /random\.randint: minval and maxval must be integers/);
    assert.throws(
      () => random.uniform([2], { minval: 1, maxval: 0 }),
      /random\.uniform: minval must be less than maxval, received minval=1, maxval=0/,
    );
    assert.throws(
      () => random.normal([2, -1]),
      /random\.normal: shape must be an array of non-negative integers, received \[2, -1\]/,
    );
    assert.throws(() => random.normal([2], { stddev: Number.NaN }), /random\.normal: stddev must be a finite number/);
    assert.throws(
      () => random.categorical(convertToTensor([0, 1]), 2),
      /random\.categorical: logits must be a 2-D tensor of shape \[batchSize, numClasses\], received shape \[2\]/,
    );
  });
});

describe("shuffle", () => {
  it("is a permutation of the slices along the axis, reproducible with a seed", () => {
    const x = arange(1000);
    const s = random.shuffle(x, { seed: 11 });
    assert.notDeepEqual(values(s), values(x));
    assert.deepEqual(
      values(s).sort((a, b) => a - b),
      values(x),
    );
    assert.deepEqual(values(random.shuffle(x, { seed: 11 })), values(s));
    assert.notDeepEqual(values(random.shuffle(x, { seed: 12 })), values(s));
  });

  it("moves whole slices: rows along axis 0, columns along axis -1", () => {
    const x = reshape(arange(40), [5, 8]) as Tensor;
    const rows = random.shuffle(x, { seed: 3 }).toArray() as number[][];
    for (const r of rows)
      assert.deepEqual(
        r,
        Array.from({ length: 8 }, (_, j) => r[0] + j),
      );
    assert.deepEqual(rows.map((r) => r[0] / 8).sort(), [0, 1, 2, 3, 4]);
    const cols = random.shuffle(x, { axis: -1, seed: 3 }).toArray() as number[][];
    const perm = cols[0];
    assert.deepEqual([...perm].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.notDeepEqual(perm, [0, 1, 2, 3, 4, 5, 6, 7]);
    for (const [i, r] of cols.entries()) {
      assert.deepEqual(
        r,
        perm.map((p) => p + 8 * i),
      );
    }
  });

  it("is differentiable and works symbolically", () => {
    checkGrad((x) => random.shuffle(x, { axis: 1, seed: 5 }), [randomTensor([3, 4, 2], 1)]);
    const sym = random.shuffle(new SymbolicTensor([null, 6], "float32"), { axis: 1 });
    assert.ok(sym instanceof SymbolicTensor);
    assert.deepEqual(sym.shape, [null, 6]);
    assert.throws(
      () => random.shuffle(arange(3), { axis: 1 }),
      /random\.shuffle: axis 1 is out of range for a tensor of rank 1/,
    );
  });
});

describe("dropout", () => {
  it("zeros a fraction `rate` and scales the rest by 1 / (1 - rate)", () => {
    const n = 100_000;
    const y = random.dropout(ones([n]), 0.3, { seed: 8 });
    let zeros = 0;
    const kept = Math.fround(1 / 0.7);
    for (const v of y.data) {
      if (v === 0) zeros++;
      else assert.equal(v, kept);
    }
    assert.ok(Math.abs(zeros / n - 0.3) < 0.01, `dropped fraction ${zeros / n}`);
    assert.ok(Math.abs(stats(y).mean - 1) < 0.02);
    assert.deepEqual(
      values(random.dropout(ones([50]), 0.5, { seed: 8 })),
      values(random.dropout(ones([50]), 0.5, { seed: 8 })),
    );
  });

  it("rate 0 is the identity", () => {
    const x = randomTensor([4, 5], 2);
    assert.deepEqual(values(random.dropout(x, 0, { seed: 1 })), values(x));
  });

  it("broadcasts the mask along axes where noiseShape is 1", () => {
    const y = random.dropout(ones([50, 20]), 0.5, { noiseShape: [1, null], seed: 4 }).toArray() as number[][];
    for (const row of y) assert.deepEqual(row, y[0]);
    const dropped = y[0].filter((v) => v === 0).length;
    assert.ok(dropped > 0 && dropped < 20, `dropped ${dropped} of 20`);
    const z = random.dropout(ones([6, 30]), 0.5, { noiseShape: [6, 1], seed: 4 }).toArray() as number[][];
    for (const row of z) assert.ok(row.every((v) => v === row[0]));
  });

  it("differentiates with respect to the inputs (the same mask scales the gradient)", () => {
    checkGrad((x) => random.dropout(x, 0.5, { seed: 3 }), [randomTensor([3, 4], 1)]);
    checkGrad((x) => random.dropout(x, 0.25, { noiseShape: [null, 1, 3], seed: 9 }), [randomTensor([2, 4, 3], 2)]);
  });

  it("keeps symbolic shapes, unknown dims included", () => {
    const y = random.dropout(new SymbolicTensor([null, 4], "float32"), 0.5, { noiseShape: [null, 1] });
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 4]);
    assert.equal(y.dtype, "float32");
  });

  it("rejects bad rates, noise shapes and non-float inputs", () => {
    const x = ones([2, 3]);
    assert.throws(() => random.dropout(x, 1), /random\.dropout: rate must be a number in \[0, 1\), received 1/);
    assert.throws(() => random.dropout(x, -0.1), /rate must be a number in \[0, 1\), received -0\.1/);
    assert.throws(() => random.dropout(x, Number.NaN), /rate must be a number in \[0, 1\), received NaN/);
    assert.throws(
      () => random.dropout(x, 0.5, { noiseShape: [2, 2] }),
      /random\.dropout: noiseShape must have the inputs' rank.*received noiseShape \[2, 2\] for inputs of shape \[2, 3\]/,
    );
    assert.throws(() => random.dropout(x, 0.5, { noiseShape: [3] }), /noiseShape \[3\] for inputs of shape \[2, 3\]/);
    assert.throws(
      () => random.dropout(arange(4), 0.5),
      /random\.dropout: inputs must be a float tensor, received dtype int32/,
    );
  });
});
