// RFC 5545 §3.2.19 and §3.6.5: a TZID refers to the VTIMEZONE the object
// carries, even when the TZID is also an IANA name. The shared registry is
// keyed by the definition (its rules), not the name: the usual definition
// shares the IANA zone, another one gets its own zone, built once.
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { calendarTimezoneZone } from "../../../src/core/ical/calendar-timezone.js";
import { definedCount, MAX_DEFINED } from "../../../src/core/ical/defined-zones.js";
import { stepCount } from "../../../src/core/ical/recur-guard.js";
import { MAX_TRANSITIONS, ZONE_STEPS } from "../../../src/core/ical/vtimezone.js";
import { zoneIdentity } from "../../../src/core/ical/zone-identity.js";
import { readCal } from "../../../src/core/schedule/calendar.js";
import { instanceKeys } from "../../../src/core/schedule/fingerprint.js";
import { C, precondition } from "../../../src/core/errors.js";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { icalTimeToUtcMs } from "../../../src/core/ical/time.js";
import { ianaTimezone, ianaVtimezoneText, resolveTimezone } from "../../../src/core/ical/timezones.js";
import { cal, expectPrecondition, fixture, tzFixture, utc, vevent } from "./helpers.js";

const PERMANENT_CEST = "berlin-own-rules-permanent-cest.ics";
const rnd = () => Math.random().toString(36).slice(2, 10);
const invalidCalendar = (d: string) => precondition(403, C.validCalendarData, d);
/** The content lines of each component named `name` (without BEGIN/END), unfolded. */
const components = (text: string, name: string): string[][] => {
  const out: string[][] = [];
  let cur: string[] | null = null;
  for (const l of text.replace(/\r?\n[ \t]/g, "").split(/\r?\n/)) {
    if (l === `BEGIN:${name}`) cur = [];
    else if (l === `END:${name}` && cur) {
      out.push(cur);
      cur = null;
    } else if (cur) cur.push(l);
  }
  return out;
};
const HISTORIC = "berlin-historic-ical4j.ics";

const startOf = (text: string) => icalTimeToUtcMs(parseCalendarObject(text).master!.dtstart!);
const tzidKey = (text: string) => parseCalendarObject(text).master!.comp.getFirstProperty("dtstart")!.getParameter("tzid");
const zoneOf = (text: string) => parseCalendarObject(text).master!.dtstart!.zone;

/** A VTIMEZONE block for `tzid` with one STANDARD observance from 1970 at a fixed offset. */
const fixedZone = (tzid: string, offset: string, extra = "") =>
  `BEGIN:VTIMEZONE\nTZID:${tzid}\n${extra}BEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:${offset}\nTZOFFSETTO:${offset}\nEND:STANDARD\nEND:VTIMEZONE`;

