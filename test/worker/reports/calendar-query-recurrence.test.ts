// calendar-query over recurrence and time zones, end to end (RFC 4791 §9.9
// "Time range tests MUST consider every recurrence instance", §9.8
// CALDAV:timezone, §5.2.2 CALDAV:calendar-timezone, RFC 5545 §3.8.5
// EXDATE / RECURRENCE-ID / RANGE=THISANDFUTURE): instances across a daylight
// saving change, floating and all-day events read in the calendar's time
// zone or the query's, excluded dates, overridden instances moved into and
// out of a range, and expand (§9.6.5) giving those instances in UTC.
import { describe, expect, it } from "vitest";
import appleBerlin from "../../fixtures/ics/apple-recurring-berlin.ics?raw";
import appleAllDay from "../../fixtures/ics/apple-allday.ics?raw";
import berlinDst from "../../fixtures/ics/berlin-weekly-dst.ics?raw";
import floating from "../../fixtures/ics/floating.ics?raw";
import thisAndFuture from "../../fixtures/ics/rfc4791-b-thisandfuture.ics?raw";
import auckland from "../../fixtures/ics/calendar-timezone/pacific-auckland.ics?raw";
import newYork from "../../fixtures/ics/calendar-timezone/america-new-york.ics?raw";
import { cal, newUser } from "../../helpers/caldav.js";
import type { Creds } from "../../helpers/dav-client.js";
import {
  calendarDataOf, calendarQueryBody, compFilter, components, mkcolCalendar, multistatusOf, propValue, putAll, queryNames, report,
  setCalendarTimezone,
} from "../../helpers/reports.js";

const VTIMEZONE_BERLIN = components(berlinDst, "VTIMEZONE")[0]!;

/** Expanded instances (§9.6.5) of the one object matching `filter`: [DTSTART, RECURRENCE-ID, SUMMARY] per VEVENT. */
async function expanded(u: Creds, path: string, start: string, end: string, opts: { timezone?: string } = {}) {
  const body = calendarQueryBody(compFilter("VEVENT", start, end), {
    prop: `<C:calendar-data><C:expand start="${start}" end="${end}"/></C:calendar-data>`,
    ...(opts.timezone !== undefined ? { timezone: opts.timezone } : {}),
  });
  const { responses } = await multistatusOf(await report(u, path, body));
  expect(responses.size).toBe(1);
  const data = calendarDataOf([...responses.values()][0]);
  expect(data).not.toContain("VTIMEZONE");
  expect(data).not.toContain("RRULE");
  expect(data).not.toContain("EXDATE");
  return components(data, "VEVENT").map((e) => [propValue(e, "DTSTART"), propValue(e, "RECURRENCE-ID") ?? null, propValue(e, "SUMMARY")]);
}

describe("recurrence across a daylight saving change (RFC 4791 §9.9, RFC 5545 §3.3.5)", () => {
  it("places Monday 10:00 Europe/Berlin at 09:00Z before 30 March 2025 and at 08:00Z after it", async () => {
    const u = await newUser("dst");
    await putAll(u, cal(u), { "weekly.ics": berlinDst });
    const q = (s: string, e: string) => queryNames(u, cal(u), compFilter("VEVENT", s, e));
    expect(await q("20250324T090000Z", "20250324T093000Z")).toEqual(["weekly.ics"]);
    expect(await q("20250324T080000Z", "20250324T090000Z")).toEqual([]);
    expect(await q("20250331T080000Z", "20250331T083000Z")).toEqual(["weekly.ics"]);
    expect(await q("20250331T090000Z", "20250331T100000Z")).toEqual([]);
    // COUNT=4: 17, 24, 31 March and 7 April; nothing on 14 April.
    expect(await q("20250407T080000Z", "20250407T090000Z")).toEqual(["weekly.ics"]);
    expect(await q("20250414T000000Z", "20250415T000000Z")).toEqual([]);
  });

  it("expands the instances on either side of the change to the right UTC times (§9.6.5)", async () => {
    const u = await newUser("dst");
    await putAll(u, cal(u), { "weekly.ics": berlinDst });
    expect(await expanded(u, cal(u), "20250320T000000Z", "20250405T000000Z")).toEqual([
      ["20250324T090000Z", "20250324T090000Z", "Weekly across the March 2025 change to summer time"],
      ["20250331T080000Z", "20250331T080000Z", "Weekly across the March 2025 change to summer time"],
    ]);
  });
});

