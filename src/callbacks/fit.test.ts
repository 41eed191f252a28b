// The callbacks inside the real training loop (src/trainers/trainer.ts) with a tiny Dense model.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Tensor } from "../backend/tensor.js";
import { Dense } from "../layers/core/dense.js";
import { Input } from "../layers/core/input_layer.js";
import { Sequential } from "../models/sequential.js";
import { EarlyStopping } from "./early_stopping.js";
import type { OutputStream } from "./io.js";
import { LambdaCallback } from "./lambda_callback.js";
import { formatMetricValue } from "./progbar.js";
import { ProgbarLogger } from "./progbar_logger.js";
import { TerminateOnNaN } from "./terminate_on_nan.js";

function tinyModel() {
  const model = new Sequential([Input({ shape: [3] }), new Dense(1)]);
  model.compile({ optimizer: "sgd", loss: "mse" });
  return model;
}
const x = Array.from({ length: 12 }, (_, i) => [(i % 3) / 2, ((i * 7) % 5) / 4, 1]);
const y = x.map((r) => [r[0] - r[1]]);
const values = (ws: Tensor[]) => ws.map((w) => Array.from(w.data));

describe("callbacks in model.fit", () => {
  it("EarlyStopping stops fit and restores the best epoch's weights; ProgbarLogger prints verbose 2 lines", async () => {
    const model = tinyModel();
    const perEpoch: number[][][] = [];
    const out: OutputStream & { text: string } = { text: "", write: (t: string) => (out.text += t) };
    const history = await model.fit(x, y, {
      epochs: 5,
      batchSize: 4,
      verbose: 2,
      shuffle: false,
      callbacks: [
        // An impossible minDelta: no epoch after the first counts as an improvement.
        new EarlyStopping({ monitor: "loss", minDelta: 1e9, restoreBestWeights: true }),
        new LambdaCallback({ onEpochEnd: () => void perEpoch.push(values(model.getWeights())) }),
        new ProgbarLogger({ stream: out }),
      ],
    });
    assert.equal(history.history.loss.length, 2);
    assert.deepEqual(history.epoch, [0, 1]);
    assert.notDeepEqual(perEpoch[1], perEpoch[0]); // epoch 1 did train...
    assert.deepEqual(values(model.getWeights()), perEpoch[0]); // ...and epoch 0's weights are back
    const lines = out.text.split("\n");
    assert.equal(lines.length, 5);
    assert.equal(lines[0], "Epoch 1/5");
    assert.match(lines[1], /^3\/3 - \d+s - \d+(s|ms|us)\/step - loss: \d+\.\d{4}$/);
    assert.equal(lines[2], "Epoch 2/5");
    assert.ok(lines[1].endsWith(`loss: ${formatMetricValue(history.history.loss[0])}`));
  });

  it("TerminateOnNaN ends fit on a NaN loss with the weights of the last good batch", async () => {
    const model = tinyModel();
    const yBad = y.map((r, i) => (i >= 8 ? [Number.NaN] : r)); // the third batch of 4
    let afterBatch1: number[][] = [];
    const history = await model.fit(x, yBad, {
      epochs: 3,
      batchSize: 4,
      verbose: 0,
      shuffle: false,
      callbacks: [
        new LambdaCallback({
          onTrainBatchEnd: (b) => {
            if (b === 1) afterBatch1 = values(model.getWeights());
          },
        }),
        new TerminateOnNaN({ printFn: () => {} }),
      ],
    });
    assert.equal(model.stopTraining, true);
    assert.equal(history.history.loss.length, 1);
    assert.ok(Number.isNaN(history.history.loss[0]));
    assert.ok(values(model.getWeights()).flat().every(Number.isFinite));
    assert.deepEqual(values(model.getWeights()), afterBatch1);
  });
});
