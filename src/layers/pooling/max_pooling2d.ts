import { BasePooling, type PoolingArgs } from "./base_pooling.js";

/** 2-D max pooling (Keras's MaxPooling2D): poolSize default 2, strides default poolSize. */
export class MaxPooling2D extends BasePooling {
  constructor(poolSize: number | readonly number[] = 2, args: PoolingArgs = {}) {
    super(poolSize, 2, "max", args);
  }
}
