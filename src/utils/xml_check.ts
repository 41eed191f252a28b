/**
 * A small well-formedness check for the XML the plots write (tests use it; Node has no XML parser):
 * balanced tags, quoted attributes, known entities. Returns the root element's name.
 */
export function checkWellFormedXml(xml: string): string {
  const text = xml
    .replace(/<\?xml[^?]*\?>/, "")
    .replace(/<!DOCTYPE[^>]*>/, "")
    .replace(/<!--[\s\S]*?-->/g, "");
  const stack: string[] = [];
  let root: string | null = null;
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    const bad = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(chunk);
    if (bad) throw new Error(`XML: bad entity at offset ${i + bad.index}: ${chunk.slice(bad.index, bad.index + 12)}`);
    if (stack.length === 0 && chunk.trim() !== "" && root !== null) throw new Error("XML: text after the root");
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(text);
    if (!m) throw new Error(`XML: malformed tag at offset ${lt}: ${text.slice(lt, lt + 40)}`);
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`XML: </${name}> closes <${open ?? "nothing"}> at offset ${lt}`);
    } else {
      if (stack.length === 0) {
        if (root !== null) throw new Error(`XML: a second root element <${name}>`);
        root = name;
      }
      if (!selfClose) stack.push(name);
    }
    i = tag.lastIndex;
  }
  if (stack.length) throw new Error(`XML: unclosed <${stack.join("> <")}>`);
  if (root === null) throw new Error("XML: no root element");
  return root;
}
