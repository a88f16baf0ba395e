// CALDAV:time-range on components (RFC 4791 §9.9 tables, row by row), on
// VALARM, and on properties (§9.7.2); floating and all-day values in the
// calendar's zone; recurrence (RFC 5545 §3.8.5) across DST, with EXDATE,
// RDATE periods, overrides and RANGE=THISANDFUTURE.
import { describe, expect, it } from "vitest";
import { stepCount } from "../../../src/core/ical/recur-guard.js";
import { leastInstances } from "../../../src/core/query/instances.js";
import { instancesInRange } from "../../../src/core/query/time-range.js";
import { cal, DAY, filter, fixture, HOUR, matches, obj, rangeFilter, utc, vevent, vtodo } from "./helpers.js";

const ev = (...l: string[]) => cal(vevent(...l));
const todo = (...l: string[]) => cal(vtodo(...l));
/** Does `text` have a `component` overlapping [start, end)? (compact "YYYYMMDDTHHMMSSZ" strings) */
const hit = (text: string, component: string, start?: string, end?: string, tz: string | null = null) =>
  matches(text, rangeFilter(component, start, end), tz);

describe("VEVENT (RFC 4791 §9.9)", () => {
  it("DTEND: start < DTEND and end > DTSTART", () => {
    const t = ev("DTSTART:20250110T100000Z", "DTEND:20250110T110000Z");
    expect(hit(t, "VEVENT", "20250110T110000Z", "20250110T120000Z")).toBe(false);
    expect(hit(t, "VEVENT", "20250110T090000Z", "20250110T100000Z")).toBe(false);
    expect(hit(t, "VEVENT", "20250110T105900Z", "20250110T120000Z")).toBe(true);
    expect(hit(t, "VEVENT", "20250110T090000Z", "20250110T100100Z")).toBe(true);
  });
  it("DURATION > 0: start < DTSTART+DURATION and end > DTSTART", () => {
    const t = ev("DTSTART:20250110T100000Z", "DURATION:PT1H");
    expect(hit(t, "VEVENT", "20250110T110000Z", "20250110T120000Z")).toBe(false);
    expect(hit(t, "VEVENT", "20250110T105959Z", "20250110T120000Z")).toBe(true);
  });
  it("DURATION 0, DTSTART DATE-TIME alone, and DTEND = DTSTART: start <= DTSTART and end > DTSTART", () => {
    for (const t of [ev("DTSTART:20250110T100000Z", "DURATION:PT0S"), ev("DTSTART:20250110T100000Z"), ev("DTSTART:20250110T100000Z", "DTEND:20250110T100000Z")]) {
      expect(hit(t, "VEVENT", "20250110T100000Z", "20250110T100100Z")).toBe(true);
      expect(hit(t, "VEVENT", "20250110T090000Z", "20250110T100000Z")).toBe(false);
    }
  });
  it("DTSTART DATE alone: one day, start < DTSTART+P1D and end > DTSTART", () => {
    const t = ev("DTSTART;VALUE=DATE:20250110");
    expect(hit(t, "VEVENT", "20250110T235900Z", "20250111T010000Z")).toBe(true);
    expect(hit(t, "VEVENT", "20250111T000000Z", "20250111T010000Z")).toBe(false);
    expect(hit(t, "VEVENT", "20250109T000000Z", "20250110T000000Z")).toBe(false);
  });
  it("open-ended ranges (start or end only)", () => {
    const t = ev("DTSTART:20250110T100000Z", "DTEND:20250110T110000Z");
    expect(hit(t, "VEVENT", "20250110T105900Z")).toBe(true);
    expect(hit(t, "VEVENT", "20250110T110000Z")).toBe(false);
    expect(hit(t, "VEVENT", undefined, "20250110T100100Z")).toBe(true);
    expect(hit(t, "VEVENT", undefined, "20250110T100000Z")).toBe(false);
  });
});

