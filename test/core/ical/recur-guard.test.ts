// The recurrence guard (src/core/ical/recur-guard.ts) on ical.js's iterator,
// wherever it is created (RFC 5545 §3.3.10, §3.8.5.3): a rule that finds no
// next instance within LIMITS.stepsPerInstance steps ends there, DTSTART
// staying its first instance; rare rules (leap days) still find theirs; a
// large INTERVAL and a YEARLY rule that never matches cost one instance's
// bound at most; meters nest. Then a generated family of rules that never or
// rarely match, through every walk of the core (the index summary, the
// instance index, time-range matching, expand, free-busy): each answers, or
// refuses with DAV:number-of-matches-within-limits, within its step bound.
import fc from "fast-check";
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../src/core/ical/limits.js";
import { parseCalendarObject, type CalendarObject } from "../../../src/core/ical/parse.js";
import { Budget, contractingBoth, metered, spend, stepCount, StepLimit } from "../../../src/core/ical/recur-guard.js";
import { isTooLong } from "../../../src/core/query/budget.js";
import { busyPeriods } from "../../../src/core/query/freebusy.js";
import { instanceIndex } from "../../../src/core/query/instance-index.js";
import { matchFilter } from "../../../src/core/query/match.js";
import { instancesInRange } from "../../../src/core/query/time-range.js";
import { rangeFilter, utc } from "../query/helpers.js";
import { cal, vevent } from "./helpers.js";
import { ruleArb, ruleText } from "./hostile-rules.js";

/** The occurrences an iterator yields (at most n), and the steps it took. */
function iterate(rule: string, dtstart: string, n = 50): { times: string[]; steps: number } {
  const before = stepCount();
  const it = ICAL.Recur.fromString(rule).iterator(ICAL.Time.fromString(dtstart, null));
  const times: string[] = [];
  for (let next = it.next(); next && times.length < n; next = it.next()) times.push(next.toString());
  return { times, steps: stepCount() - before };
}

/** What ICAL.RecurExpansion (the index summary's and the room replies' walk) yields. */
function expansion(rrule: string, dtstart: string, n = 50): string[] {
  const comp = new ICAL.Component(ICAL.parse(cal(vevent(`DTSTART:${dtstart}`, `RRULE:${rrule}`))) as unknown[]).getFirstSubcomponent("vevent")!;
  const e = new ICAL.RecurExpansion({ component: comp, dtstart: comp.getFirstPropertyValue("dtstart") as ICAL.Time });
  const out: string[] = [];
  for (let next = e.next(); next && out.length < n; next = e.next()) out.push(next.toString());
  return out;
}

const ONE_INSTANCE = LIMITS.stepsPerInstance + 1;

describe("a rule that never matches ends after one instance's bound (RFC 5545 §3.8.5.3: DTSTART is the first instance)", () => {
  it.each([
    ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "2026-02-10T09:00:00"],
    ["FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "2026-02-10T09:00:00"],
    ["FREQ=WEEKLY;BYMONTH=2;BYWEEKNO=20", "2026-02-10T09:00:00"],
    ["FREQ=DAILY;BYWEEKNO=53;BYMONTH=6", "2026-02-10T09:00:00"],
    ["FREQ=MONTHLY;BYSETPOS=9;BYDAY=MO", "2026-02-02T09:00:00"], // ical.js yields DTSTART first only where the rule's first day is DTSTART
    ["FREQ=YEARLY;BYMONTH=4;BYDAY=1MO;BYMONTHDAY=15,16,17,18,19,20,21", "2026-02-10T09:00:00"],
  ])("%s: DTSTART, then nothing", (rule, dtstart) => {
    const { times, steps } = iterate(rule, dtstart);
    expect(times).toEqual([dtstart]);
    expect(steps).toBeLessThanOrEqual(2 * ONE_INSTANCE);
    expect(expansion(rule, dtstart.replace(/[-:]/g, ""))).toEqual([dtstart]);
  });

  it("charges a large INTERVAL instead of walking it day by day", () => {
    const { times, steps } = iterate("FREQ=DAILY;INTERVAL=1000000", "2026-02-10T09:00:00");
    expect(times).toEqual(["2026-02-10T09:00:00"]);
    expect(steps).toBeLessThanOrEqual(ONE_INSTANCE);
  });

  it("keeps DTSTART for a rule ical.js refuses to start (BYYEARDAY in a DAILY rule)", () => {
    expect(iterate("FREQ=DAILY;BYYEARDAY=100", "2026-02-10T09:00:00").times).toEqual(["2026-02-10T09:00:00"]);
    expect(expansion("FREQ=DAILY;BYYEARDAY=100", "20260210T090000")).toEqual(["2026-02-10T09:00:00"]);
  });
});

