// CALDAV:expand (RFC 4791 §9.6.5): every instance of the object that overlaps
// the range (§9.9) as a component of its own, overrides applied (RFC 5545
// §3.8.4.4, RANGE=THISANDFUTURE included), with RECURRENCE-ID for instances
// of a recurring set, and without RRULE, RDATE, EXRULE and EXDATE (a VTODO
// that recurs from its DUE: each instance with its DUE, no DTSTART). Date-times
// with a TZID are converted to UTC and no VTIMEZONE is returned. Floating
// times and DATEs carry no zone reference and stay as they are (our reading
// of "date and local time with reference to time zone information").
// A DURATION is kept when it still gives the instance's length in UTC, else
// replaced by DTEND (or DUE). An expansion cut short by its bounds
// (instances.ts) answers DAV:number-of-matches-within-limits, never a
// truncated list of instances; writing each instance out is charged to the
// request's budget as its finding was.
import ICAL from "ical.js";
import type { ParsedCalendar } from "../ical/parse.js";
import { icalTimeToUtcMs, isFloatingTime } from "../ical/time.js";
import { timezoneByKey } from "../ical/timezones.js";
import { LIMITS } from "../ical/limits.js";
import { spend } from "../ical/recur-guard.js";
import { tooLong } from "./budget.js";
import type { Instance } from "./instances.js";
import type { Zone } from "./span.js";
import { instancesInRange } from "./time-range.js";
import { cloneJCal } from "../ical/jcal-clone.js";

/** Raw jCal: [name, params, type, ...values] and [name, properties, components]. */
export type JCalProp = [string, Record<string, unknown>, string, ...unknown[]];
export type JCalComp = [string, JCalProp[], JCalComp[]];

const RECURRENCE = new Set(["rrule", "rdate", "exrule", "exdate"]);

/** "2006-01-03T17:00:00Z", the jCal form of a UTC DATE-TIME. */
export const jcalUtc = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * iCalendar text of a jCal component, CRLF, folded so that no line exceeds 75
 * octets (RFC 5545 §3.1; ical.js counts 75 without the continuation space).
 */
export function serialize(comp: JCalComp | ICAL.Component): string {
  const jcal = comp instanceof ICAL.Component ? comp.jCal : comp;
  const fold = ICAL.foldLength;
  ICAL.foldLength = 74;
  try {
    return ICAL.stringify(jcal as unknown as unknown[]);
  } finally {
    ICAL.foldLength = fold;
  }
}

/** The VCALENDAR of an expanded object, as jCal. */
export function expandObject(obj: ParsedCalendar, range: { start: number; end: number }, zone: Zone): JCalComp {
  const cal = obj.vcalendar.jCal as unknown as JCalComp;
  const out: JCalComp = [cal[0], cloneJCal(cal[1]), []];
  const { instances, complete } = instancesInRange(obj, range, zone);
  if (!complete) throw tooLong(`the expansion of ${obj.uid}`);
  for (const i of instances) {
    spend(LIMITS.stepsPerOccurrence); // writing an instance out costs as much again as finding it
    out[2].push(instanceComponent(i, obj.zones));
  }
  return out;
}

function timeProp(name: string, t: ICAL.Time | null, ms: number | null): JCalProp | null {
  if (t && isFloatingTime(t)) return [name, {}, t.isDate ? "date" : "date-time", t.toString()];
  if (ms === null) return null;
  return [name, {}, "date-time", jcalUtc(ms)];
}

function setProp(props: JCalProp[], p: JCalProp, after = "dtstart"): void {
  const at = props.findIndex((q) => q[0] === p[0]);
  if (at >= 0) props[at] = p;
  else {
    const anchor = props.findIndex((q) => q[0] === after);
    props.splice(anchor >= 0 ? anchor + 1 : props.length, 0, p);
  }
}

/** One instance as a standalone component; `zones` are the object's, by registry key. */
function instanceComponent(i: Instance, zones: ReadonlyMap<string, ICAL.Timezone>): JCalComp {
  const c = i.component;
  const comp = cloneJCal(c.comp.jCal as unknown as JCalComp);
  toUtc(comp, zones);
  comp[1] = comp[1].filter((p) => !RECURRENCE.has(p[0]));
  const props = comp[1];
  if (i.recurrenceId) setProp(props, timeProp("recurrence-id", i.recurrenceId, icalTimeToUtcMs(i.recurrenceId))!);
  if (i.startTime && c.type !== "VFREEBUSY") setProp(props, timeProp("dtstart", i.startTime, i.start)!);
  const endName = c.type === "VEVENT" ? "dtend" : c.type === "VTODO" ? "due" : null;
  if (!endName || i.end === null) return comp;
  if (i.start === null) {
    // A VTODO that recurs from its DUE (ical/component.ts): the instance's own DUE, and no DTSTART.
    if (c.type === "VTODO" && c.anchor) setProp(props, timeProp("due", i.endTime, i.end)!);
    return comp;
  }
  const end = timeProp(endName, i.endTime, i.end);
  if (!end) return comp;
  const hasDuration = props.findIndex((p) => p[0] === "duration");
  if (hasDuration >= 0) {
    const d = c.duration;
    const keeps = !i.periodEnd && d && (isFloatingTime(i.startTime!) || d.toSeconds() * 1000 === i.end - i.start);
    if (keeps) return comp;
    props.splice(hasDuration, 1);
    setProp(props, end);
  } else if (i.periodEnd || props.some((p) => p[0] === endName)) {
    setProp(props, end);
  }
  return comp;
}

/**
 * Converts every DATE-TIME and PERIOD with a TZID (a registry key, see
 * ical/hoist.ts) to UTC, recursively, in the zone the object resolved it to
 * (its own VTIMEZONE's when it has one, RFC 5545 §3.6.5).
 */
export function toUtc(comp: JCalComp, zones: ReadonlyMap<string, ICAL.Timezone>): void {
  for (const p of comp[1]) {
    const tzid = p[1]["tzid"];
    if (typeof tzid !== "string" || (p[2] !== "date-time" && p[2] !== "period")) continue;
    const zone = zones.get(tzid) ?? timezoneByKey(tzid);
    if (!zone) continue;
    for (let k = 3; k < p.length; k++) {
      const v = p[k];
      if (typeof v === "string") p[k] = utcOf(v, zone);
      else if (Array.isArray(v)) p[k] = [utcOf(String(v[0]), zone), /^[+-]?P/.test(String(v[1])) ? v[1] : utcOf(String(v[1]), zone)];
    }
    delete p[1]["tzid"];
  }
  for (const sub of comp[2]) toUtc(sub, zones);
}

function utcOf(v: string, zone: ICAL.Timezone): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)$/.exec(v);
  if (!m) return v;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return jcalUtc(new ICAL.Time({ year, month, day, hour, minute, second, isDate: false }, zone).toUnixTime() * 1000);
}
