// The calendar-query, calendar-multiget and free-busy-query examples of
// RFC 4791 (§7.8.1-§7.8.9, §7.9.1, §7.10.1) end to end: the Appendix B
// calendar is PUT into a calendar collection that takes VEVENT, VTODO,
// VJOURNAL and VFREEBUSY, and each example REPORT is sent to the Worker.
// Where the RFC's printed answer contradicts its own rules (known errata:
// §7.8.1 drops PRODID from one answer only, §7.8.3 prints UTC instances
// without "Z", §7.8.4 shifts DTSTART/DTEND, §7.10.1 leaves out busy time of
// 5 January inside the requested range), the tests follow the rules.
import { beforeAll, describe, expect, it } from "vitest";
import { APPENDIX_B, appendixB } from "../../helpers/appendix-b.js";
import { CAL, D, propText } from "../../helpers/caldav.js";
import type { Creds } from "../../helpers/dav-client.js";
import {
  calendarDataOf, calendarQueryBody, compFilter, components, crlfText, freeBusyBody, freebusyPeriods, lines, multigetBody,
  multistatusOf, nameOf, propValue, queryNames, report,
} from "../../helpers/reports.js";

let u: Creds;
let path: string;
let etags: Record<string, string>;

beforeAll(async () => {
  ({ u, path, etags } = await appendixB());
});

/** The VTIMEZONE lines of the Appendix B objects (US/Eastern). */
const US_EASTERN = components(APPENDIX_B["abcd1.ics"]!, "VTIMEZONE")[0]!;

async function query(filter: string, prop: string) {
  const { responses } = await multistatusOf(await report(u, path, calendarQueryBody(filter, { prop })));
  return responses;
}

const sorted = (ls: string[]) => [...ls].sort();

describe("RFC 4791 §7.8.1 partial retrieval of events by time range", () => {
  const prop = `<D:getetag/><C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/>
      <C:comp name="VEVENT"><C:prop name="SUMMARY"/><C:prop name="UID"/><C:prop name="DTSTART"/><C:prop name="DTEND"/>
        <C:prop name="DURATION"/><C:prop name="RRULE"/><C:prop name="RDATE"/><C:prop name="EXRULE"/><C:prop name="EXDATE"/>
        <C:prop name="RECURRENCE-ID"/></C:comp>
      <C:comp name="VTIMEZONE"/></C:comp></C:calendar-data>`;

  it("answers abcd2.ics (third instance in range) and abcd3.ics with their ETags", async () => {
    const r = await query(compFilter("VEVENT", "20060104T000000Z", "20060105T000000Z"), prop);
    expect([...r.keys()].map(nameOf).sort()).toEqual(["abcd2.ics", "abcd3.ics"]);
    for (const [href, resp] of r) expect(propText(resp, D("getetag"))).toBe(etags[nameOf(href)]);
  });

  it("returns only the selected properties: VERSION, the whole VTIMEZONE, and per VEVENT the recurrence properties without DTSTAMP", async () => {
    const r = await query(compFilter("VEVENT", "20060104T000000Z", "20060105T000000Z"), prop);
    const byName = new Map([...r].map(([h, v]) => [nameOf(h), v]));
    const abcd2 = calendarDataOf(byName.get("abcd2.ics"));
    const top = lines(abcd2);
    expect(top[0]).toBe("BEGIN:VCALENDAR");
    expect(top).toContain("VERSION:2.0");
    expect(abcd2).not.toContain("DTSTAMP");
    expect(components(abcd2, "VTIMEZONE")).toEqual([US_EASTERN]);
    expect(components(abcd2, "VEVENT").map(sorted)).toEqual([
      sorted(["DTSTART;TZID=US/Eastern:20060102T120000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=5", "SUMMARY:Event #2", "UID:00959BC664CA650E933C892C@example.com"]),
      sorted(["DTSTART;TZID=US/Eastern:20060104T140000", "DURATION:PT1H", "RECURRENCE-ID;TZID=US/Eastern:20060104T120000", "SUMMARY:Event #2 bis", "UID:00959BC664CA650E933C892C@example.com"]),
      sorted(["DTSTART;TZID=US/Eastern:20060106T140000", "DURATION:PT1H", "RECURRENCE-ID;TZID=US/Eastern:20060106T120000", "SUMMARY:Event #2 bis bis", "UID:00959BC664CA650E933C892C@example.com"]),
    ]);
    const abcd3 = calendarDataOf(byName.get("abcd3.ics"));
    expect(components(abcd3, "VEVENT").map(sorted)).toEqual([
      sorted(["DTSTART;TZID=US/Eastern:20060104T100000", "DURATION:PT1H", "SUMMARY:Event #3", "UID:DC6C50A017428C5216A2F1CD@example.com"]),
    ]);
    expect(abcd3).not.toContain("ATTENDEE");
  });
});

