// Runs every *.test.ts under src/ and examples/ with Node's built-in test runner, TypeScript loaded by tsx.
// (Node 20's --test does not expand globs itself.)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function find(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules" || name === "dist") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = ["src", "examples"].flatMap((d) => find(d)).filter((f) => filter.every((w) => f.includes(w)));
if (files.length === 0) {
  console.error("run-tests: no test files found");
  process.exit(1);
}
// Test files run side by side: OpenMP workers that spin for the next kernel (the library's default,
// tuned for training on an otherwise idle machine) would take cores from the other test processes.
const env = { ...process.env };
if (env.OMP_WAIT_POLICY === undefined && env.GOMP_SPINCOUNT === undefined) env.GOMP_SPINCOUNT = "10000";
const res = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env,
});
process.exit(res.status ?? 1);
