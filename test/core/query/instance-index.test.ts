// The instance index of a recurring event (core/query/instance-index.ts, RFC
// 5545 §3.3.10 recurrence sets seen through RFC 4791 §9.9): a set that ends
// (COUNT or UNTIL) is indexed whole however far ahead it lies, so a query
// years away is still decided from the index; an endless one stops at the
// horizon; either stops at MAX_INDEXED_INSTANCES, complete up to the next.
import { describe, expect, it } from "vitest";
import { INDEXED_FOR_GOOD, INSTANCE_HORIZON_MS, instanceIndex, MAX_INDEXED_INSTANCES } from "../../../src/core/query/instance-index.js";
import { cal, DAY, HOUR, obj, utc, vevent } from "./helpers.js";

const now = utc("2026-12-07T00:00:00Z");

describe("instance index of recurring events", () => {
  it("indexes a set with COUNT whole, ten years ahead, with exact spans", () => {
    const idx = instanceIndex(obj(cal(vevent("DTSTART:20361201T100000Z", "DTEND:20361201T110000Z", "RRULE:FREQ=WEEKLY;COUNT=10"))), now)!;
    expect(idx.spans).toHaveLength(10);
    expect(idx.spans[9]!.slice(0, 2)).toEqual([utc("2036-12-01T10:00:00Z") + 63 * DAY, utc("2036-12-01T11:00:00Z") + 63 * DAY]);
    expect(idx.until).toBe(INDEXED_FOR_GOOD);
    expect(idx.exact).toBe(true);
  });

  it("indexes a set with UNTIL whole", () => {
    const idx = instanceIndex(obj(cal(vevent("DTSTART:20400101T080000Z", "DTEND:20400101T083000Z", "RRULE:FREQ=DAILY;UNTIL=20400110T080000Z"))), now)!;
    expect(idx.spans).toHaveLength(10);
    expect(idx.until).toBe(INDEXED_FOR_GOOD);
  });

  it("stops an endless set at the horizon", () => {
    const idx = instanceIndex(obj(cal(vevent("DTSTART:20260105T100000Z", "DTEND:20260105T110000Z", "RRULE:FREQ=WEEKLY"))), now)!;
    expect(idx.until).toBe(now + INSTANCE_HORIZON_MS);
    expect(idx.spans.every(([s]) => s <= now + INSTANCE_HORIZON_MS)).toBe(true);
    // Nothing to index before the horizon: no instance index (the coarse range stands).
    expect(instanceIndex(obj(cal(vevent("DTSTART:20500105T100000Z", "DTEND:20500105T110000Z", "RRULE:FREQ=WEEKLY"))), now)).toBeNull();
  });

  it("stops a long finite set at the most instances kept, complete up to the next one", () => {
    const idx = instanceIndex(obj(cal(vevent("DTSTART:20300101T000000Z", "DTEND:20300101T010000Z", "RRULE:FREQ=HOURLY;INTERVAL=2;COUNT=5000"))), now)!;
    expect(idx.spans).toHaveLength(MAX_INDEXED_INSTANCES);
    const next = utc("2030-01-01T00:00:00Z") + MAX_INDEXED_INSTANCES * 2 * HOUR;
    expect(idx.until).toBe(next - 1);
  });

  it("marks spans of zero length, or floating times, as not exact", () => {
    expect(instanceIndex(obj(cal(vevent("DTSTART:20270101T100000Z", "DTEND:20270101T100000Z", "RRULE:FREQ=DAILY;COUNT=3"))), now)!.exact).toBe(false);
    expect(instanceIndex(obj(cal(vevent("DTSTART:20270101T100000", "DTEND:20270101T110000", "RRULE:FREQ=DAILY;COUNT=3"))), now)!.exact).toBe(false);
  });
});
