// The index summary: a conservative UTC range per object for the RFC 4791 §9.9
// time-range rules, over RFC 5545 §3.8.5 recurrence sets.
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { cal, DAY, fixture, HOUR, utc, vevent, vtodo } from "./helpers.js";

const index = (text: string) => parseCalendarObject(text).index;
const F = 14 * HOUR; // floating widening

describe("VEVENT (RFC 4791 §9.9)", () => {
  it("spans DTSTART..DTEND of a zoned event", () => {
    expect(index(fixture("thunderbird-event-newyork.ics"))).toEqual({
      uid: "4c8e0f2a-7d1b-4f59-9a6e-3b2c1d0e9f8a", component: "VEVENT",
      start: utc("2025-04-15T19:30:00Z"), end: utc("2025-04-15T20:30:00Z"), recurring: false, floating: false, exact: true,
      busy: 2, // OPAQUE, no STATUS: BUSY (RFC 4791 §7.10)
    });
  });

  it("spans DTSTART..DTSTART+DURATION (RFC 4791 Appendix B event)", () => {
    const i = index(fixture("rfc4791-b-event1.ics"));
    expect([i.start, i.end]).toEqual([utc("2006-01-02T15:00:00Z"), utc("2006-01-02T16:00:00Z")]);
  });

  it("treats a DATE-TIME DTSTART without DTEND or DURATION as an instant", () => {
    const i = index(cal(vevent("DTSTART:20250110T100000Z")));
    expect([i.start, i.end]).toEqual([utc("2025-01-10T10:00:00Z"), utc("2025-01-10T10:00:00Z")]);
  });

  it("widens an all-day event by 14h each side and marks it floating", () => {
    const i = index(fixture("apple-allday.ics"));
    expect(i.floating).toBe(true);
    expect([i.start, i.end]).toEqual([utc("2025-03-15T00:00:00Z") - F, utc("2025-03-18T00:00:00Z") + F]);
  });

  it("gives an all-day DTSTART without DTEND one day", () => {
    const i = index(cal(vevent("DTSTART;VALUE=DATE:20250315")));
    expect([i.start, i.end]).toEqual([utc("2025-03-15T00:00:00Z") - F, utc("2025-03-16T00:00:00Z") + F]);
  });

  it("widens a floating event by 14h each side", () => {
    const i = index(fixture("floating.ics"));
    expect(i.floating).toBe(true);
    expect([i.start, i.end]).toEqual([utc("2025-03-01T08:00:00Z") - F, utc("2025-03-01T09:00:00Z") + F]);
  });
});