describe("an object's own VTIMEZONE governs its IANA TZID (RFC 5545 §3.6.5)", () => {
  it("puts 16:00 Europe/Berlin in January at 14:00Z when the object's Europe/Berlin is +02:00 all year (IANA: 15:00Z)", () => {
    const o = parseCalendarObject(fixture(PERMANENT_CEST));
    expect(icalTimeToUtcMs(o.master!.dtstart!)).toBe(utc("2025-01-15T14:00:00Z"));
    expect(icalTimeToUtcMs(o.master!.dtend!)).toBe(utc("2025-01-15T15:00:00Z"));
    expect(o.index.start).toBe(utc("2025-01-15T14:00:00Z"));
    expect(o.master!.dtstart!.zone).not.toBe(ianaTimezone("Europe/Berlin"));
  });

  it("uses historic rules given in the object: summer time ended in September before 1996 (iCal4j's tzurl.org definition)", () => {
    const o = parseCalendarObject(fixture(HISTORIC));
    // 3 October 1990 was in standard time by the object's rules (IANA's rules from 1970 on say summer time: 08:00Z).
    expect(icalTimeToUtcMs(o.master!.dtstart!)).toBe(utc("1990-10-03T09:00:00Z"));
    expect(o.index.start).toBe(utc("1990-10-03T09:00:00Z"));
  });

  it("uses an incomplete definition as it stands: a Europe/Berlin with only winter time gives +01:00 in July", () => {
    const onlyWinter = "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE";
    expect(startOf(cal(onlyWinter, vevent("DTSTART;TZID=Europe/Berlin:20250715T100000")))).toBe(utc("2025-07-15T09:00:00Z"));
  });

  it("uses a UTC name's own definition when it has an offset, and the UTC zone when all its offsets are zero (Outlook's UTC)", () => {
    expect(startOf(cal(fixedZone("UTC", "+0100"), vevent("DTSTART;TZID=UTC:20250715T100000")))).toBe(utc("2025-07-15T09:00:00Z"));
    const outlookUtc = "BEGIN:VTIMEZONE\nTZID:UTC\nBEGIN:STANDARD\nDTSTART:16010101T000000\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0000\nEND:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:16010101T000000\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0000\nEND:DAYLIGHT\nEND:VTIMEZONE";
    expect(zoneOf(cal(outlookUtc, vevent("DTSTART;TZID=UTC:20250715T100000")))).toBe(ICAL.Timezone.utcTimezone);
  });

  it("falls back to the IANA zone when the definition of an IANA name defines nothing usable", () => {
    const empty = "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nEND:VTIMEZONE";
    expect(startOf(cal(empty, vevent("DTSTART;TZID=Europe/Berlin:20250715T100000")))).toBe(utc("2025-07-15T08:00:00Z"));
    const daily = "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:20200101T000000\nRRULE:FREQ=DAILY\nTZOFFSETFROM:+0500\nTZOFFSETTO:+0500\nEND:STANDARD\nEND:VTIMEZONE";
    expect(startOf(cal(daily, vevent("DTSTART;TZID=Europe/Berlin:20250715T100000")))).toBe(utc("2025-07-15T08:00:00Z"));
    // Under a name that stands for nothing, such a definition is refused, as before (RFC 4791 §5.3.2.1).
    expectPrecondition(() => parseCalendarObject(cal(daily.replace("Europe/Berlin", "Custom"), vevent("DTSTART;TZID=Custom:20250715T100000"))), "valid-calendar-data");
  });

  it("evaluates a CALDAV:calendar-timezone (RFC 4791 §5.2.2) by its own rules: floating noon in January at 10:00Z", () => {
    const floatingNoon = ICAL.Time.fromDateTimeString("2025-01-15T12:00:00");
    const zone = calendarTimezoneZone(tzFixture("berlin-permanent-cest.ics"));
    expect(icalTimeToUtcMs(floatingNoon, zone)).toBe(utc("2025-01-15T10:00:00Z"));
    expect(zone).not.toBe(ianaTimezone("Europe/Berlin"));
  });
});

