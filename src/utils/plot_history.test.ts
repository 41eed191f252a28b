import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { History } from "../callbacks/history.js";
import { historyToSvg, niceTicks, plotHistory } from "./plot_history.js";
import { checkWellFormedXml } from "./xml_check.js";

const dir = mkdtempSync(join(tmpdir(), "keras-ts-plot-history-"));

const record = {
  loss: [0.9, 0.6, 0.45, 0.38, 0.33],
  accuracy: [0.7, 0.8, 0.86, 0.89, 0.9],
  val_loss: [0.8, 0.62, 0.5, 0.47, 0.46],
  val_accuracy: [0.72, 0.79, 0.84, 0.86, 0.87],
};

interface Point {
  cx: number;
  cy: number;
  epoch: number;
  value: number;
}

/** The markers of one series (one per plotted epoch). */
function points(svg: string, series: string): Point[] {
  const group = new RegExp(`<g class="series" data-series="${series}">([\\s\\S]*?)</g>`).exec(svg);
  assert.ok(group, `no series ${series}`);
  return [
    ...group[1].matchAll(
      /<circle class="point" cx="([-\d.]+)" cy="([-\d.]+)" r="3" fill="[^"]+" data-epoch="(\d+)" data-value="([^"]+)"\/>/g,
    ),
  ].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]), epoch: Number(m[3]), value: Number(m[4]) }));
}

/** The panel of one metric. */
function panel(svg: string, metric: string): string {
  const start = svg.indexOf(`<g class="panel" data-metric="${metric}"`);
  assert.ok(start >= 0, `no panel ${metric}`);
  const end = svg.indexOf('<g class="panel"', start + 1);
  return svg.slice(start, end < 0 ? undefined : end);
}

