// Builds the optional C++ addon (native/, binding.gyp) with node-gyp during `npm install`/`npm ci`.
// The addon is an accelerator, never a requirement: whatever goes wrong (no compiler, no oneDNN,
// no node-gyp, no Node headers), this prints one line and exits 0, and keras-ts runs on its
// TypeScript kernels. Set KERAS_TS_SKIP_NATIVE=1 to skip the build.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const notice = (msg) => console.log(`keras-ts: native addon not built (${msg}); using the TypeScript kernels.`);

function nodeGyp() {
  // npm puts the path of its bundled node-gyp in npm_config_node_gyp while running scripts.
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(require.resolve("node-gyp/bin/node-gyp.js"));
  } catch {}
  const npmCli = process.env.npm_execpath;
  if (npmCli) candidates.push(join(dirname(npmCli), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(
    join(
      dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
  );
  return candidates.find((p) => p && existsSync(p));
}

function main() {
  if (process.env.KERAS_TS_SKIP_NATIVE === "1") return notice("KERAS_TS_SKIP_NATIVE=1");
  if (!existsSync(join(root, "binding.gyp"))) return notice("binding.gyp missing");
  try {
    require.resolve("node-addon-api");
  } catch {
    return notice("node-addon-api missing");
  }
  const gyp = nodeGyp();
  if (!gyp) return notice("node-gyp not found");
  const args = [gyp, "rebuild"];
  // Use the headers installed beside this Node when there are any: no download needed (and
  // machines without network access to nodejs.org still build).
  const headers = resolve(dirname(process.execPath), "..");
  if (existsSync(join(headers, "include", "node", "node_api.h"))) args.push(`--nodedir=${headers}`);
  args.push(`--jobs=max`);
  const res = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: process.env });
  const log = `${res.stdout ?? ""}${res.stderr ?? ""}`;
  try {
    mkdirSync(join(root, "build"), { recursive: true });
    writeFileSync(join(root, "build", "native-build.log"), log);
  } catch {}
  if (res.status !== 0) {
    const missing = /dnnl\.hpp|ldnnl/.test(log) ? "oneDNN not found: apt-get install libdnnl-dev" : "compile failed";
    return notice(`${missing}; see build/native-build.log`);
  }
  console.log("keras-ts: native addon built (build/Release/keras_ts_native.node).");
}

try {
  main();
} catch (e) {
  notice(String(e?.message ?? e).split("\n")[0]);
}
process.exit(0);
