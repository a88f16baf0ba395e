// One timezone registry for the whole isolate (RFC 5545 §3.2.19 TZID, §3.6.5
// VTIMEZONE; RFC 4791 §4.1 and §5.2.2; RFC 7809 §3 IANA names).
//
// ical.js rebuilds a DST table for every VCALENDAR that embeds a VTIMEZONE,
// and silently treats a TZID it cannot resolve as floating time. So every
// zone lives here, built once, registered in ICAL.TimezoneService:
//  - a TZID with a definition in the object uses that definition, whatever
//    its name (RFC 5545 §3.6.5): defined-zones.ts keys those by the
//    definition, so one with the IANA zone's rules shares the IANA zone, and
//    one with other rules (a historic or non-standard one) gets its own. An
//    IANA or UTC name whose definition defines nothing usable (no
//    observances, rules that do not recur yearly, too many of them) falls
//    back to the name;
//  - IANA names (and their aliases, and UTC) without a definition come from
//    timezones-ical-library, loaded lazily on first use;
//  - a TZID without a definition may still name a zone: a common Windows name,
//    a different letter case, or a path ending in an IANA name (Lightning's
//    "/mozilla.org/20050126_1/Europe/Berlin");
//  - anything else is unknown, and the object is rejected (never floating).
// hoist.ts applies this registry to a parsed VCALENDAR.
import ICAL from "ical.js";
import { tzlib_get_ical_block, tzlib_get_timezones } from "timezones-ical-library";
import { definedZone, touchDefined } from "./defined-zones.js";
import { guardFarFuture, vtimezoneProblem } from "./vtimezone.js";
import { WINDOWS_ZONES } from "./windows-zones.js";

export { checkVtimezone, hashText } from "./defined-zones.js";

type Timezone = ICAL.Timezone;
type Component = ICAL.Component;

export interface ResolvedZone {
  /** The name the zone is registered under in ICAL.TimezoneService. */
  key: string;
  zone: Timezone;
  /** The IANA name when the zone is an IANA zone (or UTC), else null. */
  iana: string | null;
}

const UTC_NAMES = new Set([
  "UTC", "Z", "GMT", "UCT", "Zulu", "Universal", "Greenwich", "GMT0", "GMT+0", "GMT-0",
  "Etc/UTC", "Etc/GMT", "Etc/UCT", "Etc/Zulu", "Etc/Universal", "Etc/Greenwich", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
]);

/** Trims whitespace and surrounding quotes, which some clients leave in TZID values. */
export function normalizeTzid(raw: string): string {
  let s = raw.trim();
  while (s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))) {
    s = s.slice(1, -1).trim();
  }
  return s;
}

let ianaSet: Set<string> | null = null;
let ianaLower: Map<string, string> | null = null;

function ianaNames(): Set<string> {
  if (!ianaSet) {
    const list = tzlib_get_timezones();
    ianaSet = new Set(Array.isArray(list) ? list : (JSON.parse(list) as string[]));
    ianaLower = new Map([...ianaSet].map((n) => [n.toLowerCase(), n]));
  }
  return ianaSet;
}

/** Every IANA zone name the registry knows, sorted (the web page offers them for a calendar's and a person's timezone). */
export function ianaZoneNames(): string[] {
  return [...ianaNames()].sort();
}

/** True if `name` is exactly an IANA zone name (or alias) known to the registry. */
export function isIanaName(name: string): boolean {
  return UTC_NAMES.has(name) || ianaNames().has(name);
}

/**
 * The IANA name a TZID stands for when the object carries no definition of it:
 * the name itself, a common Windows name, another letter case, or a path-like
 * TZID ending in an IANA name. Null if none.
 */
export function ianaNameFor(tzid: string): string | null {
  const n = normalizeTzid(tzid);
  if (isIanaName(n)) return n;
  const win = WINDOWS_ZONES[n];
  if (win) return win;
  const lower = n.toLowerCase();
  const ci = ianaLower?.get(lower);
  if (ci) return ci;
  for (const u of UTC_NAMES) if (u.toLowerCase() === lower) return "UTC";
  const parts = n.split("/").filter((p) => p !== "");
  for (const k of [3, 2]) {
    if (parts.length > k) {
      const tail = parts.slice(-k).join("/");
      if (ianaNames().has(tail)) return tail;
    }
  }
  return null;
}

