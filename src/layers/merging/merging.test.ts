import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad } from "../../testing/gradcheck.js";
import { Input } from "../core/input_layer.js";
import { getMask } from "../mask.js";
import { Add, add } from "./add.js";
import { Average } from "./average.js";
import { Concatenate, concatenate } from "./concatenate.js";
import { Dot, dot } from "./dot.js";
import { Maximum } from "./maximum.js";
import { Minimum } from "./minimum.js";
import { Multiply } from "./multiply.js";
import { Subtract } from "./subtract.js";

const t = ops.convertToTensor;
const sym = (shape: (number | null)[]) => new SymbolicTensor(shape, "float32");
const a = t([
  [1, 2, 3],
  [0, -1, 2],
]);
const b = t([
  [4, 5, 6],
  [1, 1, 1],
]);
const c = t([
  [-1, 7, 0],
  [2, 2, -3],
]);

describe("element-wise merge layers", () => {
  it("compute Add, Subtract, Multiply, Average, Maximum, Minimum", () => {
    assertClose(new Add()([a, b, c]), [
      [4, 14, 9],
      [3, 2, 0],
    ]);
    assertClose(new Subtract()([a, b]), [
      [-3, -3, -3],
      [-1, -2, 1],
    ]);
    assertClose(new Multiply()([a, b, c]), [
      [-4, 70, 0],
      [0, -2, -6],
    ]);
    assertClose(new Average()([a, b]), [
      [2.5, 3.5, 4.5],
      [0.5, 0, 1.5],
    ]);
    assertClose(new Maximum()([a, b, c]), [
      [4, 7, 6],
      [2, 2, 2],
    ]);
    assertClose(new Minimum()([a, b, c]), [
      [-1, 2, 0],
      [0, -1, -3],
    ]);
    // The functional forms.
    assertClose(add([a, b]), [
      [5, 7, 9],
      [1, 0, 3],
    ]);
  });

  it("give [null, ...] shapes symbolically, broadcasting size-1 axes and lower ranks after the batch axis", () => {
    const x = Input({ shape: [3] });
    const y = Input({ shape: [3] });
    const s = new Add()([x, y]);
    assert.ok(s instanceof SymbolicTensor);
    assert.deepEqual(s.shape, [null, 3]);
    assert.deepEqual(new Multiply()([sym([null, 1, 3]), sym([null, 4, 3])]).shape, [null, 4, 3]);
    assert.deepEqual(new Maximum()([sym([null, 3]), sym([null, 4, 3])]).shape, [null, 4, 3]);
    assert.deepEqual(new Average()([sym([null, 4, 3]), sym([5, 4, 3])]).shape, [5, 4, 3]);
    // A [b, 3] input is expanded to [b, 1, 3] (not broadcast against the batch axis).
    const lo = t([
      [1, 2, 3],
      [10, 20, 30],
    ]);
    const hi = ops.reshape(ops.arange(12, undefined, 1, "float32"), [2, 2, 3]) as Tensor;
    assertClose(new Add()([lo, hi]), [
      [
        [1, 3, 5],
        [4, 6, 8],
      ],
      [
        [16, 27, 38],
        [19, 30, 41],
      ],
    ]);
  });

  it("gradients through each merge", () => {
    const [x, y, z] = [a, b, c].map((v) => ops.cast(v, "float64") as Tensor);
    const y2 = ops.add(y, 0.5) as Tensor; // no ties for maximum/minimum
    checkGrad((p, q, r) => new Add()([p, q, r]) as Tensor, [x, y, z]);
    checkGrad((p, q) => new Subtract()([p, q]) as Tensor, [x, y]);
    checkGrad((p, q, r) => new Multiply()([p, q, r]) as Tensor, [x, y, z]);
    checkGrad((p, q) => new Average()([p, q]) as Tensor, [x, y]);
    checkGrad((p, q) => new Maximum()([p, q]) as Tensor, [x, y2]);
    checkGrad((p, q) => new Minimum()([p, q]) as Tensor, [x, y2]);
  });

  it("output masks: the OR of the input masks when every input has one (Add), none otherwise", () => {
    const m1 = t(
      [
        [true, false, false],
        [false, false, true],
      ],
      "bool",
    );
    const m2 = t(
      [
        [false, false, true],
        [false, false, true],
      ],
      "bool",
    );
    const x = ops.ones([2, 3, 2]);
    const y = new Add()([x, x], { mask: [m1, m2] });
    assert.deepEqual((getMask(y) as Tensor).toArray(), [
      [true, false, true],
      [false, false, true],
    ]);
    assert.equal(getMask(new Add()([x, x], { mask: [m1, null] })), null);
  });

  it("Multiply counts masked entries as 1 and zeroes entries masked in every input", () => {
    const x = t([[[2], [3], [4]]]);
    const y = t([[[5], [6], [7]]]);
    const mx = t([[true, false, false]], "bool");
    const my = t([[true, true, false]], "bool");
    assertClose(new Multiply()([x, y], { mask: [mx, my] }), [[[10], [6], [0]]]);
    assertClose(new Multiply()([x, y], { mask: [mx, null] }), [[[10], [6], [7]]]);
  });

  it("Maximum/Minimum: a masked entry takes the other input's value", () => {
    const x = t([[[2], [3], [9]]]);
    const y = t([[[5], [1], [7]]]);
    const mx = t([[true, false, true]], "bool");
    const my = t([[true, true, false]], "bool");
    // Position 1: x masked -> y's 1; position 2: y masked -> x's 9.
    assertClose(new Maximum()([x, y], { mask: [mx, my] }), [[[5], [1], [9]]]);
    assertClose(new Minimum()([x, y], { mask: [mx, my] }), [[[2], [1], [9]]]);
  });

  it("errors name the layer and the received shapes", () => {
    assert.throws(
      () => new Add({ name: "sum" })([sym([null, 3]), sym([null, 4])]),
      /Layer 'sum' \(Add\): inputs have incompatible shapes; received shapes \[null, 3\], \[null, 4\]/,
    );
    assert.throws(
      () => new Add({ name: "sum2" })([ops.ones([2, 3]), ops.ones([4, 3])]),
      /Layer 'sum2' \(Add\): cannot merge tensors with different batch sizes; received tensors with shapes \[2, 3\], \[4, 3\]/,
    );
    assert.throws(
      () => new Subtract({ name: "diff" })([a, b, c]),
      /Layer 'diff' \(Subtract\): a Subtract layer should be called on exactly 2 inputs, received 3 inputs of shapes \[2, 3\], \[2, 3\], \[2, 3\]/,
    );
    assert.throws(() => new Subtract({ name: "d1" })([a]), /Layer 'd1' \(Subtract\): .*exactly 2 inputs, received 1/);
    assert.throws(
      () => new Multiply({ name: "m" })(sym([null, 3])),
      /Layer 'm' \(Multiply\): a merge layer should be called on a list of inputs, received a single input of shape \[null, 3\]/,
    );
  });

  it("getConfig is the base config", () => {
    assert.deepEqual(new Maximum({ name: "mx" }).getConfig(), { name: "mx", trainable: true, dtype: "float32" });
  });
});

