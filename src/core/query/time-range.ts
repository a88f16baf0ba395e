// CALDAV:time-range (RFC 4791 §9.9): when an instance of a VEVENT, VTODO,
// VJOURNAL or VFREEBUSY overlaps a range (the §9.9 tables, row by row), when a
// VALARM triggers in it (§9.9 "VALARM": every trigger time of every instance,
// repetitions included, RFC 5545 §3.6.6 / §3.8.6.3), and when a DATE,
// DATE-TIME or PERIOD property value falls in it (§9.7.2 on prop-filter).
// Ranges are ms UTC with null = unbounded; floating and DATE values are read
// in the given zone.
import ICAL from "ical.js";
import type { ParsedComponent } from "../ical/component.js";
import { DAY_MS } from "../ical/time.js";
import type { TimeRange } from "./filter.js";
import { forEachInstance, instanceOf, isRecurring, leastInstances, MAX_ITERATIONS, type Instance, type Source, type Walk } from "./instances.js";
import { addSpan, toUtcMs, type Zone } from "./span.js";

/** Does one instance overlap the range? The §9.9 table of its component type. */
export function overlaps(i: Instance, range: TimeRange, zone: Zone = null): boolean {
  const qs = range.start ?? -Infinity;
  const qe = range.end ?? Infinity;
  const c = i.component;
  const s = i.start;
  const e = i.end;
  switch (c.type) {
    case "VEVENT":
    case "VJOURNAL":
      // VEVENT rows: DTEND / DURATION > 0 / all-day (+P1D): start < end' && end > start'.
      // DURATION 0, a DATE-TIME without end, and (our reading) DTEND = DTSTART: start <= DTSTART < end.
      // VJOURNAL: DATE-TIME as an instant, DATE for a day, no DTSTART never matches.
      if (s === null) return false;
      if (e !== null && e > s) return qs < e && qe > s;
      return qs <= s && qe > s;
    case "VTODO":
      if (s !== null) {
        if (e === null) return qs <= s && qe > s; // DTSTART only
        if (c.duration && !i.periodEnd) return qs <= e && (qe > s || qe >= e); // DTSTART + DURATION
        return (qs < e || qs <= s) && (qe > s || qe >= e); // DTSTART + DUE
      }
      if (e !== null) return qs < e && qe >= e; // DUE only
      return todoWithoutDates(c, qs, qe, zone);
    case "VFREEBUSY":
      if (c.dtstart && c.dtend) return qs <= e! && qe > s!;
      return c.freebusy.some((p) => qs < toUtcMs(p.getEnd(), zone) && qe > toUtcMs(p.start, zone));
  }
}

/** The VTODO rows without DTSTART and DUE: COMPLETED and CREATED, or always. */
function todoWithoutDates(c: ParsedComponent, qs: number, qe: number, zone: Zone): boolean {
  const done = c.completed ? toUtcMs(c.completed, zone) : null;
  const made = c.created ? toUtcMs(c.created, zone) : null;
  if (done !== null && made !== null) return (qs <= made || qs <= done) && (qe >= made || qe >= done);
  if (done !== null) return qs <= done && qe >= done;
  if (made !== null) return qe > made;
  return true;
}

/** What matching a component against a range concluded: "capped" means the expansion was cut short (no answer). */
export type Overlap = boolean | "capped";

/**
 * Does any instance owned by `c` (the master, or an override with the
 * instances a THISANDFUTURE override moved) overlap the range?
 */
export function componentOverlaps(src: Source, c: ParsedComponent, range: TimeRange, zone: Zone): Overlap {
  if (c.type === "VFREEBUSY" || (!isRecurring(c) && !c.thisAndFuture && (c.recurrenceId || src.overrides.length === 0))) {
    return overlaps(instanceOf(c, zone), range, zone);
  }
  const walk = forEachInstance(src, range, zone, (i) => i.component === c && overlaps(i, range, zone));
  return walk === "stopped" ? true : walk === "capped" ? "capped" : false;
}

/** The instances that overlap the range (§9.9), sorted by start; complete = false when the walk was cut short. */
export function instancesInRange(src: Source, range: TimeRange, zone: Zone, limit = MAX_ITERATIONS): { instances: Instance[]; complete: boolean } {
  if (leastInstances(src, range, zone) > limit) return { instances: [], complete: false }; // no need to walk to know
  const instances: Instance[] = [];
  const walk: Walk = forEachInstance(src, range, zone, (i) => {
    if (overlaps(i, range, zone)) instances.push(i);
    return instances.length >= limit;
  });
  instances.sort((a, b) => (a.start ?? a.end ?? 0) - (b.start ?? b.end ?? 0) || (a.recurrenceIdMs ?? 0) - (b.recurrenceIdMs ?? 0));
  return { instances, complete: walk === "complete" };
}

