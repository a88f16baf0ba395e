// A recurrence rule is read whatever the case of its parts and values
// (RFC 5545 §3.3.10 is ABNF, whose quoted strings are case-insensitive,
// RFC 5234 §2.3): written in lower case it is the same rule, with the same
// instances, as in upper case. The stored text is not changed.
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { expandObject, serialize } from "../../../src/core/query/expand.js";

const body = (rule: string, exrule = "") =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT", "UID:case@test", "DTSTAMP:20260101T000000Z",
    "DTSTART:20260105T100000Z", "DTEND:20260105T110000Z", `RRULE:${rule}`, ...(exrule ? [`EXRULE:${exrule}`] : []), "SUMMARY:x", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");

const RANGE = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 3, 1) };
const instancesOf = (text: string) => serialize(expandObject(parseCalendarObject(text), RANGE, null)).match(/RECURRENCE-ID:\S+/g);

describe("recurrence rules in any case (RFC 5545 §3.3.10, RFC 5234 §2.3)", () => {
  for (const [lower, upper] of <Array<[string, string]>>[
    ["freq=weekly;byday=mo,we;count=10", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"],
    ["Freq=Monthly;ByDay=1Mo;Until=20260601t000000z", "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20260601T000000Z"],
    ["freq=daily;interval=3;wkst=su;bymonth=1,2", "FREQ=DAILY;INTERVAL=3;WKST=SU;BYMONTH=1,2"],
  ])
    it(`reads ${lower} as ${upper}`, () => {
      const a = parseCalendarObject(body(lower));
      const b = parseCalendarObject(body(upper));
      expect(a.index).toEqual(b.index);
      expect(a.instances).toEqual(b.instances);
      expect(instancesOf(body(lower))).toEqual(instancesOf(body(upper)));
      expect(instancesOf(body(lower))!.length).toBeGreaterThan(2);
    });
});
