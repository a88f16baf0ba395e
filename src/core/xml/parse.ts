// Namespace-aware XML parsing of request bodies (saxes behind this one file).
// DTDs are refused outright: no entity expansion, no external references
// (RFC 4918 section 20.6). Malformed input becomes a 400.
import { SaxesParser } from "saxes";
import { DavError } from "../errors.js";
import { clark } from "./names.js";
import type { XmlElement } from "./tree.js";

const MAX_DEPTH = 64;
const MAX_ELEMENTS = 200_000;

export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let failure: string | undefined;

  const fail = (why: string): never => {
    failure ??= why;
    throw new DavError(400, { description: why });
  };

  parser.on("doctype", () => fail("DTDs are not accepted"));
  parser.on("error", (err) => fail(`malformed XML: ${err.message}`));
  parser.on("opentag", (tag) => {
    if (++count > MAX_ELEMENTS) fail("too many XML elements");
    if (stack.length >= MAX_DEPTH) fail("XML nested too deeply");
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === "xmlns" || a.name === "xmlns") continue;
      attrs[a.uri ? clark(a.uri, a.local) : a.local] = a.value;
    }
    const element: XmlElement = { name: clark(tag.uri ?? "", tag.local ?? tag.name), attrs, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) fail("more than one root element");
    else root = element;
    stack.push(element);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  const onText = (t: string) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(t);
  };
  parser.on("text", onText);
  parser.on("cdata", onText);

  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof DavError) throw e;
    fail(failure ?? `malformed XML: ${(e as Error).message}`);
  }
  if (!root) return fail("no root element");
  return root;
}
