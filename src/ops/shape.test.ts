import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { grad } from "../autodiff/grad.js";
import { SymbolicTensor } from "../backend/symbolic_tensor.js";
import { Tensor } from "../backend/tensor.js";
import { assertClose, checkGrad, randomTensor } from "../testing/gradcheck.js";
import * as ops from "./index.js";

interface Fixture {
  name: string;
  op: string;
  x: unknown;
  args: Record<string, unknown>;
  out?: unknown;
  shape?: number[];
  outs?: unknown[];
  shapes?: number[][];
}

const fixtures: Fixture[] = JSON.parse(readFileSync(new URL("./shape.fixtures.json", import.meta.url), "utf8"));
const f64 = (v: unknown) => ops.convertToTensor(v as number[], "float64");

function runFixture(c: Fixture): Tensor | Tensor[] {
  const a = c.args as Record<string, never>;
  const x = c.op === "concatenate" || c.op === "stack" ? (c.x as unknown[]).map(f64) : f64(c.x);
  switch (c.op) {
    case "transpose":
      return ops.transpose(x as Tensor, a.axes);
    case "pad":
      return ops.pad(x as Tensor, a.padWidth, a.mode, a.value ?? 0);
    case "tile":
      return ops.tile(x as Tensor, a.repeats);
    case "repeat":
      return ops.repeat(x as Tensor, a.repeats, a.axis);
    case "flip":
      return ops.flip(x as Tensor, a.axis);
    case "concatenate":
      return ops.concatenate(x as Tensor[], a.axis);
    case "stack":
      return ops.stack(x as Tensor[], a.axis);
    case "split":
      return ops.split(x as Tensor, a.indices, a.axis);
    case "slice":
      return ops.slice(x as Tensor, a.start, a.size);
  }
  throw new Error(`unknown fixture op ${c.op}`);
}

describe("shape ops: forward values against NumPy (scripts/fixtures/shape.py)", () => {
  for (const c of fixtures) {
    it(c.name, () => {
      const got = runFixture(c);
      if (c.outs) {
        const parts = got as Tensor[];
        assert.equal(parts.length, c.outs.length);
        parts.forEach((p, i) => {
          assert.deepEqual(p.shape, c.shapes?.[i]);
          if (p.size > 0) assertClose(p, c.outs?.[i] as number[]);
        });
      } else {
        assert.deepEqual((got as Tensor).shape, c.shape);
        assertClose(got as Tensor, c.out as number[]);
      }
    });
  }
});

