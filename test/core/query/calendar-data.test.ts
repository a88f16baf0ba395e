// CALDAV:calendar-data (RFC 4791 §9.6): the request element, component and
// property selection (§9.6.1-§9.6.4), expand (§9.6.5), limit-recurrence-set
// (§9.6.6) and limit-freebusy-set (§9.6.7).
import { describe, expect, it } from "vitest";
import { DavError } from "../../../src/core/errors.js";
import { selectsWholeObject } from "../../../src/core/query/calendar-data.js";
import { CALDAV } from "../ical/helpers.js";
import { cal, components, dataRequest, fixture, lines, obj, render, vevent, vtodo } from "./helpers.js";

function error(fn: () => unknown): DavError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DavError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("the calendar-data request (RFC 4791 §9.6)", () => {
  it("accepts text/calendar 2.0, with or without parameters", () => {
    expect(selectsWholeObject(dataRequest(""))).toBe(true);
    expect(selectsWholeObject(dataRequest("", 'content-type="text/calendar; charset=utf-8" version="2.0"'))).toBe(true);
    expect(selectsWholeObject(dataRequest(`<C:comp name="VCALENDAR"><C:allprop/><C:allcomp/></C:comp>`))).toBe(true);
  });
  it("refuses other media types and versions with supported-calendar-data (403)", () => {
    for (const attrs of ['content-type="application/calendar+json"', 'version="1.0"']) {
      const e = error(() => dataRequest("", attrs));
      expect([e.status, e.condition?.name]).toEqual([403, `{${CALDAV}}supported-calendar-data`]);
    }
  });
  it("answers 400 to malformed children", () => {
    for (const inner of [
      `<C:expand start="20060103T000000Z"/>`,
      `<C:expand start="20060103T000000Z" end="20060102T000000Z"/>`,
      `<C:expand start="2006-01-03" end="20060105T000000Z"/>`,
      `<C:expand start="20060103T000000Z" end="20060105T000000Z"/><C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/>`,
      `<C:comp name="VEVENT"/>`,
      `<C:comp name="VCALENDAR"><C:allprop/><C:prop name="VERSION"/></C:comp>`,
      `<C:comp name="VCALENDAR"><C:prop name="VERSION" novalue="maybe"/></C:comp>`,
      `<C:bogus/>`,
    ]) expect(error(() => dataRequest(inner)).status, inner).toBe(400);
  });
  it("reads comp, prop with novalue, allprop/allcomp and the ranges", () => {
    const r = dataRequest(`<C:comp name="VCALENDAR"><C:allprop/><C:comp name="VEVENT"><C:prop name="UID"/><C:prop name="ATTENDEE" novalue="yes"/><C:allcomp/></C:comp></C:comp>
      <C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/><C:limit-freebusy-set start="20060102T000000Z" end="20060103T000000Z"/>`);
    expect(r.comp).toEqual({
      name: "VCALENDAR", allProps: true, props: [], allComps: false,
      comps: [{ name: "VEVENT", allProps: false, props: [{ name: "UID", novalue: false }, { name: "ATTENDEE", novalue: true }], allComps: true, comps: [] }],
    });
    expect(r.limitRecurrenceSet).toEqual({ start: Date.UTC(2006, 0, 3), end: Date.UTC(2006, 0, 5) });
    expect(r.limitFreebusySet).toEqual({ start: Date.UTC(2006, 0, 2), end: Date.UTC(2006, 0, 3) });
    expect(r.expand).toBeNull();
  });
});