const ianaZones = new Map<string, Timezone>();

/**
 * The shared ICAL.Timezone for an exact IANA name (aliases and UTC names
 * included), registered in ICAL.TimezoneService under that name. Null if the
 * name is not an IANA name (see ianaNameFor() for lenient lookups).
 */
export function ianaTimezone(name: string): Timezone | null {
  const cached = ianaZones.get(name);
  if (cached) return cached;
  let zone: Timezone;
  if (UTC_NAMES.has(name)) {
    zone = ICAL.Timezone.utcTimezone;
  } else {
    const text = tzlibBlock(name);
    if (!text) return null;
    const comp = new ICAL.Component(ICAL.parse(text) as unknown[]);
    const canonical = String(comp.getFirstPropertyValue("tzid") ?? name);
    zone = (canonical !== name && ianaZones.get(canonical)) || guardFarFuture(new ICAL.Timezone({ component: comp, tzid: canonical }));
    if (!ianaZones.has(canonical)) register(canonical, zone);
  }
  register(name, zone);
  return zone;
}

function register(key: string, zone: Timezone): void {
  ianaZones.set(key, zone);
  ICAL.TimezoneService.register(zone, key);
}

function tzlibBlock(name: string): string | null {
  if (!ianaNames().has(name)) return null;
  const block = tzlib_get_ical_block(name);
  const text = Array.isArray(block) ? block[0] : block;
  return text ? text : null;
}

/**
 * The VTIMEZONE block (text, CRLF, no VCALENDAR, no final CRLF) for an IANA
 * name, with TZID set to that name even when it is an alias; null if unknown.
 */
export function ianaVtimezoneText(name: string): string | null {
  const text = tzlibBlock(name);
  return text ? text.replace(/^TZID:.*$/m, `TZID:${name}`) : null;
}

const UTC: ResolvedZone = { key: "UTC", zone: ICAL.Timezone.utcTimezone, iana: "UTC" };

/** Definitions already resolved, by TZID and exact text (a few hundred bytes each), oldest first out. */
const resolvedDefinitions = new Map<string, ResolvedZone>();
const MAX_RESOLVED_DEFINITIONS = 256;

/** The zone an exact UTC or IANA name (or alias) stands for, or null. */
function namedZone(n: string): ResolvedZone | null {
  if (UTC_NAMES.has(n)) return UTC;
  if (!ianaNames().has(n)) return null;
  const zone = ianaTimezone(n);
  return zone ? { key: n, zone, iana: n } : null;
}

/**
 * Resolves a TZID, with the object's own VTIMEZONE for it if there is one:
 * the definition governs (see defined-zones.ts), then an exact IANA or UTC
 * name, then the lenient name mapping. Null if the TZID names no zone at all.
 * Throws valid-calendar-data for a definition that cannot be used under a
 * name that is not an IANA or UTC name.
 */
export function resolveTimezone(tzid: string, embedded?: Component | null): ResolvedZone | null {
  const n = normalizeTzid(tzid);
  const named = namedZone(n);
  if (embedded) {
    // Every object of a client carries the same definition: what it resolved to is remembered by its exact text,
    // so the rules are compared once, not on every parse (the own zone only while the registry still holds it).
    const text = `${n}\u0000${JSON.stringify(embedded.jCal)}`;
    const hit = resolvedDefinitions.get(text);
    if (hit && (hit.iana !== null || touchDefined(hit.key))) return hit;
    // A definition that defines nothing usable, under a name that does: the name (lenient, nothing at risk).
    const resolved = named && vtimezoneProblem(embedded, n) ? named : definedZone(n, embedded, named);
    resolvedDefinitions.delete(text);
    if (resolvedDefinitions.size >= MAX_RESOLVED_DEFINITIONS) resolvedDefinitions.delete(resolvedDefinitions.keys().next().value!);
    resolvedDefinitions.set(text, resolved);
    return resolved;
  }
  if (named) return named;
  const iana = ianaNameFor(n);
  if (iana) {
    const zone = ianaTimezone(iana);
    if (zone) return { key: iana, zone, iana };
  }
  return null;
}

/** The shared zone for a registry key returned by hoistTimezones()/resolveTimezone(). */
export function timezoneByKey(key: string): Timezone | null {
  return ICAL.TimezoneService.get(key) ?? null;
}

