import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Logs } from "./callback.js";
import { FakeModel, runEpochs } from "./fake_model.js";
import { LambdaCallback } from "./lambda_callback.js";
import { LearningRateScheduler } from "./learning_rate_scheduler.js";
import { ReduceLROnPlateau } from "./reduce_lr_on_plateau.js";

/** Runs the epochs and returns [lr after each epoch, logged learning_rate]. */
async function lrTrace(m: FakeModel, cb: ReduceLROnPlateau | LearningRateScheduler, logs: Logs[]) {
  const after: number[] = [];
  const logged: number[] = [];
  const probe = new LambdaCallback({
    onEpochEnd: (_e, l) => {
      after.push(m.optimizer.learningRate);
      logged.push(l?.learning_rate as number);
    },
  });
  await runEpochs(m, [cb, probe], logs);
  return { after, logged };
}

const flat = (n: number, v = 1) => Array.from({ length: n }, () => ({ val_loss: v }));

describe("ReduceLROnPlateau", () => {
  it("multiplies by factor after patience epochs without improvement, logging the rate before", async () => {
    const m = new FakeModel();
    m.optimizer.learningRate = 0.1;
    const printed: string[] = [];
    const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 2, verbose: 1, printFn: (s) => printed.push(s) });
    const { after, logged } = await lrTrace(m, cb, flat(6));
    // e0 sets best; e1, e2 wait 1, 2 -> reduce at e2; e3, e4 -> reduce at e4
    assert.deepEqual(after, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    assert.deepEqual(logged, [0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
    assert.deepEqual(printed, [
      "\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.05.",
      "\nEpoch 5: ReduceLROnPlateau reducing learning rate to 0.025.",
    ]);
  });

  it("an improvement larger than minDelta resets the wait", async () => {
    const m = new FakeModel();
    m.optimizer.learningRate = 1;
    const logs = [1, 0.99995, 0.9, 0.9, 0.9].map((v) => ({ val_loss: v }));
    const { after } = await lrTrace(m, new ReduceLROnPlateau({ patience: 2 }), logs);
    // 0.99995 is within minDelta (1e-4) of 1: no improvement; 0.9 improves at e2; e3, e4 -> reduce at e4
    assert.deepEqual(after, [1, 1, 1, 1, 0.1]);
  });

  it("cooldown pauses counting after a reduction; minLr bounds the rate", async () => {
    const m = new FakeModel();
    m.optimizer.learningRate = 0.01;
    const { after } = await lrTrace(
      m,
      new ReduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 2, minLr: 0.002 }),
      flat(9),
    );
    // reduce at e1; cooldown e2; counting again at e3 (reduce); e5 reduce to the floor; e7 nothing left
    assert.deepEqual(after, [0.01, 0.005, 0.005, 0.0025, 0.0025, 0.002, 0.002, 0.002, 0.002]);
  });

  it("mode max (e.g. accuracy) and the factor check", async () => {
    const m = new FakeModel();
    m.optimizer.learningRate = 1;
    const logs = [0.5, 0.6, 0.55, 0.58].map((a) => ({ val_accuracy: a }));
    const { after } = await lrTrace(m, new ReduceLROnPlateau({ monitor: "val_accuracy", patience: 2 }), logs);
    assert.deepEqual(after, [1, 1, 1, 0.1]);
    assert.throws(() => new ReduceLROnPlateau({ factor: 1 }), /does not support a factor >= 1.0. Received factor=1/);
  });

  it("reduces each optimizer of a multi-optimizer and logs each rate", async () => {
    const m = new FakeModel();
    const a = { name: "gen", learningRate: 1 };
    const b = { name: "disc", learningRate: 0.5 };
    m.optimizer.optimizers = [a, b];
    const seen: Logs[] = [];
    await runEpochs(
      m,
      [new ReduceLROnPlateau({ patience: 1 }), new LambdaCallback({ onEpochEnd: (_e, l) => void seen.push({ ...l }) })],
      flat(2),
    );
    assert.deepEqual([a.learningRate, b.learningRate], [0.1, 0.05]);
    assert.equal(seen[0].learning_rate_gen, 1);
    assert.equal(seen[0].learning_rate_disc, 0.5);
  });
});

describe("LearningRateScheduler", () => {
  it("sets schedule(epoch, lr) at each epoch begin and logs it", async () => {
    const m = new FakeModel();
    m.optimizer.learningRate = 0.01;
    const printed: string[] = [];
    const calls: [number, number][] = [];
    const cb = new LearningRateScheduler(
      (epoch, lr) => {
        calls.push([epoch, lr]);
        return epoch < 2 ? lr : lr * 0.5;
      },
      1,
      { printFn: (s) => printed.push(s) },
    );
    const { after, logged } = await lrTrace(m, cb, flat(4));
    assert.deepEqual(calls, [
      [0, 0.01],
      [1, 0.01],
      [2, 0.01],
      [3, 0.005],
    ]);
    assert.deepEqual(after, [0.01, 0.01, 0.005, 0.0025]);
    assert.deepEqual(logged, after);
    assert.equal(printed[2], "\nEpoch 3: LearningRateScheduler setting learning rate to 0.005.");
  });

  it("a schedule returning a non-number is an error", async () => {
    const cb = new LearningRateScheduler(() => "fast" as unknown as number);
    await assert.rejects(
      runEpochs(new FakeModel(), [cb], flat(1)),
      /output of the `schedule` function should be a number. Got: fast/,
    );
    assert.throws(() => new LearningRateScheduler(0.1 as never), /schedule must be a function/);
  });

  it("needs an optimizer", async () => {
    const m = new FakeModel();
    (m as { optimizer: unknown }).optimizer = null;
    await assert.rejects(
      runEpochs(m, [new LearningRateScheduler((_e, lr) => lr)], flat(1)),
      /no optimizer; call model.compile/,
    );
  });
});
