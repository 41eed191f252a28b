import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeModel, runEpochs } from "./fake_model.js";
import { LambdaCallback } from "./lambda_callback.js";

describe("LambdaCallback", () => {
  it("calls the given functions with the hooks' arguments, awaiting async ones", async () => {
    const calls: string[] = [];
    const cb = new LambdaCallback({
      onTrainBegin: () => void calls.push("trainBegin"),
      onEpochBegin: (e) => void calls.push(`epochBegin ${e}`),
      onTrainBatchBegin: (b) => void calls.push(`batchBegin ${b}`),
      onTrainBatchEnd: async (b, logs) => {
        await new Promise((r) => setTimeout(r, 1));
        calls.push(`batchEnd ${b} ${logs?.loss}`);
      },
      onEpochEnd: (e, logs) => void calls.push(`epochEnd ${e} ${logs?.val_loss}`),
      onTrainEnd: () => void calls.push("trainEnd"),
    });
    await runEpochs(
      new FakeModel(),
      [cb],
      [
        { loss: 1, val_loss: 2 },
        { loss: 3, val_loss: 4 },
      ],
    );
    assert.deepEqual(calls, [
      "trainBegin",
      "epochBegin 0",
      "batchBegin 0",
      "batchEnd 0 1",
      "epochEnd 0 2",
      "epochBegin 1",
      "batchBegin 0",
      "batchEnd 0 3",
      "epochEnd 1 4",
      "trainEnd",
    ]);
  });

  it("a callback can stop training and write logs", async () => {
    const m = new FakeModel();
    const seen: number[] = [];
    const stopper = new LambdaCallback({
      onEpochEnd: (e, logs) => {
        if (logs) logs.extra = e * 2;
        if (e === 1) m.stopTraining = true;
      },
    });
    const reader = new LambdaCallback({ onEpochEnd: (_e, logs) => void seen.push(logs?.extra as number) });
    assert.deepEqual(await runEpochs(m, [stopper, reader], [{}, {}, {}, {}]), [0, 1]);
    assert.deepEqual(seen, [0, 2]);
  });

  it("the older onBatchEnd name is called for training batches; unknown hooks are errors", async () => {
    const batches: number[] = [];
    await runEpochs(new FakeModel(), [new LambdaCallback({ onBatchEnd: (b) => void batches.push(b) })], [{}], {
      stepsPerEpoch: 3,
    });
    assert.deepEqual(batches, [0, 1, 2]);
    assert.throws(
      () => new LambdaCallback({ onEpochEnds: () => {} } as never),
      /unknown hook 'onEpochEnds'. Known hooks: onEpochBegin/,
    );
  });
});