describe("Concatenate", () => {
  it("concatenates along axis -1 (default) or another axis", () => {
    assertClose(new Concatenate()([a, t([[9], [8]])]), [
      [1, 2, 3, 9],
      [0, -1, 2, 8],
    ]);
    assertClose(new Concatenate({ axis: 0 })([a, t([[7, 7, 7]])]), [
      [1, 2, 3],
      [0, -1, 2],
      [7, 7, 7],
    ]);
    assert.deepEqual(concatenate([sym([null, 3]), sym([null, 4])]).shape, [null, 7]);
    assert.deepEqual(new Concatenate({ axis: 1 })([sym([null, 2, 5]), sym([null, 3, 5])]).shape, [null, 5, 5]);
    assert.deepEqual(new Concatenate({ axis: 1 })([sym([null, 2, 5]), sym([null, null, 5])]).shape, [null, null, 5]);
    assert.equal(new Concatenate({ axis: 1 }).getConfig().axis, 1);
  });

  it("gradient splits back to each input", () => {
    const x = ops.cast(a, "float64") as Tensor;
    const y = ops.cast(t([[9], [8]]), "float64") as Tensor;
    checkGrad((p, q) => new Concatenate()([p, q]) as Tensor, [x, y]);
  });

  it("masks: inputs without a mask count as unmasked; the result is any() over the last axis", () => {
    const x = ops.ones([1, 3, 2]);
    const y = ops.ones([1, 3, 4]);
    const mx = t([[true, false, false]], "bool");
    const out = new Concatenate()([x, y], { mask: [mx, null] });
    assert.deepEqual(out.shape, [1, 3, 6]);
    assert.deepEqual((getMask(out) as Tensor).toArray(), [[true, true, true]]);
    const my = t([[false, false, true]], "bool");
    const out2 = new Concatenate()([x, y], { mask: [mx, my] });
    assert.deepEqual((getMask(out2) as Tensor).toArray(), [[true, false, true]]);
    // Along the time axis, the masks are concatenated too.
    const out3 = new Concatenate({ axis: 1 })([x, x], { mask: [mx, my] });
    assert.deepEqual((getMask(out3) as Tensor).toArray(), [[true, false, false, false, false, true]]);
    assert.equal(getMask(new Concatenate()([x, y])), null);
  });

  it("errors name the layer and the received shapes", () => {
    assert.throws(
      () => new Concatenate({ name: "cat" })([sym([null, 2, 5]), sym([null, 3, 4])]),
      /Layer 'cat' \(Concatenate\): a Concatenate layer requires inputs with matching shapes except for the concatenation axis \(axis 1 differs\); received input shapes \[null, 2, 5\], \[null, 3, 4\]/,
    );
    assert.throws(
      () => new Concatenate({ name: "cat2" })([sym([null, 2]), sym([null, 2, 3])]),
      /Layer 'cat2' \(Concatenate\).*different ranks.*\[null, 2\], \[null, 2, 3\]/,
    );
    assert.throws(
      () => new Concatenate({ name: "cat3", axis: 3 })([a, b]),
      /Layer 'cat3' \(Concatenate\): axis 3 is out of range for inputs of rank 2/,
    );
  });
});

