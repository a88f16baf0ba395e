// The instances of a calendar object resource, for CALDAV:time-range (RFC 4791
// §9.9), CALDAV:expand and limit-recurrence-set (§9.6.5, §9.6.6) and free-busy
// (§7.10): the recurrence set of RFC 5545 §3.8.5 (DTSTART, RRULE, RDATE with
// PERIOD values, EXDATE) with overrides (§3.8.4.4 RECURRENCE-ID) replacing
// their instance and RANGE=THISANDFUTURE overrides moving every later one
// (§3.2.13). Lengths follow §3.8.5.3: DTEND/DUE give an exact duration,
// DURATION a nominal one (§3.3.6: weeks and days are wall-clock days).
// Floating and DATE values are read in the given zone (UTC when null).
// A VTODO without DTSTART recurs from its DUE (component.ts `anchor`): each
// of its instances has that DUE as its end and no start, the §9.9 row for
// DUE alone.
//
// Expansion is bounded by a window: it stops past the window's end, and rule
// iterators start shortly before the window (recur.ts). One walk draws at
// most LIMITS.occurrencesPerWalk occurrences and spends at most
// LIMITS.stepsPerWalk steps (ical/limits.ts; each occurrence drawn is a step,
// and so is every candidate the rule iterators test); past either (an endless
// SECONDLY event over ten years, say) the walk reports "capped": the set
// could not be walked, and callers say so (queries answer
// DAV:number-of-matches-within-limits; the index stays coarse). A meter of
// the caller's (an object's or a request's budget, ical/recur-guard.ts) that
// runs out ends the walk with its StepLimit.
import ICAL from "ical.js";
import type { ParsedComponent } from "../ical/component.js";
import { LIMITS } from "../ical/limits.js";
import { metered, spend, StepLimit } from "../ical/recur-guard.js";
import { DAY_MS, FLOATING_SLACK_MS, HOUR_MS, isFloatingTime, utcMsToIcalTime } from "../ical/time.js";
import { listStream, ruleStream, type Stream } from "./recur.js";
import { addWallSeconds, endAfter, lengthOf, maxLengthMs, toUtcMs, wallSeconds, type Length, type Zone } from "./span.js";

type Time = ICAL.Time;

/** Most occurrences one walk draws from a recurrence set. */
export const MAX_ITERATIONS: number = LIMITS.occurrencesPerWalk;

export interface Window {
  /** ms UTC; null = unbounded. */
  start: number | null;
  end: number | null;
}

export interface Instance {
  /** The component whose properties the instance has: the master, or an override (also for instances a THISANDFUTURE override moved). */
  component: ParsedComponent;
  isOverride: boolean;
  /** The instance's original start in the recurrence set (its RECURRENCE-ID); null when the master does not recur. */
  recurrenceId: Time | null;
  recurrenceIdMs: number | null;
  /** DTSTART of the instance (null: a VTODO without DTSTART). */
  startTime: Time | null;
  start: number | null;
  /** VEVENT: its end (= start for an instant); VTODO: DUE or DTSTART+DURATION (null if neither); VJOURNAL: start, or +1 day for a DATE. */
  end: number | null;
  /** The end as a wall-clock time when start is floating or a DATE; null when `end` is best written in UTC. */
  endTime: Time | null;
  /** The end came from an RDATE PERIOD value. */
  periodEnd: boolean;
}

export type Walk = "complete" | "stopped" | "capped";

export interface Source {
  master: ParsedComponent | null;
  overrides: ParsedComponent[];
}

export const isRecurring = (c: ParsedComponent): boolean => c.rrules.length > 0 || c.rdates.length > 0;

/**
 * The one instance of a component placed at `at` (its own anchor when
 * omitted): its DTSTART, or its DUE for a VTODO that recurs from DUE.
 */
export function instanceOf(c: ParsedComponent, zone: Zone, at: Time | null = c.anchor, rid: Time | null = null, len: Length = lengthOf(c, zone), isOverride = !!c.recurrenceId): Instance {
  const ridTime = rid ?? c.recurrenceId;
  const base = { component: c, isOverride, recurrenceId: ridTime, recurrenceIdMs: ridTime ? toUtcMs(ridTime, zone) : null, periodEnd: false };
  if (!c.dtstart && c.type === "VTODO") {
    // Anchored on DUE (or undated): no start, the DUE is the instance's end.
    return { ...base, startTime: null, start: null, end: at ? toUtcMs(at, zone) : null, endTime: at && isFloatingTime(at) ? at : null };
  }
  const s = at ? toUtcMs(at, zone) : null;
  let end: number | null = null;
  let endTime: Time | null = null;
  if (c.type === "VFREEBUSY") {
    end = c.dtend ? toUtcMs(c.dtend, zone) : null;
  } else if (at) {
    [end, endTime] = endAfter(at, s!, len, zone);
  }
  return { ...base, startTime: at, start: s, end, endTime };
}

