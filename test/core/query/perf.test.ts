// Cost of the exact matcher, expand and free-busy per object, after warm-up.
// Logs only, no timing assertions: numbers depend on the machine. The
// benchmark runs one-week time-range queries over 10,000 events.
import { describe, expect, it } from "vitest";
import type { CalendarObject } from "../../../src/core/ical/parse.js";
import { busyPeriods } from "../../../src/core/query/freebusy.js";
import { matchFilter } from "../../../src/core/query/match.js";
import { cal, dataRequest, obj, rangeFilter, render, utc, vevent } from "./helpers.js";

const week = rangeFilter("VEVENT", "20250602T000000Z", "20250609T000000Z");
const weekRange = { start: utc("2025-06-02T00:00:00Z"), end: utc("2025-06-09T00:00:00Z") };

function measure(label: string, objects: CalendarObject[], fn: (o: CalendarObject) => unknown, n = 2000): number {
  for (let i = 0; i < 100; i++) fn(objects[i % objects.length]!);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(objects[i % objects.length]!);
  const us = ((performance.now() - t0) / n) * 1000;
  console.log(`${label}: ${us.toFixed(1)} µs per object`);
  return us;
}

const make = (k: number, ...lines: string[]) => obj(cal(vevent(`UID:perf-${k}`, ...lines)));

describe("query cost (logged, not asserted)", () => {
  it("measures matchFilter, expand and busy time", () => {
    const day = (k: number) => String(1 + (k % 28)).padStart(2, "0");
    const single = Array.from({ length: 200 }, (_, k) => make(k, `DTSTART;TZID=Europe/Berlin:202506${day(k)}T100000`, "DURATION:PT1H"));
    const weekly = Array.from({ length: 200 }, (_, k) => make(k, `DTSTART;TZID=America/New_York:202001${day(k)}T090000`, "DURATION:PT1H", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE", `EXDATE;TZID=America/New_York:202506${day(k)}T090000`));
    const daily = Array.from({ length: 200 }, (_, k) => make(k, `DTSTART;TZID=Europe/Berlin:201501${day(k)}T083000`, "DTEND;TZID=Europe/Berlin:20150101T090000".replace("01T", `${day(k)}T`), "RRULE:FREQ=DAILY"));
    const monthly = Array.from({ length: 200 }, (_, k) => make(k, `DTSTART:200001${day(k)}T120000Z`, "DURATION:PT1H", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,15"));
    const results = [
      measure("single zoned event, one-week time-range", single, (o) => matchFilter(o, week, null)),
      measure("weekly since 2020 + EXDATE, one-week time-range", weekly, (o) => matchFilter(o, week, null)),
      measure("daily since 2015, one-week time-range", daily, (o) => matchFilter(o, week, null)),
      measure("monthly since 2000 (no jump), one-week time-range", monthly, (o) => matchFilter(o, week, null), 500),
      measure("weekly since 2020, expand one week", weekly, (o) => render("", dataRequest(`<C:expand start="20250602T000000Z" end="20250609T000000Z"/>`), null, o), 500),
      measure("daily since 2015, busy time of one week", daily, (o) => busyPeriods(o, weekRange, null), 500),
    ];
    expect(results.every((us) => us > 0)).toBe(true);
  });
});