interface Trigger {
  /** Absolute trigger, ms UTC. */
  at: number | null;
  /** Relative trigger: offset and whether it is related to the end. */
  offset: ICAL.Duration | null;
  related: "START" | "END";
  /** REPEAT and DURATION: further triggers every `every` ms, `repeat` times. */
  repeat: number;
  every: number;
}

export function readTrigger(alarm: ICAL.Component): Trigger | null {
  const prop = alarm.getFirstProperty("trigger");
  if (!prop) return null;
  let value: unknown;
  try {
    value = prop.getFirstValue();
  } catch {
    return null;
  }
  const repeat = Number(alarm.getFirstPropertyValue("repeat") ?? 0);
  const dur = alarm.getFirstPropertyValue("duration");
  const every = dur instanceof ICAL.Duration ? Math.abs(dur.toSeconds()) * 1000 : 0;
  const t: Trigger = { at: null, offset: null, related: "START", repeat: every > 0 && repeat > 0 ? Math.min(repeat, 1000) : 0, every };
  if (value instanceof ICAL.Time) t.at = toUtcMs(value, null);
  else if (value instanceof ICAL.Duration) {
    t.offset = value;
    t.related = String(prop.getParameter("related") ?? "START").toUpperCase() === "END" ? "END" : "START";
  } else return null;
  return t;
}

/** How far (ms) a relative trigger, with its repetitions, can be from its instance; absolute ones are 0. */
export function triggerReach(t: Trigger): number {
  if (!t.offset) return 0;
  const d = t.offset;
  return ((d.weeks * 7 + d.days + 1) * DAY_MS + (d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000) + t.repeat * t.every;
}

/** The trigger times (ms UTC) of an alarm for one instance of its component (RFC 5545 §3.8.6.3). */
export function triggerTimes(t: Trigger, i: Instance, zone: Zone): number[] {
  let first: number | null;
  if (t.at !== null) first = t.at;
  else {
    // RELATED=START of a VTODO without DTSTART uses DUE (RFC 4791 §7.8.5's example); END falls back to the start.
    const useEnd = t.related === "END" ? i.end !== null : i.start === null;
    const base = useEnd ? i.end : i.start;
    if (base === null) return [];
    const time = useEnd ? i.endTime : i.startTime;
    const d = t.offset!;
    if (time && (d.weeks !== 0 || d.days !== 0)) first = addSpan(time, d, zone)[0];
    else first = base + d.toSeconds() * 1000;
  }
  const out = [first];
  for (let k = 1; k <= t.repeat; k++) out.push(first + k * t.every);
  return out;
}

/** Does the alarm, on any instance owned by its component `owner`, trigger in [start, end)? */
export function alarmInRange(src: Source, owner: ParsedComponent, alarm: ICAL.Component, range: TimeRange, zone: Zone): Overlap {
  const t = readTrigger(alarm);
  if (!t) return false;
  const qs = range.start ?? -Infinity;
  const qe = range.end ?? Infinity;
  const hit = (i: Instance) => triggerTimes(t, i, zone).some((x) => qs <= x && qe > x);
  if (t.at !== null) return hit(instanceOf(owner, zone));
  if (owner.type === "VFREEBUSY" || (!isRecurring(owner) && !owner.thisAndFuture && (owner.recurrenceId || src.overrides.length === 0))) {
    return hit(instanceOf(owner, zone));
  }
  const reach = triggerReach(t);
  const window = { start: range.start === null ? null : range.start - reach, end: range.end === null ? null : range.end + reach };
  const walk = forEachInstance(src, window, zone, (i) => i.component === owner && hit(i));
  return walk === "stopped" ? true : walk === "capped" ? "capped" : false;
}

/** A DATE, DATE-TIME or PERIOD value in the range (prop-filter time-range, §9.7.2): DATE-TIME as an instant, DATE as its day. */
export function valueInRange(v: unknown, range: TimeRange, zone: Zone): boolean {
  const qs = range.start ?? -Infinity;
  const qe = range.end ?? Infinity;
  if (v instanceof ICAL.Period) {
    const s = toUtcMs(v.start, zone);
    const e = toUtcMs(v.getEnd(), zone);
    return e > s ? qs < e && qe > s : qs <= s && qe > s;
  }
  if (v instanceof ICAL.Time) {
    const s = toUtcMs(v, zone);
    if (v.isDate) return qs < addSpan(v, ICAL.Duration.fromData({ days: 1 }), zone)[0] && qe > s;
    return qs <= s && qe > s;
  }
  return false;
}
