// Property: free-busy from the index (RFC 4791 §7.10) is the free-busy of the
// body. For random events (UTC, TZID, floating and all-day; single, DAILY or
// WEEKLY with COUNT, UNTIL or no end; an EXDATE; an override moved and with
// its own TRANSP/STATUS) with random TRANSP and STATUS, and random ranges:
// whenever the index says it can describe an event (busy-index.ts), the
// periods it gives merge to exactly what expanding the body gives; and it
// does decide most zoned events, so the property is not vacuous.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { busyFromIndex } from "../../../src/core/query/busy-index.js";
import { busyPeriods, mergePeriods } from "../../../src/core/query/freebusy.js";
import { instanceIndex } from "../../../src/core/query/instance-index.js";
import { cal, vevent, zone } from "./helpers.js";

const MIN = 60_000;
const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, "0");

const look = fc.record({
  transp: fc.constantFrom(undefined, "OPAQUE", "TRANSPARENT"),
  status: fc.constantFrom(undefined, "CONFIRMED", "TENTATIVE", "CANCELLED"),
});

const arb = fc.record({
  tz: fc.constantFrom("Z", "Europe/Berlin", "America/New_York", "floating", "date"),
  start: fc.integer({ min: Date.UTC(2026, 0, 1) / MIN, max: Date.UTC(2026, 5, 1) / MIN }).map((m) => m * 15 * MIN / 15),
  minutes: fc.integer({ min: 0, max: 2 * 1440 }),
  rule: fc.option(fc.record({
    freq: fc.constantFrom("DAILY", "WEEKLY"),
    bound: fc.constantFrom("COUNT=12", "UNTIL=20261001T000000Z", ""),
  }), { nil: undefined }),
  exdate: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  master: look,
  override: fc.option(fc.record({ index: fc.integer({ min: 0, max: 6 }), shift: fc.integer({ min: -600, max: 600 }), look }), { nil: undefined }),
  calendarZone: fc.constantFrom(null, "Europe/Berlin", "Pacific/Auckland"),
  qStart: fc.integer({ min: -20 * 1440, max: 120 * 1440 }),
  qLength: fc.integer({ min: 30, max: 40 * 1440 }),
});
type Ev = typeof arb extends fc.Arbitrary<infer T> ? T : never;

function value(e: Ev, wall: number): string {
  const d = new Date(wall);
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  if (e.tz === "date") return date;
  return `${date}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00${e.tz === "Z" ? "Z" : ""}`;
}
const param = (e: Ev) => (e.tz === "date" ? ";VALUE=DATE" : e.tz === "Z" || e.tz === "floating" ? "" : `;TZID=${e.tz}`);
const lookLines = (l: Ev["master"]) => [...(l.transp ? [`TRANSP:${l.transp}`] : []), ...(l.status ? [`STATUS:${l.status}`] : [])];

function build(e: Ev): string {
  const step = e.rule?.freq === "WEEKLY" ? 7 * DAY : DAY;
  const wall = e.tz === "date" ? Math.floor(e.start / DAY) * DAY : e.start;
  const length = e.tz === "date" ? Math.max(1, Math.round(e.minutes / 1440)) * DAY : e.minutes * MIN;
  const master = [`DTSTART${param(e)}:${value(e, wall)}`, `DTEND${param(e)}:${value(e, wall + length)}`, ...lookLines(e.master)];
  if (e.rule) {
    master.push(`RRULE:FREQ=${e.rule.freq}${e.rule.bound ? `;${e.rule.bound}` : ""}`);
    if (e.exdate !== undefined) master.push(`EXDATE${param(e)}:${value(e, wall + e.exdate * step)}`);
  }
  const blocks = [vevent(...master)];
  const o = e.override;
  if (e.rule && o && o.index !== e.exdate) {
    const rid = wall + o.index * step;
    const moved = e.tz === "date" ? rid + Math.round(o.shift / 1440) * DAY : rid + o.shift * MIN;
    blocks.push(vevent(`RECURRENCE-ID${param(e)}:${value(e, rid)}`, `DTSTART${param(e)}:${value(e, moved)}`,
      `DTEND${param(e)}:${value(e, moved + length)}`, ...lookLines(o.look)));
  }
  return cal(...blocks);
}

describe("free-busy from the index equals free-busy from the body (RFC 4791 §7.10)", () => {
  it("holds for random events, looks and ranges, and the index decides most zoned events", () => {
    let decided = 0;
    let zoned = 0;
    let busy = 0;
    fc.assert(
      fc.property(arb, (e) => {
        const text = build(e);
        const obj = parseCalendarObject(text);
        const now = Date.UTC(2026, 0, 1);
        const inst = instanceIndex(obj, now);
        const range = { start: e.start + e.qStart * MIN, end: e.start + (e.qStart + e.qLength) * MIN };
        const i = obj.index;
        const row = { component: i.component, start: i.start, end: i.end, recurring: i.recurring, floating: i.floating, exact: i.exact, busy: i.busy, instUntil: inst?.until ?? null };
        const spans = () => (inst?.spans ?? []).filter(([s, f]) => s < range.end && f > range.start).map(([s, f, b]) => ({ start: s, end: f, busy: b }));
        const got = busyFromIndex(row, range, spans);
        if (e.tz !== "floating" && e.tz !== "date") zoned++;
        if (got === null) return;
        decided++;
        const want = mergePeriods(busyPeriods(obj, range, zone(e.calendarZone)));
        if (want.length) busy++;
        expect(mergePeriods(got), text).toEqual(want);
      }),
      { numRuns: 500 },
    );
    expect(decided).toBeGreaterThan(zoned * 0.8);
    expect(busy).toBeGreaterThan(50);
  }, 120_000);
});
