import { BaseDepthwiseConv, type DepthwiseConvArgs } from "./base_depthwise_conv.js";

/** 2-D depthwise convolution (Keras's DepthwiseConv2D): one set of depthMultiplier filters per input channel. */
export class DepthwiseConv2D extends BaseDepthwiseConv {
  constructor(kernelSize: number | readonly number[], args: DepthwiseConvArgs = {}) {
    super(2, kernelSize, args);
  }
}