describe("rules that match rarely still find their instances", () => {
  it("daily on 29 February: every leap day, also across 2100", () => {
    const { times } = iterate("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", "2088-02-29T12:00:00", 5);
    expect(times).toEqual(["2088-02-29T12:00:00", "2092-02-29T12:00:00", "2096-02-29T12:00:00", "2104-02-29T12:00:00", "2108-02-29T12:00:00"]);
  });
  it("yearly on 29 February, and Friday the 13th daily", () => {
    expect(iterate("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2096-02-29T12:00:00", 3).times).toEqual(["2096-02-29T12:00:00", "2104-02-29T12:00:00", "2108-02-29T12:00:00"]);
    expect(iterate("FREQ=DAILY;BYMONTHDAY=13;BYDAY=FR", "2026-02-13T12:00:00", 3).times).toEqual(["2026-02-13T12:00:00", "2026-03-13T12:00:00", "2026-11-13T12:00:00"]);
  });
  it("the last weekday of every month", () => {
    expect(iterate("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "2026-01-30T12:00:00", 3).times).toEqual(["2026-01-30T12:00:00", "2026-02-27T12:00:00", "2026-03-31T12:00:00"]);
  });
});

describe("the contracting test computes only what a rule's parts need, with ical.js's answer", () => {
  it("agrees with ical.js's check_contracting_rules on every candidate of generated rules, and on random dates", () => {
    let compared = 0;
    fc.assert(
      fc.property(ruleArb, fc.array(fc.integer({ min: 0, max: 40 * 366 }), { minLength: 5, maxLength: 20 }), (r, days) => {
        const it = ICAL.Recur.fromString(ruleText(r)).iterator(ICAL.Time.fromString("2026-02-10T09:00:00", null)) as unknown as { next(): unknown; last: ICAL.Time };
        for (let n = 0; n < 30 && it.next(); n++) {
          const [ours, theirs] = contractingBoth(it);
          expect(ours, ruleText(r)).toBe(theirs);
          compared++;
        }
        for (const d of days) {
          const t = ICAL.Time.fromString("2020-01-01T00:00:00", null);
          t.adjust(d, d % 24, d % 60, d % 60);
          it.last = t;
          const [ours, theirs] = contractingBoth(it);
          expect(ours, `${ruleText(r)} at ${t.toString()}`).toBe(theirs);
          compared++;
        }
      }),
      { numRuns: 200, seed: 20261128 },
    );
    expect(compared).toBeGreaterThan(2000);
  });
});

describe("meters", () => {
  it("metered() answers null when its own limit runs out, and lets an outer meter's StepLimit through", () => {
    expect(metered(10, () => spend(5))).toEqual({ value: undefined });
    expect(metered(10, () => spend(11))).toBeNull();
    let inner: unknown = "never returned";
    expect(metered(10, () => (inner = metered(100, () => spend(11))))).toBeNull();
    expect(inner).toBe("never returned");
    expect(metered(10, () => metered(5, () => spend(6)))).toEqual({ value: null });
    expect(() => spend(1)).not.toThrow(); // no meter left open
    expect(new StepLimit({})).toBeInstanceOf(Error);
  });
  it("a Budget spans several runs and refuses once spent", () => {
    const b = new Budget(100, 60);
    expect(b.run(() => spend(50))).not.toBeNull();
    expect(b.run(() => spend(61))).toBeNull(); // more than is left: charged one step past the limit, no more
    expect(b.spent).toBe(101);
    expect(b.exhausted).toBe(true);
    expect(b.run(() => 1)).toBeNull();
  });
});

// ---- a generated family of rules that never or rarely match ----------------------

const walkSteps: number[] = [];

/** Runs one walk of the core and checks its step bound; an expansion too long may refuse with 403 number-of-matches-within-limits. */
function bounded<T>(what: string, maxSteps: number, fn: () => T): T | "too long" {
  const before = stepCount();
  let out: T | "too long";
  try {
    out = fn();
  } catch (e) {
    if (!isTooLong(e)) throw e;
    out = "too long";
  }
  const steps = stepCount() - before;
  expect(steps, what).toBeLessThanOrEqual(maxSteps);
  walkSteps.push(steps);
  return out;
}

describe("rules that never or rarely match, generated (every walk answers within its bound)", () => {
  it("parse, index, time-range, expand and free-busy each stay within one walk's steps, and DTSTART is an instance", () => {
    const walk = LIMITS.stepsPerWalk + 1;
    const dtstart = "20260210T090000Z";
    const seen = { parsed: 0, refused: 0, tooLong: 0, maxSteps: 0 };
    fc.assert(
      fc.property(ruleArb, (r) => {
        const rule = ruleText(r);
        const text = cal(vevent(`UID:gen-${Math.random()}`, `DTSTART:${dtstart}`, "DURATION:PT1H", `RRULE:${rule}`));
        let obj: CalendarObject;
        try {
          obj = bounded(`parse ${rule}`, walk, () => parseCalendarObject(text)) as CalendarObject;
        } catch (e) {
          expect((e as { status?: number }).status, `${rule}: ${String(e)}`).toBe(403); // ical.js cannot read the rule: invalid data
          seen.refused++;
          return;
        }
        seen.parsed++;
        bounded(`instance index ${rule}`, walk, () => instanceIndex(obj, utc("2026-01-01T00:00:00Z")));
        const first = bounded(`DTSTART week ${rule}`, walk, () => matchFilter(obj, rangeFilter("VEVENT", "20260209T000000Z", "20260216T000000Z"), null));
        expect(first, rule).toBe(true);
        bounded(`later range ${rule}`, walk, () => matchFilter(obj, rangeFilter("VEVENT", "20270301T000000Z", "20270401T000000Z"), null));
        const year = { start: utc("2026-01-01T00:00:00Z"), end: utc("2027-01-01T00:00:00Z") };
        const expanded = bounded(`expand ${rule}`, walk, () => instancesInRange(obj, year, null));
        if (expanded !== "too long" && expanded.complete) expect(expanded.instances[0]?.start, rule).toBe(utc("2026-02-10T09:00:00Z"));
        if (bounded(`busy ${rule}`, walk, () => busyPeriods(obj, year, null)) === "too long") seen.tooLong++;
      }),
      { numRuns: 80, seed: 20261127 },
    );
    const sorted = [...walkSteps].sort((a, b) => a - b);
    console.log(`generated rules: ${seen.parsed} accepted, ${seen.refused} refused as invalid data, ${seen.tooLong} too long for a year of busy time; ` +
      `steps per walk: median ${sorted[sorted.length >> 1]}, max ${sorted.at(-1)}, ${sorted.filter((x) => x >= LIMITS.stepsPerInstance).length} of ${sorted.length} walks ended a rule at its bound`);
    expect(seen.parsed).toBeGreaterThan(50);
  }, 300_000);
});
