// A stored body is parsed for evaluation (calendar-query, expand, free-busy)
// without the checks that only read its text again (line structure, the form
// of each date value): it passed them when it was written. What evaluation
// reads of it must be what the write's parse read, for every fixture the
// write accepts (src/core/ical/parse.ts parseStoredObject).
import { describe, expect, it } from "vitest";
import { parseCalendarObject, parseStoredObject, type ParsedCalendar } from "../../../src/core/ical/parse.js";
import type { ParsedComponent } from "../../../src/core/ical/component.js";

const ALL = import.meta.glob<string>("../../fixtures/**/*.ics", { query: "?raw", import: "default", eager: true });

const str = (v: { toString(): string } | null) => (v === null ? null : v.toString());
const view = (c: ParsedComponent) => ({
  type: c.type, uid: c.uid, dtstart: str(c.dtstart), dtend: str(c.dtend), due: str(c.due), duration: str(c.duration),
  recurrenceId: str(c.recurrenceId), anchor: str(c.anchor), thisAndFuture: c.thisAndFuture, rrules: c.rrules.map(String),
  rdates: c.rdates.map(String), exdates: c.exdates.map(String), completed: str(c.completed), created: str(c.created),
  freebusy: c.freebusy.map(String), attendees: c.attendees, busy: c.busy,
});
const evaluated = (p: ParsedCalendar) => ({
  uid: p.uid, component: p.component, zones: [...p.zones.keys()].sort(), master: p.master && view(p.master), overrides: p.overrides.map(view),
});

describe("a stored body's parse for evaluation (RFC 4791 §7.8, §9.6.5, §7.10 read it)", () => {
  it("reads what the write's checked parse read, for every fixture the write accepts", () => {
    let compared = 0;
    for (const [file, text] of Object.entries(ALL)) {
      let written;
      try {
        written = parseCalendarObject(text);
      } catch {
        continue; // refused when written: never stored
      }
      expect(evaluated(parseStoredObject(text)), file).toEqual(evaluated(written));
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });

  it("still refuses what evaluation relies on: one master, one UID", () => {
    const two = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN",
      "BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "DTSTART:20260105T100000Z", "END:VEVENT",
      "BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "DTSTART:20260106T100000Z", "END:VEVENT",
      "END:VCALENDAR", ""].join("\r\n");
    expect(() => parseStoredObject(two)).toThrow(/more than one VEVENT without RECURRENCE-ID/);
    expect(() => parseStoredObject(two.replace("UID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260106", "UID:b\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20260106T100000Z\r\nDTSTART:20260106"))).toThrow(/different UIDs/);
  });
});
