import { BaseConv, type ConvArgs } from "./base_conv.js";

/** 2-D convolution (Keras's Conv2D): inputs [batch, rows, cols, channels] (channels_last). */
export class Conv2D extends BaseConv {
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvArgs = {}) {
    super(2, filters, kernelSize, args);
  }
}
