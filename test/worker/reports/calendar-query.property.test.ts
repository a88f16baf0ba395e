// Property: for random calendars (single and weekly recurring events in UTC,
// Europe/Berlin, floating time and all-day, some with an EXDATE or a moved
// override, ending by DTEND, DURATION or not at all) PUT into a fresh
// calendar, optionally with a calendar-timezone, and random VEVENT
// time-range filters, the hrefs the Worker's calendar-query answers equal
// what the pure exact matcher (src/core/query/match.ts) says over the same
// objects. This checks the index pre-filter, the SQL candidates and the
// index-only decisions end to end against RFC 4791 §9.9 as match.ts
// implements it. Some filters add an always-true prop-filter so that the
// body path (no index-only decision) is compared as well.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCalendarObject, type CalendarObject } from "../../../src/core/ical/parse.js";
import { ianaTimezone } from "../../../src/core/ical/timezones.js";
import type { CompFilter } from "../../../src/core/query/filter.js";
import { matchFilter } from "../../../src/core/query/match.js";
import auckland from "../../fixtures/ics/calendar-timezone/pacific-auckland.ics?raw";
import newYork from "../../fixtures/ics/calendar-timezone/america-new-york.ics?raw";
import berlinDst from "../../fixtures/ics/berlin-weekly-dst.ics?raw";
import { newUser, rnd } from "../../helpers/caldav.js";
import { calendarQueryBody, components, icalUtc, mkcolCalendar, multistatusOf, nameOf, putAll, report, setCalendarTimezone } from "../../helpers/reports.js";

const VTIMEZONE_BERLIN = ["BEGIN:VTIMEZONE", ...components(berlinDst, "VTIMEZONE")[0]!, "END:VTIMEZONE"];
const MIN = 60_000;
const DAY = 86_400_000;
/** 1 March 2025 00:00, as wall-clock ms; the window spans the EU (30 March) and US (9 March) changes and NZ's (6 April). */
const BASE = Date.UTC(2025, 2, 1);

type Kind = "utc" | "berlin" | "floating" | "allday";
type EndForm = "dtend" | "duration" | "none";

interface Spec {
  kind: Kind;
  /** Wall-clock start, ms (fields read as UTC). */
  start: number;
  /** Minutes for timed events, days for all-day ones. */
  length: number;
  end: EndForm;
  count: number; // 1 = not recurring
  exdate: number | null; // instance index
  override: { index: number; shift: number; length: number } | null; // shift in minutes (days for all-day)
}

const wall = (ms: number, kind: Kind): string => {
  const iso = new Date(ms).toISOString();
  const date = iso.slice(0, 10).replace(/-/g, "");
  if (kind === "allday") return date;
  const time = iso.slice(11, 19).replace(/:/g, "");
  return `${date}T${time}${kind === "utc" ? "Z" : ""}`;
};

const param = (kind: Kind) => (kind === "berlin" ? ";TZID=Europe/Berlin" : kind === "allday" ? ";VALUE=DATE" : "");

function timeLines(kind: Kind, start: number, length: number, end: EndForm): string[] {
  const lines = [`DTSTART${param(kind)}:${wall(start, kind)}`];
  if (end === "dtend") lines.push(`DTEND${param(kind)}:${wall(start + length * (kind === "allday" ? DAY : MIN), kind)}`);
  if (end === "duration") lines.push(kind === "allday" ? `DURATION:P${length}D` : `DURATION:PT${length}M`);
  return lines;
}

function objectText(uid: string, s: Spec): string {
  const unit = s.kind === "allday" ? DAY : MIN;
  const master = [
    "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20250101T000000Z", ...timeLines(s.kind, s.start, s.length, s.end), `SUMMARY:${uid}`,
    ...(s.count > 1 ? [`RRULE:FREQ=WEEKLY;COUNT=${s.count}`] : []),
    ...(s.exdate !== null ? [`EXDATE${param(s.kind)}:${wall(s.start + s.exdate * 7 * DAY, s.kind)}`] : []),
    "END:VEVENT",
  ];
  const override = s.override
    ? [
        "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20250101T000000Z", `RECURRENCE-ID${param(s.kind)}:${wall(s.start + s.override.index * 7 * DAY, s.kind)}`,
        ...timeLines(s.kind, s.start + s.override.index * 7 * DAY + s.override.shift * unit, s.override.length, s.end === "none" ? "dtend" : s.end),
        `SUMMARY:${uid} moved`, "END:VEVENT",
      ]
    : [];
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav property tests//EN", ...(s.kind === "berlin" ? VTIMEZONE_BERLIN : []),
    ...master, ...override, "END:VCALENDAR", "",
  ].join("\r\n");
}

