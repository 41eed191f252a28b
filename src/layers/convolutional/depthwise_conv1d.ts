import { BaseDepthwiseConv, type DepthwiseConvArgs } from "./base_depthwise_conv.js";

/** 1-D depthwise convolution (Keras's DepthwiseConv1D): one set of depthMultiplier filters per input channel. */
export class DepthwiseConv1D extends BaseDepthwiseConv {
  constructor(kernelSize: number | readonly number[], args: DepthwiseConvArgs = {}) {
    super(1, kernelSize, args);
  }
}