describe("the registry is keyed by the definition, not the name", () => {
  it("gives a definition with the IANA rules the shared IANA zone, whatever its TZNAMEs, extra properties or order of rule parts", () => {
    const before = definedCount();
    // DAVx5's (libical's) Europe/Berlin with LAST-MODIFIED; Lightning's America/New_York with BYDAY before BYMONTH.
    expect(parseCalendarObject(fixture("davx5-task-due.ics")).master!.due!.zone).toBe(ianaTimezone("Europe/Berlin"));
    expect(zoneOf(fixture("thunderbird-event-newyork.ics"))).toBe(ianaTimezone("America/New_York"));
    expect(tzidKey(fixture("thunderbird-event-newyork.ics"))).toBe("America/New_York");
    expect(definedCount()).toBe(before);
  });

  it("builds one zone per definition and shares it between the objects that have it", () => {
    const text = fixture(PERMANENT_CEST);
    const first = zoneOf(text);
    const before = definedCount();
    expect(zoneOf(text.replace("permanent-cest-planning@example.com", "another-uid@example.com"))).toBe(first);
    expect(definedCount()).toBe(before);
    expect(tzidKey(text)).toMatch(/^Europe\/Berlin~[0-9a-z]+$/);
    // Other TZNAMEs and comments: another text, the same offsets.
    const renamed = text.replace("TZNAME:CEST", "TZNAME:MESZ").replace("X-LIC-LOCATION:Europe/Berlin", "COMMENT:no DST");
    expect(startOf(renamed)).toBe(utc("2025-01-15T14:00:00Z"));
  });

  it("keeps two definitions under one IANA name apart", () => {
    const plus2 = zoneOf(fixture(PERMANENT_CEST));
    const historic = zoneOf(fixture(HISTORIC));
    expect(plus2).not.toBe(historic);
    expect(startOf(fixture(PERMANENT_CEST))).toBe(utc("2025-01-15T14:00:00Z"));
    expect(startOf(fixture(HISTORIC))).toBe(utc("1990-10-03T09:00:00Z"));
  });

  it(`holds at most ${MAX_DEFINED} definitions, least recently used out, and every object keeps its own zones`, () => {
    const kept = parseCalendarObject(fixture(PERMANENT_CEST));
    for (let i = 0; i < MAX_DEFINED + 10; i++) {
      const offset = `+${String(Math.floor(i / 60)).padStart(2, "0")}${String(i % 60).padStart(2, "0")}`;
      const text = cal(fixedZone("Europe/Berlin", offset), vevent(`UID:flood-${i}`, "DTSTART;TZID=Europe/Berlin:20250715T100000"));
      expect(startOf(text)).toBe(utc("2025-07-15T10:00:00Z") - (Math.floor(i / 60) * 60 + (i % 60)) * 60_000);
      expect(definedCount()).toBeLessThanOrEqual(MAX_DEFINED);
    }
    // The zone the object resolved stays with it (see query/own-vtimezone.test.ts for expand after eviction).
    const key = kept.master!.comp.getFirstProperty("dtstart")!.getParameter("tzid") as string;
    expect(kept.zones.get(key)).toBe(kept.master!.dtstart!.zone);
    expect(icalTimeToUtcMs(kept.master!.dtstart!)).toBe(utc("2025-01-15T14:00:00Z"));
  });

  it("resolves names without a definition as before: IANA by name, Windows names through windows-zones.ts", () => {
    expect(resolveTimezone("Europe/Berlin")?.zone).toBe(ianaTimezone("Europe/Berlin"));
    expect(resolveTimezone("W. Europe Standard Time")?.zone).toBe(ianaTimezone("Europe/Berlin"));
  });
});

