// The zones objects define for themselves (RFC 5545 §3.6.5 VTIMEZONE, §3.2.19:
// a TZID refers to the object's own VTIMEZONE, even when the TZID is also an
// IANA name). Part of the registry of timezones.ts, keyed by the definition:
//  - a definition whose rules (vtimezone.ts zoneRules(): what ical.js reads,
//    compared as text) are those of the shared zone its name stands for (the
//    IANA zone, or UTC for a definition with only zero offsets) uses that
//    shared zone, so objects that embed the usual definition share its
//    prebuilt DST tables;
//  - any other definition gets a zone of its own, registered in
//    ICAL.TimezoneService under "<TZID>~<hash of the definition's text>",
//    built once per text and shared by every object that has it. The name
//    stays the same for the same text in every isolate and release
//    (scheduling fingerprints name zones by it); an entry is used only when
//    its rules are exactly the definition's, never on the hash alone, so no
//    client can make its definition stand in for another's.
// Any client can fill this with definitions, so it holds at most MAX_DEFINED
// of them, least recently used first out (a zone's table holds at most
// vtimezone.ts MAX_TRANSITIONS transitions, some 100 KB for a usual zone). A
// definition whose table cannot be built within its bounds is kept too, as
// its problem, so that reading a stored object never builds it again. A
// parsed object keeps its zones (through its times and CalendarObject.zones),
// so evicting only costs a rebuild later.
import ICAL from "ical.js";
import { C, precondition } from "../errors.js";
import type { ResolvedZone } from "./timezones.js";
import { StepLimit } from "./recur-guard.js";
import { compactVtimezone, completeTable, guardFarFuture, onlyZeroOffsets, vtimezoneProblem, zoneRules } from "./vtimezone.js";

type Component = ICAL.Component;

const invalid = (description: string) => precondition(403, C.validCalendarData, description);

export const MAX_DEFINED = 64;

interface Entry {
  rules: string;
  /** The zone built for the definition, or why building it failed (kept too, so that no read of a stored object builds it again). */
  resolved: ResolvedZone | null;
  problem: string | null;
}

/** Registry key → the zone built for it (or its problem) and its rules, least recently used first. */
const defined = new Map<string, Entry>();
/** The TZID each zone of its own was defined for. */
const definedFor = new WeakMap<ICAL.Timezone, string>();
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
  const base = `${tzid}~${hashText(JSON.stringify(vtz.jCal))}`;
  let key = base;
  for (let n = 2; ; n++) {
    const hit = defined.get(key);
    if (!hit) break;
    if (hit.rules === rules) {
      defined.delete(key); // refresh its LRU position
      defined.set(key, hit);
      if (hit.problem !== null) throw invalid(hit.problem);
      return hit.resolved!;
    }
    key = `${base}~${n}`; // another definition under the same hash: at most MAX_DEFINED rounds
  }
  checkVtimezone(vtz, tzid); // a structural problem is cheap to find again: not kept
  const built = build(tzid, vtz, key);
  if (defined.size >= MAX_DEFINED) {
    const oldest = defined.keys().next().value!;
    defined.delete(oldest);
    ICAL.TimezoneService.remove(oldest);
  }
  defined.set(key, { rules, ...built });
  if (built.problem !== null) throw invalid(built.problem);
  ICAL.TimezoneService.register(built.resolved!.zone, key);
  definedFor.set(built.resolved!.zone, tzid);
  return built.resolved!;
}

/** Builds the zone of a checked definition under `key`, or says why it cannot be used. */
function build(tzid: string, vtz: Component, key: string): { resolved: ResolvedZone | null; problem: string | null } {
  const zone = guardFarFuture(new ICAL.Timezone({ component: compactVtimezone(vtz), tzid: key }));
  try {
    // The whole transition table now (once per definition), bounded; bad rules are invalid data.
    const tooMany = completeTable(zone, tzid);
    if (tooMany) return { resolved: null, problem: tooMany };
  } catch (e) {
    if (e instanceof StepLimit) throw e; // an enclosing budget ran out: its owner answers
    return { resolved: null, problem: `VTIMEZONE "${tzid}" cannot be evaluated: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { resolved: { key, zone, iana: null }, problem: null };
}

/** The TZID a zone of an object's own definition was built for; undefined for shared zones. */
export function definedName(zone: ICAL.Timezone): string | undefined {
  return definedFor.get(zone);
}

/** Marks a zone of the registry as just used (least recently used goes first); false when it was evicted. */
export function touchDefined(key: string): boolean {
  const hit = defined.get(key);
  if (!hit || hit.problem !== null) return false;
  defined.delete(key);
  defined.set(key, hit);
  return true;
}

/** How many definitions the registry holds (for tests and diagnostics). */
export function definedCount(): number {
  return defined.size;
}
