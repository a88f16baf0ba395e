// CalDAV properties (RFC 4791 sections 5.2, 6.2, 7.5.1) and the calendar-user
// properties of RFC 6638 section 2.4 that discovery needs.
import { C, DavError, precondition } from "../errors.js";
import { parseCalendarTimezone } from "../ical/parse.js";
import { hrefs } from "../paths.js";
import { COLLATIONS } from "../query/filter.js";
import { caldav } from "../xml/names.js";
import { childElements, el, textOf, type XmlElement } from "../xml/tree.js";
import { hrefEl, live, stored } from "./define.js";
import type { PropertyDef, Resource } from "./types.js";

export const COMPONENTS = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"] as const;

/** RFC 4791 section 5.2.6/5.2.7 want UTC date-times in iCalendar form. */
export const icalUtc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export function textOnly(value: XmlElement, max = 4096): string {
  if (childElements(value).length > 0) throw new DavError(409, { description: `${value.name} takes text only` });
  const t = textOf(value);
  if (t.length > max) throw new DavError(409, { description: `${value.name} is too long` });
  return t;
}

export function validateTimezone(value: XmlElement): void {
  const text = textOnly(value, 256 * 1024);
  try {
    parseCalendarTimezone(text);
  } catch (e) {
    // RFC 4791 section 5.3.1.1 names valid-calendar-data for a bad calendar-timezone.
    throw precondition(403, C.validCalendarData, e instanceof Error ? e.message : "invalid VTIMEZONE");
  }
}

/** Parses a supported-calendar-component-set value (RFC 4791 section 5.2.3). */
export function componentSet(value: XmlElement): string[] {
  const names = childElements(value)
    .filter((c) => c.name === caldav("comp"))
    .map((c) => (c.attrs["name"] ?? "").toUpperCase());
  if (names.length === 0 || names.some((n) => !(COMPONENTS as readonly string[]).includes(n)))
    throw precondition(403, C.supportedCalendarComponent, "supported components are VEVENT, VTODO, VJOURNAL and VFREEBUSY");
  return [...new Set(names)];
}

const calendarOnly = <T>(r: Resource, f: () => T): T | undefined => (r.kind === "calendar" ? f() : undefined);

export const caldavProperties: PropertyDef[] = [
  live(caldav("calendar-home-set"), ["principal"], (r) => (r.kind === "principal" ? [hrefEl(hrefs.home(r.principal.id))] : undefined)),
  live(caldav("calendar-user-address-set"), ["principal"], (r) =>
    r.kind === "principal" ? r.principal.addresses.map(hrefEl) : undefined,
  ),
  live(caldav("calendar-user-type"), ["principal"], (r) => (r.kind === "principal" ? [r.principal.type] : undefined)),
  stored(caldav("calendar-description"), ["calendar"], (v) => void textOnly(v)),
  stored(caldav("calendar-timezone"), ["calendar"], validateTimezone, undefined, false),
  live(caldav("supported-calendar-component-set"), ["calendar", "inbox", "outbox"], (r) =>
    r.kind === "calendar" || r.kind === "inbox" || r.kind === "outbox"
      ? r.collection.components.map((name) => el(caldav("comp"), [], { name }))
      : undefined,
  ),
  live(caldav("supported-calendar-data"), ["calendar"], (r) =>
    calendarOnly(r, () => [el(caldav("calendar-data"), [], { "content-type": "text/calendar", version: "2.0" })]),
  ),
  // The collations text-match takes (RFC 4791 §7.5.1): one place, the filter's own list.
  live(caldav("supported-collation-set"), ["calendar"], (r) =>
    calendarOnly(r, () => COLLATIONS.map((c) => el(caldav("supported-collation"), [c]))),
  ),
  live(caldav("max-resource-size"), ["calendar"], (r, ctx) => calendarOnly(r, () => [String(ctx.limits.maxResourceSize)])),
  live(caldav("min-date-time"), ["calendar"], (r, ctx) => calendarOnly(r, () => [icalUtc(ctx.limits.minDateTime)])),
  live(caldav("max-date-time"), ["calendar"], (r, ctx) => calendarOnly(r, () => [icalUtc(ctx.limits.maxDateTime)])),
  live(caldav("max-instances"), ["calendar"], (r, ctx) => calendarOnly(r, () => [String(ctx.limits.maxInstances)])),
  live(caldav("max-attendees-per-instance"), ["calendar"], (r, ctx) =>
    calendarOnly(r, () => [String(ctx.limits.maxAttendeesPerInstance)]),
  ),
  stored(
    caldav("schedule-calendar-transp"),
    ["calendar"],
    (v) => {
      const kids = childElements(v).map((c) => c.name);
      if (kids.length !== 1 || (kids[0] !== caldav("opaque") && kids[0] !== caldav("transparent")))
        throw new DavError(409, { description: "schedule-calendar-transp takes opaque or transparent" });
    },
    () => el(caldav("schedule-calendar-transp"), [el(caldav("opaque"))]),
    false,
  ),
];
