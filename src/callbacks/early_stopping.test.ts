import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EarlyStopping } from "./early_stopping.js";
import { FakeModel, runEpochs, weightsOf } from "./fake_model.js";

const losses = (...v: number[]) => v.map((x) => ({ loss: x, val_loss: x }));

describe("EarlyStopping", () => {
  it("patience 0 stops at the first epoch without improvement", async () => {
    const m = new FakeModel();
    const cb = new EarlyStopping();
    assert.deepEqual(await runEpochs(m, [cb], losses(1, 0.8, 0.9, 0.5)), [0, 1, 2]);
    assert.equal(cb.stoppedEpoch, 2);
    assert.equal(cb.best, 0.8);
  });

  it("patience counts epochs without improvement", async () => {
    const m = new FakeModel();
    const cb = new EarlyStopping({ monitor: "loss", patience: 2 });
    // 0.5 at epoch 2 improves in time; then 0.6, 0.7 exhaust patience
    assert.deepEqual(await runEpochs(m, [cb], losses(1, 1.1, 0.5, 0.6, 0.7, 0.1)), [0, 1, 2, 3, 4]);
    assert.equal(cb.stoppedEpoch, 4);
    // two epochs without improvement right away
    assert.deepEqual(await runEpochs(new FakeModel(), [cb], losses(1, 1.1, 1.2, 0.5)), [0, 1, 2]);
  });

  it("minDelta: smaller gains are not improvements", async () => {
    const m = new FakeModel();
    const cb = new EarlyStopping({ minDelta: 0.1, patience: 1 });
    assert.deepEqual(await runEpochs(m, [cb], losses(1, 0.95, 0.91, 0.5)), [0, 1]);
    const m2 = new FakeModel();
    const cb2 = new EarlyStopping({ minDelta: 0.01, patience: 1 });
    assert.deepEqual(await runEpochs(m2, [cb2], losses(1, 0.95, 0.91, 0.5)), [0, 1, 2, 3]);
  });

  it("mode max, and auto from the metric's direction or Keras's metric names", async () => {
    const acc = [0.5, 0.6, 0.55, 0.7].map((a) => ({ val_accuracy: a, val_custom_score: a, val_auc: a }));
    for (const [monitor, mode] of [
      ["val_accuracy", "max"],
      ["val_accuracy", "auto"],
      ["val_custom_score", "auto"],
      ["val_auc", "auto"],
    ] as const) {
      const cb = new EarlyStopping({ monitor, mode });
      assert.deepEqual(await runEpochs(new FakeModel(), [cb], acc), [0, 1, 2], `${monitor} ${mode}`);
    }
    // mode min on accuracy stops as soon as it rises
    assert.deepEqual(
      await runEpochs(new FakeModel(), [new EarlyStopping({ monitor: "val_accuracy", mode: "min" })], acc),
      [0, 1],
    );
  });

  it("auto mode on an unknown quantity throws, telling to pass mode", async () => {
    await assert.rejects(
      runEpochs(new FakeModel(), [new EarlyStopping({ monitor: "my_thing" })], [{ my_thing: 1 }]),
      /EarlyStopping callback received monitor=my_thing.*mode: "max"/,
    );
  });

  it("baseline: stops after patience epochs unless the baseline is beaten", async () => {
    // Not beating the baseline, the first epoch already counts towards patience...
    const cb = new EarlyStopping({ baseline: 0.5, patience: 2 });
    assert.deepEqual(await runEpochs(new FakeModel(), [cb], losses(0.9, 0.95, 0.97)), [0, 1]);
    assert.deepEqual(
      await runEpochs(new FakeModel(), [new EarlyStopping({ patience: 2 })], losses(0.9, 0.95, 0.97)),
      [0, 1, 2],
    );
    // ...but as in Keras, an epoch that improves on the best never stops training, even above the baseline.
    assert.deepEqual(await runEpochs(new FakeModel(), [cb], losses(0.9, 0.8, 0.7, 0.6)), [0, 1, 2, 3]);
    const cb2 = new EarlyStopping({ baseline: 0.5, patience: 2 });
    assert.deepEqual(await runEpochs(new FakeModel(), [cb2], losses(0.9, 0.4, 0.3, 0.35, 0.36, 0.1)), [0, 1, 2, 3, 4]);
  });

  it("restoreBestWeights restores the best epoch's weights at the end", async () => {
    const m = new FakeModel();
    const printed: string[] = [];
    const cb = new EarlyStopping({
      patience: 2,
      restoreBestWeights: true,
      verbose: 1,
      printFn: (s) => printed.push(s),
    });
    assert.deepEqual(await runEpochs(m, [cb], losses(1, 0.3, 0.5, 0.6, 0.1)), [0, 1, 2, 3]);
    assert.equal(cb.bestEpoch, 1);
    assert.deepEqual(weightsOf(m), [[1, -1], 10]); // what epoch 1 left
    assert.deepEqual(printed, [
      "Epoch 4: early stopping",
      "Restoring model weights from the end of the best epoch: 2.",
    ]);
  });

  it("restoreBestWeights without stopping still restores the best", async () => {
    const m = new FakeModel();
    await runEpochs(m, [new EarlyStopping({ patience: 5, restoreBestWeights: true })], losses(1, 0.2, 0.5));
    assert.deepEqual(weightsOf(m), [[1, -1], 10]);
    const m2 = new FakeModel();
    await runEpochs(m2, [new EarlyStopping({ patience: 5 })], losses(1, 0.2, 0.5));
    assert.deepEqual(weightsOf(m2), [[2, -2], 20]); // not restoring: last weights stay
  });

  it("startFromEpoch ignores the warm-up epochs", async () => {
    const cb = new EarlyStopping({ startFromEpoch: 2 });
    assert.deepEqual(await runEpochs(new FakeModel(), [cb], losses(1, 2, 3, 2.5, 4, 1)), [0, 1, 2, 3, 4]);
  });

  it("a missing monitored value is skipped (with a warning), and reuse resets state", async () => {
    const cb = new EarlyStopping({ monitor: "val_loss" });
    assert.deepEqual(await runEpochs(new FakeModel(), [cb], [{ loss: 1 }, { loss: 2 }, { loss: 3 }]), [0, 1, 2]);
    assert.equal(cb.best, null);
    assert.deepEqual(await runEpochs(new FakeModel(), [cb], losses(1, 2)), [0, 1]);
    assert.equal(cb.best, 1);
  });
});
