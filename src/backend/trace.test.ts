// Kernel traces: a replay computes what the eager function computes, on new inputs and on the
// variables' current values, without sharing memory between replays; what a trace cannot
// reproduce is refused or caught by verification.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GradientTape } from "../autodiff/tape.js";
import * as ops from "../ops/index.js";
import { full } from "../ops/creation.js";
import { captureTrace, verifyTrace } from "./trace.js";
import { Tensor } from "./tensor.js";
import { Variable } from "./variable.js";

let seed = 3;
function rand(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    d[i] = seed / 2 ** 32 - 0.5;
  }
  return new Tensor(d, shape);
}

const bits = (t: Tensor | null) => (t === null ? null : Array.from(new Uint32Array(new Float32Array(t.data).buffer)));

/** A small dense step: views (reshape), constants, a JS-filled tensor, a variable assignment, gradients. */
function step(w: Variable, b: Variable, count: Variable) {
  return (x: Tensor): (Tensor | null)[] => {
    const tape = new GradientTape();
    const loss = tape.record(() => {
      const flat = ops.reshape(x, [x.shape[0], -1]) as Tensor;
      const h = ops.relu(ops.add(ops.matmul(flat, w), b)) as Tensor;
      const scaled = ops.multiply(h, full(h.shape, 0.5)) as Tensor;
      return ops.mean(ops.square(scaled)) as Tensor;
    });
    const [dw, db] = tape.gradient(loss, [w, b]);
    count.assign(ops.add(count.value, 1) as Tensor);
    return [loss, dw, db];
  };
}

describe("kernel traces", () => {
  it("replays a step bit for bit on new inputs and the variables' current values", () => {
    const w = new Variable(rand([12, 300]));
    const b = new Variable(rand([300]));
    const count = new Variable(0, { trainable: false });
    const f = step(w, b, count);
    const x0 = rand([64, 3, 4]);
    const cap = captureTrace(() => f(x0), [x0], [w, b, count]);
    assert.equal(cap.failure, null);
    const trace = cap.trace!;
    assert.ok(trace.kernelCalls > 5);
    assert.equal(count.peek().data[0], 1);
    for (let k = 0; k < 3; k++) {
      const x = rand([64, 3, 4]);
      w.assign(rand([12, 300]));
      const start = [w.peek(), b.peek(), count.peek()];
      const eager = f(x);
      const eagerCount = count.peek().data[0];
      w.assign(start[0]);
      count.assign(start[2]);
      const replayed = trace.replay([x]);
      assert.deepEqual(replayed.map(bits), eager.map(bits));
      assert.equal(count.peek().data[0], eagerCount, "the assignment is replayed");
    }
  });

  it("never lets the outputs of two replays share memory", () => {
    const w = new Variable(rand([12, 300]));
    const b = new Variable(rand([300]));
    const count = new Variable(0, { trainable: false });
    const f = step(w, b, count);
    const x = rand([64, 3, 4]);
    const trace = captureTrace(() => f(x), [x], [w, b, count]).trace!;
    const first = trace.replay([x]);
    const kept = first.map(bits);
    const second = trace.replay([rand([64, 3, 4])]);
    assert.deepEqual(first.map(bits), kept, "a later replay wrote over earlier outputs");
    for (let i = 0; i < first.length; i++) assert.notEqual(first[i]!.data.buffer, second[i]!.data.buffer);
  });

  it("refuses functions that read variables it was not given or create variables", () => {
    const w = new Variable(rand([4, 4]));
    const other = new Variable(rand([4, 4]));
    const x = rand([2, 4]);
    const reads = captureTrace(() => [ops.matmul(ops.matmul(x, w), other) as Tensor], [x], [w]);
    assert.equal(reads.trace, null);
    assert.match(reads.failure ?? "", /reads variable/);
    const creates = captureTrace(
      () => {
        new Variable(rand([4, 4]));
        return [ops.relu(x) as Tensor];
      },
      [x],
      [],
    );
    assert.match(creates.failure ?? "", /creates variables/);
  });

  it("verification catches values computed outside kernels from the inputs", () => {
    const x = rand([8, 5]);
    // Rounded in JavaScript, not by a kernel: the trace would keep this batch's values.
    const jsRound = (t: Tensor) =>
      ops.multiply(new Tensor(Float32Array.from(t.data, Math.round), t.shape), 2) as Tensor;
    const bad = captureTrace(() => [jsRound(x)], [x], []);
    assert.equal(bad.failure, null, "capture itself cannot see it");
    assert.equal(
      verifyTrace(bad.trace!, ([t]) => [jsRound(t)], [x], []),
      false,
    );
    const good = (t: Tensor) => ops.multiply(ops.round(t), 2) as Tensor;
    const ok = captureTrace(() => [good(x)], [x], []);
    assert.equal(
      verifyTrace(ok.trace!, ([t]) => [good(t)], [x], []),
      true,
    );
  });

  it("leaves the variables as they were after verification", () => {
    const w = new Variable(rand([12, 300]));
    const b = new Variable(rand([300]));
    const count = new Variable(5, { trainable: false });
    const f = step(w, b, count);
    const x = rand([64, 3, 4]);
    const trace = captureTrace(() => f(x), [x], [w, b, count]).trace!;
    const before = [w, b, count].map((v) => v.peek());
    assert.equal(
      verifyTrace(trace, ([t]) => f(t), [x], [w, b, count]),
      true,
    );
    for (const [i, v] of [w, b, count].entries()) assert.equal(v.peek(), before[i]);
  });
});
