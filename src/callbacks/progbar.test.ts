import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CallbackList } from "./callback_list.js";
import type { OutputStream } from "./io.js";
import { formatEta, formatMetricValue, formatStepTime, Progbar, type ProgbarOptions } from "./progbar.js";
import { ProgbarLogger } from "./progbar_logger.js";

// What Keras 3's own Progbar writes for the same steps and clock (scripts/fixtures/progbar_keras.py).
const keras = JSON.parse(readFileSync(new URL("./progbar.fixtures.json", import.meta.url), "utf8")) as Record<
  string,
  string
>;
const ESC = String.fromCharCode(27);
const stripAnsi = (s: string) =>
  s
    .split(ESC)
    .map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, "")))
    .join("");

function capture(isTTY = false): OutputStream & { text: string } {
  const s = { text: "", isTTY, write: (t: string) => (s.text += t) };
  return s;
}

const STEPS: [number, number, [string, number][]][] = [
  [
    100.5,
    1,
    [
      ["loss", 0.9],
      ["accuracy", 0.5],
    ],
  ],
  [
    100.62,
    2,
    [
      ["loss", 0.7],
      ["accuracy", 0.625],
    ],
  ],
  [
    100.74,
    3,
    [
      ["loss", 0.5],
      ["accuracy", 0.75],
    ],
  ],
  [
    100.75,
    4,
    [
      ["loss", 0.45],
      ["accuracy", 0.8],
    ],
  ],
  [
    100.9,
    5,
    [
      ["loss", 0.0004],
      ["accuracy", 0.875],
    ],
  ],
];
const FINAL: [string, number][] = [
  ["loss", 0.4],
  ["accuracy", 0.875],
  ["val_loss", 0.00012345],
];

/** The fixture's scenario: five steps (the fourth within 0.05 s of the third), then the final update at t=101. */
function scenario(target: number | null, options: ProgbarOptions): string {
  const out = capture(options.dynamicDisplay ?? false);
  let now = 100;
  const bar = new Progbar(target, { ...options, stream: out, now: () => now });
  for (const [t, cur, vals] of STEPS) {
    now = t;
    bar.update(cur, vals, false);
  }
  now = 101;
  if (target === null) bar.target = 5;
  bar.update(5, FINAL, true);
  return out.text;
}

describe("Progbar prints exactly what Keras 3 prints", () => {
  it("verbose 1, not a terminal: one line per update, with Keras's colors when asked", () => {
    assert.equal(scenario(5, { verbose: 1, dynamicDisplay: false, colors: true }), keras.v1_plain);
  });

  it("verbose 1, not a terminal, default: the same lines without escape codes", () => {
    const text = scenario(5, { verbose: 1, dynamicDisplay: false });
    assert.equal(text, stripAnsi(keras.v1_plain));
    assert.ok(!text.includes(ESC));
    const lines = text.split("\n");
    assert.equal(lines[1], "1/5 ━━━━━━━━━━━━━━━━━━━━ 2s 500ms/step - loss: 0.9000 - accuracy: 0.5000");
    assert.equal(
      lines.at(-2),
      "5/5 ━━━━━━━━━━━━━━━━━━━━ 1s 125ms/step - loss: 0.4000 - accuracy: 0.8750 - val_loss: 1.2345e-04",
    );
  });

  it("verbose 1 on a terminal: redraws one line with \\r, colored, newline at the end", () => {
    const text = scenario(5, { verbose: 1, dynamicDisplay: true });
    assert.equal(text, keras.v1_tty);
    assert.equal(text.split("\n").length, 2);
  });

  it("a TTY stream turns on the in-place display", () => {
    const out = capture(true);
    const bar = new Progbar(2, { stream: out, now: () => 0 });
    bar.update(1, [["loss", 1]]);
    assert.ok(out.text.startsWith("\r\x1b[1m1/2\x1b[0m "));
  });

  it("verbose 2: one line at the end", () => {
    assert.equal(scenario(5, { verbose: 2 }), keras.v2);
    assert.equal(keras.v2, "5/5 - 1s - 125ms/step - loss: 0.4000 - accuracy: 0.8750 - val_loss: 1.2345e-04\n");
  });

  it("unknown length: counts steps, then a full bar", () => {
    assert.equal(scenario(null, { verbose: 1, dynamicDisplay: false, colors: true }), keras.v1_unknown);
  });

  it("long ETAs as m:ss, and large/negative values", () => {
    const out = capture();
    let now = 0;
    const bar = new Progbar(1000, { stream: out, now: () => now, colors: true, dynamicDisplay: false });
    for (const [t, cur, loss] of [
      [2, 1, -0.5],
      [4, 2, -0.25],
      [2000, 998, 12345.678],
    ]) {
      now = t;
      bar.update(cur, [["loss", loss]]);
    }
    assert.equal(out.text, keras.v1_eta);
  });

  it("verbose 0 prints nothing", () => {
    assert.equal(scenario(5, { verbose: 0 }), "");
  });

  it("formats as Keras's helpers do", () => {
    assert.equal(formatMetricValue(0.4), "0.4000");
    assert.equal(formatMetricValue(0.001), "1.0000e-03");
    assert.equal(formatMetricValue(-0.5), "-0.5000");
    assert.equal(formatMetricValue(0), "0.0000e+00");
    assert.equal(formatMetricValue(Number.NaN), "nan");
    assert.equal(formatStepTime(0.0123, "step"), " 12ms/step");
    assert.equal(formatStepTime(0.0000456, "step"), " 46us/step");
    assert.equal(formatStepTime(2.5, "step"), " 2s/step"); // Python rounds half to even
    assert.equal(formatStepTime(0, "sample"), " 0s/sample");
    assert.equal(formatEta(59.9), "59s");
    assert.equal(formatEta(61), "1:01");
    assert.equal(formatEta(3725), "1:02:05");
  });

  it("rejects both statefulMetrics and statelessMetrics", () => {
    assert.throws(() => new Progbar(3, { statefulMetrics: ["a"], statelessMetrics: ["b"] }), /only one of/);
  });

  it("shows stateful metrics as given instead of averaging them", () => {
    const out = capture();
    let now = 0;
    const bar = new Progbar(4, { stream: out, now: () => now, statefulMetrics: ["acc"], interval: 0 });
    now = 1;
    bar.update(1, [
      ["acc", 1],
      ["loss", 1],
    ]);
    now = 2;
    bar.update(2, [
      ["acc", 0],
      ["loss", 0],
    ]);
    assert.match(out.text.split("\n").at(-1)!, / - acc: 0\.0000e\+00 - loss: 0\.5000$/);
  });
});

