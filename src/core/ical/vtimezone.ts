// Building shared ICAL.Timezone objects safely (RFC 5545 §3.6.5 VTIMEZONE).
// ical.js expands every observance (STANDARD/DAYLIGHT) from its DTSTART up to
// the latest year ever asked for and keeps the table forever, about 0.5 KB per
// transition. Left alone, one event in year 9999 grows a zone by 7.5 MB, and a
// hostile VTIMEZONE (a DAILY rule from year 1) exhausts the isolate. So:
//  - custom definitions must recur YEARLY, have a bounded number of
//    observances and RDATEs, and their open-ended YEARLY rules start no
//    earlier than 1970 in our private copy (Outlook writes 1601; same
//    transitions from 1970 on), which holds nothing but the STANDARD and
//    DAYLIGHT observances (ical.js would expand any subcomponent with a
//    DTSTART and offsets, an X-component with a MINUTELY rule included);
//  - a custom zone's table is built at once as far as it will ever grow
//    (completeTable(): within a step meter, at most MAX_TRANSITIONS);
//  - offsets after 2099 are looked up in the year with the same weekday layout
//    within 2072-2099 (28-year cycle), so tables never grow past 2105. Zone
//    rules are extrapolated that far anyway; the shift can misplace a DST
//    change by a day or two after 2100, consistently for every user of the zone.
// zoneRules() gives a definition's rules in one canonical text: exactly what
// ical.js reads of a VTIMEZONE (each observance's DTSTART, TZOFFSETFROM,
// TZOFFSETTO, RRULE, RDATE, as in our private copy), so that two definitions
// with the same text give the same offsets at every instant, whatever their
// TZNAMEs, comments, order of observances or of rule parts.
import ICAL from "ical.js";
import { metered } from "./recur-guard.js";
import { cloneJCal } from "./jcal-clone.js";
import { FAR_YEAR, foldYear, localOffset } from "./zone-offset.js";

type Timezone = ICAL.Timezone;
type Component = ICAL.Component;
/** Raw jCal: [name, params, type, ...values] for properties, [name, props, comps] for components. */
type JProp = [string, Record<string, unknown>, string, ...unknown[]];
type JComp = [string, JProp[], JComp[]];

const MAX_OBSERVANCES = 500;
const MAX_RECURRING_OBSERVANCES = 20;
const MAX_RDATES = 1_000;
/** Transitions a zone's table may hold up to FAR_YEAR + 5 (a usual zone has some 270, with its history some 350). */
export const MAX_TRANSITIONS = 1_000;
/** Steps (recur-guard.ts) building one zone's table may take (a usual zone takes some 550). */
export const ZONE_STEPS = 4_000;
const EARLIEST_RULE_YEAR = 1970;
const OBSERVANCES = new Set(["standard", "daylight"]);

