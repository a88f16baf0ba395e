// The instance index of a recurring event or to-do (RFC 4791 §9.9 over RFC
// 5545 recurrence sets): every instance's span in UTC up to a horizon, so a
// time-range query skips a recurring object with no instance in the range
// without reading its body. Floating and all-day instances are widened by 14
// hours each side (any calendar timezone falls inside), and zero-length
// instances keep both ends, so the spans are conservative: an instance can
// overlap [qStart, qEnd) only if start <= qEnd and end >= qStart. That holds
// for every row of the §9.9 VTODO table with DTSTART or DUE (a to-do that
// recurs from its DUE is the span [DUE, DUE]); a to-do instance with neither
// (the COMPLETED/CREATED rows) leaves the object without instance index.
import type { CalendarObject } from "../ical/parse.js";
import type { BusyCode } from "../ical/component.js";
import { FLOATING_SLACK_MS } from "../ical/time.js";
import { LIMITS } from "../ical/limits.js";
import { forEachInstance } from "./instances.js";

export interface InstanceIndex {
  /** [start, end, busy] of each instance, ms UTC, and the busy time it holds (component.ts BusyCode; FREE for a VTODO). */
  spans: Array<[number, number, BusyCode]>;
  /** The spans are complete up to this instant (ms UTC): a query ending later falls back to the coarse range. */
  until: number;
  /**
   * Each span is its instance's own [start, end) with start < end, of a VEVENT with no floating time: then a query
   * that ends by `until` overlaps an instance (RFC 4791 §9.9, time-range.ts overlaps) exactly when a span satisfies
   * start < qEnd && end > qStart, and the spans decide it without the body (home/query.ts, prefilter.ts).
   */
  exact?: boolean;
}

/** How far ahead instances are indexed, and how many at most per object. */
export const INSTANCE_HORIZON_MS: number = LIMITS.indexHorizonMs;
export const MAX_INDEXED_INSTANCES: number = LIMITS.instancesIndexed;
/** `until` of a finite set indexed whole: the last instant a JavaScript date can name. */
export const INDEXED_FOR_GOOD = 8.64e15;

/** The instance index of a recurring VEVENT or VTODO, or null when the coarse range is all the index keeps. */
export function instanceIndex(obj: CalendarObject, now: number): InstanceIndex | null {
  if ((obj.component !== "VEVENT" && obj.component !== "VTODO") || !obj.index.recurring) return null;
  // A set that ends (every RRULE with COUNT or UNTIL; RDATEs and overrides are lists) is indexed whole, however far
  // ahead it lies, up to MAX_INDEXED_INSTANCES; only an endless one stops at the horizon.
  const finite = !obj.master || obj.master.rrules.every((r) => r.count != null || r.until != null);
  const horizon = finite ? null : now + INSTANCE_HORIZON_MS;
  const slack = obj.index.floating ? FLOATING_SLACK_MS : 0;
  const spans: Array<[number, number, BusyCode]> = [];
  let until = horizon ?? INDEXED_FOR_GOOD;
  let undated = false;
  let positive = true;
  const walk = forEachInstance(obj, { start: null, end: horizon }, null, (i) => {
    const s = i.start ?? i.end;
    const e = i.end ?? i.start;
    if (s === null || e === null) {
      undated = true; // matched by COMPLETED/CREATED or always: no span stands for it
      return true;
    }
    if (spans.length >= MAX_INDEXED_INSTANCES) {
      // Complete only up to where the next instance begins.
      until = Math.min(until, s - slack - 1);
      return true;
    }
    spans.push([Math.min(s, e) - slack, Math.max(e, s) + slack, i.component.busy]);
    if (!(e > s)) positive = false;
    return false;
  });
  if (walk === "capped" || undated) return null;
  if (spans.length === 0) return null;
  return { spans, until, exact: obj.component === "VEVENT" && !obj.index.floating && positive };
}