describe("Dot", () => {
  it("takes per-sample dot products: [b, n]·[b, n] -> [b, 1]", () => {
    const y = new Dot(1)([a, b]);
    assertClose(y, [[32], [1]]);
    assert.deepEqual(new Dot(-1)([sym([null, 8]), sym([null, 8])]).shape, [null, 1]);
  });

  it("with axes [1, 2]: Keras's docstring example", () => {
    const x = ops.reshape(ops.arange(10, undefined, 1, "float32"), [1, 5, 2]);
    const y = ops.reshape(ops.arange(10, 20, 1, "float32"), [1, 2, 5]);
    assertClose(new Dot([1, 2])([x, y]), [
      [
        [260, 360],
        [320, 445],
      ],
    ]);
    assert.deepEqual(dot([sym([null, 5, 2]), sym([null, 2, 5])], [1, 2]).shape, [null, 2, 2]);
    assert.deepEqual(new Dot([2, 1])([sym([null, 3, 4]), sym([null, 4, 6])]).shape, [null, 3, 6]);
  });

  it("mixed ranks: [b, i, j]·[b, i] along axis 1 -> [b, j]", () => {
    const x = ops.reshape(ops.arange(24, undefined, 1, "float32"), [2, 3, 4]);
    const y = t([
      [1, 0, -1],
      [2, 1, 0],
    ]);
    assertClose(new Dot(1)([x, y]), [
      [-8, -8, -8, -8],
      [40, 43, 46, 49],
    ]);
  });

  it("normalize gives the cosine proximity", () => {
    assertClose(new Dot(1, { normalize: true })([a, b]), [[0.9746318461970762], [0.25819888974716115]], { rtol: 1e-6 });
  });

  it("gradients, with and without normalize", () => {
    const x = ops.cast(a, "float64") as Tensor;
    const y = ops.cast(b, "float64") as Tensor;
    checkGrad((p, q) => new Dot(1)([p, q]) as Tensor, [x, y]);
    checkGrad((p, q) => new Dot(1, { normalize: true })([p, q]) as Tensor, [x, y]);
    const x3 = ops.cast(ops.reshape(ops.arange(24, undefined, 1, "float32"), [2, 3, 4]), "float64") as Tensor;
    checkGrad((p, q) => new Dot([2, 1])([p, q]) as Tensor, [x3, ops.cast(ops.ones([2, 4, 2]), "float64") as Tensor]);
  });

  it("has no output mask and reports its config", () => {
    const m = t([[true, false, true]], "bool");
    const y = new Dot(1)([t([[1, 2, 3]]), t([[1, 1, 1]])], { mask: [m, m] });
    assert.equal(getMask(y), null);
    const c = new Dot([1, 2], { normalize: true, name: "dt" }).getConfig();
    assert.deepEqual(c, { name: "dt", trainable: true, dtype: "float32", axes: [1, 2], normalize: true });
  });

  it("errors name the layer and the received shapes", () => {
    assert.throws(
      () => new Dot(1, { name: "dp" })([sym([null, 3]), sym([null, 4])]),
      /Layer 'dp' \(Dot\): incompatible input shapes: axis values 3 \(at axis 1\) != 4 \(at axis 1\); full input shapes \[null, 3\], \[null, 4\]/,
    );
    assert.throws(
      () => new Dot(1, { name: "dp2" })([a, b, c]),
      /Layer 'dp2' \(Dot\): a Dot layer should be called on a list of 2 inputs, received 3 inputs of shapes/,
    );
    assert.throws(
      () => new Dot(0, { name: "dp3" })([a, b]),
      /Layer 'dp3' \(Dot\): cannot take the dot product over axis 0, the batch axis/,
    );
    assert.throws(() => new Dot([1, 2, 3] as never), /it should contain two integers, received \[1,2,3\]/);
    assert.throws(() => new Dot(1)([t([1, 2]), t([3, 4])]), /the inputs must have rank >= 2.*\[2\], \[2\]/);
  });
});