describe("shape ops: forward values by hand", () => {
  const x = ops.reshape(ops.arange(6), [2, 3]);

  it("reshape and its -1", () => {
    assert.deepEqual(ops.reshape(x, [3, -1]).toArray(), [
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it("transpose of 2-d, identity permutation, int and bool dtypes", () => {
    assert.deepEqual(ops.transpose(x).toArray(), [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    assert.deepEqual(ops.transpose(x, [0, 1]).toArray(), x.toArray());
    const b = ops.convertToTensor([[true, false, false]]);
    const tb = ops.transpose(b);
    assert.equal(tb.dtype, "bool");
    assert.deepEqual(tb.toArray(), [[true], [false], [false]]);
    const i = ops.transpose(ops.cast(x, "int32"), [-1, -2]);
    assert.equal(i.dtype, "int32");
    assert.deepEqual(Array.from(i.data), [0, 3, 1, 4, 2, 5]);
  });

  it("expandDims and squeeze", () => {
    assert.deepEqual(ops.expandDims(x, 0).shape, [1, 2, 3]);
    assert.deepEqual(ops.expandDims(x, -1).shape, [2, 3, 1]);
    assert.deepEqual(ops.expandDims(x, [0, 3]).shape, [1, 2, 3, 1]);
    assert.deepEqual(Array.from(ops.expandDims(x, 1).data), [0, 1, 2, 3, 4, 5]);
    const y = ops.zeros([1, 2, 1, 3, 1]);
    assert.deepEqual(ops.squeeze(y).shape, [2, 3]);
    assert.deepEqual(ops.squeeze(y, -1).shape, [1, 2, 1, 3]);
    assert.deepEqual(ops.squeeze(y, [0, 2]).shape, [2, 3, 1]);
  });

  it("concatenate promotes dtypes and stack adds an axis", () => {
    const c = ops.concatenate([ops.cast(x, "int32"), [[0.5], [1.5]]], 1);
    assert.equal(c.dtype, "float32");
    assert.deepEqual(c.toArray(), [
      [0, 1, 2, 0.5],
      [3, 4, 5, 1.5],
    ]);
    assert.deepEqual(
      ops
        .stack(
          [
            [1, 2],
            [3, 4],
          ],
          1,
        )
        .toArray(),
      [
        [1, 3],
        [2, 4],
      ],
    );
  });

  it("split into equal sections", () => {
    const [a, b, c] = ops.split(x, 3, -1);
    assert.deepEqual(a.toArray(), [[0], [3]]);
    assert.deepEqual(b.toArray(), [[1], [4]]);
    assert.deepEqual(c.toArray(), [[2], [5]]);
  });

  it("slice with -1 size and pad with a single pair", () => {
    assert.deepEqual(ops.slice(x, [1, 1], [-1, -1]).toArray(), [[4, 5]]);
    assert.deepEqual(ops.slice(x, [0, 0], [0, 2]).shape, [0, 2]);
    assert.deepEqual(ops.pad([1, 2], [1, 2], "constant", 9).toArray(), [9, 1, 2, 9, 9]);
    assert.deepEqual(ops.pad(x, 1).shape, [4, 5]);
  });

  it("tile prepends axes when repeats are longer; repeat of zero", () => {
    assert.deepEqual(ops.tile([1, 2], [2, 2]).toArray(), [
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    assert.deepEqual(ops.tile([1, 2], 0).shape, [0]);
    assert.deepEqual(ops.repeat([1, 2], 0).shape, [0]);
  });

  it("transpose matches a naive reference on larger permuted shapes", () => {
    const t = randomTensor([5, 33, 2, 40], 7);
    const perm = [3, 0, 2, 1];
    const got = ops.transpose(t, perm);
    const ref = Tensor.empty([40, 5, 2, 33], "float64");
    for (let a = 0; a < 5; a++)
      for (let b = 0; b < 33; b++)
        for (let c = 0; c < 2; c++)
          for (let d = 0; d < 40; d++)
            ref.data[((d * 5 + a) * 2 + c) * 33 + b] = t.data[((a * 33 + b) * 2 + c) * 40 + d];
    assert.deepEqual(got.shape, ref.shape);
    assert.deepEqual(Array.from(got.data), Array.from(ref.data));
  });

  it("does not mutate its inputs", () => {
    const t = randomTensor([3, 4], 3);
    const before = Array.from(t.data);
    ops.transpose(t);
    ops.pad(
      t,
      [
        [1, 1],
        [2, 2],
      ],
      "reflect",
    );
    ops.flip(t);
    ops.split(t, [1], 0);
    assert.deepEqual(Array.from(t.data), before);
  });
});

describe("shape ops: gradients (finite differences)", () => {
  const x = randomTensor([2, 3, 4], 1);

  it("reshape, transpose (default and negative axes), expandDims, squeeze", () => {
    checkGrad((a) => ops.reshape(a, [4, -1]), [x]);
    checkGrad((a) => ops.transpose(a), [x]);
    checkGrad((a) => ops.transpose(a, [-1, 0, -2]), [x]);
    checkGrad((a) => ops.expandDims(a, [-1, 0]), [x]);
    checkGrad((a) => ops.squeeze(a, -2), [randomTensor([3, 1, 2], 2)]);
  });

  it("concatenate (negative axis, three inputs) and stack", () => {
    checkGrad((a, b, c) => ops.concatenate([a, b, c], -2), [x, randomTensor([2, 1, 4], 2), randomTensor([2, 2, 4], 3)]);
    checkGrad((a, b) => ops.stack([a, b], -1), [x, randomTensor([2, 3, 4], 4)]);
  });

  it("split by sections and by indices, including overlapping NumPy pieces", () => {
    checkGrad((a) => ops.multiply(ops.split(a, 2, -1)[1], ops.split(a, 2, -1)[0]), [x]);
    checkGrad((a) => ops.concatenate(ops.split(a, [1, 3], 2), 2), [x]);
    // Only one piece used: the others get zero gradients from the tape.
    checkGrad((a) => ops.split(a, [1], 1)[1], [x]);
    checkGrad((a) => ops.concatenate(ops.split(a, [3, 1], -1), -1), [x]);
  });

  it("concatenate of float32 and float64 gives each input a gradient of its own dtype", () => {
    const a = ops.convertToTensor([1, 2], "float32");
    const b = ops.convertToTensor([3], "float64");
    const [ga, gb] = grad((p: Tensor, q: Tensor) => ops.sum(ops.square(ops.concatenate([p, q]))), [0, 1])(
      a,
      b,
    ) as Tensor[];
    assert.equal(ga.dtype, "float32");
    assert.equal(gb.dtype, "float64");
    assert.deepEqual(Array.from(ga.data), [2, 4]);
    assert.deepEqual(Array.from(gb.data), [6]);
  });

  it("slice and pad in every mode", () => {
    checkGrad((a) => ops.slice(a, [1, 0, 1], [1, -1, 2]), [x]);
    checkGrad(
      (a) =>
        ops.pad(a, [
          [1, 0],
          [0, 2],
          [2, 1],
        ]),
      [x],
    );
    checkGrad(
      (a) =>
        ops.pad(
          a,
          [
            [1, 0],
            [2, 2],
            [3, 1],
          ],
          "reflect",
        ),
      [x],
    );
    checkGrad(
      (a) =>
        ops.pad(
          a,
          [
            [1, 2],
            [3, 1],
            [0, 4],
          ],
          "symmetric",
        ),
      [x],
    );
  });

  it("tile, repeat (axis and flattened) and flip", () => {
    checkGrad((a) => ops.tile(a, [2, 1, 3]), [x]);
    checkGrad((a) => ops.tile(a, [2, 1, 1, 2]), [x]);
    checkGrad((a) => ops.repeat(a, 3, -2), [x]);
    checkGrad((a) => ops.repeat(a, 2), [x]);
    checkGrad((a) => ops.flip(a, [0, -1]), [x]);
  });

  it("second order: the gradient of a gradient through pad/slice and tile", () => {
    const inner = (a: Tensor) =>
      ops.sum(
        ops.square(
          ops.pad(
            ops.tile(a, [1, 2]),
            [
              [1, 1],
              [0, 2],
            ],
            "reflect",
          ),
        ),
      );
    const g = (a: Tensor) =>
      ops.sum(
        ops.multiply(ops.transpose(ops.reshape(gradOf(inner, a), [3, 2])), [
          [1, 2, 3],
          [4, 5, 6],
        ]),
      );
    checkGrad(g, [randomTensor([2, 3], 5)]);
  });
});

function gradOf(f: (a: Tensor) => Tensor, a: Tensor): Tensor {
  return grad(f)(a) as Tensor;
}

describe("shape ops: symbolic shapes keep unknown dims", () => {
  const s = new SymbolicTensor([null, 3, 4], "float32");
  const shapeOf = (t: unknown) => {
    assert.ok(t instanceof SymbolicTensor);
    return t.shape;
  };

  it("propagates null through each op", () => {
    assert.deepEqual(shapeOf(ops.reshape(s, [-1, 12])), [null, 12]);
    assert.deepEqual(shapeOf(ops.transpose(s)), [4, 3, null]);
    assert.deepEqual(shapeOf(ops.expandDims(s, 1)), [null, 1, 3, 4]);
    assert.deepEqual(shapeOf(ops.squeeze(new SymbolicTensor([null, 1, 3], "float32"))), [null, 3]);
    assert.deepEqual(shapeOf(ops.concatenate([s, s], 0)), [null, 3, 4]);
    assert.deepEqual(shapeOf(ops.concatenate([s, ops.zeros([2, 1, 4])], 1)), [2, 4, 4]);
    assert.deepEqual(shapeOf(ops.stack([s, s], -1)), [null, 3, 4, 2]);
    assert.deepEqual(ops.split(s, 2, -1).map(shapeOf), [
      [null, 3, 2],
      [null, 3, 2],
    ]);
    assert.deepEqual(ops.split(s, [1], 0).map(shapeOf), [
      [1, 3, 4],
      [null, 3, 4],
    ]);
    assert.deepEqual(shapeOf(ops.slice(s, [0, 1, 0], [2, -1, 4])), [2, 2, 4]);
    assert.deepEqual(shapeOf(ops.slice(s, [1, 1, 0], [-1, 1, 4])), [null, 1, 4]);
    assert.deepEqual(
      shapeOf(
        ops.pad(s, [
          [1, 1],
          [0, 0],
          [2, 0],
        ]),
      ),
      [null, 3, 6],
    );
    assert.deepEqual(shapeOf(ops.tile(s, [2, 1, 2])), [null, 3, 8]);
    assert.deepEqual(shapeOf(ops.repeat(s, 2, 1)), [null, 6, 4]);
    assert.deepEqual(shapeOf(ops.repeat(s, 2)), [null]);
    assert.deepEqual(shapeOf(ops.flip(s, 0)), [null, 3, 4]);
    assert.deepEqual(shapeOf(ops.broadcastTo(new SymbolicTensor([null, 1], "float32"), [5, 3])), [5, 3]);
  });
});

describe("shape ops: errors name the op and the shapes", () => {
  const x = ops.zeros([2, 3]);

  it("reshape to an incompatible size", () => {
    assert.throws(() => ops.reshape(x, [4, 2]), /ops\.reshape: .*shape \[2, 3\] \(6 elements\).*\[4, 2\]/);
    assert.throws(() => ops.reshape(x, [4, -1]), /ops\.reshape: .*\[2, 3\].*not a multiple of 4/);
  });

  it("concatenate and stack of mismatched shapes", () => {
    assert.throws(() => ops.concatenate([x, ops.zeros([3, 3])], 1), /ops\.concatenate: .*axis 1.*\[2, 3\], \[3, 3\]/);
    assert.throws(() => ops.concatenate([x, ops.zeros([2])]), /ops\.concatenate: .*\[2, 3\], \[2\]/);
    assert.throws(() => ops.stack([x, ops.zeros([3, 2])]), /ops\.stack: .*\[2, 3\], \[3, 2\]/);
  });

  it("split into unequal sections", () => {
    assert.throws(() => ops.split(x, 2, 1), /ops\.split: cannot split axis 1 of size 3 .*\[2, 3\].* 2 equal sections/);
  });

  it("split indices that are not integers", () => {
    assert.throws(() => ops.split(x, [1.5], 1), /ops\.split: split indices must be integers, received \[1\.5\]/);
  });

  it("squeeze of a non-1 axis", () => {
    assert.throws(
      () => ops.squeeze(x, 1),
      /ops\.squeeze: cannot squeeze axis 1 of a tensor of shape \[2, 3\]: its size is 3/,
    );
  });

  it("axis out of range", () => {
    assert.throws(() => ops.concatenate([x, x], 2), /ops\.concatenate: axis 2 is out of range for a tensor of rank 2/);
    assert.throws(() => ops.expandDims(x, 3), /ops\.expandDims: axis 3 is out of range for a tensor of rank 3/);
    assert.throws(() => ops.transpose(x, [0, 2]), /ops\.transpose: axis 2 is out of range/);
    assert.throws(() => ops.transpose(x, [0]), /ops\.transpose: axes \[0\] must list each axis .*\[2, 3\]/);
    assert.throws(() => ops.split(x, 1, -3), /ops\.split: axis -3 is out of range/);
    assert.throws(() => ops.flip(x, 5), /ops\.flip: axis 5 is out of range/);
    assert.throws(() => ops.repeat(x, 2, 2), /ops\.repeat: axis 2 is out of range/);
  });

  it("slice and pad arguments", () => {
    assert.throws(() => ops.slice(x, [1, 0], [2, 3]), /ops\.slice: .*exceed the input of shape \[2, 3\] on axis 0/);
    assert.throws(() => ops.slice(x, [0], [1]), /ops\.slice: .*one entry per axis .*\[2, 3\]/);
    assert.throws(
      () =>
        ops.pad(x, [
          [1, 1],
          [1, 1],
          [1, 1],
        ]),
      /ops\.pad: padWidth .*shape \[2, 3\]/,
    );
    assert.throws(
      () =>
        ops.pad(
          x,
          [
            [2, 0],
            [0, 0],
          ],
          "reflect",
        ),
      /ops\.pad: in "reflect" mode .*shape \[2, 3\] \(axis 0\)/,
    );
    assert.throws(() => ops.pad(x, 1, "edge"), /ops\.pad: mode must be/);
  });
});
