// Queries over a VTODO that recurs from its DUE (no DTSTART, RFC 2445 data):
// its instances each have a DUE and no start; time-range follows the RFC
// 4791 §9.9 VTODO row "N N Y * *: (start < DUE) AND (end >= DUE)" per
// instance, EXDATE and RECURRENCE-ID line up with DUE, VALARMs trigger
// relative to each DUE; expand (§9.6.5) writes each instance with its DUE and
// RECURRENCE-ID and no RRULE; limit-recurrence-set (§9.6.6), the instance
// index and free-busy (§7.10: to-dos take no busy time) follow.
import { describe, expect, it } from "vitest";
import { busyPeriods } from "../../../src/core/query/freebusy.js";
import { instanceIndex } from "../../../src/core/query/instance-index.js";
import { instancesInRange } from "../../../src/core/query/time-range.js";
import { components, dataRequest, filter, fixture, matches, obj, rangeFilter, render, utc } from "./helpers.js";

const LIGHTNING = fixture("lightning-task-recurring-due.ics");
const ICAL3 = fixture("ical3-task-monthly-due-date.ics");
const hit = (text: string, start?: string, end?: string, tz: string | null = null) => matches(text, rangeFilter("VTODO", start, end), tz);

/** The DUEs of Lightning's task (Fridays 18:00 Europe/Berlin): 7 and 14 March, 21 March excluded, 28 March moved to Saturday 29 10:00, 4 and 11 April. */
const DUES = ["2025-03-07T17:00:00Z", "2025-03-14T17:00:00Z", "2025-03-29T09:00:00Z", "2025-04-04T16:00:00Z", "2025-04-11T16:00:00Z"];

describe("the instances of a VTODO that recurs from its DUE (RFC 5545 §3.8.5, read from DUE)", () => {
  it("places every instance at its DUE, with no start; EXDATE and RECURRENCE-ID line up with DUE", () => {
    const { instances, complete } = instancesInRange(obj(LIGHTNING), { start: utc("2025-03-01T00:00:00Z"), end: utc("2025-05-01T00:00:00Z") }, null);
    expect(complete).toBe(true);
    expect(instances.map((i) => [i.start, i.end, i.recurrenceIdMs, i.isOverride])).toEqual([
      [null, utc(DUES[0]!), utc(DUES[0]!), false],
      [null, utc(DUES[1]!), utc(DUES[1]!), false],
      [null, utc(DUES[2]!), utc("2025-03-28T17:00:00Z"), true],
      [null, utc(DUES[3]!), utc(DUES[3]!), false],
      [null, utc(DUES[4]!), utc(DUES[4]!), false],
    ]);
  });
});

