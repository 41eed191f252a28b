import { BasePooling, type PoolingArgs } from "./base_pooling.js";

/** 1-D max pooling (Keras's MaxPooling1D): poolSize default 2, strides default poolSize. */
export class MaxPooling1D extends BasePooling {
  constructor(poolSize: number | readonly number[] = 2, args: PoolingArgs = {}) {
    super(poolSize, 1, "max", args);
  }
}
