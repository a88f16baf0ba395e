// What counts as a change, per component. The timing of an instance (DTSTART,
// DTEND/DURATION/DUE, RRULE, RDATE: a reschedule, RFC 6638 §3.2.8) and its
// content (SUMMARY, LOCATION, DESCRIPTION, STATUS, and the meeting URL and
// CONFERENCE that attendees act on) make up the "significant" properties
// whose change calls for a new REQUEST and a new SEQUENCE (RFC 5546 §2.1.4).
// Times are compared as instants, so any TZID spelling of the same time is
// equal. Also a whole-component fingerprint for the attendee change rules of
// RFC 6638 §3.2.2.1 and the "participation status only" test of §3.2.10.
import ICAL from "ical.js";
import { icalTimeToUtcMs } from "../ical/time.js";
import { hashText } from "../ical/timezones.js";
import { zoneIdentity } from "../ical/zone-identity.js";
import { normAddress, timeKey } from "./calendar.js";

type Comp = ICAL.Component;

const CONTENT = ["summary", "location", "description", "status", "url", "conference"];
const TIMING = new Set(["dtstart", "dtend", "duration", "due", "rrule", "rdate", "exdate", "recurrence-id"]);

export interface InstanceKeys {
  start: string;
  duration: string;
  timing: string;
  content: string;
  significant: string;
  exdates: string[];
  cancelled: boolean;
}

const timeOf = (c: Comp, name: string): ICAL.Time | null => {
  const v = c.getFirstPropertyValue(name);
  return v instanceof ICAL.Time ? v : null;
};

/** End minus start in ms; "due:<key>" for a VTODO with DUE but no DTSTART; "" without an end. */
export function durationKey(c: Comp): string {
  const start = timeOf(c, "dtstart");
  const end = timeOf(c, "dtend") ?? timeOf(c, "due");
  const dur = c.getFirstPropertyValue("duration");
  if (start && end) return String(icalTimeToUtcMs(end) - icalTimeToUtcMs(start));
  if (start && dur instanceof ICAL.Duration) {
    const e = start.clone();
    e.addDuration(dur);
    return String(icalTimeToUtcMs(e) - icalTimeToUtcMs(start));
  }
  return end ? `due:${timeKey(end)}` : "";
}

/** An RRULE independent of how it is written: defaults dropped (by ical.js), parts and list values in order. */
function recurKey(rule: ICAL.Recur): string {
  const data = rule.toJSON() as unknown as Record<string, unknown>;
  return JSON.stringify(Object.keys(data).sort().map((k) => [k, Array.isArray(data[k]) ? (data[k] as unknown[]).map(String).sort() : data[k]]));
}

function recurrenceKeys(c: Comp): string[] {
  const rules = c.getAllProperties("rrule").map((p) => recurKey(p.getFirstValue() as ICAL.Recur));
  const rdates = c.getAllProperties("rdate").flatMap((p) =>
    (p.getValues() as (ICAL.Time | ICAL.Period)[]).map((v) => (v instanceof ICAL.Period ? `${timeKey(v.start)}/${timeKey(v.getEnd())}` : timeKey(v))),
  );
  return [...rules.sort(), ...rdates.sort()];
}

export function exdateKeys(c: Comp): string[] {
  const keys = c.getAllProperties("exdate").flatMap((p) => (p.getValues() as ICAL.Time[]).map((t) => timeKey(t)));
  return [...new Set(keys)].sort();
}

/** The change keys of one hoisted component. */
export function instanceKeys(c: Comp): InstanceKeys {
  const startTime = timeOf(c, "dtstart");
  const start = startTime ? timeKey(startTime) : "";
  const duration = durationKey(c);
  const recur = recurrenceKeys(c);
  // A recurrence set follows its zone's rules: moving it to another zone is a reschedule.
  const zone = recur.length && startTime && !startTime.isDate ? zoneIdentity(startTime.zone, startTime) : "";
  const timing = hashText(JSON.stringify([start, duration, zone, recur]));
  const content = hashText(JSON.stringify(CONTENT.map((n) => c.getAllProperties(n).map((p) => p.getValues().map(String)))));
  const status = String(c.getFirstPropertyValue("status") ?? "").trim().toUpperCase();
  return { start, duration, timing, content, significant: hashText(`${timing}|${content}`), exdates: exdateKeys(c), cancelled: status === "CANCELLED" };
}

export interface FingerprintOptions {
  /** Instance mode: leave out recurrence and times, describe the instance by start (relative to RECURRENCE-ID) and duration. */
  instance: boolean;
  /** Property names (lower-case) to leave out; X- properties and VALARMs are always left out. */
  ignore: ReadonlySet<string>;
  /**
   * Count the Organizer's parameters of every ATTENDEE but this address (the copy's owner, whose own line is
   * theirs to change): RFC 6638 §3.2.2.1 leaves an Attendee only their own participation.
   */
  attendeeParamsExcept?: string;
}

