/**
 * While a layer's output spec is being found by running its `call` on symbolic tensors, nested
 * layer calls must not record graph nodes (they would pollute the layers' histories): this counter
 * says whether such a trace is in progress.
 */
let depth = 0;

export function isTracing(): boolean {
  return depth > 0;
}

export function traceScope<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}
