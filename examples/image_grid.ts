// Shared by the GAN examples (lsgan.ts, began.ts): generated digits written as one PNG.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { encode } from "fast-png";
import type * as keras from "../src/index.js";

/** Writes images [n, 28, 28, 1] with values in [0, 1] as one grayscale PNG grid (2-pixel gaps). */
export function saveGrid(images: keras.Tensor, cols: number, path: string): void {
  const [n, h, w] = images.shape;
  const rows = Math.ceil(n / cols);
  const width = cols * (w + 2) + 2;
  const height = rows * (h + 2) + 2;
  const pixels = new Uint8Array(width * height);
  const values = images.data;
  for (let i = 0; i < n; i++) {
    const top = 2 + Math.floor(i / cols) * (h + 2);
    const left = 2 + (i % cols) * (w + 2);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const v = Math.min(1, Math.max(0, values[(i * h + r) * w + c]));
        pixels[(top + r) * width + left + c] = Math.round(v * 255);
      }
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encode({ width, height, data: pixels, channels: 1, depth: 8 }));
}
