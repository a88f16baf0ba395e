// Property: for random simple recurring events, the index range contains every
// instance that ical.js's own expansion produces (RFC 4791 §9.9 over the
// RFC 5545 §3.8.5 recurrence set), so a time-range prefilter on the index
// never loses a match.
import fc from "fast-check";
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { cal, vevent } from "./helpers.js";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

const zoneArb = fc.constantFrom("Z", "floating", "date", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata");
const eventArb = fc.record({
  zone: zoneArb,
  year: fc.integer({ min: 2020, max: 2030 }),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.constantFrom(0, 15, 30, 45),
  freq: fc.constantFrom("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"),
  interval: fc.integer({ min: 1, max: 3 }),
  byday: fc.option(fc.subarray(["MO", "TU", "WE", "TH", "FR", "SA", "SU"], { minLength: 1 }), { nil: undefined }),
  bound: fc.oneof(
    fc.record({ kind: fc.constant("count" as const), n: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant("until" as const), days: fc.integer({ min: 0, max: 250 }) }),
    fc.record({ kind: fc.constant("none" as const) }),
  ),
  length: fc.oneof(
    fc.record({ kind: fc.constant("dtend" as const), minutes: fc.integer({ min: 0, max: 4000 }) }),
    fc.record({ kind: fc.constant("duration" as const), minutes: fc.integer({ min: 0, max: 4000 }) }),
    fc.record({ kind: fc.constant("none" as const) }),
  ),
  exdateIndex: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
});

type Ev = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function localString(d: Date, isDate: boolean): string {
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return isDate ? date : `${date}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;
}

/** Builds the event text; wall-clock arithmetic is done in a UTC Date and written with the zone's TZID. */
function build(e: Ev, exdate?: ICAL.Time): string {
  const isDate = e.zone === "date";
  const start = new Date(Date.UTC(e.year, e.month - 1, e.day, isDate ? 0 : e.hour, isDate ? 0 : e.minute));
  const param = e.zone === "Z" || e.zone === "floating" ? "" : isDate ? ";VALUE=DATE" : `;TZID=${e.zone}`;
  const suffix = e.zone === "Z" ? "Z" : "";
  const lines = [`DTSTART${param}:${localString(start, isDate)}${suffix}`];
  const minutes = isDate && e.length.kind !== "none" ? Math.max(1, Math.round(e.length.minutes / 1440)) * 1440 : e.length.kind === "none" ? 0 : e.length.minutes;
  if (e.length.kind === "dtend") lines.push(`DTEND${param}:${localString(new Date(start.getTime() + minutes * 60_000), isDate)}${suffix}`);
  if (e.length.kind === "duration") lines.push(isDate ? `DURATION:P${minutes / 1440}D` : `DURATION:PT${minutes}M`);
  const freq = isDate && e.freq === "HOURLY" ? "DAILY" : e.freq; // sub-daily rules on DATEs are meaningless
  let rule = `FREQ=${freq};INTERVAL=${e.interval}`;
  if (e.byday && freq === "WEEKLY") rule += `;BYDAY=${e.byday.join(",")}`;
  if (e.bound.kind === "count") rule += `;COUNT=${e.bound.n}`;
  if (e.bound.kind === "until") {
    const days = freq === "HOURLY" ? e.bound.days % 15 : e.bound.days;
    const until = new Date(start.getTime() + days * 86_400_000 + 12 * 3_600_000);
    rule += `;UNTIL=${isDate ? localString(until, true) : `${localString(until, false)}Z`}`;
  }
  lines.push(`RRULE:${rule}`);
  if (exdate) lines.push(`EXDATE${param}:${exdate.toICALString()}${suffix && !exdate.toICALString().endsWith("Z") ? suffix : ""}`);
  return cal(vevent(...lines));
}

/**
 * ical.js's own expansion: [start, end] in ms of up to `max` instances. With DTEND, each instance lasts the exact
 * duration from DTSTART to DTEND (RFC 5545 §3.8.5.3); ical.js adds that duration as wall-clock time, so across a DST
 * change its instance ends an hour off (even the first, which must end at DTEND): the end is taken exactly here.
 */
function icalInstances(text: string, max: number): [number, number][] {
  const vevent = new ICAL.Component(ICAL.parse(text) as unknown[]).getFirstSubcomponent("vevent")!;
  const event = new ICAL.Event(vevent);
  const exactMs = vevent.hasProperty("dtend") ? (event.endDate.toUnixTime() - event.startDate.toUnixTime()) * 1000 : null;
  const it = event.iterator();
  const out: [number, number][] = [];
  for (let next = it.next(); next && out.length < max; next = it.next()) {
    const d = event.getOccurrenceDetails(next);
    const start = d.startDate.toUnixTime() * 1000;
    out.push([start, exactMs === null ? d.endDate.toUnixTime() * 1000 : start + exactMs]);
  }
  return out;
}

describe("index range contains every ical.js instance (RFC 4791 §9.9, RFC 5545 §3.8.5)", () => {
  it("holds for random simple recurring events", () => {
    fc.assert(
      fc.property(eventArb, (e) => {
        let text = build(e);
        if (e.exdateIndex !== undefined) {
          // Exclude one generated instance, possibly the last one.
          const vevent = new ICAL.Component(ICAL.parse(text) as unknown[]).getFirstSubcomponent("vevent")!;
          const it = new ICAL.Event(vevent).iterator();
          let t: ICAL.Time | undefined;
          for (let i = 0; i <= e.exdateIndex; i++) t = it.next() ?? t;
          if (t) text = build(e, t);
        }
        const o = parseCalendarObject(text);
        const { start, end } = o.index;
        expect(o.index.recurring).toBe(true);
        expect(o.index.floating).toBe(e.zone === "floating" || e.zone === "date");
        if (e.bound.kind === "none") expect(end).toBeNull();
        const instances = icalInstances(text, 400);
        for (const [s, f] of instances) {
          expect(start).not.toBeNull();
          expect(s).toBeGreaterThanOrEqual(start!);
          if (end !== null) expect(Math.max(s, f)).toBeLessThanOrEqual(end);
        }
        if (e.bound.kind === "count" && end !== null) expect(o.instances).toBe(instances.length);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