describe("recurring VEVENT (RFC 5545 §3.8.5, RFC 4791 §9.9)", () => {
  it("ends at the last instance of a COUNT-bounded series with an override (RFC 4791 Appendix B)", () => {
    const o = parseCalendarObject(fixture("rfc4791-b-event2-recurring.ics"));
    expect(o.index.recurring).toBe(true);
    expect(o.index.start).toBe(utc("2006-01-02T17:00:00Z"));
    expect(o.index.end).toBe(utc("2006-01-06T20:00:00Z")); // the 6th moved to 14:00-15:00 EST
    expect(o.instances).toBe(5);
  });

  it("ends at the last instance of an UNTIL-bounded series", () => {
    const i = index(fixture("google-utc-until.ics"));
    expect([i.start, i.end]).toEqual([utc("2025-03-03T15:00:00Z"), utc("2025-03-31T15:30:00Z")]);
  });

  it("follows the zone across DST for a bounded weekly series with EXDATE and override (Apple)", () => {
    const o = parseCalendarObject(fixture("apple-recurring-berlin.ics"));
    expect([o.index.start, o.index.end]).toEqual([utc("2025-01-06T09:00:00Z"), utc("2025-02-24T09:30:00Z")]);
    expect(o.instances).toBe(7);
  });

  it("keeps local time across a DST change in a bounded daily series", () => {
    const i = index(cal(vevent("DTSTART;TZID=Europe/Berlin:20250328T100000", "DTEND;TZID=Europe/Berlin:20250328T110000", "RRULE:FREQ=DAILY;COUNT=3")));
    expect([i.start, i.end]).toEqual([utc("2025-03-28T09:00:00Z"), utc("2025-03-30T09:00:00Z")]);
  });

  it("has no end for an unbounded series", () => {
    const i = index(fixture("thunderbird-daily-unbounded.ics"));
    expect([i.start, i.end, i.recurring]).toEqual([utc("2025-01-06T07:00:00Z"), null, true]);
  });

  it("ends at the previous instance when EXDATE removes the last one", () => {
    const o = parseCalendarObject(cal(vevent("DTSTART:20250110T100000Z", "DTEND:20250110T110000Z", "RRULE:FREQ=DAILY;COUNT=5", "EXDATE:20250114T100000Z")));
    expect(o.index.end).toBe(utc("2025-01-13T11:00:00Z"));
    expect(o.instances).toBe(4);
  });

  it("extends to an override moved after the end of the series", () => {
    const i = index(cal(
      vevent("DTSTART:20250110T100000Z", "DTEND:20250110T110000Z", "RRULE:FREQ=DAILY;COUNT=3"),
      vevent("RECURRENCE-ID:20250111T100000Z", "DTSTART:20250201T100000Z", "DTEND:20250201T110000Z"),
    ));
    expect([i.start, i.end]).toEqual([utc("2025-01-10T10:00:00Z"), utc("2025-02-01T11:00:00Z")]);
  });

  it("extends to an override moved before the start of the series, bounded or not", () => {
    for (const rule of ["RRULE:FREQ=DAILY;COUNT=3", "RRULE:FREQ=DAILY"]) {
      const i = index(cal(
        vevent("DTSTART:20250110T100000Z", "DURATION:PT1H", rule),
        vevent("RECURRENCE-ID:20250111T100000Z", "DTSTART:20250101T100000Z", "DURATION:PT1H"),
      ));
      expect(i.start).toBe(utc("2025-01-01T10:00:00Z"));
    }
  });

  it("shifts the instances after a RANGE=THISANDFUTURE override (RFC 5545 §3.8.4.4)", () => {
    const i = index(fixture("rfc4791-b-thisandfuture.ics"));
    // the last instance is 2006-01-06 20:00-22:00 EST = 2006-01-07 01:00-03:00Z
    expect(i.start).toBe(utc("2006-01-02T23:00:00Z"));
    expect(i.end).toBeGreaterThanOrEqual(utc("2006-01-07T03:00:00Z"));
    expect(i.end).toBeLessThanOrEqual(utc("2006-01-07T04:00:00Z"));
  });

  it("includes RDATEs, also before DTSTART, and RDATE periods", () => {
    const i = index(cal(vevent(
      "DTSTART:20250110T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=2",
      "RDATE:20250105T100000Z", "RDATE;VALUE=PERIOD:20250120T100000Z/PT5H",
    )));
    expect([i.start, i.end]).toEqual([utc("2025-01-05T10:00:00Z"), utc("2025-01-20T15:00:00Z")]);
  });

  it("falls back to no end when a bounded series is too long to expand", () => {
    const o = parseCalendarObject(cal(vevent("DTSTART:20250110T100000Z", "RRULE:FREQ=MINUTELY;COUNT=100000")));
    expect([o.index.end, o.instances]).toEqual([null, null]);
  });

  it("marks an object with only overrides as recurring and spans them", () => {
    const i = index(cal(vevent("RECURRENCE-ID:20250110T100000Z", "DTSTART:20250110T120000Z"), vevent("RECURRENCE-ID:20250117T100000Z", "DTSTART:20250117T120000Z")));
    expect([i.start, i.end, i.recurring]).toEqual([utc("2025-01-10T12:00:00Z"), utc("2025-01-17T12:00:00Z"), true]);
  });
});

