import type { TensorData } from "../backend/convert.js";
import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";

/**
 * An optimizer-owned variable (a slot such as Adam's momentum) that lets the fused kernels update it
 * in place while nothing outside the optimizer can hold its current tensor. Reading it (`value`,
 * `peek`) or assigning a tensor from outside marks it exposed; the next update then writes a fresh
 * tensor instead, so in-place updates are never observable. This saves allocating and zeroing one
 * parameter-sized buffer per slot per step.
 */
export class SlotVariable extends Variable {
  /** True while something outside the optimizer may hold the current tensor. */
  exposed = false;

  override get value(): Tensor {
    this.exposed = true;
    return super.value;
  }

  override peek(): Tensor {
    this.exposed = true;
    return super.peek();
  }

  override assign(value: TensorData): this {
    super.assign(value);
    this.exposed = true;
    return this;
  }

  /** @internal The current tensor, for the optimizer's kernels (does not expose it). */
  current(): Tensor {
    return super.peek();
  }

  /** @internal Stores a tensor the optimizer allocated or updated in place (not exposed). */
  store(t: Tensor): void {
    super.assign(t);
    this.exposed = false;
  }
}