describe("selection (RFC 4791 §9.6.1-§9.6.4)", () => {
  const text = fixture("rfc4791-b-event3-attendees.ics");
  it("returns the stored text unchanged when everything is asked for, without parsing", () => {
    expect(render("not even iCalendar", dataRequest(""))).toBe("not even iCalendar");
  });
  it("novalue keeps the property and its parameters without a value", () => {
    const out = render(text, dataRequest(`<C:comp name="VCALENDAR"><C:comp name="VEVENT"><C:prop name="UID"/><C:prop name="ATTENDEE" novalue="yes"/></C:comp></C:comp>`));
    expect(components(out, "VEVENT")[0]).toEqual([
      "ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:", "ATTENDEE;PARTSTAT=NEEDS-ACTION:", "UID:DC6C50A017428C5216A2F1CD@example.com",
    ]);
    expect(out).not.toContain("VTIMEZONE"); // not selected
    expect(lines(out).slice(0, 3)).toEqual(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN"]);
  });
  it("drops a VTIMEZONE that no selected property refers to any more", () => {
    const out = render(text, dataRequest(`<C:comp name="VCALENDAR"><C:allcomp/></C:comp>`));
    expect(out).toContain("BEGIN:VTIMEZONE");
    const noDates = render(text, dataRequest(`<C:comp name="VCALENDAR"><C:comp name="VEVENT"><C:prop name="UID"/></C:comp><C:comp name="VTIMEZONE"/></C:comp>`));
    expect(noDates).not.toContain("VTIMEZONE");
  });
  it("selects subcomponents: VALARM only when asked for", () => {
    const t = fixture("rfc4791-b-todo-due.ics");
    const without = render(t, dataRequest(`<C:comp name="VCALENDAR"><C:comp name="VTODO"><C:allprop/></C:comp></C:comp>`));
    const withAlarm = render(t, dataRequest(`<C:comp name="VCALENDAR"><C:comp name="VTODO"><C:allprop/><C:comp name="VALARM"><C:prop name="TRIGGER"/></C:comp></C:comp></C:comp>`));
    expect(without).not.toContain("VALARM");
    expect(components(withAlarm, "VALARM")).toEqual([["TRIGGER;RELATED=START:-PT10M"]]);
  });
  it("writes CRLF line endings and folds long lines", () => {
    const long = cal(vevent("DTSTART:20250101T100000Z", `SUMMARY:${"x".repeat(200)}`));
    const out = render(long, dataRequest(`<C:comp name="VCALENDAR"><C:comp name="VEVENT"><C:prop name="SUMMARY"/></C:comp></C:comp>`));
    expect(out.split("\r\n").every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
    expect(out.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });
});

describe("expand (RFC 4791 §9.6.5)", () => {
  const expand = (start: string, end: string) => dataRequest(`<C:expand start="${start}" end="${end}"/>`);
  it("converts every zoned date-time to UTC, across a DST change", () => {
    const t = cal(vevent("DTSTART;TZID=Europe/Berlin:20250324T100000", "DTEND;TZID=Europe/Berlin:20250324T110000", "RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE;TZID=Europe/Berlin:20250407T100000"));
    const out = render(t, expand("20250301T000000Z", "20250501T000000Z"));
    expect(components(out, "VEVENT").map((e) => e.filter((l) => /^(DTSTART|DTEND|RECURRENCE-ID|RRULE|EXDATE)/.test(l)))).toEqual([
      ["DTSTART:20250324T090000Z", "RECURRENCE-ID:20250324T090000Z", "DTEND:20250324T100000Z"],
      ["DTSTART:20250331T080000Z", "RECURRENCE-ID:20250331T080000Z", "DTEND:20250331T090000Z"],
    ]);
  });
  it("keeps floating and all-day values as they are", () => {
    const t = cal(vevent("DTSTART;VALUE=DATE:20250101", "RRULE:FREQ=YEARLY;COUNT=3"));
    const out = render(t, expand("20260101T000000Z", "20260102T000000Z"), "Asia/Tokyo");
    expect(components(out, "VEVENT")[0]!.filter((l) => /^(DTSTART|RECURRENCE-ID)/.test(l))).toEqual(["DTSTART;VALUE=DATE:20260101", "RECURRENCE-ID;VALUE=DATE:20260101"]);
  });
  it("replaces a DURATION that no longer fits in UTC with DTEND", () => {
    const t = cal(vevent("DTSTART;TZID=Europe/Berlin:20250329T120000", "DURATION:P1D"));
    const [e] = components(render(t, expand("20250301T000000Z", "20250401T000000Z")), "VEVENT");
    expect(e!.filter((l) => /^(DTSTART|DTEND|DURATION)/.test(l))).toEqual(["DTSTART:20250329T110000Z", "DTEND:20250330T100000Z"]);
  });
  it("expands a THISANDFUTURE override into the instances it moves, without RANGE", () => {
    const out = render(fixture("rfc4791-b-thisandfuture.ics"), expand("20060105T000000Z", "20060107T000000Z"));
    expect(out).not.toContain("RANGE");
    expect(components(out, "VEVENT").map((e) => e.filter((l) => /^(DTSTART|DURATION|RECURRENCE-ID|SUMMARY)/.test(l)).sort())).toEqual([
      ["DTSTART:20060105T010000Z", "DURATION:PT2H", "RECURRENCE-ID:20060104T230000Z", "SUMMARY:event 7 changed"], // the override itself
      ["DTSTART:20060106T010000Z", "DURATION:PT2H", "RECURRENCE-ID:20060105T230000Z", "SUMMARY:event 7 changed"], // moved by it
    ]);
  });
  it("expands recurring to-dos, moving DUE", () => {
    const t = cal(vtodo("DTSTART;TZID=America/New_York:20250501T080000", "DUE;TZID=America/New_York:20250501T100000", "RRULE:FREQ=WEEKLY;COUNT=3"));
    const out = render(t, expand("20250508T000000Z", "20250509T000000Z"));
    expect(components(out, "VTODO").map((e) => e.filter((l) => /^(DTSTART|DUE|RECURRENCE-ID)/.test(l)).sort())).toEqual([
      ["DTSTART:20250508T120000Z", "DUE:20250508T140000Z", "RECURRENCE-ID:20250508T120000Z"],
    ]);
  });
  it("returns no component for an object with no instance in the range", () => {
    const out = render(fixture("rfc4791-b-event1.ics"), expand("20070101T000000Z", "20070102T000000Z"));
    expect(lines(out)).toEqual(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN", "END:VCALENDAR"]);
  });
  it("reuses a parsed object when given one", () => {
    const text = fixture("rfc4791-b-event2-recurring.ics");
    const req = expand("20060103T000000Z", "20060105T000000Z");
    expect(render(text, req, null, obj(text))).toBe(render(text, req));
  });
});

describe("limit-recurrence-set (RFC 4791 §9.6.6)", () => {
  const limit = (start: string, end: string) => dataRequest(`<C:limit-recurrence-set start="${start}" end="${end}"/>`);
  const summaries = (out: string) => components(out, "VEVENT").map((e) => e.find((l) => l.startsWith("SUMMARY")));
  it("keeps an override whose original slot is in the range although it moved out of it", () => {
    const t = cal(
      vevent("DTSTART:20250101T100000Z", "DTEND:20250101T110000Z", "RRULE:FREQ=DAILY;COUNT=5", "SUMMARY:master"),
      vevent("RECURRENCE-ID:20250103T100000Z", "DTSTART:20250110T100000Z", "DTEND:20250110T110000Z", "SUMMARY:moved out"),
      vevent("RECURRENCE-ID:20250105T100000Z", "DTSTART:20250105T120000Z", "DTEND:20250105T130000Z", "SUMMARY:elsewhere"),
    );
    expect(summaries(render(t, limit("20250103T000000Z", "20250104T000000Z")))).toEqual(["SUMMARY:master", "SUMMARY:moved out"]);
    expect(summaries(render(t, limit("20250110T000000Z", "20250111T000000Z")))).toEqual(["SUMMARY:master", "SUMMARY:moved out"]);
    expect(summaries(render(t, limit("20250201T000000Z", "20250202T000000Z")))).toEqual(["SUMMARY:master"]);
  });
  it("keeps a THISANDFUTURE override when an instance it moves is in the range", () => {
    const out = render(fixture("rfc4791-b-thisandfuture.ics"), limit("20060106T000000Z", "20060107T000000Z"));
    expect(summaries(out)).toEqual(["SUMMARY:event 7", "SUMMARY:event 7 changed"]);
    expect(summaries(render(fixture("rfc4791-b-thisandfuture.ics"), limit("20060102T000000Z", "20060103T000000Z")))).toEqual(["SUMMARY:event 7"]);
  });
});

describe("limit-freebusy-set (RFC 4791 §9.6.7)", () => {
  it("keeps only the periods that overlap, also inside a multi-valued FREEBUSY", () => {
    const t = cal(["BEGIN:VFREEBUSY", "UID:f", "DTSTAMP:20250101T000000Z", "FREEBUSY:20250110T100000Z/PT1H,20250111T100000Z/PT1H", "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20250112T100000Z/PT1H", "END:VFREEBUSY"].join("\n"));
    const out = render(t, dataRequest(`<C:limit-freebusy-set start="20250111T000000Z" end="20250112T000000Z"/>`));
    expect(components(out, "VFREEBUSY")[0]!.filter((l) => l.startsWith("FREEBUSY"))).toEqual(["FREEBUSY:20250111T100000Z/PT1H"]);
  });
});
