import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SymbolicTensor } from "../../backend/symbolic_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { assertClose, checkGrad } from "../../testing/gradcheck.js";
import { Flatten } from "./flatten.js";
import { Permute } from "./permute.js";
import { RepeatVector } from "./repeat_vector.js";
import { Reshape } from "./reshape.js";

const t = ops.convertToTensor;
const sym = (shape: (number | null)[], dtype = "float32") => new SymbolicTensor(shape, dtype as "float32");
/** [2, 3, 4] holding 0..23. */
const x234 = ops.reshape(ops.arange(24, undefined, 1, "float32"), [2, 3, 4]) as Tensor;

describe("Flatten", () => {
  it("flattens all but the batch axis, concretely and symbolically", () => {
    const y = new Flatten()(x234);
    assert.deepEqual(y.shape, [2, 12]);
    assertClose(y, ops.reshape(x234, [2, 12]) as Tensor);
    assert.deepEqual(new Flatten()(sym([null, 10, 64])).shape, [null, 640]);
    assert.deepEqual(new Flatten()(sym([null, null, 64])).shape, [null, null]);
    assert.deepEqual(new Flatten()(sym([null])).shape, [null, 1]);
    assert.deepEqual(new Flatten()(t([1, 2, 3])).shape, [3, 1]);
    const ints = new Flatten()(sym([null, 2, 2], "int32"));
    assert.equal(ints.dtype, "int32");
  });

  it("channelsFirst moves the channel axis last before flattening (Keras's data_format)", () => {
    const y = new Flatten({ dataFormat: "channels_first" })(x234) as Tensor;
    // [b, c=3, w=4] -> [b, w, c] -> flat: x[b, c, w] at position w*3 + c.
    assertClose(y, ops.reshape(ops.transpose(x234, [0, 2, 1]), [2, 12]) as Tensor);
    assert.equal(new Flatten({ dataFormat: "channelsFirst" }).getConfig().dataFormat, "channels_first");
    assert.throws(() => new Flatten({ dataFormat: "nchw", name: "f" }), /Layer 'f' \(Flatten\): dataFormat must be/);
  });

  it("rejects rank-0 inputs naming the layer", () => {
    assert.throws(
      () => new Flatten({ name: "flat" })(t(3)),
      /Layer 'flat' \(Flatten\).*expected min_ndim=1, found ndim=0/,
    );
  });

  it("gradient flows back in the input's shape", () => {
    checkGrad((a) => new Flatten()(a) as Tensor, [x234]);
  });
});

describe("Reshape", () => {
  it("keeps the batch axis and infers -1", () => {
    const y = new Reshape([4, 3])(x234);
    assert.deepEqual(y.shape, [2, 4, 3]);
    assertClose(y, ops.reshape(x234, [2, 4, 3]) as Tensor);
    assert.deepEqual(new Reshape([-1, 2, 2])(x234).shape, [2, 3, 2, 2]);
    assert.deepEqual(new Reshape([3, 4])(sym([null, 12])).shape, [null, 3, 4]);
    assert.deepEqual(new Reshape([-1, 2, 2])(sym([null, 12])).shape, [null, 3, 2, 2]);
    // Unknown sizes besides the batch: the -1 entry stays unknown (beyond one reshape -1).
    assert.deepEqual(new Reshape([-1, 2])(sym([null, null, 4])).shape, [null, null, 2]);
    assert.deepEqual(new Reshape([-1, 2])(ops.ones([3, 5, 4])).shape, [3, 10, 2]);
  });

  it("errors name the layer, the target and the received shape", () => {
    assert.throws(
      () => new Reshape([5], { name: "r" })(x234),
      /Layer 'r' \(Reshape\): the input of shape \[2, 3, 4\] cannot be reshaped to targetShape \[5\] \(12 elements per sample\)/,
    );
    assert.throws(() => new Reshape([-1, 5])(sym([null, 12])), /cannot be reshaped to targetShape \[-1, 5\]/);
    assert.throws(() => new Reshape([-1, -1]), /at most one -1, received \[-1, -1\]/);
    assert.deepEqual(new Reshape([3, -1]).getConfig().targetShape, [3, -1]);
  });

  it("gradient flows back in the input's shape", () => {
    checkGrad((a) => new Reshape([2, -1])(a) as Tensor, [x234]);
  });
});

