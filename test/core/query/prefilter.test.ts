// What the home's index may narrow a calendar-query to (RFC 4791 §9.7):
// the component and its time-range, but not a time-range that is only one
// alternative of test="anyof" (draft-daboo-caldav-extensions).
import { describe, expect, it } from "vitest";
import { decideFromIndex, planQuery } from "../../../src/core/query/prefilter.js";
import { filter, rangeFilter } from "./helpers.js";

describe("planQuery", () => {
  it("narrows to the component and its time-range", () => {
    expect(planQuery(rangeFilter("VTODO", "20250101T000000Z", "20250102T000000Z"))).toEqual({
      components: ["VTODO"], start: Date.UTC(2025, 0, 1), end: Date.UTC(2025, 0, 2), indexDecides: true,
    });
  });

  it("does not narrow by a time-range that test=\"anyof\" makes one alternative beside a prop-filter", () => {
    const f = filter(
      `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT" test="anyof"><C:time-range start="20250101T000000Z" end="20250102T000000Z"/>` +
        `<C:prop-filter name="SUMMARY"><C:text-match>standup</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`,
    );
    expect(planQuery(f)).toEqual({ components: ["VEVENT"], start: null, end: null, indexDecides: false });
  });
});

describe("decideFromIndex (RFC 4791 §9.9 from the index row)", () => {
  const plan = planQuery(rangeFilter("VEVENT", "20260302T000000Z", "20260303T000000Z"));
  const end = Date.UTC(2026, 2, 3);
  const recurring = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 11, 31), exact: false, recurring: true };

  it("decides a recurring event by its exact instance spans when they are indexed past the range", () => {
    expect(decideFromIndex(plan, { ...recurring, instExact: true, instUntil: end, instHit: true })).toBe(true);
    expect(decideFromIndex(plan, { ...recurring, instExact: true, instUntil: end + 1, instHit: false })).toBe(false);
  });

  it("leaves it to the body when the spans are not exact, end before the range does, or were not asked about", () => {
    expect(decideFromIndex(plan, { ...recurring, instExact: false, instUntil: end, instHit: true })).toBeUndefined();
    expect(decideFromIndex(plan, { ...recurring, instExact: true, instUntil: end - 1, instHit: false })).toBeUndefined();
    expect(decideFromIndex(plan, { ...recurring, instExact: true, instUntil: null, instHit: true })).toBeUndefined();
    expect(decideFromIndex(plan, { ...recurring, instExact: true, instUntil: end })).toBeUndefined();
    // A recurring row's own span is its whole series: it never decides.
    expect(decideFromIndex(plan, { ...recurring, exact: true })).toBeUndefined();
  });

  it("decides a lone event by its exact span, touching ends not overlapping", () => {
    const lone = (start: number, stop: number) => decideFromIndex(plan, { start, end: stop, exact: true, recurring: false });
    expect(lone(Date.UTC(2026, 2, 2, 10), Date.UTC(2026, 2, 2, 11))).toBe(true);
    expect(lone(Date.UTC(2026, 2, 1, 23), Date.UTC(2026, 2, 2))).toBe(false);
    expect(lone(end, end + 3_600_000)).toBe(false);
  });
});
