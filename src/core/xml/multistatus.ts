// Builds DAV:multistatus documents (RFC 4918 section 13, 14.16): responses
// with propstats grouped by status, or a single status per href.
import { dav } from "./names.js";
import { el, type XmlElement } from "./tree.js";

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  412: "Precondition Failed",
  423: "Locked",
  424: "Failed Dependency",
  507: "Insufficient Storage",
};

export const statusLine = (status: number) => `HTTP/1.1 ${status} ${REASONS[status] ?? ""}`.trimEnd();

export interface PropstatGroup {
  status: number;
  props: XmlElement[];
  error?: XmlElement;
  description?: string;
}

/** DAV:propstat elements, one per non-empty group. */
export function propstats(groups: PropstatGroup[]): XmlElement[] {
  return groups
    .filter((g) => g.props.length > 0)
    .map((g) => {
      const ps: XmlElement[] = [el(dav("prop"), g.props), el(dav("status"), [statusLine(g.status)])];
      if (g.error) ps.push(el(dav("error"), [g.error]));
      if (g.description) ps.push(el(dav("responsedescription"), [g.description]));
      return el(dav("propstat"), ps);
    });
}

/**
 * A DAV:response with its propstats. A response needs a status or at least one propstat (RFC 4918 §14.24): when
 * nothing was asked for (an empty DAV:prop, as sync-collection allows, RFC 6578 §3.2), it says 200 with an empty prop.
 */
export function propstatResponse(href: string, groups: PropstatGroup[]): XmlElement {
  const ps = propstats(groups);
  if (ps.length === 0) ps.push(el(dav("propstat"), [el(dav("prop"), []), el(dav("status"), [statusLine(200)])]));
  return el(dav("response"), [el(dav("href"), [href]), ...ps]);
}

export function statusResponse(href: string, status: number, error?: XmlElement): XmlElement {
  const children: XmlElement[] = [el(dav("href"), [href]), el(dav("status"), [statusLine(status)])];
  if (error) children.push(el(dav("error"), [error]));
  return el(dav("response"), children);
}

export function multistatus(responses: XmlElement[], extra: XmlElement[] = []): XmlElement {
  return el(dav("multistatus"), [...responses, ...extra]);
}

/** Groups (property element, status) pairs into propstats, in first-seen order. */
export function groupByStatus(entries: Array<{ prop: XmlElement; status: number; error?: XmlElement }>): PropstatGroup[] {
  const groups = new Map<string, PropstatGroup>();
  for (const e of entries) {
    const key = `${e.status}|${e.error?.name ?? ""}`;
    let g = groups.get(key);
    if (!g) {
      g = { status: e.status, props: [], ...(e.error ? { error: e.error } : {}) };
      groups.set(key, g);
    }
    g.props.push(e.prop);
  }
  return [...groups.values()];
}