describe("plotHistory", () => {
  it("draws a panel per metric with its train and val_ series, a point per epoch, legend and axes", () => {
    const svg = historyToSvg({ history: record, epoch: [0, 1, 2, 3, 4] }, { title: "MLP" });
    assert.equal(checkWellFormedXml(svg), "svg");
    assert.deepEqual(
      [...svg.matchAll(/<g class="panel" data-metric="(\w+)"/g)].map((m) => m[1]),
      ["loss", "accuracy"],
    );
    for (const name of Object.keys(record)) {
      const pts = points(svg, name);
      assert.deepEqual(
        pts.map((p) => p.epoch),
        [1, 2, 3, 4, 5],
      );
      assert.deepEqual(
        pts.map((p) => p.value),
        record[name as keyof typeof record],
      );
      assert.ok(svg.includes(`dominant-baseline="middle" font-size="11">${name}</text>`), `legend ${name}`);
    }
    assert.ok(svg.includes('font-weight="bold">MLP</text>'));
    const loss = panel(svg, "loss");
    assert.ok(loss.includes(">epoch</text>"));
    assert.match(loss, /transform="rotate\(-90 [^"]*\)">loss<\/text>/);
  });

  it("places points on the axes' scale: a value sits at its tick's height, epochs at theirs", () => {
    const svg = historyToSvg(record);
    const loss = panel(svg, "loss");
    const yTick = (label: string) =>
      Number(
        (
          new RegExp(`<text x="[\\d.]+" y="([\\d.]+)" text-anchor="end"[^>]*>${label}</text>`).exec(
            loss,
          ) as RegExpExecArray
        )[1],
      );
    const xTick = (label: string) =>
      Number(
        (
          new RegExp(`<text x="([\\d.]+)" y="[\\d.]+" text-anchor="middle" font-size="11">${label}</text>`).exec(
            loss,
          ) as RegExpExecArray
        )[1],
      );
    const pts = points(loss, "loss");
    const val = points(loss, "val_loss");
    // loss 0.6 at epoch 2, val_loss 0.5 at epoch 3: exactly on ticks 0.6 / 0.5 and 2 / 3.
    assert.ok(Math.abs(pts[1].cy - yTick("0.6")) < 0.02, `${pts[1].cy} vs ${yTick("0.6")}`);
    assert.ok(Math.abs(val[2].cy - yTick("0.5")) < 0.02);
    assert.ok(Math.abs(pts[1].cx - xTick("2")) < 0.02);
    assert.ok(Math.abs(val[2].cx - xTick("3")) < 0.02);
    // Falling loss: points go down the page (SVG y grows downwards).
    for (let i = 1; i < pts.length; i++) assert.ok(pts[i].cy > pts[i - 1].cy);
  });

  it("takes a History callback, numbering epochs from its epoch list (initialEpoch)", () => {
    const h = new History();
    h.onTrainBegin();
    for (const [e, loss] of [
      [2, 1.5],
      [3, 1.2],
      [4, 1.1],
    ])
      h.onEpochEnd(e, { loss });
    const pts = points(historyToSvg(h), "loss");
    assert.deepEqual(
      pts.map((p) => [p.epoch, p.value]),
      [
        [3, 1.5],
        [4, 1.2],
        [5, 1.1],
      ],
    );
  });

  it("metrics chooses the panels; an unknown metric is an error naming what the history holds", () => {
    const svg = historyToSvg(record, { metrics: ["val_accuracy"] });
    assert.ok(svg.includes('data-metric="accuracy"'));
    assert.ok(!svg.includes('data-metric="loss"'));
    assert.equal(points(svg, "val_accuracy").length, 5);
    assert.throws(
      () => historyToSvg(record, { metrics: ["acc"] }),
      /plotHistory: no metric 'acc' in the history; it holds: loss, accuracy, val_loss, val_accuracy\./,
    );
  });

  it("val_ series logged every k epochs go on epochs k, 2k, ...; other lengths are an error", () => {
    const svg = historyToSvg({ loss: [6, 5, 4, 3, 2, 1], val_loss: [5, 3, 1] });
    assert.deepEqual(
      points(svg, "val_loss").map((p) => p.epoch),
      [2, 4, 6],
    );
    assert.throws(
      () => historyToSvg({ loss: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], val_loss: [1, 2, 3, 4] }),
      /plotHistory: series 'val_loss' has 4 values for 10 epochs/,
    );
  });

  it("breaks the line at NaN and draws no marker there", () => {
    const svg = historyToSvg({ loss: [1, 0.5, Number.NaN, 0.3, 0.2] });
    assert.deepEqual(
      points(svg, "loss").map((p) => p.epoch),
      [1, 2, 4, 5],
    );
    const group = /<g class="series" data-series="loss">([\s\S]*?)<\/g>/.exec(svg) as RegExpExecArray;
    assert.equal((group[1].match(/<polyline/g) ?? []).length, 2);
  });

  it("rejects empty histories, non-numeric series and unsupported files", async () => {
    assert.throws(() => historyToSvg({}), /plotHistory: the history is empty/);
    assert.throws(
      () => historyToSvg({ loss: ["a"] as unknown as number[] }),
      /history\['loss'\] must be an array of numbers/,
    );
    await assert.rejects(
      plotHistory(record, { toFile: "h.dot" }),
      /plotHistory: cannot write 'h\.dot'.*Use \.png or \.svg\./,
    );
  });

  it("writes SVG and PNG files", async () => {
    const svgFile = join(dir, "history.svg");
    const { svg } = await plotHistory(record, { toFile: svgFile });
    assert.equal(readFileSync(svgFile, "utf8"), svg);
    const pngFile = join(dir, "history.png");
    const { png } = await plotHistory(record, { toFile: pngFile, dpi: 192 });
    const bytes = readFileSync(pngFile);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual(new Uint8Array(bytes), png);
    // Two 460x320 panels side by side, at 192/96 = 2x.
    assert.equal(bytes.readUInt32BE(16), 1840);
    assert.equal(bytes.readUInt32BE(20), 640);
  });
});

describe("niceTicks", () => {
  it("covers the range with 1-2-5 steps", () => {
    const t = niceTicks(0.31, 0.9);
    assert.ok(Math.abs(t.step - 0.1) < 1e-12);
    assert.deepEqual(
      t.ticks.map((v) => Number(v.toFixed(10))),
      [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    );
    assert.deepEqual(niceTicks(0, 23).ticks, [0, 5, 10, 15, 20, 25]);
    const flat = niceTicks(2, 2);
    assert.ok(flat.lo < 2 && flat.hi > 2);
  });
});
