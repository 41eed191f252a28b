import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { grad } from "../../autodiff/grad.js";
import { castTensor } from "../../backend/convert.js";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { multiply, square } from "../elementwise.js";
import { sum } from "../reduction.js";
import {
  type ConvOptions,
  type ConvTransposeOptions,
  conv,
  convTranspose,
  depthwiseConv,
  separableConv,
} from "./conv.js";

// ---------------------------------------------------------------- naive references (direct loops)

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const tuple = (v: number | readonly number[] | undefined, n: number, dflt: number) =>
  v === undefined ? new Array<number>(n).fill(dflt) : typeof v === "number" ? new Array<number>(n).fill(v) : v.slice();

/** Multi-index <-> flat offset for row-major shapes. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = i % shape[a];
    i = Math.floor(i / shape[a]);
  }
  return idx;
}
function ravel(idx: readonly number[], shape: readonly number[]): number {
  let o = 0;
  for (let a = 0; a < shape.length; a++) o = o * shape[a] + idx[a];
  return o;
}

/**
 * Direct definition of a channels-last grouped convolution with TF padding: for every output element,
 * sum over every kernel element whose input position is inside the input.
 */
function naiveConv(x: Tensor, w: Tensor, o: ConvOptions = {}): Tensor {
  const n = x.rank - 2;
  const s = tuple(o.strides, n, 1);
  const d = tuple(o.dilationRate, n, 1);
  const inSp = x.shape.slice(1, -1);
  const kSp = w.shape.slice(0, n);
  const C = x.shape[n + 1];
  const Cg = w.shape[n];
  const O = w.shape[n + 1];
  const G = C / Cg;
  const outSp: number[] = [];
  const padB: number[] = [];
  for (let i = 0; i < n; i++) {
    const eff = (kSp[i] - 1) * d[i] + 1;
    if (o.padding === "same") {
      const out = Math.ceil(inSp[i] / s[i]);
      outSp.push(out);
      padB.push(Math.floor(Math.max((out - 1) * s[i] + eff - inSp[i], 0) / 2));
    } else {
      outSp.push(Math.floor((inSp[i] - eff) / s[i]) + 1);
      padB.push(0);
    }
  }
  const yShape = [x.shape[0], ...outSp, O];
  const y = Tensor.empty(yShape, "float64");
  for (let yi = 0; yi < y.size; yi++) {
    const [b, ...rest] = unravel(yi, yShape);
    const pos = rest.slice(0, n);
    const oc = rest[n];
    const g = Math.floor(oc / (O / G));
    let acc = 0;
    for (let ki = 0; ki < prod(kSp) * Cg; ki++) {
      const kidx = unravel(ki, [...kSp, Cg]);
      const c = kidx[n];
      const ip = pos.map((p, a) => p * s[a] - padB[a] + kidx[a] * d[a]);
      if (ip.some((v, a) => v < 0 || v >= inSp[a])) continue;
      acc += x.data[ravel([b, ...ip, g * Cg + c], x.shape)] * w.data[ravel([...kidx.slice(0, n), c, oc], w.shape)];
    }
    y.data[yi] = acc;
  }
  return y;
}

/**
 * Direct definition of a transposed convolution as a scatter: input element (b, i, c) adds
 * x * w[k, :, c] at output position i*s + k*d - crop, where crop = (size of the uncropped output
 * (n-1)*s + eff) minus Keras's output size, split as Keras does (left as padding="same" asks).
 */
