import { BaseConv, type ConvArgs } from "./base_conv.js";

/** 3-D convolution (Keras's Conv3D): inputs [batch, d1, d2, d3, channels] (channels_last). */
export class Conv3D extends BaseConv {
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvArgs = {}) {
    super(3, filters, kernelSize, args);
  }
}
