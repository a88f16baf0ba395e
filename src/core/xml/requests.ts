// Typed request bodies: PROPFIND (RFC 4918 section 9.1), PROPPATCH (section
// 9.2), extended MKCOL (RFC 5689 section 5.1) and MKCALENDAR (RFC 4791
// section 5.3.1). XML becomes plain data here, before any logic sees it.
import { badRequest, DavError } from "../errors.js";
import { caldav, dav, type Clark } from "./names.js";
import { parseXml } from "./parse.js";
import { child, childElements, type XmlElement } from "./tree.js";

export type PropfindRequest =
  | { type: "allprop"; include: Clark[] }
  | { type: "prop"; names: Clark[] }
  | { type: "propname" };

export type PropPatchOp = { op: "set"; prop: XmlElement } | { op: "remove"; name: Clark };

/** Properties given at creation time (extended MKCOL or MKCALENDAR). */
export interface CreateRequest {
  /** The DAV:resourcetype the client set, by child names; undefined when it set none. */
  resourcetype: Clark[] | undefined;
  /** The other properties, in document order. */
  props: XmlElement[];
}

const isBlank = (body: string) => body.trim() === "";

function root(body: string, expected: Clark): XmlElement {
  const doc = parseXml(body);
  if (doc.name !== expected) throw badRequest(`expected ${expected} as the root element, got ${doc.name}`);
  return doc;
}

export function parsePropfind(body: string): PropfindRequest {
  // An empty body means allprop (RFC 4918 section 9.1).
  if (isBlank(body)) return { type: "allprop", include: [] };
  const doc = root(body, dav("propfind"));
  const elements = childElements(doc);
  const first = elements[0];
  if (!first) throw badRequest("propfind needs prop, allprop or propname");
  if (first.name === dav("propname")) return { type: "propname" };
  if (first.name === dav("allprop")) {
    const include = child(doc, dav("include"));
    return { type: "allprop", include: include ? childElements(include).map((e) => e.name) : [] };
  }
  if (first.name === dav("prop")) return { type: "prop", names: unique(childElements(first).map((e) => e.name)) };
  throw badRequest(`unexpected ${first.name} in propfind`);
}

export function parseProppatch(body: string): PropPatchOp[] {
  if (isBlank(body)) throw badRequest("PROPPATCH needs a propertyupdate body");
  const doc = root(body, dav("propertyupdate"));
  const ops: PropPatchOp[] = [];
  for (const action of childElements(doc)) {
    const isSet = action.name === dav("set");
    if (!isSet && action.name !== dav("remove")) continue; // unknown elements are ignored (RFC 4918 section 17)
    const prop = child(action, dav("prop"));
    if (!prop) throw badRequest(`${action.name} without DAV:prop`);
    for (const p of childElements(prop)) ops.push(isSet ? { op: "set", prop: p } : { op: "remove", name: p.name });
  }
  if (ops.length === 0) throw badRequest("propertyupdate sets or removes nothing");
  return ops;
}

/** Extended MKCOL body: DAV:mkcol with DAV:set/DAV:prop (RFC 5689 section 5.1). */
export function parseMkcol(body: string): CreateRequest {
  if (isBlank(body)) return { resourcetype: undefined, props: [] };
  return parseCreate(root(body, dav("mkcol")));
}

/** MKCALENDAR body: CALDAV:mkcalendar with DAV:set/DAV:prop (RFC 4791 section 5.3.1); the method makes the resourcetype. */
export function parseMkcalendar(body: string): CreateRequest {
  if (isBlank(body)) return { resourcetype: undefined, props: [] };
  return parseCreate(root(body, caldav("mkcalendar")));
}

function parseCreate(doc: XmlElement): CreateRequest {
  let resourcetype: Clark[] | undefined;
  const props: XmlElement[] = [];
  for (const set of childElements(doc)) {
    if (set.name !== dav("set")) throw badRequest(`unexpected ${set.name}`);
    const prop = child(set, dav("prop"));
    if (!prop) throw badRequest("DAV:set without DAV:prop");
    for (const p of childElements(prop)) {
      if (p.name === dav("resourcetype")) resourcetype = childElements(p).map((e) => e.name);
      else props.push(p);
    }
  }
  return { resourcetype, props };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export { DavError };

/** The property selection inside a REPORT body: DAV:prop, DAV:allprop or DAV:propname (default allprop). */
export function parsePropSelection(doc: XmlElement): PropfindRequest {
  for (const c of childElements(doc)) {
    if (c.name === dav("prop")) return { type: "prop", names: unique(childElements(c).map((e) => e.name)) };
    if (c.name === dav("allprop")) return { type: "allprop", include: [] };
    if (c.name === dav("propname")) return { type: "propname" };
  }
  return { type: "allprop", include: [] };
}

/** CALDAV:calendar-data as requested inside DAV:prop, if it was. */
export function requestedCalendarData(doc: XmlElement): XmlElement | undefined {
  const prop = child(doc, dav("prop"));
  return prop ? child(prop, caldav("calendar-data")) : undefined;
}

/** The DAV:href children of a report body, trimmed. */
export function hrefsOf(doc: XmlElement): string[] {
  return childElements(doc)
    .filter((c) => c.name === dav("href"))
    .map((c) => c.children.filter((t): t is string => typeof t === "string").join("").trim());
}
