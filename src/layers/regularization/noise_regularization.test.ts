import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { normal } from "../../random/random.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { ActivityRegularization } from "./activity_regularization.js";
import { AlphaDropout } from "./alpha_dropout.js";
import { GaussianDropout } from "./gaussian_dropout.js";
import { GaussianNoise } from "./gaussian_noise.js";
import { SpatialDropout1D } from "./spatial_dropout1d.js";
import { SpatialDropout2D } from "./spatial_dropout2d.js";
import { SpatialDropout3D } from "./spatial_dropout3d.js";

const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");

function meanStd(values: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const m = s / values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i] - m) ** 2;
  return [m, Math.sqrt(v / values.length)];
}

describe("SpatialDropout1D/2D/3D", () => {
  it("drops whole channels, shared along the spatial axes; identity in inference", () => {
    const x = ops.ones([8, 5, 16]);
    const layer = new SpatialDropout1D(0.5, { seed: 1 });
    assert.equal(layer(x), x);
    const y = layer(x, { training: true }) as Tensor;
    let dropped = 0;
    for (let b = 0; b < 8; b++) {
      for (let c = 0; c < 16; c++) {
        const v0 = y.data[b * 80 + c];
        assert.ok(v0 === 0 || v0 === 2, `value ${v0}`);
        if (v0 === 0) dropped++;
        for (let t = 1; t < 5; t++) assert.equal(y.data[b * 80 + t * 16 + c], v0);
      }
    }
    assert.ok(dropped > 30 && dropped < 98, `dropped ${dropped} of 128 channels`);

    const y2 = new SpatialDropout2D(0.5, { seed: 2 })(ops.ones([4, 3, 3, 6]), { training: true }) as Tensor;
    for (let b = 0; b < 4; b++) {
      for (let c = 0; c < 6; c++) {
        const v0 = y2.data[b * 54 + c];
        for (let p = 1; p < 9; p++) assert.equal(y2.data[b * 54 + p * 6 + c], v0);
      }
    }
    // channels_first: the mask is shared over the trailing spatial axes.
    const y3 = new SpatialDropout3D(0.5, { seed: 3, dataFormat: "channels_first" })(ops.ones([2, 5, 2, 2, 2]), {
      training: true,
    }) as Tensor;
    for (let bc = 0; bc < 10; bc++) {
      const block = Array.from(y3.data.slice(bc * 8, bc * 8 + 8));
      assert.ok(
        block.every((v) => v === block[0]),
        `block ${block}`,
      );
    }
  });

  it("shapes, configs (no noiseShape, dataFormat for 2D/3D), input rank errors", () => {
    assert.deepEqual(new SpatialDropout2D(0.3)(sym([null, 4, null, 3]), { training: true }).shape, [null, 4, null, 3]);
    assert.deepEqual(new SpatialDropout1D(0.2, { name: "s", seed: 4 }).getConfig(), {
      name: "s",
      trainable: true,
      dtype: "float32",
      rate: 0.2,
      seed: 4,
    });
    assert.equal(new SpatialDropout3D(0.1).getConfig().dataFormat, "channels_last");
    assert.throws(
      () => new SpatialDropout2D(0.5, { name: "sd" })(ops.ones([2, 3, 4])),
      /Layer 'sd' \(SpatialDropout2D\).*expected ndim=4, found ndim=3/,
    );
    assert.throws(() => new SpatialDropout1D(2, { name: "sd1" }), /Layer 'sd1' \(SpatialDropout1D\).*received rate=2/);
  });
});

describe("GaussianNoise", () => {
  it("adds N(0, stddev²) noise in training only", () => {
    const x = ops.full([100, 100], 3);
    const layer = new GaussianNoise(0.5, { seed: 5 });
    assert.equal(layer(x), x);
    const y = layer(x, { training: true }) as Tensor;
    const [m, s] = meanStd(y.data);
    assert.ok(Math.abs(m - 3) < 0.02 && Math.abs(s - 0.5) < 0.02, `mean ${m}, std ${s}`);
    const again = new GaussianNoise(0.5, { seed: 5 })(x, { training: true }) as Tensor;
    assert.deepEqual(Array.from(again.data), Array.from(y.data));
    assert.notDeepEqual(Array.from((layer(x, { training: true }) as Tensor).data), Array.from(y.data));
  });

  it("config, symbolic shape, gradient 1, errors", () => {
    assert.deepEqual(new GaussianNoise(0.1, { name: "g" }).getConfig(), {
      name: "g",
      trainable: true,
      dtype: "float32",
      stddev: 0.1,
      seed: null,
    });
    assert.deepEqual(new GaussianNoise(0.1)(sym([null, 3]), { training: true }).shape, [null, 3]);
    checkGrad((a) => new GaussianNoise(0.3, { seed: 1 })(a, { training: true }), [randomTensor([3, 4], 1)]);
    assert.throws(
      () => new GaussianNoise(1.5, { name: "gn" }),
      /Layer 'gn' \(GaussianNoise\).*`stddev`.*received stddev=1.5/,
    );
  });
});

describe("GaussianDropout", () => {
  it("multiplies by N(1, rate / (1 - rate)) noise in training only", () => {
    const x = ops.full([100, 100], 2);
    const layer = new GaussianDropout(0.2, { seed: 6 });
    assert.equal(layer(x, { training: false }), x);
    const y = layer(x, { training: true }) as Tensor;
    const [m, s] = meanStd(y.data);
    assert.ok(Math.abs(m - 2) < 0.03 && Math.abs(s - 2 * Math.sqrt(0.25)) < 0.03, `mean ${m}, std ${s}`);
  });

  it("config, gradient (the noise), errors", () => {
    assert.deepEqual(Object.keys(new GaussianDropout(0.1).getConfig()), ["name", "trainable", "dtype", "rate", "seed"]);
    checkGrad((a) => new GaussianDropout(0.3, { seed: 2 })(a, { training: true }), [randomTensor([3, 4], 2)]);
    assert.throws(() => new GaussianDropout(-1, { name: "gd" }), /Layer 'gd' \(GaussianDropout\).*received rate=-1/);
  });
});

