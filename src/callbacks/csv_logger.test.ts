import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CSVLogger } from "./csv_logger.js";
import { FakeModel, runEpochs } from "./fake_model.js";

const dir = mkdtempSync(join(tmpdir(), "keras-ts-csv-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("CSVLogger", () => {
  it("writes an epoch column, the sorted keys, numbers as Python writes them, CRLF lines", async () => {
    const file = join(dir, "log.csv");
    const logs = [
      { loss: 0.5, accuracy: 1, val_loss: 1e-5 },
      { loss: 0.25, accuracy: 0.875, val_loss: Number.NaN },
    ];
    await runEpochs(new FakeModel(), [new CSVLogger(file)], logs);
    assert.equal(readFileSync(file, "utf8"), "epoch,accuracy,loss,val_loss\r\n0,1.0,0.5,1e-05\r\n1,0.875,0.25,nan\r\n");
  });

  it("adds val_ columns as NA when there is no validation; custom separator", async () => {
    const file = join(dir, "noval.csv");
    await runEpochs(new FakeModel(), [new CSVLogger(file, ";")], [{ loss: 0.1 }, { loss: 0.2 }]);
    assert.equal(readFileSync(file, "utf8"), "epoch;loss;val_loss\r\n0;0.1;NA\r\n1;0.2;NA\r\n");
  });

  it("append: continues the file without a second header; without append it starts over", async () => {
    const file = join(dir, "append.csv");
    await runEpochs(new FakeModel(), [new CSVLogger(file, ",", true)], [{ loss: 1 }]);
    await runEpochs(new FakeModel(), [new CSVLogger(file, ",", true)], [{ loss: 2 }]);
    assert.equal(readFileSync(file, "utf8"), "epoch,loss,val_loss\r\n0,1.0,NA\r\n0,2.0,NA\r\n");
    await runEpochs(new FakeModel(), [new CSVLogger(file)], [{ loss: 3 }]);
    assert.equal(readFileSync(file, "utf8"), "epoch,loss,val_loss\r\n0,3.0,NA\r\n");
  });

  it("rows are on disk after each epoch (readable while training)", async () => {
    const file = join(dir, "live.csv");
    const contents: string[] = [];
    const { LambdaCallback } = await import("./lambda_callback.js");
    const peek = new LambdaCallback({ onEpochEnd: () => void contents.push(readFileSync(file, "utf8")) });
    await runEpochs(new FakeModel(), [new CSVLogger(file), peek], [{ loss: 1 }, { loss: 2 }]);
    assert.deepEqual(contents, [
      "epoch,loss,val_loss\r\n0,1.0,NA\r\n",
      "epoch,loss,val_loss\r\n0,1.0,NA\r\n1,2.0,NA\r\n",
    ]);
  });
});
