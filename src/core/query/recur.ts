// Occurrence streams for the recurrence sets of instances.ts: RDATE lists and
// RRULEs (RFC 5545 §3.3.10, §3.8.5.3) walked with ical.js's RecurIterator,
// bounded by ical/recur-guard.ts (a rule that finds no next instance within
// its step bound ends there).
//  - ical.js compares every occurrence with DTSTART and UNTIL in UTC, a zone
//    lookup of some 5 µs each; a rule is wall-clock arithmetic, so the
//    iterator runs on the wall clock labelled UTC (UNTIL converted to the
//    set's zone), and occurrences are converted with span.ts's cached offsets;
//  - ical.js always starts at DTSTART, so a daily event from 2015 queried in
//    2025 would walk 3,650 occurrences: the iterator starts a whole number of
//    periods after DTSTART, shortly before the window (a rule repeats with its
//    period): whole days for DAILY and WEEKLY, whole periods for SECONDLY,
//    MINUTELY and HOURLY, to a period or so before the window (an endless
//    SECONDLY event reaches a window after a few seconds, not a day of them). A COUNT counts from DTSTART,
//    so a rule with COUNT jumps only when it has no BYxxx part: its instances
//    are then exactly DTSTART + k periods, and k of them are behind.
import ICAL from "ical.js";
import "../ical/recur-guard.js";
import { DAY_MS, isFloatingTime } from "../ical/time.js";
import { wallSeconds, wallToUtcMs, type Zone } from "./span.js";
import { toZone } from "../ical/zone-offset.js";

type Time = ICAL.Time;

export interface Stream {
  head: { t: Time | ICAL.Period; ms: number } | null;
  advance(): void;
  /** The head's time is the iterator's own, changes on advance() and reads its wall clock as UTC: own() makes the real time. */
  own?: (t: Time) => Time;
}

export function listStream(items: { t: Time | ICAL.Period; ms: number }[]): Stream {
  let i = 0;
  const s: Stream = { head: items[0] ?? null, advance: () => void (s.head = items[++i] ?? null) };
  return s;
}

type Jump = { days: number } | { seconds: number } | { months: number };

const UNIT_SECONDS: Record<string, number> = { SECONDLY: 1, MINUTELY: 60, HOURLY: 3600 };

/**
 * Where a rule's iterator may start instead of DTSTART: a whole number of the
 * rule's periods later (the set after the first such period is the same,
 * since a rule repeats with its period). null = no jumping (COUNT must count
 * from DTSTART when BYxxx parts skip candidates; month ends and 29 February
 * do not shift cleanly).
 */
function jumpStep(rule: ICAL.Recur, dtstart: Time): Jump | null {
  if (rule.count != null && Object.keys(rule.parts ?? {}).length > 0) return null;
  const n = rule.interval || 1;
  switch (rule.freq) {
    case "SECONDLY":
    case "MINUTELY":
    case "HOURLY":
      return { seconds: n * UNIT_SECONDS[rule.freq]! };
    case "DAILY":
      return { days: n };
    case "WEEKLY":
      return { days: 7 * n };
    case "MONTHLY":
      return dtstart.day <= 28 ? { months: n } : null;
    case "YEARLY":
      return dtstart.month === 2 && dtstart.day === 29 ? null : { months: 12 * n };
    default:
      return null;
  }
}

const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

/**
 * Whether the first period from a shifted start may come out wrong: never for
 * SECONDLY..DAILY (only the shifted start itself may be spurious), nor for a
 * WEEKLY rule whose start is one of its days; else start a period earlier.
 */
function needsWarmUp(rule: ICAL.Recur, dtstart: Time): boolean {
  if (["SECONDLY", "MINUTELY", "HOURLY", "DAILY"].includes(rule.freq)) return false;
  if (rule.freq !== "WEEKLY") return true;
  const parts = Object.keys(rule.parts);
  if (parts.some((p) => p !== "BYDAY" && p !== "BYHOUR" && p !== "BYMINUTE" && p !== "BYSECOND")) return true;
  const days = (rule.parts.BYDAY ?? []) as string[];
  return days.length > 0 && !days.includes(WEEKDAYS[dtstart.dayOfWeek() - 1]!);
}

/**
 * A rule's occurrences in order, with their ms UTC. With `from` (before which
 * no instance can reach the window), the iterator starts at a whole number
 * of periods after DTSTART, at or before `from`; where the first period from
 * there might come out wrong (needsWarmUp), one period earlier still.
 */
