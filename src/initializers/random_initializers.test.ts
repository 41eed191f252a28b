import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Tensor } from "../backend/tensor.js";
import { normal } from "../random/random.js";
import { SeedGenerator, setRandomSeed } from "../random/seed_generator.js";
import {
  computeFans,
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LecunNormal,
  LecunUniform,
  Orthogonal,
  RandomNormal,
  RandomUniform,
  signCorrectedQ,
  TruncatedNormal,
  VarianceScaling,
} from "./random_initializers.js";

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

// The standard deviation of N(0, 1) truncated to [-2, 2], Keras's correction constant.
const CORRECTION = 0.87962566103423978;

/** Checks a uniform sample in ±limit: inside the bounds, reaching near them, std limit/√3, mean 0. */
function assertUniform(t: Tensor, limit: number): void {
  const s = stats(t);
  assert.ok(s.min >= -limit && s.max < limit, `range [${s.min}, ${s.max}] vs ±${limit}`);
  assert.ok(s.max > 0.99 * limit && s.min < -0.99 * limit, `range [${s.min}, ${s.max}] should reach ±${limit}`);
  assert.ok(Math.abs(s.std - limit / Math.sqrt(3)) < 0.01 * limit, `std ${s.std} vs ${limit / Math.sqrt(3)}`);
  assert.ok(Math.abs(s.mean) < 0.01 * limit, `mean ${s.mean}`);
}

/** Checks a truncated normal sample whose target std (after truncation) is `std`. */
function assertTruncated(t: Tensor, std: number): void {
  const s = stats(t);
  const bound = (2 * std) / CORRECTION;
  assert.ok(s.min >= -bound * (1 + 1e-6) && s.max <= bound * (1 + 1e-6), `range [${s.min}, ${s.max}] vs ±${bound}`);
  assert.ok(s.max > 0.98 * bound, `max ${s.max} should approach the bound ${bound}`);
  assert.ok(Math.abs(s.std - std) < 0.015 * std, `std ${s.std} vs ${std}`);
  assert.ok(Math.abs(s.mean) < 0.01 * std, `mean ${s.mean}`);
}

describe("computeFans", () => {
  it("follows Keras for ranks 0 to 4", () => {
    assert.deepEqual(computeFans([]), [1, 1]);
    assert.deepEqual(computeFans([7]), [7, 7]);
    assert.deepEqual(computeFans([3, 4]), [3, 4]);
    assert.deepEqual(computeFans([5, 3, 4]), [15, 20]);
    assert.deepEqual(computeFans([3, 3, 16, 32]), [144, 288]);
  });
});

describe("VarianceScaling presets", () => {
  const shape = [400, 500];
  it("GlorotUniform: uniform in ±sqrt(6 / (fanIn + fanOut))", () => {
    assertUniform(new GlorotUniform({ seed: 1 }).call(shape), Math.sqrt(6 / 900));
  });
  it("GlorotNormal: truncated normal with std sqrt(2 / (fanIn + fanOut))", () => {
    assertTruncated(new GlorotNormal({ seed: 2 }).call(shape), Math.sqrt(2 / 900));
  });
  it("HeUniform: uniform in ±sqrt(6 / fanIn)", () => {
    assertUniform(new HeUniform({ seed: 3 }).call(shape), Math.sqrt(6 / 400));
  });
  it("HeNormal: truncated normal with std sqrt(2 / fanIn)", () => {
    assertTruncated(new HeNormal({ seed: 4 }).call(shape), Math.sqrt(2 / 400));
  });
  it("LecunUniform: uniform in ±sqrt(3 / fanIn)", () => {
    assertUniform(new LecunUniform({ seed: 5 }).call(shape), Math.sqrt(3 / 400));
  });
  it("LecunNormal: truncated normal with std sqrt(1 / fanIn)", () => {
    assertTruncated(new LecunNormal({ seed: 6 }).call(shape), Math.sqrt(1 / 400));
  });
  it("uses the receptive field of convolution kernels", () => {
    // [3, 3, 16, 32, 10]: receptive field 3·3·16 = 144, fanIn 144·32 = 4608.
    const t = new HeNormal({ seed: 7 }).call([3, 3, 16, 32, 10]);
    assertTruncated(t, Math.sqrt(2 / 4608));
    assertUniform(new GlorotUniform({ seed: 8 }).call([5, 5, 64, 128]), Math.sqrt(6 / (25 * 64 + 25 * 128)));
  });
  it("their config holds only the seed", () => {
    assert.deepEqual(new GlorotUniform({ seed: 3 }).getConfig(), { seed: 3 });
    assert.deepEqual(new HeNormal().getConfig(), { seed: null });
  });
});

