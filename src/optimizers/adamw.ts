import { Adam, type AdamArgs } from "./adam.js";
import { type LearningRate, splitArgs } from "./optimizer.js";

/** Adam with decoupled weight decay (default 0.004), applied as `w -= w * weightDecay * lr` before each update. */
export class AdamW extends Adam {
  static override className = "AdamW";

  constructor(learningRate?: LearningRate | AdamArgs, options?: AdamArgs) {
    const a = splitArgs(learningRate, options);
    super({ ...a, weightDecay: a.weightDecay === undefined ? 0.004 : a.weightDecay });
    if (this.weightDecay === null) {
      throw new Error("AdamW: argument `weightDecay` must be a number. Received: weightDecay=null");
    }
  }
}