const specArb: fc.Arbitrary<Spec> = fc
  .record({
    kind: fc.constantFrom<Kind>("utc", "berlin", "floating", "allday"),
    day: fc.integer({ min: 0, max: 50 }),
    quarter: fc.integer({ min: 0, max: 95 }),
    minutes: fc.integer({ min: 1, max: 16 }).map((q) => q * 15),
    days: fc.integer({ min: 1, max: 3 }),
    end: fc.constantFrom<EndForm>("dtend", "duration", "none"),
    count: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 8 })),
    exdatePick: fc.option(fc.nat(7), { nil: null }),
    overridePick: fc.option(fc.record({ index: fc.nat(7), shift: fc.integer({ min: -4, max: 4 }), length: fc.integer({ min: 1, max: 8 }) }), { nil: null }),
  })
  .map((r) => {
    const allday = r.kind === "allday";
    const start = BASE + r.day * DAY + (allday ? 0 : r.quarter * 15 * MIN);
    const recurring = r.count > 1;
    const exdate = recurring && r.exdatePick !== null ? 1 + (r.exdatePick % (r.count - 1)) : null;
    let override: Spec["override"] = null;
    if (recurring && r.overridePick) {
      const index = r.overridePick.index % r.count;
      if (index !== exdate) {
        override = {
          index,
          // Timed: shift by whole hours (-4h..+4h, or by days when large); all-day: by days.
          shift: allday ? r.overridePick.shift : r.overridePick.shift * (Math.abs(r.overridePick.shift) > 2 ? 24 * 60 : 60),
          length: allday ? Math.min(r.overridePick.length, 3) : r.overridePick.length * 15,
        };
      }
    }
    return { kind: r.kind, start, length: allday ? r.days : r.minutes, end: r.end, count: r.count, exdate, override };
  });

interface Query {
  start: number | null;
  end: number | null;
  /** Add an always-true prop-filter (UID exists), which takes the body path instead of an index-only decision. */
  viaBody: boolean;
}

const queryArb: fc.Arbitrary<Query> = fc
  .record({
    at: fc.integer({ min: -2 * 24 * 4, max: 70 * 24 * 4 }), // quarter hours from BASE
    len: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 * 24 * 10 })), // quarter hours
    open: fc.constantFrom("none", "none", "none", "start", "end"),
    viaBody: fc.boolean(),
  })
  .map(({ at, len, open, viaBody }) => {
    // Query bounds are UTC instants; shifting by a minute now and then lands on and off instance edges.
    const start = BASE + at * 15 * MIN;
    const end = start + len * 15 * MIN;
    return { start: open === "start" ? null : start, end: open === "end" ? null : end, viaBody };
  });

const ZONES: Array<[string | null, string | null]> = [[null, null], ["Pacific/Auckland", auckland], ["America/New_York", newYork]];

function localFilter(q: Query): CompFilter {
  return {
    name: "VCALENDAR", isNotDefined: false, test: "allof", props: [],
    comps: [{
      name: "VEVENT", isNotDefined: false, test: "allof", timeRange: { start: q.start, end: q.end },
      props: q.viaBody ? [{ name: "UID", isNotDefined: false, test: "allof", params: [] }] : [], comps: [],
    }],
  };
}

function xmlFilter(q: Query): string {
  const attrs = `${q.start !== null ? ` start="${icalUtc(q.start)}"` : ""}${q.end !== null ? ` end="${icalUtc(q.end)}"` : ""}`;
  const prop = q.viaBody ? `<C:prop-filter name="UID"/>` : "";
  return `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range${attrs}/>${prop}</C:comp-filter></C:comp-filter>`;
}

describe("calendar-query agrees with the exact matcher (RFC 4791 §9.9, property)", () => {
  it("answers random VEVENT time-range queries over random calendars exactly as match.ts does", { timeout: 120_000 }, async () => {
    const u = await newUser("prop-query");
    let run = 0;
    let hits = 0;
    let misses = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 10, maxLength: 20 }),
        fc.array(queryArb, { minLength: 6, maxLength: 6 }),
        fc.nat(ZONES.length - 1),
        async (specs, queries, z) => {
          const [zoneName, zoneText] = ZONES[z]!;
          const path = await mkcolCalendar(u, `p${run++}-${rnd()}`, { components: ["VEVENT"] });
          if (zoneText) await setCalendarTimezone(u, path, zoneText);
          const texts: Record<string, string> = {};
          specs.forEach((s, i) => (texts[`o${i}.ics`] = objectText(`o${i}-${rnd()}@prop`, s)));
          await putAll(u, path, texts);
          const parsed: Array<[string, CalendarObject]> = Object.entries(texts).map(([n, t]) => [n, parseCalendarObject(t)]);
          const zone = zoneName ? ianaTimezone(zoneName) : null;
          for (const q of queries) {
            const want = parsed.filter(([, o]) => matchFilter(o, localFilter(q), zone)).map(([n]) => n).sort();
            const { responses } = await multistatusOf(await report(u, path, calendarQueryBody(xmlFilter(q))));
            const got = [...responses.keys()].map(nameOf).sort();
            const diff = [...want.filter((n) => !got.includes(n)).map((n) => `missing ${n}`), ...got.filter((n) => !want.includes(n)).map((n) => `extra ${n}`)];
            hits += got.length;
            misses += specs.length - got.length;
            expect(got, `zone ${zoneName ?? "UTC"}, ${xmlFilter(q)}: ${diff.map((d) => `${d}\n${texts[d.split(" ")[1]!]}`).join("\n")}`).toEqual(want);
          }
        },
      ),
      { numRuns: 25 },
    );
    // Not vacuous: the random queries both found and missed objects.
    expect(hits).toBeGreaterThan(50);
    expect(misses).toBeGreaterThan(50);
  });
});
