// Native fused optimizer updates against the TypeScript kernels: bit for bit, every option.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type KernelTable, backendInfo } from "../kernels.js";
import { Tensor } from "../tensor.js";
import { addon } from "./index.js";
import { assertSame, cpu, native, random, skip } from "./test_helpers.js";

type Args = (Tensor | null | number | boolean)[];

/** Runs kernel `name` on both backends with fresh outputs; compares every output. */
function check(
  name: keyof KernelTable,
  inputs: (Tensor | null)[],
  outputs: (number[] | null)[],
  scalars: (number | boolean)[],
) {
  const run = (table: KernelTable) => {
    const outs = outputs.map((s) => (s ? Tensor.empty(s) : null));
    (table[name] as unknown as (...a: Args) => void)(...inputs, ...outs, ...scalars);
    return outs;
  };
  const want = run(cpu);
  const got = run(native);
  want.forEach((w, i) => {
    if (w) assertSame(got[i] as Tensor, w, `${name} output ${i}`);
  });
}

describe("native optimizer updates vs TypeScript", { skip }, () => {
  for (const n of [300, 4097, 670_091]) {
    it(`every update, n=${n} (exactly equal)`, () => {
      const s = [n];
      const p = random(s, n + 1, -2, 2);
      const g = random(s, n + 2, -1, 1);
      g.data[5] = 0;
      g.data[7] = -0;
      const m = random(s, n + 3, -0.1, 0.1);
      const v = random(s, n + 4, 0, 0.01);
      const v2 = random(s, n + 5, 0, 0.02);
      const a = random(s, n + 6, -0.01, 0.01);
      for (const decay of [0, 4e-4]) {
        check("sgdUpdate", [p, g], [s], [0.01, decay]);
        for (const nesterov of [false, true])
          check("sgdMomentumUpdate", [p, g, m], [s, s], [0.01, 0.9, nesterov, decay]);
        check("rmspropUpdate", [p, g, v, null, null], [s, s, null, null], [1e-3, 0.9, 0, 1e-7, decay]);
        check("rmspropUpdate", [p, g, v, m, a], [s, s, s, s], [1e-3, 0.9, 0.5, 1e-7, decay]);
        check("adamUpdate", [p, g, m, v, null], [s, s, s, null], [1e-3 * 0.31, 0.9, 0.999, 1e-7, decay]);
        check("adamUpdate", [p, g, m, v, v2], [s, s, s, s], [1e-3 * 0.31, 0.9, 0.999, 1e-7, decay]);
        check("adagradUpdate", [p, g, v], [s, s], [0.01, 1e-7, decay]);
        check("adadeltaUpdate", [p, g, v, v2], [s, s, s], [1, 0.95, 1e-7, decay]);
        check("adamaxUpdate", [p, g, m, v], [s, s, s], [1e-3, 0.9, 0.999, 1e-7, 0.9 ** 3, decay]);
        check("nadamUpdate", [p, g, m, v], [s, s, s], [1e-3, 0.9, 0.999, 1e-7, 5.3, 0.7, 0.999 ** 3, decay]);
        check("lionUpdate", [p, g, m], [s, s], [1e-4, 0.9, 0.99, decay]);
      }
      check("emaUpdate", [m, p], [s], [0.99]);
    });
  }

  it("Adam flushes subnormal inputs and results to zero, natively and in TypeScript alike", () => {
    const n = 4096;
    const s = [n];
    const p = random(s, 11, -2, 2);
    const g = random(s, 12, -1, 1);
    const m = random(s, 13, -0.1, 0.1);
    const v = random(s, 14, 0, 0.01);
    const vh = random(s, 15, 0, 0.02);
    // A dead unit: zero gradient, momentum decayed into the subnormal range (and one that gets there).
    for (let i = 0; i < n; i += 3) {
      g.data[i] = 0;
      m.data[i] = i % 2 ? 1e-39 : -3e-42;
      v.data[i] = i % 5 ? 2e-40 : 1e-30;
      vh.data[i] = 5e-41;
    }
    m.data[1] = 1.2e-38; // normal, but 0.9 of it is not
    for (const vhat of [null, vh]) {
      check("adamUpdate", [p, g, m, v, vhat], [s, s, s, vhat ? s : null], [1e-3, 0.9, 0.999, 1e-7, 0]);
      const outs = [Tensor.empty(s), Tensor.empty(s), Tensor.empty(s), vhat ? Tensor.empty(s) : null];
      native.adamUpdate(
        p,
        g,
        m,
        v,
        vhat,
        outs[0] as Tensor,
        outs[1] as Tensor,
        outs[2] as Tensor,
        outs[3],
        1e-3,
        0.9,
        0.999,
        1e-7,
        0,
      );
      for (const o of outs) {
        if (!o) continue;
        for (const x of o.data)
          assert.ok(x === 0 || Math.abs(x) >= 1.1754943508222875e-38, `subnormal ${x} in an output`);
      }
    }
  });

  it("hands float64 and small parameters to TypeScript", () => {
    const p = random([500], 1, -1, 1, "float64");
    const g = random([500], 2, -1, 1, "float64");
    const want = Tensor.empty([500], "float64");
    const got = Tensor.empty([500], "float64");
    cpu.sgdUpdate(p, g, want, 0.1, 0);
    native.sgdUpdate(p, g, got, 0.1, 0);
    assertSame(got, want, "sgd float64");
    check(
      "adamUpdate",
      [random([10], 1), random([10], 2), random([10], 3), random([10], 4, 0, 1), null],
      [[10], [10], [10], null],
      [1e-3, 0.9, 0.999, 1e-7, 0],
    );
  });

  it("is registered as native", () => {
    if (!backendInfo().forcedTypeScript) assert.equal(backendInfo().kernels.adamUpdate, addon ? "native" : "cpu");
  });
});