describe("RFC 4791 §7.8.2 partial retrieval of recurring events (limit-recurrence-set)", () => {
  const prop = `<D:getetag/><C:calendar-data><C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data>`;

  it("returns abcd2.ics with the master and only the override in the range, and abcd3.ics whole", async () => {
    const r = await query(compFilter("VEVENT", "20060103T000000Z", "20060105T000000Z"), prop);
    const byName = new Map([...r].map(([h, v]) => [nameOf(h), v]));
    expect([...byName.keys()].sort()).toEqual(["abcd2.ics", "abcd3.ics"]);
    const abcd2 = calendarDataOf(byName.get("abcd2.ics"));
    expect(components(abcd2, "VTIMEZONE")).toEqual([US_EASTERN]);
    const events = components(abcd2, "VEVENT");
    expect(events.map((e) => propValue(e, "SUMMARY"))).toEqual(["Event #2", "Event #2 bis"]);
    expect(events[0]).toContain("RRULE:FREQ=DAILY;COUNT=5");
    expect(events[0]).toContain("DTSTAMP:20060206T001121Z");
    expect(events[1]).toContain("RECURRENCE-ID;TZID=US/Eastern:20060104T120000");
    expect(lines(calendarDataOf(byName.get("abcd3.ics")))).toEqual(lines(APPENDIX_B["abcd3.ics"]!));
  });
});

describe("RFC 4791 §7.8.3 expanded retrieval of recurring events (expand)", () => {
  const prop = `<D:getetag/><C:calendar-data><C:expand start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data>`;

  it("returns the 3 and 4 January instances of abcd2.ics in UTC with RECURRENCE-IDs, the override applied, and no VTIMEZONE", async () => {
    const r = await query(compFilter("VEVENT", "20060103T000000Z", "20060105T000000Z"), prop);
    const byName = new Map([...r].map(([h, v]) => [nameOf(h), v]));
    expect([...byName.keys()].sort()).toEqual(["abcd2.ics", "abcd3.ics"]);
    const abcd2 = calendarDataOf(byName.get("abcd2.ics"));
    expect(abcd2).not.toContain("VTIMEZONE");
    expect(abcd2).not.toContain("TZID");
    expect(abcd2).not.toContain("RRULE");
    const events = components(abcd2, "VEVENT").map((e) => sorted(e.filter((l) => !l.startsWith("DTSTAMP") && !l.startsWith("UID"))));
    expect(events).toEqual([
      sorted(["DTSTART:20060103T170000Z", "DURATION:PT1H", "RECURRENCE-ID:20060103T170000Z", "SUMMARY:Event #2"]),
      sorted(["DTSTART:20060104T190000Z", "DURATION:PT1H", "RECURRENCE-ID:20060104T170000Z", "SUMMARY:Event #2 bis"]),
    ]);
    for (const e of components(abcd2, "VEVENT")) expect(e).toContain("UID:00959BC664CA650E933C892C@example.com");
  });

  it("returns the non-recurring abcd3.ics in UTC, all its other properties kept, without RECURRENCE-ID", async () => {
    const r = await query(compFilter("VEVENT", "20060103T000000Z", "20060105T000000Z"), prop);
    const abcd3 = calendarDataOf([...r].find(([h]) => nameOf(h) === "abcd3.ics")?.[1]);
    expect(abcd3).not.toContain("VTIMEZONE");
    const [ev] = components(abcd3, "VEVENT");
    expect(ev).toContain("DTSTART:20060104T150000Z");
    expect(ev).toContain("DURATION:PT1H");
    expect(ev).toContain("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:lisa@example.com");
    expect(ev).toContain("X-ABC-GUID:E1CX5Dr-0007ym-Hz@example.com");
    expect(ev!.some((l) => l.startsWith("RECURRENCE-ID"))).toBe(false);
  });
});