function naiveConvTranspose(x: Tensor, w: Tensor, o: ConvTransposeOptions, outSp: number[], crop: number[]): Tensor {
  const n = x.rank - 2;
  const s = tuple(o.strides, n, 1);
  const d = tuple(o.dilationRate, n, 1);
  const kSp = w.shape.slice(0, n);
  const Cout = w.shape[n];
  const yShape = [x.shape[0], ...outSp, Cout];
  const y = Tensor.empty(yShape, "float64");
  for (let xi = 0; xi < x.size; xi++) {
    const [b, ...rest] = unravel(xi, x.shape);
    const pos = rest.slice(0, n);
    const c = rest[n];
    for (let ki = 0; ki < prod(kSp); ki++) {
      const k = unravel(ki, kSp);
      const op = pos.map((p, a) => p * s[a] + k[a] * d[a] - crop[a]);
      if (op.some((v, a) => v < 0 || v >= outSp[a])) continue;
      for (let oc = 0; oc < Cout; oc++) {
        y.data[ravel([b, ...op, oc], yShape)] += x.data[xi] * w.data[ravel([...k, oc, c], w.shape)];
      }
    }
  }
  return y;
}

// ---------------------------------------------------------------- NumPy fixtures

interface Fixture {
  name: string;
  inputs: { shape: number[]; data: number[] }[];
  attrs: {
    op: string;
    strides?: number | number[];
    padding?: string;
    dilation?: number | number[];
    output_padding?: number | number[] | null;
    data_format?: string;
  };
  expected: { shape: number[]; data: number[] };
}

const fixtures: Fixture[] = JSON.parse(readFileSync(new URL("./conv.fixtures.json", import.meta.url), "utf8"));
const toT = (a: { shape: number[]; data: number[] }, dtype: "float32" | "float64" = "float64") =>
  castTensor(new Tensor(Float64Array.from(a.data), a.shape, "float64"), dtype);

function runFixture(f: Fixture, dtype: "float32" | "float64"): Tensor {
  const [x, k1, k2] = f.inputs.map((a) => toT(a, dtype));
  const o: ConvTransposeOptions = {
    strides: f.attrs.strides,
    padding: f.attrs.padding,
    dilationRate: f.attrs.dilation,
    dataFormat: f.attrs.data_format,
    outputPadding: f.attrs.output_padding,
  };
  switch (f.attrs.op) {
    case "conv":
      return conv(x, k1, o);
    case "depthwiseConv":
      return depthwiseConv(x, k1, o);
    case "separableConv":
      return separableConv(x, k1, k2, o);
    case "convTranspose":
      return convTranspose(x, k1, o);
  }
  throw new Error(`unknown fixture op ${f.attrs.op}`);
}

describe("conv ops: forward values against NumPy fixtures", () => {
  it("has the expected fixture cases", () => assert.equal(fixtures.length, 23));
  for (const f of fixtures) {
    it(`${f.name} (float64)`, () => {
      const y = runFixture(f, "float64");
      assert.equal(y.dtype, "float64");
      assertClose(y, toT(f.expected), { rtol: 1e-10, atol: 1e-12 });
    });
  }
  it("computes in float32 too (within float32 precision)", () => {
    for (const f of fixtures.slice(0, 12)) {
      const y = runFixture(f, "float32");
      assert.equal(y.dtype, "float32");
      assertClose(y, toT(f.expected), { rtol: 1e-5, atol: 1e-5 });
    }
  });
});

