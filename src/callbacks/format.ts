/**
 * Python's number formatting, so that progress bars, CSV files and checkpoint names read exactly as
 * Keras writes them: `f"{x:.4f}"`, `f"{x:.4e}"` (two-digit exponent), `repr(x)`, and the subset of
 * `str.format` that filepaths such as `"weights.{epoch:02d}-{val_loss:.2f}.keras"` use.
 * Rounding is Python's: exact binary value, ties to even (JavaScript's toFixed rounds ties up).
 */

/** Exact leading decimal digits of |x| (x finite, non-zero) and the exponent of the first one. */
function decimalDigits(x: number): { digits: string; exp: number } {
  // toExponential(100) is exact to 101 significant digits: enough to see ties at any precision we use.
  const s = Math.abs(x).toExponential(100);
  const e = s.indexOf("e");
  return { digits: s[0] + s.slice(2, e), exp: Number(s.slice(e + 1)) };
}

/** The first `n` digits rounded half-to-even on the rest; one longer when rounding carries (999 -> 1000). */
function roundDigits(digits: string, n: number): string {
  const kept = digits.slice(0, n).padEnd(n, "0");
  const rest = digits.slice(n);
  let up = false;
  if (rest.length > 0 && rest[0] >= "5") {
    if (rest[0] > "5" || /[1-9]/.test(rest.slice(1))) up = true;
    else up = n > 0 && Number(kept[n - 1]) % 2 === 1; // exact tie: to even
  }
  if (!up) return kept;
  const out = kept.split("");
  let i = n - 1;
  while (i >= 0 && out[i] === "9") out[i--] = "0";
  if (i < 0) return `1${out.join("")}`;
  out[i] = String(Number(out[i]) + 1);
  return out.join("");
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  return null;
}

const isNegative = (x: number) => x < 0 || Object.is(x, -0);

/** Python's `f"{x:.{precision}f}"`. */
export function formatFixed(x: number, precision: number): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  const sign = isNegative(x) ? "-" : "";
  if (x === 0) return sign + (precision > 0 ? `0.${"0".repeat(precision)}` : "0");
  let { digits, exp } = decimalDigits(x);
  // Pad with leading zeros so that the digit at 10^0 and the rounding position both exist.
  const lead = Math.max(0, -exp);
  digits = "0".repeat(lead) + digits;
  exp += lead;
  const r = roundDigits(digits, exp + 1 + precision);
  const intLen = r.length - precision;
  const intPart = r.slice(0, intLen).replace(/^0+(?=\d)/, "");
  return sign + intPart + (precision > 0 ? `.${r.slice(intLen)}` : "");
}

/** Python's `f"{x:.{precision}e}"`: at least two exponent digits ("1.2346e-04"). */
export function formatExponential(x: number, precision: number, upper = false): string {
  const nf = nonFinite(x);
  if (nf !== null) return upper ? nf.toUpperCase() : nf;
  const sign = isNegative(x) ? "-" : "";
  let digits = "0".repeat(precision + 1);
  let exp = 0;
  if (x !== 0) {
    const d = decimalDigits(x);
    exp = d.exp;
    digits = roundDigits(d.digits, precision + 1);
    if (digits.length > precision + 1) {
      digits = digits.slice(0, precision + 1);
      exp += 1;
    }
  }
  const mantissa = digits[0] + (precision > 0 ? `.${digits.slice(1)}` : "");
  const e = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return `${sign}${mantissa}${upper ? "E" : "e"}${e}`;
}

/** Python's `f"{x:.{precision}g}"` (trailing zeros removed unless `alternate`). */
export function formatGeneral(x: number, precision = 6, upper = false, alternate = false): string {
  const nf = nonFinite(x);
  if (nf !== null) return upper ? nf.toUpperCase() : nf;
  const p = precision === 0 ? 1 : precision;
  const expStr = formatExponential(x, p - 1);
  const exp = x === 0 ? 0 : Number(expStr.slice(expStr.indexOf("e") + 1));
  let s = exp >= -4 && exp < p ? formatFixed(x, p - 1 - exp) : expStr;
  if (!alternate) {
    s = s.replace(/(\.\d*?)0+(?=e|$)/, "$1").replace(/\.(?=e|$)/, "");
  }
  return upper ? s.toUpperCase() : s;
}

