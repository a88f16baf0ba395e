// Property: SECONDLY, MINUTELY and HOURLY rules (RFC 5545 §3.3.10) start
// their walk a period or so before the window, not at DTSTART (recur.ts);
// the instances found in a window equal those of a walk from DTSTART, in
// zones with daylight saving, for windows on either side of a change and
// across it, with COUNT and UNTIL too.
import fc from "fast-check";
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { icalTimeToUtcMs } from "../../../src/core/ical/time.js";
import { instancesInRange } from "../../../src/core/query/time-range.js";
import { cal, obj, vevent, zone } from "./helpers.js";

const MIN = 60_000;
const pad = (n: number) => String(n).padStart(2, "0");
const local = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
};

const arb = fc.record({
  tz: fc.constantFrom("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"),
  freq: fc.constantFrom(["SECONDLY", 1], ["MINUTELY", 60], ["HOURLY", 3600]) as fc.Arbitrary<[string, number]>,
  interval: fc.integer({ min: 1, max: 97 }),
  /** DTSTART, as a wall clock (minutes since 2025-01-01). */
  start: fc.integer({ min: 0, max: 300 * 1440 }),
  /** The window: this many periods after DTSTART (about), and its length in periods. */
  offset: fc.integer({ min: 0, max: 4000 }),
  length: fc.integer({ min: 1, max: 40 }),
  bound: fc.oneof(fc.constant(""), fc.integer({ min: 1, max: 6000 }).map((n) => `;COUNT=${n}`)),
});

describe("sub-daily rules start near the window, and find what a walk from DTSTART finds", () => {
  it("holds for random rules, zones and windows", () => {
    fc.assert(
      fc.property(arb, (a) => {
        const [freq, unit] = a.freq;
        const periodMs = unit * 1000 * a.interval;
        const wall = Date.UTC(2025, 0, 1) + a.start * MIN;
        const rule = `FREQ=${freq};INTERVAL=${a.interval}${a.bound}`;
        const text = cal(vevent(`DTSTART;TZID=${a.tz}:${local(wall)}`, "DURATION:PT1S", `RRULE:${rule}`));
        const o = obj(text);
        const dtstartMs = icalTimeToUtcMs(o.master!.dtstart!);
        const window = { start: dtstartMs + a.offset * periodMs, end: dtstartMs + (a.offset + a.length) * periodMs };
        const got = instancesInRange(o, window, null);
        expect(got.complete).toBe(true);
        // The reference: every occurrence from DTSTART, in order, converted by ical.js.
        const z = zone(a.tz)!;
        const it = new ICAL.RecurExpansion({ component: o.master!.comp, dtstart: o.master!.dtstart! });
        const want: number[] = [];
        for (let t = it.next(), n = 0; t && n < 6000 + a.offset + a.length; t = it.next(), n++) {
          const ms = new ICAL.Time({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, isDate: false }, z).toUnixTime() * 1000;
          if (ms > window.end) break;
          if (ms + 1000 > window.start && ms < window.end) want.push(ms);
        }
        expect(got.instances.map((i) => i.start), `${text}\n${new Date(window.start).toISOString()}..${new Date(window.end).toISOString()}`).toEqual(want);
      }),
      { numRuns: 200, seed: 20261127 },
    );
  }, 120_000);
});
