/**
 * Native twins of the fused optimizer updates (src/backend/cpu/optimizers.ts): the same arguments
 * with each tensor passed as its Float32Array; bit-identical results. Float32 only (every tensor of
 * the call); other dtypes and small parameters run the TypeScript kernel.
 */
import "../cpu/optimizers.js";
import { type KernelTable, backendKernels, registerKernels } from "../kernels.js";
import { Tensor } from "../tensor.js";
import { addon, isF32, thresholds } from "./addon.js";

const cpu = backendKernels("cpu") as KernelTable;

const NAMES = [
  "sgdUpdate",
  "sgdMomentumUpdate",
  "rmspropUpdate",
  "adamUpdate",
  "adagradUpdate",
  "adadeltaUpdate",
  "adamaxUpdate",
  "nadamUpdate",
  "lionUpdate",
  "emaUpdate",
] as const;

type UpdateName = (typeof NAMES)[number];
type AnyArg = Tensor | null | number | boolean;

/** The native update `name`, falling back to its TypeScript twin. */
function twin(name: UpdateName): (...args: AnyArg[]) => void {
  const ts = cpu[name] as unknown as (...args: AnyArg[]) => void;
  return (...args: AnyArg[]) => {
    const first = args[0] as Tensor;
    let ok = first.size >= thresholds.update;
    for (let i = 0; ok && i < args.length; i++) {
      const a = args[i];
      if (a instanceof Tensor && !isF32(a)) ok = false;
    }
    if (!ok) {
      ts(...args);
      return;
    }
    const raw = args.map((a) => (a instanceof Tensor ? (a.data as Float32Array) : a));
    addon![name](...raw);
  };
}

if (addon) {
  const impls: Record<string, unknown> = {};
  for (const name of NAMES) impls[name] = twin(name);
  registerKernels("native", impls as Partial<KernelTable>);
}