describe("VTODO (RFC 4791 §9.9, every row)", () => {
  it("DTSTART + DURATION: start <= DTSTART+DURATION and (end > DTSTART or end >= DTSTART+DURATION)", () => {
    const t = todo("DTSTART:20250110T100000Z", "DURATION:PT1H");
    expect(hit(t, "VTODO", "20250110T110000Z", "20250110T120000Z")).toBe(true); // unlike a VEVENT
    expect(hit(t, "VTODO", "20250110T110001Z", "20250110T120000Z")).toBe(false);
    expect(hit(t, "VTODO", "20250110T080000Z", "20250110T100000Z")).toBe(false);
    expect(hit(t, "VTODO", "20250110T080000Z", "20250110T100001Z")).toBe(true);
  });
  it("DTSTART + DUE: (start < DUE or start <= DTSTART) and (end > DTSTART or end >= DUE)", () => {
    const t = todo("DTSTART:20250110T100000Z", "DUE:20250110T110000Z");
    expect(hit(t, "VTODO", "20250110T110000Z", "20250110T120000Z")).toBe(false);
    expect(hit(t, "VTODO", "20250110T090000Z", "20250110T100000Z")).toBe(false);
    expect(hit(t, "VTODO", "20250110T103000Z", "20250110T103100Z")).toBe(true);
    const instant = todo("DTSTART:20250110T100000Z", "DUE:20250110T100000Z");
    expect(hit(instant, "VTODO", "20250110T090000Z", "20250110T100000Z")).toBe(true); // end >= DUE
  });
  it("DTSTART only: start <= DTSTART and end > DTSTART", () => {
    const t = todo("DTSTART:20250110T100000Z");
    expect(hit(t, "VTODO", "20250110T100000Z", "20250110T100100Z")).toBe(true);
    expect(hit(t, "VTODO", "20250110T090000Z", "20250110T100000Z")).toBe(false);
  });
  it("DUE only: start < DUE and end >= DUE", () => {
    const t = todo("DUE:20250110T100000Z");
    expect(hit(t, "VTODO", "20250110T090000Z", "20250110T100000Z")).toBe(true);
    expect(hit(t, "VTODO", "20250110T100000Z", "20250110T110000Z")).toBe(false);
  });
  it("COMPLETED + CREATED: (start <= CREATED or start <= COMPLETED) and (end >= CREATED or end >= COMPLETED)", () => {
    const t = todo("CREATED:20250110T080000Z", "COMPLETED:20250110T120000Z");
    expect(hit(t, "VTODO", "20250110T070000Z", "20250110T080000Z")).toBe(true);
    expect(hit(t, "VTODO", "20250110T090000Z", "20250110T100000Z")).toBe(true);
    expect(hit(t, "VTODO", "20250110T120000Z", "20250110T130000Z")).toBe(true);
    expect(hit(t, "VTODO", "20250110T120001Z", "20250110T130000Z")).toBe(false);
    expect(hit(t, "VTODO", "20250110T060000Z", "20250110T075959Z")).toBe(false);
  });
  it("COMPLETED only: start <= COMPLETED and end >= COMPLETED", () => {
    const t = todo("COMPLETED:20250110T120000Z");
    expect(hit(t, "VTODO", "20250110T110000Z", "20250110T120000Z")).toBe(true);
    expect(hit(t, "VTODO", "20250110T120000Z", "20250110T130000Z")).toBe(true);
    expect(hit(t, "VTODO", "20250110T120001Z", "20250110T130000Z")).toBe(false);
  });
  it("CREATED only: end > CREATED", () => {
    const t = todo("CREATED:20250110T080000Z");
    expect(hit(t, "VTODO", "20250110T070000Z", "20250110T080000Z")).toBe(false);
    expect(hit(t, "VTODO", "20250110T070000Z", "20250110T080001Z")).toBe(true);
    expect(hit(t, "VTODO", "20300101T000000Z", "20300102T000000Z")).toBe(true);
  });
  it("no dates at all: always (RFC 4791 Appendix B Task #4 style)", () => {
    expect(hit(fixture("rfc4791-b-todo-no-dates.ics"), "VTODO", "19700101T000000Z", "19700102T000000Z")).toBe(true);
  });
  it("a recurring task moves DUE with each instance", () => {
    const t = todo("DTSTART:20250501T080000Z", "DUE:20250501T100000Z", "RRULE:FREQ=WEEKLY;COUNT=3");
    expect(hit(t, "VTODO", "20250515T093000Z", "20250515T094000Z")).toBe(true);
    expect(hit(t, "VTODO", "20250515T100000Z", "20250515T110000Z")).toBe(false);
    expect(hit(t, "VTODO", "20250522T080000Z", "20250522T110000Z")).toBe(false);
  });
});

