// Helpers for the end-to-end REPORT tests (test/worker/reports/): calendars
// created with extended MKCOL, REPORT bodies for calendar-query,
// calendar-multiget, free-busy-query and sync-collection, and small readers
// for multistatus answers (member names, calendar-data, the multistatus-level
// DAV:sync-token) and iCalendar text (unfolded lines, components, FREEBUSY).
import { expect } from "vitest";
import { parseXml } from "../../src/core/xml/parse.js";
import { child, childElements, textOf } from "../../src/core/xml/tree.js";
import { dav, parseMultistatus, type Creds, type ResponseResult } from "./dav-client.js";
import { NS_DECL, cal, proppatchBody, putOk } from "./caldav.js";

export const ALL_COMPONENTS = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"] as const;

/** Extended MKCOL (RFC 5689) of a calendar for the given components; returns its path. */
export async function mkcolCalendar(
  c: Creds,
  name: string,
  opts: { components?: readonly string[]; props?: string } = {},
): Promise<string> {
  const comps = (opts.components ?? ALL_COMPONENTS).map((n) => `<C:comp name="${n}"/>`).join("");
  const body =
    `<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
    `<D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>` +
    `<C:supported-calendar-component-set>${comps}</C:supported-calendar-component-set>${opts.props ?? ""}` +
    `</D:prop></D:set></D:mkcol>`;
  const path = cal(c, name);
  const res = await dav("MKCOL", path, { as: c, body });
  if (res.status !== 201) throw new Error(`MKCOL ${path}: ${res.status} ${await res.text()}`);
  return path;
}

/** PUTs name → body pairs into a collection (bodies CRLF-normalised); returns name → ETag. */
export async function putAll(c: Creds, collection: string, objects: Record<string, string>): Promise<Record<string, string>> {
  const etags: Record<string, string> = {};
  for (const [name, body] of Object.entries(objects)) etags[name] = await putOk(c, `${collection}${name}`, crlfText(body));
  return etags;
}

export const crlfText = (s: string) => s.replace(/\r?\n/g, "\r\n");

/** PROPPATCH that must answer 207 with 200 for every property. */
export async function proppatchOk(c: Creds, path: string, set: string, remove = ""): Promise<void> {
  const res = await dav("PROPPATCH", path, { as: c, body: proppatchBody(set, remove) });
  const text = await res.text();
  if (res.status !== 207) throw new Error(`PROPPATCH ${path}: ${res.status} ${text}`);
  for (const r of parseMultistatus(text).values())
    for (const [name, p] of r.props) if (p.status !== 200) throw new Error(`PROPPATCH ${path}: ${name} answered ${p.status}: ${text}`);
}

/** Sets CALDAV:calendar-timezone to a VCALENDAR holding one VTIMEZONE (RFC 4791 §5.2.2). */
export async function setCalendarTimezone(c: Creds, path: string, vcalendar: string): Promise<void> {
  await proppatchOk(c, path, `<C:calendar-timezone><![CDATA[${crlfText(vcalendar)}]]></C:calendar-timezone>`);
}

/** A REPORT request. */
export function report(c: Creds, path: string, body: string, depth: string | null = "1", headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (depth !== null) h["Depth"] = depth;
  return dav("REPORT", path, { as: c, headers: h, body: `<?xml version="1.0" encoding="utf-8"?>${body}` });
}

/** A calendar-query body: `filter` is the inner XML of CALDAV:filter, `prop` the inner XML of DAV:prop. */
export function calendarQueryBody(filter: string, opts: { prop?: string; timezone?: string; extra?: string } = {}): string {
  const prop = opts.prop ?? "<D:getetag/>";
  const tz = opts.timezone !== undefined ? `<C:timezone><![CDATA[${crlfText(opts.timezone)}]]></C:timezone>` : "";
  return `<C:calendar-query ${NS_DECL}>${prop ? `<D:prop>${prop}</D:prop>` : ""}<C:filter>${filter}</C:filter>${tz}${opts.extra ?? ""}</C:calendar-query>`;
}

/** VCALENDAR > component [> time-range]. */
export function compFilter(component: string, start?: string, end?: string, inner = ""): string {
  const attrs = `${start ? ` start="${start}"` : ""}${end ? ` end="${end}"` : ""}`;
  const tr = start || end ? `<C:time-range${attrs}/>` : "";
  return `<C:comp-filter name="VCALENDAR"><C:comp-filter name="${component}">${tr}${inner}</C:comp-filter></C:comp-filter>`;
}

/** The last path segment of an href (the member name). */
export const nameOf = (href: string) => decodeURIComponent(href.replace(/\/$/, "").split("/").pop() ?? "");

/** Multistatus of a REPORT that must answer 207. */
export async function multistatusOf(res: Response): Promise<{ responses: Map<string, ResponseResult>; text: string }> {
  const text = await res.text();
  if (res.status !== 207) throw new Error(`expected 207, got ${res.status}: ${text}`);
  return { responses: parseMultistatus(text), text };
}

/** Runs a calendar-query and returns the sorted member names it matched, checking each response is a 200 propstat under the collection. */
export async function queryNames(c: Creds, collection: string, filter: string, opts: { timezone?: string; depth?: string | null } = {}): Promise<string[]> {
  const res = await report(c, collection, calendarQueryBody(filter, opts.timezone !== undefined ? { timezone: opts.timezone } : {}), opts.depth === undefined ? "1" : opts.depth);
  const { responses } = await multistatusOf(res);
  for (const r of responses.values()) {
    expect(r.href.startsWith(collection), r.href).toBe(true);
    expect(r.status, `${r.href} has a propstat, not a status`).toBeUndefined();
  }
  return [...responses.keys()].map(nameOf).sort();
}

/** The CALDAV:calendar-data text of one response (must be 200). */
export function calendarDataOf(r: ResponseResult | undefined): string {
  if (!r) throw new Error("no such response");
  const p = r.props.get("{urn:ietf:params:xml:ns:caldav}calendar-data");
  if (!p) throw new Error(`no calendar-data for ${r.href}`);
  if (p.status !== 200) throw new Error(`calendar-data answered ${p.status} for ${r.href}`);
  return textOf(p.element);
}

/** Unfolded content lines (CRLF or LF). */
export function lines(text: string): string[] {
  return text.replace(/\r\n/g, "\n").replace(/\n[ \t]/g, "").split("\n").filter((l) => l !== "");
}

/** The content lines of each top-level-or-nested component named `name`, in order (without its BEGIN/END). */
export function components(text: string, name: string): string[][] {
  const out: string[][] = [];
  let cur: string[] | null = null;
  let depth = 0;
  for (const l of lines(text)) {
    if (!cur && l === `BEGIN:${name}`) {
      cur = [];
      depth = 0;
      continue;
    }
    if (cur && l === `END:${name}` && depth === 0) {
      out.push(cur);
      cur = null;
      continue;
    }
    if (cur) {
      if (l.startsWith("BEGIN:")) depth++;
      if (l.startsWith("END:")) depth--;
      cur.push(l);
    }
  }
  return out;
}

/** The first value of a property in a component's lines, e.g. prop(lines, "DTSTART") → "20060103T170000Z". */
export function propValue(compLines: string[], name: string): string | undefined {
  const l = compLines.find((x) => x.toUpperCase().startsWith(`${name.toUpperCase()}:`) || x.toUpperCase().startsWith(`${name.toUpperCase()};`));
  return l === undefined ? undefined : l.slice(valueStart(l));
}

function valueStart(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ":" && !quoted) return i + 1;
  }
  return line.length;
}

/** ms UTC of a UTC iCalendar DATE-TIME, 20060104T150000Z. */
export function utcMs(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) throw new Error(`not a UTC date-time: ${v}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** A UTC iCalendar DATE-TIME from ms. */
export const icalUtc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

function durationMs(v: string): number {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(v);
  if (!m) throw new Error(`not a duration: ${v}`);
  const [, sign, w, d, h, mi, s] = m;
  const ms = ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0)) * 1000;
  return sign === "-" ? -ms : ms;
}

