// Property: for random events (single and recurring; UTC, TZID, floating and
// all-day; with EXDATE and a moved override) and random time ranges, the
// RFC 4791 §9.9 time-range matcher agrees with a brute-force reference that
// expands the whole recurrence set with ical.js and tests each instance
// directly; and the index summary is conservative (a match implies
// qStart <= end && qEnd >= start) and decides exactly when it says `exact`;
// and a match within the instance index's horizon has an indexed instance.
import fc from "fast-check";
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import type { CompFilter } from "../../../src/core/query/filter.js";
import { matchFilter } from "../../../src/core/query/match.js";
import { instanceIndex } from "../../../src/core/query/instance-index.js";
import { cal, vevent, zone } from "./helpers.js";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const MIN = 60_000;
const DAY = 86_400_000;

const arb = fc.record({
  zone: fc.constantFrom("Z", "floating", "date", "Europe/Berlin", "America/New_York", "Australia/Sydney"),
  start: fc.integer({ min: Date.UTC(2024, 0, 1) / MIN, max: Date.UTC(2026, 11, 1) / MIN }).map((m) => m * MIN),
  length: fc.oneof(
    fc.record({ kind: fc.constant("dtend" as const), minutes: fc.integer({ min: 0, max: 3 * 1440 }) }),
    fc.record({ kind: fc.constant("duration" as const), minutes: fc.integer({ min: 0, max: 3 * 1440 }) }),
    fc.record({ kind: fc.constant("none" as const), minutes: fc.constant(0) }),
  ),
  rule: fc.option(fc.record({
    freq: fc.constantFrom("DAILY", "WEEKLY", "MONTHLY"),
    interval: fc.integer({ min: 1, max: 3 }),
    /** WEEKLY: more weekdays (DTSTART's own always included); MONTHLY: more days of the month. */
    by: fc.option(fc.subarray([0, 1, 2, 3, 4, 5, 6], { minLength: 1 }), { nil: undefined }),
    bound: fc.oneof(
      fc.record({ kind: fc.constant("count" as const), n: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant("until" as const), days: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant("none" as const) }),
    ),
  }), { nil: undefined }),
  exdate: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
  override: fc.option(fc.record({ index: fc.integer({ min: 0, max: 10 }), shiftMinutes: fc.integer({ min: -3 * 1440, max: 3 * 1440 }), minutes: fc.integer({ min: 0, max: 600 }) }), { nil: undefined }),
  queryZone: fc.constantFrom(null, "Pacific/Auckland", "America/Los_Angeles", "Europe/Berlin"),
  qStart: fc.option(fc.integer({ min: -10 * 1440, max: 400 * 1440 }), { nil: null }),
  qLength: fc.oneof(fc.integer({ min: 1, max: 180 }), fc.integer({ min: 1, max: 10 * 1440 })),
  qOpenEnd: fc.boolean(),
});
type Ev = typeof arb extends fc.Arbitrary<infer T> ? T : never;

/** Wall-clock ms (a UTC Date holds the wall clock) as a property value in the event's style. */
function value(e: Ev, wall: number): string {
  const d = new Date(wall);
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  if (e.zone === "date") return date;
  return `${date}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00${e.zone === "Z" ? "Z" : ""}`;
}
const param = (e: Ev) => (e.zone === "date" ? ";VALUE=DATE" : e.zone === "Z" || e.zone === "floating" ? "" : `;TZID=${e.zone}`);

function lengthLines(e: Ev, wallStart: number, minutes: number, kind: string): string[] {
  const m = e.zone === "date" ? Math.max(1, Math.round(minutes / 1440)) * 1440 : minutes;
  if (kind === "dtend") return [`DTEND${param(e)}:${value(e, wallStart + m * MIN)}`];
  if (kind === "duration") return [e.zone === "date" ? `DURATION:P${m / 1440}D` : `DURATION:PT${m}M`];
  return [];
}