/**
 * ATTENDEE parameters only the Organizer sets, with the value an absent one means (RFC 5545 §3.2); null: no
 * default, so a client that drops it changes nothing (dropping is repaired, not refused). RSVP is left out:
 * clients rewrite it freely and it says nothing about anyone's participation.
 */
const ORGANIZER_PARAMS: ReadonlyArray<[string, string | null]> = [
  ["partstat", "NEEDS-ACTION"], ["role", "REQ-PARTICIPANT"], ["cutype", "INDIVIDUAL"],
  ["cn", null], ["delegated-to", null], ["delegated-from", null], ["sent-by", null], ["member", null],
];
const CASELESS = new Set(["partstat", "role", "cutype"]);

/** The Organizer's parameters of an ATTENDEE as "name=value" lines; an absent parameter without default gives none. */
function attendeeParams(p: ICAL.Property): string[] {
  const params = p.jCal[1] as Record<string, unknown>;
  const out: string[] = [];
  for (const [name, fallback] of ORGANIZER_PARAMS) {
    const raw = params[name];
    if (raw === undefined && fallback === null) continue;
    const value = raw === undefined ? fallback! : Array.isArray(raw) ? raw.map(String).map(normAddressIfUri).sort().join(",") : String(raw);
    out.push(`${name}=${CASELESS.has(name) ? value.toUpperCase() : normAddressIfUri(value)}`);
  }
  return out;
}

/** Prefix of a fingerprint line of another ATTENDEE's parameter: only its appearance (a new or changed value) counts. */
const PARAM_LINE = "~attendee:";

const normAddressIfUri = (v: string): string => (/^[a-z][a-z0-9+.-]*:/i.test(v.trim()) ? normAddress(v) : v);

/**
 * The organizer-controlled data of a component as sorted lines. ATTENDEE and
 * ORGANIZER count by address only (parameters such as PARTSTAT are compared
 * elsewhere). Two components with equal fingerprints differ only in
 * per-user data.
 */
export function fingerprint(c: Comp, rid: string, opts: FingerprintOptions): string[] {
  const out: string[] = [];
  for (const p of c.getAllProperties()) {
    const name = p.name;
    if (opts.ignore.has(name) || name.startsWith("x-") || TIMING.has(name)) continue;
    if (name === "attendee" || name === "organizer") {
      const address = normAddress(p.getFirstValue());
      out.push(`${name}:${address}`);
      if (name === "attendee" && opts.attendeeParamsExcept !== undefined && address !== opts.attendeeParamsExcept) {
        for (const param of attendeeParams(p)) out.push(`${PARAM_LINE}${address};${param}`);
      }
      continue;
    }
    const params = Object.entries(p.jCal[1] as Record<string, unknown>).filter(([k]) => !k.startsWith("x-")).sort();
    out.push(`${name};${JSON.stringify(params)}:${JSON.stringify(p.jCal.slice(3))}`);
  }
  const k = instanceKeys(c);
  if (opts.instance) {
    out.push(`@start:${k.start === rid || (rid === "" && k.start !== "") ? "rid" : k.start}`, `@duration:${k.duration}`);
  } else {
    out.push(`@timing:${k.timing}`, `@rid:${rid}`);
  }
  for (const sub of c.getAllSubcomponents()) {
    if (sub.name !== "valarm") out.push(`@sub:${JSON.stringify(sub.jCal)}`);
  }
  return out.sort();
}

/**
 * The first line in one fingerprint and not the other, as a property name for error messages; null if equal.
 * `a` is the old side: another ATTENDEE's parameter missing from `b` was dropped by the client, not changed.
 */
export function firstDifference(a: string[], b: string[]): string | null {
  const sa = new Set(a);
  const sb = new Set(b);
  const d = a.find((x) => !sb.has(x) && !x.startsWith(PARAM_LINE)) ?? b.find((x) => !sa.has(x));
  if (d === undefined) return null;
  if (d.startsWith(PARAM_LINE)) {
    const [address, param] = d.slice(PARAM_LINE.length).split(";");
    return `${param!.split("=")[0]!.toUpperCase()} of the ATTENDEE ${address}`;
  }
  const name = d.startsWith("@") ? d.slice(1).split(":")[0]! : d.split(/[;:]/)[0]!;
  const readable: Record<string, string> = { start: "DTSTART", duration: "DTEND/DURATION", timing: "DTSTART/DTEND/RRULE/RDATE", sub: "a subcomponent", rid: "RECURRENCE-ID" };
  return readable[name] ?? name.toUpperCase();
}