export interface BusyPeriod {
  start: string;
  end: string;
  type: string;
}

/** The FREEBUSY periods of a VFREEBUSY's lines, normalised to UTC start/end (explicit or duration form) with their FBTYPE (default BUSY). */
export function freebusyPeriods(fbLines: string[]): BusyPeriod[] {
  const out: BusyPeriod[] = [];
  for (const l of fbLines) {
    if (!/^FREEBUSY[;:]/i.test(l)) continue;
    const type = /;FBTYPE=([^;:]+)/i.exec(l.slice(0, valueStart(l)))?.[1]?.toUpperCase() ?? "BUSY";
    for (const period of l.slice(valueStart(l)).split(",")) {
      const [s, e] = period.split("/") as [string, string];
      const start = utcMs(s);
      const end = /^[+-]?P/.test(e) ? start + durationMs(e) : utcMs(e);
      out.push({ start: icalUtc(start), end: icalUtc(end), type });
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

/** A free-busy-query body (RFC 4791 §9.11). */
export const freeBusyBody = (start?: string, end?: string) =>
  `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range${start ? ` start="${start}"` : ""}${end ? ` end="${end}"` : ""}/></C:free-busy-query>`;

/** A calendar-multiget body (RFC 4791 §9.10). */
export const multigetBody = (hrefs: string[], prop = "<D:getetag/><C:calendar-data/>") =>
  `<C:calendar-multiget ${NS_DECL}><D:prop>${prop}</D:prop>${hrefs.map((h) => `<D:href>${h}</D:href>`).join("")}</C:calendar-multiget>`;

/** A sync-collection body (RFC 6578 §6.1). */
export function syncBody(token: string, opts: { limit?: string; prop?: string; level?: string } = {}): string {
  const limit = opts.limit !== undefined ? `<D:limit><D:nresults>${opts.limit}</D:nresults></D:limit>` : "";
  return `<D:sync-collection ${NS_DECL}><D:sync-token>${token}</D:sync-token><D:sync-level>${opts.level ?? "1"}</D:sync-level>${limit}<D:prop>${opts.prop ?? "<D:getetag/>"}</D:prop></D:sync-collection>`;
}

export interface SyncResult {
  responses: Map<string, ResponseResult>;
  /** Every DAV:response href in document order (to catch duplicates, which a Map hides). */
  hrefs: string[];
  token: string;
  text: string;
}

/** Runs sync-collection (Depth 0) and reads the multistatus with its DAV:sync-token. */
export async function syncCollection(c: Creds, collection: string, token: string, opts: { limit?: string; prop?: string; level?: string } = {}): Promise<SyncResult> {
  const res = await report(c, collection, syncBody(token, opts), "0");
  const text = await res.text();
  if (res.status !== 207) throw new Error(`sync-collection: expected 207, got ${res.status}: ${text}`);
  const doc = parseXml(text);
  const tokens = childElements(doc).filter((e) => e.name === "{DAV:}sync-token");
  if (tokens.length !== 1) throw new Error(`expected one DAV:sync-token in the multistatus, got ${tokens.length}: ${text}`);
  const hrefs = childElements(doc)
    .filter((e) => e.name === "{DAV:}response")
    .map((r) => textOf(child(r, "{DAV:}href")!).trim());
  return { responses: parseMultistatus(text), hrefs, token: textOf(tokens[0]!).trim(), text };
}
