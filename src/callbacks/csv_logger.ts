import { closeSync, existsSync, openSync, statSync, writeSync } from "node:fs";
import { Callback, type Logs } from "./callback.js";
import { pyFloatRepr } from "./format.js";

/** A CSV field as Python's csv module writes it (excel dialect, minimal quoting). */
function csvField(s: string, sep: string): string {
  return s.includes(sep) || s.includes('"') || s.includes("\n") || s.includes("\r")
    ? `"${s.replaceAll('"', '""')}"`
    : s;
}

/**
 * Streams each epoch's logs to a CSV file (Keras's CSVLogger): an `epoch` column, then the log keys
 * sorted (with `val_` columns added as "NA" when there is no validation), numbers as Python writes them.
 */
export class CSVLogger extends Callback {
  sep: string;
  filename: string;
  append: boolean;
  keys: string[] | null = null;
  private appendHeader = true;
  private fd: number | null = null;
  private headerWritten = false;

  constructor(filename: string, separator = ",", append = false) {
    super();
    this.sep = separator;
    this.filename = filename;
    this.append = append;
  }

  override onTrainBegin(): void {
    if (this.append) {
      // As Keras: a header only when the file is missing or empty.
      this.appendHeader = !(existsSync(this.filename) && statSync(this.filename).size > 0);
    } else {
      this.appendHeader = true;
    }
    this.close();
    this.fd = openSync(this.filename, this.append ? "a" : "w");
    this.keys = null;
    this.headerWritten = false;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort();
      if (this.keys.length > 0 && !this.keys.some((k) => k.startsWith("val_"))) {
        this.keys.push(...this.keys.map((k) => `val_${k}`));
      }
    }
    if (this.fd === null) this.fd = openSync(this.filename, this.append ? "a" : "w");
    let text = "";
    if (!this.headerWritten) {
      if (this.appendHeader) text += `${["epoch", ...this.keys].map((k) => csvField(k, this.sep)).join(this.sep)}\r\n`;
      this.headerWritten = true;
    }
    const row = [String(epoch), ...this.keys.map((k) => (k in logs ? pyFloatRepr(logs[k]) : "NA"))];
    text += `${row.map((v) => csvField(v, this.sep)).join(this.sep)}\r\n`;
    writeSync(this.fd, text); // written at once: the file is readable while training runs
  }

  override onTrainEnd(): void {
    this.close();
  }

  private close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
