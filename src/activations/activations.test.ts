import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import type { Tensor } from "../backend/tensor.js";
import { gelu as opsGelu } from "../ops/nn/activations.js";
import type { AnyTensor } from "../ops/types.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import * as activations from "./index.js";

const X = [-3, -1, -0.5, 0, 0.5, 1, 2, 4];
const x64 = () => toTensor(X, "float64");
const sig = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => Math.log1p(Math.exp(v));
const hardSig = (v: number) => Math.min(Math.max(v / 6 + 0.5, 0), 1);
const SELU_A = 1.6732632423543772;
const SELU_S = 1.0507009873554805;

describe("activations: values", () => {
  it("element-wise functions match hand formulas", () => {
    const cases: [string, (t: AnyTensor) => AnyTensor, (v: number) => number][] = [
      ["relu", activations.relu, (v) => Math.max(v, 0)],
      ["relu6", activations.relu6, (v) => Math.min(Math.max(v, 0), 6)],
      ["leakyRelu", activations.leakyRelu, (v) => (v >= 0 ? v : 0.2 * v)],
      ["elu", activations.elu, (v) => (v >= 0 ? v : Math.expm1(v))],
      ["celu", activations.celu, (v) => Math.max(v, 0) + Math.expm1(Math.min(v, 0))],
      ["selu", activations.selu, (v) => SELU_S * (v >= 0 ? v : SELU_A * Math.expm1(v))],
      ["sigmoid", activations.sigmoid, sig],
      ["softplus", activations.softplus, softplus],
      ["softsign", activations.softsign, (v) => v / (1 + Math.abs(v))],
      ["silu", activations.silu, (v) => v * sig(v)],
      ["swish", activations.swish, (v) => v * sig(v)],
      ["tanh", activations.tanh, Math.tanh],
      ["tanhShrink", activations.tanhShrink, (v) => v - Math.tanh(v)],
      ["exponential", activations.exponential, Math.exp],
      ["hardSigmoid", activations.hardSigmoid, hardSig],
      ["hardSilu", activations.hardSilu, (v) => v * hardSig(v)],
      ["hardSwish", activations.hardSwish, (v) => v * hardSig(v)],
      ["hardTanh", activations.hardTanh, (v) => Math.min(Math.max(v, -1), 1)],
      ["hardShrink", activations.hardShrink, (v) => (Math.abs(v) > 0.5 ? v : 0)],
      ["softShrink", activations.softShrink, (v) => (v > 0.5 ? v - 0.5 : v < -0.5 ? v + 0.5 : 0)],
      ["squareplus", activations.squareplus, (v) => (v + Math.sqrt(v * v + 4)) / 2],
      ["sparsePlus", activations.sparsePlus, (v) => (v <= -1 ? 0 : v >= 1 ? v : (v + 1) ** 2 / 4)],
      ["sparseSigmoid", activations.sparseSigmoid, (v) => (v <= -1 ? 0 : v >= 1 ? 1 : 0.5 * (v + 1))],
      ["logSigmoid", activations.logSigmoid, (v) => -softplus(-v)],
      ["mish", activations.mish, (v) => v * Math.tanh(softplus(v))],
      ["linear", activations.linear, (v) => v],
    ];
    for (const [name, fn, ref] of cases) {
      const out = fn(x64()) as Tensor;
      assert.equal(out.dtype, "float64", name);
      assertClose(out, X.map(ref), { rtol: 1e-12, atol: 1e-14 });
    }
  });
  it("relu follows Keras's options (docstring examples and combinations)", () => {
    const x = toTensor([-10, -5, 0, 5, 10]);
    assert.deepEqual(activations.relu(x).toArray(), [0, 0, 0, 5, 10]);
    assert.deepEqual(activations.relu(x, { negativeSlope: 0.5 }).toArray(), [-5, -2.5, 0, 5, 10]);
    assert.deepEqual(activations.relu(x, { maxValue: 5 }).toArray(), [0, 0, 0, 5, 5]);
    assert.deepEqual(activations.relu(x, { threshold: 5 }).toArray(), [0, 0, 0, 0, 10]);
    assert.deepEqual(activations.relu(toTensor([-1, 3, 7]), { maxValue: 6 }).toArray(), [0, 3, 6]);
    // Below the threshold: negativeSlope · (x - threshold).
    assertClose(
      activations.relu(x64(), { negativeSlope: 0.1, threshold: 1 }),
      X.map((v) => (v > 1 ? v : 0.1 * (v - 1))),
      { rtol: 1e-12, atol: 1e-15 },
    );
    assertClose(
      activations.relu(x64(), { negativeSlope: 0.1, maxValue: 3 }),
      X.map((v) => (v >= 0 ? Math.min(v, 3) : 0.1 * v)),
      { rtol: 1e-12, atol: 1e-15 },
    );
    assertClose(
      activations.relu(x64(), { negativeSlope: 0.2, maxValue: 1.5, threshold: 0.5 }),
      X.map((v) => (v > 0.5 ? Math.min(v, 1.5) : 0.2 * (v - 0.5))),
      { rtol: 1e-12, atol: 1e-15 },
    );
  });
  it("gelu defaults to the exact form (Keras's activation, unlike ops.gelu)", () => {
    const g = activations.gelu(toTensor([1, -1], "float64"));
    assertClose(g, [0.8413447460685429, -0.15865525393145707], { rtol: 1e-12, atol: 0 });
    assertClose(activations.gelu(toTensor([1], "float64"), true), [0.8411919906082768], { rtol: 1e-12, atol: 0 });
    assertClose(activations.gelu(x64()), opsGelu(x64(), false), { rtol: 0, atol: 0 });
  });
  it("softmax and logSoftmax work along an axis (default -1); glu halves the axis", () => {
    const x = toTensor(
      [
        [1, 2, 3],
        [0, 0, Math.log(2)],
      ],
      "float64",
    );
    const e = [Math.E, Math.E ** 2, Math.E ** 3];
    const s = e[0] + e[1] + e[2];
    const rows = [e.map((v) => v / s), [0.25, 0.25, 0.5]];
    assertClose(activations.softmax(x), rows, { rtol: 1e-12, atol: 0 });
    assertClose(
      activations.logSoftmax(x),
      rows.map((r) => r.map(Math.log)),
      { rtol: 1e-12, atol: 1e-15 },
    );
    const cols = activations.softmax(x, 0).toArray() as number[][];
    assert.ok(Math.abs(cols[0][0] - Math.E / (Math.E + 1)) < 1e-12);
    assertClose(activations.glu(toTensor([[1, 2, 0, 1]], "float64")), [[1 * sig(0), 2 * sig(1)]], {
      rtol: 1e-12,
      atol: 0,
    });
  });
  it("threshold and the shrink functions take Keras's arguments", () => {
    assertClose(
      activations.threshold(x64(), 0.5, -9),
      X.map((v) => (v > 0.5 ? v : -9)),
      { rtol: 0, atol: 0 },
    );
    assertClose(
      activations.hardShrink(x64(), 1),
      X.map((v) => (Math.abs(v) > 1 ? v : 0)),
      { rtol: 0, atol: 0 },
    );
    assertClose(
      activations.elu(x64(), 2),
      X.map((v) => (v >= 0 ? v : 2 * Math.expm1(v))),
      { rtol: 1e-12, atol: 0 },
    );
    assertClose(
      activations.leakyRelu(x64(), 0.01),
      X.map((v) => (v >= 0 ? v : 0.01 * v)),
      { rtol: 1e-12, atol: 0 },
    );
    assert.throws(
      () => (activations.get("threshold") as (x: AnyTensor) => AnyTensor)(x64()),
      /activations.threshold: threshold must be a finite number, received threshold=undefined/,
    );
  });
  it("sigmoid and softmax remember their logits; linear returns its input", () => {
    const x = toTensor([[0.5, -1]]);
    assert.equal(activations.kerasLogits(activations.sigmoid(x)), x);
    assert.equal(activations.kerasLogits(activations.softmax(x)), x);
    assert.equal(activations.kerasLogits(activations.relu(x)), undefined);
    assert.equal(activations.linear(x), x);
  });
  it("reject bad relu options and int tensors with clear errors", () => {
    assert.throws(
      () => activations.relu(x64(), { maxValue: -1 }),
      /activations.relu: maxValue must be >= 0, received maxValue=-1/,
    );
    assert.throws(
      () => activations.relu(x64(), { negativeSlope: Number.NaN }),
      /activations.relu: negativeSlope must be a finite number, received negativeSlope=NaN/,
    );
    assert.throws(
      () => activations.relu(toTensor([1, 2], "int32")),
      /activations.relu: x must be a float tensor .*received dtype int32/,
    );
    assert.throws(
      () => activations.mish(toTensor([1, 2], "int32")),
      /activations.mish: x must be a float tensor .*received dtype int32/,
    );
  });
});