describe("conv ops: forward values against direct loops", () => {
  const cases: [string, number[], number[], ConvOptions][] = [
    ["1d valid", [2, 8, 3], [3, 3, 2], {}],
    ["1d same stride 3 dilation 2", [1, 10, 2], [3, 2, 4], { strides: 3, padding: "same", dilationRate: 2 }],
    ["2d same stride 2", [2, 7, 6, 3], [3, 3, 3, 4], { strides: 2, padding: "same" }],
    [
      "2d same strides [1,3] dilation [2,1]",
      [1, 8, 7, 2],
      [2, 3, 2, 3],
      { strides: [1, 3], padding: "SAME", dilationRate: [2, 1] },
    ],
    ["2d grouped (4 groups) valid stride 2", [2, 6, 6, 8], [3, 3, 2, 4], { strides: 2 }],
    ["2d depthwise-as-groups same", [1, 5, 5, 3], [3, 3, 1, 6], { padding: "same" }],
    ["2d kernel 1x1", [2, 3, 4, 5], [1, 1, 5, 3], {}],
    ["3d same stride 2", [1, 5, 4, 6, 2], [3, 2, 3, 2, 3], { strides: 2, padding: "same" }],
    ["3d grouped valid dilation [1,2,1]", [1, 4, 6, 4, 4], [2, 2, 2, 2, 6], { dilationRate: [1, 2, 1] }],
  ];
  for (const [name, xs, ws, o] of cases) {
    it(name, () => {
      const x = randomTensor(xs, 11);
      const w = randomTensor(ws, 12);
      assertClose(conv(x, w, o), naiveConv(x, w, { ...o, padding: o.padding?.toLowerCase() }), {
        rtol: 1e-10,
        atol: 1e-12,
      });
    });
  }

  it("matches hand-computed values (1-d, valid and same)", () => {
    const x = new Tensor(Float64Array.from([1, 2, 3, 4, 5]), [1, 5, 1]);
    const w = new Tensor(Float64Array.from([1, 0, -1]), [3, 1, 1]);
    // y[i] = x[i] - x[i+2]
    assertClose(conv(x, w), [[[-2], [-2], [-2]]]);
    // same, stride 2: out 3, total pad 2 -> one each side: windows [0,1,2], [2,3,4], [4,5,6]
    assertClose(conv(x, w, { padding: "same", strides: 2 }), [[[-2], [-2], [4]]]);
    // even kernel, same: the extra padding goes at the end (TensorFlow).
    const w2 = new Tensor(Float64Array.from([1, 10]), [2, 1, 1]);
    assertClose(conv(x, w2, { padding: "same" }), [[[21], [32], [43], [54], [5]]]);
  });

  it("depthwiseConv equals a per-channel convolution with multiplier outputs c*M + m", () => {
    const x = randomTensor([2, 6, 5, 3], 21);
    const w = randomTensor([3, 2, 3, 2], 22);
    const y = depthwiseConv(x, w, { strides: [2, 1], padding: "same" });
    assert.deepEqual(y.shape, [2, 3, 5, 6]);
    // Channel c, multiplier m: conv of x[..., c] with w[..., c, m].
    for (let c = 0; c < 3; c++) {
      const xc = Tensor.empty([2, 6, 5, 1], "float64");
      for (let i = 0; i < xc.size; i++) xc.data[i] = x.data[i * 3 + c];
      for (let m = 0; m < 2; m++) {
        const wc = Tensor.empty([3, 2, 1, 1], "float64");
        for (let i = 0; i < wc.size; i++) wc.data[i] = w.data[i * 6 + c * 2 + m];
        const ref = naiveConv(xc, wc, { strides: [2, 1], padding: "same" });
        for (let i = 0; i < ref.size; i++) {
          assert.ok(
            Math.abs(y.data[i * 6 + c * 2 + m] - ref.data[i]) < 1e-12,
            `channel ${c} multiplier ${m} element ${i}`,
          );
        }
      }
    }
  });

  it("separableConv is depthwiseConv followed by a 1x1 conv", () => {
    const x = randomTensor([1, 6, 6, 2], 31);
    const dk = randomTensor([3, 3, 2, 2], 32);
    const pk = randomTensor([1, 1, 4, 3], 33);
    const y = separableConv(x, dk, pk, { padding: "same", strides: 2 });
    assertClose(y, naiveConv(depthwiseConv(x, dk, { padding: "same", strides: 2 }), pk), { rtol: 1e-12, atol: 1e-12 });
  });

  it("channels_first equals channels_last with transposed inputs and outputs", () => {
    const x = randomTensor([2, 3, 5, 4], 41); // [B, C, H, W]
    const w = randomTensor([3, 3, 3, 2], 42);
    const y = conv(x, w, { dataFormat: "channels_first", padding: "same", strides: 2 });
    assert.deepEqual(y.shape, [2, 2, 3, 2]);
    const xl = Tensor.empty([2, 5, 4, 3], "float64");
    for (let i = 0; i < xl.size; i++) {
      const [b, h, ww, c] = unravel(i, xl.shape);
      xl.data[i] = x.data[ravel([b, c, h, ww], x.shape)];
    }
    const ref = naiveConv(xl, w, { padding: "same", strides: 2 });
    for (let i = 0; i < y.size; i++) {
      const [b, c, h, ww] = unravel(i, y.shape);
      assert.ok(Math.abs(y.data[i] - ref.data[ravel([b, h, ww, c], ref.shape)]) < 1e-12);
    }
  });
});

