// CALDAV:free-busy-query (RFC 4791 §7.10) end to end: one VFREEBUSY in
// text/calendar with 200; busy time of opaque events (BUSY, or
// BUSY-TENTATIVE for STATUS:TENTATIVE) and of stored VFREEBUSY components
// (their FBTYPE, FREE ignored), coalesced when overlapping or adjacent;
// nothing for TRANSP:TRANSPARENT or STATUS:CANCELLED events, nor for a
// calendar whose schedule-calendar-transp is transparent (RFC 6638 §9.1);
// floating times in the calendar's time zone; 403 on an object resource and
// 404 for a user without read access.
import { describe, expect, it } from "vitest";
import floating from "../../fixtures/ics/floating.ics?raw";
import appleAllDay from "../../fixtures/ics/apple-allday.ics?raw";
import auckland from "../../fixtures/ics/calendar-timezone/pacific-auckland.ics?raw";
import { cal, newUser } from "../../helpers/caldav.js";
import type { Creds } from "../../helpers/dav-client.js";
import {
  components, freeBusyBody, freebusyPeriods, lines, mkcolCalendar, proppatchOk, propValue, putAll, report, setCalendarTimezone, type BusyPeriod,
} from "../../helpers/reports.js";

function event(uid: string, start: string, end: string, extra: string[] = []): string {
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20250101T000000Z",
    `DTSTART:${start}`, `DTEND:${end}`, "SUMMARY:busy?", ...extra, "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
}

const STORED_FREEBUSY = [
  "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", "BEGIN:VFREEBUSY", "UID:stored-fb@example.com", "DTSTAMP:20250101T000000Z",
  "DTSTART:20250610T000000Z", "DTEND:20250611T000000Z",
  "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20250610T160000Z/20250610T170000Z",
  "FREEBUSY;FBTYPE=FREE:20250610T170000Z/PT1H",
  "FREEBUSY:20250610T180000Z/PT30M",
  "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20250610T190000Z/20250610T193000Z",
  "END:VFREEBUSY", "END:VCALENDAR", "",
].join("\r\n");

const DAY = ["20250610T000000Z", "20250611T000000Z"] as const;

/** A free-busy-query that must answer 200 text/calendar with exactly one VFREEBUSY spanning the range; returns its periods. */
async function freeBusy(u: Creds, path: string, start: string, end: string): Promise<BusyPeriod[]> {
  const res = await report(u, path, freeBusyBody(start, end));
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/calendar\b/);
  expect(lines(text)[0]).toBe("BEGIN:VCALENDAR");
  expect(lines(text)).toContain("VERSION:2.0");
  const fbs = components(text, "VFREEBUSY");
  expect(fbs).toHaveLength(1);
  expect(propValue(fbs[0]!, "DTSTART")).toBe(start);
  expect(propValue(fbs[0]!, "DTEND")).toBe(end);
  return freebusyPeriods(fbs[0]!);
}

