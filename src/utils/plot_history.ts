/**
 * keras.utils.plotHistory: the loss and metrics of a fit() per epoch as an SVG line chart (one panel
 * per metric, its training and val_ series together), written as SVG or PNG. Keras itself leaves this
 * to matplotlib; the chart is plain SVG so that it needs no DOM or canvas.
 */
import { plotFormat, svgToPng, writeOutput } from "./rasterize.js";

/** What plotHistory accepts: a History callback (what fit returns), or its `history` record. */
export type HistoryLike = { history: Record<string, number[]>; epoch?: number[] } | Record<string, number[]>;

export interface PlotHistoryOptions {
  /** Where to write: .png (default "history.png") or .svg; null writes nothing. */
  toFile?: string | null;
  /** The metrics to draw, by name ("loss", "accuracy"); each brings its val_ series. Default: all. */
  metrics?: string[];
  /** A title above the panels. */
  title?: string;
  /** PNG resolution in dots per inch (the SVG is laid out at 96). Default 200. */
  dpi?: number;
}

export interface PlotHistoryResult {
  svg: string;
  /** The PNG bytes, when toFile ends in .png. */
  png?: Uint8Array;
}

interface Series {
  name: string;
  /** Epoch numbers (1-based, as the progress bar shows them) and values, one per point. */
  epochs: number[];
  values: number[];
  color: string;
}

const TRAIN_COLOR = "#1f77b4";
const VAL_COLOR = "#ff7f0e";
const PANEL_W = 460;
const PANEL_H = 320;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 50 };
const FONT = "DejaVu Sans,Verdana,Helvetica,Arial,Liberation Sans,sans-serif";

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function readHistory(history: HistoryLike): { record: Record<string, number[]>; epoch: number[] | null } {
  const h = history as { history?: unknown; epoch?: unknown };
  if (h && typeof h === "object" && h.history && typeof h.history === "object" && !Array.isArray(h.history)) {
    return {
      record: h.history as Record<string, number[]>,
      epoch: Array.isArray(h.epoch) ? (h.epoch as number[]) : null,
    };
  }
  return { record: history as Record<string, number[]>, epoch: null };
}

/**
 * The epochs of each series: all epochs when it has a value per epoch; every k-th when it has fewer
 * (fit's validationFreq = k logs val_ metrics on epochs k, 2k, ...).
 */
function epochsOf(name: string, n: number, epochs: number[]): number[] {
  const total = epochs.length;
  if (n === total) return epochs;
  const k = Math.floor(total / n);
  if (n > 0 && n < total && Math.floor(total / k) === n)
    return Array.from({ length: n }, (_, i) => epochs[(i + 1) * k - 1]);
  throw new Error(
    `plotHistory: series '${name}' has ${n} values for ${total} epochs; they cannot be matched to epochs (a value per epoch, or one every k epochs as validationFreq logs them).`,
  );
}

function collectPanels(history: HistoryLike, metrics: string[] | undefined): { metric: string; series: Series[] }[] {
  const { record, epoch } = readHistory(history);
  if (record === null || typeof record !== "object")
    throw new TypeError(
      `plotHistory: expected a History (what fit returns) or its history record, received ${String(record)}.`,
    );
  const keys = Object.keys(record);
  for (const k of keys) {
    const v = record[k];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number"))
      throw new TypeError(`plotHistory: history['${k}'] must be an array of numbers, one per epoch.`);
  }
  const longest = Math.max(0, ...keys.map((k) => record[k].length));
  if (longest === 0) throw new Error("plotHistory: the history is empty (no epoch was recorded).");
  const epochs =
    epoch && epoch.length === longest ? epoch.map((e) => e + 1) : Array.from({ length: longest }, (_, i) => i + 1);

  const base = (k: string) => (k.startsWith("val_") ? k.slice(4) : k);
  let names = [...new Set(keys.map(base))];
  names.sort((a, b) => Number(b === "loss") - Number(a === "loss"));
  if (metrics !== undefined) {
    const wanted = metrics.map(base);
    const missing = wanted.filter((m) => !names.includes(m));
    if (missing.length) {
      throw new Error(
        `plotHistory: no metric ${missing.map((m) => `'${m}'`).join(", ")} in the history; it holds: ${keys.join(", ")}.`,
      );
    }
    names = [...new Set(wanted)];
  }
  return names.map((metric) => {
    const series: Series[] = [];
    for (const [name, color] of [
      [metric, TRAIN_COLOR],
      [`val_${metric}`, VAL_COLOR],
    ]) {
      const values = record[name];
      if (values) series.push({ name, epochs: epochsOf(name, values.length, epochs), values, color });
    }
    return { metric, series };
  });
}

