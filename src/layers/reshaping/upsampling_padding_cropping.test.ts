import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { Cropping1D } from "./cropping1d.js";
import { Cropping2D } from "./cropping2d.js";
import { Cropping3D } from "./cropping3d.js";
import { UpSampling1D } from "./up_sampling1d.js";
import { UpSampling2D } from "./up_sampling2d.js";
import { UpSampling3D } from "./up_sampling3d.js";
import { ZeroPadding1D } from "./zero_padding1d.js";
import { ZeroPadding2D } from "./zero_padding2d.js";
import { ZeroPadding3D } from "./zero_padding3d.js";

const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");

/** A tensor whose value at each index is f(index), in float64. */
function fromFn(shape: number[], f: (idx: number[]) => number): Tensor {
  const t = Tensor.empty(shape, "float64");
  const idx = shape.map(() => 0);
  for (let i = 0; i < t.size; i++) {
    let r = i;
    for (let a = shape.length - 1; a >= 0; a--) {
      idx[a] = r % shape[a];
      r = Math.floor(r / shape[a]);
    }
    t.data[i] = f(idx);
  }
  return t;
}

/** Reads x at a full index (row-major). */
function at(x: Tensor, idx: number[]): number {
  let off = 0;
  for (let a = 0; a < idx.length; a++) off = off * x.shape[a] + idx[a];
  return x.data[off];
}

describe("UpSampling1D/2D/3D (nearest)", () => {
  it("repeats steps, rows/columns and voxels; symbolic shapes keep null", () => {
    const x = randomTensor([2, 3, 4], 1);
    const y = new UpSampling1D(3)(x);
    assertClose(
      y,
      fromFn([2, 9, 4], ([b, t, c]) => at(x, [b, Math.floor(t / 3), c])),
    );
    assert.deepEqual(new UpSampling1D()(sym([null, null, 5])).shape, [null, null, 5]);
    assert.deepEqual(new UpSampling1D()(sym([null, 4, 5])).shape, [null, 8, 5]);

    const x2 = randomTensor([2, 3, 2, 3], 2);
    assertClose(
      new UpSampling2D([2, 3])(x2),
      fromFn([2, 6, 6, 3], ([b, i, j, c]) => at(x2, [b, Math.floor(i / 2), Math.floor(j / 3), c])),
    );
    assertClose(
      new UpSampling2D(2, { dataFormat: "channels_first" })(x2),
      fromFn([2, 3, 4, 6], ([b, c, i, j]) => at(x2, [b, c, Math.floor(i / 2), Math.floor(j / 2)])),
    );
    assert.deepEqual(new UpSampling2D([2, 3])(sym([null, 4, null, 7])).shape, [null, 8, null, 7]);

    const x3 = randomTensor([1, 2, 2, 3, 2], 3);
    assertClose(
      new UpSampling3D([1, 2, 3])(x3),
      fromFn([1, 2, 4, 9, 2], ([b, d, i, j, c]) => at(x3, [b, d, Math.floor(i / 2), Math.floor(j / 3), c])),
    );
    assert.deepEqual(new UpSampling3D(2, { dataFormat: "channelsFirst" })(sym([null, 3, 2, null, 4])).shape, [
      null,
      3,
      4,
      null,
      8,
    ]);
  });

  it("configs and argument errors name the layer", () => {
    assert.deepEqual(new UpSampling1D(3, { name: "u" }).getConfig(), {
      name: "u",
      trainable: true,
      dtype: "float32",
      size: 3,
    });
    const c2 = new UpSampling2D(2, { interpolation: "Bilinear" }).getConfig();
    assert.deepEqual([c2.size, c2.dataFormat, c2.interpolation], [[2, 2], "channels_last", "bilinear"]);
    assert.deepEqual(new UpSampling3D().getConfig().size, [2, 2, 2]);
    assert.throws(
      () => new UpSampling1D(0, { name: "u1" }),
      /Layer 'u1' \(UpSampling1D\): size must be a positive integer, received size=0/,
    );
    assert.throws(
      () => new UpSampling2D([2], { name: "u2" }),
      /Layer 'u2' \(UpSampling2D\): size must be .* list of 2/,
    );
    assert.throws(
      () => new UpSampling2D(2, { name: "u3", interpolation: "lanczos3" }),
      /Layer 'u3' \(UpSampling2D\): interpolation must be one of "nearest", "bilinear", received "lanczos3"/,
    );
    assert.throws(
      () => new UpSampling2D(2, { name: "u4" })(ops.zeros([2, 3, 4])),
      /Layer 'u4' \(UpSampling2D\).*expected ndim=4, found ndim=3/,
    );
  });

  it("gradients flow back through the repeats", () => {
    checkGrad((a) => new UpSampling2D([2, 3])(a), [randomTensor([1, 2, 2, 2], 4)]);
    checkGrad((a) => new UpSampling3D([2, 1, 2])(a), [randomTensor([1, 2, 2, 2, 1], 5)]);
  });
});