describe("activations: gradients", () => {
  const x = () => [randomTensor([2, 5], 3, -2, 2)];
  it("relu with options", () => {
    checkGrad((t) => activations.relu(t, { negativeSlope: 0.3, maxValue: 1.2, threshold: 0.1 }), x());
    checkGrad((t) => activations.relu(t, { threshold: -0.7 }), x());
  });
  it("composed and exact forms", () => {
    checkGrad((t) => activations.mish(t), x());
    checkGrad((t) => activations.sparseSigmoid(t), x());
    checkGrad((t) => activations.gelu(t), x());
    checkGrad((t) => activations.softmax(t, 0), x());
  });
});

describe("activations: symbolic", () => {
  it("keep unknown dimensions", () => {
    const s = new SymbolicTensor([null, 6], "float32");
    for (const name of ["relu", "mish", "sparse_sigmoid", "softmax", "gelu", "linear", "glu"]) {
      const out = activations.get(name)(s);
      assert.ok(out instanceof SymbolicTensor, name);
      assert.deepEqual(out.shape, name === "glu" ? [null, 3] : [null, 6], name);
    }
    const r = activations.relu(s, { negativeSlope: 0.1, maxValue: 2, threshold: 0.5 });
    assert.ok(r instanceof SymbolicTensor);
    assert.deepEqual(r.shape, [null, 6]);
  });
});

