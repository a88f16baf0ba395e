// The index summary of a calendar object resource: the UTC range outside which
// no instance can overlap a CALDAV:time-range, per the overlap rules of RFC 4791
// §9.9 (VEVENT, VTODO table, VJOURNAL, VFREEBUSY), over the recurrence set of
// RFC 5545 §3.8.5 (RRULE, RDATE, EXDATE) and its overrides (§3.8.4.4
// RECURRENCE-ID, RANGE=THISANDFUTURE). The range is conservative: a query
// [qs, qe) can only match if qs <= end and qe >= start (null = unbounded).
// A bounded rule (COUNT, UNTIL) is walked to its end to find it, within
// LIMITS.instancesCounted instances and LIMITS.stepsPerWalk steps
// (limits.ts); past either, the end is left open. A VTODO without DTSTART
// recurs from its DUE (component.ts `anchor`).
import ICAL from "ical.js";
import type { BusyCode, ComponentType, ParsedComponent } from "./component.js";
import { LIMITS } from "./limits.js";
import { metered, spend, StepLimit } from "./recur-guard.js";
import { FLOATING_SLACK_MS, HOUR_MS, addDuration, icalTimeToUtcMs, isFloatingTime } from "./time.js";

type Time = ICAL.Time;

export interface IndexSummary {
  uid: string;
  component: ComponentType;
  /** Earliest instant any instance can overlap, ms UTC; null = unbounded in the past (no DTSTART/DUE at all, e.g. a VTODO without dates). */
  start: number | null;
  /** Latest instant any instance can overlap, ms UTC; null = unbounded in the future (infinite RRULE, or no dates). */
  end: number | null;
  recurring: boolean;
  /** true if any date is floating (no TZID, no Z) or an all-day DATE: start/end were widened by 14h each side so that any calendar timezone still falls inside. */
  floating: boolean;
  /**
   * true only when [start, end) is exactly the span of one non-recurring,
   * zoned instance of positive length whose RFC 4791 §9.9 test is exactly
   * `start < qEnd && end > qStart`: a VEVENT with DTEND > DTSTART or
   * DURATION > 0, or a VTODO with DUE > DTSTART. A time-range query can then
   * be answered from the index alone.
   */
  exact: boolean;
  /**
   * A VEVENT's busy time as the index keeps it (RFC 4791 §7.10): the BusyCode every one of its components has,
   * VARIES when they differ (the instance index then holds each instance's), null for the other types.
   */
  busy: IndexedBusy | null;
}

/** A BusyCode, or VARIES: not the same for every component. */
export type IndexedBusy = BusyCode | typeof BUSY_VARIES;
export const BUSY_VARIES = 3;

export interface Summary {
  index: IndexSummary;
  /** Number of instances of a bounded recurrence set (1 if not recurring); null if unbounded or not counted to the end. */
  instances: number | null;
  /** Start (ms UTC, floating read as UTC) of the last instance of a bounded recurrence; null otherwise. */
  lastStart: number | null;
  /** The expansion of a bounded recurrence stopped at maxExpansion instances. */
  truncated: boolean;
}

/** Most instances counted of one bounded recurrence; past it, end = null. */
export const MAX_EXPANSION: number = LIMITS.instancesCounted;

/** A component's own span: [anchor, other] in either order, or partly unbounded (null). */
interface Span {
  anchor: Time | null;
  other: Time | null;
  lo: number | null;
  hi: number | null;
}

const ONE_DAY = ICAL.Duration.fromData({ days: 1 });

class Range {
  lo = Infinity;
  hi = -Infinity;
  noLo = false;
  noHi = false;
  floating = false;

  add(lo: number | null, hi: number | null): void {
    if (lo === null) this.noLo = true;
    else this.lo = Math.min(this.lo, lo);
    if (hi === null) this.noHi = true;
    else this.hi = Math.max(this.hi, hi);
  }

  addHi(hi: number): void {
    this.hi = Math.max(this.hi, hi);
  }

  note(...times: (Time | null)[]): void {
    for (const t of times) if (t && isFloatingTime(t)) this.floating = true;
  }
}

