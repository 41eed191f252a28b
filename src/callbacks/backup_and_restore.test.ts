// BackupAndRestore through model.fit and the real saveWeights/loadWeights: an interrupted fit()
// resumes at the interrupted epoch with the backed-up weights and optimizer state.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import * as keras from "../index.js";
import { BackupAndRestore } from "./backup_and_restore.js";
import { LambdaCallback } from "./lambda_callback.js";

const dir = mkdtempSync(join(tmpdir(), "keras-ts-backup-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const X = toTensor([
  [0.5, -1, 2],
  [-0.75, 0.1, -2],
  [1.5, 0.3, 0.2],
  [0.2, -0.4, 1],
]);
const Y = toTensor([[1], [0], [1], [0]]);

/** The same model each call (seeded weights), as a restarted program would build it. */
function makeModel(seed: number) {
  keras.random.setRandomSeed(seed);
  const inp = keras.Input({ shape: [3] });
  const h = new keras.layers.Dense(4, { activation: "tanh" })(inp);
  const model = new keras.Model({ inputs: inp, outputs: new keras.layers.Dense(1)(h) });
  model.compile({ optimizer: new keras.optimizers.Adam({ learningRate: 0.05 }), loss: "mse" });
  return model;
}

const values = (ts: Tensor[]) => ts.map((t) => [...t.data]);
const fitOptions = { epochs: 6, batchSize: 2, shuffle: false, verbose: 0 as const };

describe("BackupAndRestore", () => {
  it("backs up weights, optimizer state and epoch each epoch; restores them in the next fit()", async () => {
    const backupDir = join(dir, "restore");
    const model = makeModel(1);
    const afterEpoch: number[][][] = [];
    const stop = new LambdaCallback({
      onEpochEnd: () => void afterEpoch.push(values(model.getWeights())),
      onEpochBegin: (epoch) => {
        if (epoch === 3) throw new Error("interrupted");
      },
    });
    await assert.rejects(
      model.fit(X, Y, { ...fitOptions, callbacks: [new BackupAndRestore(backupDir), stop] }),
      /interrupted/,
    );
    assert.deepEqual(JSON.parse(readFileSync(join(backupDir, "training_metadata.json"), "utf8")), {
      epoch: 3,
      batch: 0,
    });
    const optimizerState = values(model.optimizer?.variables.map((v) => v.peek()) ?? []);

    // A new process: the same model built again (other initial weights), then fit() with the callback.
    const again = makeModel(2);
    assert.notDeepEqual(values(again.getWeights()), afterEpoch[2]);
    let restored: { epoch: number | null | undefined; weights: number[][]; optimizer: number[][] } | null = null;
    const probe = new LambdaCallback({
      onTrainBegin: () => {
        restored = {
          epoch: (again as unknown as { _initialEpoch?: number | null })._initialEpoch,
          weights: values(again.getWeights()),
          optimizer: values(again.optimizer?.variables.map((v) => v.peek()) ?? []),
        };
        throw new Error("probed");
      },
    });
    await assert.rejects(
      again.fit(X, Y, { ...fitOptions, callbacks: [new BackupAndRestore(backupDir), probe] }),
      /probed/,
    );
    const r = restored as unknown as { epoch: number; weights: number[][]; optimizer: number[][] };
    assert.equal(r.epoch, 3);
    assert.deepEqual(r.weights, afterEpoch[2]);
    assert.deepEqual(r.optimizer, optimizerState);
    assert.equal(r.optimizer[0][0], 6, "Adam's iterations: 3 epochs of 2 batches");
  });

  it("an interrupted fit() resumes at the interrupted epoch and ends with the uninterrupted run's weights", async () => {
    const reference = makeModel(1);
    await reference.fit(X, Y, fitOptions);

    const backupDir = join(dir, "resume");
    const model = makeModel(1);
    const stop = new LambdaCallback({
      onEpochBegin: (epoch) => {
        if (epoch === 3) throw new Error("interrupted");
      },
    });
    await assert.rejects(
      model.fit(X, Y, { ...fitOptions, callbacks: [new BackupAndRestore(backupDir), stop] }),
      /interrupted/,
    );
    const again = makeModel(2);
    const epochs: number[] = [];
    const history = await again.fit(X, Y, {
      ...fitOptions,
      callbacks: [new BackupAndRestore(backupDir), new LambdaCallback({ onEpochBegin: (e) => void epochs.push(e) })],
    });
    assert.deepEqual(epochs, [3, 4, 5]);
    assert.equal(history.history.loss.length, 3);
    assert.deepEqual(values(again.getWeights()), values(reference.getWeights()));
    assert.equal(existsSync(backupDir), false, "deleteCheckpoint removes the backup when training ends");
  });

  it("saveFreq in batches, deleteCheckpoint: false keeps the backup, and bad arguments are refused", async () => {
    const backupDir = join(dir, "batches");
    const model = makeModel(3);
    await model.fit(X, Y, {
      ...fitOptions,
      epochs: 2,
      callbacks: [new BackupAndRestore(backupDir, { saveFreq: 3, deleteCheckpoint: false })],
    });
    // 4 batches in all: one backup after the 3rd (epoch 1, its first batch).
    assert.deepEqual(JSON.parse(readFileSync(join(backupDir, "training_metadata.json"), "utf8")), {
      epoch: 1,
      batch: 0,
    });
    assert.ok(existsSync(join(backupDir, "latest.weights.h5")));
    assert.throws(() => new BackupAndRestore(""), /BackupAndRestore: empty `backupDir`/);
    assert.throws(
      () => new BackupAndRestore(backupDir, { saveFreq: 0 }),
      /invalid value for argument `saveFreq`. Received: saveFreq=0/,
    );
  });
});
