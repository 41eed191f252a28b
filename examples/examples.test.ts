// Runs each example briefly (EPOCHS=1) as a user would, and checks the values it prints.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

async function run(name: string, env: Record<string, string> = { EPOCHS: "1" }): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", `examples/${name}.ts`], {
    cwd: root,
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  });
  return stdout;
}

/** The numbers captured by a regex's groups in the output. */
function grab(out: string, re: RegExp): number[] {
  const m = out.match(re);
  assert.ok(m, `output has no line matching ${re}:\n${out.slice(-3000)}`);
  return m.slice(1).map(Number);
}

test("lambda-split: Lambda (array / function / traced outputShape) and plain ops give [null, 5] halves", async () => {
  const out = await run("lambda-split");
  for (const name of ["firstHalf", "secondHalf", "tracedHalf", "opsFirst", "opsSecond", "sliced"]) {
    assert.match(out, new RegExp(`^${name}: symbolic shape \\[null,5\\]$`, "m"));
  }
  const first = "[[0,1,2,3,4],[10,11,12,13,14]]";
  const second = "[[5,6,7,8,9],[15,16,17,18,19]]";
  for (const name of ["firstHalf", "opsFirst"]) assert.ok(out.includes(`${name}: shape [2,5] values ${first}`), name);
  for (const name of ["secondHalf", "tracedHalf", "opsSecond", "sliced"]) {
    assert.ok(out.includes(`${name}: shape [2,5] values ${second}`), name);
  }
  assert.match(out, /first_half_array \(Lambda\)\s+│ \(None, 5\)/);
  assert.match(out, /Lambda and plain ops agree: true/);
});

test("sequential-vs-functional: same parameter count, identical predictions after setWeights", async () => {
  const out = await run("sequential-vs-functional");
  assert.match(out, /Model: "sequential_mlp"/);
  assert.match(out, /Model: "functional_mlp"/);
  const [seq, fun] = grab(out, /parameters: sequential (\d+), functional (\d+)/);
  assert.equal(seq, 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
  assert.equal(fun, seq);
  const [diff] = grab(out, /max \|sequential - functional\| over 2000 test predictions: (\S+)/);
  assert.ok(diff < 1e-6, `max difference ${diff}`);
  const [lossSeq, accSeq] = grab(out, /held-out sequential: loss ([\d.]+), accuracy ([\d.]+)%/);
  const [lossFun, accFun] = grab(out, /held-out functional: loss ([\d.]+), accuracy ([\d.]+)%/);
  assert.equal(lossFun, lossSeq);
  assert.equal(accFun, accSeq);
  assert.ok(accSeq > 70, `one epoch should reach well above chance, got ${accSeq}%`);
});

test("shared-weights: one kernel and bias for two uses, gradients add up, a nested model under two heads", async () => {
  const out = await run("shared-weights");
  assert.match(
    out,
    /shared_dense weights: shared_dense\/kernel \[784,64\], shared_dense\/bias \[64\] \(2 variables, 50240 parameters\)/,
  );
  assert.match(out, /siamese: 4 variables, 50305 parameters \(one copy of shared_dense: 50240 \+ head 65\)/);
  const [gradDiff] = grab(out, /max \|grad\(both uses\) - \(grad\(use a\) \+ grad\(use b\)\)\| on the kernel: (\S+)/);
  assert.ok(gradDiff < 1e-5, `gradient difference ${gradDiff}`);
  const [pairAcc] = grab(out, /held-out "same digit\?" accuracy: ([\d.]+)%/);
  assert.ok(pairAcc > 60, `pair accuracy ${pairAcc}%`);
  assert.match(
    out,
    /shared_layers: 4 variables, 108736 parameters; classifier: 6 variables, parity: 6 variables; 4 variables are the same objects in both, 8 distinct in all/,
  );
  assert.match(out, /shared_layers \(Functional\)\s+│ \(None, 64\)\s+│\s+108,736 │/);
  assert.match(out, /parity trainable variables with shared_layers frozen: 2/);
  const [moved] = grab(out, /shared kernel change while training the parity head: (\S+)/);
  assert.equal(moved, 0);
});

test("custom-loss: a per-sample loss, reduced with sample weights as Keras does", async () => {
  const out = await run("custom-loss");
  assert.match(out, /generatorLoss on 4 images gives shape \[4\]/);
  const [plain, plainHand] = grab(out, /evaluate, no weights: loss ([\d.]+) \(by hand ([\d.]+)\)/);
  const [twice, twiceHand] = grab(out, /evaluate, all weights 2: loss ([\d.]+) \(by hand ([\d.]+)\)/);
  const [low, lowHand] = grab(out, /evaluate, weights 1 for 0-4, 0 for 5-9: loss ([\d.]+) \(by hand ([\d.]+)\)/);
  for (const [got, want] of [
    [plain, plainHand],
    [twice, twiceHand],
    [low, lowHand],
  ]) {
    assert.ok(Math.abs(got - want) <= 2e-6, `${got} vs ${want}`);
  }
  assert.ok(Math.abs(twice - 2 * plain) <= 2e-6, `weights 2 should double the loss: ${twice} vs ${plain}`);
  assert.ok(low > 0.3 * plain && low < 0.7 * plain, `half the digits weighted 0: ${low} vs ${plain}`);
});

test("add-loss: the added term is in the logged loss, exactly its value before training", async () => {
  const out = await run("add-loss");
  const [without, withPenalty, diff, byHand] = grab(
    out,
    /before training: loss without addLoss ([\d.]+), with ([\d.]+), difference ([\d.]+), 0\.01 \* mean\(hidden\^2\) by hand ([\d.]+)/,
  );
  assert.ok(withPenalty > without);
  assert.ok(byHand > 0);
  assert.ok(Math.abs(diff - byHand) <= 2e-6, `${diff} vs ${byHand}`);
  const [epochWithout] = grab(out, /logged loss per epoch without addLoss: ([\d.]+)/);
  const [epochWith] = grab(out, /logged loss per epoch with addLoss: +([\d.]+)/);
  assert.ok(epochWith > epochWithout, `logged loss with addLoss ${epochWith}, without ${epochWithout}`);
  // The progress bar's final line for the penalized run shows that same loss.
  const [barLoss] = grab(out, /training with addLoss[\s\S]*\n63\/63 ━+ .*loss: ([\d.]+)/);
  assert.equal(barLoss, epochWith);
});
