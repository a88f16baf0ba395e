// IndexSummary.exact: the index row alone decides a time-range query
// (RFC 4791 §9.9: start < qEnd && end > qStart) only for one zoned,
// non-recurring instance of positive length.
import { describe, expect, it } from "vitest";
import { cal, fixture, obj, vevent, vtodo } from "./helpers.js";

const exact = (text: string) => obj(text).index.exact;

describe("IndexSummary.exact", () => {
  it("is true for a zoned or UTC VEVENT with DTEND > DTSTART or DURATION > 0", () => {
    expect(exact(fixture("thunderbird-event-newyork.ics"))).toBe(true);
    expect(exact(fixture("rfc4791-b-event1.ics"))).toBe(true);
    expect(exact(cal(vevent("DTSTART:20250110T100000Z", "DURATION:P1DT2H")))).toBe(true);
  });
  it("is true for a VTODO with DTSTART and a later DUE (the §9.9 row reduces to the same test)", () => {
    expect(exact(cal(vtodo("DTSTART:20250110T100000Z", "DUE:20250111T100000Z")))).toBe(true);
  });
  it("is false for floating, all-day, instant, recurring and overridden objects", () => {
    expect(exact(fixture("floating.ics"))).toBe(false);
    expect(exact(fixture("apple-allday.ics"))).toBe(false);
    expect(exact(cal(vevent("DTSTART:20250110T100000Z")))).toBe(false);
    expect(exact(cal(vevent("DTSTART:20250110T100000Z", "DTEND:20250110T100000Z")))).toBe(false);
    expect(exact(cal(vevent("DTSTART:20250110T100000Z", "DURATION:PT0S")))).toBe(false);
    expect(exact(fixture("rfc4791-b-event2-recurring.ics"))).toBe(false);
    expect(exact(cal(vevent("DTSTART:20250110T100000Z", "DURATION:PT1H", "RDATE:20250111T100000Z")))).toBe(false);
    expect(exact(cal(vevent("RECURRENCE-ID:20250110T100000Z", "DTSTART:20250110T120000Z", "DURATION:PT1H")))).toBe(false);
  });
  it("is false for the §9.9 rows with inclusive bounds: VTODO with DURATION or DUE only, VFREEBUSY, VJOURNAL", () => {
    expect(exact(fixture("davx5-task-start-duration.ics"))).toBe(false);
    expect(exact(fixture("davx5-task-due.ics"))).toBe(false);
    expect(exact(fixture("rfc4791-b-freebusy.ics"))).toBe(false);
    expect(exact(cal(["BEGIN:VJOURNAL", "UID:j", "DTSTAMP:20250101T000000Z", "DTSTART:20250110T100000Z", "END:VJOURNAL"].join("\n")))).toBe(false);
  });
  it("spans a DURATION with hours exactly across a DST change (RFC 5545 §3.3.6)", () => {
    const i = obj(cal(vevent("DTSTART;TZID=Europe/Berlin:20250330T013000", "DURATION:PT2H"))).index;
    expect([i.exact, i.end! - i.start!]).toEqual([true, 2 * 3_600_000]);
  });
});
