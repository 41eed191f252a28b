// Native fused normalization (forward, backward, channel affine) against the TypeScript kernels:
// equal within float rounding (the native sums are added in another order).
import { after, before, describe, it } from "node:test";
import type { NormParams } from "../cpu/normalization.js";
import { Tensor } from "../tensor.js";
import { thresholds } from "./addon.js";
import { assertNear, cpu, native, random, skip } from "./test_helpers.js";

interface Case {
  P: number;
  C: number;
  Q: number;
}

// Q = 1: channels-last batch norm and last-axis layer norm; Q > 1: channels-first and middle axes.
// The large ones are split over the pool (several chunks of partial sums).
const cases: Case[] = [
  { P: 1, C: 1, Q: 1 },
  { P: 7, C: 3, Q: 1 },
  { P: 1, C: 5, Q: 13 },
  { P: 33, C: 17, Q: 1 },
  { P: 5, C: 6, Q: 7 },
  { P: 3, C: 1, Q: 101 },
  { P: 2, C: 129, Q: 3 },
  { P: 2703, C: 32, Q: 1 },
  { P: 16, C: 8, Q: 677 },
  { P: 257, C: 511, Q: 1 },
];

/** Every tensor of one normalization call, random, for one layout. */
function tensors({ P, C, Q }: Case, perChannel: boolean, seed: number) {
  const stats = perChannel ? C : P * Q;
  const x = random([P, C, Q], seed, -2, 3);
  // A few far-off values: the statistics must not lose digits to them.
  x.data[0] = 40;
  return {
    x,
    gamma: random([C], seed + 1, 0.5, 2),
    beta: random([C], seed + 2),
    dy: random([P, C, Q], seed + 3),
    dmean: random([stats], seed + 4),
    dvariance: random([stats], seed + 5),
    stats,
  };
}

describe("native fused normalization vs TypeScript", { skip }, () => {
  // The small cases too run native (they would go to the TypeScript kernel below the threshold).
  const saved = thresholds.normalize;
  before(() => {
    thresholds.normalize = 0;
  });
  after(() => {
    thresholds.normalize = saved;
  });
  for (const [ci, c] of cases.entries()) {
    for (const perChannel of [true, false]) {
      const name = `${perChannel ? "batch" : "layer"} norm [P=${c.P}, C=${c.C}, Q=${c.Q}]`;
      const p: NormParams = { perChannel, ...c, epsilon: 1e-3 };

      it(`${name}: forward, with and without gamma and beta`, () => {
        const t = tensors(c, perChannel, 100 + ci);
        for (const [g, b] of [
          [t.gamma, t.beta],
          [t.gamma, null],
          [null, t.beta],
          [null, null],
        ]) {
          const out = (k: typeof cpu) => {
            const y = Tensor.empty(t.x.shape);
            const mean = Tensor.empty([t.stats]);
            const variance = Tensor.empty([t.stats]);
            k.normalize(t.x, g, b, y, mean, variance, p);
            return [y, mean, variance];
          };
          const want = out(cpu);
          const got = out(native);
          for (const [i, what] of ["y", "mean", "variance"].entries()) {
            assertNear(got[i], want[i], 1e-6, `${name} ${what}`);
          }
        }
      });

      it(`${name}: backward, every subset of outputs, with and without the statistics' gradients`, () => {
        const t = tensors(c, perChannel, 200 + ci);
        const mean = Tensor.empty([t.stats]);
        const variance = Tensor.empty([t.stats]);
        cpu.normalize(t.x, t.gamma, t.beta, Tensor.empty(t.x.shape), mean, variance, p);
        for (const [g, stats, wantDx, wantDg, wantDb] of [
          [true, true, true, true, true],
          [false, false, true, false, false],
          [true, false, false, true, true],
          [false, true, true, false, true],
        ]) {
          const out = (k: typeof cpu) => {
            const dx = wantDx ? Tensor.empty(t.x.shape) : null;
            const dgamma = wantDg ? Tensor.empty([c.C]) : null;
            const dbeta = wantDb ? Tensor.empty([c.C]) : null;
            const dm = stats ? t.dmean : null;
            const dv = stats ? t.dvariance : null;
            k.normalizeGrad(t.x, g ? t.gamma : null, mean, variance, t.dy, dm, dv, dx, dgamma, dbeta, p);
            return [dx, dgamma, dbeta];
          };
          const want = out(cpu);
          const got = out(native);
          ["dx", "dgamma", "dbeta"].forEach((what, i) => {
            const w = want[i];
            const o = got[i];
            if (w && o) assertNear(o, w, 1e-5, `${name} ${what} (gamma ${g}, statistics' gradients ${stats})`);
          });
        }
      });
    }

    it(`channel affine [P=${c.P}, C=${c.C}, Q=${c.Q}], with and without shift`, () => {
      const x = random([c.P, c.C, c.Q], 300 + ci);
      const scale = random([c.C], 301 + ci);
      const shift = random([c.C], 302 + ci);
      for (const s of [shift, null]) {
        const want = Tensor.empty(x.shape);
        const got = Tensor.empty(x.shape);
        cpu.channelAffine(x, scale, s, want, c.P, c.C, c.Q);
        native.channelAffine(x, scale, s, got, c.P, c.C, c.Q);
        assertNear(got, want, 0, "channelAffine");
      }
    });
  }
});