describe("EXDATE and RECURRENCE-ID overrides (RFC 5545 §3.8.5.1, §3.8.4.4)", () => {
  // Mondays 10:00-10:30 Berlin from 6 January 2025 until 24 February; 20 January excluded;
  // 10 February moved to 16:30-17:00 (15:30Z-16:00Z).
  it("does not match the excluded instance", async () => {
    const u = await newUser("exdate");
    await putAll(u, cal(u), { "standup.ics": appleBerlin });
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250120T000000Z", "20250121T000000Z"))).toEqual([]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250113T000000Z", "20250114T000000Z"))).toEqual(["standup.ics"]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250127T090000Z", "20250127T090100Z"))).toEqual(["standup.ics"]);
  });

  it("matches an overridden instance where it moved to, and not where it was", async () => {
    const u = await newUser("override");
    await putAll(u, cal(u), { "standup.ics": appleBerlin });
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250210T090000Z", "20250210T093000Z"))).toEqual([]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250210T153000Z", "20250210T160000Z"))).toEqual(["standup.ics"]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250210T160000Z", "20250210T170000Z"))).toEqual([]);
  });

  it("expands the range with the excluded date left out and the override's time and SUMMARY", async () => {
    const u = await newUser("override");
    await putAll(u, cal(u), { "standup.ics": appleBerlin });
    expect(await expanded(u, cal(u), "20250113T000000Z", "20250211T000000Z")).toEqual([
      ["20250113T090000Z", "20250113T090000Z", "Team stand-up"],
      ["20250127T090000Z", "20250127T090000Z", "Team stand-up"],
      ["20250203T090000Z", "20250203T090000Z", "Team stand-up"],
      ["20250210T153000Z", "20250210T090000Z", "Team stand-up (afternoon)"],
    ]);
  });

  it("matches an instance moved onto another day only on that day", async () => {
    const u = await newUser("override");
    const moved = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", ...["BEGIN:VTIMEZONE", ...VTIMEZONE_BERLIN, "END:VTIMEZONE"],
      "BEGIN:VEVENT", "UID:moved-day@example.com", "DTSTAMP:20250101T000000Z",
      "DTSTART;TZID=Europe/Berlin:20250602T100000", "DTEND;TZID=Europe/Berlin:20250602T110000", "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:Mondays", "END:VEVENT",
      "BEGIN:VEVENT", "UID:moved-day@example.com", "DTSTAMP:20250101T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20250609T100000",
      "DTSTART;TZID=Europe/Berlin:20250611T140000", "DTEND;TZID=Europe/Berlin:20250611T150000", "SUMMARY:Moved to Wednesday", "END:VEVENT",
      "END:VCALENDAR", "",
    ].join("\r\n");
    await putAll(u, cal(u), { "moved.ics": moved });
    // Monday 9 June is empty; Wednesday 11 June 14:00 CEST = 12:00Z holds the moved instance.
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250609T000000Z", "20250610T000000Z"))).toEqual([]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250611T120000Z", "20250611T130000Z"))).toEqual(["moved.ics"]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "20250616T080000Z", "20250616T090000Z"))).toEqual(["moved.ics"]);
  });
});

describe("RECURRENCE-ID;RANGE=THISANDFUTURE (RFC 5545 §3.2.13)", () => {
  // Daily 18:00-19:00 EST from 2 January 2006, five times; from 4 January on, 20:00-22:00 EST ("event 7 changed").
  it("moves the override's instance and every later one, leaving earlier ones alone", async () => {
    const u = await newUser("thisandfuture");
    await putAll(u, cal(u), { "e7.ics": thisAndFuture });
    const q = (s: string, e: string) => queryNames(u, cal(u), compFilter("VEVENT", s, e));
    expect(await q("20060103T230000Z", "20060104T000000Z")).toEqual(["e7.ics"]); // 3 January, unchanged
    expect(await q("20060105T230000Z", "20060106T000000Z")).toEqual([]); // 5 January's old slot
    expect(await q("20060106T020000Z", "20060106T023000Z")).toEqual(["e7.ics"]); // 5 January, now 20:00-22:00 EST
    expect(await q("20060107T000000Z", "20060107T003000Z")).toEqual([]); // 6 January's old slot
    expect(await q("20060107T023000Z", "20060107T030000Z")).toEqual(["e7.ics"]); // 6 January, moved
  });

  it("expands the moved instances with the override's start shift, DURATION and SUMMARY", async () => {
    const u = await newUser("thisandfuture");
    await putAll(u, cal(u), { "e7.ics": thisAndFuture });
    expect(await expanded(u, cal(u), "20060103T000000Z", "20060107T000000Z")).toEqual([
      ["20060103T230000Z", "20060103T230000Z", "event 7"],
      ["20060105T010000Z", "20060104T230000Z", "event 7 changed"],
      ["20060106T010000Z", "20060105T230000Z", "event 7 changed"],
    ]);
  });
});

