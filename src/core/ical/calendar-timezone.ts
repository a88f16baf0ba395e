// The CALDAV:calendar-timezone property (RFC 4791 §5.2.2): a VCALENDAR holding
// exactly one VTIMEZONE and nothing else, checked with CALDAV:valid-calendar-timezone
// (RFC 4791 §5.3.2.1 / RFC 7809 §5.2). Also turns the property, or an IANA
// name (RFC 7809 calendar-timezone-id / timezone-id), into a ready ICAL.Timezone
// for evaluating floating times and DATEs (RFC 4791 §9.9). A definition given
// governs, as in objects (timezones.ts): Europe/Berlin with other rules than
// the IANA zone's is evaluated by its own rules.
import ICAL from "ical.js";
import { C, DavError, precondition } from "../errors.js";
import { checkStructure, parseText } from "./scan.js";
import { checkVtimezone, ianaTimezone, ianaVtimezoneText, isIanaName, normalizeTzid, resolveTimezone } from "./timezones.js";

export interface CalendarTimezone {
  /** The TZID, trimmed of whitespace and quotes. */
  tzid: string;
  /** The IANA name if the TZID is one, else null. The definition still governs (RFC 5545 §3.6.5): it shares the IANA zone only when it has the IANA rules. */
  iana: string | null;
}

const invalidTz = (description: string) => precondition(403, C.validCalendarTimezone, description);

function vtimezoneOf(text: string): { vtz: ICAL.Component; tzid: string } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  checkStructure(body, invalidTz);
  const vcalendar = new ICAL.Component(parseText(body, invalidTz));
  const subs = vcalendar.getAllSubcomponents();
  if (subs.length !== 1 || subs[0]!.name !== "vtimezone") {
    throw invalidTz(`expected exactly one VTIMEZONE and no other component, found ${subs.map((s) => s.name.toUpperCase()).join(", ") || "none"}`);
  }
  const vtz = subs[0]!;
  const raw = vtz.getFirstPropertyValue("tzid");
  const tzid = typeof raw === "string" ? normalizeTzid(raw) : "";
  if (!tzid) throw invalidTz("the VTIMEZONE has no TZID");
  return { vtz, tzid };
}

/** Validates a CALDAV:calendar-timezone value; throws 403 valid-calendar-timezone. */
export function parseCalendarTimezone(text: string): CalendarTimezone {
  const { vtz, tzid } = vtimezoneOf(text);
  try {
    checkVtimezone(vtz, tzid);
    if (!resolveTimezone(tzid, vtz)) throw invalidTz(`VTIMEZONE "${tzid}" cannot be used`);
  } catch (e) {
    if (e instanceof DavError) throw invalidTz(e.message);
    throw e;
  }
  return { tzid, iana: isIanaName(tzid) ? tzid : null };
}

/** Zones of recent calendar-timezone texts, keyed by the exact text (no hash another client could collide with). */
const fromText = new Map<string, ICAL.Timezone>();
const MAX_CACHED = 200;
/** Longer texts are resolved every time rather than kept. */
const MAX_CACHED_TEXT = 16_384;

/**
 * The zone a stored CALDAV:calendar-timezone value (or a query's
 * CALDAV:timezone) stands for: its own definition, which shares the IANA zone
 * when it has the IANA rules (timezones.ts), cached. Throws like
 * parseCalendarTimezone() if the text is not valid.
 */
export function calendarTimezoneZone(text: string): ICAL.Timezone {
  const cached = fromText.get(text);
  if (cached) return cached;
  const { vtz, tzid } = vtimezoneOf(text);
  let zone: ICAL.Timezone | undefined;
  try {
    checkVtimezone(vtz, tzid);
    zone = resolveTimezone(tzid, vtz)?.zone;
  } catch (e) {
    if (e instanceof DavError) throw invalidTz(e.message);
    throw e;
  }
  if (!zone) throw invalidTz(`VTIMEZONE "${tzid}" cannot be used`);
  if (text.length <= MAX_CACHED_TEXT) {
    if (fromText.size >= MAX_CACHED) fromText.clear();
    fromText.set(text, zone);
  }
  return zone;
}

/**
 * A complete CALDAV:calendar-timezone value (VCALENDAR + VTIMEZONE, CRLF) for an
 * IANA name, e.g. to answer for a calendar-timezone-id (RFC 7809 §5.2); null if unknown.
 */
export function ianaCalendarTimezoneText(name: string): string | null {
  const block = ianaVtimezoneText(name);
  if (!block) return null;
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//edge-caldav//timezones//EN\r\n${block}\r\nEND:VCALENDAR\r\n`;
}

export { ianaTimezone };