describe("convTranspose: output shapes and values", () => {
  // Keras: valid -> (n-1)*s + max(k, s); same -> n*s; with outputPadding op:
  // valid -> (n-1)*s + k + op, same -> (n-1)*s + k%2 + op (k the dilated kernel size).
  const shapes: [string, number[], number[], ConvTransposeOptions, number[]][] = [
    ["valid stride 1", [1, 5, 5, 2], [3, 3, 4, 2], {}, [1, 7, 7, 4]],
    ["valid stride 2", [1, 5, 5, 2], [3, 3, 4, 2], { strides: 2 }, [1, 11, 11, 4]],
    ["valid stride 3 > kernel 2", [1, 4, 2], [2, 3, 2], { strides: 3 }, [1, 12, 3]],
    ["same stride 2", [2, 5, 6, 2], [3, 3, 1, 2], { strides: 2, padding: "same" }, [2, 10, 12, 1]],
    ["same stride 2 even kernel", [1, 5, 2], [4, 3, 2], { strides: 2, padding: "same" }, [1, 10, 3]],
    [
      "same stride 2 outputPadding 1",
      [1, 5, 2],
      [3, 3, 2],
      { strides: 2, padding: "same", outputPadding: 1 },
      [1, 10, 3],
    ],
    [
      "same stride 2 outputPadding 0",
      [1, 5, 2],
      [3, 3, 2],
      { strides: 2, padding: "same", outputPadding: 0 },
      [1, 9, 3],
    ],
    ["valid stride 2 outputPadding 1", [1, 5, 2], [3, 3, 2], { strides: 2, outputPadding: 1 }, [1, 12, 3]],
    ["same dilation 2 stride 2", [1, 4, 2], [3, 3, 2], { strides: 2, padding: "same", dilationRate: 2 }, [1, 8, 3]],
    ["valid dilation 2", [1, 4, 2], [3, 3, 2], { dilationRate: 2 }, [1, 8, 3]],
    [
      "3d mixed strides same",
      [1, 2, 3, 4, 1],
      [3, 3, 3, 2, 1],
      { strides: [1, 2, 3], padding: "same" },
      [1, 2, 6, 12, 2],
    ],
  ];
  for (const [name, xs, ws, o, expected] of shapes) {
    it(`${name}: shape ${JSON.stringify(expected)} and values of the scatter definition`, () => {
      const x = randomTensor(xs, 51);
      const w = randomTensor(ws, 52);
      const y = convTranspose(x, w, o);
      assert.deepEqual(y.shape, expected);
      // Crop on the left of the uncropped scatter output, from Keras's JAX padding: (eff-1) - leftPad.
      const n = xs.length - 2;
      const s = tuple(o.strides, n, 1);
      const d = tuple(o.dilationRate, n, 1);
      const op = o.outputPadding === undefined ? null : tuple(o.outputPadding as number, n, 0);
      const crop = ws.slice(0, n).map((k, i) => {
        const eff = (k - 1) * d[i] + 1;
        if (o.padding !== "same") return 0;
        const padLen = op === null ? s[i] + eff - 2 : eff + (eff % 2) - 2 + op[i];
        return eff - 1 - Math.min(Math.floor(padLen / 2) + (padLen % 2), eff - 1);
      });
      assertClose(y, naiveConvTranspose(x, w, o, expected.slice(1, -1), crop), { rtol: 1e-10, atol: 1e-12 });
    });
  }

  it("is the gradient of conv with respect to its input (same padding, stride 2)", () => {
    const x = randomTensor([1, 6, 6, 3], 61);
    const w = randomTensor([3, 3, 3, 2], 62);
    const dy = randomTensor([1, 3, 3, 2], 63);
    const dx = grad((a: Tensor) => sum(multiply(conv(a, w, { strides: 2, padding: "same" }), dy)))(x) as Tensor;
    assertClose(convTranspose(dy, w, { strides: 2, padding: "same" }), dx, { rtol: 1e-10, atol: 1e-12 });
  });
});

