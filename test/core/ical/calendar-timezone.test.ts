// CALDAV:calendar-timezone (RFC 4791 §5.2.2): exactly one VTIMEZONE in a
// VCALENDAR, else 403 valid-calendar-timezone; and the zone it stands for,
// used to evaluate floating times and DATEs (RFC 4791 §9.9, RFC 7809).
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { calendarTimezoneZone, ianaCalendarTimezoneText, ianaTimezone, parseCalendarTimezone } from "../../../src/core/ical/calendar-timezone.js";
import { parseCalendarTimezone as fromParse } from "../../../src/core/ical/parse.js";
import { icalTimeToUtcMs } from "../../../src/core/ical/time.js";
import { cal, expectPrecondition, tzFixture, utc, vevent } from "./helpers.js";

const floatingNoon = ICAL.Time.fromDateTimeString("2025-07-15T12:00:00");
const STANDARD = "BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD";

describe("valid calendar-timezone values (RFC 4791 §5.2.2)", () => {
  it("accepts Apple's Europe/Berlin and reports it as IANA", () => {
    expect(parseCalendarTimezone(tzFixture("apple-berlin.ics"))).toEqual({ tzid: "Europe/Berlin", iana: "Europe/Berlin" });
    expect(fromParse).toBe(parseCalendarTimezone);
  });

  it("accepts an Outlook definition with a Windows name", () => {
    expect(parseCalendarTimezone(tzFixture("outlook-tokyo.ics"))).toEqual({ tzid: "Tokyo Standard Time", iana: null });
  });

  it("evaluates floating times in the calendar's zone, with DST for IANA zones (RFC 4791 §9.9)", () => {
    expect(icalTimeToUtcMs(floatingNoon, calendarTimezoneZone(tzFixture("apple-berlin.ics")))).toBe(utc("2025-07-15T10:00:00Z"));
    expect(icalTimeToUtcMs(floatingNoon, calendarTimezoneZone(tzFixture("outlook-tokyo.ics")))).toBe(utc("2025-07-15T03:00:00Z"));
  });

  it("builds a calendar-timezone value for an IANA name (RFC 7809)", () => {
    const text = ianaCalendarTimezoneText("America/New_York")!;
    expect(parseCalendarTimezone(text)).toEqual({ tzid: "America/New_York", iana: "America/New_York" });
    expect(calendarTimezoneZone(text)).toBe(ianaTimezone("America/New_York"));
    expect(ianaCalendarTimezoneText("Atlantis/Capital")).toBeNull();
  });
});

describe("invalid calendar-timezone values (RFC 4791 §5.2.2 valid-calendar-timezone)", () => {
  const bad: [string, string, RegExp][] = [
    ["not iCalendar", "Europe/Berlin", /expected BEGIN:VCALENDAR/],
    ["a VCALENDAR without VTIMEZONE", cal(), /exactly one VTIMEZONE/],
    ["two VTIMEZONEs", cal(`BEGIN:VTIMEZONE\nTZID:A\n${STANDARD}\nEND:VTIMEZONE`, `BEGIN:VTIMEZONE\nTZID:B\n${STANDARD}\nEND:VTIMEZONE`), /found VTIMEZONE, VTIMEZONE/],
    ["a VTIMEZONE and a VEVENT", cal(`BEGIN:VTIMEZONE\nTZID:A\n${STANDARD}\nEND:VTIMEZONE`, vevent("DTSTART:20250101T000000Z")), /found VTIMEZONE, VEVENT/],
    ["a VTIMEZONE without TZID", cal(`BEGIN:VTIMEZONE\n${STANDARD}\nEND:VTIMEZONE`), /no TZID/],
    ["a VTIMEZONE without rules", cal("BEGIN:VTIMEZONE\nTZID:Custom\nEND:VTIMEZONE"), /no STANDARD or DAYLIGHT/],
    ["a rule without TZOFFSETTO", cal("BEGIN:VTIMEZONE\nTZID:Custom\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nEND:STANDARD\nEND:VTIMEZONE"), /lacks TZOFFSETTO/],
  ];
  it.each(bad)("rejects %s", (_what, text, message) => {
    expect(expectPrecondition(() => parseCalendarTimezone(text), "valid-calendar-timezone")).toMatch(message);
  });
});
