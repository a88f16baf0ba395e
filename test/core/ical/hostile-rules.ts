// A generated family of RRULEs that never or rarely match (RFC 5545
// §3.3.10): contracting and impossible BYxxx combinations over every FREQ,
// huge INTERVALs, COUNT with parts that skip candidates, UNTIL far away.
// Shared by the core and the Workers-runtime tests of bounded expansion.
import fc from "fast-check";

const FREQS = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"] as const;
/** A BYxxx part, present in about one rule in three (more and ical.js refuses most combinations at once). */
const part = (name: string, values: fc.Arbitrary<number | string>) =>
  fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.array(values, { minLength: 1, maxLength: 4 }).map((v) => `${name}=${v.join(",")}`), weight: 1 },
  );

/** Contracting and impossible BYxxx combinations, huge INTERVALs, COUNT and far UNTIL. */
export const ruleArb = fc.record({
  freq: fc.constantFrom(...FREQS),
  interval: fc.option(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(1000, 99_999, 1_000_000)), { nil: undefined }),
  month: part("BYMONTH", fc.integer({ min: 1, max: 12 })),
  monthday: part("BYMONTHDAY", fc.oneof(fc.constantFrom(29, 30, 31, -30, -31), fc.integer({ min: 1, max: 28 }))),
  day: part("BYDAY", fc.oneof(fc.constantFrom("MO", "TU", "FR", "SU"), fc.constantFrom("5MO", "-5FR", "1SU", "53MO"))),
  weekno: part("BYWEEKNO", fc.constantFrom(1, 20, 52, 53, -1)),
  yearday: part("BYYEARDAY", fc.constantFrom(1, 60, 366, -366)),
  setpos: part("BYSETPOS", fc.constantFrom(1, -1, 9, 40, 366)),
  minute: part("BYMINUTE", fc.integer({ min: 0, max: 59 })),
  hour: part("BYHOUR", fc.integer({ min: 0, max: 23 })),
  end: fc.oneof(fc.constant(""), fc.integer({ min: 1, max: 100_000 }).map((n) => `COUNT=${n}`), fc.constantFrom("UNTIL=99991231T235959Z", "UNTIL=21000101T000000Z")),
});

export function ruleText(r: typeof ruleArb extends fc.Arbitrary<infer T> ? T : never): string {
  return [`FREQ=${r.freq}`, r.interval ? `INTERVAL=${r.interval}` : "", r.month, r.monthday, r.day, r.weekno, r.yearday, r.setpos, r.hour, r.minute, r.end]
    .filter((s) => s)
    .join(";");
}
