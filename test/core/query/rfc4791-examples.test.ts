// The calendar-query and free-busy-query examples of RFC 4791 §7.8.1-§7.8.9
// and §7.10.1, run against the Appendix B calendar (abcd1.ics-abcd8.ics) with
// the answers the RFC prints.
import { describe, expect, it } from "vitest";
import { busyPeriods, mergePeriods, renderFreeBusy } from "../../../src/core/query/freebusy.js";
import { APPENDIX_B, components, dataRequest, filter, lines, obj, query, rangeFilter, render, utc } from "./helpers.js";

const TZ_LINES = [
  "BEGIN:VTIMEZONE", "LAST-MODIFIED:20040110T032845Z", "TZID:US/Eastern",
  "BEGIN:DAYLIGHT", "DTSTART:20000404T020000", "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4", "TZNAME:EDT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "END:DAYLIGHT",
  "BEGIN:STANDARD", "DTSTART:20001026T020000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "TZNAME:EST", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "END:STANDARD",
  "END:VTIMEZONE",
];

describe("RFC 4791 §7.8.1 partial retrieval of events by time range", () => {
  const f = rangeFilter("VEVENT", "20060104T000000Z", "20060105T000000Z");
  const req = dataRequest(`<C:comp name="VCALENDAR"><C:prop name="VERSION"/>
      <C:comp name="VEVENT"><C:prop name="SUMMARY"/><C:prop name="UID"/><C:prop name="DTSTART"/><C:prop name="DTEND"/>
        <C:prop name="DURATION"/><C:prop name="RRULE"/><C:prop name="RDATE"/><C:prop name="EXRULE"/><C:prop name="EXDATE"/>
        <C:prop name="RECURRENCE-ID"/></C:comp>
      <C:comp name="VTIMEZONE"/></C:comp>`);

  it("matches abcd2.ics (its 4 January override) and abcd3.ics", () => {
    expect(query(f)).toEqual(["abcd2.ics", "abcd3.ics"]);
  });

  it("returns the selected properties, the whole VTIMEZONE, all three components of abcd2.ics", () => {
    const out = render(APPENDIX_B["abcd2.ics"]!, req);
    expect(out.endsWith("\r\n")).toBe(true);
    expect(lines(out)).toEqual([
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN", ...TZ_LINES,
      "BEGIN:VEVENT", "DTSTART;TZID=US/Eastern:20060102T120000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=5", "SUMMARY:Event #2",
      "UID:00959BC664CA650E933C892C@example.com", "END:VEVENT",
      "BEGIN:VEVENT", "DTSTART;TZID=US/Eastern:20060104T140000", "DURATION:PT1H", "RECURRENCE-ID;TZID=US/Eastern:20060104T120000",
      "SUMMARY:Event #2 bis", "UID:00959BC664CA650E933C892C@example.com", "END:VEVENT",
      "BEGIN:VEVENT", "DTSTART;TZID=US/Eastern:20060106T140000", "DURATION:PT1H", "RECURRENCE-ID;TZID=US/Eastern:20060106T120000",
      "SUMMARY:Event #2 bis bis", "UID:00959BC664CA650E933C892C@example.com", "END:VEVENT",
      "END:VCALENDAR",
    ]);
  });

  it("drops the properties not asked for from abcd3.ics", () => {
    const [ev] = components(render(APPENDIX_B["abcd3.ics"]!, req), "VEVENT");
    expect(ev).toEqual(["DTSTART;TZID=US/Eastern:20060104T100000", "DURATION:PT1H", "SUMMARY:Event #3", "UID:DC6C50A017428C5216A2F1CD@example.com"]);
  });
});

describe("RFC 4791 §7.8.2 partial retrieval of recurring events (limit-recurrence-set)", () => {
  const f = rangeFilter("VEVENT", "20060103T000000Z", "20060105T000000Z");
  const req = dataRequest(`<C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/>`);

  it("matches abcd2.ics and abcd3.ics", () => {
    expect(query(f)).toEqual(["abcd2.ics", "abcd3.ics"]);
  });

  it("returns the master and only the override within the range, with its VTIMEZONE", () => {
    const out = render(APPENDIX_B["abcd2.ics"]!, req);
    expect(components(out, "VTIMEZONE")).toHaveLength(1);
    const events = components(out, "VEVENT");
    expect(events.map((e) => e.find((l) => l.startsWith("SUMMARY")))).toEqual(["SUMMARY:Event #2", "SUMMARY:Event #2 bis"]);
    expect(events[0]).toContain("DTSTAMP:20060206T001121Z");
    expect(events[0]).toContain("RRULE:FREQ=DAILY;COUNT=5");
  });

  it("returns a non-recurring event whole", () => {
    expect(lines(render(APPENDIX_B["abcd3.ics"]!, req))).toEqual(lines(APPENDIX_B["abcd3.ics"]!));
  });
});

