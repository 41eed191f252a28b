import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { toTensor } from "../backend/convert.js";
import { Variable } from "../backend/variable.js";
import { assertClose } from "../testing/gradcheck.js";
import { fromKerasKeys } from "./config_keys.js";
import * as optimizers from "./index.js";
import type { Optimizer } from "./optimizer.js";
import { ExponentialDecay } from "./schedules/learning_rate_schedule.js";

interface Step {
  vars: number[][];
  slots: Record<string, number[][]>;
  average?: number[][];
}
const fx = JSON.parse(readFileSync(new URL("./optimizers.fixtures.json", import.meta.url), "utf8")) as {
  w0: number[][];
  b0: number[];
  grads: number[][][];
  cases: Record<string, { config: Record<string, unknown>; steps: Step[] }>;
};

const CLASSES: Record<string, string> = {
  sgd: "SGD",
  rmsprop: "RMSprop",
  adam: "Adam",
  adamw: "AdamW",
  adagrad: "Adagrad",
  adadelta: "Adadelta",
  adamax: "Adamax",
  nadam: "Nadam",
  lion: "Lion",
};

function makeVars(): [Variable, Variable] {
  const w = new Variable(fx.w0, { name: "kernel" });
  w.path = "dense/kernel";
  const b = new Variable(fx.b0, { name: "bias" });
  b.path = "dense/bias";
  return [w, b];
}

function build(caseName: string): Optimizer {
  const { config } = fx.cases[caseName];
  const args = fromKerasKeys(config) as Record<string, unknown>;
  const schedule = args.schedule as Record<string, number> | undefined;
  delete args.schedule;
  if (schedule) {
    args.learningRate = new ExponentialDecay(schedule.initial_learning_rate, schedule.decay_steps, schedule.decay_rate);
  }
  const cls = (optimizers as unknown as Record<string, new (a: unknown) => Optimizer>)[CLASSES[caseName.split("_")[0]]];
  return new cls(args);
}

function slot(opt: Optimizer, v: Variable, name: string): Variable {
  const path = `${opt.name}/${v.path.replaceAll("/", "_")}_${name}`;
  const found = opt.variables.find((x) => x.path === path);
  assert.ok(found, `no optimizer variable ${path} among ${opt.variables.map((x) => x.path).join(", ")}`);
  return found;
}

describe("optimizers: first 3 steps against Keras 3's formulas (NumPy float32 reference)", () => {
  for (const caseName of Object.keys(fx.cases)) {
    it(caseName, () => {
      const opt = build(caseName);
      const vars = makeVars();
      fx.cases[caseName].steps.forEach((expected, s) => {
        const grads = fx.grads[s].map((g) => toTensor(g));
        opt.apply(grads, vars);
        assert.equal(opt.iterations.peek().data[0], s + 1);
        vars.forEach((v, i) => {
          assertClose(v.peek(), expected.vars[i], { rtol: 2e-5, atol: 1e-6 });
          for (const [name, values] of Object.entries(expected.slots)) {
            assertClose(slot(opt, v, name).peek(), values[i], { rtol: 2e-5, atol: 1e-7 });
          }
          if (expected.average)
            assertClose(slot(opt, v, "average").peek(), expected.average[i], { rtol: 2e-5, atol: 1e-6 });
        });
      });
    });
  }
});
