// Queries over objects whose own VTIMEZONE for an IANA name has other rules
// than the IANA zone (RFC 5545 §3.6.5): time-range matching (RFC 4791 §9.9),
// CALDAV:expand (§9.6.5, instances written in UTC), free-busy (§7.10), and a
// query's CALDAV:timezone (§9.8) all give the object's own UTC instants.
import { describe, expect, it } from "vitest";
import { calendarTimezoneZone } from "../../../src/core/ical/calendar-timezone.js";
import { MAX_DEFINED } from "../../../src/core/ical/defined-zones.js";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { busyPeriods } from "../../../src/core/query/freebusy.js";
import { matchFilter } from "../../../src/core/query/match.js";
import { tzFixture } from "../ical/helpers.js";
import { cal, components, dataRequest, fixture, matches, obj, rangeFilter, render, utc, vevent } from "./helpers.js";

const PERMANENT_CEST = fixture("berlin-own-rules-permanent-cest.ics");
const HISTORIC = fixture("berlin-historic-ical4j.ics");

const expand = (start: string, end: string) => dataRequest(`<C:expand start="${start}" end="${end}"/>`);
/** DTEND, DTSTART and RECURRENCE-ID lines of each instance, sorted. */
const times = (out: string, name = "VEVENT") => components(out, name).map((e) => e.filter((l) => /^(DTSTART|DTEND|RECURRENCE-ID)[:;]/.test(l)).sort());

describe("time-range on an object with its own Europe/Berlin (RFC 4791 §9.9)", () => {
  it("matches each weekly instance at 14:00-15:00Z by the object's rules, not at IANA's 15:00-16:00Z", () => {
    for (const day of ["15", "22", "29"]) {
      expect(matches(PERMANENT_CEST, rangeFilter("VEVENT", `202501${day}T140000Z`, `202501${day}T143000Z`)), day).toBe(true);
      expect(matches(PERMANENT_CEST, rangeFilter("VEVENT", `202501${day}T150000Z`, `202501${day}T160000Z`)), day).toBe(false);
    }
    expect(matches(PERMANENT_CEST, rangeFilter("VEVENT", "20250205T144500Z", "20250205T150000Z"))).toBe(true);
  });

  it("matches the historic object in 1990 at 09:00Z, where IANA's rules from 1970 on say 08:00Z", () => {
    expect(matches(HISTORIC, rangeFilter("VEVENT", "19901003T090000Z", "19901003T091500Z"))).toBe(true);
    expect(matches(HISTORIC, rangeFilter("VEVENT", "19901003T080000Z", "19901003T090000Z"))).toBe(false);
  });
});

describe("expand (RFC 4791 §9.6.5) converts with the object's own rules", () => {
  it("writes the permanent-summer-time instances at 14:00Z", () => {
    const out = render(PERMANENT_CEST, expand("20250101T000000Z", "20250301T000000Z"));
    expect(out).not.toContain("VTIMEZONE");
    expect(out).not.toContain("TZID");
    expect(times(out)).toEqual(["15", "22", "29"].map((d) => [`DTEND:202501${d}T150000Z`, `DTSTART:202501${d}T140000Z`, `RECURRENCE-ID:202501${d}T140000Z`])
      .concat([["DTEND:20250205T150000Z", "DTSTART:20250205T140000Z", "RECURRENCE-ID:20250205T140000Z"]]));
  });

  it("writes the historic instances at 09:00Z up to 1995 (summer time ended in September) and 08:00Z from 1996", () => {
    const out = render(HISTORIC, expand("19900101T000000Z", "20000101T000000Z"));
    const starts = components(out, "VEVENT").map((e) => e.find((l) => l.startsWith("DTSTART:")));
    expect(starts).toEqual([
      ...[1990, 1991, 1992, 1993, 1994, 1995].map((y) => `DTSTART:${y}1003T090000Z`),
      ...[1996, 1997, 1998, 1999].map((y) => `DTSTART:${y}1003T080000Z`),
    ]);
  });

  it("still uses the object's zone after the registry evicted its definition", () => {
    const kept = obj(PERMANENT_CEST);
    for (let i = 0; i < MAX_DEFINED + 5; i++) {
      const offset = `-01${String(i % 60).padStart(2, "0")}`;
      const zoneBlock = `BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:19700101T00${String(Math.floor(i / 60)).padStart(2, "0")}00\nTZOFFSETFROM:${offset}\nTZOFFSETTO:${offset}\nEND:STANDARD\nEND:VTIMEZONE`;
      parseCalendarObject(cal(zoneBlock, vevent(`UID:evict-${i}`, "DTSTART;TZID=Europe/Berlin:20250715T100000")));
    }
    const out = render(PERMANENT_CEST, expand("20250115T000000Z", "20250116T000000Z"), null, kept);
    expect(times(out)).toEqual([["DTEND:20250115T150000Z", "DTSTART:20250115T140000Z", "RECURRENCE-ID:20250115T140000Z"]]);
  });
});

describe("free-busy (RFC 4791 §7.10) with the object's own rules", () => {
  it("is busy 14:00-15:00Z on each instance day", () => {
    const range = { start: utc("2025-01-01T00:00:00Z"), end: utc("2025-03-01T00:00:00Z") };
    expect(busyPeriods(obj(PERMANENT_CEST), range, null)).toEqual(
      ["2025-01-15", "2025-01-22", "2025-01-29", "2025-02-05"].map((d) => ({ start: utc(`${d}T14:00:00Z`), end: utc(`${d}T15:00:00Z`), type: "BUSY" })),
    );
  });
});

describe("a query's CALDAV:timezone (RFC 4791 §9.8) with its own Europe/Berlin", () => {
  it("reads a floating 12:00 in January at 10:00Z by the definition given (IANA: 11:00Z)", () => {
    const floating = obj(cal(vevent("DTSTART:20250115T120000", "DURATION:PT30M")));
    const zone = calendarTimezoneZone(tzFixture("berlin-permanent-cest.ics"));
    expect(matchFilter(floating, rangeFilter("VEVENT", "20250115T100000Z", "20250115T101500Z"), zone)).toBe(true);
    expect(matchFilter(floating, rangeFilter("VEVENT", "20250115T110000Z", "20250115T111500Z"), zone)).toBe(false);
  });
});