describe("activations.get and serialize", () => {
  const KERAS = [
    "celu",
    "elu",
    "exponential",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "tanh",
    "tanh_shrink",
    "threshold",
  ];
  const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  it("round-trips every Keras name, in snake_case and camelCase", () => {
    for (const name of KERAS) {
      assert.equal(activations.serialize(activations.get(name)), name, name);
      assert.equal(activations.get(camel(name)), activations.get(name), camel(name));
      assert.equal(activations.deserialize(name), activations.get(name));
    }
  });
  it("resolves Keras's aliases to the function's own name", () => {
    assert.equal(activations.get("swish"), activations.silu);
    assert.equal(activations.serialize(activations.swish), "silu");
    assert.equal(activations.get("hard_swish"), activations.hardSilu);
    assert.equal(activations.serialize(activations.get("hardSwish")), "hard_silu");
    assert.equal(activations.get("leakyRelu"), activations.leakyRelu);
  });
  it("gives linear for null/undefined, passes functions through, reads Keras's config form", () => {
    assert.equal(activations.get(null), activations.linear);
    assert.equal(activations.get(undefined), activations.linear);
    const f = (t: AnyTensor) => activations.relu(t);
    assert.equal(activations.get(f), f);
    assert.equal(activations.get({ className: "function", config: "softplus" }), activations.softplus);
    function custom(t: AnyTensor) {
      return t;
    }
    assert.deepEqual(activations.serialize(custom), {
      className: "function",
      config: "custom",
      registeredName: "custom",
    });
  });
  it("names an unknown identifier and lists the known ones", () => {
    assert.throws(
      () => activations.get("rleu"),
      (e: Error) => {
        assert.match(
          e.message,
          /activations.get: unknown activation 'rleu'. Known activations: celu, elu, exponential, /,
        );
        for (const name of [...KERAS, "swish", "hard_swish"]) assert.ok(e.message.includes(name), name);
        return true;
      },
    );
    assert.throws(() => activations.get(3 as never), /could not interpret activation function identifier 3/);
  });
});