/** The RFC 4791 §9.9 span of one component taken alone (no recurrence). */
function spanOf(p: ParsedComponent): Span {
  const ms = (t: Time) => icalTimeToUtcMs(t);
  const pair = (anchor: Time, other: Time): Span => {
    const a = ms(anchor);
    const b = ms(other);
    return { anchor, other, lo: Math.min(a, b), hi: Math.max(a, b) };
  };
  const s = p.dtstart;
  switch (p.type) {
    case "VEVENT":
    case "VJOURNAL":
      if (!s) return { anchor: null, other: null, lo: null, hi: null };
      if (p.dtend) return pair(s, p.dtend);
      if (p.duration) return durationSpan(s, p.duration);
      return pair(s, s.isDate ? addDuration(s, ONE_DAY) : s);
    case "VTODO":
      if (s && p.duration) return durationSpan(s, p.duration);
      if (s) return pair(s, p.due ?? s);
      if (p.due) return pair(p.due, p.due);
      if (p.completed && p.created) return pair(p.created, p.completed);
      if (p.completed) return pair(p.completed, p.completed);
      if (p.created) return { anchor: p.created, other: null, lo: ms(p.created), hi: null };
      return { anchor: null, other: null, lo: null, hi: null };
    case "VFREEBUSY": {
      const points: number[] = [];
      if (s) points.push(ms(s));
      if (p.dtend) points.push(ms(p.dtend));
      for (const fb of p.freebusy) points.push(ms(fb.start), ms(fb.getEnd()));
      if (points.length === 0) return { anchor: null, other: null, lo: null, hi: null };
      return { anchor: s, other: p.dtend, lo: Math.min(...points), hi: Math.max(...points) };
    }
  }
}

/**
 * End of DTSTART + DURATION per RFC 5545 §3.3.6: weeks and days on the wall
 * clock, hours, minutes and seconds exact (ical.js adds them all on the wall
 * clock, which differs across a DST change).
 */