/** The master's original starts, as ical.js expands them (wall-clock ms). */
function icalStarts(text: string, max: number): number[] {
  const comp = new ICAL.Component(ICAL.parse(text) as unknown[]).getAllSubcomponents("vevent").find((c) => !c.hasProperty("recurrence-id"))!;
  const it = new ICAL.Event(comp).iterator();
  const out: number[] = [];
  for (let t = it.next(); t && out.length < max; t = it.next()) out.push(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
  return out;
}

function build(e: Ev): string {
  const wall = e.zone === "date" ? Math.floor(e.start / DAY) * DAY : e.start;
  const master = [`DTSTART${param(e)}:${value(e, wall)}`, ...lengthLines(e, wall, e.length.minutes, e.length.kind)];
  if (e.rule) {
    let rule = `FREQ=${e.rule.freq};INTERVAL=${e.rule.interval}`;
    const first = new Date(wall);
    if (e.rule.by && e.rule.freq === "WEEKLY") {
      const days = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
      rule += `;BYDAY=${[...new Set([first.getUTCDay(), ...e.rule.by])].map((d) => days[d]).join(",")}`;
    }
    if (e.rule.by && e.rule.freq === "MONTHLY" && first.getUTCDate() <= 28) {
      rule += `;BYMONTHDAY=${[...new Set([first.getUTCDate(), ...e.rule.by.map((d) => 1 + d * 4)])].join(",")}`;
    }
    if (e.rule.bound.kind === "count") rule += `;COUNT=${e.rule.bound.n}`;
    if (e.rule.bound.kind === "until") {
      const until = new Date(wall + e.rule.bound.days * DAY + 12 * 3_600_000);
      // RFC 5545 §3.3.10: UNTIL is a DATE with a DATE start, floating with a floating start, else UTC.
      const local = e.zone === "date" || e.zone === "floating";
      rule += `;UNTIL=${local ? value(e, until.getTime()) : `${value({ ...e, zone: "Z" }, until.getTime())}`}`;
    }
    master.push(`RRULE:${rule}`);
  }
  const probe = cal(vevent(...master));
  const starts = e.rule ? icalStarts(probe, 12) : [wall];
  if (e.rule && e.exdate !== undefined && starts[e.exdate] !== undefined) master.push(`EXDATE${param(e)}:${value(e, starts[e.exdate]!)}`);
  const blocks = [vevent(...master)];
  const o = e.override;
  if (e.rule && o && starts[o.index] !== undefined && o.index !== e.exdate) {
    const rid = starts[o.index]!;
    const moved = e.zone === "date" ? rid + Math.round(o.shiftMinutes / 1440) * DAY : rid + o.shiftMinutes * MIN;
    blocks.push(vevent(`RECURRENCE-ID${param(e)}:${value(e, rid)}`, `DTSTART${param(e)}:${value(e, moved)}`, ...lengthLines(e, moved, o.minutes, "dtend"), "SUMMARY:moved"));
  }
  return cal(...blocks);
}

// ---- the reference: every instance, straight from ical.js, tested one by one ----

function toUtc(wall: number, tz: ICAL.Timezone | null): number {
  if (!tz) return wall;
  const d = new Date(wall);
  const t = new ICAL.Time({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), isDate: false }, tz);
  return t.toUnixTime() * 1000;
}
const wallOf = (t: ICAL.Time) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

/** [start, end] in ms UTC of the instance of `comp` starting at wall-clock `wall` (RFC 5545 §3.8.5.3, §3.3.6). */
function span(comp: ICAL.Component, wall: number, tz: ICAL.Timezone | null): [number, number] {
  const start = toUtc(wall, tz);
  const dtstart = comp.getFirstPropertyValue("dtstart") as ICAL.Time;
  const dtend = comp.getFirstPropertyValue("dtend") as ICAL.Time | null;
  const duration = comp.getFirstPropertyValue("duration") as ICAL.Duration | null;
  const zoned = tz !== null && !dtstart.isDate && dtstart.zone?.tzid !== "floating" && !!dtstart.zone;
  if (dtend) {
    if (zoned || dtstart.zone === ICAL.Timezone.utcTimezone) return [start, start + (dtend.toUnixTime() - dtstart.toUnixTime()) * 1000];
    return [start, toUtc(wall + wallOf(dtend) - wallOf(dtstart), tz)];
  }
  if (duration) {
    const days = (duration.weeks * 7 + duration.days) * DAY;
    const secs = (duration.hours * 3600 + duration.minutes * 60 + duration.seconds) * 1000;
    if (zoned) return [start, toUtc(wall + days, tz) + secs];
    return [start, toUtc(wall + days + secs, tz)];
  }
  return [start, dtstart.isDate ? toUtc(wall + DAY, tz) : start];
}

