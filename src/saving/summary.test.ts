// The summary of each model loaded from ../shared/fixtures/keras/ lists what Keras's own
// model.summary() lists (src/saving/fixtures/summaries.json, from scripts/fixtures/keras_summaries.py):
// layer names, types, output shapes and parameter counts, and the totals.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import "../index.js";
import { loadModel } from "./saving_api.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const FIXTURES = join(here, "..", "..", "..", "shared", "fixtures", "keras");
const KERAS = JSON.parse(readFileSync(join(here, "fixtures", "summaries.json"), "utf8")) as {
  summaries: Record<string, string>;
};

interface Row {
  name: string;
  type: string;
  shape: string;
  params: string;
  connectedTo?: string;
}

interface Parsed {
  model: string;
  headers: string[];
  rows: Row[];
  totals: string[];
}

/** Reads a summary table (rich's box drawing or keras-ts's): one row per block between separators. */
function parseSummary(text: string): Parsed {
  const lines = text.split("\n");
  const model = /^Model: "(.*)"/.exec(lines[0])?.[1] ?? "";
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(/[│┃]/)
      .map((c) => c.trim());
  const headers = cells(lines.find((l) => l.startsWith("┃")) ?? "");
  const blocks: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of lines) {
    if (line.startsWith("│")) {
      current ??= [];
      current.push(cells(line));
    } else if (/^[├└]/.test(line) && current) {
      blocks.push(current);
      current = null;
    }
  }
  const rows = blocks.map((b) => {
    // A wrapped cell continues on the next lines of its block.
    const col = (i: number, sep: string) =>
      b
        .map((r) => r[i] ?? "")
        .filter((s) => s !== "")
        .join(sep);
    const first = col(0, "");
    const m = /^(.*) \((.*)\)$/.exec(first);
    const row: Row = { name: m?.[1] ?? first, type: m?.[2] ?? "", shape: col(1, " "), params: col(2, "") };
    if (headers.length > 3) row.connectedTo = col(3, " ");
    return row;
  });
  const totals = lines.filter((l) => /params:/.test(l)).map((l) => l.trim());
  return { model, headers, rows, totals };
}

/** Spacing inside shapes may differ when a cell wraps: "(None, 28, 28, 8)". */
const norm = (s: string) => s.replace(/\s+/g, "").replace(/,/g, ", ");

describe("summary of Keras fixtures, against Keras's own model.summary()", () => {
  for (const [name, kerasText] of Object.entries(KERAS.summaries)) {
    const file = join(FIXTURES, `${name}.keras`);
    it(name, { skip: existsSync(file) ? false : `no fixture at ${file}` }, async () => {
      const model = await loadModel(file, { compile: false });
      const ours = parseSummary(model.summary({ printFn: null, lineLength: 200 }));
      const keras = parseSummary(kerasText);
      assert.ok(keras.rows.length > 0, "Keras's table parsed");
      assert.ok(
        keras.rows.every((r) => /^[\d,]+$/.test(r.params) && /^\(.*\)$/.test(r.shape) && r.type !== ""),
        "every Keras row has a type, a shape and a parameter count",
      );
      assert.equal(ours.model, keras.model);
      const fields = (p: Parsed) => p.rows.map((r) => `${r.name} | ${r.type} | ${norm(r.shape)} | ${r.params}`);
      assert.deepEqual(fields(ours), fields(keras));
      assert.deepEqual(ours.totals, keras.totals);
    });
  }

  it("the same columns as Keras (Connected to for branching functional models)", async () => {
    for (const [name, kerasText] of Object.entries(KERAS.summaries)) {
      const model = await loadModel(join(FIXTURES, `${name}.keras`), { compile: false });
      const ours = parseSummary(model.summary({ printFn: null, lineLength: 200 }));
      const keras = parseSummary(kerasText);
      assert.deepEqual(ours.headers, keras.headers, name);
      assert.deepEqual(
        ours.rows.map((r) => r.connectedTo),
        keras.rows.map((r) => r.connectedTo),
        name,
      );
    }
  });
});
