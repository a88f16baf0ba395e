// What a person reads of an iTIP message (RFC 6047 §2.4 leaves the text
// parts to the sender; RFC 5546 §3.2 says what each method means): the
// event's title, when it is (in the event's own time zone, named, since a
// mail recipient's zone is unknown), where, who organizes, who is invited and
// how they answered, which instances a message is about, and for updates
// what changed since the recipient last heard of it. Pure: from the message
// text to plain data, and a comparison of two such views.
import type ICAL from "ical.js";
import { ianaNameFor } from "../ical/timezones.js";
import { normAddress, readCal } from "../schedule/calendar.js";
import { invalidMessage } from "../schedule/itip.js";

export interface Person {
  name: string;
  /** "mailto:" address, normalized. */
  address: string;
  partstat?: string;
}

export interface EventView {
  method: string;
  uid: string;
  summary: string;
  location: string;
  description: string;
  /** "Tuesday 8 December 2026, 10:00 – 11:00 (Europe/Paris)". */
  when: string;
  recurring: boolean;
  /** The instances the message is about when it is not the whole event (per-instance CANCEL or REQUEST). */
  instances: string[];
  organizer: Person;
  attendees: Person[];
  sequence: number;
}

/** Bounds on what is shown: a meeting of 1,000 lists the first of them. */
const MAX_LISTED = 50;
const MAX_TEXT = 2_000;

const clip = (s: string, n = MAX_TEXT) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const str = (ev: ICAL.Component, name: string) => clip(String(ev.getFirstPropertyValue(name) ?? "").trim());

function person(p: ICAL.Property): Person {
  const name = String(p.getParameter("cn") ?? "").trim();
  const partstat = p.getParameter("partstat");
  return { name: clip(name, 200), address: normAddress(p.getFirstValue()), ...(partstat ? { partstat: String(partstat).toUpperCase() } : {}) };
}

/** The zone a time is shown in: its TZID as IANA names it, UTC, or "floating" for a time without zone. */
function zoneOf(t: ICAL.Time, prop: ICAL.Property | null): { iana: string; label: string } {
  const tzid = prop?.getParameter("tzid");
  if (typeof tzid === "string") {
    // A zone IANA does not name (a made-up definition) is shown in UTC; its instant is right either way.
    const iana = ianaNameFor(tzid);
    return iana ? { iana, label: iana } : { iana: "UTC", label: "UTC" };
  }
  return t.zone?.tzid === "floating" ? { iana: "UTC", label: "local time" } : { iana: "UTC", label: "UTC" };
}

function formatTime(t: ICAL.Time, iana: string, withDate: boolean): string {
  if (t.isDate) {
    return new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
      .format(Date.UTC(t.year, t.month - 1, t.day));
  }
  // A floating time is the same wall-clock time everywhere: shown as written.
  const ms = t.zone?.tzid === "floating" ? Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) : t.toUnixTime() * 1000;
  const zone = t.zone?.tzid === "floating" ? "UTC" : iana;
  const opts: Intl.DateTimeFormatOptions = withDate
    ? { weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone }
    : { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone };
  return new Intl.DateTimeFormat("en-GB", opts).format(ms).replace(" at ", ", ");
}

/** When a component happens, in its own zone, named. */
export function whenOf(ev: ICAL.Component): string {
  const startProp = ev.getFirstProperty("dtstart");
  const start = startProp?.getFirstValue() as ICAL.Time | undefined;
  if (!start) return "";
  const end = (ev.getFirstPropertyValue("dtend") ?? ev.getFirstPropertyValue("due")) as ICAL.Time | null;
  const zone = zoneOf(start, startProp);
  const from = formatTime(start, zone.iana, true);
  if (start.isDate) {
    const last = end && end.isDate ? end.clone() : null;
    if (last) last.adjust(-1, 0, 0, 0);
    return last && last.compare(start) > 0 ? `${from} – ${formatTime(last, zone.iana, true)} (all day)` : `${from} (all day)`;
  }
  if (!end || end.isDate) return `${from} (${zone.label})`;
  const day = (t: ICAL.Time) => new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeZone: t.zone?.tzid === "floating" ? "UTC" : zone.iana })
    .format(t.zone?.tzid === "floating" ? Date.UTC(t.year, t.month - 1, t.day) : t.toUnixTime() * 1000);
  const sameDay = day(start) === day(end);
  return `${from} – ${formatTime(end, zone.iana, !sameDay)} (${zone.label})`;
}

/** The view of an iTIP message; throws valid-scheduling-message for text that is none. */
export function viewOf(text: string): EventView {
  const cal = readCal(text, invalidMessage);
  const method = String(cal.top[1].find((p) => p[0] === "method")?.[3] ?? "").toUpperCase();
  const master = cal.items.find((i) => i.rid === "");
  const main = (master ?? cal.items[0]!).ev;
  const organizerProp = main.getFirstProperty("organizer");
  const attendees = new Map<string, Person>();
  for (const item of cal.items) {
    for (const p of item.ev.getAllProperties("attendee")) {
      const a = person(p);
      if (!attendees.has(a.address) && attendees.size < MAX_LISTED) attendees.set(a.address, a);
    }
  }
  return {
    method,
    uid: cal.uid,
    summary: str(main, "summary") || "(no title)",
    location: str(main, "location"),
    description: str(main, "description"),
    when: whenOf(main),
    recurring: !!master?.ev.getFirstProperty("rrule") || !!master?.ev.getFirstProperty("rdate"),
    instances: master ? [] : cal.items.slice(0, MAX_LISTED).map((i) => whenOf(i.ev)),
    organizer: organizerProp ? person(organizerProp) : { name: "", address: "" },
    attendees: [...attendees.values()],
    sequence: Math.max(0, ...cal.items.map((i) => Number(i.ev.getFirstPropertyValue("sequence") ?? 0) || 0)),
  };
}

/** What changed between the view a recipient last received and this one ("What: A → B"), for updates. */
export function changesBetween(before: EventView | null, after: EventView): string[] {
  if (!before) return [];
  const out: string[] = [];
  const fields: Array<[string, keyof EventView]> = [["Title", "summary"], ["When", "when"], ["Where", "location"], ["Description", "description"]];
  for (const [label, key] of fields) {
    const a = before[key] as string;
    const b = after[key] as string;
    if (a !== b) out.push(key === "description" ? `${label} changed` : `${label}: ${a || "(none)"} → ${b || "(none)"}`);
  }
  const was = new Set(before.attendees.map((a) => a.address));
  const is = new Set(after.attendees.map((a) => a.address));
  const added = after.attendees.filter((a) => !was.has(a.address)).map(label);
  const removed = before.attendees.filter((a) => !is.has(a.address)).map(label);
  if (added.length) out.push(`Invited: ${added.join(", ")}`);
  if (removed.length) out.push(`No longer invited: ${removed.join(", ")}`);
  return out;
}

/** "Name <address>" or the address alone. */
export function label(p: Person): string {
  const address = p.address.replace(/^mailto:/, "");
  return p.name ? `${p.name} <${address}>` : address;
}