describe("VJOURNAL and VFREEBUSY (RFC 4791 §9.9)", () => {
  const journal = (...l: string[]) => cal(["BEGIN:VJOURNAL", "UID:j1", "DTSTAMP:20250101T000000Z", ...l, "END:VJOURNAL"].join("\n"));
  it("VJOURNAL: a DATE-TIME is an instant, a DATE a day, no DTSTART never matches", () => {
    expect(hit(journal("DTSTART:20250110T100000Z"), "VJOURNAL", "20250110T100000Z", "20250110T100001Z")).toBe(true);
    expect(hit(journal("DTSTART:20250110T100000Z"), "VJOURNAL", "20250110T090000Z", "20250110T100000Z")).toBe(false);
    expect(hit(fixture("rfc4791-b-journal.ics"), "VJOURNAL", "20060104T230000Z", "20060105T000000Z")).toBe(true);
    expect(hit(fixture("rfc4791-b-journal.ics"), "VJOURNAL", "20060105T000000Z", "20060106T000000Z")).toBe(false);
    expect(hit(journal("SUMMARY:undated"), "VJOURNAL", "19000101T000000Z", "29990101T000000Z")).toBe(false);
    expect(hit(journal("SUMMARY:undated"), "VJOURNAL")).toBe(true);
  });
  const fb = (...l: string[]) => cal(["BEGIN:VFREEBUSY", "UID:f1", "DTSTAMP:20250101T000000Z", ...l, "END:VFREEBUSY"].join("\n"));
  it("VFREEBUSY with DTSTART and DTEND: start <= DTEND and end > DTSTART", () => {
    const t = fb("DTSTART:20250110T000000Z", "DTEND:20250111T000000Z");
    expect(hit(t, "VFREEBUSY", "20250111T000000Z", "20250112T000000Z")).toBe(true);
    expect(hit(t, "VFREEBUSY", "20250109T000000Z", "20250110T000000Z")).toBe(false);
  });
  it("VFREEBUSY without DTSTART/DTEND: any FREEBUSY period overlaps; none never matches", () => {
    const t = fb("FREEBUSY:20250110T100000Z/PT1H,20250112T100000Z/20250112T110000Z");
    expect(hit(t, "VFREEBUSY", "20250112T105900Z", "20250113T000000Z")).toBe(true);
    expect(hit(t, "VFREEBUSY", "20250110T110000Z", "20250112T100000Z")).toBe(false);
    expect(hit(fb("ORGANIZER:mailto:a@example.com"), "VFREEBUSY", "20000101T000000Z", "20300101T000000Z")).toBe(false);
  });
});