describe("AlphaDropout", () => {
  const alpha = 1.6732632423543772;
  const scale = 1.0507009873554805;

  it("sets dropped entries to a·(-alpha·scale) + b and keeps a·x + b, in training only", () => {
    const rate = 0.3;
    const alphaP = -alpha * scale;
    const a = ((1 - rate) * (1 + rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * rate;
    const x = randomTensor([50, 40], 3);
    const layer = new AlphaDropout(rate, { seed: 7 });
    assert.equal(layer(x), x);
    const y = layer(x, { training: true }) as Tensor;
    let dropped = 0;
    for (let i = 0; i < x.size; i++) {
      const kept = a * x.data[i] + b;
      const drop = a * alphaP + b;
      if (Math.abs(y.data[i] - drop) < 1e-9) dropped++;
      else assert.ok(Math.abs(y.data[i] - kept) < 1e-9, `element ${i}: ${y.data[i]} vs ${kept}`);
    }
    assert.ok(Math.abs(dropped / x.size - rate) < 0.03, `dropped fraction ${dropped / x.size}`);
  });

  it("keeps zero mean and unit variance of standard-normal inputs", () => {
    const z = normal([200, 200], { dtype: "float64", seed: 4 });
    const y = new AlphaDropout(0.2, { seed: 8 })(z, { training: true }) as Tensor;
    const [m0, s0] = meanStd(z.data);
    const [m, s] = meanStd(y.data);
    assert.ok(Math.abs(m - m0) < 0.03 && Math.abs(s - s0) < 0.03, `mean ${m0} -> ${m}, std ${s0} -> ${s}`);
  });

  it("noiseShape shares the mask; config; gradient a·mask; errors", () => {
    const y = new AlphaDropout(0.5, { noiseShape: [null, 1], seed: 9 })(ops.ones([30, 4]), {
      training: true,
    }) as Tensor;
    for (let r = 0; r < 30; r++) {
      const row = Array.from(y.data.slice(r * 4, r * 4 + 4));
      assert.ok(
        row.every((v) => v === row[0]),
        `row ${row}`,
      );
    }
    assert.deepEqual(new AlphaDropout(0.1, { noiseShape: [null, 1] }).getConfig().noiseShape, [null, 1]);
    checkGrad((a) => new AlphaDropout(0.4, { seed: 10 })(a, { training: true }), [randomTensor([3, 4], 5)]);
    assert.throws(() => new AlphaDropout(3, { name: "ad" }), /Layer 'ad' \(AlphaDropout\).*received rate=3/);
    assert.throws(
      () => new AlphaDropout(0.5, { name: "ad2", noiseShape: [null, 1] })(ops.ones([2, 3, 4]), { training: true }),
      /Layer 'ad2' \(AlphaDropout\): noiseShape \[null,1\] must have the inputs' rank/,
    );
  });
});

describe("ActivityRegularization", () => {
  it("is the identity and adds (l1·Σ|x| + l2·Σx²) / batch to layer.losses", () => {
    const layer = new ActivityRegularization({ l1: 0.1, l2: 0.01 });
    const x = ops.convertToTensor([
      [1, -2, 3],
      [-4, 5, 0],
    ]);
    assert.equal(layer(x), x);
    assert.equal(layer.losses.length, 1);
    const expected = (0.1 * 15 + 0.01 * 55) / 2;
    assertClose(layer.losses[0], expected);
    // A new call replaces the loss of the previous one.
    layer(ops.ones([4, 3]));
    assert.equal(layer.losses.length, 1);
    assertClose(layer.losses[0], (0.1 * 12 + 0.01 * 12) / 4);
  });

  it("config has l1 and l2 only (no activityRegularizer); symbolic shape; loss gradient", () => {
    assert.deepEqual(new ActivityRegularization({ l2: 0.5, name: "ar" }).getConfig(), {
      name: "ar",
      trainable: true,
      dtype: "float32",
      l1: 0,
      l2: 0.5,
    });
    assert.deepEqual(new ActivityRegularization()(sym([null, 7])).shape, [null, 7]);
    const layer = new ActivityRegularization({ l1: 0.2, l2: 0.3 });
    checkGrad(
      (a) => {
        layer(a);
        return layer.losses[0];
      },
      [randomTensor([2, 3], 6)],
    );
    assert.throws(() => new ActivityRegularization({ l1: -1, name: "ar2" }), /Layer 'ar2' \(ActivityRegularization\)/);
  });
});

describe("fromConfig", () => {
  it("rebuilds each layer from getConfig() (round trip)", () => {
    const layers = [
      new SpatialDropout1D(0.2, { seed: 1 }),
      new SpatialDropout2D(0.3, { dataFormat: "channels_first" }),
      new SpatialDropout3D(0.4),
      new GaussianNoise(0.5, { seed: 2 }),
      new GaussianDropout(0.1),
      new AlphaDropout(0.2, { noiseShape: [null, 1], seed: 3 }),
      new ActivityRegularization({ l1: 0.01, l2: 0.02 }),
    ];
    for (const l of layers) {
      const cls = l.constructor as unknown as { fromConfig(c: Record<string, unknown>): typeof l };
      const copy = cls.fromConfig(l.getConfig());
      assert.equal(copy.constructor, l.constructor);
      assert.deepEqual(copy.getConfig(), l.getConfig());
    }
  });
});
