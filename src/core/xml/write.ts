// Serializes an element tree with fixed prefixes for the namespaces we know
// and generated ones (x0, x1, ...) for any other, declared on the root.
// One pass over the tree after the namespace scan: a multistatus of 10,000
// responses is written in time linear in its size (each qualified name is
// made once, text without anything to escape is copied as is).
import { NS, PREFIXES, splitClark } from "./names.js";
import type { XmlElement, XmlNode } from "./tree.js";

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, "&quot;").replace(/\r/g, "&#13;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

/** Removes characters XML 1.0 cannot carry at all. */
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
/** Anything text content cannot carry as it is: markup, a CR, or a character XML 1.0 cannot carry. */
const NEEDS_WORK = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** What each character NEEDS_WORK finds becomes: an entity, or nothing for what XML 1.0 cannot carry. */
const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" };
const NEEDS_WORK_ALL = new RegExp(NEEDS_WORK.source, "g");

function text(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  // One pass. A literal CR would be normalized away by the client's XML parser (XML 1.0 section 2.11).
  return s.replace(NEEDS_WORK_ALL, (c) => TEXT_ESCAPES[c] ?? "");
}

export function writeXml(root: XmlElement): string {
  const prefixes = new Map<string, string>();
  const qnames = new Map<string, string>();
  const name = (clark: string) => {
    if (qnames.has(clark)) return;
    const { ns, local } = splitClark(clark);
    if (ns && !prefixes.has(ns)) prefixes.set(ns, PREFIXES[ns] ?? `x${prefixes.size}`);
    qnames.set(clark, ns ? `${prefixes.get(ns)}:${local}` : local);
  };
  const collect = (e: XmlElement) => {
    name(e.name);
    for (const k in e.attrs) name(k);
    for (const c of e.children) if (typeof c !== "string") collect(c);
  };
  collect(root);

  let out = '<?xml version="1.0" encoding="utf-8"?>\n';
  const write = (n: XmlNode, isRoot: boolean) => {
    if (typeof n === "string") {
      out += text(n);
      return;
    }
    const q = qnames.get(n.name)!;
    out += "<" + q;
    // The xml: prefix is bound by definition and must never be declared (Namespaces in XML, section 3).
    if (isRoot) for (const [ns, p] of prefixes) if (ns !== NS.XML) out += ` xmlns:${p}="${escapeAttr(ns)}"`;
    // An element in no namespace under a default-less document needs nothing more.
    for (const k in n.attrs) out += " " + qnames.get(k)! + '="' + escapeAttr(n.attrs[k]!.replace(INVALID, "")) + '"';
    if (n.children.length === 0) {
      out += "/>";
      return;
    }
    out += ">";
    for (const c of n.children) write(c, false);
    out += "</" + q + ">";
  };
  write(root, true);
  return out;
}