describe("VALARM (RFC 4791 §9.9): trigger times per instance, repeats included", () => {
  const alarm = (event: string[], ...lines: string[]) => cal(vevent(...event, "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", ...lines, "END:VALARM"));
  const inRange = (t: string, start: string, end: string) => matches(t, filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:comp-filter name="VALARM"><C:time-range start="${start}" end="${end}"/></C:comp-filter></C:comp-filter></C:comp-filter>`));
  const base = ["DTSTART:20250110T100000Z", "DTEND:20250110T110000Z"];
  it("relative to the start (default)", () => {
    const t = alarm(base, "TRIGGER:-PT15M");
    expect(inRange(t, "20250110T094500Z", "20250110T094600Z")).toBe(true);
    expect(inRange(t, "20250110T093000Z", "20250110T094500Z")).toBe(false);
  });
  it("relative to the end (RELATED=END)", () => {
    expect(inRange(alarm(base, "TRIGGER;RELATED=END:PT5M"), "20250110T110500Z", "20250110T110600Z")).toBe(true);
    expect(inRange(alarm(base, "TRIGGER;RELATED=END:PT5M"), "20250110T100500Z", "20250110T100600Z")).toBe(false);
  });
  it("absolute (VALUE=DATE-TIME)", () => {
    expect(inRange(alarm(base, "TRIGGER;VALUE=DATE-TIME:20250101T080000Z"), "20250101T080000Z", "20250101T080100Z")).toBe(true);
  });
  it("with REPEAT and DURATION", () => {
    const t = alarm(base, "TRIGGER:-PT15M", "REPEAT:2", "DURATION:PT5M");
    expect(inRange(t, "20250110T095400Z", "20250110T095600Z")).toBe(true);
    expect(inRange(t, "20250110T095600Z", "20250110T100000Z")).toBe(false);
  });
  it("on every instance of a recurring event, and an override's own alarm on its instance", () => {
    const t = cal(
      vevent(...base, "RRULE:FREQ=WEEKLY;COUNT=10", "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-P1D", "END:VALARM"),
      vevent("RECURRENCE-ID:20250124T100000Z", "DTSTART:20250124T100000Z", "DTEND:20250124T110000Z", "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:y", "TRIGGER:-PT1H", "END:VALARM"),
    );
    expect(inRange(t, "20250313T100000Z", "20250313T100100Z")).toBe(true); // the day before the 10th instance, 14 March
    expect(inRange(t, "20250320T100000Z", "20250320T100100Z")).toBe(false); // no 11th
    expect(inRange(t, "20250123T100000Z", "20250123T100100Z")).toBe(false); // the override's alarm is an hour before
    expect(inRange(t, "20250124T090000Z", "20250124T090100Z")).toBe(true);
  });
});

describe("floating and all-day values in the calendar's timezone (RFC 4791 §9.9, §5.2.2)", () => {
  const floating = ev("DTSTART:20250301T230000", "DTEND:20250301T233000");
  it("a floating 23:00 event falls on another UTC day in Pacific/Auckland than in UTC", () => {
    expect(hit(floating, "VEVENT", "20250301T220000Z", "20250302T000000Z", null)).toBe(true);
    expect(hit(floating, "VEVENT", "20250301T220000Z", "20250302T000000Z", "Pacific/Auckland")).toBe(false);
    expect(hit(floating, "VEVENT", "20250301T090000Z", "20250301T120000Z", "Pacific/Auckland")).toBe(true); // 23:00 NZDT = 10:00Z
  });
  it("an all-day event spans the zone's day", () => {
    const t = ev("DTSTART;VALUE=DATE:20250315", "DTEND;VALUE=DATE:20250316");
    expect(hit(t, "VEVENT", "20250315T000000Z", "20250315T040000Z", null)).toBe(true);
    expect(hit(t, "VEVENT", "20250315T000000Z", "20250315T040000Z", "America/New_York")).toBe(false);
    expect(hit(t, "VEVENT", "20250316T000000Z", "20250316T035900Z", "America/New_York")).toBe(true);
  });
  it("floating recurrences follow the zone's DST", () => {
    const t = ev("DTSTART:20250324T100000", "DURATION:PT30M", "RRULE:FREQ=WEEKLY");
    expect(hit(t, "VEVENT", "20250324T090000Z", "20250324T091500Z", "Europe/Berlin")).toBe(true);
    expect(hit(t, "VEVENT", "20250331T080000Z", "20250331T081500Z", "Europe/Berlin")).toBe(true);
    expect(hit(t, "VEVENT", "20250331T090000Z", "20250331T091500Z", "Europe/Berlin")).toBe(false);
  });
});

describe("recurrence (RFC 5545 §3.8.5)", () => {
  it("a weekly Europe/Berlin meeting keeps 10:00 local across the March DST change", () => {
    const t = ev("DTSTART;TZID=Europe/Berlin:20250317T100000", "DTEND;TZID=Europe/Berlin:20250317T110000", "RRULE:FREQ=WEEKLY;BYDAY=MO");
    expect(hit(t, "VEVENT", "20250324T090000Z", "20250324T093000Z")).toBe(true); // CET
    expect(hit(t, "VEVENT", "20250331T080000Z", "20250331T083000Z")).toBe(true); // CEST
    expect(hit(t, "VEVENT", "20250331T090000Z", "20250331T093000Z")).toBe(false); // where 10:00 CET would be
    expect(hit(t, "VEVENT", "20250331T070000Z", "20250331T080000Z")).toBe(false);
  });
  it("a weekly America/New_York meeting keeps 09:00 local across the November DST change", () => {
    const t = ev("DTSTART;TZID=America/New_York:20251021T090000", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;UNTIL=20251231T235959Z");
    expect(hit(t, "VEVENT", "20251028T130000Z", "20251028T133000Z")).toBe(true); // EDT
    expect(hit(t, "VEVENT", "20251104T133000Z", "20251104T140000Z")).toBe(false);
    expect(hit(t, "VEVENT", "20251104T140000Z", "20251104T143000Z")).toBe(true); // EST
    expect(hit(t, "VEVENT", "20260106T140000Z", "20260106T143000Z")).toBe(false); // past UNTIL
  });
  it("EXDATE removes an instance", () => {
    const t = ev("DTSTART:20250101T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=5", "EXDATE:20250103T100000Z");
    expect(hit(t, "VEVENT", "20250103T000000Z", "20250104T000000Z")).toBe(false);
    expect(hit(t, "VEVENT", "20250104T000000Z", "20250105T000000Z")).toBe(true);
    expect(hit(t, "VEVENT", "20250106T000000Z", "20250107T000000Z")).toBe(false);
  });
  it("an EXDATE DATE removes that day's instance of a DATE-TIME series", () => {
    const t = ev("DTSTART:20250101T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=5", "EXDATE;VALUE=DATE:20250103");
    expect(hit(t, "VEVENT", "20250103T000000Z", "20250104T000000Z")).toBe(false);
  });
  it("RDATE adds instances, PERIOD values with their own length", () => {
    const t = ev("DTSTART:20250110T100000Z", "DURATION:PT1H", "RDATE:20250105T100000Z", "RDATE;VALUE=PERIOD:20250120T100000Z/PT5H");
    expect(hit(t, "VEVENT", "20250105T103000Z", "20250105T110000Z")).toBe(true);
    expect(hit(t, "VEVENT", "20250120T140000Z", "20250120T150000Z")).toBe(true);
    expect(hit(t, "VEVENT", "20250110T140000Z", "20250110T150000Z")).toBe(false);
  });
  const moved = cal(
    vevent("DTSTART:20250101T100000Z", "DTEND:20250101T110000Z", "RRULE:FREQ=DAILY;COUNT=5", "SUMMARY:daily"),
    vevent("RECURRENCE-ID:20250103T100000Z", "DTSTART:20250110T100000Z", "DTEND:20250110T110000Z", "SUMMARY:moved"),
  );
  it("an override moved into the range matches there, and its original slot is empty", () => {
    expect(hit(moved, "VEVENT", "20250110T000000Z", "20250111T000000Z")).toBe(true);
    expect(hit(moved, "VEVENT", "20250103T000000Z", "20250104T000000Z")).toBe(false);
    expect(hit(moved, "VEVENT", "20250104T000000Z", "20250105T000000Z")).toBe(true);
  });
  it("combined filters look at the instance's own component (master or override)", () => {
    const f = (summary: string) => filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
      <C:time-range start="20250110T000000Z" end="20250111T000000Z"/>
      <C:prop-filter name="SUMMARY"><C:text-match>${summary}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`);
    expect(matches(moved, f("moved"))).toBe(true);
    expect(matches(moved, f("daily"))).toBe(false);
  });
  it("RANGE=THISANDFUTURE moves every later instance (RFC 5545 §3.8.4.4)", () => {
    const t = fixture("rfc4791-b-thisandfuture.ics"); // daily 18:00-19:00 EST; from 4 January 20:00-22:00
    expect(hit(t, "VEVENT", "20060103T230000Z", "20060104T000000Z")).toBe(true); // 3 Jan 18:00 EST, unchanged
    expect(hit(t, "VEVENT", "20060105T230000Z", "20060106T000000Z")).toBe(false); // 5 Jan 18:00 EST moved away
    expect(hit(t, "VEVENT", "20060106T020000Z", "20060106T023000Z")).toBe(true); // 5 Jan 21:00 EST
    expect(hit(t, "VEVENT", "20060107T020000Z", "20060107T023000Z")).toBe(true); // 6 Jan 21:00 EST
    expect(hit(t, "VEVENT", "20060108T010000Z", "20060108T030000Z")).toBe(false); // COUNT=5
  });
  it("an object holding only overrides (an invitation to some instances) matches by those instances", () => {
    const t = cal(
      vevent("RECURRENCE-ID:20250110T100000Z", "DTSTART:20250110T120000Z", "DURATION:PT1H"),
      vevent("RECURRENCE-ID:20250117T100000Z", "DTSTART:20250117T120000Z", "DURATION:PT1H"),
    );
    expect(hit(t, "VEVENT", "20250117T123000Z", "20250117T130000Z")).toBe(true);
    expect(hit(t, "VEVENT", "20250117T100000Z", "20250117T110000Z")).toBe(false);
  });
  it("lists instances in a range with their RECURRENCE-ID and owner", () => {
    const o = obj(fixture("rfc4791-b-event2-recurring.ics"));
    const { instances, complete } = instancesInRange(o, { start: utc("2006-01-03T00:00:00Z"), end: utc("2006-01-07T00:00:00Z") }, null);
    expect(complete).toBe(true);
    expect(instances.map((i) => [new Date(i.start!).toISOString(), new Date(i.recurrenceIdMs!).toISOString(), i.isOverride])).toEqual([
      ["2006-01-03T17:00:00.000Z", "2006-01-03T17:00:00.000Z", false],
      ["2006-01-04T19:00:00.000Z", "2006-01-04T17:00:00.000Z", true],
      ["2006-01-05T17:00:00.000Z", "2006-01-05T17:00:00.000Z", false],
      ["2006-01-06T19:00:00.000Z", "2006-01-06T17:00:00.000Z", true],
    ]);
  });
});