describe("VarianceScaling", () => {
  it("fan_out with untruncated_normal: std sqrt(scale / fanOut), values beyond two stds exist", () => {
    const t = new VarianceScaling({ scale: 3, mode: "fan_out", distribution: "untruncated_normal", seed: 9 }).call([
      200, 600,
    ]);
    const s = stats(t);
    const std = Math.sqrt(3 / 600);
    assert.ok(Math.abs(s.std - std) < 0.015 * std, `std ${s.std} vs ${std}`);
    assert.ok(s.max > 3 * std, "an untruncated sample of 120000 has values beyond 3 std");
  });
  it("fan_avg uniform with scale, and 'normal' meaning truncated_normal (case-insensitive)", () => {
    assertUniform(
      new VarianceScaling({ scale: 0.5, mode: "fan_avg", distribution: "uniform", seed: 10 }).call([300, 500]),
      Math.sqrt((3 * 0.5) / 400),
    );
    const vs = new VarianceScaling({ distribution: "Normal", seed: 11 });
    assert.equal(vs.distribution, "truncated_normal");
    assertTruncated(vs.call([500, 300]), Math.sqrt(1 / 500));
  });
  it("takes fans below 1 as 1 (zero-size and scalar shapes)", () => {
    const t = new VarianceScaling({ distribution: "uniform", seed: 1 }).call([0, 5]);
    assert.deepEqual(t.shape, [0, 5]);
    const scalar = new VarianceScaling({ distribution: "uniform", seed: 1 }).call([]);
    assert.deepEqual(scalar.shape, []);
    assert.ok(Math.abs(scalar.data[0]) < Math.sqrt(3));
  });
  it("has Keras's config", () => {
    assert.deepEqual(new VarianceScaling({ scale: 2, mode: "fan_out", distribution: "uniform", seed: 5 }).getConfig(), {
      seed: 5,
      scale: 2,
      mode: "fan_out",
      distribution: "uniform",
    });
  });
  it("rejects bad arguments with clear errors", () => {
    assert.throws(
      () => new VarianceScaling({ scale: 0 }),
      /VarianceScaling: scale must be a positive number, received scale=0/,
    );
    assert.throws(
      () => new VarianceScaling({ mode: "fan_sum" as never }),
      /VarianceScaling: mode must be one of fan_in, fan_out, fan_avg, received mode=fan_sum/,
    );
    assert.throws(
      () => new VarianceScaling({ distribution: "gamma" }),
      /VarianceScaling: distribution must be one of truncated_normal, untruncated_normal, uniform, received distribution=gamma/,
    );
    assert.throws(
      () => new GlorotUniform().call([2, 2], "int32"),
      /GlorotUniform: requires a float dtype .* received dtype int32/,
    );
    assert.throws(
      () => new GlorotUniform().call([2, -1]),
      /GlorotUniform: shape must be an array of non-negative integers, received \[2, -1\]/,
    );
  });
});

