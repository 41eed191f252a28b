import h5wasm from "h5wasm";
import type { DType } from "../backend/dtypes.js";
import { Tensor } from "../backend/tensor.js";

/**
 * HDF5 files (Keras's `model.weights.h5`) as a plain tree of groups, string attributes and tensors.
 * h5wasm (the HDF5 C library compiled to WebAssembly) works on an in-memory Emscripten file system:
 * bytes go in and come out whole, and nothing of the file system leaks out of this module.
 */
export interface H5Group {
  attrs: Record<string, string>;
  groups: Map<string, H5Group>;
  datasets: Map<string, Tensor>;
}

export function newGroup(attrs: Record<string, string> = {}): H5Group {
  return { attrs, groups: new Map(), datasets: new Map() };
}

type H5Module = Awaited<typeof h5wasm.ready>;
let moduleReady: Promise<H5Module> | null = null;
let fileCounter = 0;

function ready(): Promise<H5Module> {
  moduleReady ??= h5wasm.ready;
  return moduleReady;
}

/** HDF5 files start with this signature (at offset 0, 512, 1024, ... when a user block precedes it). */
export function isHdf5(bytes: Uint8Array): boolean {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let off = 0; off + 8 <= bytes.length && off <= 8192; off = off === 0 ? 512 : off * 2) {
    if (sig.every((b, i) => bytes[off + i] === b)) return true;
  }
  return false;
}

// biome-ignore lint/suspicious/noExplicitAny: h5wasm's Dataset value types are a wide union.
function toTensor(value: any, shape: number[], meta: { type: number; size: number; signed: boolean }, where: string) {
  const n = shape.reduce((a, b) => a * b, 1);
  const arr: ArrayLike<number | bigint> =
    typeof value === "number" || typeof value === "bigint" || typeof value === "boolean"
      ? [typeof value === "boolean" ? Number(value) : value]
      : value;
  let dtype: DType;
  let data: Float32Array | Float64Array | Int32Array | Uint8Array;
  if (meta.type === 1) {
    // Floats: keep float64 as float64; float16 (h5wasm gives it widened) and float32 as float32.
    dtype = meta.size === 8 ? "float64" : "float32";
    data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  } else if (meta.type === 0 || meta.type === 8) {
    // Integers (Keras's int64 iteration counters among them) and h5py's boolean enums.
    dtype = "int32";
    data = new Int32Array(n);
  } else {
    throw new Error(`${where}: unsupported HDF5 data type (class ${meta.type}, ${meta.size} bytes).`);
  }
  if (arr.length !== n) throw new Error(`${where}: dataset holds ${arr.length} values for shape [${shape}].`);
  for (let i = 0; i < n; i++) data[i] = Number(arr[i]);
  return new Tensor(data, shape.slice(), dtype);
}

/** Reads an HDF5 file into a tree. */
export async function readH5(bytes: Uint8Array, what: string): Promise<H5Group> {
  if (!isHdf5(bytes)) throw new Error(`${what} is not an HDF5 file (no HDF5 signature).`);
  const mod = await ready();
  const path = `/keras_ts_read_${process.pid}_${fileCounter++}.h5`;
  mod.FS.writeFile(path, bytes);
  let file: InstanceType<typeof h5wasm.File> | null = null;
  try {
    file = new h5wasm.File(path, "r");
    // biome-ignore lint/suspicious/noExplicitAny: h5wasm's Group/Dataset classes.
    const walk = (g: any, at: string): H5Group => {
      const out = newGroup();
      const attrs = g.attrs as Record<string, { value: unknown }>;
      for (const k of Object.keys(attrs)) {
        const v = attrs[k].value;
        out.attrs[k] = typeof v === "string" ? v : String(v);
      }
      for (const key of g.keys() as string[]) {
        const child = g.get(key);
        const childPath = at ? `${at}/${key}` : key;
        if (child instanceof h5wasm.Dataset) {
          const meta = child.metadata as { type: number; size: number; signed: boolean; shape: number[] };
          out.datasets.set(
            key,
            toTensor(child.value, (child.shape ?? []) as number[], meta, `${what}: '${childPath}'`),
          );
        } else if (child instanceof h5wasm.Group) {
          out.groups.set(key, walk(child, childPath));
        }
      }
      return out;
    };
    return walk(file, "");
  } catch (e) {
    throw new Error(`${what} could not be read as HDF5: ${(e as Error).message}`, { cause: e });
  } finally {
    file?.close();
    mod.FS.unlink(path);
  }
}

const H5_DTYPE: Record<DType, string> = { float32: "<f", float64: "<d", int32: "<i", bool: "<B" };

/** Writes a tree as HDF5 bytes (groups created in insertion order; HDF5 lists them alphabetically). */
export async function writeH5(root: H5Group): Promise<Uint8Array> {
  const mod = await ready();
  const path = `/keras_ts_write_${process.pid}_${fileCounter++}.h5`;
  const file = new h5wasm.File(path, "w");
  let open = true;
  try {
    // biome-ignore lint/suspicious/noExplicitAny: h5wasm's Group class.
    const fill = (target: any, g: H5Group): void => {
      for (const [k, v] of Object.entries(g.attrs)) target.create_attribute(k, v);
      for (const [name, t] of g.datasets) {
        target.create_dataset({ name, data: t.data, shape: t.shape.slice(), dtype: H5_DTYPE[t.dtype] });
      }
      for (const [name, child] of g.groups) fill(target.create_group(name), child);
    };
    fill(file, root);
    file.flush();
    file.close();
    open = false;
    return mod.FS.readFile(path);
  } finally {
    if (open) file.close();
    mod.FS.unlink(path);
  }
}
