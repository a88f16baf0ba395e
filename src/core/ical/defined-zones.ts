// The zones objects define for themselves (RFC 5545 §3.6.5 VTIMEZONE, §3.2.19:
// a TZID refers to the object's own VTIMEZONE, even when the TZID is also an
// IANA name). Part of the registry of timezones.ts, keyed by the definition:
//  - a definition whose rules (vtimezone.ts zoneRules(): what ical.js reads,
//    compared as text) are those of the shared zone its name stands for (the
//    IANA zone, or UTC for a definition with only zero offsets) uses that
//    shared zone, so objects that embed the usual definition share its
//    prebuilt DST tables;
//  - any other definition gets a zone of its own, registered in
//    ICAL.TimezoneService under "<TZID>~<hash of its rules>", built once per
//    TZID and rules and shared by every object that has them. The entries are
//    found by the exact TZID and rules text, never by the hash alone, so no
//    client can make its definition stand in for another's.
// Any client can fill this with definitions, so it holds at most MAX_DEFINED
// of them, least recently used first out (a compacted zone is some 100 KB
// once expanded to the present). A parsed object keeps its zones (through its
// times and CalendarObject.zones), so evicting only costs a rebuild later.
import ICAL from "ical.js";
import { C, precondition } from "../errors.js";
import type { ResolvedZone } from "./timezones.js";
import { compactVtimezone, guardFarFuture, onlyZeroOffsets, vtimezoneProblem, zoneRules } from "./vtimezone.js";

type Component = ICAL.Component;

const invalid = (description: string) => precondition(403, C.validCalendarData, description);

export const MAX_DEFINED = 64;

/** "<TZID>\n<rules>" → the zone built for it, least recently used first. */
const defined = new Map<string, ResolvedZone>();
/** Registry key → "<TZID>\n<rules>" of the zone registered under it. */
const owners = new Map<string, string>();
/** The rules text of each shared zone, computed once. */
const sharedRules = new WeakMap<ICAL.Timezone, string>();

/** A 53-bit string hash (cyrb53), in base 36. Names things; never trusted to tell two texts apart. */
export function hashText(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** Checks a VTIMEZONE before it is built (see vtimezone.ts); throws valid-calendar-data. */
export function checkVtimezone(vtz: Component, tzid: string): void {
  const problem = vtimezoneProblem(vtz, tzid);
  if (problem) throw invalid(problem);
}

function rulesOf(shared: ResolvedZone): string {
  let rules = sharedRules.get(shared.zone);
  if (rules === undefined) {
    rules = shared.zone.component ? zoneRules(shared.zone.component) : "";
    sharedRules.set(shared.zone, rules);
  }
  return rules;
}

/**
 * The zone of an object's own VTIMEZONE for `tzid`: `shared` (the zone the
 * name stands for, if any) when the definition has its rules, else the
 * definition's own zone. Throws valid-calendar-data for a definition that
 * cannot be used.
 */
export function definedZone(tzid: string, vtz: Component, shared: ResolvedZone | null): ResolvedZone {
  const rules = zoneRules(vtz);
  if (shared && (rules === rulesOf(shared) || (shared.iana === "UTC" && onlyZeroOffsets(vtz)))) return shared;
  const id = `${tzid}\n${rules}`;
  const hit = defined.get(id);
  if (hit) {
    defined.delete(id); // refresh its LRU position
    defined.set(id, hit);
    return hit;
  }
  checkVtimezone(vtz, tzid);
  const base = `${tzid}~${hashText(rules)}`;
  let key = base;
  for (let n = 2; owners.has(key); n++) key = `${base}~${n}`; // another definition's hash: at most MAX_DEFINED rounds
  const zone = guardFarFuture(new ICAL.Timezone({ component: compactVtimezone(vtz), tzid: key }));
  try {
    // Build the transition table now (once per definition) and surface bad rules as invalid data.
    zone.utcOffset(ICAL.Time.fromData({ year: 2020, month: 6, day: 1, hour: 12 }));
  } catch (e) {
    throw invalid(`VTIMEZONE "${tzid}" cannot be evaluated: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (defined.size >= MAX_DEFINED) {
    const [oldId, oldest] = defined.entries().next().value!;
    defined.delete(oldId);
    owners.delete(oldest.key);
    ICAL.TimezoneService.remove(oldest.key);
  }
  const resolved: ResolvedZone = { key, zone, iana: null };
  ICAL.TimezoneService.register(zone, key);
  defined.set(id, resolved);
  owners.set(key, id);
  return resolved;
}

/** How many definitions the registry holds (for tests and diagnostics). */
export function definedCount(): number {
  return defined.size;
}