/** Calendar date of a time as a number (YYYYMMDD), for DATE-valued EXDATEs. */
const dayKey = (t: Time) => t.year * 10000 + t.month * 100 + t.day;

/**
 * Visits every instance that may overlap the window (callers test overlap
 * exactly): overrides first, then the master's recurrence set in order of
 * original start. `visit` returns true to stop the walk.
 */
export function forEachInstance(src: Source, window: Window, zone: Zone, visit: (i: Instance) => boolean | void, cap = MAX_ITERATIONS): Walk {
  return metered(LIMITS.stepsPerWalk, () => walk(src, window, zone, visit, cap))?.value ?? "capped";
}

function walk(src: Source, window: Window, zone: Zone, visit: (i: Instance) => boolean | void, cap: number): Walk {
  const wStart = window.start ?? -Infinity;
  const wEnd = window.end ?? Infinity;
  const near = (i: Instance): boolean => {
    const a = i.start ?? i.end;
    const b = i.end ?? i.start;
    if (a === null || b === null) return true;
    return Math.max(a, b) >= wStart && Math.min(a, b) <= wEnd;
  };
  const replaced = new Set<number>();
  const future: { ms: number; o: ParsedComponent; shiftMs: number; wall: number | null; len: Length }[] = [];
  for (const o of src.overrides) {
    spend(LIMITS.stepsPerOccurrence);
    const ridMs = toUtcMs(o.recurrenceId!, zone);
    replaced.add(ridMs);
    if (o.thisAndFuture) {
      const start = o.anchor ?? o.recurrenceId!;
      const sameClock = isFloatingTime(start) === isFloatingTime(o.recurrenceId!) && start.zone?.tzid === o.recurrenceId!.zone?.tzid;
      future.push({ ms: ridMs, o, shiftMs: toUtcMs(start, zone) - ridMs, wall: sameClock ? wallSeconds(start) - wallSeconds(o.recurrenceId!) : null, len: lengthOf(o, zone) });
    }
    const own = instanceOf(o, zone);
    if (near(own) && visit(own)) return "stopped";
  }
  future.sort((a, b) => a.ms - b.ms);

  const m = src.master;
  if (!m) return "complete";
  const mLen = lengthOf(m, zone);
  if (!isRecurring(m) || !m.anchor) {
    const only = instanceOf(m, zone, m.anchor, null, mLen, false);
    if (m.anchor && replaced.has(toUtcMs(m.anchor, zone))) return "complete";
    return near(only) && visit(only) ? "stopped" : "complete";
  }

  // DTSTART, or DUE for a VTODO that recurs from it.
  const dtstart = m.anchor;
  const dtstartMs = toUtcMs(dtstart, zone);
  // How far an instance can reach from its original start, to bound the walk.
  let longest = maxLengthMs(mLen);
  let ahead = 0;
  let behind = 0;
  for (const f of future) {
    longest = Math.max(longest, maxLengthMs(f.len));
    ahead = Math.max(ahead, f.shiftMs);
    behind = Math.max(behind, -f.shiftMs);
  }
  const rdates = m.rdates.map((t) => ({ t, ms: toUtcMs(t instanceof ICAL.Period ? t.start : t, zone) }));
  for (const r of rdates) if (r.t instanceof ICAL.Period) longest = Math.max(longest, toUtcMs(r.t.getEnd(), zone) - r.ms);
  rdates.sort((a, b) => a.ms - b.ms);
  const slack = 3 * HOUR_MS; // DST changes between wall-clock periods and ms
  // Before `reach` no instance can reach the window; `from` leaves room for the offsets of wall-clock jumps.
  const reach = window.start === null ? null : window.start - longest - ahead;
  const from = reach === null ? null : reach - slack;
  // Past the window, an hour more: where a wall-clock time falls in a daylight-saving gap, its instant comes an hour early.
  const stopAt = wEnd + behind + HOUR_MS;

  const streams: Stream[] = [listStream(rdates)];
  if (from === null || dtstartMs >= from) streams.push(listStream([{ t: dtstart, ms: dtstartMs }]));
  const exact = new Set<number>();
  const days = new Set<number>();
  for (const ex of m.exdates) {
    if (ex.isDate && !dtstart.isDate) days.add(dayKey(ex));
    else exact.add(toUtcMs(ex, zone));
  }

  let drawn = 0;
  let lastMs = NaN;
  let f = -1; // index of the THISANDFUTURE override in force
  try {
    for (const rule of m.rrules) streams.push(ruleStream(rule, dtstart, dtstartMs, from, zone, reach));
    for (;;) {
      let best: Stream | null = null;
      for (const s of streams) if (s.head && (!best || s.head.ms < best.head!.ms)) best = s;
      if (!best) return "complete";
      const { t, ms } = best.head!;
      const start = t instanceof ICAL.Period ? t.start : t;
      const skip = ms === lastMs || (from !== null && ms < from) || replaced.has(ms) || exact.has(ms) || (days.size > 0 && days.has(dayKey(start)));
      const own = skip || !best.own ? start : best.own(start);
      best.advance();
      if (ms === lastMs) continue;
      lastMs = ms;
      if (++drawn > cap) return "capped";
      spend(LIMITS.stepsPerOccurrence);
      if (ms > stopAt || own.year > 9999) return "complete";
      if (skip) continue; // before the window's reach (see `from`), excluded, or overridden
      while (f + 1 < future.length && future[f + 1]!.ms < ms) f++;
      const inst = f >= 0 ? shifted(future[f]!, own, ms, zone) : instanceOf(m, zone, own, own, mLen, false);
      if (t instanceof ICAL.Period && f < 0) {
        inst.end = toUtcMs(t.getEnd(), zone);
        inst.endTime = isFloatingTime(own) ? t.getEnd() : null;
        inst.periodEnd = true;
      }
      if (near(inst) && visit(inst)) return "stopped";
    }
  } catch (e) {
    if (e instanceof StepLimit) throw e;
    // Anything else (ical.js ends a rule it cannot walk by itself, see recur-guard.ts): the set is unknown.
    return "capped";
  }
}

