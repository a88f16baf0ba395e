// The shared timezone registry: TZID resolution (RFC 5545 §3.2.19, §3.6.5),
// DST correctness, Windows names, and the rule that an unknown TZID is never
// silently floating (RFC 4791 §5.3.2.1 valid-calendar-data).
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { formatUtc, icalTimeToUtcMs, parseUtcDateTime } from "../../../src/core/ical/time.js";
import { ianaNameFor, ianaTimezone, ianaVtimezoneText, normalizeTzid, resolveTimezone } from "../../../src/core/ical/timezones.js";
import { cal, expectPrecondition, fixture, utc, vevent } from "./helpers.js";

const startOf = (text: string) => {
  const o = parseCalendarObject(text);
  return icalTimeToUtcMs(o.master!.dtstart!);
};

describe("DST and IANA zones (RFC 5545 §3.3.5 form #3)", () => {
  it("puts 10:00 Europe/Berlin at 09:00Z in January and 08:00Z in July, with no VTIMEZONE in the object", () => {
    expect(startOf(cal(vevent("DTSTART;TZID=Europe/Berlin:20250115T100000")))).toBe(utc("2025-01-15T09:00:00Z"));
    expect(startOf(cal(vevent("DTSTART;TZID=Europe/Berlin:20250715T100000")))).toBe(utc("2025-07-15T08:00:00Z"));
  });

  it("handles the Apple fixture's embedded Europe/Berlin across the DST change", () => {
    const o = parseCalendarObject(fixture("apple-recurring-berlin.ics"));
    expect(icalTimeToUtcMs(o.master!.dtstart!)).toBe(utc("2025-01-06T09:00:00Z"));
  });

  it("resolves an IANA alias (US/Eastern, RFC 4791 Appendix B) to its canonical rules", () => {
    expect(startOf(fixture("rfc4791-b-event1.ics"))).toBe(utc("2006-01-02T15:00:00Z"));
    expect(ianaTimezone("US/Eastern")).toBe(ianaTimezone("America/New_York"));
  });

  it("treats UTC names as UTC", () => {
    for (const name of ["UTC", "GMT", "Etc/UTC", "Etc/GMT"]) {
      expect(startOf(cal(vevent(`DTSTART;TZID=${name}:20250715T100000`)))).toBe(utc("2025-07-15T10:00:00Z"));
    }
  });

  it("shares one zone object between objects, so DST tables are built once", () => {
    const a = parseCalendarObject(fixture("thunderbird-event-newyork.ics"));
    const b = parseCalendarObject(fixture("thunderbird-event-newyork.ics"));
    expect(a.master!.dtstart!.zone).toBe(b.master!.dtstart!.zone);
    expect(a.master!.dtstart!.zone).toBe(ianaTimezone("America/New_York"));
  });

  it("strips embedded VTIMEZONEs from the in-memory component (stored bytes untouched)", () => {
    const text = fixture("apple-recurring-berlin.ics");
    const o = parseCalendarObject(text);
    expect(o.vcalendar.getAllSubcomponents("vtimezone")).toHaveLength(0);
    expect(text).toContain("BEGIN:VTIMEZONE");
  });
});

describe("non-IANA TZIDs (RFC 5545 §3.2.19)", () => {
  it("uses an embedded VTIMEZONE with a Windows name (Outlook)", () => {
    const o = parseCalendarObject(fixture("outlook-windows-tz.ics"));
    expect(icalTimeToUtcMs(o.master!.dtstart!)).toBe(utc("2025-07-15T08:00:00Z"));
    const key = o.master!.comp.getFirstProperty("dtstart")!.getParameter("tzid");
    expect(key).toMatch(/^W\. Europe Standard Time~[0-9a-z]+$/);
  });

  it("keeps two different definitions under one TZID apart (keyed by content hash)", () => {
    const other = parseCalendarObject(fixture("outlook-windows-tz-other-definition.ics"));
    expect(icalTimeToUtcMs(other.master!.dtstart!)).toBe(utc("2025-07-15T07:00:00Z"));
    const first = parseCalendarObject(fixture("outlook-windows-tz.ics"));
    expect(icalTimeToUtcMs(first.master!.dtstart!)).toBe(utc("2025-07-15T08:00:00Z"));
    const k1 = first.master!.comp.getFirstProperty("dtstart")!.getParameter("tzid");
    const k2 = other.master!.comp.getFirstProperty("dtstart")!.getParameter("tzid");
    expect(k1).not.toBe(k2);
  });

  it("maps a Windows name without VTIMEZONE to its IANA zone", () => {
    expect(startOf(cal(vevent("DTSTART;TZID=W. Europe Standard Time:20250715T100000")))).toBe(utc("2025-07-15T08:00:00Z"));
    expect(startOf(cal(vevent("DTSTART;TZID=Pacific Standard Time:20250115T100000")))).toBe(utc("2025-01-15T18:00:00Z"));
  });

  it("tolerates quotes, trailing spaces, letter case and Lightning's path prefix in TZIDs", () => {
    const expected = utc("2025-07-15T08:00:00Z");
    for (const tzid of ['"Europe/Berlin"', "Europe/Berlin ", "europe/berlin", "/mozilla.org/20050126_1/Europe/Berlin"]) {
      expect(startOf(cal(vevent(`DTSTART;TZID=${tzid}:20250715T100000`))), tzid).toBe(expected);
    }
  });

  it("rejects an unknown TZID without definition instead of treating it as floating (RFC 4791 §5.3.2.1)", () => {
    const msg = expectPrecondition(() => parseCalendarObject(cal(vevent("DTSTART;TZID=Springfield Time:20250715T100000"))), "valid-calendar-data");
    expect(msg).toMatch(/unknown TZID "Springfield Time"/);
  });

  it("rejects an unknown TZID in EXDATE too (RFC 4791 §5.3.2.1)", () => {
    const text = cal(vevent("DTSTART:20250715T100000Z", "RRULE:FREQ=DAILY", "EXDATE;TZID=Nowhere/Land:20250716T100000"));
    expectPrecondition(() => parseCalendarObject(text), "valid-calendar-data");
  });

  it("rejects an embedded VTIMEZONE without rules or without TZID (RFC 5545 §3.6.5)", () => {
    const noRules = "BEGIN:VTIMEZONE\nTZID:Custom\nEND:VTIMEZONE";
    expect(expectPrecondition(() => parseCalendarObject(cal(noRules, vevent("DTSTART;TZID=Custom:20250715T100000"))), "valid-calendar-data")).toMatch(/no STANDARD or DAYLIGHT/);
    const noTzid = "BEGIN:VTIMEZONE\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE";
    expectPrecondition(() => parseCalendarObject(cal(noTzid, vevent("DTSTART:20250715T100000Z"))), "valid-calendar-data");
  });
});

