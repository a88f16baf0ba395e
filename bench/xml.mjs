// Just enough namespace-aware XML for the benchmark's checks: a tree from
// saxes (already a dependency of the server) and a DAV:multistatus reader.
import { SaxesParser } from "saxes";

export const DAV = "DAV:";
export const CALDAV = "urn:ietf:params:xml:ns:caldav";
export const clark = (ns, local) => `{${ns}}${local}`;

/** { name: "{ns}local", attrs, children: (element | string)[] } */
export function parseXml(text) {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack = [];
  let root;
  parser.on("error", (e) => {
    throw new Error(`malformed XML: ${e.message}`);
  });
  parser.on("opentag", (tag) => {
    const attrs = {};
    for (const a of Object.values(tag.attributes)) if (a.prefix !== "xmlns" && a.name !== "xmlns") attrs[a.local] = a.value;
    const el = { name: clark(tag.uri ?? "", tag.local ?? tag.name), attrs, children: [] };
    stack.at(-1)?.children.push(el);
    if (!root) root = el;
    stack.push(el);
  });
  parser.on("closetag", () => stack.pop());
  const onText = (t) => stack.at(-1)?.children.push(t);
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.write(text).close();
  if (!root) throw new Error("no XML root element");
  return root;
}

export const elements = (el) => el.children.filter((c) => typeof c !== "string");
export const childNamed = (el, name) => elements(el).find((c) => c.name === name);
export const childrenNamed = (el, name) => elements(el).filter((c) => c.name === name);
export function textOf(el) {
  if (!el) return "";
  return el.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("");
}

const statusCode = (el) => {
  const m = /HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(textOf(el));
  return m ? Number(m[1]) : null;
};

/**
 * Reads a DAV:multistatus: { syncToken, responses: [{ href, status, props }] }
 * where `status` is the response-level status (or null) and `props` maps a
 * property's "{ns}local" name to { status, el } from its propstat. An href
 * is given as its percent-decoded path, whether the server wrote it as an
 * absolute URL, an absolute path or a path relative to the request URI
 * (`base`, RFC 4918 §8.3), so hrefs of different servers compare.
 */
export function parseMultistatus(text, base = "http://host/") {
  const root = parseXml(text);
  if (root.name !== clark(DAV, "multistatus")) throw new Error(`expected DAV:multistatus, got ${root.name}`);
  const responses = childrenNamed(root, clark(DAV, "response")).map((r) => {
    const hrefs = childrenNamed(r, clark(DAV, "href")).map((h) => decodeURIComponent(new URL(textOf(h).trim(), base).pathname));
    const st = childNamed(r, clark(DAV, "status"));
    const props = new Map();
    for (const ps of childrenNamed(r, clark(DAV, "propstat"))) {
      const code = statusCode(childNamed(ps, clark(DAV, "status")));
      const prop = childNamed(ps, clark(DAV, "prop"));
      for (const p of prop ? elements(prop) : []) props.set(p.name, { status: code, el: p });
    }
    return { href: hrefs[0] ?? "", hrefs, status: st ? statusCode(st) : null, props };
  });
  const token = childNamed(root, clark(DAV, "sync-token"));
  return { syncToken: token ? textOf(token).trim() : null, responses };
}

/** The text of a property that answered 200, or undefined. */
export function propText(response, name) {
  const p = response.props.get(name);
  return p && p.status === 200 ? textOf(p.el) : undefined;
}