describe("RFC 4791 §7.8.4 partial retrieval of stored free busy components (limit-freebusy-set)", () => {
  it("matches abcd8.ics only and keeps only the FREEBUSY value overlapping the range", async () => {
    const prop = `<D:getetag/><C:calendar-data><C:limit-freebusy-set start="20060102T000000Z" end="20060103T000000Z"/></C:calendar-data>`;
    const r = await query(compFilter("VFREEBUSY", "20060102T000000Z", "20060103T000000Z"), prop);
    expect([...r.keys()].map(nameOf)).toEqual(["abcd8.ics"]);
    const [fb] = components(calendarDataOf([...r.values()][0]), "VFREEBUSY");
    expect(fb!.filter((l) => l.startsWith("FREEBUSY"))).toEqual(["FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060102T100000Z/20060102T120000Z"]);
    expect(fb).toContain("UID:76ef34-54a3d2@example.com");
    expect(fb!.filter((l) => l.startsWith("ORGANIZER"))).toEqual([expect.stringMatching(/^ORGANIZER;CN="?Bernard Desruisseaux"?:mailto:bernard@example\.com$/)]);
  });
});

describe("RFC 4791 §7.8.5-§7.8.9 filters on the Appendix B calendar", () => {
  it("§7.8.5 finds to-dos by alarm time range: abcd5.ics, returned byte for byte", async () => {
    const filter = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:comp-filter name="VALARM">
      <C:time-range start="20060106T100000Z" end="20060107T100000Z"/></C:comp-filter></C:comp-filter></C:comp-filter>`;
    const r = await query(filter, "<D:getetag/><C:calendar-data/>");
    expect([...r.keys()].map(nameOf)).toEqual(["abcd5.ics"]);
    expect(calendarDataOf([...r.values()][0])).toBe(crlfText(APPENDIX_B["abcd5.ics"]!));
  });

  it("§7.8.6 finds an event by UID with i;octet: abcd3.ics", async () => {
    const filter = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID">
      <C:text-match collation="i;octet">DC6C50A017428C5216A2F1CD@example.com</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, filter)).toEqual(["abcd3.ics"]);
  });

  it("§7.8.7 finds events by ATTENDEE and PARTSTAT: abcd3.ics", async () => {
    const filter = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE">
      <C:text-match collation="i;ascii-casemap">mailto:lisa@example.com</C:text-match>
      <C:param-filter name="PARTSTAT"><C:text-match collation="i;ascii-casemap">NEEDS-ACTION</C:text-match></C:param-filter>
      </C:prop-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, filter)).toEqual(["abcd3.ics"]);
  });

  it("§7.8.7 requires the param-filter on the same ATTENDEE: cyrus is ACCEPTED, so cyrus + NEEDS-ACTION matches nothing", async () => {
    const filter = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE">
      <C:text-match>mailto:cyrus@example.com</C:text-match>
      <C:param-filter name="PARTSTAT"><C:text-match>NEEDS-ACTION</C:text-match></C:param-filter>
      </C:prop-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, filter)).toEqual([]);
  });

  it("§7.8.8 retrieves events only: abcd1.ics, abcd2.ics, abcd3.ics, each byte for byte", async () => {
    const r = await query(compFilter("VEVENT"), "<D:getetag/><C:calendar-data/>");
    expect([...r.keys()].map(nameOf).sort()).toEqual(["abcd1.ics", "abcd2.ics", "abcd3.ics"]);
    for (const [href, resp] of r) expect(calendarDataOf(resp)).toBe(crlfText(APPENDIX_B[nameOf(href)]!));
  });

  it("§7.8.9 retrieves all pending to-dos (no COMPLETED, STATUS not CANCELLED): abcd4.ics and abcd5.ics", async () => {
    const filter = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO">
      <C:prop-filter name="COMPLETED"><C:is-not-defined/></C:prop-filter>
      <C:prop-filter name="STATUS"><C:text-match negate-condition="yes">CANCELLED</C:text-match></C:prop-filter>
      </C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, filter)).toEqual(["abcd4.ics", "abcd5.ics"]);
  });

  it("§7.8 / §9.7.1 an empty VCALENDAR comp-filter matches every object; VTODO and VFREEBUSY select theirs", async () => {
    expect(await queryNames(u, path, `<C:comp-filter name="VCALENDAR"/>`)).toEqual(Object.keys(APPENDIX_B).sort());
    expect(await queryNames(u, path, compFilter("VTODO"))).toEqual(["abcd4.ics", "abcd5.ics", "abcd6.ics", "abcd7.ics"]);
    expect(await queryNames(u, path, compFilter("VFREEBUSY"))).toEqual(["abcd8.ics"]);
    expect(await queryNames(u, path, compFilter("VJOURNAL"))).toEqual([]);
  });
});

describe("RFC 4791 §7.9.1 calendar-multiget", () => {
  it("returns abcd1.ics with its ETag and data, and 404 for the missing mtg1.ics", async () => {
    const res = await report(u, path, multigetBody([`${path}abcd1.ics`, `${path}mtg1.ics`]), null);
    const { responses } = await multistatusOf(res);
    expect([...responses.keys()].sort()).toEqual([`${path}abcd1.ics`, `${path}mtg1.ics`]);
    const a = responses.get(`${path}abcd1.ics`)!;
    expect(propText(a, D("getetag"))).toBe(etags["abcd1.ics"]);
    expect(calendarDataOf(a)).toBe(crlfText(APPENDIX_B["abcd1.ics"]!));
    const m = responses.get(`${path}mtg1.ics`)!;
    expect(m.status).toBe(404);
    expect(m.props.size).toBe(0);
  });
});

describe("RFC 4791 §7.10.1 free-busy-query", () => {
  it("answers 200 text/calendar with one VFREEBUSY over the range: the tentative 4 January meeting, the moved 4 January instance, and the 5 January busy time", async () => {
    const res = await report(u, path, freeBusyBody("20060104T140000Z", "20060105T220000Z"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/calendar\b/);
    const text = await res.text();
    expect(lines(text)[0]).toBe("BEGIN:VCALENDAR");
    const fbs = components(text, "VFREEBUSY");
    expect(fbs).toHaveLength(1);
    expect(components(text, "VEVENT")).toHaveLength(0);
    expect(propValue(fbs[0]!, "DTSTART")).toBe("20060104T140000Z");
    expect(propValue(fbs[0]!, "DTEND")).toBe("20060105T220000Z");
    expect(propValue(fbs[0]!, "DTSTAMP")).toMatch(/^\d{8}T\d{6}Z$/);
    expect(freebusyPeriods(fbs[0]!)).toEqual([
      { start: "20060104T150000Z", end: "20060104T160000Z", type: "BUSY-TENTATIVE" }, // abcd3.ics, STATUS:TENTATIVE
      { start: "20060104T190000Z", end: "20060104T200000Z", type: "BUSY" }, // abcd2.ics, 4 January moved to 14:00 EST
      { start: "20060105T100000Z", end: "20060105T120000Z", type: "BUSY-UNAVAILABLE" }, // abcd8.ics VFREEBUSY
      { start: "20060105T170000Z", end: "20060105T180000Z", type: "BUSY" }, // abcd2.ics, 5 January
    ]);
  });
});

describe("calendar-data selection details (RFC 4791 §9.6)", () => {
  it("returns properties asked for with novalue='yes' without their value (§9.6.4)", async () => {
    const prop = `<C:calendar-data><C:comp name="VCALENDAR"><C:comp name="VEVENT"><C:prop name="UID"/><C:prop name="DESCRIPTION" novalue="yes"/></C:comp></C:comp></C:calendar-data>`;
    const r = await query(compFilter("VEVENT", "20060102T000000Z", "20060103T000000Z"), prop);
    const byName = new Map([...r].map(([h, v]) => [nameOf(h), v]));
    expect([...byName.keys()].sort()).toEqual(["abcd1.ics", "abcd2.ics"]);
    const [ev] = components(calendarDataOf(byName.get("abcd1.ics")), "VEVENT");
    expect(ev).toContain("UID:74855313FA803DA593CD579A@example.com");
    expect(ev!.filter((l) => /^DESCRIPTION/i.test(l))).toEqual([expect.stringMatching(/^DESCRIPTION:?$/i)]);
    expect(ev!.some((l) => l.startsWith("SUMMARY"))).toBe(false);
  });

  it("answers 403 CALDAV:supported-calendar-data for calendar-data in a media type other than text/calendar (§7.8 precondition)", async () => {
    const res = await report(u, path, calendarQueryBody(compFilter("VEVENT"), { prop: `<C:calendar-data content-type="application/calendar+json" version="2.0"/>` }));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("supported-calendar-data");
  });

  it("returns DAV:getetag and a 404 propstat for an unknown property beside calendar-data (§7.8, PROPFIND semantics)", async () => {
    const r = await query(compFilter("VEVENT", "20060102T000000Z", "20060103T000000Z"), `<D:getetag/><X:nope xmlns:X="urn:example:x"/>`);
    expect(r.size).toBe(2);
    for (const resp of r.values()) {
      expect(resp.props.get(D("getetag"))!.status).toBe(200);
      expect(resp.props.get("{urn:example:x}nope")!.status).toBe(404);
      expect(resp.props.has(CAL("calendar-data"))).toBe(false);
    }
  });
});
