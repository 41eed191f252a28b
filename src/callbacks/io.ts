/** Where callbacks print (Keras's io_utils.print_msg) and warn. */

/** Prints one message; callbacks accept one as `printFn` so tests and applications can capture output. */
export type PrintFn = (message: string) => void;

/** Something a progress bar writes to: `process.stdout` or any object with `write` (and `isTTY`). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function stdoutStream(): OutputStream {
  const out = globalThis.process?.stdout as OutputStream | undefined;
  return out ?? { write: (text: string) => console.log(text.replace(/\n$/, "")) };
}

/** Keras's print_msg: the message and a line break, on stdout. */
export const printMsg: PrintFn = (message) => {
  stdoutStream().write(`${message}\n`);
};

const warned = new Set<string>();

/** Python's warnings.warn with the default filter: each distinct message once. */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`Warning: ${message}`);
}