describe("free-busy-query (RFC 4791 §7.10)", () => {
  async function busyCalendar() {
    const u = await newUser("fb");
    const path = await mkcolCalendar(u, "all", { components: ["VEVENT", "VFREEBUSY"] });
    await putAll(u, path, {
      "a.ics": event("a", "20250610T090000Z", "20250610T100000Z"),
      "b.ics": event("b", "20250610T093000Z", "20250610T103000Z", ["TRANSP:OPAQUE"]), // overlaps a
      "c.ics": event("c", "20250610T103000Z", "20250610T110000Z", ["STATUS:CONFIRMED"]), // adjacent to b
      "d.ics": event("d", "20250610T120000Z", "20250610T130000Z", ["STATUS:TENTATIVE"]),
      "e.ics": event("e", "20250610T140000Z", "20250610T150000Z", ["TRANSP:TRANSPARENT"]),
      "f.ics": event("f", "20250610T150000Z", "20250610T160000Z", ["STATUS:CANCELLED"]),
      "g.ics": STORED_FREEBUSY,
      "h.ics": event("h", "20250609T070000Z", "20250609T073000Z", ["RRULE:FREQ=DAILY;COUNT=3"]),
      "i.ics": event("i", "20250610T220000Z", "20250611T020000Z"), // runs past the range
      "j.ics": event("j", "20250612T090000Z", "20250612T100000Z"), // outside the range
    });
    return { u, path };
  }

  it("returns the busy time of opaque events and stored VFREEBUSY periods, typed, coalesced, without transparent, cancelled and FREE time", async () => {
    const { u, path } = await busyCalendar();
    const periods = await freeBusy(u, path, ...DAY);
    const last = periods.pop();
    expect(periods).toEqual([
      { start: "20250610T070000Z", end: "20250610T073000Z", type: "BUSY" }, // h.ics, the 10 June instance
      { start: "20250610T090000Z", end: "20250610T110000Z", type: "BUSY" }, // a + b + c coalesced
      { start: "20250610T120000Z", end: "20250610T130000Z", type: "BUSY-TENTATIVE" }, // d.ics
      { start: "20250610T160000Z", end: "20250610T170000Z", type: "BUSY-UNAVAILABLE" }, // g.ics
      { start: "20250610T180000Z", end: "20250610T183000Z", type: "BUSY" }, // g.ics, FBTYPE defaults to BUSY
      { start: "20250610T190000Z", end: "20250610T193000Z", type: "BUSY-TENTATIVE" }, // g.ics
    ]);
    // i.ics starts inside the range; its period may be clipped to the range's end.
    expect(last?.start).toBe("20250610T220000Z");
    expect(["20250611T000000Z", "20250611T020000Z"]).toContain(last?.end);
    expect(last?.type).toBe("BUSY");
  });

  it("answers a VFREEBUSY without FREEBUSY for a range with no busy time (§7.10)", async () => {
    const { u, path } = await busyCalendar();
    expect(await freeBusy(u, path, "20250620T000000Z", "20250621T000000Z")).toEqual([]);
  });

  it("answers a VFREEBUSY without FREEBUSY for an empty calendar (§7.10)", async () => {
    const u = await newUser("fb");
    expect(await freeBusy(u, cal(u), ...DAY)).toEqual([]);
  });

  it("leaves out every object of a calendar whose schedule-calendar-transp is transparent, and counts them again once opaque (RFC 6638 §9.1)", async () => {
    const { u, path } = await busyCalendar();
    await proppatchOk(u, path, "<C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>");
    expect(await freeBusy(u, path, ...DAY)).toEqual([]);
    await proppatchOk(u, path, "<C:schedule-calendar-transp><C:opaque/></C:schedule-calendar-transp>");
    expect((await freeBusy(u, path, ...DAY)).length).toBeGreaterThan(0);
  });

  it("reads floating and all-day events in the calendar's time zone (RFC 4791 §5.2.2)", async () => {
    const u = await newUser("fb");
    // apple-allday.ics is 15-17 March 2025 and TRANSP:TRANSPARENT; made opaque here so that it counts.
    await putAll(u, cal(u), { "breakfast.ics": floating, "conference.ics": appleAllDay.replace(/^TRANSP:TRANSPARENT\r?\n/m, "") });
    expect(await freeBusy(u, cal(u), "20250228T000000Z", "20250302T000000Z")).toEqual([
      { start: "20250301T080000Z", end: "20250301T090000Z", type: "BUSY" },
    ]);
    expect(await freeBusy(u, cal(u), "20250310T000000Z", "20250320T000000Z")).toEqual([
      { start: "20250315T000000Z", end: "20250318T000000Z", type: "BUSY" },
    ]);
    await setCalendarTimezone(u, cal(u), auckland);
    expect(await freeBusy(u, cal(u), "20250228T000000Z", "20250302T000000Z")).toEqual([
      { start: "20250228T190000Z", end: "20250228T200000Z", type: "BUSY" },
    ]);
    expect(await freeBusy(u, cal(u), "20250310T000000Z", "20250320T000000Z")).toEqual([
      { start: "20250314T110000Z", end: "20250317T110000Z", type: "BUSY" },
    ]);
  });

  it("leaves out an all-day event marked TRANSP:TRANSPARENT (§7.10 table)", async () => {
    const u = await newUser("fb");
    await putAll(u, cal(u), { "conference.ics": appleAllDay });
    expect(await freeBusy(u, cal(u), "20250310T000000Z", "20250320T000000Z")).toEqual([]);
  });

  it("fails on a calendar object resource with 403 (§7.10)", async () => {
    const u = await newUser("fb");
    await putAll(u, cal(u), { "a.ics": event("a", "20250610T090000Z", "20250610T100000Z") });
    const res = await report(u, `${cal(u)}a.ics`, freeBusyBody(...DAY));
    expect(res.status).toBe(403);
  });

  it("fails with 404 for a user who may not read the calendar (§7.10)", async () => {
    const { path } = await busyCalendar();
    const stranger = await newUser("fb-stranger");
    const res = await report(stranger, path, freeBusyBody(...DAY));
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("FREEBUSY");
  });
});
