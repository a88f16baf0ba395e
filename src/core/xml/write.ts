// Serializes an element tree with fixed prefixes for the namespaces we know
// and generated ones (x0, x1, ...) for any other, declared on the root.
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

export function writeXml(root: XmlElement): string {
  const prefixes = new Map<string, string>();
  const collect = (e: XmlElement) => {
    for (const name of [e.name, ...Object.keys(e.attrs)]) {
      const { ns } = splitClark(name);
      if (ns && !prefixes.has(ns)) prefixes.set(ns, PREFIXES[ns] ?? `x${prefixes.size}`);
    }
    for (const c of e.children) if (typeof c !== "string") collect(c);
  };
  collect(root);

  const qname = (name: string): string => {
    const { ns, local } = splitClark(name);
    return ns ? `${prefixes.get(ns)}:${local}` : local;
  };

  const parts: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n'];
  const write = (n: XmlNode, isRoot: boolean) => {
    if (typeof n === "string") {
      // A literal CR would be normalized away by the client's XML parser (XML 1.0 section 2.11).
      parts.push(escapeText(n.replace(INVALID, "")).replace(/\r/g, "&#13;"));
      return;
    }
    const q = qname(n.name);
    parts.push("<", q);
    // The xml: prefix is bound by definition and must never be declared (Namespaces in XML, section 3).
    if (isRoot) for (const [ns, p] of prefixes) if (ns !== NS.XML) parts.push(` xmlns:${p}="${escapeAttr(ns)}"`);
    // An element in no namespace under a default-less document needs nothing more.
    for (const [k, v] of Object.entries(n.attrs)) parts.push(" ", qname(k), '="', escapeAttr(v.replace(INVALID, "")), '"');
    if (n.children.length === 0) {
      parts.push("/>");
      return;
    }
    parts.push(">");
    for (const c of n.children) write(c, false);
    parts.push("</", q, ">");
  };
  write(root, true);
  return parts.join("");
}
