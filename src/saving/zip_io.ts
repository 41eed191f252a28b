import { unzipSync, zipSync } from "fflate";

/**
 * The zip container of `.keras` files, read and written in memory (members never touch the disk,
 * so no entry name can escape a folder). Keras stores members uncompressed; we write them the same way.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The CRC-32 of each member as the central directory records it (fflate does not check them). */
function centralDirectoryCrcs(bytes: Uint8Array): Map<string, number> | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const out = new Map<string, number>();
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) return null;
    const crc = view.getUint32(p + 16, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    out.set(decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen)), crc);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The members of a zip archive by name; throws a clear error for truncated or corrupt archives. */
export function readZip(bytes: Uint8Array, what: string): Map<string, Uint8Array> {
  const crcs = centralDirectoryCrcs(bytes);
  if (crcs === null) {
    throw new Error(
      `${what} is not a valid zip archive (no central directory found: the file is truncated or is not a .keras file).`,
    );
  }
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (e) {
    throw new Error(`${what} is a corrupt zip archive: ${(e as Error).message}.`, { cause: e });
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(members)) {
    const expected = crcs.get(name);
    if (expected !== undefined && crc32(data) !== expected) {
      throw new Error(`${what} is corrupt: the CRC-32 of member '${name}' does not match the archive's record.`);
    }
    out.set(name, data);
  }
  return out;
}

/** A zip archive of the given members, stored uncompressed (as Keras writes `.keras` files). */
export function writeZip(members: [string, Uint8Array][]): Uint8Array {
  const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, data] of members) entries[name] = [data, { level: 0 }];
  return zipSync(entries, { level: 0 });
}