describe("Permute", () => {
  it("permutes with 1-based dims, batch axis fixed", () => {
    const y = new Permute([2, 1])(x234) as Tensor;
    assert.deepEqual(y.shape, [2, 4, 3]);
    // y[b, i, j] = x[b, j, i]
    assert.equal(y.data[1 * 12 + 3 * 3 + 2], x234.data[1 * 12 + 2 * 4 + 3]);
    assertClose(y, ops.transpose(x234, [0, 2, 1]) as Tensor);
    assert.deepEqual(new Permute([2, 1])(sym([null, 10, 64])).shape, [null, 64, 10]);
    assert.deepEqual(new Permute([3, 1, 2])(sym([null, 5, 6, 7])).shape, [null, 7, 5, 6]);
    assert.deepEqual(new Permute([3, 1, 2]).getConfig().dims, [3, 1, 2]);
  });

  it("rejects bad dims and inputs of the wrong rank, naming the layer", () => {
    assert.throws(
      () => new Permute([0, 1], { name: "p" }),
      /Layer 'p' \(Permute\): invalid permutation .* received dims=\[0,1\]/,
    );
    assert.throws(() => new Permute([1, 3]), /consecutive and start from 1/);
    assert.throws(
      () => new Permute([2, 1], { name: "p2" })(sym([null, 3, 4, 5])),
      /Layer 'p2' \(Permute\).*expected ndim=3, found ndim=4; received input with shape \[null, 3, 4, 5\]/,
    );
  });

  it("gradient", () => {
    checkGrad((a) => new Permute([2, 1])(a) as Tensor, [x234]);
  });
});

describe("RepeatVector", () => {
  it("repeats [batch, features] n times into [batch, n, features]", () => {
    const y = new RepeatVector(3)(
      t([
        [1, 2],
        [3, 4],
      ]),
    );
    assertClose(y, [
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
      [
        [3, 4],
        [3, 4],
        [3, 4],
      ],
    ]);
    assert.deepEqual(new RepeatVector(3)(sym([null, 32])).shape, [null, 3, 32]);
    assert.equal(new RepeatVector(4).getConfig().n, 4);
  });

  it("rejects bad n and inputs that are not rank 2, naming the layer", () => {
    assert.throws(
      () => new RepeatVector(0, { name: "rv" }),
      /Layer 'rv' \(RepeatVector\): argument `n` should be a positive integer, received n=0/,
    );
    assert.throws(() => new RepeatVector(1.5), /expected an integer value for `n`, received 1.5/);
    assert.throws(
      () => new RepeatVector(2, { name: "rv2" })(x234),
      /Layer 'rv2' \(RepeatVector\).*expected ndim=2, found ndim=3; received input with shape \[2, 3, 4\]/,
    );
  });

  it("gradient sums over the repeats", () => {
    checkGrad(
      (a) => new RepeatVector(3)(a) as Tensor,
      [
        t([
          [1, 2],
          [3, 4],
        ]),
      ],
    );
  });
});

describe("reshaping layers in a Sequential model", () => {
  it("Reshape -> Permute -> Flatten -> RepeatVector give Keras's output shapes and values", async () => {
    const { Sequential } = await import("../../models/sequential.js");
    const { Input } = await import("../core/input_layer.js");
    const model = new Sequential([
      Input({ shape: [6] }),
      new Reshape([2, 3]),
      new Permute([2, 1]),
      new Flatten(),
      new RepeatVector(2),
    ]);
    assert.deepEqual(model.outputs[0].shape, [null, 2, 6]);
    const y = model.predict(t([[0, 1, 2, 3, 4, 5]])) as Tensor;
    // [[0,1,2],[3,4,5]] transposed -> [[0,3],[1,4],[2,5]] -> flat [0,3,1,4,2,5], repeated twice.
    assertClose(y, [
      [
        [0, 3, 1, 4, 2, 5],
        [0, 3, 1, 4, 2, 5],
      ],
    ]);
  });
});