describe("UpSampling2D bilinear", () => {
  /** The classic half-pixel bilinear formula with edges clamped (independent of the weight matrices). */
  function bilinear(x: Tensor, sh: number, sw: number): Tensor {
    const [b, h, w, c] = x.shape;
    const coord = (o: number, s: number, n: number): [number, number, number] => {
      const f = (o + 0.5) / s - 0.5;
      const p0 = Math.floor(f);
      const t = f - p0;
      const clamp = (p: number) => Math.min(n - 1, Math.max(0, p));
      return [clamp(p0), clamp(p0 + 1), t];
    };
    return fromFn([b, h * sh, w * sw, c], ([n, i, j, k]) => {
      const [i0, i1, ti] = coord(i, sh, h);
      const [j0, j1, tj] = coord(j, sw, w);
      const top = (1 - tj) * at(x, [n, i0, j0, k]) + tj * at(x, [n, i0, j1, k]);
      const bottom = (1 - tj) * at(x, [n, i1, j0, k]) + tj * at(x, [n, i1, j1, k]);
      return (1 - ti) * top + ti * bottom;
    });
  }

  it("a [1, 2] row upsampled by 2 gives [a, .75a + .25b, .25a + .75b, b]", () => {
    const y = new UpSampling2D([1, 2], { interpolation: "bilinear" })(ops.convertToTensor([[[[1], [5]]]], "float64"));
    assertClose(y, [[[[1], [2], [4], [5]]]]);
  });

  it("matches the half-pixel formula (channels-last and channels-first, several factors)", () => {
    const x = randomTensor([2, 3, 4, 2], 6);
    assertClose(new UpSampling2D([2, 3], { interpolation: "bilinear" })(x), bilinear(x, 2, 3), { atol: 1e-12 });
    const xf = ops.transpose(x, [0, 3, 1, 2]) as Tensor;
    const yf = new UpSampling2D([3, 2], { interpolation: "bilinear", dataFormat: "channels_first" })(xf);
    assertClose(ops.transpose(yf, [0, 2, 3, 1]) as Tensor, bilinear(x, 3, 2), { atol: 1e-12 });
  });

  it("matches the NumPy fixture (JAX's scale_and_translate weights) in float32", async () => {
    const { readFileSync } = await import("node:fs");
    const fx = JSON.parse(readFileSync(new URL("./up_sampling2d.fixtures.json", import.meta.url), "utf8"));
    for (const c of fx.cases) {
      const x = ops.convertToTensor(c.input, "float32");
      const y = new UpSampling2D(c.size, { interpolation: "bilinear", dataFormat: c.dataFormat })(x);
      assertClose(y, c.output, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it("gradient (float64) and symbolic shape; integer inputs are rejected", () => {
    checkGrad((a) => new UpSampling2D([2, 2], { interpolation: "bilinear" })(a), [randomTensor([1, 2, 3, 2], 7)]);
    assert.deepEqual(new UpSampling2D(2, { interpolation: "bilinear" })(sym([null, 5, 6, 3])).shape, [null, 10, 12, 3]);
    assert.throws(
      () => new UpSampling2D(2, { interpolation: "bilinear", name: "ub" })(ops.zeros([1, 2, 2, 1], "int32")),
      /Layer 'ub' \(UpSampling2D\): bilinear interpolation needs float inputs, received dtype int32/,
    );
  });
});

describe("ZeroPadding1D/2D/3D", () => {
  it("pads with zeros around the spatial axes", () => {
    const x = randomTensor([2, 3, 2], 8);
    assertClose(
      new ZeroPadding1D([1, 2])(x),
      fromFn([2, 6, 2], ([b, t, c]) => (t >= 1 && t < 4 ? at(x, [b, t - 1, c]) : 0)),
    );
    assertClose(
      new ZeroPadding1D(1, { dataFormat: "channels_first" })(x),
      fromFn([2, 3, 4], ([b, c, t]) => (t >= 1 && t < 3 ? at(x, [b, c, t - 1]) : 0)),
    );
    const x2 = randomTensor([1, 2, 3, 2], 9);
    assertClose(
      new ZeroPadding2D([
        [1, 0],
        [2, 1],
      ])(x2),
      fromFn([1, 3, 6, 2], ([b, i, j, c]) => (i >= 1 && j >= 2 && j < 5 ? at(x2, [b, i - 1, j - 2, c]) : 0)),
    );
    assertClose(
      new ZeroPadding2D(1, { dataFormat: "channels_first" })(x2),
      fromFn([1, 2, 5, 4], ([b, c, i, j]) => (i >= 1 && i < 4 && j >= 1 && j < 3 ? at(x2, [b, c, i - 1, j - 1]) : 0)),
    );
    const x3 = randomTensor([1, 2, 2, 2, 1], 10);
    assertClose(
      new ZeroPadding3D([1, 0, [0, 2]])(x3),
      fromFn([1, 4, 2, 4, 1], ([b, d, i, j, c]) => (d >= 1 && d < 3 && j < 2 ? at(x3, [b, d - 1, i, j, c]) : 0)),
    );
  });

  it("symbolic shapes (null batch and spatial sizes), configs, errors", () => {
    assert.deepEqual(new ZeroPadding1D(2)(sym([null, 5, 3])).shape, [null, 9, 3]);
    assert.deepEqual(new ZeroPadding2D([1, 2])(sym([null, null, 4, 3])).shape, [null, null, 8, 3]);
    assert.deepEqual(new ZeroPadding3D()(sym([null, 1, 2, 3, 4])).shape, [null, 3, 4, 5, 4]);
    assert.deepEqual(new ZeroPadding1D().getConfig().padding, [1, 1]);
    const c2 = new ZeroPadding2D(3, { name: "zp" }).getConfig();
    assert.deepEqual(c2, {
      name: "zp",
      trainable: true,
      dtype: "float32",
      padding: [
        [3, 3],
        [3, 3],
      ],
      dataFormat: "channels_last",
    });
    assert.deepEqual(new ZeroPadding3D().getConfig().padding, [
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    assert.throws(
      () => new ZeroPadding2D([1, 2, 3], { name: "zp2" }),
      /Layer 'zp2' \(ZeroPadding2D\): padding must be .* list of 2 pairs \[before, after\], received \[1,2,3\]/,
    );
    assert.throws(
      () => new ZeroPadding1D(-1, { name: "zp1" }),
      /Layer 'zp1' \(ZeroPadding1D\): padding must be an integer >= 0/,
    );
  });

  it("gradient is the inner block of the output gradient", () => {
    checkGrad(
      (a) =>
        new ZeroPadding2D([
          [1, 2],
          [0, 1],
        ])(a),
      [randomTensor([1, 2, 2, 1], 11)],
    );
  });
});

describe("Cropping1D/2D/3D", () => {
  it("crops the spatial axes", () => {
    const x = randomTensor([2, 6, 2], 12);
    assertClose(
      new Cropping1D([1, 2])(x),
      fromFn([2, 3, 2], ([b, t, c]) => at(x, [b, t + 1, c])),
    );
    assertClose(
      new Cropping1D()(x),
      fromFn([2, 4, 2], ([b, t, c]) => at(x, [b, t + 1, c])),
    );
    const x2 = randomTensor([1, 5, 6, 2], 13);
    assertClose(
      new Cropping2D([
        [1, 2],
        [0, 3],
      ])(x2),
      fromFn([1, 2, 3, 2], ([b, i, j, c]) => at(x2, [b, i + 1, j, c])),
    );
    assertClose(
      new Cropping2D([1, 0], { dataFormat: "channels_first" })(x2),
      fromFn([1, 5, 4, 2], ([b, c, i, j]) => at(x2, [b, c, i + 1, j])),
    );
    const x3 = randomTensor([1, 4, 3, 5, 2], 14);
    assertClose(
      new Cropping3D([1, 0, [2, 1]])(x3),
      fromFn([1, 2, 3, 2, 2], ([b, d, i, j, c]) => at(x3, [b, d + 1, i, j + 2, c])),
    );
  });

  it("symbolic shapes, configs, errors for crops as large as the input", () => {
    assert.deepEqual(new Cropping1D([1, 1])(sym([null, 5, 3])).shape, [null, 3, 3]);
    assert.deepEqual(new Cropping2D([1, 2])(sym([null, null, 6, 3])).shape, [null, null, 2, 3]);
    assert.deepEqual(new Cropping3D()(sym([null, 3, 4, null, 2])).shape, [null, 1, 2, null, 2]);
    assert.deepEqual(new Cropping1D(2).getConfig().cropping, [2, 2]);
    assert.equal("dataFormat" in new Cropping1D().getConfig(), false);
    assert.deepEqual(new Cropping2D().getConfig().cropping, [
      [0, 0],
      [0, 0],
    ]);
    assert.equal(new Cropping3D(1).getConfig().dataFormat, "channels_last");
    assert.throws(
      () => new Cropping1D([2, 3], { name: "cr" })(ops.zeros([1, 5, 2])),
      /Layer 'cr' \(Cropping1D\): the cropping \[\[2,3\]\] must be smaller than the input's spatial size along each axis, received input shape \[1, 5, 2\]/,
    );
    assert.throws(
      () => new Cropping2D(2, { name: "cr2" })(sym([null, 4, 8, 1])),
      /Layer 'cr2' \(Cropping2D\): the cropping .* must be smaller/,
    );
    assert.throws(() => new Cropping3D([1, 1], { name: "cr3" }), /Layer 'cr3' \(Cropping3D\): cropping must be/);
  });

  it("gradient scatters back into the cropped window", () => {
    checkGrad(
      (a) =>
        new Cropping2D([
          [1, 0],
          [1, 1],
        ])(a),
      [randomTensor([1, 3, 4, 1], 15)],
    );
  });
});

describe("fromConfig", () => {
  it("rebuilds each layer from getConfig() (round trip)", () => {
    const layers = [
      new UpSampling1D(3),
      new UpSampling2D([2, 3], { interpolation: "bilinear", dataFormat: "channels_first" }),
      new UpSampling3D(2),
      new ZeroPadding1D([1, 2], { dataFormat: "channels_first" }),
      new ZeroPadding2D([1, [2, 3]]),
      new ZeroPadding3D(2),
      new Cropping1D(2),
      new Cropping2D([[1, 0], 2], { dataFormat: "channels_first" }),
      new Cropping3D(),
    ];
    for (const l of layers) {
      const cls = l.constructor as unknown as { fromConfig(c: Record<string, unknown>): typeof l };
      const copy = cls.fromConfig(l.getConfig());
      assert.equal(copy.constructor, l.constructor);
      assert.deepEqual(copy.getConfig(), l.getConfig());
    }
  });
});
