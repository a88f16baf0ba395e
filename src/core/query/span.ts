// How long an instance of a component lasts, for the RFC 4791 §9.9 time-range
// rules: RFC 5545 §3.8.5.3 (an end given by DTEND or DUE is an exact
// duration, applied to every instance; DURATION is nominal) and §3.3.6 (weeks
// and days of a DURATION are wall-clock days, hours/minutes/seconds are exact).
// An all-day VEVENT or VJOURNAL without an end lasts one day (§3.6.1, §9.9).
// Floating and DATE values are wall-clock times, read in the given zone.
// toUtcMs() is icalTimeToUtcMs() (ical/time.ts) with each zone's UTC offset
// cached per wall-clock hour: ical.js spends some 5 µs on every lookup, and
// every instance of every recurring event needs one.
import ICAL from "ical.js";
import type { ParsedComponent } from "../ical/component.js";
import { DAY_MS, HOUR_MS, isFloatingTime } from "../ical/time.js";

type Time = ICAL.Time;
export type Zone = ICAL.Timezone | null;

export type Length =
  /** end = start (an instant) */
  | { kind: "instant" }
  /** no end at all (a VTODO without DUE or DURATION) */
  | { kind: "none" }
  /** DTEND/DUE - DTSTART of a zoned DTSTART, in ms */
  | { kind: "exact"; ms: number }
  /** DTEND/DUE - DTSTART of a floating or DATE DTSTART, in wall-clock seconds */
  | { kind: "wall"; seconds: number }
  /** DURATION, or P1D for an all-day event or journal */
  | { kind: "nominal"; duration: ICAL.Duration };

const ONE_DAY = ICAL.Duration.fromData({ days: 1 });

/** Per zone: wall-clock hour (ms / 1h) → UTC offset in seconds, NaN for an hour with a change in it. */
const offsets = new WeakMap<ICAL.Timezone, Map<number, number>>();
const MAX_CACHED_HOURS = 50_000;

function offsetAt(zone: ICAL.Timezone, wall: number): number {
  const d = new Date(wall);
  const tt = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  return zone.utcOffset(tt as ICAL.Time);
}

/** A wall-clock time (ms, fields read as UTC) in a zone, as ms UTC; null, UTC and floating zones read it as UTC. */
export function wallToUtcMs(wall: number, z: ICAL.Timezone | null | undefined): number {
  if (!z || z === ICAL.Timezone.utcTimezone || z.tzid === "UTC" || z.tzid === "floating" || z === ICAL.Timezone.localTimezone) return wall;
  const hour = Math.floor(wall / HOUR_MS);
  let cache = offsets.get(z);
  if (!cache) offsets.set(z, (cache = new Map()));
  let off = cache.get(hour);
  if (off === undefined) {
    const a = offsetAt(z, hour * HOUR_MS);
    off = a === offsetAt(z, hour * HOUR_MS + HOUR_MS - 1000) ? a : NaN;
    if (cache.size >= MAX_CACHED_HOURS) cache.clear();
    cache.set(hour, off);
  }
  if (!Number.isNaN(off)) return wall - off * 1000;
  const d = new Date(wall); // an hour with a change in it: ask ical.js
  const t = new ICAL.Time({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), isDate: false }, z);
  return t.toUnixTime() * 1000;
}

/**
 * ms UTC of a DATE or DATE-TIME, exactly as icalTimeToUtcMs(t, zone): floating
 * times and DATEs in `zone` (UTC if null), others in their own zone.
 */
export function toUtcMs(t: Time, zone: Zone): number {
  return wallToUtcMs(wallSeconds(t) * 1000, isFloatingTime(t) ? zone : t.zone);
}
const INSTANT: Length = { kind: "instant" };
const NONE: Length = { kind: "none" };

/** Seconds since the epoch of a time's wall clock, ignoring its zone. */
export function wallSeconds(t: Time): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.isDate ? 0 : t.hour, t.isDate ? 0 : t.minute, t.isDate ? 0 : t.second) / 1000;
}

