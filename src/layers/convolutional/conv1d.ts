import { BaseConv, type ConvArgs } from "./base_conv.js";

/** 1-D convolution (Keras's Conv1D): inputs [batch, steps, channels] (channels_last); padding "causal" pads the steps on the left. */
export class Conv1D extends BaseConv {
  constructor(filters: number, kernelSize: number | readonly number[], args: ConvArgs = {}) {
    super(1, filters, kernelSize, args);
  }
}
