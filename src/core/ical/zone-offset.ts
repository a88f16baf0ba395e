// UTC offsets of a zone, read as RFC 5545 §3.3.5 says. A local time in a gap
// (clocks spring forward) takes the offset from before the gap, so
// TZID=Europe/Berlin:20250330T023000 is 01:30Z; a local time that occurs twice
// (clocks fall back) is its first occurrence. ical.js reads both the other way
// (post-gap offset, second occurrence) and gives no offset at all (0) before a
// zone's first transition; it also turns a UTC instant into local time by
// reading the UTC wall clock as local, an hour off next to a transition.
import ICAL from "ical.js";
import { icalTimeToUtcMs, utcMs } from "./time.js";

type Timezone = ICAL.Timezone;
interface Wall { year: number; month: number; day: number; hour: number; minute: number; second: number }
interface Change extends Wall { utcOffset: number; prevUtcOffset: number }
/** Per zone table, per transition: the instant it happens and the first local time it governs (both as ms). */
interface Table { n: number; at: Float64Array; from: Float64Array }

const tables = new WeakMap<Timezone, Table>();

/** Years from this one on are read in the year with the same weekday layout within 2072-2099 (28-year cycle), so tables never grow past 2105. */
export const FAR_YEAR = 2100;
export function foldYear(year: number): number {
  return year < FAR_YEAR ? year : 2072 + ((year - 2072) % 28);
}

function table(zone: Timezone): Table {
  const changes = zone.changes as Change[];
  const had = tables.get(zone);
  if (had && had.n === changes.length) return had;
  const at = new Float64Array(changes.length);
  const from = new Float64Array(changes.length);
  changes.forEach((c, i) => {
    at[i] = utcMs(c.year, c.month, c.day, c.hour, c.minute, c.second);
    // The local times from the later of the change's two readings on are the new offset's, without doubt.
    from[i] = at[i]! + Math.max(c.utcOffset, c.prevUtcOffset) * 1000;
  });
  const made = { n: changes.length, at, from };
  tables.set(zone, made);
  return made;
}

/** The index of the last entry ≤ x in a sorted array, or -1. */
function lastAtOrBefore(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function offsetAfter(zone: Timezone, index: number): number {
  const changes = zone.changes as Change[];
  return index < 0 ? changes[0]!.prevUtcOffset : changes[index]!.utcOffset;
}

/** Seconds east of UTC of a local wall-clock time in `zone` (RFC 5545 §3.3.5). */
export function localOffset(zone: Timezone, wall: Wall): number {
  zone._ensureCoverage(wall.year);
  if (!zone.changes.length) return 0;
  const local = utcMs(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second);
  return offsetAfter(zone, lastAtOrBefore(table(zone).from, local));
}

/** Seconds east of UTC in `zone` at an instant (ms since the epoch). */
export function instantOffset(zone: Timezone, ms: number): number {
  if (zone === ICAL.Timezone.utcTimezone || zone.tzid === "UTC") return 0;
  const d = new Date(ms);
  const year = foldYear(d.getUTCFullYear());
  const at = year === d.getUTCFullYear() ? ms : utcMs(year, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  zone._ensureCoverage(year);
  if (!zone.changes.length) return 0;
  return offsetAfter(zone, lastAtOrBefore(table(zone).at, at));
}

/** A DATE-TIME in `zone` for the same instant as `t` (a DATE stays as it is). */
export function toZone(t: ICAL.Time, zone: Timezone): ICAL.Time {
  if (t.isDate) return t.clone();
  const ms = icalTimeToUtcMs(t);
  const wall = new Date(ms + instantOffset(zone, ms) * 1000);
  const out = new ICAL.Time(
    { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds(), isDate: false },
    zone,
  );
  return out;
}
