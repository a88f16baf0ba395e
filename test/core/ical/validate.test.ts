// Preconditions of PUT/COPY/MOVE for calendar object resources
// (RFC 4791 §4.1, §5.3.2.1; RFC 5545 property rules).
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { cal, expectPrecondition, fixture, fixtureNames, utc, vevent, vtodo } from "./helpers.js";

const E = "DTSTART:20250110T100000Z";

describe("valid calendar data is accepted", () => {
  it.each(fixtureNames())("accepts fixture %s (RFC 4791 §4.1)", (name) => {
    const o = parseCalendarObject(fixture(name));
    expect(o.uid).toBe(o.index.uid);
    expect(o.component).toBe(o.index.component);
    expect(structuredClone(o.index)).toEqual(o.index);
  });

  it("accepts LF line endings, a byte order mark, no PRODID and no DTSTAMP (lenient RFC 5545 §3.1, §3.7.3)", () => {
    const text = "\uFEFFBEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nDTSTART:20250110T100000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    expect(parseCalendarObject(text).uid).toBe("x");
  });

  it("accepts X- components next to the calendar component (RFC 5545 §3.6)", () => {
    const o = parseCalendarObject(cal(vevent(E), "BEGIN:X-THING\nX-A:1\nEND:X-THING"));
    expect(o.component).toBe("VEVENT");
  });

  it("accepts DTEND equal to DTSTART (RFC 5545 §3.6.1)", () => {
    expect(() => parseCalendarObject(cal(vevent(E, "DTEND:20250110T100000Z")))).not.toThrow();
  });

  it("accepts an object holding overrides only, without master (RFC 4791 §4.1, RFC 6638 invitations)", () => {
    const o = parseCalendarObject(cal(vevent("RECURRENCE-ID:20250110T100000Z", E), vevent("RECURRENCE-ID:20250117T100000Z", "DTSTART:20250117T100000Z")));
    expect(o.master).toBeNull();
    expect(o.overrides).toHaveLength(2);
    expect(o.index.recurring).toBe(true);
  });
});

