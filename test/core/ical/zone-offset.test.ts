// Local times next to a DST change, as RFC 5545 §3.3.5 reads them: a time in
// a gap takes the offset from before the gap, a time that occurs twice is its
// first occurrence; and UTC instants shown in a zone (agenda, iTIP instances)
// take the offset in effect at that instant.
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { icalTimeToUtcMs, utcMsToIcalTime } from "../../../src/core/ical/time.js";
import { ianaTimezone } from "../../../src/core/ical/timezones.js";
import { toZone } from "../../../src/core/ical/zone-offset.js";
import { localTime } from "../../../src/core/agenda/agenda.js";
import { cal, tzFixture, utc, vevent } from "./helpers.js";

const startOf = (text: string) => icalTimeToUtcMs(parseCalendarObject(text).master!.dtstart!);
const berlin = (local: string) => startOf(cal(vevent(`DTSTART;TZID=Europe/Berlin:${local}`)));

describe("RFC 5545 §3.3.5: local times at a DST change", () => {
  it("reads a time in the spring-forward gap with the offset from before the gap", () => {
    // Europe/Berlin, 30 March 2025: 02:00 CET becomes 03:00 CEST.
    expect(berlin("20250330T013000")).toBe(utc("2025-03-30T00:30:00Z"));
    expect(berlin("20250330T020000")).toBe(utc("2025-03-30T01:00:00Z"));
    expect(berlin("20250330T023000")).toBe(utc("2025-03-30T01:30:00Z"));
    expect(berlin("20250330T030000")).toBe(utc("2025-03-30T01:00:00Z"));
  });

  it("gives the RFC's own example: 02:30 America/New_York on 11 March 2007 is 03:30 EDT", () => {
    expect(startOf(cal(vevent("DTSTART;TZID=America/New_York:20070311T023000")))).toBe(utc("2007-03-11T07:30:00Z"));
  });

  it("reads a time that occurs twice as its first occurrence (RFC: 01:30 New York on 4 Nov 2007 is EDT)", () => {
    expect(startOf(cal(vevent("DTSTART;TZID=America/New_York:20071104T013000")))).toBe(utc("2007-11-04T05:30:00Z"));
    expect(berlin("20251026T020000")).toBe(utc("2025-10-26T00:00:00Z"));
    expect(berlin("20251026T025959")).toBe(utc("2025-10-26T00:59:59Z"));
    expect(berlin("20251026T030000")).toBe(utc("2025-10-26T02:00:00Z"));
  });

  it("accepts an event that ends in the gap after starting before it (DTEND is not before DTSTART)", () => {
    const o = parseCalendarObject(cal(vevent("DTSTART;TZID=Europe/Berlin:20250330T013000", "DTEND;TZID=Europe/Berlin:20250330T020000")));
    expect(icalTimeToUtcMs(o.master!.dtend!) - icalTimeToUtcMs(o.master!.dtstart!)).toBe(30 * 60_000);
  });

  it("reads the same in a zone the object defines itself", () => {
    // Apple's Europe/Berlin under a name of its own, so that the object's definition is the one used.
    const text = tzFixture("apple-berlin.ics").replace(/TZID:Europe\/Berlin/, "TZID:Office Berlin");
    const vtz = text.slice(text.indexOf("BEGIN:VTIMEZONE"), text.indexOf("END:VTIMEZONE") + "END:VTIMEZONE".length);
    expect(vtz).toContain("TZID:Office Berlin");
    const body = cal(vtz, vevent("DTSTART;TZID=Office Berlin:20250330T023000"));
    expect(startOf(body)).toBe(utc("2025-03-30T01:30:00Z"));
  });

  it("reads a time before a zone's first change with that change's earlier offset, not as UTC", () => {
    const text = cal(
      ["BEGIN:VTIMEZONE", "TZID:My/Zone", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0300", "TZOFFSETTO:+0200", "END:STANDARD", "END:VTIMEZONE"].join("\n"),
      vevent("DTSTART;TZID=My/Zone:19650601T120000"),
    );
    expect(startOf(text)).toBe(utc("1965-06-01T09:00:00Z"));
  });
});

describe("RFC 5545 §3.8.5.3: instances of a DTEND event last the exact duration, across a DST change too", () => {
  it("ends the first instance at DTEND and every other one 28 hours after its start (Sydney, DST ends 2 April 2028)", () => {
    // 00:00 AEDT (+11) to 03:00 AEST (+10) the next day: 28 hours, not the 27 the wall clock shows.
    const series = (extra: string[] = []) =>
      parseCalendarObject(cal(vevent("DTSTART;TZID=Australia/Sydney:20280401T000000", "DTEND;TZID=Australia/Sydney:20280402T030000",
        "RRULE:FREQ=MONTHLY;INTERVAL=2;UNTIL=20280601T120000Z", ...extra))).index;
    expect(series().start).toBe(utc("2028-03-31T13:00:00Z"));
    expect(series().end, "the June instance: 00:00 AEST + 28 h").toBe(utc("2028-06-01T18:00:00Z"));
    expect(series(["EXDATE;TZID=Australia/Sydney:20280601T000000"]).end, "the April instance ends at DTEND").toBe(utc("2028-04-01T17:00:00Z"));
  });
});

describe("UTC instants shown in a zone", () => {
  const zone = ianaTimezone("Europe/Berlin")!;
  it("uses the offset in effect at the instant, on both sides of each change", () => {
    const show = (iso: string) => toZone(utcMsToIcalTime(utc(iso)), zone).toString();
    expect(show("2025-03-30T00:59:00Z")).toBe("2025-03-30T01:59:00");
    expect(show("2025-03-30T01:00:00Z")).toBe("2025-03-30T03:00:00");
    expect(show("2025-03-30T01:30:00Z")).toBe("2025-03-30T03:30:00");
    expect(show("2025-10-26T00:30:00Z")).toBe("2025-10-26T02:30:00");
    expect(show("2025-10-26T01:30:00Z")).toBe("2025-10-26T02:30:00");
    expect(show("2025-10-26T02:00:00Z")).toBe("2025-10-26T03:00:00");
  });

  it("round-trips every quarter hour of a change day, but for the repeated hour's second pass, which reads back as the first", () => {
    const secondPass = [utc("2025-10-26T01:00:00Z"), utc("2025-10-26T02:00:00Z")] as const;
    for (const day of ["2025-03-30", "2025-10-26"]) {
      for (let m = 0; m < 24 * 60; m += 15) {
        const ms = utc(`${day}T00:00:00Z`) + m * 60_000 - 2 * 3_600_000;
        const back = ms >= secondPass[0] && ms < secondPass[1] ? ms - 3_600_000 : ms;
        expect(icalTimeToUtcMs(toZone(utcMsToIcalTime(ms), zone))).toBe(back);
      }
    }
  });

  it("shows agenda times in the zone (web agenda)", () => {
    expect(localTime(utc("2025-03-30T01:30:00Z"), zone)).toBe("2025-03-30T03:30");
  });

  it("folds years from 2100 on into 2072-2099 like local times do", () => {
    const ms = utc("2150-07-01T10:00:00Z");
    expect(toZone(utcMsToIcalTime(ms), zone).hour).toBe(12);
  });
});
