// In-place updates: a variable nothing outside has read gets its new value written into its
// current memory, with exactly the values a fresh output would get, for every built-in optimizer
// (their kernels read each element of p before writing it; RMSprop once used p's output as scratch).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { Adadelta, Adagrad, Adam, Adamax, AdamW, Lion, Nadam, RMSprop, SGD } from "./index.js";
import type { Optimizer } from "./optimizer.js";

const N = 1000;
const wave = (k: number, step: number) =>
  new Tensor(
    Float32Array.from({ length: N }, (_, i) => Math.sin(i * k + step) * 0.3),
    [N],
  );

const makers: [string, () => Optimizer][] = [
  ["SGD", () => new SGD(0.1)],
  ["SGD momentum nesterov", () => new SGD(0.1, { momentum: 0.9, nesterov: true })],
  ["RMSprop", () => new RMSprop(0.01)],
  ["RMSprop centered momentum", () => new RMSprop(0.01, { centered: true, momentum: 0.5 })],
  ["Adam amsgrad", () => new Adam(0.01, { amsgrad: true })],
  ["AdamW", () => new AdamW(0.01)],
  ["Adagrad", () => new Adagrad(0.1)],
  ["Adadelta", () => new Adadelta(1)],
  ["Adamax", () => new Adamax(0.01)],
  ["Nadam", () => new Nadam(0.01)],
  ["Lion", () => new Lion(0.001)],
];

describe("in-place optimizer updates", () => {
  for (const [name, make] of makers) {
    it(`${name}: the same values in place as into fresh memory`, () => {
      const run = (readEachStep: boolean) => {
        const v = new Variable(wave(0.1, 0));
        const opt = make();
        const buffers = new Set<ArrayBufferLike>();
        for (let step = 0; step < 4; step++) {
          if (readEachStep) v.peek();
          opt.applyOwned([wave(0.7, step)], [v]);
          buffers.add(v.current().data.buffer);
        }
        return { values: Array.from(v.current().data), buffers: buffers.size };
      };
      const fresh = run(true);
      const inPlace = run(false);
      assert.deepEqual(inPlace.values, fresh.values);
      // After the first update the variable holds the optimizer's own tensor: updated in place.
      assert.equal(inPlace.buffers, 1);
      assert.ok(fresh.buffers > 1);
    });
  }
});