/** Python's `repr(x)` / `str(x)` of a float: shortest round-trip digits, "1.0", "1e-05", "nan". */
export function pyFloatRepr(x: number): string {
  const nf = nonFinite(x);
  if (nf !== null) return nf;
  const sign = isNegative(x) ? "-" : "";
  if (x === 0) return `${sign}0.0`;
  const s = Math.abs(x).toExponential(); // shortest digits that round-trip, as repr uses
  const e = s.indexOf("e");
  const digits = s[0] + s.slice(2, e);
  const exp = Number(s.slice(e + 1));
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** Python's `"%d" % x` and `int(x)` on a float: truncation toward zero. */
export function pyInt(x: number): string {
  return String(Math.trunc(x));
}

/** A value given to `pyFormat`: a number, and whether Python would hold it as an int (epoch, batch). */
export interface FormatValue {
  value: number;
  isInt: boolean;
}

const SPEC = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([deEfFgG%n])?$/s;

function groupThousands(intDigits: string, sep: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** Formats one number with a Python format spec (`02d`, `.2f`, `.4e`, `>8.3g`, ...). */
export function formatSpec(v: FormatValue, spec: string, field: string): string {
  const m = SPEC.exec(spec);
  if (m === null) throw new Error(`Invalid format specifier '${spec}' for field '${field}'.`);
  const [, fillChar, alignChar, signChar, alt, zero, widthStr, grouping, precStr, typeChar] = m;
  const precision = precStr === undefined ? undefined : Number(precStr);
  const x = v.value;
  let body: string;
  const type = typeChar ?? "";
  if (type === "d" || type === "n") {
    if (!v.isInt) {
      throw new Error(
        `Unknown format code 'd' for object of type 'float' (field '${field}'); use e.g. '{${field}:.2f}'.`,
      );
    }
    body = String(Math.abs(Math.trunc(x)));
  } else if (type === "f" || type === "F") body = formatFixed(Math.abs(x), precision ?? 6);
  else if (type === "e" || type === "E") body = formatExponential(Math.abs(x), precision ?? 6, type === "E");
  else if (type === "g" || type === "G")
    body = formatGeneral(Math.abs(x), precision ?? 6, type === "G", alt !== undefined);
  else if (type === "%") body = `${formatFixed(Math.abs(x) * 100, precision ?? 6)}%`;
  else if (v.isInt) {
    if (precision !== undefined)
      throw new Error(`Precision not allowed in integer format specifier (field '${field}').`);
    body = String(Math.abs(Math.trunc(x)));
  } else if (precision === undefined) body = pyFloatRepr(Math.abs(x));
  else {
    // No type with a precision: like 'g', but a fixed-point result keeps one digit after the point.
    body = formatGeneral(Math.abs(x), precision, false, alt !== undefined);
    if (/^\d+$/.test(body)) body += ".0";
  }
  body = body.replace(/^nan|^inf/, (s) => (type === "E" || type === "G" || type === "F" ? s.toUpperCase() : s));
  if (grouping) {
    const [i, ...rest] = body.split(".");
    body = [groupThousands(i, grouping), ...rest].join(".");
  }
  const neg = isNegative(x) && !Number.isNaN(x) && !(v.isInt && Math.trunc(x) === 0);
  const sign = neg ? "-" : signChar === "+" ? "+" : signChar === " " ? " " : "";
  const width = widthStr === undefined ? 0 : Number(widthStr);
  const fill = fillChar ?? (zero && !alignChar ? "0" : " ");
  const align = alignChar ?? (zero ? "=" : ">");
  const len = sign.length + body.length;
  if (len >= width) return sign + body;
  const pad = width - len;
  if (align === "=") return sign + fill.repeat(pad) + body;
  if (align === "<") return sign + body + fill.repeat(pad);
  if (align === "^") return fill.repeat(Math.floor(pad / 2)) + sign + body + fill.repeat(pad - Math.floor(pad / 2));
  return fill.repeat(pad) + sign + body;
}

/**
 * Python's `template.format(**values)` for named numeric fields: `{name}`, `{name:spec}`, `{{`, `}}`.
 * A field missing from `values` throws, naming the field and the available ones.
 */
export function pyFormat(template: string, values: Record<string, FormatValue>): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === "{" && template[i + 1] === "{") {
      out += "{";
      i += 2;
    } else if (c === "}" && template[i + 1] === "}") {
      out += "}";
      i += 2;
    } else if (c === "{") {
      const end = template.indexOf("}", i);
      if (end < 0) throw new Error(`Single '{' encountered in format string "${template}".`);
      const field = template.slice(i + 1, end);
      const colon = field.indexOf(":");
      const name = colon < 0 ? field : field.slice(0, colon);
      const spec = colon < 0 ? "" : field.slice(colon + 1);
      if (!(name in values)) {
        throw new Error(`Unknown field '${name}'; available: ${Object.keys(values).join(", ")}.`);
      }
      out += formatSpec(values[name], spec, name);
      i = end + 1;
    } else if (c === "}") {
      throw new Error(`Single '}' encountered in format string "${template}".`);
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