function durationEndMs(s: Time, d: ICAL.Duration): number {
  const days = ICAL.Duration.fromData({ weeks: d.weeks, days: d.days });
  return icalTimeToUtcMs(addDuration(s, days)) + (d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
}

/** DTSTART..DTSTART+DURATION, wide enough for both the RFC and the ical.js reading of the duration. */
function durationSpan(s: Time, d: ICAL.Duration): Span {
  const other = addDuration(s, d);
  const points = [icalTimeToUtcMs(s), icalTimeToUtcMs(other), durationEndMs(s, d)];
  return { anchor: s, other, lo: Math.min(...points), hi: Math.max(...points) };
}

/** Whether the index span of a lone, zoned, non-recurring component decides RFC 4791 §9.9 exactly (see IndexSummary.exact). */
function exactSpan(p: ParsedComponent, lo: number, hi: number): boolean {
  const s = p.dtstart;
  if (!s || hi <= lo || icalTimeToUtcMs(s) !== lo) return false;
  if (p.type === "VEVENT") {
    if (p.dtend) return icalTimeToUtcMs(p.dtend) === hi;
    return !!p.duration && durationEndMs(s, p.duration) === hi;
  }
  return p.type === "VTODO" && !!p.due && !p.duration && icalTimeToUtcMs(p.due) === hi;
}

/** [lo, hi] of the instance starting at `start` of a master whose own span is `span`. */
function instanceSpan(span: Span, start: Time | ICAL.Period): [number, number] {
  if (start instanceof ICAL.Period) {
    const a = icalTimeToUtcMs(start.start);
    const [lo, hi] = instanceSpan(span, start.start);
    return [Math.min(lo, a), Math.max(hi, icalTimeToUtcMs(start.getEnd()))];
  }
  const s = icalTimeToUtcMs(start);
  if (!span.anchor || !span.other) return [s, s];
  const exact = s + icalTimeToUtcMs(span.other) - icalTimeToUtcMs(span.anchor);
  // Nominal (wall-clock) duration, as ical.js applies it: differs from exact across DST.
  const nominal = icalTimeToUtcMs(addDuration(start, span.other.subtractDate(span.anchor)));
  return [Math.min(s, exact, nominal), Math.max(s, exact, nominal)];
}

/**
 * Computes the index summary of a validated object: `master` is the component
 * without RECURRENCE-ID (null if the object holds overrides only).
 */
export function summarize(master: ParsedComponent | null, overrides: ParsedComponent[], maxExpansion = MAX_EXPANSION): Summary {
  const first = master ?? overrides[0];
  if (!first) throw new Error("summarize: no component");
  const range = new Range();
  let instances: number | null = master ? 1 : overrides.length;
  let lastStart: number | null = null;
  let truncated = false;

  for (const o of overrides) {
    const sp = spanOf(o);
    range.add(sp.lo, sp.hi);
    range.note(o.dtstart, o.dtend, o.due);
  }

  const recurring = !!master && (master.rrules.length > 0 || master.rdates.length > 0);
  if (master) {
    const sp = spanOf(master);
    range.add(sp.lo, sp.hi);
    range.note(master.dtstart, master.dtend, master.due, master.completed, master.created);
    for (const fb of master.freebusy) range.note(fb.start);
    if (recurring && master.anchor) {
      for (const rd of master.rdates) {
        range.add(...instanceSpan(sp, rd));
        range.note(rd instanceof ICAL.Period ? rd.start : rd);
      }
      const bounded = master.rrules.every((r) => r.isFinite());
      if (!bounded) {
        range.noHi = true;
        instances = null;
      } else {
        const result = metered(LIMITS.stepsPerWalk, () => expandBounded(master, maxExpansion))?.value ?? { count: null, last: null, truncated: true };
        instances = result.count;
        truncated = result.truncated;
        if (result.last === null) {
          range.noHi = true;
        } else {
          range.addHi(instanceSpan(sp, result.last)[1]);
          lastStart = icalTimeToUtcMs(result.last instanceof ICAL.Period ? result.last.start : result.last);
          for (const o of overrides) {
            if (!o.thisAndFuture || !o.recurrenceId) continue;
            // Every instance from RECURRENCE-ID on moves by the override's shift and takes its span.
            const rid = icalTimeToUtcMs(o.recurrenceId);
            const os = spanOf(o);
            if (lastStart < rid) continue;
            if (!o.anchor || os.hi === null) {
              range.noHi = true; // cannot tell where the moved instances end
              continue;
            }
            const shift = icalTimeToUtcMs(o.anchor) - rid;
            range.addHi(lastStart + shift + (os.hi - icalTimeToUtcMs(o.anchor)) + HOUR_MS);
          }
        }
      }
    }
  }
  let start: number | null = range.noLo || range.lo === Infinity ? null : range.lo;
  let end: number | null = range.noHi || range.hi === -Infinity ? null : range.hi;
  if (range.floating) {
    if (start !== null) start -= FLOATING_SLACK_MS;
    if (end !== null) end += FLOATING_SLACK_MS;
  }
  const exact = !!master && !recurring && overrides.length === 0 && !range.floating && start !== null && end !== null && exactSpan(master, start, end);
  const parts = master ? [master, ...overrides] : overrides;
  const busy = first.type !== "VEVENT" ? null : parts.every((p) => p.busy === first.busy) ? first.busy : BUSY_VARIES;
  return {
    index: { uid: first.uid, component: first.type, start, end, recurring: recurring || overrides.length > 0, floating: range.floating, exact, busy },
    instances,
    lastStart,
    truncated,
  };
}

/** Walks a bounded recurrence set with ical.js (bounded by recur-guard.ts); last = null when the walk was cut short. */
function expandBounded(master: ParsedComponent, maxExpansion: number): { count: number | null; last: Time | ICAL.Period | null; truncated: boolean } {
  const dtstart = master.anchor;
  if (!dtstart) return { count: 1, last: null, truncated: false };
  let count = 0;
  let last: Time | ICAL.Period | null = null;
  let lastMs = -Infinity;
  try {
    const expansion = new ICAL.RecurExpansion({ component: master.comp, dtstart });
    for (;;) {
      const next = expansion.next() as Time | ICAL.Period | undefined;
      if (!next) return { count, last: last ?? dtstart, truncated: false };
      const t = next instanceof ICAL.Period ? next.start : next;
      spend(LIMITS.stepsPerOccurrence);
      if (++count > maxExpansion) return { count: null, last: null, truncated: true };
      if (t.year > 9999) return { count: null, last: null, truncated: false };
      const ms = icalTimeToUtcMs(t);
      if (ms >= lastMs) {
        // The expansion is ordered, but do not rely on it for the latest instance.
        last = next;
        lastMs = ms;
      }
    }
  } catch (e) {
    if (e instanceof StepLimit) throw e;
    // ical.js gives up on 500 excluded dates in a row ("max tries"): the end is unknown.
    return { count: null, last: null, truncated: false };
  }
}
