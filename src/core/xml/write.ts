// Serializes element trees with the fixed prefixes of names.ts for the
// namespaces we know and generated ones (x0, x1, ...) for any other. One
// writer makes whole documents and fragments of one: a multistatus of
// 10,000 responses is written response by response straight to text (no
// tree for the responses themselves, no second pass over it), each response
// declaring a namespace without a fixed prefix on its own outermost element,
// and the root declaring the fixed prefixes that were used once it is known
// which. Text without anything to escape is copied as is.
import { NS, PREFIXES, splitClark } from "./names.js";
import type { XmlElement } from "./tree.js";

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

/** What NEEDS_WORK finds but a CR. */
const MARKUP_OR_INVALID = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Character data as XML text content. */
export function xmlText(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  // A literal CR would be normalized away by the client's XML parser (XML 1.0 section 2.11). Every line of
  // iCalendar ends in one, and most bodies hold nothing else to escape: then one native replacement does it.
  if (!MARKUP_OR_INVALID.test(s)) return s.replaceAll("\r", "&#13;");
  return s.replace(NEEDS_WORK_ALL, (c) => TEXT_ESCAPES[c] ?? "");
}

/** A name in a namespace with a fixed prefix: its qualified name, made once (names of other namespaces vary). */
interface Known {
  ns: string;
  qname: string;
}
const KNOWN = new Map<string, Known | null>();
/** Client-sent names (dead properties) pass through here too: the memo stops growing at this size. */
const KNOWN_LIMIT = 4096;

function known(clark: string): Known | null {
  let k = KNOWN.get(clark);
  if (k !== undefined) return k;
  const { ns, local } = splitClark(clark);
  const prefix = ns === "" ? "" : PREFIXES[ns];
  k = prefix === undefined ? null : { ns, qname: prefix ? `${prefix}:${local}` : local };
  if (KNOWN.size < KNOWN_LIMIT) KNOWN.set(clark, k);
  return k;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** Writes elements of one document; `used` collects the fixed-prefix namespaces they need declared on the root. */
export class XmlWriter {
  private readonly used = new Set<string>();
  /** Namespaces without a fixed prefix in the fragment being written, declared on its outermost element. */
  private local = new Map<string, string>();

  /** An element as text, every prefix it uses either fixed (declared on the root) or declared on it. */
  fragment(e: XmlElement): string {
    // Most fragments use only fixed prefixes: the empty map of the last one serves again.
    if (this.local.size > 0) this.local = new Map();
    const s = this.element(e);
    if (this.local.size === 0) return s;
    let decls = "";
    for (const [ns, p] of this.local) decls += ` xmlns:${p}="${escapeAttr(ns)}"`;
    const at = 1 + this.qname(e.name).length;
    return s.slice(0, at) + decls + s.slice(at);
  }

  /** A whole document: `root` with `parts` (fragments this writer wrote) and then `extra` as its children. */
  document(root: XmlElement, parts: readonly string[] = [], extra: readonly XmlElement[] = []): string {
    let inner = "";
    for (const c of root.children) inner += typeof c === "string" ? xmlText(c) : this.fragment(c);
    inner += parts.join("");
    for (const e of extra) inner += this.fragment(e);
    // The root last, once every namespace it must declare is known.
    const top = this.fragment({ name: root.name, attrs: root.attrs, children: [] });
    let decls = "";
    // The xml: prefix is bound by definition and must never be declared (Namespaces in XML, section 3).
    for (const ns of this.used) if (ns !== NS.XML) decls += ` xmlns:${PREFIXES[ns]}="${escapeAttr(ns)}"`;
    const open = top.slice(0, -2); // "<q ...attrs/>" without "/>"
    if (inner === "") return XML_DECLARATION + open + decls + "/>";
    return XML_DECLARATION + open + decls + ">" + inner + "</" + this.qname(root.name) + ">";
  }

  private qname(clark: string): string {
    const k = known(clark);
    if (k) {
      if (k.ns !== "") this.used.add(k.ns);
      return k.qname;
    }
    const { ns, local } = splitClark(clark);
    let p = this.local.get(ns);
    if (p === undefined) {
      p = `x${this.local.size}`;
      this.local.set(ns, p);
    }
    return `${p}:${local}`;
  }

  private element(n: XmlElement): string {
    const q = this.qname(n.name);
    let out = "<" + q;
    for (const k in n.attrs) out += " " + this.qname(k) + '="' + escapeAttr(n.attrs[k]!.replace(INVALID, "")) + '"';
    if (n.children.length === 0) return out + "/>";
    out += ">";
    for (const c of n.children) out += typeof c === "string" ? xmlText(c) : this.element(c);
    return out + "</" + q + ">";
  }
}

export function writeXml(root: XmlElement): string {
  return new XmlWriter().document(root);
}
