import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import * as initializers from "../../initializers/index.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad, randomTensor } from "../../testing/gradcheck.js";
import { EinsumDense } from "./einsum_dense.js";

// Keras's einsum_dense_test.py shape cases: [equation, biasAxes, inputShape, outputShape, kernel, bias, output].
const CASES: [string, string | null, number[], number | number[], number[], number[] | null, number[]][] = [
  ["ab,b->a", null, [2, 32], [], [32], null, [2]],
  ["ab,bc->ac", null, [2, 32], 64, [32, 64], null, [2, 64]],
  ["abc,cde->abde", null, [2, 1, 2], [1, 3, 4], [2, 3, 4], null, [2, 1, 3, 4]],
  ["abc,cde->abde", "e", [2, 1, 2], [1, 3, 4], [2, 3, 4], [4], [2, 1, 3, 4]],
  ["abc,cde->abde", "d", [2, 1, 2], [1, 3, 4], [2, 3, 4], [3, 1], [2, 1, 3, 4]],
  ["abc,cde->abde", "be", [2, 7, 2], [7, 3, 4], [2, 3, 4], [7, 1, 4], [2, 7, 3, 4]],
  ["BFNH,NHD->BFD", null, [2, 1, 2, 3], [1, 4], [2, 3, 4], null, [2, 1, 4]],
  ["abc,cd->abd", null, [2, 1, 2], [1, 4], [2, 4], null, [2, 1, 4]],
  ["i,d->id", null, [2], [2], [2], null, [2, 2]],
  ["ibd,nd->ibn", null, [2, 2, 1], [2, 2], [2, 1], null, [2, 2, 2]],
  ["...b,bc->...c", null, [2, 32], [64], [32, 64], null, [2, 64]],
  ["...bc,bc->...b", null, [2, 32, 64], [32], [32, 64], null, [2, 32]],
  ["...b,bc->...c", null, [2, 3, 32], [64], [32, 64], null, [2, 3, 64]],
  ["...c,cde->...de", "e", [2, 1, 2], [3, 4], [2, 3, 4], [4], [2, 1, 3, 4]],
  ["...c,cde->...de", "d", [2, 1, 2], [3, 4], [2, 3, 4], [3, 1], [2, 1, 3, 4]],
  ["...c,cde->...de", "de", [2, 1, 2], [3, 4], [2, 3, 4], [3, 4], [2, 1, 3, 4]],
];

