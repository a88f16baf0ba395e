// The cached wall-clock → UTC conversion of span.ts gives exactly what
// ical/time.ts's icalTimeToUtcMs gives, also in the hours around DST changes
// (RFC 5545 §3.3.5 DATE-TIME with TZID), and durations follow RFC 5545
// §3.3.6 (days on the wall clock, hours exact).
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { icalTimeToUtcMs } from "../../../src/core/ical/time.js";
import { addSpan, toUtcMs } from "../../../src/core/query/span.js";
import { zone } from "./helpers.js";

describe("toUtcMs", () => {
  it("equals icalTimeToUtcMs every 10 minutes through the DST change days of several zones", () => {
    const days: [string, number, number, number][] = [
      ["Europe/Berlin", 2025, 3, 30], ["Europe/Berlin", 2025, 10, 26], ["America/New_York", 2025, 3, 9], ["America/New_York", 2025, 11, 2],
      ["Australia/Lord_Howe", 2025, 4, 6], ["Pacific/Chatham", 2025, 9, 28], ["Asia/Kolkata", 2025, 1, 1],
    ];
    for (const [name, year, month, day] of days) {
      const z = zone(name)!;
      for (let m = -120; m < 26 * 60; m += 10) {
        const t = new ICAL.Time({ year, month, day, hour: 0, minute: 0, second: 0, isDate: false }, z);
        t.adjust(0, 0, m, 0);
        const floating = ICAL.Time.fromData({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: 0, isDate: false });
        expect(toUtcMs(t, null), `${name} ${t.toString()}`).toBe(icalTimeToUtcMs(t, null));
        expect(toUtcMs(floating, z), `${name} floating ${t.toString()}`).toBe(icalTimeToUtcMs(floating, z));
      }
    }
  });
});

describe("addSpan (RFC 5545 §3.3.6)", () => {
  const berlin = zone("Europe/Berlin");
  const at = (s: string) => {
    const t = ICAL.Time.fromDateTimeString(s);
    t.zone = berlin!;
    return t;
  };
  it("adds days on the wall clock: P1D over the spring change is 23 hours", () => {
    const [end] = addSpan(at("2025-03-29T12:00:00"), ICAL.Duration.fromString("P1D"), null);
    expect(end - toUtcMs(at("2025-03-29T12:00:00"), null)).toBe(23 * 3_600_000);
  });
  it("adds hours exactly: PT24H over the spring change ends at 13:00 local", () => {
    const [end] = addSpan(at("2025-03-29T12:00:00"), ICAL.Duration.fromString("PT24H"), null);
    expect(end).toBe(toUtcMs(at("2025-03-30T13:00:00"), null));
  });
});
