import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as ops from "./index.js";
import { Tensor } from "../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";

describe("element-wise ops", () => {
  it("adds with NumPy broadcasting", () => {
    const a = ops.convertToTensor([[1, 2, 3], [4, 5, 6]]);
    assertClose(ops.add(a, [10, 20, 30]), [[11, 22, 33], [14, 25, 36]]);
    assertClose(ops.add(ops.reshape(ops.arange(3), [3, 1]), ops.arange(2)), [[0, 1], [1, 2], [2, 3]]);
  });
});