describe("conv ops: gradients (finite differences)", () => {
  const gradCases: [string, number[], number[], ConvOptions][] = [
    ["1d same stride 2", [2, 7, 2], [3, 2, 3], { strides: 2, padding: "same" }],
    ["1d valid dilation 2 stride 2", [1, 9, 2], [2, 2, 2], { strides: 2, dilationRate: 2 }],
    ["2d same stride 2 even kernel", [1, 5, 6, 2], [2, 3, 2, 2], { strides: 2, padding: "same" }],
    ["2d valid dilation 2", [1, 6, 5, 2], [2, 2, 2, 3], { dilationRate: 2 }],
    ["2d grouped same stride [2,1]", [1, 4, 5, 4], [3, 2, 2, 4], { strides: [2, 1], padding: "same" }],
    ["3d same stride 2", [1, 3, 4, 3, 2], [2, 2, 2, 2, 2], { strides: 2, padding: "same" }],
  ];
  for (const [name, xs, ws, o] of gradCases) {
    it(`conv ${name}`, () => {
      checkGrad((x, w) => conv(x, w, o), [randomTensor(xs, 71), randomTensor(ws, 72)]);
    });
  }
  it("conv channels_first", () => {
    checkGrad(
      (x, w) => conv(x, w, { dataFormat: "channels_first", padding: "same", strides: 2 }),
      [randomTensor([1, 2, 5, 4], 73), randomTensor([3, 3, 2, 2], 74)],
    );
  });
  it("depthwiseConv same stride 2 multiplier 2", () => {
    checkGrad(
      (x, w) => depthwiseConv(x, w, { padding: "same", strides: 2 }),
      [randomTensor([1, 5, 4, 2], 75), randomTensor([3, 2, 2, 2], 76)],
    );
  });
  it("depthwiseConv multiplier 1 valid stride 2 dilation [1,2]", () => {
    checkGrad(
      (x, w) => depthwiseConv(x, w, { strides: 2, dilationRate: [1, 2] }),
      [randomTensor([2, 5, 6, 3], 83), randomTensor([2, 2, 3, 1], 84)],
    );
  });
  it("separableConv valid dilation 2", () => {
    checkGrad(
      (x, dk, pk) => separableConv(x, dk, pk, { dilationRate: 2 }),
      [randomTensor([1, 6, 6, 2], 77), randomTensor([2, 2, 2, 1], 78), randomTensor([1, 1, 2, 3], 79)],
    );
  });
  const transposeCases: [string, number[], number[], ConvTransposeOptions][] = [
    ["2d same stride 2", [1, 3, 3, 2], [3, 3, 2, 2], { strides: 2, padding: "same" }],
    ["2d valid stride 2 outputPadding 1", [1, 2, 3, 2], [3, 2, 3, 2], { strides: 2, outputPadding: 1 }],
    [
      "1d same stride 2 dilation 2 outputPadding 1",
      [1, 4, 2],
      [3, 2, 2],
      { strides: 2, padding: "same", dilationRate: 2, outputPadding: 1 },
    ],
    ["3d same strides [1,2,2]", [1, 2, 2, 2, 1], [2, 3, 2, 2, 1], { strides: [1, 2, 2], padding: "same" }],
  ];
  for (const [name, xs, ws, o] of transposeCases) {
    it(`convTranspose ${name}`, () => {
      checkGrad((x, w) => convTranspose(x, w, o), [randomTensor(xs, 81), randomTensor(ws, 82)]);
    });
  }

  it("second order: gradients of conv's gradients (convBackpropInput and convBackpropFilter)", () => {
    const o: ConvOptions = { strides: 2, padding: "same", dilationRate: 1 };
    const f = (x: Tensor, w: Tensor) => sum(square(conv(x, w, o)));
    const x = randomTensor([1, 5, 4, 2], 91);
    const w = randomTensor([3, 2, 2, 2], 92);
    // d/dx and d/dw of sum(square(conv)) are (bi)linear ops of x and w; check their own gradients.
    checkGrad((a, b) => grad(f, 0)(a, b) as Tensor, [x, w]);
    checkGrad((a, b) => grad(f, 1)(a, b) as Tensor, [x, w]);
  });

  it("second order through convTranspose with dilation", () => {
    const o: ConvTransposeOptions = { strides: 2, padding: "valid", dilationRate: 2 };
    const f = (x: Tensor, w: Tensor) => sum(square(convTranspose(x, w, o)));
    const x = randomTensor([1, 3, 2], 93);
    const w = randomTensor([2, 2, 2], 94);
    checkGrad((a, b) => grad(f, 0)(a, b) as Tensor, [x, w]);
    checkGrad((a, b) => grad(f, 1)(a, b) as Tensor, [x, w]);
  });
});

