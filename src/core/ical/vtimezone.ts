// Building shared ICAL.Timezone objects safely (RFC 5545 §3.6.5 VTIMEZONE).
// ical.js expands every observance (STANDARD/DAYLIGHT) from its DTSTART up to
// the latest year ever asked for and keeps the table forever, about 0.5 KB per
// transition. Left alone, one event in year 9999 grows a zone by 7.5 MB, and a
// hostile VTIMEZONE (a DAILY rule from year 1) exhausts the isolate. So:
//  - custom definitions must recur YEARLY, have a bounded number of
//    observances, and their open-ended YEARLY rules start no earlier than 1970
//    in our private copy (Outlook writes 1601; same transitions from 1970 on);
//  - offsets after 2099 are looked up in the year with the same weekday layout
//    within 2072-2099 (28-year cycle), so tables never grow past 2105. Zone
//    rules are extrapolated that far anyway; the shift can misplace a DST
//    change by a day or two after 2100, consistently for every user of the zone.
import ICAL from "ical.js";

type Timezone = ICAL.Timezone;
type Component = ICAL.Component;

const MAX_OBSERVANCES = 500;
const MAX_RECURRING_OBSERVANCES = 20;
const EARLIEST_RULE_YEAR = 1970;
const FAR_YEAR = 2100;

/** What is wrong with a VTIMEZONE (RFC 5545 §3.6.5), or null if it can be used. */
export function vtimezoneProblem(vtz: Component, tzid: string): string | null {
  const rules = [...vtz.getAllSubcomponents("standard"), ...vtz.getAllSubcomponents("daylight")];
  if (rules.length === 0) return `VTIMEZONE "${tzid}" has no STANDARD or DAYLIGHT rule`;
  if (rules.length > MAX_OBSERVANCES) return `VTIMEZONE "${tzid}" has more than ${MAX_OBSERVANCES} observances`;
  let recurring = 0;
  for (const r of rules) {
    for (const p of ["dtstart", "tzoffsetfrom", "tzoffsetto"]) {
      if (!r.hasProperty(p)) return `VTIMEZONE "${tzid}": ${r.name.toUpperCase()} lacks ${p.toUpperCase()}`;
    }
    for (const prop of r.getAllProperties("rrule")) {
      recurring++;
      const rule = prop.getFirstValue() as ICAL.Recur | null;
      if (!rule || rule.freq !== "YEARLY") return `VTIMEZONE "${tzid}": observance rules must be FREQ=YEARLY`;
    }
  }
  if (recurring > MAX_RECURRING_OBSERVANCES) return `VTIMEZONE "${tzid}" has more than ${MAX_RECURRING_OBSERVANCES} recurring observances`;
  return null;
}

/**
 * A private copy of a checked VTIMEZONE whose open-ended yearly observances
 * start no earlier than 1970 (same transitions from then on).
 */
export function compactVtimezone(vtz: Component): Component {
  const copy = new ICAL.Component(structuredClone(vtz.jCal) as unknown[]);
  for (const r of [...copy.getAllSubcomponents("standard"), ...copy.getAllSubcomponents("daylight")]) {
    const rules = r.getAllProperties("rrule").map((p) => p.getFirstValue() as ICAL.Recur);
    const start = r.getFirstPropertyValue("dtstart");
    if (rules.length !== 1 || r.hasProperty("rdate") || !(start instanceof ICAL.Time) || start.year >= EARLIEST_RULE_YEAR) continue;
    const rule = rules[0]!;
    if (rule.count != null || rule.until != null || (rule.interval ?? 1) !== 1) continue;
    const moved = start.clone();
    moved.year = EARLIEST_RULE_YEAR;
    r.updatePropertyWithValue("dtstart", moved);
  }
  return copy;
}

/** Makes a zone answer offsets after 2099 from 2072-2099, so its table stays small. */
export function guardFarFuture(zone: Timezone): Timezone {
  if (zone === ICAL.Timezone.utcTimezone) return zone;
  const lookup = zone.utcOffset.bind(zone);
  zone.utcOffset = (tt: ICAL.Time): number => {
    if (tt.year < FAR_YEAR) return lookup(tt);
    const year = 2072 + ((tt.year - 2072) % 28);
    return lookup({ year, month: tt.month, day: tt.day, hour: tt.hour, minute: tt.minute, second: tt.second } as ICAL.Time);
  };
  return zone;
}
