/**
 * The kernel interface: named compute routines that ops dispatch to. `cpu` kernels (TypeScript) are
 * the reference and the fallback; `native` kernels (the C++ addon) override them where present.
 * Each kernel family declares its entries by augmenting `KernelTable` beside its cpu implementation,
 * and every kernel writes into an output tensor the op has just allocated.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by each kernel family (cpu/*.ts).
export interface KernelTable {}

export type Backend = "cpu" | "native";

const tables: Record<Backend, Partial<KernelTable>> = { cpu: {}, native: {} };

/** The resolved table every op calls into. */
export const kernels = {} as KernelTable;

/** Set KERAS_TS_KERNELS=typescript to force the TypeScript kernels even when the addon loads. */
const forceTypeScript = typeof process !== "undefined" && process.env?.KERAS_TS_KERNELS === "typescript";

function resolve(): void {
  const names = new Set([...Object.keys(tables.cpu), ...Object.keys(tables.native)]);
  const target = kernels as unknown as Record<string, unknown>;
  const cpu = tables.cpu as Record<string, unknown>;
  const native = tables.native as Record<string, unknown>;
  for (const name of names) target[name] = (!forceTypeScript && native[name]) || cpu[name];
}

export function registerKernels(backend: Backend, impls: Partial<KernelTable>): void {
  Object.assign(tables[backend], impls);
  resolve();
}

/** The kernels one backend registered (native kernels call their cpu twins for the cases they skip). */
export function backendKernels(backend: Backend): Partial<KernelTable> {
  return tables[backend];
}

/** What the native addon reports about itself (set by src/backend/native when it loads). */
export interface NativeInfo {
  loaded: boolean;
  /** Why it is not in use, when it is not. */
  error?: string;
  path?: string;
  onednn?: string;
  threadingRuntime?: string;
  isa?: string;
  threads?: number;
  cores?: number;
  /** Whether the addon set glibc malloc to keep freed memory (no page faults on fresh outputs). */
  mallocTuned?: boolean;
}

let nativeInfo: () => NativeInfo = () => ({ loaded: false, error: "loader not imported" });

export function setNativeInfo(provider: () => NativeInfo): void {
  nativeInfo = provider;
}

/** Which kernels are in use, kernel by kernel, and the state of the native addon. */
export function backendInfo(): { kernels: Record<string, Backend>; forcedTypeScript: boolean; native: NativeInfo } {
  const out: Record<string, Backend> = {};
  const native = tables.native as Record<string, unknown>;
  for (const name of Object.keys(kernels)) out[name] = !forceTypeScript && native[name] ? "native" : "cpu";
  return { kernels: out, forcedTypeScript: forceTypeScript, native: nativeInfo() };
}
