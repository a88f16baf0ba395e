// What the home's index may narrow a calendar-query to (RFC 4791 §9.7):
// the component and its time-range, but not a time-range that is only one
// alternative of test="anyof" (draft-daboo-caldav-extensions).
import { describe, expect, it } from "vitest";
import { planQuery } from "../../../src/core/query/prefilter.js";
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