describe("time-range, RFC 4791 §9.9 VTODO row for DUE alone: (start < DUE) AND (end >= DUE)", () => {
  it("matches a range that ends at an instance's DUE, and not one that starts there", () => {
    expect(hit(LIGHTNING, "20250314T160000Z", "20250314T170000Z")).toBe(true);
    expect(hit(LIGHTNING, "20250314T170000Z", "20250314T180000Z")).toBe(false);
    expect(hit(LIGHTNING, "20250314T160000Z", "20250314T165959Z")).toBe(false);
    expect(hit(LIGHTNING, "20250404T155959Z", "20250404T160001Z")).toBe(true); // after the change to summer time: 16:00Z
  });

  it("misses the excluded instance, the overridden one's original DUE and the instances past COUNT", () => {
    expect(hit(LIGHTNING, "20250321T000000Z", "20250322T000000Z")).toBe(false);
    expect(hit(LIGHTNING, "20250328T120000Z", "20250328T235959Z")).toBe(false);
    expect(hit(LIGHTNING, "20250418T000000Z", "20250419T000000Z")).toBe(false);
  });

  it("matches the override at its own DUE", () => {
    expect(hit(LIGHTNING, "20250329T080000Z", "20250329T090000Z")).toBe(true);
  });

  it("reads an all-day DUE in the calendar's zone, every month from 2008 on", () => {
    expect(hit(ICAL3, "20250531T230000Z", "20250601T000000Z")).toBe(true);
    expect(hit(ICAL3, "20250601T000000Z", "20250602T000000Z")).toBe(false);
    expect(hit(ICAL3, "20250531T210000Z", "20250531T220000Z", "Europe/Berlin")).toBe(true);
    expect(hit(ICAL3, "20250515T000000Z", "20250520T000000Z")).toBe(false);
  });

  it("triggers a RELATED=END alarm relative to each instance's DUE (RFC 5545 §3.8.6.3)", () => {
    const alarm = (s: string, e: string) =>
      filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:comp-filter name="VALARM"><C:time-range start="${s}" end="${e}"/></C:comp-filter></C:comp-filter></C:comp-filter>`);
    expect(matches(LIGHTNING, alarm("20250404T154000Z", "20250404T155000Z"))).toBe(true);
    expect(matches(LIGHTNING, alarm("20250321T164000Z", "20250321T165000Z"))).toBe(false);
  });
});

describe("calendar-data of a VTODO that recurs from its DUE", () => {
  const expand = (start: string, end: string) => dataRequest(`<C:expand start="${start}" end="${end}"/>`);
  it("expands each instance with its DUE and RECURRENCE-ID in UTC, no DTSTART, no RRULE or EXDATE (RFC 4791 §9.6.5)", () => {
    const out = render(LIGHTNING, expand("20250301T000000Z", "20250501T000000Z"));
    expect(out).not.toMatch(/^(DTSTART|RRULE|EXDATE)/m);
    expect(out).not.toContain("VTIMEZONE");
    const todos = components(out, "VTODO").map((t) => t.filter((l) => /^(DUE|RECURRENCE-ID|SUMMARY)[:;]/.test(l)));
    expect(todos).toEqual([
      ["SUMMARY:Water the plants", "DUE:20250307T170000Z", "RECURRENCE-ID:20250307T170000Z"],
      ["SUMMARY:Water the plants", "DUE:20250314T170000Z", "RECURRENCE-ID:20250314T170000Z"],
      ["SUMMARY:Water the plants (Saturday this week)", "RECURRENCE-ID:20250328T170000Z", "DUE:20250329T090000Z"],
      ["SUMMARY:Water the plants", "DUE:20250404T160000Z", "RECURRENCE-ID:20250404T160000Z"],
      ["SUMMARY:Water the plants", "DUE:20250411T160000Z", "RECURRENCE-ID:20250411T160000Z"],
    ]);
    expect(components(out, "VALARM")).toHaveLength(5);
  });

  it("keeps an all-day DUE as a DATE in each expanded instance", () => {
    const out = render(ICAL3, expand("20250501T000000Z", "20250715T000000Z"));
    expect(components(out, "VTODO").map((t) => t.filter((l) => /^(DUE|RECURRENCE-ID)[:;]/.test(l)))).toEqual([
      ["DUE;VALUE=DATE:20250601", "RECURRENCE-ID;VALUE=DATE:20250601"],
      ["DUE;VALUE=DATE:20250701", "RECURRENCE-ID;VALUE=DATE:20250701"],
    ]);
  });

  it("limit-recurrence-set keeps the override whose original DUE is in the range, and drops it otherwise (RFC 4791 §9.6.6)", () => {
    const limit = (start: string, end: string) => dataRequest(`<C:limit-recurrence-set start="${start}" end="${end}"/>`);
    expect(components(render(LIGHTNING, limit("20250328T160000Z", "20250328T180000Z")), "VTODO")).toHaveLength(2);
    expect(components(render(LIGHTNING, limit("20250401T000000Z", "20250501T000000Z")), "VTODO")).toHaveLength(1);
  });
});

describe("the instance index and free-busy of a VTODO that recurs from its DUE", () => {
  it("indexes each instance as the span [DUE, DUE]", () => {
    const idx = instanceIndex(obj(LIGHTNING), utc("2025-01-01T00:00:00Z"))!;
    expect(idx.spans.map(([s]) => s).sort()).toEqual(DUES.map(utc).sort());
    expect(idx.spans.every(([s, e]) => s === e)).toBe(true);
  });

  it("gives no busy time (RFC 4791 §7.10: only VEVENTs and VFREEBUSY take time)", () => {
    expect(busyPeriods(obj(LIGHTNING), { start: utc("2025-03-01T00:00:00Z"), end: utc("2025-05-01T00:00:00Z") }, null)).toEqual([]);
  });
});