/** Round tick steps (1, 2 or 5 times a power of ten) covering [lo, hi] with about `count` ticks. */
export function niceTicks(
  lo: number,
  hi: number,
  count = 5,
): { lo: number; hi: number; step: number; ticks: number[] } {
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(i * step);
  return { lo: first * step, hi: last * step, step, ticks };
}

function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return (Math.abs(v) < step * 1e-9 ? 0 : v).toFixed(decimals);
}

function panelSvg(metric: string, series: Series[], x0: number, y0: number): string {
  const plotW = PANEL_W - MARGIN.left - MARGIN.right;
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const allEpochs = series.flatMap((s) => s.epochs);
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  const minE = Math.min(...allEpochs);
  const maxE = Math.max(...allEpochs);
  // Whole-number epoch ticks; the axis reaches a little past the first and last epochs.
  const span = Math.max(1, maxE - minE);
  const xStep = Math.max(1, Math.round(niceTicks(minE, minE + span, Math.min(8, span + 1)).step));
  const xLo = minE - span * 0.04 - (minE === maxE ? 1 : 0);
  const xHi = maxE + span * 0.04 + (minE === maxE ? 1 : 0);
  const xTicks: number[] = [];
  for (let e = minE; e <= maxE; e += xStep) xTicks.push(e);
  // A 5% margin keeps the extreme points off the frame.
  const yMin = finite.length ? Math.min(...finite) : 0;
  const yMax = finite.length ? Math.max(...finite) : 1;
  const yt = niceTicks(yMin - (yMax - yMin) * 0.05, yMax + (yMax - yMin) * 0.05);
  const sx = (e: number) => MARGIN.left + ((e - xLo) / (xHi - xLo)) * plotW;
  const sy = (v: number) => MARGIN.top + plotH - ((v - yt.lo) / (yt.hi - yt.lo)) * plotH;

  const out: string[] = [];
  out.push(`<g class="panel" data-metric="${escapeXml(metric)}" transform="translate(${x0},${y0})">`);
  out.push(
    `<text x="${num(MARGIN.left + plotW / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(metric)}</text>`,
  );
  // Grid and ticks.
  for (const v of yt.ticks) {
    const y = num(sy(v));
    out.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#e0e0e0" stroke-width="1"/>`,
    );
    out.push(`<line x1="${MARGIN.left - 5}" y1="${y}" x2="${MARGIN.left}" y2="${y}" stroke="black"/>`);
    out.push(
      `<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${tickLabel(v, yt.step)}</text>`,
    );
  }
  const axisY = MARGIN.top + plotH;
  for (const e of xTicks) {
    const x = num(sx(e));
    out.push(`<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 5}" stroke="black"/>`);
    out.push(`<text x="${x}" y="${axisY + 18}" text-anchor="middle" font-size="11">${e}</text>`);
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="black" stroke-width="1"/>`,
  );
  out.push(
    `<text x="${num(MARGIN.left + plotW / 2)}" y="${PANEL_H - 10}" text-anchor="middle" font-size="12">epoch</text>`,
  );
  const yMid = num(MARGIN.top + plotH / 2);
  out.push(
    `<text x="16" y="${yMid}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${yMid})">${escapeXml(metric)}</text>`,
  );
  // Series: a line through the finite values (broken at NaN/Infinity) and a marker per epoch.
  for (const s of series) {
    out.push(`<g class="series" data-series="${escapeXml(s.name)}">`);
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1)
        out.push(`<polyline points="${run.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
      run = [];
    };
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        flush();
        return;
      }
      run.push(`${num(sx(s.epochs[i]))},${num(sy(v))}`);
    });
    flush();
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      out.push(
        `<circle class="point" cx="${num(sx(s.epochs[i]))}" cy="${num(sy(v))}" r="3" fill="${s.color}" data-epoch="${s.epochs[i]}" data-value="${v}"/>`,
      );
    });
    out.push("</g>");
  }
  // Legend in the inner corner that hides the fewest points (matplotlib's "best", simplified).
  const legendW = 28 + Math.max(...series.map((s) => s.name.length)) * 7.5;
  const legendH = series.length * 18 + 8;
  const corners = [
    [MARGIN.left + plotW - legendW - 8, MARGIN.top + 8],
    [MARGIN.left + plotW - legendW - 8, MARGIN.top + plotH - legendH - 8],
    [MARGIN.left + 8, MARGIN.top + 8],
    [MARGIN.left + 8, MARGIN.top + plotH - legendH - 8],
  ];
  const hidden = ([cx, cy]: number[]) =>
    series.reduce(
      (n, s) =>
        n +
        s.values.filter((v, i) => {
          if (!Number.isFinite(v)) return false;
          const px = sx(s.epochs[i]);
          const py = sy(v);
          return px >= cx - 4 && px <= cx + legendW + 4 && py >= cy - 4 && py <= cy + legendH + 4;
        }).length,
      0,
    );
  const [lx, ly] = corners.reduce((best, c) => (hidden(c) < hidden(best) ? c : best));
  out.push(`<g class="legend">`);
  out.push(
    `<rect x="${num(lx)}" y="${ly}" width="${num(legendW)}" height="${legendH}" fill="white" fill-opacity="0.85" stroke="#bbbbbb"/>`,
  );
  series.forEach((s, i) => {
    const y = ly + 13 + i * 18;
    out.push(
      `<line x1="${num(lx + 6)}" y1="${y}" x2="${num(lx + 22)}" y2="${y}" stroke="${s.color}" stroke-width="2"/>`,
    );
    out.push(
      `<text x="${num(lx + 26)}" y="${y}" dominant-baseline="middle" font-size="11">${escapeXml(s.name)}</text>`,
    );
  });
  out.push("</g>");
  out.push("</g>");
  return out.join("\n");
}