const FIXED_SECONDS: Record<string, number> = { SECONDLY: 1, MINUTELY: 60, HOURLY: 3600, DAILY: 86_400, WEEKLY: 7 * 86_400 };

/**
 * A lower bound of the instances the master's set has in the window, known
 * without walking: a rule without BYxxx parts repeats every period (RFC 5545
 * §3.3.10), so a window N periods long holds about N of its instances, less
 * the excluded ones. Lets a walk that could never finish within its bounds
 * (an endless SECONDLY event over ten years) be refused before it starts.
 */
export function leastInstances(src: Source, window: Window, zone: Zone): number {
  const m = src.master;
  const anchor = m?.anchor;
  if (!m || !anchor || window.start === null || window.end === null) return 0;
  // A THISANDFUTURE override may move every later instance away, an all-day EXDATE a whole day of them.
  if (src.overrides.some((o) => o.thisAndFuture) || (!anchor.isDate && m.exdates.some((x) => x.isDate))) return 0;
  const dtstartMs = toUtcMs(anchor, zone);
  let best = 0;
  for (const rule of m.rrules) {
    if (Object.keys(rule.parts ?? {}).length > 0) continue;
    const n = rule.interval || 1;
    let shortest: number;
    let longest: number;
    if (FIXED_SECONDS[rule.freq]) shortest = longest = FIXED_SECONDS[rule.freq]! * 1000 * n;
    else if (rule.freq === "MONTHLY" && anchor.day <= 28) [shortest, longest] = [28 * DAY_MS * n, 31 * DAY_MS * n];
    else if (rule.freq === "YEARLY" && !(anchor.month === 2 && anchor.day === 29)) [shortest, longest] = [365 * DAY_MS * n, 366 * DAY_MS * n];
    else continue;
    let end = window.end;
    if (rule.until) end = Math.min(end, toUtcMs(rule.until, zone) - FLOATING_SLACK_MS);
    if (rule.count != null) end = Math.min(end, dtstartMs + (rule.count - 1) * shortest);
    const start = Math.max(window.start, dtstartMs);
    // Daylight saving moves wall-clock periods by an hour or so: leave a day's margin.
    const span = end - start - DAY_MS;
    if (span > 0) best = Math.max(best, Math.floor(span / longest));
  }
  return Math.max(0, best - m.exdates.length - src.overrides.length);
}

/** An instance moved by a THISANDFUTURE override: same shift as the override's own instance, and the override's length. */
function shifted(f: { o: ParsedComponent; shiftMs: number; wall: number | null; len: Length }, rid: Time, ridMs: number, zone: Zone): Instance {
  let start: Time;
  if (f.wall !== null) {
    start = addWallSeconds(rid, f.wall);
  } else {
    start = utcMsToIcalTime(ridMs + f.shiftMs);
  }
  return instanceOf(f.o, zone, start, rid, f.len, true);
}