describe("bounded expansion", () => {
  it("finds a week of a daily series that started 25 years earlier without walking it all", () => {
    const t = obj(ev("DTSTART;TZID=Europe/Berlin:20000103T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"));
    const f = rangeFilter("VEVENT", "20250602T000000Z", "20250609T000000Z");
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) expect(matches(t, f)).toBe(true);
    expect((performance.now() - t0) / 100).toBeLessThan(20); // ms per query; walking 25 years would take far longer
    const { instances } = instancesInRange(t, { start: utc("2025-06-02T00:00:00Z"), end: utc("2025-06-09T00:00:00Z") }, null);
    expect(instances.map((i) => new Date(i.start!).toISOString().slice(0, 16))).toEqual(
      ["2025-06-02T07:00", "2025-06-03T07:00", "2025-06-04T07:00", "2025-06-05T07:00", "2025-06-06T07:00"],
    );
  });
  it("never walks an unbounded rule past the range's end", () => {
    const t = obj(ev("DTSTART:20250101T000000Z", "RRULE:FREQ=SECONDLY"));
    expect(hit(t as never, "VEVENT", "20250101T000010Z", "20250101T000011Z")).toBe(true);
  });
  it("walks a COUNT rule without BYxxx parts from near the range: its instances are DTSTART + k periods (RFC 5545 §3.3.10)", () => {
    // 1,000,000 minutes from 2000-01-01: the last instance is 2001-11-25T10:39Z.
    const t = ev("DTSTART:20000101T000000Z", "RRULE:FREQ=MINUTELY;COUNT=1000000");
    expect(hit(t, "VEVENT", "20011125T103900Z", "20011125T103901Z")).toBe(true);
    expect(hit(t, "VEVENT", "20011125T104000Z", "20011125T110000Z")).toBe(false);
    expect(hit(t, "VEVENT", "20300301T000000Z", "20300302T000000Z")).toBe(false);
    expect(hit(t, "VEVENT", "19990301T000000Z", "19990302T000000Z")).toBe(false); // before DTSTART: no walk needed
  });
  it("answers DAV:number-of-matches-within-limits when the walk is cut short, never a guess (RFC 4791 §7.8)", () => {
    // With a BYxxx part, COUNT must be counted from DTSTART: 20,000 minutes cover two weeks of 2000.
    const t = ev("DTSTART:20000101T000000Z", "RRULE:FREQ=MINUTELY;COUNT=1000000;BYSECOND=0");
    expect(() => hit(t, "VEVENT", "20300301T000000Z", "20300302T000000Z")).toThrow(expect.objectContaining({ status: 403, condition: expect.objectContaining({ name: "{DAV:}number-of-matches-within-limits" }) }));
    expect(hit(t, "VEVENT", "20000101T000500Z", "20000101T000501Z")).toBe(true);
    expect(hit(t, "VEVENT", "19990301T000000Z", "19990302T000000Z")).toBe(false);
  });
  it("knows without walking that an endless SECONDLY event has more instances in ten years than a walk may draw", () => {
    const tenYears = { start: utc("2026-01-01T00:00:00Z"), end: utc("2036-01-01T00:00:00Z") };
    const secondly = obj(ev("DTSTART:20260101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY"));
    const before = stepCount();
    expect(instancesInRange(secondly, tenYears, null)).toEqual({ instances: [], complete: false });
    expect(stepCount() - before).toBe(0);
    expect(leastInstances(secondly, tenYears, null)).toBeGreaterThan(300_000_000);
    // Only rules without BYxxx parts repeat every period; EXDATEs and overrides are taken off; COUNT and UNTIL end the set.
    expect(leastInstances(obj(ev("DTSTART:20260101T000000Z", "RRULE:FREQ=SECONDLY;BYMONTH=2")), tenYears, null)).toBe(0);
    expect(leastInstances(obj(ev("DTSTART:20260101T000000Z", "RRULE:FREQ=DAILY;COUNT=100")), tenYears, null)).toBeLessThanOrEqual(100);
    expect(leastInstances(obj(ev("DTSTART:20260101T000000Z", "RRULE:FREQ=DAILY;UNTIL=20260201T000000Z")), tenYears, null)).toBeLessThanOrEqual(31);
    expect(leastInstances(obj(ev("DTSTART:20260101T000000Z", "RRULE:FREQ=DAILY", "EXDATE:20260102T000000Z,20260103T000000Z")), tenYears, null)).toBeLessThanOrEqual(3652 - 2);
    expect(leastInstances(obj(ev("DTSTART:20260101T000000Z", "RRULE:FREQ=HOURLY", "EXDATE;VALUE=DATE:20260102")), tenYears, null)).toBe(0);
  });
  it("starts monthly and yearly rules near the range too", () => {
    const monthly = obj(ev("DTSTART:20000115T120000Z", "DURATION:PT1H", "RRULE:FREQ=MONTHLY;BYDAY=2TU,-1FR"));
    const { instances } = instancesInRange(monthly, { start: utc("2025-06-01T00:00:00Z"), end: utc("2025-07-01T00:00:00Z") }, null);
    expect(instances.map((i) => new Date(i.start!).toISOString().slice(0, 10))).toEqual(["2025-06-10", "2025-06-27"]);
    const yearly = obj(ev("DTSTART;VALUE=DATE:19800229", "RRULE:FREQ=YEARLY"));
    expect(hit(yearly as never, "VEVENT", "20240229T000000Z", "20240301T000000Z")).toBe(true); // no jump from 29 February, still right
  });
});