describe("conv ops: symbolic inputs", () => {
  it("propagates a null batch and null spatial sizes", () => {
    const x = new SymbolicTensor([null, 8, 7, 3], "float32");
    const w = randomTensor([3, 3, 3, 16], 1);
    const y = conv(x, castTensor(w, "float32"), { strides: 2, padding: "same" });
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, 4, 4, 16]);
    assert.equal(y.dtype, "float32");
    const v = conv(new SymbolicTensor([null, null, 10, 3], "float32"), castTensor(w, "float32"));
    assert.deepEqual(v.shape, [null, null, 8, 16]);
  });
  it("depthwise, separable, transpose and channels_first specs", () => {
    const x = new SymbolicTensor([null, 9, 9, 4], "float32");
    const f32 = (s: number[]) => castTensor(randomTensor(s, 2), "float32");
    assert.deepEqual(depthwiseConv(x, f32([3, 3, 4, 2]), { strides: 2 }).shape, [null, 4, 4, 8]);
    assert.deepEqual(separableConv(x, f32([3, 3, 4, 2]), f32([1, 1, 8, 5]), { padding: "same" }).shape, [
      null,
      9,
      9,
      5,
    ]);
    assert.deepEqual(convTranspose(x, f32([3, 3, 6, 4]), { strides: 2, padding: "same" }).shape, [null, 18, 18, 6]);
    assert.deepEqual(convTranspose(x, f32([3, 3, 6, 4]), { strides: 2 }).shape, [null, 19, 19, 6]);
    const cf = conv(new SymbolicTensor([null, 4, 9, 9], "float32"), f32([3, 3, 4, 7]), {
      dataFormat: "channels_first",
    });
    assert.ok(cf instanceof SymbolicTensor);
    assert.deepEqual(cf.shape, [null, 7, 7, 7]);
  });
});

