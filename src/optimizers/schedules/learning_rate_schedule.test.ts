import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as schedules from "./index.js";
import {
  CosineDecay,
  CosineDecayRestarts,
  ExponentialDecay,
  InverseTimeDecay,
  LearningRateSchedule,
  PiecewiseConstantDecay,
  PolynomialDecay,
} from "./learning_rate_schedule.js";

const close = (a: number, b: number) =>
  assert.ok(Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b), `${a} vs expected ${b}`);

describe("learning rate schedules (Keras 3's formulas)", () => {
  it("ExponentialDecay", () => {
    const s = new ExponentialDecay(0.1, 10, 0.5);
    close(s.call(0), 0.1);
    close(s.call(5), 0.1 * Math.SQRT1_2);
    close(s.call(20), 0.025);
    const st = schedules.exponentialDecay(0.1, 10, 0.5, { staircase: true });
    close(st.call(15), 0.05);
    close(st.call(9), 0.1);
  });

  it("PiecewiseConstantDecay", () => {
    const s = new PiecewiseConstantDecay([10, 20], [1, 0.5, 0.1]);
    assert.deepEqual(
      [0, 10, 11, 20, 21, 1000].map((x) => s.call(x)),
      [1, 1, 0.5, 0.5, 0.1, 0.1],
    );
    assert.throws(
      () => new PiecewiseConstantDecay([1, 2], [1, 2]),
      /PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values/,
    );
  });

  it("PolynomialDecay", () => {
    const s = new PolynomialDecay(0.1, 10, { endLearningRate: 0.01, power: 2 });
    close(s.call(0), 0.1);
    close(s.call(5), 0.09 * 0.25 + 0.01);
    close(s.call(20), 0.01);
    const c = schedules.polynomialDecay(0.1, 10, { endLearningRate: 0.01, power: 2, cycle: true });
    close(c.call(0), 0.1);
    close(c.call(15), 0.09 * 0.0625 + 0.01); // decaySteps becomes 20
    close(new PolynomialDecay(1, 4).call(1), 0.75 * (1 - 0.0001) + 0.0001);
  });

  it("InverseTimeDecay", () => {
    const s = new InverseTimeDecay(0.1, 10, 0.5);
    close(s.call(10), 0.1 / 1.5);
    close(s.call(15), 0.1 / 1.75);
    close(schedules.inverseTimeDecay(0.1, 10, 0.5, { staircase: true }).call(15), 0.1 / 1.5);
  });

  it("CosineDecay, with and without warmup", () => {
    const s = new CosineDecay(1, 10, { alpha: 0.1 });
    close(s.call(0), 1);
    close(s.call(5), 0.55);
    close(s.call(10), 0.1);
    close(s.call(20), 0.1);
    const w = schedules.cosineDecay(0, 10, { warmupTarget: 1, warmupSteps: 4 });
    close(w.call(2), 0.5);
    close(w.call(4), 1);
    close(w.call(9), 0.5);
    close(w.call(100), 0);
  });

  it("CosineDecayRestarts", () => {
    const s = new CosineDecayRestarts(1, 10);
    close(s.call(0), 1);
    close(s.call(5), 0.5);
    close(s.call(10), 1); // restart, next period 20 steps
    close(s.call(20), 0.5);
    close(s.call(30), 1);
    const m = schedules.cosineDecayRestarts(2, 10, { mMul: 0.5, alpha: 0.2 });
    close(m.call(20), 2 * (0.8 * 0.5 * 0.5 + 0.2));
    const flat = new CosineDecayRestarts(1, 10, { tMul: 1, mMul: 0.5 });
    close(flat.call(15), 0.5 * 0.5);
  });

  it("rejects non-positive decay steps", () => {
    assert.throws(() => new ExponentialDecay(0.1, 0, 0.5), /ExponentialDecay: argument `decaySteps` must be > 0/);
    assert.throws(() => new PolynomialDecay(0.1, -1), /PolynomialDecay: argument `decaySteps` must be > 0/);
    assert.throws(() => new InverseTimeDecay(0.1, 0, 1), /InverseTimeDecay: argument `decaySteps` must be > 0/);
    assert.throws(() => new CosineDecay(0.1, 0), /CosineDecay: argument `decaySteps` must be > 0/);
    assert.throws(() => new CosineDecayRestarts(0.1, 0), /CosineDecayRestarts: argument `firstDecaySteps` must be > 0/);
  });
});

describe("schedule configs and serialization", () => {
  it("getConfig has Keras's keys (camelCase) and defaults", () => {
    assert.deepEqual(new CosineDecay(0.1, 100).getConfig(), {
      initialLearningRate: 0.1,
      decaySteps: 100,
      alpha: 0,
      name: "CosineDecay",
      warmupTarget: null,
      warmupSteps: 0,
    });
    assert.deepEqual(new CosineDecayRestarts(0.1, 100).getConfig(), {
      initialLearningRate: 0.1,
      firstDecaySteps: 100,
      tMul: 2,
      mMul: 1,
      alpha: 0,
      name: "SGDRDecay",
    });
    assert.deepEqual(new PolynomialDecay(0.1, 100).getConfig(), {
      initialLearningRate: 0.1,
      decaySteps: 100,
      endLearningRate: 0.0001,
      power: 1,
      cycle: false,
      name: "PolynomialDecay",
    });
    assert.equal(new PiecewiseConstantDecay([1], [1, 2]).getConfig().name, "PiecewiseConstant");
  });

  it("serialize/deserialize round-trip every schedule", () => {
    const all = [
      new ExponentialDecay(0.1, 10, 0.5, { staircase: true }),
      new PiecewiseConstantDecay([10, 20], [1, 0.5, 0.1]),
      new PolynomialDecay(0.1, 10, { endLearningRate: 0.01, power: 2, cycle: true }),
      new InverseTimeDecay(0.1, 10, 0.5),
      new CosineDecay(0, 10, { warmupTarget: 1, warmupSteps: 4, alpha: 0.1 }),
      new CosineDecayRestarts(1, 10, { tMul: 1.5, mMul: 0.8, alpha: 0.05 }),
    ];
    for (const s of all) {
      const json = JSON.parse(JSON.stringify(schedules.serialize(s)));
      assert.equal(json.module, "keras.optimizers.schedules");
      assert.equal(json.registered_name, null);
      const back = schedules.deserialize(json);
      assert.equal(back.constructor, s.constructor);
      assert.deepEqual(back.getConfig(), s.getConfig());
      for (const step of [0, 3, 7, 12, 25]) assert.equal(back.call(step), s.call(step));
    }
    assert.deepEqual(schedules.serialize(new InverseTimeDecay(0.1, 10, 0.5)).config, {
      initial_learning_rate: 0.1,
      decay_steps: 10,
      decay_rate: 0.5,
      staircase: false,
      name: "InverseTimeDecay",
    });
  });

  it("custom schedules: call, and customObjects for deserialization", () => {
    class Halving extends LearningRateSchedule {
      constructor(readonly start: number) {
        super();
      }
      call(step: number) {
        return this.start / 2 ** step;
      }
      override getConfig() {
        return { start: this.start };
      }
      static fromConfig(c: Record<string, number>) {
        return new Halving(c.start);
      }
    }
    const s = schedules.serialize(new Halving(8));
    assert.equal(s.registered_name, "Halving");
    assert.throws(
      () => schedules.deserialize(s),
      /schedules\.deserialize: unknown learning rate schedule 'Halving'\. Known: ExponentialDecay/,
    );
    assert.equal(schedules.deserialize(s, { Halving }).call(2), 2);
  });
});