/** The chart as an SVG document (what plotHistory writes). */
export function historyToSvg(history: HistoryLike, options: Omit<PlotHistoryOptions, "toFile" | "dpi"> = {}): string {
  const panels = collectPanels(history, options.metrics);
  const cols = Math.min(panels.length, 2);
  const rows = Math.ceil(panels.length / cols);
  const titleH = options.title ? 36 : 0;
  const width = cols * PANEL_W;
  const height = rows * PANEL_H + titleH;
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title) {
    parts.push(
      `<text class="title" x="${width / 2}" y="25" text-anchor="middle" font-size="18" font-weight="bold">${escapeXml(options.title)}</text>`,
    );
  }
  panels.forEach((p, i) => {
    parts.push(panelSvg(p.metric, p.series, (i % cols) * PANEL_W, titleH + Math.floor(i / cols) * PANEL_H));
  });
  parts.push("</svg>", "");
  return parts.join("\n");
}

/**
 * Draws the loss and metrics of a training run per epoch (one panel per metric with its val_
 * series) and writes it to `toFile` (.png by default "history.png", or .svg):
 * `const history = await model.fit(...); await keras.utils.plotHistory(history, { toFile: "history.svg" })`.
 */
export async function plotHistory(history: HistoryLike, options: PlotHistoryOptions = {}): Promise<PlotHistoryResult> {
  const caller = "plotHistory";
  const toFile = options.toFile === undefined ? "history.png" : options.toFile;
  const format = toFile === null ? null : plotFormat(toFile);
  if (format !== null && format !== "png" && format !== "svg") {
    throw new Error(`${caller}: cannot write '${toFile}': the format '.${format}' is not supported. Use .png or .svg.`);
  }
  const dpi = options.dpi ?? 200;
  if (!(typeof dpi === "number" && Number.isFinite(dpi) && dpi > 0))
    throw new Error(`${caller}: dpi must be a positive number, received ${String(dpi)}.`);
  const svg = historyToSvg(history, options);
  const result: PlotHistoryResult = { svg };
  if (toFile === null) return result;
  if (format === "png") {
    const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
    result.png = await svgToPng(svg, { width: (width * dpi) / 96, caller });
    writeOutput(toFile, result.png, caller);
  } else {
    writeOutput(toFile, svg, caller);
  }
  return result;
}