/** What is wrong with a VTIMEZONE (RFC 5545 §3.6.5), or null if it can be used. */
export function vtimezoneProblem(vtz: Component, tzid: string): string | null {
  const rules = [...vtz.getAllSubcomponents("standard"), ...vtz.getAllSubcomponents("daylight")];
  if (rules.length === 0) return `VTIMEZONE "${tzid}" has no STANDARD or DAYLIGHT rule`;
  if (rules.length > MAX_OBSERVANCES) return `VTIMEZONE "${tzid}" has more than ${MAX_OBSERVANCES} observances`;
  let recurring = 0;
  let rdates = 0;
  for (const r of rules) {
    for (const p of r.getAllProperties("rdate")) rdates += p.jCal.length - 3;
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
  if (rdates > MAX_RDATES) return `VTIMEZONE "${tzid}" has more than ${MAX_RDATES} RDATE values`;
  return null;
}

/**
 * Builds a custom zone's table as far as it will ever grow (to FAR_YEAR + 5;
 * guardFarFuture folds later years back), within ZONE_STEPS steps and
 * MAX_TRANSITIONS transitions. Returns what is wrong, or null.
 */
export function completeTable(zone: Timezone, tzid: string): string | null {
  const done = metered(ZONE_STEPS, () => zone._ensureCoverage(FAR_YEAR - 1));
  if (!done || zone.changes.length > MAX_TRANSITIONS) {
    return `VTIMEZONE "${tzid}" changes its offset more often than a time zone does (at most ${MAX_TRANSITIONS} times up to ${FAR_YEAR})`;
  }
  return null;
}

/**
 * The DTSTART value an observance has in our private copy: year 1970 for an
 * open-ended yearly rule that starts earlier (same transitions from 1970 on);
 * null when it keeps its own.
 */
function compactedStart(obs: JComp): string | null {
  if (obs[0] !== "standard" && obs[0] !== "daylight") return null;
  const rrules = obs[1].filter((p) => p[0] === "rrule");
  if (rrules.length !== 1 || obs[1].some((p) => p[0] === "rdate")) return null;
  const v = obs[1].find((p) => p[0] === "dtstart")?.[3];
  if (typeof v !== "string" || !/^\d{4}-/.test(v) || Number(v.slice(0, 4)) >= EARLIEST_RULE_YEAR) return null;
  const rule = rrules[0]![3] as Record<string, unknown> | undefined;
  if (!rule || typeof rule !== "object" || rule["count"] != null || rule["until"] != null || Number(rule["interval"] ?? 1) !== 1) return null;
  return `${EARLIEST_RULE_YEAR}${v.slice(4)}`;
}

/** The jCal of our private copy of a VTIMEZONE: its STANDARD and DAYLIGHT observances (see compactedStart). */
function compactJcal(vtz: Component): JComp {
  const jcal = vtz.jCal as unknown as JComp;
  const copy = cloneJCal([jcal[0], jcal[1], jcal[2].filter((c) => OBSERVANCES.has(c[0]))]) as JComp;
  for (const obs of copy[2]) {
    const start = compactedStart(obs);
    const prop = obs[1].find((p) => p[0] === "dtstart");
    if (start !== null && prop) prop[3] = start;
  }
  return copy;
}

/**
 * A private copy of a checked VTIMEZONE whose open-ended yearly observances
 * start no earlier than 1970 (same transitions from then on).
 */
export function compactVtimezone(vtz: Component): Component {
  return new ICAL.Component(compactJcal(vtz) as unknown as unknown[]);
}

/** JSON with object keys sorted, so that the order of rule parts or parameters makes no difference. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** What ical.js reads of an observance to build its transitions (Timezone._expandComponent), in our private copy. */
const READ = ["dtstart", "tzoffsetfrom", "tzoffsetto", "rrule", "rdate"];

/**
 * A VTIMEZONE's rules as one canonical text (of our private copy, see
 * compactVtimezone): equal texts give equal offsets at every instant.
 * Unequal texts may still agree (a rule written as RDATEs); that costs
 * sharing, never correctness.
 */
export function zoneRules(vtz: Component): string {
  const entries = compactJcal(vtz)[2].map((obs) =>
    stable([obs[0], READ.map((name) => obs[1].filter((p) => p[0] === name).map((p) => p.slice(1)))]),
  );
  return entries.sort().join("\n");
}

/** True when every offset a definition names is zero: it is UTC by another name. */
export function onlyZeroOffsets(vtz: Component): boolean {
  const zero = (v: unknown) => typeof v === "string" && /^[+-]00:?00(:?00)?$/.test(v);
  const observances = vtz.getAllSubcomponents().filter((c) => OBSERVANCES.has(c.name));
  return observances.length > 0 && observances.every((obs) => ["tzoffsetfrom", "tzoffsetto"].every((n) => obs.getAllProperties(n).every((p) => zero(p.jCal[3]))));
}

/**
 * Makes a zone read local times as RFC 5545 §3.3.5 says (zone-offset.ts) and
 * answer offsets after 2099 from 2072-2099, so its table stays small.
 */
export function guardFarFuture(zone: Timezone): Timezone {
  if (zone === ICAL.Timezone.utcTimezone) return zone;
  zone.utcOffset = (tt: ICAL.Time): number => {
    const year = foldYear(tt.year);
    return localOffset(zone, year === tt.year ? tt : { year, month: tt.month, day: tt.day, hour: tt.hour, minute: tt.minute, second: tt.second });
  };
  return zone;
}
