import type { TensorData } from "../backend/convert.js";
import { Variable, type VariableOptions } from "../backend/variable.js";

/**
 * An optimizer-owned variable (a slot such as Adam's momentum). Its first value is the optimizer's
 * own, so it starts unexposed: the fused kernels update it in place until something outside reads
 * or assigns it (Variable.exposed). This saves allocating and zeroing one parameter-sized buffer
 * per slot per step.
 */
export class SlotVariable extends Variable {
  constructor(initial: TensorData, options: VariableOptions = {}) {
    super(initial, options);
    this.exposed = false;
  }
}
