import { BasePooling, type PoolingArgs } from "./base_pooling.js";

/** 1-D average pooling (Keras's AveragePooling1D): poolSize default 2, strides default poolSize. */
export class AveragePooling1D extends BasePooling {
  constructor(poolSize: number | readonly number[] = 2, args: PoolingArgs = {}) {
    super(poolSize, 1, "average", args);
  }
}
