// Cost of parseCalendarObject (validation + index summary) per object, after
// warm-up. Logs only, no timing assertions: numbers depend on the machine.
// The benchmark loads 10,000 objects; a typical 1 KB event with an embedded
// IANA VTIMEZONE should cost well under 1 ms.
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { fixture } from "./helpers.js";

function typicalEvent(i: number, extra = ""): string {
  const day = String(1 + (i % 28)).padStart(2, "0");
  return fixture("thunderbird-event-newyork.ics")
    .replace("4c8e0f2a-7d1b-4f59-9a6e-3b2c1d0e9f8a", `perf-${i}`)
    .replaceAll("20250415T", `202504${day}T`)
    .replace("X-MOZ-GENERATION:2\r\n", `X-MOZ-GENERATION:2\r\nORGANIZER;CN=Anna:mailto:anna@example.com\r\nATTENDEE;CN=Anna;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:anna@example.com\r\nATTENDEE;CN=Ben;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ben@example.com\r\n${extra}`);
}

function measure(label: string, make: (i: number) => string, n = 2000): number {
  const texts = Array.from({ length: n }, (_, i) => make(i));
  for (let i = 0; i < 200; i++) parseCalendarObject(texts[i % n]!); // warm-up
  const t0 = performance.now();
  for (const t of texts) parseCalendarObject(t);
  const us = ((performance.now() - t0) / n) * 1000;
  console.log(`${label}: ${us.toFixed(0)} µs per object (${texts[0]!.length} bytes, n=${n})`);
  return us;
}

describe("parse + summary cost (logged, not asserted)", () => {
  it("measures typical objects", () => {
    const results = [
      measure("1 KB event, embedded IANA VTIMEZONE, 2 attendees, VALARM", (i) => typicalEvent(i)),
      measure("same, weekly unbounded RRULE + EXDATE", (i) => typicalEvent(i, "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\nEXDATE;TZID=America/New_York:20250505T153000\r\n")),
      measure("same, weekly RRULE COUNT=20", (i) => typicalEvent(i, "RRULE:FREQ=WEEKLY;COUNT=20\r\n"), 500),
      measure("Outlook event, Windows TZID with embedded VTIMEZONE", (i) => fixture("outlook-windows-tz.ics").replace("UID:04000000", `UID:${i}-04000000`)),
      measure("all-day event, no VTIMEZONE", (i) => fixture("apple-allday.ics").replace("ALLDAY000001", `ALLDAY${i}`)),
    ];
    expect(results.every((us) => us > 0)).toBe(true);
  });
});
