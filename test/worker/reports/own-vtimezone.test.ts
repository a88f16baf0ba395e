// An object's own VTIMEZONE governs its TZID even when the TZID is also an
// IANA name (RFC 5545 §3.2.19, §3.6.5), end to end: calendar-query
// time-range (RFC 4791 §9.9), CALDAV:expand (§9.6.5), free-busy-query
// (§7.10), a calendar's CALDAV:calendar-timezone (§5.2.2) and a query's
// CALDAV:timezone (§9.8) all give the object's (or the definition's) own UTC
// instants, not the IANA zone's.
import { describe, expect, it } from "vitest";
import permanentCest from "../../fixtures/ics/berlin-own-rules-permanent-cest.ics?raw";
import historic from "../../fixtures/ics/berlin-historic-ical4j.ics?raw";
import tzPermanentCest from "../../fixtures/ics/calendar-timezone/berlin-permanent-cest.ics?raw";
import { cal, newUser } from "../../helpers/caldav.js";
import {
  calendarDataOf, calendarQueryBody, compFilter, components, freeBusyBody, freebusyPeriods, mkcolCalendar, multistatusOf, propValue, putAll,
  queryNames, report, setCalendarTimezone,
} from "../../helpers/reports.js";

const FLOATING = [
  "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", "BEGIN:VEVENT", "UID:floating-noon@example.com", "DTSTAMP:20250101T000000Z",
  "DTSTART:20250115T120000", "DURATION:PT30M", "SUMMARY:Lunch (floating)", "END:VEVENT", "END:VCALENDAR", "",
].join("\r\n");

describe("an object's own Europe/Berlin with other rules than IANA's (RFC 5545 §3.6.5)", () => {
  it("calendar-query time-range finds each instance at 14:00Z by the object's rules, none at IANA's 15:00Z (RFC 4791 §9.9)", async () => {
    const u = await newUser("owntz");
    await putAll(u, cal(u), { "planning.ics": permanentCest });
    const q = (s: string, e: string) => queryNames(u, cal(u), compFilter("VEVENT", s, e));
    for (const d of ["20250115", "20250122", "20250129", "20250205"]) {
      expect(await q(`${d}T140000Z`, `${d}T141500Z`), d).toEqual(["planning.ics"]);
      expect(await q(`${d}T150000Z`, `${d}T160000Z`), d).toEqual([]);
    }
  });

  it("expand writes the instances in UTC by the object's rules (RFC 4791 §9.6.5)", async () => {
    const u = await newUser("owntz");
    await putAll(u, cal(u), { "planning.ics": permanentCest, "einheit.ics": historic });
    const expanded = async (component: string, start: string, end: string) => {
      const body = calendarQueryBody(compFilter(component, start, end), { prop: `<C:calendar-data><C:expand start="${start}" end="${end}"/></C:calendar-data>` });
      const { responses } = await multistatusOf(await report(u, cal(u), body));
      expect(responses.size).toBe(1);
      const data = calendarDataOf([...responses.values()][0]);
      expect(data).not.toContain("VTIMEZONE");
      return components(data, component).map((e) => [propValue(e, "DTSTART"), propValue(e, "RECURRENCE-ID")]);
    };
    expect(await expanded("VEVENT", "20250120T000000Z", "20250201T000000Z")).toEqual([
      ["20250122T140000Z", "20250122T140000Z"],
      ["20250129T140000Z", "20250129T140000Z"],
    ]);
    // The historic definition: summer time ended on the last Sunday of September up to 1995.
    expect(await expanded("VEVENT", "19950101T000000Z", "19970101T000000Z")).toEqual([
      ["19951003T090000Z", "19951003T090000Z"],
      ["19961003T080000Z", "19961003T080000Z"],
    ]);
  });

  it("free-busy-query answers 14:00-15:00Z for each instance (RFC 4791 §7.10)", async () => {
    const u = await newUser("owntz");
    await putAll(u, cal(u), { "planning.ics": permanentCest });
    const res = await report(u, cal(u), freeBusyBody("20250101T000000Z", "20250301T000000Z"));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(freebusyPeriods(components(text, "VFREEBUSY")[0]!)).toEqual(
      ["20250115", "20250122", "20250129", "20250205"].map((d) => ({ start: `${d}T140000Z`, end: `${d}T150000Z`, type: "BUSY" })),
    );
  });

  it("a calendar's own Europe/Berlin (CALDAV:calendar-timezone, RFC 4791 §5.2.2) places a floating 12:00 at 10:00Z", async () => {
    const u = await newUser("owntz");
    const path = await mkcolCalendar(u, "cest");
    await setCalendarTimezone(u, path, tzPermanentCest);
    await putAll(u, path, { "lunch.ics": FLOATING });
    expect(await queryNames(u, path, compFilter("VEVENT", "20250115T100000Z", "20250115T101500Z"))).toEqual(["lunch.ics"]);
    expect(await queryNames(u, path, compFilter("VEVENT", "20250115T110000Z", "20250115T111500Z"))).toEqual([]);
  });

  it("a query's CALDAV:timezone with its own Europe/Berlin places a floating 12:00 at 10:00Z (RFC 4791 §9.8)", async () => {
    const u = await newUser("owntz");
    await putAll(u, cal(u), { "lunch.ics": FLOATING });
    const q = (s: string, e: string) => queryNames(u, cal(u), compFilter("VEVENT", s, e), { timezone: tzPermanentCest });
    expect(await q("20250115T100000Z", "20250115T101500Z")).toEqual(["lunch.ics"]);
    expect(await q("20250115T110000Z", "20250115T111500Z")).toEqual([]);
  });
});