function between(start: Time, end: Time, zone: Zone): Length {
  if (isFloatingTime(start)) return { kind: "wall", seconds: wallSeconds(end) - wallSeconds(start) };
  return { kind: "exact", ms: toUtcMs(end, zone) - toUtcMs(start, zone) };
}

/** The length every instance of a component has (RFC 5545 §3.8.5.3). */
export function lengthOf(c: ParsedComponent, zone: Zone): Length {
  const s = c.dtstart;
  if (!s) return c.type === "VTODO" ? NONE : INSTANT;
  switch (c.type) {
    case "VEVENT":
      if (c.dtend) return between(s, c.dtend, zone);
      if (c.duration) return { kind: "nominal", duration: c.duration };
      return s.isDate ? { kind: "nominal", duration: ONE_DAY } : INSTANT;
    case "VTODO":
      if (c.due) return between(s, c.due, zone);
      if (c.duration) return { kind: "nominal", duration: c.duration };
      return NONE;
    case "VJOURNAL":
      return s.isDate ? { kind: "nominal", duration: ONE_DAY } : INSTANT;
    case "VFREEBUSY":
      return INSTANT;
  }
}

/** A copy of `t` moved by whole seconds on its wall clock (a DATE stays a DATE when whole days are added). */
export function addWallSeconds(t: Time, seconds: number): Time {
  const r = t.clone();
  if (seconds === 0) return r;
  if (r.isDate && seconds % 86400 === 0) return r.adjust(seconds / 86400, 0, 0, 0);
  if (r.isDate) r.isDate = false;
  return r.adjust(0, 0, 0, seconds);
}

/** An upper bound of a length in ms, whatever the DST changes. */
export function maxLengthMs(len: Length): number {
  switch (len.kind) {
    case "instant":
    case "none":
      return 0;
    case "exact":
      return Math.max(0, len.ms);
    case "wall":
      return Math.max(0, len.seconds * 1000) + 2 * HOUR_MS;
    case "nominal": {
      // Hours, minutes and seconds are exact (RFC 5545 §3.3.6); only wall-clock days stretch across a change of offset.
      const d = len.duration;
      const days = d.weeks * 7 + d.days;
      return days * DAY_MS + (d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000 + (days > 0 ? 2 * HOUR_MS : 0);
    }
  }
}

/**
 * Adds a duration the RFC 5545 §3.3.6 way: weeks and days on the wall clock,
 * then hours, minutes and seconds exactly. Returns [ms UTC, wall-clock end]
 * where the wall-clock end is null for a zoned start (write it in UTC).
 */
export function addSpan(start: Time, d: ICAL.Duration, zone: Zone): [number, Time | null] {
  const sign = d.isNegative ? -1 : 1;
  const days = sign * (d.weeks * 7 + d.days);
  const seconds = sign * (d.hours * 3600 + d.minutes * 60 + d.seconds);
  if (days === 0 && !isFloatingTime(start)) return [toUtcMs(start, zone) + seconds * 1000, null];
  const t = start.clone();
  if (days !== 0) t.adjust(days, 0, 0, 0);
  if (isFloatingTime(start)) {
    if (seconds !== 0) {
      if (t.isDate) t.isDate = false;
      t.adjust(0, 0, 0, seconds);
    }
    return [toUtcMs(t, zone), t];
  }
  return [toUtcMs(t, zone) + seconds * 1000, null];
}

/** [end ms, wall-clock end or null] of an instance starting at `start` (startMs in UTC). */
export function endAfter(start: Time, startMs: number, len: Length, zone: Zone): [number | null, Time | null] {
  switch (len.kind) {
    case "instant":
      return [startMs, isFloatingTime(start) ? start : null];
    case "none":
      return [null, null];
    case "exact":
      return [startMs + len.ms, null];
    case "wall": {
      if (!isFloatingTime(start)) return [startMs + len.seconds * 1000, null];
      const t = addWallSeconds(start, len.seconds);
      return [toUtcMs(t, zone), t];
    }
    case "nominal":
      return addSpan(start, len.duration, zone);
  }
}
