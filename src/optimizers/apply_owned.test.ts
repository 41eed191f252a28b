// applyOwned: the built-in training step's gradients, which the optimizer may write new values over.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setRecycling } from "../backend/buffer_pool.js";
import { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { Adam, RMSprop, SGD } from "./index.js";
import type { Optimizer } from "./optimizer.js";

const N = 1 << 15;
const ramp = (k: number) =>
  new Tensor(
    Float32Array.from({ length: N }, (_, i) => ((i * k) % 17) / 17 - 0.5),
    [N],
  );

/** Two identical setups: one updated with apply, one with applyOwned; returns both. */
function both(make: () => Optimizer, shareGradient = false) {
  const run = (owned: boolean) => {
    const vars = [new Variable(ramp(3)), new Variable(ramp(5))];
    const opt = make();
    const g0 = ramp(7);
    const grads = [g0, shareGradient ? g0 : ramp(11)];
    if (owned) opt.applyOwned(grads, vars);
    else opt.apply(grads, vars);
    return { vars, grads };
  };
  return { plain: run(false), owned: run(true) };
}

describe("Optimizer.applyOwned", () => {
  for (const [name, make] of [
    ["Adam", () => new Adam(0.01)],
    ["SGD with momentum", () => new SGD(0.1, { momentum: 0.9 })],
  ] as const) {
    it(`${name}: writes the new values over the gradients, with the same values as apply`, () => {
      setRecycling(true);
      const { plain, owned } = both(make);
      owned.vars.forEach((v, i) => {
        assert.deepEqual(Array.from(v.peek().data), Array.from(plain.vars[i].peek().data));
        assert.equal(v.peek().data.buffer, owned.grads[i].data.buffer);
      });
    });
  }

  it("leaves a gradient shared by two variables alone (the second update still reads it)", () => {
    setRecycling(true);
    const { plain, owned } = both(() => new Adam(0.01), true);
    owned.vars.forEach((v, i) => {
      assert.deepEqual(Array.from(v.peek().data), Array.from(plain.vars[i].peek().data));
      assert.notEqual(v.peek().data.buffer, owned.grads[0].data.buffer);
    });
  });

  it("does not write over gradients for optimizers whose kernels read them after writing (RMSprop)", () => {
    setRecycling(true);
    const { plain, owned } = both(() => new RMSprop(0.01, { momentum: 0.5 }));
    owned.vars.forEach((v, i) => {
      assert.deepEqual(Array.from(v.peek().data), Array.from(plain.vars[i].peek().data));
      assert.notEqual(v.peek().data.buffer, owned.grads[i].data.buffer);
    });
  });
});