describe("VTODO (RFC 4791 §9.9 table)", () => {
  const span = (text: string) => {
    const i = index(text);
    return [i.start, i.end];
  };
  it("DTSTART + DURATION: DTSTART..DTSTART+DURATION", () => {
    expect(span(fixture("davx5-task-start-duration.ics"))).toEqual([utc("2025-05-12T07:00:00Z"), utc("2025-05-12T11:00:00Z")]);
  });
  it("DTSTART + DUE: DTSTART..DUE", () => {
    expect(span(cal(vtodo("DTSTART:20250512T070000Z", "DUE:20250513T070000Z")))).toEqual([utc("2025-05-12T07:00:00Z"), utc("2025-05-13T07:00:00Z")]);
    expect(span(fixture("rfc4791-b-todo-start-due.ics"))).toEqual([utc("2006-01-02T00:00:00Z") - F, utc("2006-01-07T00:00:00Z") + F]);
  });
  it("DTSTART only: the instant DTSTART", () => {
    expect(span(cal(vtodo("DTSTART:20250512T070000Z")))).toEqual([utc("2025-05-12T07:00:00Z"), utc("2025-05-12T07:00:00Z")]);
  });
  it("DUE only: the instant DUE (DAVx5 task with a zoned DUE)", () => {
    expect(span(fixture("davx5-task-due.ics"))).toEqual([utc("2025-06-01T10:00:00Z"), utc("2025-06-01T10:00:00Z")]);
  });
  it("DUE wins over COMPLETED when there is no DTSTART", () => {
    expect(span(fixture("rfc4791-b-todo-completed.ics"))).toEqual([utc("2006-01-06T00:00:00Z") - F, utc("2006-01-06T00:00:00Z") + F]);
  });
  it("COMPLETED + CREATED: CREATED..COMPLETED", () => {
    expect(span(fixture("task-completed.ics"))).toEqual([utc("2025-04-20T09:00:00Z"), utc("2025-04-22T17:30:00Z")]);
  });
  it("COMPLETED only: the instant COMPLETED", () => {
    expect(span(cal(vtodo("COMPLETED:20250422T173000Z")))).toEqual([utc("2025-04-22T17:30:00Z"), utc("2025-04-22T17:30:00Z")]);
  });
  it("CREATED only: from CREATED on, unbounded", () => {
    expect(span(cal(vtodo("CREATED:20250420T090000Z")))).toEqual([utc("2025-04-20T09:00:00Z"), null]);
  });
  it("no dates at all: unbounded both ways", () => {
    expect(span(fixture("rfc4791-b-todo-no-dates.ics"))).toEqual([null, null]);
  });
  it("a recurring task shifts DUE with each instance", () => {
    expect(span(cal(vtodo("DTSTART:20250501T080000Z", "DUE:20250501T100000Z", "RRULE:FREQ=WEEKLY;COUNT=3")))).toEqual([utc("2025-05-01T08:00:00Z"), utc("2025-05-15T10:00:00Z")]);
  });
});

describe("VJOURNAL and VFREEBUSY (RFC 4791 §9.9)", () => {
  it("gives a VJOURNAL with a DATE DTSTART one day", () => {
    const i = index(fixture("rfc4791-b-journal.ics"));
    expect([i.component, i.start, i.end]).toEqual(["VJOURNAL", utc("2006-01-04T00:00:00Z") - F, utc("2006-01-05T00:00:00Z") + F]);
  });
  it("spans DTSTART..DTEND and every FREEBUSY period of a VFREEBUSY", () => {
    const i = index(fixture("rfc4791-b-freebusy.ics"));
    expect([i.component, i.start, i.end, i.floating]).toEqual(["VFREEBUSY", utc("2005-05-31T23:00:00Z"), utc("2006-01-08T00:00:00Z"), false]);
  });
  it("gives a VJOURNAL without DTSTART an unbounded range", () => {
    const i = index(cal("BEGIN:VJOURNAL\nUID:j\nSUMMARY:x\nEND:VJOURNAL"));
    expect([i.start, i.end]).toEqual([null, null]);
  });
});

it("has a plain, structured-cloneable index (it crosses RPC)", () => {
  const i = index(fixture("apple-recurring-berlin.ics"));
  expect(structuredClone(i)).toEqual(i);
  expect(Object.getPrototypeOf(i)).toBe(Object.prototype);
  expect(i.end! - i.start!).toBeGreaterThan(DAY);
});
