// Applies the timezone registry (timezones.ts) to one parsed VCALENDAR before
// any of its dates is read: registers the zones its TZIDs name, removes its
// VTIMEZONE components (RFC 5545 §3.6.5) and rewrites every TZID parameter
// (§3.2.19) to its registry key, so that times are evaluated against shared,
// prebuilt DST tables and an unknown TZID is rejected (RFC 4791 §5.3.2.1
// valid-calendar-data) instead of turning floating. The object's own
// VTIMEZONE for a TZID governs it, even under an IANA name (timezones.ts).
// In memory only: the stored bytes are never changed.
import type ICAL from "ical.js";
import { C, precondition } from "../errors.js";
import { metered } from "./recur-guard.js";
import { normalizeTzid, resolveTimezone } from "./timezones.js";
import { ZONE_STEPS } from "./vtimezone.js";

type Component = ICAL.Component;

const invalid = (description: string) => precondition(403, C.validCalendarData, description);

/**
 * Steps building the zones of one object may take (recur-guard.ts): a few
 * new definitions at their most. A usual object builds one or two of some
 * 550 steps each, once per isolate; a body with hundreds of hostile
 * definitions stops here.
 */
const OBJECT_ZONE_STEPS = 2.5 * ZONE_STEPS;

/** Raw jCal: [name, {params}, type, ...values] for properties, [name, props, comps] for components. */
type JCalComponent = [string, [string, Record<string, unknown>, ...unknown[]][], JCalComponent[]];

/**
 * Registers the zones a parsed VCALENDAR uses, removes its VTIMEZONEs, and
 * rewrites every TZID parameter to its registry key. Call it before reading any
 * date value. Throws valid-calendar-data for a TZID that names no zone.
 * Returns the zones the object uses, by registry key: the object holds on to
 * them, whatever the registry evicts meanwhile.
 */
export function hoistTimezones(vcalendar: Component): Map<string, ICAL.Timezone> {
  const embedded = new Map<string, Component>();
  for (const vtz of vcalendar.getAllSubcomponents("vtimezone")) {
    const id = vtz.getFirstPropertyValue("tzid");
    if (typeof id !== "string" || normalizeTzid(id) === "") throw invalid("a VTIMEZONE has no TZID");
    embedded.set(normalizeTzid(id), vtz);
    vcalendar.removeSubcomponent(vtz);
  }
  const keys = new Map<string, string>();
  const zones = new Map<string, ICAL.Timezone>();
  const visit = (comp: JCalComponent): void => {
    for (const prop of comp[1]) {
      const raw = prop[1]["tzid"];
      // A TZID only matters on DATE-TIME and PERIOD values (RFC 5545 §3.2.19); elsewhere it is ignored.
      if (raw === undefined || (prop[2] !== "date-time" && prop[2] !== "period")) continue;
      if (typeof raw !== "string") throw invalid(`${prop[0].toUpperCase()} has more than one TZID`);
      let key = keys.get(raw);
      if (key === undefined) {
        const n = normalizeTzid(raw);
        const resolved = resolveTimezone(n, embedded.get(n));
        if (!resolved) {
          throw invalid(`unknown TZID "${raw}" in ${prop[0].toUpperCase()}: no VTIMEZONE for it in the object, and it is not an IANA time zone name`);
        }
        key = resolved.key;
        keys.set(raw, key);
        zones.set(key, resolved.zone);
      }
      if (key !== raw) prop[1]["tzid"] = key;
    }
    for (const sub of comp[2]) visit(sub);
  };
  if (!metered(OBJECT_ZONE_STEPS, () => visit(vcalendar.jCal as unknown as JCalComponent))) {
    throw invalid(`the object's VTIMEZONEs take more than ${OBJECT_ZONE_STEPS} steps to evaluate`);
  }
  return zones;
}
