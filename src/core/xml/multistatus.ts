// Builds DAV:multistatus documents (RFC 4918 section 13, 14.16): responses
// with propstats grouped by status, or a single status per href. As trees
// (for the few responses nested in other elements) or, for the many members
// of a PROPFIND or a report, written as text one response at a time.
import { dav, NS, PREFIXES } from "./names.js";
import { el, type XmlElement } from "./tree.js";
import { xmlText, XmlWriter } from "./write.js";

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

/** Status lines made once per status: a listing writes the same one thousands of times. */
const STATUS_LINES = new Map<number, string>();

export function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${REASONS[status] ?? ""}`.trimEnd();
    // The server's own statuses only (a few dozen), never a number a client sent; bounded all the same.
    if (STATUS_LINES.size < 64) STATUS_LINES.set(status, line);
  }
  return line;
}

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

/** Groups (property element, status) pairs into propstats, in first-seen order; a group keeps its first description. */
export function groupByStatus(entries: Array<{ prop: XmlElement; status: number; error?: XmlElement; description?: string }>): PropstatGroup[] {
  const groups = new Map<string, PropstatGroup>();
  for (const e of entries) {
    const key = `${e.status}|${e.error?.name ?? ""}`;
    let g = groups.get(key);
    if (!g) {
      g = { status: e.status, props: [], ...(e.error ? { error: e.error } : {}) };
      groups.set(key, g);
    }
    if (e.description && !g.description) g.description = e.description;
    g.props.push(e.prop);
  }
  return [...groups.values()];
}

/**
 * A multistatus written response by response: each response becomes text as it is added (its property values
 * through the one XmlWriter), so a listing of 10,000 members never exists as a tree.
 */
/** DAV: element tags as text, with the fixed prefix the writer declares on the root. */
const D = `${PREFIXES[NS.DAV]}:`;
const tag = (local: string) => `<${D}${local}>`;
const end = (local: string) => `</${D}${local}>`;
const RESPONSE = tag("response") + tag("href");
const HREF_END = end("href");
const RESPONSE_END = end("response");
const PROPSTAT = tag("propstat") + tag("prop");
const PROP_END_STATUS = end("prop") + tag("status");
const STATUS = tag("status");
const STATUS_END = end("status");
const PROPSTAT_END = end("propstat");
const ERROR = tag("error");
const ERROR_END = end("error");
const DESCRIPTION = tag("responsedescription");
const DESCRIPTION_END = end("responsedescription");
const EMPTY_PROPSTAT = `${tag("propstat")}<${D}prop/>${STATUS}${statusLine(200)}${STATUS_END}${PROPSTAT_END}`;

export class MultistatusText {
  private readonly w = new XmlWriter();
  private readonly parts: string[] = [];

  get size(): number {
    return this.parts.length;
  }

  /** A response with its propstats (see propstatResponse). */
  propstat(href: string, groups: PropstatGroup[]): void {
    let out = RESPONSE + xmlText(href) + HREF_END;
    let any = false;
    for (const g of groups) {
      if (g.props.length === 0) continue;
      any = true;
      out += PROPSTAT;
      for (const p of g.props) out += this.w.fragment(p);
      out += PROP_END_STATUS + statusLine(g.status) + STATUS_END;
      if (g.error) out += ERROR + this.w.fragment(g.error) + ERROR_END;
      if (g.description) out += DESCRIPTION + xmlText(g.description) + DESCRIPTION_END;
      out += PROPSTAT_END;
    }
    if (!any) out += EMPTY_PROPSTAT;
    this.parts.push(out + RESPONSE_END);
  }

  /** A response with one status (see statusResponse). */
  status(href: string, status: number, error?: XmlElement): void {
    let out = RESPONSE + xmlText(href) + HREF_END + STATUS + statusLine(status) + STATUS_END;
    if (error) out += ERROR + this.w.fragment(error) + ERROR_END;
    this.parts.push(out + RESPONSE_END);
  }

  /** The document, with `extra` (a sync-token) after the responses. */
  text(extra: readonly XmlElement[] = []): string {
    return this.w.document(el(dav("multistatus")), this.parts, extra);
  }
}