function reference(text: string, qs: number, qe: number, queryZone: ICAL.Timezone | null): boolean {
  const comps = new ICAL.Component(ICAL.parse(text) as unknown[]).getAllSubcomponents("vevent");
  const master = comps.find((c) => !c.hasProperty("recurrence-id"))!;
  const overrides = comps.filter((c) => c.hasProperty("recurrence-id"));
  const dtstart = master.getFirstPropertyValue("dtstart") as ICAL.Time;
  const floating = dtstart.isDate || !dtstart.zone || dtstart.zone.tzid === "floating";
  const tz = floating ? queryZone : dtstart.zone!;
  const hits = ([s, e]: [number, number]) => (e > s ? qs < e && qe > s : qs <= s && qe > s);
  const rids = new Set(overrides.map((o) => toUtc(wallOf(o.getFirstPropertyValue("recurrence-id") as ICAL.Time), tz)));
  for (const o of overrides) if (hits(span(o, wallOf(o.getFirstPropertyValue("dtstart") as ICAL.Time), tz))) return true;
  const it = new ICAL.Event(master).iterator();
  for (let t = it.next(), n = 0; t && n < 1500; t = it.next(), n++) {
    const wall = wallOf(t);
    const s = span(master, wall, tz);
    if (s[0] > qe) break;
    if (!rids.has(s[0]) && hits(s)) return true;
  }
  return false;
}

const veventFilter = (start: number | null, end: number | null): CompFilter => ({
  name: "VCALENDAR", isNotDefined: false, test: "allof", props: [],
  comps: [{ name: "VEVENT", isNotDefined: false, test: "allof", props: [], comps: [], timeRange: { start, end } }],
});

describe("time-range matching agrees with brute force (RFC 4791 §9.9, RFC 5545 §3.8.5)", () => {
  it("holds for random events and ranges, and the index is conservative and exact when it says so", () => {
    let matched = 0;
    let exact = 0;
    let indexed = 0;
    fc.assert(
      fc.property(arb, (e) => {
        const text = build(e);
        const obj = parseCalendarObject(text);
        const tz = zone(e.queryZone);
        const qs = e.qStart === null ? null : e.start + e.qStart * MIN;
        const qe = e.qOpenEnd && qs !== null ? null : (qs ?? e.start) + e.qLength * MIN;
        const got = matchFilter(obj, veventFilter(qs, qe), tz);
        expect(got, text).toBe(reference(text, qs ?? -Infinity, qe ?? Infinity, tz));
        const { start, end } = obj.index;
        if (got) {
          matched++;
          expect(qs === null || end === null || qs <= end, "index end").toBe(true);
          expect(qe === null || start === null || qe >= start, "index start").toBe(true);
          // The instance index is conservative too: a match within its horizon has an indexed instance overlapping.
          const inst = instanceIndex(obj, e.start);
          if (inst && qe !== null && inst.until >= qe) {
            indexed++;
            expect(inst.spans.some(([a, b]) => a <= qe && b >= (qs ?? -Infinity)), `instance index\n${text}`).toBe(true);
          }
        }
        if (obj.index.exact) {
          exact++;
          expect((qe === null || start! < qe) && (qs === null || end! > qs)).toBe(got);
        }
      }),
      { numRuns: 400 },
    );
    expect(matched).toBeGreaterThan(20);
    expect(exact).toBeGreaterThan(5);
    expect(indexed).toBeGreaterThan(20);
  }, 120_000);
});