describe("RFC 4791 §7.8.3 expanded retrieval of recurring events (expand)", () => {
  const req = dataRequest(`<C:expand start="20060103T000000Z" end="20060105T000000Z"/>`);

  it("returns the instances of 3 and 4 January in UTC with RECURRENCE-ID, override applied, no VTIMEZONE", () => {
    const out = render(APPENDIX_B["abcd2.ics"]!, req);
    expect(out).not.toContain("VTIMEZONE");
    expect(out).not.toContain("TZID");
    const events = components(out, "VEVENT").map((e) => e.filter((l) => !l.startsWith("DTSTAMP") && !l.startsWith("UID")).sort());
    expect(events).toEqual([
      ["DTSTART:20060103T170000Z", "DURATION:PT1H", "RECURRENCE-ID:20060103T170000Z", "SUMMARY:Event #2"],
      ["DTSTART:20060104T190000Z", "DURATION:PT1H", "RECURRENCE-ID:20060104T170000Z", "SUMMARY:Event #2 bis"],
    ]);
  });

  it("returns a non-recurring event in UTC without RECURRENCE-ID", () => {
    const [ev] = components(render(APPENDIX_B["abcd3.ics"]!, req), "VEVENT");
    expect(ev).toContain("DTSTART:20060104T150000Z");
    expect(ev).toContain("DURATION:PT1H");
    expect(ev!.some((l) => l.startsWith("RECURRENCE-ID"))).toBe(false);
    expect(ev).toContain("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:lisa@example.com");
  });
});

describe("RFC 4791 §7.8.4 partial retrieval of stored free busy components (limit-freebusy-set)", () => {
  const f = rangeFilter("VFREEBUSY", "20060102T000000Z", "20060103T000000Z");
  it("matches abcd8.ics and keeps only the FREEBUSY period in the range", () => {
    expect(query(f)).toEqual(["abcd8.ics"]);
    const out = render(APPENDIX_B["abcd8.ics"]!, dataRequest(`<C:limit-freebusy-set start="20060102T000000Z" end="20060103T000000Z"/>`));
    const [fb] = components(out, "VFREEBUSY");
    expect(fb!.filter((l) => l.startsWith("FREEBUSY"))).toEqual(["FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060102T100000Z/20060102T120000Z"]);
    expect(fb).toContain("DTSTART:20060101T000000Z");
  });
});

describe("RFC 4791 §7.8.5-§7.8.9 filters", () => {
  it("§7.8.5 to-dos by alarm time range: abcd5.ics (RELATED=START without DTSTART reads DUE)", () => {
    const f = filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:comp-filter name="VALARM">
      <C:time-range start="20060106T100000Z" end="20060107T100000Z"/></C:comp-filter></C:comp-filter></C:comp-filter>`);
    expect(query(f)).toEqual(["abcd5.ics"]);
  });

  it("§7.8.6 event by UID with i;octet: abcd3.ics", () => {
    const f = filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID">
      <C:text-match collation="i;octet">DC6C50A017428C5216A2F1CD@example.com</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`);
    expect(query(f)).toEqual(["abcd3.ics"]);
  });

  it("§7.8.7 events by PARTSTAT: abcd3.ics", () => {
    const f = filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE">
      <C:text-match collation="i;ascii-casemap">mailto:lisa@example.com</C:text-match>
      <C:param-filter name="PARTSTAT"><C:text-match collation="i;ascii-casemap">NEEDS-ACTION</C:text-match></C:param-filter>
      </C:prop-filter></C:comp-filter></C:comp-filter>`);
    expect(query(f)).toEqual(["abcd3.ics"]);
  });

  it("§7.8.8 events only: abcd1.ics, abcd2.ics, abcd3.ics", () => {
    expect(query(rangeFilter("VEVENT"))).toEqual(["abcd1.ics", "abcd2.ics", "abcd3.ics"]);
  });

  it("§7.8.9 all pending to-dos: abcd4.ics and abcd5.ics", () => {
    const f = filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO">
      <C:prop-filter name="COMPLETED"><C:is-not-defined/></C:prop-filter>
      <C:prop-filter name="STATUS"><C:text-match negate-condition="yes">CANCELLED</C:text-match></C:prop-filter>
      </C:comp-filter></C:comp-filter>`);
    expect(query(f)).toEqual(["abcd4.ics", "abcd5.ics"]);
  });
});

describe("RFC 4791 §7.10.1 free-busy-query", () => {
  it("reports the tentative, busy and unavailable time of 4-5 January, merged", () => {
    const range = { start: utc("2006-01-04T14:00:00Z"), end: utc("2006-01-05T22:00:00Z") };
    const periods = mergePeriods(Object.values(APPENDIX_B).flatMap((t) => {
      const o = obj(t);
      return o.component === "VEVENT" || o.component === "VFREEBUSY" ? busyPeriods(o, range, null) : [];
    }));
    const out = renderFreeBusy(periods, range, { dtstamp: utc("2006-01-25T09:00:00Z") });
    const [fb] = components(out, "VFREEBUSY");
    expect(fb).toEqual([
      "DTSTAMP:20060125T090000Z", "DTSTART:20060104T140000Z", "DTEND:20060105T220000Z",
      "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060104T150000Z/20060104T160000Z", // abcd3.ics, STATUS:TENTATIVE
      "FREEBUSY:20060104T190000Z/20060104T200000Z", // abcd2.ics, the moved 4 January instance
      "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20060105T100000Z/20060105T120000Z", // abcd8.ics
      "FREEBUSY:20060105T170000Z/20060105T180000Z", // abcd2.ics, 5 January
    ]);
  });
});