describe("conv ops: errors", () => {
  const x = randomTensor([1, 5, 5, 3], 1);
  const w = randomTensor([3, 3, 3, 4], 2);
  it("rejects int and bool tensors with a TypeError naming the op", () => {
    const xi = castTensor(x, "int32");
    assert.throws(
      () => conv(xi, w),
      (e: Error) => e instanceof TypeError && /ops\.conv: inputs .*int32/.test(e.message),
    );
    assert.throws(
      () => conv(x, castTensor(w, "bool")),
      (e: Error) => e instanceof TypeError && /ops\.conv: kernel .*bool/.test(e.message),
    );
    assert.throws(() => depthwiseConv(xi, w), TypeError);
    assert.throws(() => convTranspose(xi, w), /ops\.convTranspose: .*int32/);
  });
  it("kernel rank mismatch", () => {
    assert.throws(
      () => conv(x, randomTensor([3, 3, 4], 3)),
      /ops\.conv: the kernel must have rank 4.*\[1, 5, 5, 3\].*\[3, 3, 4\]/,
    );
    assert.throws(() => conv(randomTensor([2, 3], 1), w), /ops\.conv: inputs must have rank 3, 4 or 5.*\[2, 3\]/);
    assert.throws(() => convTranspose(x, randomTensor([3, 3], 3)), /ops\.convTranspose: the kernel must have rank 4/);
  });
  it("input channel mismatch", () => {
    assert.throws(
      () => conv(x, randomTensor([3, 3, 2, 4], 3)),
      /ops\.conv: the input channels \(3\).*kernel's input channels \(2\).*\[1, 5, 5, 3\].*\[3, 3, 2, 4\]/,
    );
    assert.throws(
      () => conv(randomTensor([1, 5, 5, 4], 1), randomTensor([3, 3, 2, 3], 3)),
      /ops\.conv: the kernel's output channels \(3\) must be divisible by the number of groups \(2/,
    );
    assert.throws(
      () => depthwiseConv(x, randomTensor([3, 3, 2, 2], 3)),
      /ops\.depthwiseConv: the input channels \(3\).*\[3, 3, 2, 2\]/,
    );
    assert.throws(
      () => convTranspose(x, randomTensor([3, 3, 4, 2], 3)),
      /ops\.convTranspose: the input channels \(3\).*\[3, 3, 4, 2\]/,
    );
    assert.throws(
      () => separableConv(x, randomTensor([3, 3, 3, 2], 3), randomTensor([1, 1, 5, 2], 4)),
      /ops\.separableConv: the input channels \(6\).*kernel's input channels \(5\)/,
    );
  });
  it("kernel larger than a valid-padded input", () => {
    assert.throws(
      () => conv(x, randomTensor([6, 3, 3, 4], 3)),
      /ops\.conv: the kernel \(size 6, dilation 1\).*output size would be 0.*\[1, 5, 5, 3\].*\[6, 3, 3, 4\]/,
    );
    assert.throws(
      () => conv(x, w, { dilationRate: 3 }),
      /ops\.conv: the kernel \(size 3, dilation 3\).*output size would be -1/,
    );
    assert.throws(() => depthwiseConv(x, randomTensor([1, 7, 3, 1], 3)), /ops\.depthwiseConv: the kernel \(size 7/);
    // "same" padding never fails on size.
    assert.deepEqual(conv(x, randomTensor([6, 3, 3, 4], 3), { padding: "same" }).shape, [1, 5, 5, 4]);
  });
  it("bad padding, data format, strides", () => {
    assert.throws(
      () => conv(x, w, { padding: "full" }),
      /ops\.conv: padding must be "valid" or "same", received "full"/,
    );
    assert.throws(() => convTranspose(x, w, { padding: "causal" }), /ops\.convTranspose: padding must be/);
    assert.throws(() => conv(x, w, { dataFormat: "NHWC" }), /ops\.conv: dataFormat must be/);
    assert.throws(() => conv(x, w, { strides: [1, 2, 3] }), /ops\.conv: strides must be .*list of 2/);
    assert.throws(() => conv(x, w, { strides: 0 }), /ops\.conv: strides must be an integer >= 1/);
    assert.throws(
      () => convTranspose(x, randomTensor([3, 3, 2, 3], 3), { outputPadding: -1 }),
      /ops\.convTranspose: outputPadding must be an integer >= 0/,
    );
  });
});