describe("valid-calendar-data (RFC 4791 §5.3.2.1)", () => {
  const bad: [string, string, RegExp][] = [
    ["not iCalendar at all", "hello world", /line 1: expected BEGIN:VCALENDAR/],
    ["an empty body", "", /empty/],
    ["a component never closed", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n", /line 3: BEGIN:VEVENT is never closed/],
    ["a mismatched END", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20250101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", /line 6: END:VTODO does not close BEGIN:VEVENT of line 3/],
    ["two VCALENDARs", cal(vevent(E)) + cal(vevent(E)), /more than one VCALENDAR/],
    ["content after END:VCALENDAR", cal(vevent(E)) + "X-TRAILER:1\r\n", /content after END:VCALENDAR/],
    ["a line without a colon", cal(vevent(E, "SUMMARY")), /line \d+: .*invalid line/],
    ["a missing VERSION", cal(vevent(E)).replace("VERSION:2.0\r\n", ""), /VERSION is missing/],
    ["VERSION 1.0", cal(vevent(E)).replace("VERSION:2.0", "VERSION:1.0"), /VERSION must be 2.0/],
    ["a component without UID", cal(vevent(E)).replace("UID:u1\r\n", ""), /UID is missing/],
    ["a VEVENT without DTSTART", cal(vevent("SUMMARY:x")), /DTSTART is required/],
    ["DTEND and DURATION together", cal(vevent(E, "DTEND:20250110T110000Z", "DURATION:PT1H")), /DTEND and DURATION/],
    ["DTEND before DTSTART", cal(vevent(E, "DTEND:20250110T090000Z")), /DTEND is before DTSTART/],
    ["DTEND a DATE when DTSTART is a DATE-TIME", cal(vevent(E, "DTEND;VALUE=DATE:20250111")), /same value type/],
    ["a VTODO with DUE and DURATION", cal(vtodo("DTSTART:20250110T100000Z", "DUE:20250111T100000Z", "DURATION:PT1H")), /DUE and DURATION/],
    ["a VTODO with DURATION but no DTSTART", cal(vtodo("DURATION:PT1H")), /DURATION requires DTSTART/],
    ["an RRULE ical.js cannot parse", cal(vevent(E, "RRULE:FREQ=SOMETIMES")), /line \d+: .*invalid frequency/],
    ["an RRULE with a bad BYDAY", cal(vevent(E, "RRULE:FREQ=WEEKLY;BYDAY=XX")), /BYDAY/],
    ["an RRULE without FREQ", cal(vevent(E, "RRULE:COUNT=3")), /no FREQ/],
    ["an RRULE with COUNT and UNTIL", cal(vevent(E, "RRULE:FREQ=DAILY;COUNT=3;UNTIL=20250120T000000Z")), /both COUNT and UNTIL/],
    ["an all-day DTSTART without VALUE=DATE", cal(vevent("DTSTART:20250110")), /not a valid DATE-TIME \(an all-day value needs VALUE=DATE\)/],
    ["a DTSTART with month 13", cal(vevent("DTSTART:20251310T100000Z")), /DTSTART value "20251310T100000Z" is not a valid DATE-TIME/],
    ["a DTSTART on February 30", cal(vevent("DTSTART;VALUE=DATE:20250230")), /not a valid DATE/],
    ["a garbage DTEND", cal(vevent(E, "DTEND:tomorrow")), /DTEND value .* is not a valid DATE-TIME/],
    ["a garbage DUE", cal(vtodo("DUE:2025-01-10")), /DUE value/],
    ["a garbage RECURRENCE-ID", cal(vevent(E, "RECURRENCE-ID:20250110T25")), /RECURRENCE-ID value/],
    ["a garbage EXDATE in a list", cal(vevent(E, "RRULE:FREQ=DAILY", "EXDATE:20250111T100000Z,20250112")), /EXDATE value "20250112T" is not a valid DATE-TIME/],
    ["a garbage RDATE period", cal(vevent(E, "RDATE;VALUE=PERIOD:20250111T100000Z/soon")), /RDATE value/],
    ["a DTSTART of type PERIOD", cal(vevent("DTSTART;VALUE=PERIOD:20250111T100000Z/PT1H")), /value type PERIOD/],
    ["two DTSTARTs", cal(vevent(E, "DTSTART:20250111T100000Z")), /more than one DTSTART/],
    ["a negative DURATION", cal(vevent(E, "DURATION:-PT1H")), /must not be negative/],
    ["an unparseable DURATION", cal(vevent(E, "DURATION:1 hour")), /DURATION/],
    ["an unknown TZID", cal(vevent("DTSTART;TZID=Mars/Olympus_Mons:20250110T100000")), /unknown TZID "Mars\/Olympus_Mons"/],
    ["RANGE=THISANDPRIOR", cal(vevent(E, "RECURRENCE-ID;RANGE=THISANDPRIOR:20250110T100000Z")), /THISANDPRIOR/],
    ["a non-Gregorian CALSCALE", cal(vevent(E)).replace("VERSION:2.0", "VERSION:2.0\r\nCALSCALE:CHINESE"), /CALSCALE/],
  ];
  it.each(bad)("rejects %s (RFC 4791 §5.3.2.1 valid-calendar-data)", (_what, text, message) => {
    expect(expectPrecondition(() => parseCalendarObject(text), "valid-calendar-data")).toMatch(message);
  });
});

describe("valid-calendar-object-resource (RFC 4791 §4.1)", () => {
  const bad: [string, string, RegExp][] = [
    ["a METHOD property", cal(vevent(E)).replace("VERSION:2.0", "VERSION:2.0\r\nMETHOD:REQUEST"), /METHOD/],
    ["two component types", cal(vevent(E), vtodo("UID:u1")), /more than one component type \(VEVENT, VTODO\)/],
    ["components with different UIDs", cal(vevent(E), vevent("UID:other", "RECURRENCE-ID:20250110T100000Z", E)), /different UIDs/],
    ["two masters", cal(vevent(E), vevent("DTSTART:20250111T100000Z")), /more than one VEVENT without RECURRENCE-ID/],
    ["two overrides for one RECURRENCE-ID", cal(vevent(E, "RRULE:FREQ=DAILY"), vevent("RECURRENCE-ID:20250111T100000Z", E), vevent("RECURRENCE-ID:20250111T100000Z", E)), /two overrides/],
    ["VTIMEZONEs only", cal("BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE"), /no VEVENT, VTODO, VJOURNAL or VFREEBUSY/],
    ["no component at all", cal(), /no VEVENT/],
  ];
  it.each(bad)("rejects %s (RFC 4791 §4.1 valid-calendar-object-resource)", (_what, text, message) => {
    expect(expectPrecondition(() => parseCalendarObject(text), "valid-calendar-object-resource")).toMatch(message);
  });

  it("rejects a component type the server has no collection for (RFC 4791 §5.3.2.1 supported-calendar-component)", () => {
    expectPrecondition(() => parseCalendarObject(cal("BEGIN:VAVAILABILITY\nUID:a\nEND:VAVAILABILITY")), "supported-calendar-component");
  });
});

describe("collection limits (RFC 4791 §5.2.6-§5.2.9, §5.3.2.1)", () => {
  const three = cal(vevent(E, "ATTENDEE:mailto:a@x", "ATTENDEE:mailto:b@x", "ATTENDEE:mailto:c@x", "BEGIN:VALARM", "ACTION:EMAIL", "TRIGGER:-PT5M", "ATTENDEE:mailto:d@x", "END:VALARM"));

  it("rejects more attendees than max-attendees-per-instance (RFC 4791 §5.2.9)", () => {
    expect(expectPrecondition(() => parseCalendarObject(three, { maxAttendeesPerInstance: 2 }), "max-attendees-per-instance")).toMatch(/3 attendees/);
  });

  it("accepts exactly max-attendees-per-instance, not counting VALARM attendees (RFC 4791 §5.2.9)", () => {
    expect(() => parseCalendarObject(three, { maxAttendeesPerInstance: 3 })).not.toThrow();
  });

  it("rejects a date before min-date-time (RFC 4791 §5.2.6)", () => {
    const msg = expectPrecondition(() => parseCalendarObject(cal(vevent("DTSTART:18991231T100000Z")), { minDateTime: utc("1900-01-01T00:00:00Z") }), "min-date-time");
    expect(msg).toMatch(/DTSTART 18991231T100000Z is before the earliest allowed 19000101T000000Z/);
  });

  it("rejects an EXDATE before min-date-time (RFC 4791 §5.2.6)", () => {
    const text = cal(vevent("DTSTART:19000105T100000Z", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:18991231T100000Z"));
    expectPrecondition(() => parseCalendarObject(text, { minDateTime: utc("1900-01-01T00:00:00Z") }), "min-date-time");
  });

  it("rejects a DTEND after max-date-time (RFC 4791 §5.2.7)", () => {
    const text = cal(vevent("DTSTART:20491231T230000Z", "DTEND:20500101T010000Z"));
    expectPrecondition(() => parseCalendarObject(text, { maxDateTime: utc("2050-01-01T00:00:00Z") }), "max-date-time");
  });

  it("rejects a bounded recurrence whose last instance is after max-date-time (RFC 4791 §5.2.7)", () => {
    const text = cal(vevent("DTSTART:20491201T100000Z", "RRULE:FREQ=WEEKLY;COUNT=10"));
    const msg = expectPrecondition(() => parseCalendarObject(text, { maxDateTime: utc("2050-01-01T00:00:00Z") }), "max-date-time");
    expect(msg).toMatch(/last instance 20500202T100000Z/);
  });

  it("accepts an unbounded recurrence starting within the limits (RFC 4791 §5.2.7)", () => {
    const text = cal(vevent("DTSTART:20491201T100000Z", "RRULE:FREQ=WEEKLY"));
    expect(() => parseCalendarObject(text, { minDateTime: utc("1900-01-01T00:00:00Z"), maxDateTime: utc("2050-01-01T00:00:00Z") })).not.toThrow();
  });

  it("rejects a bounded recurrence with more instances than max-instances (RFC 4791 §5.2.8)", () => {
    const text = cal(vevent(E, "RRULE:FREQ=DAILY;COUNT=11"));
    expect(expectPrecondition(() => parseCalendarObject(text, { maxInstances: 10 }), "max-instances")).toMatch(/more than 10 instances; the limit is 10/);
  });

  it("counts instances after EXDATE and with RDATE for max-instances (RFC 4791 §5.2.8)", () => {
    const text = cal(vevent(E, "RRULE:FREQ=DAILY;COUNT=11", "EXDATE:20250111T100000Z"));
    expect(parseCalendarObject(text, { maxInstances: 10 }).instances).toBe(10);
    const more = cal(vevent(E, "RRULE:FREQ=DAILY;COUNT=10", "RDATE:20250301T100000Z"));
    expectPrecondition(() => parseCalendarObject(more, { maxInstances: 10 }), "max-instances");
  });

  it("rejects a huge UNTIL-bounded recurrence for max-instances without expanding it all (RFC 4791 §5.2.8)", () => {
    const text = cal(vevent(E, "RRULE:FREQ=MINUTELY;UNTIL=20350101T000000Z"));
    expectPrecondition(() => parseCalendarObject(text, { maxInstances: 1000 }), "max-instances");
  });

  it("accepts an unbounded recurrence whatever max-instances is (RFC 4791 §5.2.8)", () => {
    const o = parseCalendarObject(cal(vevent(E, "RRULE:FREQ=DAILY")), { maxInstances: 2 });
    expect(o.instances).toBeNull();
  });
});
