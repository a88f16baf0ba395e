// The report table: each REPORT by the Clark name of its root element, and
// the kinds of resource it runs on. supported-report-set is derived from it
// (RFC 3253 section 3.1.5), so a report is advertised only once it exists.
import type { Clark } from "../../core/xml/names.js";
import { caldav, dav } from "../../core/xml/names.js";
import type { ResourceKind } from "../../core/props/types.js";
import type { XmlElement } from "../../core/xml/tree.js";
import type { Resource } from "../../core/props/types.js";
import type { Locator } from "../../core/paths.js";
import type { ViewOp, ViewResult } from "../../home/view.js";
import type { DavContext, DavRequest } from "../context.js";
import { calendarMultiget } from "./calendar-multiget.js";
import { syncCollection } from "./sync-collection.js";
import { calendarQuery } from "./calendar-query.js";
import { freeBusyQuery } from "./free-busy-query.js";
import { expandProperty, principalMatch, principalPropertySearch, principalSearchPropertySet } from "./principals.js";

const ALL_KINDS: readonly ResourceKind[] = ["root", "principals", "calendars", "principal", "proxy-group", "home", "calendar", "inbox", "outbox", "object"];

/** The Request-URI of a REPORT, resolved when the handler knows what it will read of it. */
export interface ReportTarget {
  loc: Locator;
  /** The resource (403 supported-report if the report does not run on it) and what `op` read of its members. */
  resolve(op?: ViewOp): Promise<{ resource: Resource; result: ViewResult }>;
}

export type ReportHandler = (doc: XmlElement, target: ReportTarget, req: DavRequest, ctx: DavContext) => Promise<Response>;

export interface ReportEntry {
  on: readonly ResourceKind[];
  handler: ReportHandler;
}

export const REPORTS: ReadonlyMap<Clark, ReportEntry> = new Map<Clark, ReportEntry>([
  [caldav("calendar-multiget"), { on: ["calendar", "inbox", "object"], handler: calendarMultiget }],
  [caldav("calendar-query"), { on: ["calendar", "inbox", "object"], handler: calendarQuery }],
  [caldav("free-busy-query"), { on: ["calendar"], handler: freeBusyQuery }],
  [dav("sync-collection"), { on: ["calendar", "inbox"], handler: syncCollection }],
  [dav("expand-property"), { on: ALL_KINDS, handler: expandProperty }],
  [dav("principal-property-search"), { on: ALL_KINDS, handler: principalPropertySearch }],
  [dav("principal-search-property-set"), { on: ["principals"], handler: principalSearchPropertySet }],
  [dav("principal-match"), { on: ["principals", "home", "calendar", "inbox", "outbox"], handler: principalMatch }],
]);

export function reportsFor(kind: ResourceKind): Clark[] {
  return [...REPORTS].filter(([, e]) => e.on.includes(kind)).map(([name]) => name);
}