describe("ProgbarLogger", () => {
  const model = { name: "m", stopTraining: false, optimizer: null, getWeights: () => [], setWeights: () => {} };

  async function drive(verbose: number, epochs: number, steps: number | undefined): Promise<string> {
    const out = capture();
    let now = 0;
    const logger = new ProgbarLogger({ stream: out, now: () => now });
    const list = new CallbackList([logger], { model, epochs, steps, verbose });
    await list.onTrainBegin();
    for (let e = 0; e < epochs; e++) {
      await list.onEpochBegin(e);
      for (let b = 0; b < 3; b++) {
        now += 1;
        await list.onTrainBatchBegin(b);
        await list.onTrainBatchEnd(b, { loss: 1 / (b + 1) });
      }
      await list.onEpochEnd(e, { loss: 0.25, val_loss: 0.5 });
    }
    await list.onTrainEnd();
    return out.text;
  }

  it("verbose 2: 'Epoch i/n' and one line per epoch", async () => {
    assert.equal(
      await drive(2, 2, 3),
      "Epoch 1/2\n3/3 - 3s - 1s/step - loss: 0.2500 - val_loss: 0.5000\nEpoch 2/2\n3/3 - 3s - 1s/step - loss: 0.2500 - val_loss: 0.5000\n",
    );
  });

  it("verbose 1 (not a terminal): the bar per step, the epoch's logs at the end; no Epoch line for one epoch", async () => {
    const text = await drive(1, 1, 3);
    assert.equal(
      text,
      [
        "",
        "1/3 ━━━━━━━━━━━━━━━━━━━━ 2s 1s/step - loss: 1.0000",
        "2/3 ━━━━━━━━━━━━━━━━━━━━ 1s 1s/step - loss: 0.7500",
        "3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 1s/step - loss: 0.6111",
        "3/3 ━━━━━━━━━━━━━━━━━━━━ 3s 1s/step - loss: 0.2500 - val_loss: 0.5000",
        "",
      ].join("\n"),
    );
  });

  it("unknown steps: 'n/Unknown' in the first epoch, a full bar once counted", async () => {
    const text = await drive(1, 2, undefined);
    assert.match(text, /^Epoch 1\/2\n\n {6}1\/Unknown 1s 1s\/step - loss: 1\.0000\n/);
    assert.match(text, /Epoch 2\/2\n\n1\/3 ━{6}━{14} 2s 1s\/step/);
  });

  it("verbose 0: nothing (fit does not even add it)", async () => {
    assert.equal(await drive(0, 2, 3), "");
  });
});