describe("EinsumDense", () => {
  it("kernel, bias and output shapes of Keras's test cases", () => {
    for (const [eq, biasAxes, inShape, outShape, kernel, bias, out] of CASES) {
      const layer = new EinsumDense(eq, outShape, { biasAxes });
      const y = layer(ops.ones(inShape)) as Tensor;
      assert.deepEqual(layer.kernel.shape, kernel, eq);
      assert.deepEqual(layer.bias?.shape ?? null, bias, `${eq} bias ${biasAxes}`);
      assert.deepEqual(y.shape, out, eq);
      assert.deepEqual(
        layer.weights.map((w) => w.name),
        bias ? ["kernel", "bias"] : ["kernel"],
      );
    }
  });

  it("computes einsum(x, kernel) + bias, then the activation (plain-JS reference)", () => {
    const layer = new EinsumDense("abc,cde->abde", [null, 2, 3], {
      biasAxes: "de",
      activation: "tanh",
      dtype: "float64",
    });
    const x = randomTensor([2, 3, 4], 1);
    layer(x);
    const k = randomTensor([4, 2, 3], 2);
    const b = randomTensor([2, 3], 3);
    layer.setWeights([k, b]);
    const y = layer(x) as Tensor;
    const ref = Tensor.empty([2, 3, 2, 3], "float64");
    for (let a = 0; a < 2; a++)
      for (let t = 0; t < 3; t++)
        for (let d = 0; d < 2; d++)
          for (let e = 0; e < 3; e++) {
            let s = b.data[d * 3 + e];
            for (let c = 0; c < 4; c++) s += x.data[a * 12 + t * 4 + c] * k.data[c * 6 + d * 3 + e];
            ref.data[((a * 3 + t) * 2 + d) * 3 + e] = Math.tanh(s);
          }
    assertClose(y, ref, { rtol: 1e-12, atol: 1e-12 });
  });

  it("symbolic shapes keep null batch and time; the output takes sizes the input knows", () => {
    const layer = new EinsumDense("abc,cde->abde", [null, 4, 8], { biasAxes: "de" });
    const y = layer(new SymbolicTensor([null, null, 16], "float32"));
    assert.ok(y instanceof SymbolicTensor);
    assert.deepEqual(y.shape, [null, null, 4, 8]);
    assert.deepEqual(layer.computeOutputShape([null, 5, 16]), [null, 5, 4, 8]);
  });

  it("glorot_uniform uses the kernel's input and output axes as fans (as Keras's EinsumDense)", () => {
    // kernel [16, 8, 32]: fanIn 16, fanOut 256 -> limit sqrt(6 / 272) ~ 0.1485 (not sqrt(6 / (128 + 512))).
    const layer = new EinsumDense("abc,cde->abde", [null, 8, 32], {
      kernelInitializer: new initializers.GlorotUniform({ seed: 1 }),
    });
    layer(ops.ones([1, 2, 16]));
    const limit = Math.sqrt(6 / 272);
    let max = 0;
    for (const v of layer.kernel.peek().data) max = Math.max(max, Math.abs(v));
    assert.ok(max <= limit && max > 0.95 * limit, `max |w| ${max} vs limit ${limit}`);
  });

  it("gradients with respect to inputs, kernel and bias (float64)", () => {
    const layer = new EinsumDense("abc,cde->abde", [null, 2, 3], { biasAxes: "e", dtype: "float64" });
    const x = randomTensor([2, 3, 4], 4);
    layer(x);
    checkGrad(
      (xi, k, b) => {
        layer.setWeights([k, b]);
        return layer(xi) as Tensor;
      },
      [x, randomTensor([4, 2, 3], 5), randomTensor([3], 6)],
    );
  });

  it("getConfig keys, and errors naming the layer", () => {
    const c = new EinsumDense("ab,bc->ac", 4, { name: "ed", biasAxes: "c" }).getConfig();
    assert.deepEqual(Object.keys(c), [
      "name",
      "trainable",
      "dtype",
      "outputShape",
      "equation",
      "activation",
      "biasAxes",
      "kernelInitializer",
      "biasInitializer",
      "kernelRegularizer",
      "biasRegularizer",
      "activityRegularizer",
      "kernelConstraint",
      "biasConstraint",
    ]);
    assert.deepEqual([c.outputShape, c.equation, c.biasAxes, c.activation], [[4], "ab,bc->ac", "c", "linear"]);
    assert.throws(
      () => new EinsumDense("ab->b", 4, { name: "e1" }),
      /Layer 'e1' \(EinsumDense\): invalid einsum equation 'ab->b'/,
    );
    assert.throws(
      () => new EinsumDense("ab,bc->ac", 4, { name: "e2", biasAxes: "x" })(ops.ones([2, 3])),
      /Layer 'e2' \(EinsumDense\): bias dimension 'x' was requested, but is not part of the output 'ac'/,
    );
    assert.throws(
      () => new EinsumDense("abc,cd->abd", [5, 4], { name: "e3" })(ops.ones([2, 3, 2])),
      /Layer 'e3' \(EinsumDense\): input shape and output shape do not match at shared dimension 'b': the input has 3 and the output 5/,
    );
    assert.throws(
      () => new EinsumDense("ab,bc->ac", 4, { name: "e4" })(new SymbolicTensor([null, null], "float32")),
      /Layer 'e4' \(EinsumDense\): the kernel's dimension 'b' must be known/,
    );
    assert.throws(
      () => new EinsumDense("abc,cd->abd", [3, 4], { name: "e5" })(ops.ones([2, 3])),
      /Layer 'e5' \(EinsumDense\): the equation 'abc,cd->abd' expects inputs of rank 3, received input shape \[2, 3\]/,
    );
  });
});

describe("EinsumDense fromConfig", () => {
  it("rebuilds the layer from getConfig()", () => {
    const l = new EinsumDense("abc,cde->abde", [null, 2, 3], {
      biasAxes: "de",
      activation: "relu",
      kernelInitializer: "ones",
    });
    const copy = EinsumDense.fromConfig(l.getConfig());
    assert.deepEqual(copy.getConfig(), l.getConfig());
    copy(ops.ones([1, 2, 4]));
    assert.deepEqual(Array.from(copy.kernel.peek().data).slice(0, 3), [1, 1, 1]);
  });
});
