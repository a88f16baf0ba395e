// Scheduling properties (RFC 6638 §2, §9): the principal's inbox and outbox
// URLs, the inbox's schedule-default-calendar-URL (settable to a calendar of
// the home that holds events), and the Schedule-Tag of scheduling objects.
import { DavError, precondition } from "../errors.js";
import type { CollectionInfo } from "../model.js";
import { hrefs, locate } from "../paths.js";
import { caldav, dav } from "../xml/names.js";
import { childElements, el, textOf, type XmlElement } from "../xml/tree.js";
import { hrefEl, live, stored } from "./define.js";
import type { PropertyDef, Resource } from "./types.js";

export const INBOX = "inbox";
export const OUTBOX = "outbox";
export const DEFAULT_CALENDAR = "calendar";

const holdsEvents = (c: CollectionInfo | undefined) => c !== undefined && c.kind === "calendar" && c.components.includes("VEVENT");

/** The calendar new invitations go to when none was chosen (RFC 6638 §9.2). */
export function fallbackDefaultCalendar(siblings: CollectionInfo[]): CollectionInfo | undefined {
  return siblings.find((c) => c.name === DEFAULT_CALENDAR && holdsEvents(c)) ?? siblings.find(holdsEvents);
}

function validateDefault(value: XmlElement, r: Resource): void {
  const hrefList = childElements(value).filter((c) => c.name === dav("href"));
  if (hrefList.length !== 1) throw new DavError(409, { description: "schedule-default-calendar-URL holds one DAV:href" });
  let path = textOf(hrefList[0]!).trim();
  try {
    path = new URL(path, "http://x").pathname;
  } catch {
    /* checked below */
  }
  const loc = locate(path);
  const siblings = "siblings" in r ? (r.siblings ?? []) : [];
  const target = loc.kind === "collection" && "owner" in r && loc.user === r.owner.id ? siblings.find((c) => c.name === loc.collection) : undefined;
  if (!holdsEvents(target))
    throw precondition(403, caldav("valid-schedule-default-calendar-URL"), "the default calendar must be a calendar of this home that holds events");
}

export const scheduleProperties: PropertyDef[] = [
  live(caldav("schedule-inbox-URL"), ["principal"], (r) => (r.kind === "principal" ? [hrefEl(hrefs.collection(r.principal.id, INBOX))] : undefined)),
  live(caldav("schedule-outbox-URL"), ["principal"], (r) => (r.kind === "principal" ? [hrefEl(hrefs.collection(r.principal.id, OUTBOX))] : undefined)),
  stored(caldav("schedule-default-calendar-URL"), ["inbox"], validateDefault, (r) => {
    if (r.kind !== "inbox") return undefined;
    const c = fallbackDefaultCalendar(r.siblings ?? []);
    return c ? el(caldav("schedule-default-calendar-URL"), [hrefEl(hrefs.collection(r.owner.id, c.name))]) : undefined;
  }, false),
  live(caldav("schedule-tag"), ["object"], (r) => (r.kind === "object" && r.object.scheduleTag ? [`"${r.object.scheduleTag}"`] : undefined)),
];
