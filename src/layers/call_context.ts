/**
 * The context of the outermost layer call in progress: nested layers inherit its `training` flag
 * when they are not given one, as in Keras.
 */
interface CallContext {
  training: boolean | undefined;
  entry: object;
}

const stack: CallContext[] = [];

export function currentTraining(): boolean | undefined {
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i].training !== undefined) return stack[i].training;
  return undefined;
}

export function isOutermostCall(): boolean {
  return stack.length === 0;
}

export function withCallContext<T>(entry: object, training: boolean | undefined, fn: () => T): T {
  stack.push({ training, entry });
  try {
    return fn();
  } finally {
    stack.pop();
  }
}
