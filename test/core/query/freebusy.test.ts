// Free-busy time (RFC 4791 §7.10, RFC 5545 §3.2.9 FBTYPE, §3.8.2.7 TRANSP,
// §3.8.1.11 STATUS): busy periods per object, merging, and the VFREEBUSY.
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { busyPeriods, mergePeriods, renderFreeBusy, type Period } from "../../../src/core/query/freebusy.js";
import { cal, components, fixture, HOUR, obj, utc, vevent, zone } from "./helpers.js";

const day = { start: utc("2025-01-10T00:00:00Z"), end: utc("2025-01-11T00:00:00Z") };
const busy = (text: string, range = day, tz: string | null = null) => busyPeriods(obj(text), range, zone(tz));
const at = (h: number, m = 0) => day.start + h * HOUR + m * 60_000;

describe("busy time of events (RFC 4791 §7.10)", () => {
  it("an opaque event is BUSY, a tentative one BUSY-TENTATIVE", () => {
    expect(busy(cal(vevent("DTSTART:20250110T100000Z", "DTEND:20250110T110000Z")))).toEqual([{ start: at(10), end: at(11), type: "BUSY" }]);
    expect(busy(cal(vevent("DTSTART:20250110T100000Z", "DURATION:PT30M", "STATUS:TENTATIVE")))).toEqual([{ start: at(10), end: at(10, 30), type: "BUSY-TENTATIVE" }]);
  });
  it("TRANSP:TRANSPARENT and STATUS:CANCELLED take no time, nor do instants", () => {
    expect(busy(cal(vevent("DTSTART:20250110T100000Z", "DTEND:20250110T110000Z", "TRANSP:TRANSPARENT")))).toEqual([]);
    expect(busy(cal(vevent("DTSTART:20250110T100000Z", "DTEND:20250110T110000Z", "STATUS:CANCELLED")))).toEqual([]);
    expect(busy(cal(vevent("DTSTART:20250110T100000Z")))).toEqual([]);
  });
  it("is clipped to the range", () => {
    expect(busy(cal(vevent("DTSTART:20250109T220000Z", "DTEND:20250110T020000Z")))).toEqual([{ start: at(0), end: at(2), type: "BUSY" }]);
  });
  it("counts each instance, with an override's own TRANSP and STATUS", () => {
    const t = cal(
      vevent("DTSTART:20250110T080000Z", "DURATION:PT1H", "RRULE:FREQ=HOURLY;COUNT=4"),
      vevent("RECURRENCE-ID:20250110T090000Z", "DTSTART:20250110T090000Z", "DURATION:PT1H", "STATUS:CANCELLED"),
      vevent("RECURRENCE-ID:20250110T100000Z", "DTSTART:20250110T100000Z", "DURATION:PT1H", "STATUS:TENTATIVE"),
    );
    expect(mergePeriods(busy(t))).toEqual([
      { start: at(8), end: at(9), type: "BUSY" },
      { start: at(10), end: at(11), type: "BUSY-TENTATIVE" },
      { start: at(11), end: at(12), type: "BUSY" },
    ]);
  });
  it("an all-day event is busy for the calendar zone's day", () => {
    const t = cal(vevent("DTSTART;VALUE=DATE:20250110", "DTEND;VALUE=DATE:20250111"));
    expect(busy(t, day, "Europe/Berlin")).toEqual([{ start: at(0), end: at(23), type: "BUSY" }]);
  });
});

describe("busy time of stored VFREEBUSY components", () => {
  it("uses FBTYPE, ignores FREE, treats unknown types as BUSY", () => {
    const t = cal(["BEGIN:VFREEBUSY", "UID:f", "DTSTAMP:20250101T000000Z",
      "FREEBUSY;FBTYPE=FREE:20250110T060000Z/PT1H", "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20250110T070000Z/PT1H,20250110T230000Z/PT2H",
      "FREEBUSY;FBTYPE=X-OUT-OF-OFFICE:20250110T120000Z/PT1H", "FREEBUSY:20250111T120000Z/PT1H", "END:VFREEBUSY"].join("\n"));
    expect(busy(t)).toEqual([
      { start: at(7), end: at(8), type: "BUSY-UNAVAILABLE" },
      { start: at(23), end: at(24), type: "BUSY-UNAVAILABLE" },
      { start: at(12), end: at(13), type: "BUSY" },
    ]);
  });
  it("reads RFC 4791 Appendix B abcd8.ics", () => {
    const range = { start: utc("2006-01-03T00:00:00Z"), end: utc("2006-01-04T00:00:00Z") };
    expect(busy(fixture("rfc4791-b-abcd8-freebusy.ics"), range)).toEqual([{ start: utc("2006-01-03T10:00:00Z"), end: utc("2006-01-03T12:00:00Z"), type: "BUSY" }]);
  });
});

