import { BasePooling, type PoolingArgs } from "./base_pooling.js";

/** 3-D max pooling (Keras's MaxPooling3D): poolSize default 2, strides default poolSize. */
export class MaxPooling3D extends BasePooling {
  constructor(poolSize: number | readonly number[] = 2, args: PoolingArgs = {}) {
    super(poolSize, 3, "max", args);
  }
}
