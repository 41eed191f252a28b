// Fits y = 3x - 2 with a Variable, a GradientTape and plain gradient descent: the tensor engine
// and autodiff on their own. Run: npm run demo
import * as keras from "../src/index.js";

const { ops } = keras;

const x = ops.reshape(ops.divide(ops.arange(0, 64), 64), [64, 1]);
const y = ops.subtract(ops.multiply(x, 3), 2);

const w = new keras.Variable(ops.zeros([1, 1]), { name: "w" });
const b = new keras.Variable(ops.zeros([1]), { name: "b" });

for (let step = 0; step <= 200; step++) {
  const tape = new keras.GradientTape();
  const loss = tape.record(() => ops.mean(ops.square(ops.subtract(ops.add(ops.multiply(x, w), b), y))));
  const [gw, gb] = tape.gradient(loss, [w, b]);
  w.assignSub(ops.multiply(gw as keras.Tensor, 0.5));
  b.assignSub(ops.multiply(gb as keras.Tensor, 0.5));
  if (step % 50 === 0) console.log(`step ${step}: loss ${(loss.item() as number).toFixed(6)}`);
}
console.log(
  `w = ${(w.peek().item() as number).toFixed(4)} (want 3), b = ${(b.peek().item() as number).toFixed(4)} (want -2)`,
);