describe("RandomNormal, RandomUniform, TruncatedNormal", () => {
  it("use Keras's defaults (0.05 scale)", () => {
    const n = new RandomNormal({ seed: 1 });
    assert.deepEqual(n.getConfig(), { seed: 1, mean: 0, stddev: 0.05 });
    const s = stats(n.call([300, 300]));
    assert.ok(Math.abs(s.std - 0.05) < 0.001 && Math.abs(s.mean) < 0.001, JSON.stringify(s));
    const u = new RandomUniform({ seed: 2 });
    assert.deepEqual(u.getConfig(), { seed: 2, minval: -0.05, maxval: 0.05 });
    assertUniform(u.call([300, 300]), 0.05);
    const t = new TruncatedNormal({ seed: 3 });
    assert.deepEqual(t.getConfig(), { seed: 3, mean: 0, stddev: 0.05 });
    const ts = stats(t.call([300, 300]));
    assert.ok(ts.min >= -0.1 && ts.max <= 0.1 && ts.max > 0.098, JSON.stringify(ts));
    assert.ok(Math.abs(ts.std - 0.05 * CORRECTION) < 0.001, `truncated std ${ts.std}`);
  });
  it("use the given parameters, in float64 when asked", () => {
    const t = new RandomNormal({ mean: 1, stddev: 2, seed: 4 }).call([400, 400], "float64");
    assert.equal(t.dtype, "float64");
    const s = stats(t);
    assert.ok(Math.abs(s.mean - 1) < 0.02 && Math.abs(s.std - 2) < 0.02, JSON.stringify(s));
    const u = stats(new RandomUniform({ minval: 2, maxval: 5, seed: 5 }).call([10000]));
    assert.ok(u.min >= 2 && u.max < 5 && Math.abs(u.mean - 3.5) < 0.05, JSON.stringify(u));
    const tn = stats(new TruncatedNormal({ mean: -3, stddev: 0.5, seed: 6 }).call([10000]));
    assert.ok(tn.min >= -4 && tn.max <= -2 && Math.abs(tn.mean + 3) < 0.02, JSON.stringify(tn));
  });
  it("reject minval >= maxval and non-integer seeds", () => {
    assert.throws(() => new RandomUniform({ minval: 1, maxval: 1 }), /RandomUniform: minval must be less than maxval/);
    assert.throws(
      () => new RandomNormal({ seed: 1.5 }),
      /RandomNormal: seed must be an integer or a keras.random.SeedGenerator, received number 1.5/,
    );
  });
});

describe("seeding", () => {
  const same = (a: Tensor, b: Tensor) => assert.deepEqual(Array.from(a.data), Array.from(b.data));
  const differ = (a: Tensor, b: Tensor) => assert.notDeepEqual(Array.from(a.data), Array.from(b.data));
  it("an integer seed gives the same values across instances and calls", () => {
    same(new GlorotUniform({ seed: 42 }).call([4, 5]), new GlorotUniform({ seed: 42 }).call([4, 5]));
    const init = new RandomNormal({ seed: 7 });
    same(init.call([10]), init.call([10]));
    differ(new GlorotUniform({ seed: 42 }).call([4, 5]), new GlorotUniform({ seed: 43 }).call([4, 5]));
  });
  it("an unseeded initializer draws its seed at construction (Keras 3)", () => {
    const init = new GlorotNormal();
    same(init.call([4, 5]), init.call([4, 5]));
    differ(new GlorotNormal().call([4, 5]), new GlorotNormal().call([4, 5]));
    assert.equal(typeof init.seed, "number");
    assert.equal(init.getConfig().seed, null);
  });
  it("setRandomSeed makes unseeded initializers reproducible", () => {
    setRandomSeed(123);
    const a = new HeUniform().call([6]);
    setRandomSeed(123);
    const b = new HeUniform().call([6]);
    same(a, b);
  });
  it("a SeedGenerator gives new values at each call, reproducibly, and serializes", () => {
    const init = new RandomUniform({ seed: new SeedGenerator(5) });
    const a = init.call([8]);
    const b = init.call([8]);
    differ(a, b);
    const config = init.getConfig();
    assert.deepEqual(config.seed, { module: "keras.random", className: "SeedGenerator", config: { seed: 5 } });
    const again = RandomUniform.fromConfig(config);
    same(again.call([8]), a);
  });
});

