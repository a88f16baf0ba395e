// A faster ICAL.Time#clone for the whole isolate (imported once, this module
// patches ical.js's prototype, as recur-guard.ts does). Every step of a
// recurrence walk clones times (RFC 5545 §3.3.10 expansion: the iterator's
// next(), RecurExpansion, our instance spans), and ical.js 2.x clones by
// running the constructor's generic fromData: Object.entries over the seven
// fields and a setter for each. That was a fifth of indexing the
// benchmark's bodies (a Node CPU profile of prepareObject). This copy does
// what that path does, field by field:
//  - the fields are copied raw (a pending normalization stays pending);
//  - a DATE's clone is adjusted once while it is still a DATE-TIME, as the
//    setter of isDate does (it carries overflowing seconds into days);
//  - the zone is the original's, else ical.js's local zone;
//  - the copy is marked for normalization and its cached Unix time cleared.
// test/core/ical/time-clone.test.ts holds it to the original on odd values.
import ICAL from "ical.js";

type TimeFields = { year: number; month: number; day: number; hour: number; minute: number; second: number; isDate: boolean };
interface TimeInternals {
  _time: TimeFields;
  zone: ICAL.Timezone | null;
  _pendingNormalization: boolean;
  _cachedUnixTime: number | null;
  adjust(days: number, hours: number, minutes: number, seconds: number): void;
}

/** ical.js's constructor as it is (its typings make both arguments required; the original clone passes a null zone). */
const Time = ICAL.Time as unknown as new (data?: unknown, zone?: ICAL.Timezone | null) => ICAL.Time;

const PATCHED = Symbol.for("edge-caldav/time-clone");
const proto = ICAL.Time.prototype as unknown as { clone(): ICAL.Time; [PATCHED]?: true };

/** The original's result, the way ical.js 2.x computes it: `new Time(this._time, this.zone)`. */
export function genericClone(t: ICAL.Time): ICAL.Time {
  const me = t as unknown as TimeInternals;
  return new Time(me._time, me.zone);
}

function fastClone(this: ICAL.Time): ICAL.Time {
  const me = this as unknown as TimeInternals;
  const copy = new Time();
  const c = copy as unknown as TimeInternals;
  const s = me._time;
  const d = c._time;
  d.year = s.year;
  d.month = s.month;
  d.day = s.day;
  d.hour = s.hour;
  d.minute = s.minute;
  d.second = s.second;
  if (s.isDate) {
    c.adjust(0, 0, 0, 0); // as the setter of isDate does on a DATE-TIME turned DATE
    d.isDate = true;
  }
  c.zone = me.zone || ICAL.Timezone.localTimezone;
  c._pendingNormalization = true; // (its cached Unix time is null already: the copy is new)
  return copy;
}

if (!proto[PATCHED]) {
  proto.clone = fastClone;
  proto[PATCHED] = true;
}
