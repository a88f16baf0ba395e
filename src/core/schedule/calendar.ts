// iCalendar text in and out for the scheduling core. A text is read twice:
// as raw jCal (RFC 7265), the only form ever changed and serialized, so TZIDs,
// VTIMEZONEs and unknown properties survive as written; and as an ical.js
// component with its timezones hoisted (../ical/hoist.ts), read-only, for
// evaluating times. Also the instance keys used for RECURRENCE-ID matching
// (RFC 5545 §3.8.4.4), calendar-user addresses (RFC 6638 §2.4.1) and the
// SCHEDULE-AGENT default (RFC 6638 §7.1).
import ICAL from "ical.js";
import { normalizeAddress } from "../directory.js";
import type { DavError } from "../errors.js";
import { hoistTimezones } from "../ical/hoist.js";
import { cloneJCal } from "../ical/jcal-clone.js";
import { checkStructure, parseText } from "../ical/scan.js";
import { formatUtc, icalTimeToUtcMs, isFloatingTime } from "../ical/time.js";
import { ianaNameFor, ianaVtimezoneText } from "../ical/timezones.js";
import type { Now, ScheduleAgent } from "./types.js";

/** jCal property: [name, params, type, ...values]. */
export type JProp = [string, Record<string, unknown>, string, ...unknown[]];
/** jCal component: [name, properties, subcomponents]. */
export type JComp = [string, JProp[], JComp[]];

export const CALENDAR_COMPONENTS = new Set(["vevent", "vtodo", "vjournal", "vfreebusy"]);
/**
 * Parameters the server owns (RFC 6638 §7), never sent in a message, plus the reply-ordering stamp older versions
 * kept on ATTENDEE (now in the home's index: inbound-reply.ts reads it once and removes it).
 */
export const REPLY_STAMP = "x-edge-caldav-reply-dtstamp";
export const SERVER_PARAMS = ["schedule-agent", "schedule-status", "schedule-force-send", REPLY_STAMP];

export interface Item {
  /** Raw jCal, a reference into Cal.top: change it only on a Cal you own. */
  raw: JComp;
  /** Hoisted ical.js component, for evaluation only. */
  ev: ICAL.Component;
  rid: string;
}

export interface Cal {
  top: JComp;
  items: Item[];
  timezones: JComp[];
  uid: string;
  /** Lower-case component name, e.g. "vevent". */
  type: string;
}

/** Reads one VCALENDAR; `fail` builds the error for unparseable text. Unknown TZIDs throw valid-calendar-data (403). */
export function readCal(text: string, fail: (description: string) => DavError): Cal {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  checkStructure(body, fail);
  const top = parseText(body, fail) as unknown as JComp;
  const evCal = new ICAL.Component(cloneJCal(top) as unknown as unknown[]);
  hoistTimezones(evCal);
  const raws = top[2].filter((c) => CALENDAR_COMPONENTS.has(c[0]));
  const evs = evCal.getAllSubcomponents().filter((c) => CALENDAR_COMPONENTS.has(c.name));
  const items = raws.map((raw, i): Item => ({ raw, ev: evs[i]!, rid: ridOf(evs[i]!) }));
  const first = items[0];
  if (!first) throw fail("no VEVENT, VTODO, VJOURNAL or VFREEBUSY component");
  return {
    top,
    items,
    timezones: top[2].filter((c) => c[0] === "vtimezone"),
    uid: String(first.ev.getFirstPropertyValue("uid") ?? "").trim(),
    type: first.raw[0],
  };
}

export const masterOf = (cal: Cal): Item | undefined => cal.items.find((i) => i.rid === "");
export const itemAt = (cal: Cal, rid: string): Item | undefined => cal.items.find((i) => i.rid === rid);

/** VCALENDAR text (CRLF, final CRLF) of a jCal component tree. */
export function serialize(top: JComp): string {
  return new ICAL.Component(top as unknown as unknown[]).toString().replace(/\r?\n/g, "\r\n") + "\r\n";
}

export const clone = cloneJCal;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/**
 * An instance key: "YYYYMMDD" for a DATE, "YYYYMMDDTHHMMSS" for a floating
 * time, else the UTC instant "YYYYMMDDTHHMMSSZ" (so any TZID form of the same
 * instant gives the same key).
 */
export function timeKey(t: ICAL.Time): string {
  const date = `${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}`;
  if (t.isDate) return date;
  if (isFloatingTime(t)) return `${date}T${pad(t.hour)}${pad(t.minute)}${pad(t.second)}`;
  return formatUtc(icalTimeToUtcMs(t));
}

export function ridOf(ev: ICAL.Component): string {
  const t = ev.getFirstPropertyValue("recurrence-id");
  return t instanceof ICAL.Time ? timeKey(t) : "";
}

/** "20250101T100000Z" → "2025-01-01T10:00:00Z" (jCal form); DATE keys → "2025-01-01". */
export function keyToJcal(key: string): { type: "date" | "date-time"; value: string } {
  const d = `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}`;
  if (key.length === 8) return { type: "date", value: d };
  return { type: "date-time", value: `${d}T${key.slice(9, 11)}:${key.slice(11, 13)}:${key.slice(13, 15)}${key.endsWith("Z") ? "Z" : ""}` };
}

/** An ICAL.Time for an instance key (UTC keys in UTC, others floating). */
export function keyToTime(key: string): ICAL.Time {
  const { value } = keyToJcal(key);
  const t = key.length === 8 ? ICAL.Time.fromDateString(value) : ICAL.Time.fromDateTimeString(value);
  if (key.endsWith("Z")) t.zone = ICAL.Timezone.utcTimezone;
  return t;
}

