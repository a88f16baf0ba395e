// Evaluating iCalendar DATE and DATE-TIME values as UTC instants (RFC 5545
// §3.3.4, §3.3.5). Floating times and all-day DATEs have no zone of their own:
// RFC 4791 §9.9 evaluates them in the calendar's timezone (CALDAV:calendar-timezone,
// §5.2.2), or in the query's CALDAV:timezone (§9.8); UTC when neither is given.
import ICAL from "ical.js";

type Time = ICAL.Time;
type Timezone = ICAL.Timezone;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** How far a floating time can move when a zone is applied: UTC-12 ... UTC+14. */
export const FLOATING_SLACK_MS = 14 * HOUR_MS;

/** True for an all-day DATE or a DATE-TIME without TZID and without Z. */
export function isFloatingTime(t: Time): boolean {
  return t.isDate || !t.zone || t.zone.tzid === "floating";
}

/**
 * Milliseconds since the epoch (UTC) of a DATE or DATE-TIME. A DATE means its
 * midnight. Floating times and DATEs are read as wall-clock time in `zone`
 * (the calendar's or the query's timezone), UTC if it is null or omitted.
 */
export function icalTimeToUtcMs(t: Time, zone?: Timezone | null): number {
  if (!isFloatingTime(t)) return t.toUnixTime() * 1000;
  const h = t.isDate ? 0 : t.hour;
  const m = t.isDate ? 0 : t.minute;
  const s = t.isDate ? 0 : t.second;
  if (!zone || zone.tzid === "UTC" || zone.tzid === "floating") return utcMs(t.year, t.month, t.day, h, m, s);
  const local = new ICAL.Time({ year: t.year, month: t.month, day: t.day, hour: h, minute: m, second: s, isDate: false }, zone);
  return local.toUnixTime() * 1000;
}

/** A UTC ICAL.Time for an instant, e.g. the bounds of a CALDAV:time-range. */
export function utcMsToIcalTime(ms: number): Time {
  const t = ICAL.Time.fromJSDate(new Date(ms), true);
  return t;
}

/**
 * Parses a CALDAV:time-range start/end attribute (RFC 4791 §9.9: a DATE-TIME
 * in UTC, "20060104T000000Z"). Returns ms since the epoch, or null if malformed.
 */
export function parseUtcDateTime(value: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return null;
  return utcMs(y, mo, d, h, mi, s);
}

/** Date.UTC with a 1-based month, correct for years 0-99 too. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year >= 100) return ms;
  const d = new Date(ms);
  d.setUTCFullYear(year);
  return d.getTime();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Formats ms since the epoch as an iCalendar UTC DATE-TIME ("20060104T140000Z"). */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** End of a span that starts at `start` and lasts `duration` (nominal: days/weeks are wall-clock days). */
export function addDuration(start: Time, duration: ICAL.Duration): Time {
  const end = start.clone();
  end.addDuration(duration);
  return end;
}