/** Aᵀ·B of row-major a [m, p] and b [m, q]. */
function gram(a: ArrayLike<number>, b: ArrayLike<number>, m: number, p: number, q: number): number[][] {
  const out = Array.from({ length: p }, () => new Array<number>(q).fill(0));
  for (let i = 0; i < p; i++)
    for (let j = 0; j < q; j++) for (let k = 0; k < m; k++) out[i][j] += a[k * p + i] * b[k * q + j];
  return out;
}

function assertIdentity(g: number[][], scale: number, tol: number): void {
  for (let i = 0; i < g.length; i++) {
    for (let j = 0; j < g.length; j++) {
      const want = i === j ? scale : 0;
      assert.ok(Math.abs(g[i][j] - want) < tol, `G[${i}][${j}] = ${g[i][j]}, expected ${want}`);
    }
  }
}

describe("Orthogonal", () => {
  it("gives orthonormal columns for tall shapes (WᵀW = I)", () => {
    const w = new Orthogonal({ seed: 1 }).call([7, 4]);
    assertIdentity(gram(w.data, w.data, 7, 4, 4), 1, 1e-5);
  });
  it("gives orthonormal rows for wide shapes (WWᵀ = I), scaled by gain²", () => {
    const w = new Orthogonal({ gain: 2, seed: 2 }).call([3, 8]);
    // Rows of [3, 8] are the columns of its transpose [8, 3].
    const t = new Float64Array(24);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 8; j++) t[j * 3 + i] = w.data[i * 8 + j];
    assertIdentity(gram(t, t, 8, 3, 3), 4, 1e-5);
  });
  it("flattens leading axes of kernels: [2, 3, 5] is a 6×5 matrix with orthonormal columns", () => {
    const w = new Orthogonal({ seed: 3 }).call([2, 3, 5], "float64");
    assert.deepEqual(w.shape, [2, 3, 5]);
    assertIdentity(gram(w.data, w.data, 6, 5, 5), 1, 1e-12);
  });
  it("is Keras's Q: the QR factor of the seeded normal matrix with R's diagonal positive", () => {
    // Keras draws normal([max, min]) with the seed, factors it and flips Q's columns by sign(diag R);
    // that Q is the unique one for which R = QᵀA is upper triangular with a positive diagonal.
    const a = normal([6, 4], { seed: 9, dtype: "float64" });
    const q = new Orthogonal({ seed: 9 }).call([6, 4], "float64");
    const r = gram(q.data, a.data, 6, 4, 4);
    for (let i = 0; i < 4; i++) {
      assert.ok(r[i][i] > 0, `R[${i}][${i}] = ${r[i][i]}`);
      for (let j = 0; j < i; j++) assert.ok(Math.abs(r[i][j]) < 1e-12, `R[${i}][${j}] = ${r[i][j]}`);
    }
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 4; j++) {
        let qr = 0;
        for (let k = 0; k < 4; k++) qr += q.data[i * 4 + k] * r[k][j];
        assert.ok(Math.abs(qr - a.data[i * 4 + j]) < 1e-12, "Q·R reproduces A");
      }
    }
  });
  it("signCorrectedQ factors a hand-checkable matrix", () => {
    // A = [[3, 1], [4, 2], [0, 0]]: first column / 5 = [0.6, 0.8, 0]; second column orthogonal to it.
    const q = signCorrectedQ(new Float64Array([3, 1, 4, 2, 0, 0]), 3, 2);
    const want = [0.6, -0.8, 0.8, 0.6, 0, 0];
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(q[i] - want[i]) < 1e-14, `q[${i}] = ${q[i]} vs ${want[i]}`);
  });
  it("is deterministic with a seed, has Keras's config, rejects rank < 2", () => {
    assert.deepEqual(
      Array.from(new Orthogonal({ seed: 4 }).call([5, 5]).data),
      Array.from(new Orthogonal({ seed: 4 }).call([5, 5]).data),
    );
    assert.deepEqual(new Orthogonal({ gain: 0.5, seed: 4 }).getConfig(), { seed: 4, gain: 0.5 });
    assert.throws(
      () => new Orthogonal().call([5]),
      /Orthogonal: the tensor to initialize must be at least two-dimensional, received shape \[5\] of rank 1/,
    );
  });
});
