// Runs the GAN, VAT and autoencoder examples briefly (small env values) as a user would, and checks
// what they print and the PNG files they write.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outRoot = mkdtempSync(join(tmpdir(), "keras-ts-examples-"));
after(() => rmSync(outRoot, { recursive: true, force: true }));

async function run(name: string, env: Record<string, string>): Promise<string> {
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

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Checks the PNG signature and the IHDR's width, height, bit depth 8 and colour type 0 (grayscale). */
function assertPng(path: string, width: number, height: number): Buffer {
  const bytes = readFileSync(path);
  assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE, `${path} starts with the PNG signature`);
  assert.equal(bytes.toString("latin1", 12, 16), "IHDR");
  assert.equal(bytes.readUInt32BE(16), width, `${path} width`);
  assert.equal(bytes.readUInt32BE(20), height, `${path} height`);
  assert.equal(bytes[24], 8, "bit depth");
  assert.equal(bytes[25], 0, "grayscale");
  return bytes;
}

// An 8×8 grid of 28×28 digits with 2-pixel gaps.
const GRID = 8 * 30 + 2;

test("lsgan: d_loss/g_loss in the progress bar, finite; one 8×8 sample grid per epoch", async () => {
  const out = join(outRoot, "lsgan");
  const stdout = await run("lsgan", { EPOCHS: "2", SAMPLES: "64", BATCH: "32", OUT: out });
  assert.match(stdout, /Model: "generator"/);
  assert.match(stdout, /conv2d_transpose \(Conv2DTranspo\s*│ \(None, 14, 14, 16\)/);
  assert.match(stdout, /2\/2 \S+ .*d_loss: [\d.]+ - g_loss: [\d.]+/);
  const [dLoss, gLoss] = grab(stdout, /final epoch: d_loss (\S+), g_loss (\S+)/);
  assert.ok(Number.isFinite(dLoss) && dLoss > 0, `d_loss ${dLoss}`);
  assert.ok(Number.isFinite(gLoss) && gLoss > 0, `g_loss ${gLoss}`);
  const first = assertPng(join(out, "epoch_1.png"), GRID, GRID);
  const second = assertPng(join(out, "epoch_2.png"), GRID, GRID);
  assert.notDeepEqual(first, second, "the samples change as the generator trains");
});

test("began: k in [0, 1] and moving, M-global in the logs, sample grids written", async () => {
  const out = join(outRoot, "began");
  // A large λk so that k visibly moves in a few steps.
  const stdout = await run("began", { EPOCHS: "2", SAMPLES: "96", BATCH: "32", LAMBDA_K: "0.5", OUT: out });
  assert.match(stdout, /3\/3 \S+ .*m_global: [\d.]+ - d_loss: -?[\d.]+ - g_loss: [\d.]+ - k: [\d.]+/);
  const ks = grab(stdout, /k per epoch: ([\d.]+), ([\d.]+)/);
  for (const k of ks) assert.ok(k >= 0 && k <= 1, `k ${k} in [0, 1]`);
  assert.ok(
    ks.some((k) => k > 0),
    `k moved from 0: ${ks}`,
  );
  const mGlobal = grab(stdout, /M-global per epoch: ([\d.]+), ([\d.]+)/);
  for (const m of mGlobal) assert.ok(Number.isFinite(m) && m > 0, `M-global ${m}`);
  const [dLoss, gLoss] = grab(stdout, /final epoch: d_loss (\S+), g_loss (\S+)/);
  assert.ok(Number.isFinite(dLoss) && Number.isFinite(gLoss) && gLoss > 0, `${dLoss} ${gLoss}`);
  assertPng(join(out, "epoch_1.png"), GRID, GRID);
  assertPng(join(out, "epoch_2.png"), GRID, GRID);
});

test("vat: prints the held-out accuracy of the supervised baseline and of VAT", async () => {
  const stdout = await run("vat", { EPOCHS: "1", UNLABELLED: "512", BASELINE_EPOCHS: "20" });
  assert.match(stdout, /4\/4 \S+ .*loss: [\d.]+ - ce: [\d.]+ - vat: [\d.]+/);
  const [base, vat] = grab(stdout, /held-out accuracy on 2000 digits: supervised only ([\d.]+)%, VAT ([\d.]+)%/);
  // 100 labels reach well above chance (10%) even briefly.
  assert.ok(base > 25 && base <= 100, `supervised ${base}%`);
  assert.ok(vat > 20 && vat <= 100, `VAT ${vat}%`);
  const [vatLoss] = grab(stdout, /VAT term on the last epoch: ([\d.e-]+)/);
  assert.ok(Number.isFinite(vatLoss) && vatLoss > 0, `the VAT term ${vatLoss} is positive and finite`);
});

test("conv-autoencoder: originals above reconstructions in one PNG; reconstruction error reported", async () => {
  const out = join(outRoot, "ae");
  const stdout = await run("conv-autoencoder", { EPOCHS: "2", SAMPLES: "512", SHOW: "6", OUT: out });
  assert.match(stdout, /code \(MaxPooling2D\)\s+│ \(None, 7, 7, 8\)/);
  const [bce, mae] = grab(
    stdout,
    /held-out reconstruction: binary crossentropy ([\d.]+), mean absolute error ([\d.]+)/,
  );
  assert.ok(bce > 0 && bce < 0.7, `binary crossentropy ${bce}`);
  assert.ok(mae > 0 && mae < 0.5, `mean absolute error ${mae}`);
  assertPng(join(out, "reconstructions.png"), 6 * 30 + 2, 2 * 30 + 2);
});
