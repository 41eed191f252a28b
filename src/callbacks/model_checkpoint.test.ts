import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import * as keras from "../index.js";
import { FakeModel, runEpochs } from "./fake_model.js";
import { LambdaCallback } from "./lambda_callback.js";
import { ModelCheckpoint } from "./model_checkpoint.js";

const { ops } = keras;
const dir = mkdtempSync(join(tmpdir(), "keras-ts-ckpt-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A model whose save/saveWeights record the path (and the weights' epoch) instead of writing. */
function saving() {
  const m = new FakeModel();
  const saves: string[] = [];
  const weightSaves: string[] = [];
  Object.assign(m, {
    save: async (p: string, o?: { overwrite?: boolean }) => {
      assert.equal(o?.overwrite, true);
      saves.push(p);
    },
    saveWeights: (p: string) => void weightSaves.push(p),
  });
  return { m, saves, weightSaves };
}

const vl = (...v: number[]) => v.map((x) => ({ loss: x + 1, val_loss: x }));

describe("ModelCheckpoint", () => {
  it("fills {epoch:02d} and {val_loss:.2f} (epoch from 1) and saves every epoch, creating the folder", async () => {
    const { m, saves } = saving();
    const path = join(dir, "sub", "w.{epoch:02d}-{val_loss:.2f}.keras");
    await runEpochs(m, [new ModelCheckpoint(path)], vl(0.505, 0.25, 0.125));
    assert.deepEqual(
      saves,
      ["w.01-0.51.keras", "w.02-0.25.keras", "w.03-0.12.keras"].map((f) => join(dir, "sub", f)),
    );
    assert.ok(existsSync(join(dir, "sub")));
  });

  it("saveBestOnly saves only improvements of the monitored value, with Keras's messages", async () => {
    const { m, saves } = saving();
    const printed: string[] = [];
    const cb = new ModelCheckpoint(join(dir, "best.keras"), {
      saveBestOnly: true,
      verbose: 1,
      printFn: (s) => printed.push(s),
    });
    await runEpochs(m, [cb], vl(0.5, 0.6, 0.4));
    assert.equal(saves.length, 2);
    const f = join(dir, "best.keras");
    assert.deepEqual(printed, [
      `\nEpoch 1: val_loss improved from None to 0.50000, saving model to ${f}`,
      `\nEpoch 1: finished saving model to ${f}`,
      "\nEpoch 2: val_loss did not improve from 0.50000",
      `\nEpoch 3: val_loss improved from 0.50000 to 0.40000, saving model to ${f}`,
      `\nEpoch 3: finished saving model to ${f}`,
    ]);
  });

  it("saveBestOnly in max mode, and initialValueThreshold as the first value to beat", async () => {
    const a = saving();
    const accs = [0.5, 0.7, 0.6, 0.8].map((x) => ({ val_accuracy: x }));
    await runEpochs(
      a.m,
      [new ModelCheckpoint(join(dir, "a{epoch}.keras"), { monitor: "val_accuracy", saveBestOnly: true })],
      accs,
    );
    assert.deepEqual(
      a.saves,
      ["a1.keras", "a2.keras", "a4.keras"].map((f) => join(dir, f)),
    );
    const b = saving();
    const cb = new ModelCheckpoint(join(dir, "b{epoch}.keras"), { saveBestOnly: true, initialValueThreshold: 0.45 });
    await runEpochs(b.m, [cb], vl(0.5, 0.6, 0.4));
    assert.deepEqual(b.saves, [join(dir, "b3.keras")]);
  });

  it("saveWeightsOnly writes through saveWeights and needs a .weights.h5 path", async () => {
    const { m, saves, weightSaves } = saving();
    await runEpochs(m, [new ModelCheckpoint(join(dir, "e{epoch}.weights.h5"), { saveWeightsOnly: true })], vl(1, 2));
    assert.deepEqual(weightSaves, [join(dir, "e1.weights.h5"), join(dir, "e2.weights.h5")]);
    assert.equal(saves.length, 0);
    assert.throws(
      () => new ModelCheckpoint("w.keras", { saveWeightsOnly: true }),
      /must end in `\.weights\.h5`.*filepath=w\.keras/,
    );
    assert.throws(() => new ModelCheckpoint("model.bin"), /must end in `\.keras`.*filepath=model\.bin/);
  });

  it("saveFreq as a number of batches fills {batch}", async () => {
    const { m, saves } = saving();
    const cb = new ModelCheckpoint(join(dir, "b{epoch}-{batch}.keras"), { saveFreq: 2 });
    await runEpochs(m, [cb], vl(1, 2), { stepsPerEpoch: 3 });
    assert.deepEqual(
      saves,
      ["b1-2.keras", "b2-1.keras", "b2-3.keras"].map((f) => join(dir, f)),
    );
    assert.throws(() => new ModelCheckpoint("x.keras", { saveFreq: 0 }), /unrecognized saveFreq: 0/);
  });

  it("says clearly when the model has no save method, before training", async () => {
    const m = new FakeModel();
    let epochs = 0;
    const { LambdaCallback } = await import("./lambda_callback.js");
    await assert.rejects(
      runEpochs(
        m,
        [new ModelCheckpoint(join(dir, "x.keras")), new LambdaCallback({ onEpochBegin: () => void epochs++ })],
        vl(1),
      ),
      /model 'fake' has no save\(\) method, so ModelCheckpoint cannot write/,
    );
    assert.equal(epochs, 0);
  });

  it("a placeholder missing from the logs, or a directory as the path, is an error", async () => {
    await assert.rejects(
      runEpochs(saving().m, [new ModelCheckpoint(join(dir, "{val_acc:.2f}.keras"))], vl(1)),
      /failed to format this callback filepath: ".*\{val_acc:\.2f\}\.keras"\. Reason: Unknown field 'val_acc'; available: loss, val_loss, epoch/,
    );
    mkdirSync(join(dir, "isdir.keras"));
    await assert.rejects(
      runEpochs(saving().m, [new ModelCheckpoint(join(dir, "isdir.keras"))], vl(1)),
      /non-directory filepath/,
    );
  });
});

describe("ModelCheckpoint in model.fit, through model.save and model.saveWeights", () => {
  // Training pulls the weight towards 2 (y = 2x); validation wants 1 (y = x): val_loss is best mid-training.
  const x = toTensor([[1], [2], [-1], [0.5]]);
  const make = () => {
    const inp = keras.Input({ shape: [1] });
    const model = new keras.Model({
      inputs: inp,
      outputs: new keras.layers.Dense(1, { useBias: false, kernelInitializer: "zeros" })(inp),
    });
    model.compile({ optimizer: new keras.optimizers.SGD({ learningRate: 0.05 }), loss: "mse" });
    return model;
  };
  const run = async (path: string, saveWeightsOnly: boolean) => {
    const model = make();
    const perEpoch: { valLoss: number; weights: number[][] }[] = [];
    await model.fit(x, ops.multiply(x, 2), {
      epochs: 8,
      verbose: 0,
      shuffle: false,
      validationData: [x, x],
      callbacks: [
        new ModelCheckpoint(path, { saveBestOnly: true, monitor: "val_loss", saveWeightsOnly }),
        new LambdaCallback({
          onEpochEnd: (_e, logs) =>
            void perEpoch.push({
              valLoss: logs?.val_loss as number,
              weights: model.getWeights().map((t) => [...t.data]),
            }),
        }),
      ],
    });
    const best = perEpoch.reduce((b, e, i) => (e.valLoss < perEpoch[b].valLoss ? i : b), 0);
    // The test needs a best epoch that is neither the first nor the last.
    assert.ok(best > 0 && best < perEpoch.length - 1, `best epoch ${best}`);
    return { model, perEpoch, best };
  };

  it("saveBestOnly on val_loss: the .keras file loads with the best epoch's weights", async () => {
    const path = join(dir, "e2e", "best.keras");
    const { model, perEpoch, best } = await run(path, false);
    const loaded = await keras.models.loadModel(path);
    assert.deepEqual(
      loaded.getWeights().map((t) => [...t.data]),
      perEpoch[best].weights,
    );
    assert.notDeepEqual(
      perEpoch[best].weights,
      model.getWeights().map((t) => [...t.data]),
    );
    assert.equal(loaded.optimizer?.constructor.name, "SGD");
  });

  it("saveWeightsOnly: the .weights.h5 file holds the best epoch's weights", async () => {
    const path = join(dir, "e2e", "best.weights.h5");
    const { perEpoch, best } = await run(path, true);
    const other = make();
    await other.loadWeights(path);
    assert.deepEqual(
      other.getWeights().map((t) => [...t.data]),
      perEpoch[best].weights,
    );
  });
});
