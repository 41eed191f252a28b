import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import { FakeModel, runEpochs, weightsOf } from "./fake_model.js";
import { TerminateOnNaN } from "./terminate_on_nan.js";

/** Each batch "trains": weights become [epoch*10+batch, ...] and the optimizer counts steps; loss bad at (1, 2). */
function stepping(m: FakeModel, bad: number) {
  let step = 0;
  return (epoch: number, batch: number) => {
    m.weights = [toTensor([epoch * 10 + batch, 1]), toTensor(epoch)];
    m.optimizer.variables[0].assign(toTensor(++step, "int32"));
    return { loss: epoch === 1 && batch === 2 ? bad : 0.5 };
  };
}

describe("TerminateOnNaN", () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`stops on a ${bad} loss with the weights and optimizer state of the last good step`, async () => {
      const m = new FakeModel();
      const printed: string[] = [];
      const ran = await runEpochs(m, [new TerminateOnNaN({ printFn: (s) => printed.push(s) })], [{}, {}, {}], {
        stepsPerEpoch: 4,
        batchLogs: stepping(m, bad),
        train: false,
      });
      assert.deepEqual(ran, [0, 1]); // epoch 1 ends (its logs are recorded), epoch 2 never starts
      assert.equal(m.stopTraining, true);
      assert.deepEqual(weightsOf(m), [[11, 1], 1]); // after batch 1 of epoch 1
      assert.equal(m.optimizer.variables[0].peek().toArray(), 6); // 4 + 2 good steps
      assert.deepEqual(printed, ["Batch 2: Invalid loss, terminating training"]);
    });
  }

  it("finite losses never interfere", async () => {
    const m = new FakeModel();
    const ran = await runEpochs(m, [new TerminateOnNaN()], [{}, {}], {
      stepsPerEpoch: 3,
      batchLogs: stepping(m, 1e30),
      train: false,
    });
    assert.deepEqual(ran, [0, 1]);
    assert.equal(m.stopTraining, false);
    assert.deepEqual(weightsOf(m), [[12, 1], 1]);
  });

  it("raiseError throws (after restoring the weights)", async () => {
    const m = new FakeModel();
    await assert.rejects(
      runEpochs(m, [new TerminateOnNaN({ raiseError: true })], [{}, {}], {
        stepsPerEpoch: 4,
        batchLogs: stepping(m, Number.NaN),
        train: false,
      }),
      /NaN or Inf loss encountered at batch 2\. Loss value: nan\. Terminating training immediately\./,
    );
    assert.deepEqual(weightsOf(m), [[11, 1], 1]);
  });
});
