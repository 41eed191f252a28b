// Recycled tensor memory: what is taken back, and that nothing reachable is ever reused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GradientTape } from "../autodiff/tape.js";
import { multiply, relu } from "../ops/index.js";
import { sum } from "../ops/reduction.js";
import { pooledBytes, recycleBuffers, setRecycling, takeBuffer } from "./buffer_pool.js";
import { Tensor } from "./tensor.js";
import { Variable } from "./variable.js";

const N = 1 << 15; // 128 KiB of float32: above the pool's minimum

describe("buffer pool", () => {
  it("takes whole buffers once, skips views into part of a buffer and small buffers", () => {
    setRecycling(false);
    setRecycling(true);
    const a = new Float32Array(N);
    const part = new Float32Array(new ArrayBuffer(8 * N), 0, N);
    recycleBuffers([a, a, part, new Float32Array(16)]);
    assert.equal(pooledBytes(), 4 * N);
    assert.equal(takeBuffer(4 * N), a.buffer);
    assert.equal(takeBuffer(4 * N), null);
    assert.equal(pooledBytes(), 0);
  });

  it("serves new tensors from recycled buffers (uninitialized keeps the contents, empty zero-fills)", () => {
    setRecycling(false);
    setRecycling(true);
    const a = new Float32Array(N).fill(7);
    recycleBuffers([a]);
    const t = Tensor.uninitialized([N]);
    assert.equal(t.data.buffer, a.buffer);
    recycleBuffers([t.data]);
    const z = Tensor.empty([N]);
    assert.equal(z.data.buffer, a.buffer);
    assert.ok(z.data.every((v) => v === 0));
  });

  it("a backward pass recycles its intermediate gradients but never the gradients it returns", () => {
    setRecycling(false);
    setRecycling(true);
    const x = Tensor.uninitialized([N]);
    for (let i = 0; i < N; i++) x.data[i] = (i % 7) - 3;
    const w = new Variable(new Tensor(new Float32Array(N).fill(0.5), [N]));
    const tape = new GradientTape();
    // loss = sum(relu(x * w) * x): the gradient of relu's output is an intermediate of N elements.
    const loss = tape.record(() => sum(multiply(relu(multiply(x, w)), x)));
    const [gw] = tape.gradient(loss, [w]) as Tensor[];
    const want = Array.from(x.data, (v) => (v * 0.5 > 0 ? v * v : 0));
    assert.ok(pooledBytes() > 0, "intermediates were recycled");
    // Every recycled buffer goes to new tensors that overwrite it; the returned gradient must not change.
    for (let k = 0; k < 8; k++) Tensor.uninitialized([N]).data.fill(-99);
    assert.deepEqual(
      Array.from(gw.data, (v) => v + 0),
      want,
    );
  });
});

describe("gradients recycled after the built-in training step", () => {
  it("only for the built-in optimizer classes, whose update code keeps no gradient", async () => {
    const { Adam, SGD, keepsNoGradients } = await import("../optimizers/index.js");
    class KeepsThem extends SGD {}
    assert.equal(keepsNoGradients(new Adam()), true);
    assert.equal(keepsNoGradients(new SGD()), true);
    assert.equal(keepsNoGradients(new KeepsThem()), false);
  });
});
