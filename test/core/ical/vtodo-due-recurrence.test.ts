// A recurring VTODO with DUE and no DTSTART (valid in RFC 2445 §4.6.2, where
// DTSTART was optional for recurrence; RFC 5545 §3.8.5.3 anchors the set on
// DTSTART): accepted, recurring from its DUE as Apple's CalendarServer and
// Cyrus read it, and indexed over the instances' DUEs (RFC 4791 §9.9, the
// VTODO row for DUE alone).
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { cal, expectPrecondition, fixture, HOUR, utc, vtodo } from "./helpers.js";

const LIGHTNING = "lightning-task-recurring-due.ics";
const ICAL3 = "ical3-task-monthly-due-date.ics";

describe("accepting a VTODO that recurs from its DUE (RFC 2445, RFC 4791 §5.3.2.1 valid-calendar-data)", () => {
  it("accepts Lightning's weekly task with DUE, EXDATE and an override, and anchors it on DUE", () => {
    const o = parseCalendarObject(fixture(LIGHTNING));
    expect(o.component).toBe("VTODO");
    expect(o.master!.dtstart).toBeNull();
    expect(o.master!.anchor).toBe(o.master!.due);
    expect(o.overrides).toHaveLength(1);
    expect(o.overrides[0]!.anchor).toBe(o.overrides[0]!.due);
  });

  it("accepts an old iCal export's monthly task with an all-day DUE", () => {
    const o = parseCalendarObject(fixture(ICAL3));
    expect(o.master!.anchor!.isDate).toBe(true);
  });

  it("accepts RDATE values that line up with DUE, but not a PERIOD (it needs a start)", () => {
    expect(() => parseCalendarObject(cal(vtodo("DUE:20250301T100000Z", "RDATE:20250310T100000Z,20250320T100000Z")))).not.toThrow();
    const msg = expectPrecondition(() => parseCalendarObject(cal(vtodo("DUE:20250301T100000Z", "RDATE;VALUE=PERIOD:20250310T090000Z/PT1H"))), "valid-calendar-data");
    expect(msg).toMatch(/PERIOD needs DTSTART/);
  });

  it("still refuses a recurring VTODO with neither DTSTART nor DUE (RFC 5545 §3.8.5)", () => {
    expectPrecondition(() => parseCalendarObject(cal(vtodo("RRULE:FREQ=DAILY;COUNT=3"))), "valid-calendar-data");
  });
});

describe("the index summary of a VTODO that recurs from its DUE (RFC 4791 §9.9)", () => {
  it("spans the first to the last DUE, the override's moved DUE included, and counts the instances", () => {
    const o = parseCalendarObject(fixture(LIGHTNING));
    expect(o.index).toEqual({
      uid: "7d1c5f3a-2b8e-4c61-9f0d-5a4e3b2c1d0e", component: "VTODO",
      start: utc("2025-03-07T17:00:00Z"), end: utc("2025-04-11T16:00:00Z"), recurring: true, floating: false, exact: false,
      busy: null, // only VEVENTs are busy time (RFC 4791 §7.10)
    });
    expect(o.instances).toBe(5); // COUNT=6 less the EXDATE
  });

  it("leaves the end of an unbounded rule open and widens an all-day DUE by 14 hours", () => {
    const o = parseCalendarObject(fixture(ICAL3));
    expect([o.index.start, o.index.end, o.index.floating, o.instances]).toEqual([utc("2008-02-01T00:00:00Z") - 14 * HOUR, null, true, null]);
  });

  it("checks max-instances against the instances of the DUE set (RFC 4791 §5.3.2.1)", () => {
    expectPrecondition(() => parseCalendarObject(fixture(LIGHTNING), { maxInstances: 4 }), "max-instances");
  });
});
