import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatExponential, formatFixed, formatGeneral, pyFloatRepr, pyFormat } from "./format.js";

// Each row: x, then Python 3's f"{x:.4f}", f"{x:.0f}", f"{x:.4e}", repr(x), f"{x:.3g}", f"{x:.2f}"
// (printed by CPython 3 for these exact doubles; ties such as 0.03125 and 2.5 round to even).
const PY = `
0.03125|0.0312|0|3.1250e-02|0.03125|0.0312|0.03
2.5|2.5000|2|2.5000e+00|2.5|2.5|2.50
0.5|0.5000|0|5.0000e-01|0.5|0.5|0.50
1.5|1.5000|2|1.5000e+00|1.5|1.5|1.50
0.00012345|0.0001|0|1.2345e-04|0.00012345|0.000123|0.00
123456.789|123456.7890|123457|1.2346e+05|123456.789|1.23e+05|123456.79
-0.00001|-0.0000|-0|-1.0000e-05|-1e-05|-1e-05|-0.00
1e-5|0.0000|0|1.0000e-05|1e-05|1e-05|0.00
1e16|10000000000000000.0000|10000000000000000|1.0000e+16|1e+16|1e+16|10000000000000000.00
1.5e-7|0.0000|0|1.5000e-07|1.5e-07|1.5e-07|0.00
0.1|0.1000|0|1.0000e-01|0.1|0.1|0.10
1|1.0000|1|1.0000e+00|1.0|1|1.00
100|100.0000|100|1.0000e+02|100.0|100|100.00
0.4|0.4000|0|4.0000e-01|0.4|0.4|0.40
9.99995|10.0000|10|1.0000e+01|9.99995|10|10.00
0.00049999|0.0005|0|4.9999e-04|0.00049999|0.0005|0.00
1e22|10000000000000000000000.0000|10000000000000000000000|1.0000e+22|1e+22|1e+22|10000000000000000000000.00
12345678901234567890|12345678901234567168.0000|12345678901234567168|1.2346e+19|1.2345678901234567e+19|1.23e+19|12345678901234567168.00
0.000999951|0.0010|0|9.9995e-04|0.000999951|0.001|0.00
5e-324|0.0000|0|4.9407e-324|5e-324|4.94e-324|0.00
`;

describe("Python number formatting", () => {
  const rows = PY.trim()
    .split("\n")
    .map((l) => l.split("|"));

  it("matches CPython for fixed, exponential, repr and general formats", () => {
    assert.equal(rows.length, 20);
    for (const [xs, f4, f0, e4, repr, g3, f2] of rows) {
      const x = Number(xs);
      assert.equal(formatFixed(x, 4), f4, `${xs}:.4f`);
      assert.equal(formatFixed(x, 0), f0, `${xs}:.0f`);
      assert.equal(formatExponential(x, 4), e4, `${xs}:.4e`);
      assert.equal(pyFloatRepr(x), repr, `repr(${xs})`);
      assert.equal(formatGeneral(x, 3), g3, `${xs}:.3g`);
      assert.equal(formatFixed(x, 2), f2, `${xs}:.2f`);
    }
  });

  it("non-finite values as Python writes them", () => {
    assert.equal(formatFixed(Number.NaN, 4), "nan");
    assert.equal(formatExponential(Number.POSITIVE_INFINITY, 4), "inf");
    assert.equal(pyFloatRepr(Number.NEGATIVE_INFINITY), "-inf");
    assert.equal(pyFloatRepr(-0), "-0.0");
  });

  it("str.format with named fields, specs and escaped braces", () => {
    const v = (value: number, isInt = false) => ({ value, isInt });
    assert.equal(
      pyFormat("w.{epoch:02d}-{val_loss:.2f}-{loss}-{acc:>8.3f}-{x:+.1e}-{{}}.keras", {
        epoch: v(3, true),
        val_loss: v(0.12567),
        loss: v(1),
        acc: v(0.5),
        x: v(12345),
      }),
      "w.03-0.13-1.0-   0.500-+1.2e+04-{}.keras", // CPython's output
    );
    assert.equal(
      pyFormat("{epoch}|{epoch:<4d}|{n:,d}|{p:.1%}|{q:.3}", {
        epoch: v(7, true),
        n: v(1234567, true),
        p: v(0.256),
        q: v(2),
      }),
      "7|7   |1,234,567|25.6%|2.0",
    );
    assert.throws(() => pyFormat("{missing}", { epoch: v(1, true) }), /Unknown field 'missing'; available: epoch/);
    assert.throws(() => pyFormat("{loss:d}", { loss: v(0.5) }), /Unknown format code 'd'.*'loss'/);
    assert.throws(() => pyFormat("{epoch", { epoch: v(1, true) }), /Single '\{'/);
  });
});