export const nowMs = (now?: Now): number => (now === undefined ? Date.now() : typeof now === "number" ? now : now.getTime());
/** DTSTAMP for a message generated at `now` (RFC 6638 §3.2.5). */
export const stampOf = (now?: Now): string => formatUtc(nowMs(now));

/** A calendar-user address in the normalized form: "mailto:" lower-cased; other URIs trimmed and lower-cased. */
export function normAddress(raw: unknown): string {
  const s = String(raw ?? "").trim();
  return normalizeAddress(s) ?? s.toLowerCase();
}

export function agentOf(params: Record<string, unknown>): ScheduleAgent {
  const a = params["schedule-agent"];
  if (a === undefined) return "SERVER";
  const v = String(a).toUpperCase();
  return v === "SERVER" || v === "CLIENT" ? v : "NONE";
}

// ---- jCal helpers ----

export const propsOf = (c: JComp, name: string): JProp[] => c[1].filter((p) => p[0] === name);
export const propOf = (c: JComp, name: string): JProp | undefined => c[1].find((p) => p[0] === name);
export const removeProps = (c: JComp, ...names: string[]): void => {
  c[1] = c[1].filter((p) => !names.includes(p[0]));
};

/** Replaces the first property named like `p` in place (others of that name removed), or appends it. */
export function setProp(c: JComp, p: JProp): void {
  const i = c[1].findIndex((q) => q[0] === p[0]);
  if (i < 0) {
    c[1].push(p);
    return;
  }
  c[1][i] = p;
  c[1] = c[1].filter((q, j) => j <= i || q[0] !== p[0]);
}

export const attendeeProps = (c: JComp): JProp[] => propsOf(c, "attendee");
export const findAttendee = (c: JComp, address: string): JProp | undefined =>
  attendeeProps(c).find((p) => normAddress(p[3]) === address);

/** The ATTENDEE addresses (normalized) a copy lists, of the series and of every instance. */
export function attendeesOf(text: string, fail: (description: string) => DavError): Set<string> {
  return new Set(readCal(text, fail).items.flatMap((i) => attendeeProps(i.raw).map((p) => normAddress(p[3]))));
}

/**
 * Whether `address` answers for someone the copy invited: it is among `listed` (attendeesOf the copy), or the message
 * names one of them as its DELEGATED-FROM (RFC 5546 §3.2.2.3: a delegate answers before the organizer adds it).
 */
export function answersForInvited(listed: ReadonlySet<string>, messageText: string, address: string, fail: (description: string) => DavError): boolean {
  return listed.has(normAddress(address)) || delegatorsOf(messageText, address, fail).some((d) => listed.has(d));
}

/** The DELEGATED-FROM addresses (RFC 5545 §3.2.4) of the ATTENDEE `address` in a calendar's components. */
export function delegatorsOf(text: string, address: string, fail: (description: string) => DavError): string[] {
  const wanted = normAddress(address);
  return readCal(text, fail).items.flatMap((i) => {
    const from = findAttendee(i.raw, wanted)?.[1]["delegated-from"];
    return (Array.isArray(from) ? from : from === undefined ? [] : [from]).map(normAddress);
  });
}

export function stripParams(c: JComp, names: readonly string[]): void {
  for (const p of c[1]) {
    if (p[0] !== "attendee" && p[0] !== "organizer") continue;
    for (const n of names) delete p[1][n];
  }
}

export const setDtstamp = (c: JComp, stamp: string): void => setProp(c, ["dtstamp", {}, "date-time", keyToJcal(stamp).value]);
export const sequenceOf = (c: JComp): number => {
  const v = Number(propOf(c, "sequence")?.[3] ?? 0);
  return Number.isFinite(v) ? v : 0;
};

/** TZIDs named by any property of the components (recursively). */
export function tzidsOf(comps: JComp[]): Set<string> {
  const out = new Set<string>();
  const visit = (c: JComp) => {
    for (const p of c[1]) if (typeof p[1]["tzid"] === "string") out.add(p[1]["tzid"] as string);
    c[2].forEach(visit);
  };
  comps.forEach(visit);
  return out;
}

/** The VTIMEZONEs the components need: from `sources` as written, else the IANA definition for a known zone name. */
export function timezonesFor(comps: JComp[], sources: JComp[]): JComp[] {
  const out: JComp[] = [];
  for (const tzid of tzidsOf(comps)) {
    const found = sources.find((z) => String(propOf(z, "tzid")?.[3] ?? "") === tzid);
    if (found) {
      out.push(clone(found));
      continue;
    }
    const iana = ianaNameFor(tzid);
    const text = iana ? ianaVtimezoneText(iana) : null;
    if (!text) continue;
    const vtz = ICAL.parse(text) as unknown as JComp;
    setProp(vtz, ["tzid", {}, "text", tzid]);
    out.push(vtz);
  }
  return out;
}

/** A VCALENDAR around the components: VERSION, PRODID and CALSCALE of `from`, METHOD if given, the VTIMEZONEs needed. */
export function wrap(from: JComp | null, comps: JComp[], method: string | null, tzSources: JComp[]): JComp {
  const props: JProp[] = [["version", {}, "text", "2.0"]];
  const prodid = from && propOf(from, "prodid");
  props.push(prodid ? clone(prodid) : ["prodid", {}, "text", "-//edge-caldav//scheduling//EN"]);
  const calscale = from && propOf(from, "calscale");
  if (calscale) props.push(clone(calscale));
  if (method) props.push(["method", {}, "text", method]);
  return ["vcalendar", props, [...timezonesFor(comps, tzSources), ...comps]];
}