describe("bounded zone tables (hostile definitions)", () => {
  const minutely = (tzid: string) =>
    `BEGIN:VTIMEZONE\nTZID:${tzid}\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\n` +
    `BEGIN:X-EVIL\nDTSTART:19000101T000000\nRRULE:FREQ=MINUTELY\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:X-EVIL\nEND:VTIMEZONE`;

  it("reads only STANDARD and DAYLIGHT: an X-component with a MINUTELY rule is not expanded (ical.js would until memory ran out)", () => {
    for (const tzid of [`Custom-${rnd()}`, "Europe/Berlin"]) {
      const before = stepCount();
      const text = cal(minutely(tzid), vevent(`UID:${rnd()}`, `DTSTART;TZID=${tzid}:20250715T100000`));
      expect(startOf(text), tzid).toBe(utc("2025-07-15T09:00:00Z"));
      expect(stepCount() - before).toBeLessThan(ZONE_STEPS);
    }
  });

  it(`refuses a definition whose yearly rule changes the offset more than ${MAX_TRANSITIONS} times, once, and never builds it again (RFC 4791 §5.3.2.1)`, () => {
    const tzid = `Dense-${rnd()}`;
    const dense = `BEGIN:VTIMEZONE\nTZID:${tzid}\nBEGIN:STANDARD\nDTSTART:19700101T000000\nRRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE`;
    const text = cal(dense, vevent(`DTSTART;TZID=${tzid}:20250715T100000`));
    expect(expectPrecondition(() => parseCalendarObject(text), "valid-calendar-data")).toMatch(/changes its offset more often/);
    const before = stepCount();
    expectPrecondition(() => parseCalendarObject(text), "valid-calendar-data");
    expect(stepCount() - before).toBe(0);
  });

  it("bounds the steps all new definitions of one object take together", () => {
    // Each changes its offset 7 times a year (945 times to 2105, some 2,000 steps): within one definition's bounds.
    const monthly = (tzid: string) =>
      `BEGIN:VTIMEZONE\nTZID:${tzid}\nBEGIN:STANDARD\nDTSTART:19700101T000000\nRRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7;BYMONTHDAY=1\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE`;
    const object = (n: number) => {
      const ids = Array.from({ length: n }, () => `Monthly-${rnd()}`);
      return cal(...ids.map(monthly), vevent(...ids.map((id, i) => `${i ? "EXDATE" : "DTSTART"};TZID=${id}:20250715T100000`)));
    };
    expect(() => parseCalendarObject(object(2))).not.toThrow();
    const before = stepCount();
    expect(expectPrecondition(() => parseCalendarObject(object(8)), "valid-calendar-data")).toMatch(/VTIMEZONEs take more than/);
    expect(stepCount() - before).toBeLessThanOrEqual(2.5 * ZONE_STEPS + 100);
  });
});

describe("how scheduling names a zone (schedule/fingerprint.ts, RFC 6638 §3.2.8)", () => {
  const APPLE = fixture("apple-recurring-berlin.ics");
  const withZone = (text: string, vtimezone: string) => text.replace(/BEGIN:VTIMEZONE[\s\S]*END:VTIMEZONE\r?\n/, `${vtimezone}\r\n`);
  const timing = (text: string) => instanceKeys(readCal(text, invalidCalendar).items[0]!.ev).timing;
  const identity = (text: string) => {
    const t = parseCalendarObject(text).master!.dtstart!;
    return zoneIdentity(t.zone, t);
  };

  it("names the IANA zone, and a definition with the IANA offsets from the series' year on, by the IANA name", () => {
    expect(identity(withZone(APPLE, ianaVtimezoneText("Europe/Berlin")!))).toBe("Europe/Berlin");
    // Apple's Europe/Berlin starts in 1981 and differs from libical's before 1996: the same from 2025 on.
    expect(zoneOf(APPLE)).not.toBe(ianaTimezone("Europe/Berlin"));
    expect(identity(APPLE)).toBe("Europe/Berlin");
    expect(timing(APPLE)).toBe(timing(withZone(APPLE, ianaVtimezoneText("Europe/Berlin")!)));
  });

  it("names a definition with other offsets after the series began by its own key: a reschedule", () => {
    const cest = components(fixture(PERMANENT_CEST), "VTIMEZONE")[0]!;
    // A series starting in July: DTSTART is the same instant under both, its winter instances are not.
    const july = APPLE.replace(/20250106T1/g, "20250707T1").replace("UNTIL=20250224T225959Z", "UNTIL=20251224T225959Z").replace(/EXDATE;TZID=Europe\/Berlin:20250120T100000\r?\n/, "");
    const own = withZone(july, ["BEGIN:VTIMEZONE", ...cest, "END:VTIMEZONE"].join("\r\n"));
    expect(identity(own)).toMatch(/^Europe\/Berlin~/);
    expect(timing(own)).not.toBe(timing(withZone(july, ianaVtimezoneText("Europe/Berlin")!)));
  });

  it("tells the historic definition apart from the IANA zone for a series of 1990, not for one of 2025", () => {
    const historic = fixture(HISTORIC);
    expect(identity(historic)).toMatch(/^Europe\/Berlin~/);
    expect(identity(historic.replace("19901003T100000", "20251003T100000"))).toBe("Europe/Berlin");
  });
});
