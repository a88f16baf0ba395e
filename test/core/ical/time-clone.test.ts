// The isolate-wide ICAL.Time#clone (src/core/ical/time-clone.ts) against the
// way ical.js 2.x clones (`new Time(this._time, this.zone)`): the same fields
// raw and normalized, the same zone, the same instant, on ordinary and
// unnormalized DATE and DATE-TIME values (RFC 5545 §3.3.4, §3.3.5), and
// through a whole recurrence expansion (§3.3.10) with both.
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { genericClone } from "../../../src/core/ical/time-clone.js";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { ianaTimezone } from "../../../src/core/ical/timezones.js";
import { cal, vevent } from "./helpers.js";

type Fields = { year: number; month: number; day: number; hour: number; minute: number; second: number; isDate: boolean };
type Internals = { _time: Fields; _pendingNormalization: boolean; _cachedUnixTime: number | null; zone: ICAL.Timezone };
const raw = (t: ICAL.Time) => t as unknown as Internals;

/** What can be told of a time without touching it, then what it says once normalized. */
function observe(t: ICAL.Time) {
  const r = raw(t);
  const before = { fields: { ...r._time }, pending: r._pendingNormalization, cached: r._cachedUnixTime, zone: r.zone };
  return { before, string: t.toString(), unix: t.toUnixTime(), icaltype: t.icaltype, fields: { ...r._time } };
}

const berlin = ianaTimezone("Europe/Berlin")!;
const zones: [string, ICAL.Timezone | undefined][] = [
  ["UTC", ICAL.Timezone.utcTimezone],
  ["floating", ICAL.Timezone.localTimezone],
  ["Europe/Berlin", berlin],
  ["none given", undefined],
];

/** Times as ical.js may hold them mid-walk: plain, overflowing, negative, a DATE with a leftover clock. */
function samples(zone: ICAL.Timezone | undefined): ICAL.Time[] {
  const out: ICAL.Time[] = [];
  const make = (f: Partial<Fields>, rawSet?: Partial<Fields>) => {
    const t = new ICAL.Time({ year: 2026, month: 3, day: 29, hour: 1, minute: 30, second: 0, isDate: false, ...f }, zone as ICAL.Timezone);
    if (rawSet) Object.assign(raw(t)._time, rawSet); // as ical.js's own arithmetic leaves them before normalizing
    return t;
  };
  out.push(make({}));
  out.push(make({ isDate: true }));
  out.push(make({ hour: 2, minute: 30 })); // in Berlin's spring gap
  out.push(make({ month: 10, day: 25, hour: 2, minute: 30 })); // in Berlin's autumn overlap
  out.push(make({}, { day: 31, month: 2 }));
  out.push(make({}, { hour: 25, minute: 61, second: 75 }));
  out.push(make({}, { minute: -5, second: -1 }));
  out.push(make({}, { month: 13, day: 0 }));
  out.push(make({ isDate: true }, { hour: 23, minute: 59, second: 90 }));
  out.push(make({ isDate: true }, { day: 32 }));
  const pending = make({});
  pending.day += 40; // through the setter: normalization pending
  out.push(pending);
  const cached = make({});
  cached.toUnixTime(); // a cached instant the copy must not inherit stale
  out.push(cached);
  return out;
}

describe("ICAL.Time#clone (time-clone.ts) is ical.js's clone, faster", () => {
  for (const [name, zone] of zones) {
    it(`copies every sample exactly as ical.js does, zone ${name}`, () => {
      for (const sample of samples(zone)) {
        const a = sample.clone();
        const b = genericClone(sample);
        expect(observe(a)).toEqual(observe(b));
        expect(raw(a).zone).toBe(raw(b).zone);
        expect(a).toBeInstanceOf(ICAL.Time);
      }
    });
  }

  it("gives a copy that moves alone: changing it leaves the original as it was", () => {
    const t = new ICAL.Time({ year: 2026, month: 1, day: 31, hour: 10, minute: 0, second: 0, isDate: false }, berlin);
    const c = t.clone();
    c.day += 1;
    c.adjust(0, 5, 0, 0);
    expect(t.toString()).toBe("2026-01-31T10:00:00");
    expect(c.toString()).toBe("2026-02-01T15:00:00");
  });

  it("expands a recurrence set (RFC 5545 §3.3.10) to the same instances with either clone", () => {
    const text = cal(vevent(
      "DTSTART;TZID=Europe/Berlin:20260130T023000",
      "DURATION:PT1H",
      "RRULE:FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1;COUNT=40",
      "EXDATE;TZID=Europe/Berlin:20260331T023000",
      "RDATE;VALUE=DATE-TIME:20260329T010000Z",
    ));
    const master = parseCalendarObject(text).master!;
    const walk = () => {
      const out: string[] = [];
      const e = new ICAL.RecurExpansion({ component: master.comp, dtstart: master.anchor! });
      for (let next = e.next(); next && out.length < 100; next = e.next()) out.push(`${next.toString()} ${next.toUnixTime()}`);
      return out;
    };
    const fast = walk();
    const proto = ICAL.Time.prototype as unknown as { clone: () => ICAL.Time };
    const patched = proto.clone;
    proto.clone = function (this: ICAL.Time) { return genericClone(this); };
    let slow: string[];
    try {
      slow = walk();
    } finally {
      proto.clone = patched;
    }
    expect(fast).toHaveLength(40); // COUNT 40, one EXDATE out, one RDATE in
    expect(fast).toEqual(slow);
  });
});