describe("bounded DST tables (hostile or far-future input)", () => {
  it("keeps exact offsets up to 2099 and plausible ones after, without growing the table", () => {
    expect(startOf(cal(vevent("DTSTART;TZID=Europe/Berlin:20990715T100000")))).toBe(utc("2099-07-15T08:00:00Z"));
    expect(startOf(cal(vevent("DTSTART;TZID=Europe/Berlin:50000715T100000")))).toBe(utc("5000-07-15T08:00:00Z"));
    expect(startOf(cal(vevent("DTSTART;TZID=Europe/Berlin:99990115T100000")))).toBe(utc("9999-01-15T09:00:00Z"));
    expect((ianaTimezone("Europe/Berlin") as unknown as { changes: unknown[] }).changes.length).toBeLessThan(400);
  });

  it("rejects a VTIMEZONE whose observances do not recur yearly (RFC 4791 §5.3.2.1)", () => {
    const daily = "BEGIN:VTIMEZONE\nTZID:Busy\nBEGIN:STANDARD\nDTSTART:00010101T000000\nRRULE:FREQ=DAILY\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE";
    const msg = expectPrecondition(() => parseCalendarObject(cal(daily, vevent("DTSTART;TZID=Busy:20250715T100000"))), "valid-calendar-data");
    expect(msg).toMatch(/FREQ=YEARLY/);
  });
});

describe("registry API", () => {
  it("normalizes and maps TZIDs", () => {
    expect(normalizeTzid(' "Europe/Paris" ')).toBe("Europe/Paris");
    expect(ianaNameFor("Romance Standard Time")).toBe("Europe/Paris");
    expect(ianaNameFor("/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires")).toBe("America/Argentina/Buenos_Aires");
    expect(ianaNameFor("Atlantis/Capital")).toBeNull();
  });

  it("resolves IANA names first, then an embedded definition, then lenient names", () => {
    expect(resolveTimezone("Europe/Berlin")?.key).toBe("Europe/Berlin");
    expect(resolveTimezone("Nowhere")).toBeNull();
    const vtz = new ICAL.Component(ICAL.parse("BEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nEND:STANDARD\r\nEND:VTIMEZONE") as unknown[]);
    const custom = resolveTimezone("Eastern Standard Time", vtz)!;
    expect(custom.iana).toBeNull();
    expect(custom.key).toMatch(/^Eastern Standard Time~/);
    expect(resolveTimezone("Eastern Standard Time")?.key).toBe("America/New_York");
  });

  it("provides the VTIMEZONE of an IANA name under the requested TZID", () => {
    expect(ianaVtimezoneText("US/Eastern")).toMatch(/^BEGIN:VTIMEZONE\r\nTZID:US\/Eastern\r\n/);
    expect(ianaVtimezoneText("Not/AZone")).toBeNull();
  });
});

describe("icalTimeToUtcMs (RFC 4791 §9.9 floating and DATE values)", () => {
  const floating = ICAL.Time.fromDateTimeString("2025-01-15T10:00:00");
  const date = ICAL.Time.fromDateString("2025-07-15");

  it("reads floating times and DATEs as UTC by default", () => {
    expect(icalTimeToUtcMs(floating)).toBe(utc("2025-01-15T10:00:00Z"));
    expect(icalTimeToUtcMs(date)).toBe(utc("2025-07-15T00:00:00Z"));
  });

  it("reads floating times and DATEs in the calendar's timezone when given", () => {
    const berlin = ianaTimezone("Europe/Berlin")!;
    expect(icalTimeToUtcMs(floating, berlin)).toBe(utc("2025-01-15T09:00:00Z"));
    expect(icalTimeToUtcMs(date, berlin)).toBe(utc("2025-07-14T22:00:00Z"));
  });

  it("ignores the calendar's timezone for zoned and UTC times", () => {
    const o = parseCalendarObject(cal(vevent("DTSTART;TZID=America/New_York:20250115T100000")));
    expect(icalTimeToUtcMs(o.master!.dtstart!, ianaTimezone("Asia/Tokyo"))).toBe(utc("2025-01-15T15:00:00Z"));
  });

  it("parses and formats CALDAV:time-range UTC values (RFC 4791 §9.9)", () => {
    expect(parseUtcDateTime("20060104T000000Z")).toBe(utc("2006-01-04T00:00:00Z"));
    expect(parseUtcDateTime("20060104T000000")).toBeNull();
    expect(parseUtcDateTime("20061304T000000Z")).toBeNull();
    expect(formatUtc(utc("2006-01-04T14:00:00Z"))).toBe("20060104T140000Z");
  });
});