describe("merging", () => {
  const p = (s: number, e: number, type: Period["type"] = "BUSY"): Period => ({ start: at(s), end: at(e), type });
  it("joins overlapping and adjacent periods of one type", () => {
    expect(mergePeriods([p(10, 11), p(9, 10), p(10, 12), p(14, 15)])).toEqual([p(9, 12), p(14, 15)]);
  });
  it("gives overlapping time to the more significant type without losing any", () => {
    expect(mergePeriods([p(9, 12, "BUSY-TENTATIVE"), p(10, 11, "BUSY")])).toEqual([p(9, 10, "BUSY-TENTATIVE"), p(10, 11), p(11, 12, "BUSY-TENTATIVE")]);
    expect(mergePeriods([p(9, 11), p(10, 13, "BUSY-UNAVAILABLE"), p(12, 14, "BUSY-TENTATIVE")])).toEqual([p(9, 10), p(10, 13, "BUSY-UNAVAILABLE"), p(13, 14, "BUSY-TENTATIVE")]);
  });
  it("drops empty periods and sorts", () => {
    expect(mergePeriods([p(15, 16), p(12, 12), p(8, 9, "BUSY-TENTATIVE")])).toEqual([p(8, 9, "BUSY-TENTATIVE"), p(15, 16)]);
  });
});

describe("the VFREEBUSY answer", () => {
  it("has DTSTAMP, the range, the options and one FREEBUSY per merged period, CRLF", () => {
    const out = renderFreeBusy([{ start: at(10), end: at(11), type: "BUSY" }, { start: at(10, 30), end: at(12), type: "BUSY-UNAVAILABLE" }], day, {
      organizer: "mailto:a@example.com", attendee: "mailto:b@example.com", uid: "fb-1", dtstamp: utc("2025-01-09T08:00:00Z"), method: "REPLY",
    });
    expect(out.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(out).toContain("METHOD:REPLY\r\n");
    expect(components(out, "VFREEBUSY")[0]).toEqual([
      "DTSTAMP:20250109T080000Z", "UID:fb-1", "ORGANIZER:mailto:a@example.com", "ATTENDEE:mailto:b@example.com",
      "DTSTART:20250110T000000Z", "DTEND:20250111T000000Z",
      "FREEBUSY:20250110T100000Z/20250110T103000Z", "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20250110T103000Z/20250110T120000Z",
    ]);
  });

  it("writes its FREEBUSY lines as ical.js writes FREEBUSY properties, byte for byte", () => {
    const types = ["BUSY", "BUSY-TENTATIVE", "BUSY-UNAVAILABLE"] as const;
    const periods: Period[] = Array.from({ length: 60 }, (_, k) => ({ start: at(0, k * 23), end: at(0, k * 23 + 10 + (k % 7)), type: types[k % 3]! }));
    const stamp = utc("2025-01-09T08:00:00Z");
    const out = renderFreeBusy(periods, day, { dtstamp: stamp, uid: "fb-2" });
    // The same VCALENDAR built with ical.js property by property.
    const t = (ms: number) => ICAL.Time.fromJSDate(new Date(ms), true);
    const vcalendar = new ICAL.Component("vcalendar");
    vcalendar.addPropertyWithValue("version", "2.0");
    vcalendar.addPropertyWithValue("prodid", "-//edge-caldav//free-busy//EN");
    const fb = new ICAL.Component("vfreebusy");
    fb.addPropertyWithValue("dtstamp", t(stamp));
    fb.addPropertyWithValue("uid", "fb-2");
    fb.addPropertyWithValue("dtstart", t(day.start));
    fb.addPropertyWithValue("dtend", t(day.end));
    for (const p of mergePeriods(periods)) {
      const prop = new ICAL.Property("freebusy", fb);
      if (p.type !== "BUSY") prop.setParameter("fbtype", p.type);
      prop.setValue(ICAL.Period.fromData({ start: t(p.start), end: t(p.end) }));
      fb.addProperty(prop);
    }
    vcalendar.addSubcomponent(fb);
    expect(mergePeriods(periods).length).toBeGreaterThan(20);
    expect(out).toBe(ICAL.stringify(vcalendar.jCal));
  });
});