export function ruleStream(rule: ICAL.Recur, dtstart: Time, dtstartMs: number, from: number | null, zone: Zone, reach: number | null = from): Stream {
  // ical.js compares every occurrence with DTSTART (and UNTIL) in UTC, a costly zone lookup each;
  // a recurrence is wall-clock arithmetic (RFC 5545 §3.3.10), so iterate a wall clock labelled UTC.
  const target = isFloatingTime(dtstart) ? zone : dtstart.zone;
  const start = asWallClock(dtstart);
  let periods = 0;
  const step = from === null ? null : jumpStep(rule, dtstart);
  if (step && "seconds" in step && reach !== null && reach > dtstartMs) {
    periods = subDailyJump(start, step.seconds, dtstartMs, reach, target);
  } else if (step && from! > dtstartMs) {
    const warmUp = needsWarmUp(rule, dtstart) ? 1 : 0;
    const periodMs = "days" in step ? step.days * DAY_MS : "seconds" in step ? step.seconds * 1000 : step.months * 31 * DAY_MS;
    const k = Math.floor((from! - dtstartMs) / periodMs) - warmUp;
    if (k > 0) {
      periods = k;
      if ("days" in step) start.adjust(k * step.days, 0, 0, 0);
      else if ("seconds" in step) moveSeconds(start, k * step.seconds);
      else {
        const total = start.year * 12 + start.month - 1 + k * step.months;
        start.year = Math.floor(total / 12);
        start.month = (total % 12) + 1;
      }
    }
  }
  let r = wallRule(rule, target);
  if (periods > 0 && rule.count != null) {
    // Without BYxxx parts every period holds one instance: `periods` of them are behind the start.
    if (rule.count <= periods) return listStream([]);
    r = r === rule ? rule.clone() : r;
    r.count = rule.count - periods;
  }
  const it = r.iterator(start);
  const s: Stream = {
    head: null,
    advance: () => {
      const next = it.next() as Time | null | undefined;
      s.head = next ? { t: next, ms: wallToUtcMs(wallSeconds(next) * 1000, target) } : null;
    },
    own: (t) => {
      const real = t.clone();
      real.zone = dtstart.zone;
      return real;
    },
  };
  s.advance();
  return s;
}

function moveSeconds(t: Time, seconds: number): void {
  t.adjust(Math.floor(seconds / 86_400), 0, 0, seconds % 86_400);
}

/**
 * Moves a SECONDLY, MINUTELY or HOURLY rule's start (a wall clock read as
 * UTC) by whole periods to the last one whose real time is at least a period
 * and an hour before `reach` (before which no instance can reach the window;
 * the hour covers wall-clock times repeated when daylight saving ends), the
 * real time computed as every occurrence's is, whatever the zone's offsets
 * between DTSTART and the window. Returns the periods moved.
 */
function subDailyJump(start: Time, periodSeconds: number, dtstartMs: number, reach: number, zone: ICAL.Timezone | null | undefined): number {
  const periodMs = periodSeconds * 1000;
  const aim = reach - periodMs - 3_600_000;
  const wall0 = wallSeconds(start) * 1000;
  let k = Math.max(0, Math.floor((aim - dtstartMs) / periodMs));
  // The offset may differ between DTSTART and the aim: correct by what the conversion says (a few rounds at most).
  for (let round = 0; round < 4 && k > 0; round++) {
    const real = wallToUtcMs(wall0 + k * periodMs, zone);
    if (real <= aim) break;
    k = Math.max(0, k - Math.ceil((real - aim) / periodMs));
  }
  if (k > 0 && wallToUtcMs(wall0 + k * periodMs, zone) > aim) k = Math.max(0, k - Math.ceil((3 * 3_600_000) / periodMs));
  if (k > 0) moveSeconds(start, k * periodSeconds);
  return k;
}

/** A copy of a time whose wall clock is read as UTC. */
function asWallClock(t: Time): Time {
  return new ICAL.Time({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, isDate: t.isDate }, ICAL.Timezone.utcTimezone);
}

/** The rule with UNTIL as a wall clock in the zone of the set (read as UTC), to go with asWallClock(). */
function wallRule(rule: ICAL.Recur, target: ICAL.Timezone | null | undefined): ICAL.Recur {
  const until = rule.until;
  if (!until) return rule;
  const local = until.isDate || isFloatingTime(until) ? until : toZone(until, target && target.tzid !== "floating" ? target : ICAL.Timezone.utcTimezone);
  const r = rule.clone();
  r.until = asWallClock(local);
  return r;
}