describe("prop-filter time-range (RFC 4791 §9.7.2)", () => {
  const q = (prop: string, start: string, end: string) => filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO">
    <C:prop-filter name="${prop}"><C:time-range start="${start}" end="${end}"/></C:prop-filter></C:comp-filter></C:comp-filter>`);
  const t = todo("DUE;VALUE=DATE:20250110", "COMPLETED:20250109T120000Z", "LAST-MODIFIED:20250109T130000Z");
  it("DATE-TIME values as instants: start <= value < end", () => {
    expect(matches(t, q("COMPLETED", "20250109T120000Z", "20250109T120001Z"))).toBe(true);
    expect(matches(t, q("COMPLETED", "20250109T110000Z", "20250109T120000Z"))).toBe(false);
    expect(matches(t, q("DTSTAMP", "20250101T000000Z", "20250102T000000Z"))).toBe(true);
    expect(matches(t, q("LAST-MODIFIED", "20250101T000000Z", "20250102T000000Z"))).toBe(false);
  });
  it("DATE values as their day, in the zone", () => {
    expect(matches(t, q("DUE", "20250110T230000Z", "20250111T000000Z"))).toBe(true);
    expect(matches(t, q("DUE", "20250110T230000Z", "20250111T000000Z"), "Asia/Tokyo")).toBe(false);
  });
  it("refuses a time-range on a property that is not a date with CALDAV:valid-filter (RFC 4791 §7.8)", () => {
    expect(() => q("UID", "19000101T000000Z", "29990101T000000Z")).toThrow(/no date or time/);
    expect(matches(t, q("X-CUSTOM-DATE", "19000101T000000Z", "29990101T000000Z"))).toBe(false);
  });
});

void DAY;
void HOUR;