describe("floating and all-day events in the calendar's time zone (RFC 4791 §5.2.2, §9.9)", () => {
  // floating.ics: 1 March 2025 08:00-09:00 floating. In Pacific/Auckland (NZDT, +13) that is 28 February 19:00Z-20:00Z.
  // apple-allday.ics: 15-17 March 2025 (DTEND 18 March). In Auckland: 14 March 11:00Z - 17 March 11:00Z.
  async function setup() {
    const u = await newUser("floating");
    await putAll(u, cal(u), { "breakfast.ics": floating, "conference.ics": appleAllDay });
    return u;
  }
  const q = (u: Creds, s: string, e: string, opts: { timezone?: string } = {}) => queryNames(u, cal(u), compFilter("VEVENT", s, e), opts);

  it("reads floating times and DATEs as UTC while the calendar has no calendar-timezone", async () => {
    const u = await setup();
    expect(await q(u, "20250301T080000Z", "20250301T090000Z")).toEqual(["breakfast.ics"]);
    expect(await q(u, "20250228T190000Z", "20250228T200000Z")).toEqual([]);
    expect(await q(u, "20250317T120000Z", "20250317T130000Z")).toEqual(["conference.ics"]);
    expect(await q(u, "20250314T110000Z", "20250314T120000Z")).toEqual([]);
  });

  it("reads them in the calendar's time zone once calendar-timezone is Pacific/Auckland", async () => {
    const u = await setup();
    await setCalendarTimezone(u, cal(u), auckland);
    expect(await q(u, "20250228T190000Z", "20250228T200000Z")).toEqual(["breakfast.ics"]);
    expect(await q(u, "20250301T080000Z", "20250301T090000Z")).toEqual([]);
    expect(await q(u, "20250314T110000Z", "20250314T120000Z")).toEqual(["conference.ics"]);
    expect(await q(u, "20250314T100000Z", "20250314T110000Z")).toEqual([]);
    expect(await q(u, "20250317T120000Z", "20250317T130000Z")).toEqual([]);
    expect(await q(u, "20250317T100000Z", "20250317T110000Z")).toEqual(["conference.ics"]);
  });

  it("lets the query's CALDAV:timezone override the calendar's (§9.8)", async () => {
    const u = await setup();
    await setCalendarTimezone(u, cal(u), auckland);
    // America/New_York in March 2025: EST (-5) until 9 March, so breakfast is 13:00Z-14:00Z.
    expect(await q(u, "20250301T130000Z", "20250301T140000Z", { timezone: newYork })).toEqual(["breakfast.ics"]);
    expect(await q(u, "20250228T190000Z", "20250228T200000Z", { timezone: newYork })).toEqual([]);
    // The all-day event runs 15 March 04:00Z (EDT, -4) to 18 March 04:00Z.
    expect(await q(u, "20250318T030000Z", "20250318T040000Z", { timezone: newYork })).toEqual(["conference.ics"]);
    expect(await q(u, "20250314T110000Z", "20250315T040000Z", { timezone: newYork })).toEqual([]);
  });

  it("picks a floating event's expanded instance by the calendar's time zone; it stays floating or becomes the Auckland time in UTC (§9.6.5)", async () => {
    const u = await setup();
    await setCalendarTimezone(u, cal(u), auckland);
    // Breakfast is 28 February 19:00Z in Auckland, 1 March 08:00Z if read as UTC: only the former is inside the expand range.
    const body = calendarQueryBody(compFilter("VEVENT", "20250228T000000Z", "20250302T000000Z"), {
      prop: `<C:calendar-data><C:expand start="20250228T000000Z" end="20250301T000000Z"/></C:calendar-data>`,
    });
    const { responses } = await multistatusOf(await report(u, cal(u), body));
    expect([...responses.keys()].map((h) => h.split("/").pop())).toEqual(["breakfast.ics"]);
    const events = components(calendarDataOf([...responses.values()][0]), "VEVENT");
    expect(events).toHaveLength(1);
    // §9.6.5 converts only times "with reference to time zone information" to UTC: floating may stay floating.
    expect(["20250301T080000", "20250228T190000Z"]).toContain(propValue(events[0]!, "DTSTART"));
  });

  it("keeps zoned events where they are when the calendar's time zone changes", async () => {
    const u = await newUser("floating");
    const path = await mkcolCalendar(u, "zoned", { components: ["VEVENT"] });
    await putAll(u, path, { "standup.ics": appleBerlin });
    await setCalendarTimezone(u, path, auckland);
    expect(await queryNames(u, path, compFilter("VEVENT", "20250113T090000Z", "20250113T091000Z"))).toEqual(["standup.ics"]);
  });
});
