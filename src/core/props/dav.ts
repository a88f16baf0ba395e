// Live properties of WebDAV (RFC 4918 section 15), current-user-principal
// (RFC 5397), sync-token (RFC 6578 section 4), quotas (RFC 4331) and
// supported-report-set (RFC 3253 section 3.1.5).
import { collectionLength } from "../collection-get.js";
import { hrefs } from "../paths.js";
import { caldav, cs, dav } from "../xml/names.js";
import { el, type XmlNode } from "../xml/tree.js";
import { textOnly } from "./caldav.js";
import { ALL, CALENDARISH, COLLECTIONS, hrefEl, live, stored } from "./define.js";
import type { PropertyDef, Resource } from "./types.js";
import { NOTIFICATION_TYPE } from "../sharing/model.js";
import { PROXY_GROUPS } from "../delegation/model.js";

const httpDate = (ms: number) => new Date(ms).toUTCString();
const isoDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function resourcetype(r: Resource): XmlNode[] {
  const collection = el(dav("collection"));
  switch (r.kind) {
    case "object":
      return [];
    case "principal":
      return [collection, el(dav("principal"))];
    case "proxy-group":
      return [el(dav("principal")), el(cs(PROXY_GROUPS[r.group]))];
    case "calendar":
      // calendarserver-sharing: CS:shared-owner on a calendar its owner shares, CS:shared on a sharee's view of one.
      return [collection, el(caldav("calendar")), ...(r.collection.shared ? [el(cs("shared"))] : r.collection.invites?.length ? [el(cs("shared-owner"))] : [])];
    case "notifications":
      return [collection, el(cs("notification"))];
    case "notification":
      return [];
    case "inbox":
      return [collection, el(caldav("schedule-inbox"))];
    case "outbox":
      return [collection, el(caldav("schedule-outbox"))];
    default:
      return [collection];
  }
}

const timestamps = (r: Resource): { created: number; modified: number } | undefined =>
  r.kind === "object" ? r.object : r.kind === "calendar" || r.kind === "inbox" || r.kind === "outbox" ? r.collection : undefined;

const quotaHome = (r: Resource) => (r.kind === "home" || r.kind === "calendar" || r.kind === "inbox" || r.kind === "outbox" ? r.home : undefined);

export const davProperties: PropertyDef[] = [
  live(dav("resourcetype"), ALL, (r) => resourcetype(r), true),
  // Text only (RFC 4918 §15.2), 409 otherwise (§9.2.1); how long is for the caps of limits.ts.
  stored(dav("displayname"), ALL, (v) => void textOnly(v, Infinity), (r) =>
    r.kind === "principal" ? el(dav("displayname"), [r.principal.displayName])
      : r.kind === "proxy-group" ? el(dav("displayname"), [`${r.principal.displayName} (${PROXY_GROUPS[r.group]})`]) : undefined,
  ),
  live(dav("getetag"), ["object", "notification"], (r) => (r.kind === "object" ? [`"${r.object.etag}"`] : r.kind === "notification" ? [`"${r.item.etag}"`] : undefined), true),
  live(
    dav("getcontenttype"),
    ["object", "notification"],
    (r) => (r.kind === "object" ? [`text/calendar; charset=utf-8; component=${r.object.component.toLowerCase()}`] : r.kind === "notification" ? [NOTIFICATION_TYPE] : undefined),
    true,
  ),
  // Every resource here answers GET with a body: objects their iCalendar, collections a short text (RFC 4918 §15.4).
  live(dav("getcontentlength"), ALL, (r) => [String(r.kind === "object" ? r.object.size : r.kind === "notification" ? r.item.size : collectionLength(r.href, r.kind))], true),
  live(dav("getlastmodified"), ["object", ...CALENDARISH], (r) => {
    const t = timestamps(r);
    return t ? [httpDate(t.modified)] : undefined;
  }, true),
  live(dav("creationdate"), ["object", ...CALENDARISH], (r) => {
    const t = timestamps(r);
    return t ? [isoDate(t.created)] : undefined;
  }, true),
  live(dav("current-user-principal"), ALL, (_r, ctx) => [hrefEl(hrefs.principal(ctx.user.id))]),
  live(dav("principal-collection-set"), ALL, () => [hrefEl(hrefs.principals())]),
  live(dav("supported-report-set"), ALL, (r, ctx) =>
    ctx.reports(r.kind).map((name) => el(dav("supported-report"), [el(dav("report"), [el(name)])])),
  ),
  // Wherever sync-collection runs (the report table), the token is a property too (RFC 6578 §4).
  live(dav("sync-token"), ["calendar", "inbox"], (r) => (r.kind === "calendar" || r.kind === "inbox" ? [r.collection.syncToken] : undefined)),
  live(dav("quota-used-bytes"), ["home", ...CALENDARISH], (r) => {
    const h = quotaHome(r);
    return h ? [String(h.usedBytes)] : undefined;
  }),
  live(dav("quota-available-bytes"), ["home", ...CALENDARISH], (r, ctx) => {
    const h = quotaHome(r);
    return h ? [String(Math.max(0, ctx.limits.quotaBytes - h.usedBytes))] : undefined;
  }),
  // Locks are not supported (no class 2 in the DAV header): an empty supportedlock says so.
  live(dav("supportedlock"), COLLECTIONS.concat("object"), () => [], false),
];
