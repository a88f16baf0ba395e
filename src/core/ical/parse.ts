// Validates a calendar object resource for PUT, COPY and MOVE and derives its
// index summary. RFC 4791 §4.1 (one VCALENDAR, one component type, one UID, no
// METHOD) and §5.3.2.1 preconditions: valid-calendar-data,
// valid-calendar-object-resource, supported-calendar-component (for component
// types this server has none of), max-attendees-per-instance, min-date-time,
// max-date-time, max-instances. Property rules of RFC 5545 are in component.ts.
import ICAL from "ical.js";
import { C, DavError, precondition } from "../errors.js";
import { COMPONENT_TYPES, invalidData, readComponent, type ComponentType, type ParsedComponent } from "./component.js";
import { checkStructure, parseText } from "./scan.js";
import { MAX_EXPANSION, summarize, type IndexSummary } from "./summary.js";
import { formatUtc, icalTimeToUtcMs } from "./time.js";
import { hoistTimezones } from "./hoist.js";

export type { ComponentType } from "./component.js";
export type { IndexSummary } from "./summary.js";

/** Per-collection limits (RFC 4791 §5.2.6-§5.2.9); omitted = no limit. */
export interface ObjectLimits {
  maxAttendeesPerInstance?: number;
  /** ms since the epoch, UTC. */
  minDateTime?: number;
  /** ms since the epoch, UTC. */
  maxDateTime?: number;
  maxInstances?: number;
}

/** A calendar object parsed for evaluation: what queries, free-busy and calendar-data read of a stored body. */
export interface ParsedCalendar {
  uid: string;
  component: ComponentType;
  /**
   * The parsed VCALENDAR, for evaluation only: its VTIMEZONEs are removed and
   * its TZID parameters rewritten to registry keys (see timezones.ts). Never
   * serialize it as the resource body; the stored bytes are the body.
   */
  vcalendar: ICAL.Component;
  /** The zones its TZID parameters (registry keys) stand for, held by the object whatever the registry evicts. */
  zones: ReadonlyMap<string, ICAL.Timezone>;
  /** The component without RECURRENCE-ID, if any, and the overrides, read and checked. */
  master: ParsedComponent | null;
  overrides: ParsedComponent[];
}

/** A calendar object being written: parsed, validated and summarized for the index. */
export interface CalendarObject extends ParsedCalendar {
  /** Plain and structured-cloneable: goes over RPC and into the index table. */
  index: IndexSummary;
  /** Instances of a bounded recurrence set (1 if not recurring); null if unbounded or too many to count. */
  instances: number | null;
}

const invalidResource = (description: string) => precondition(403, C.validCalendarObjectResource, description);

/** Parses and validates one calendar object resource; throws DavError 403 with the RFC 4791 precondition. */
export function parseCalendarObject(text: string, limits: ObjectLimits = {}): CalendarObject {
  return guarded(() => {
    const { parsed, ...p } = parseChecked(text);
    return { ...p, ...summarized(p, parsed, limits) };
  });
}

/**
 * Parses a stored body for evaluation (calendar-query, expand, free-busy): the checks of a write ran when it was
 * stored, and its index summary, which walks the whole recurrence set, is in its row. So each is parsed once and
 * never summarized again on the read path.
 */
export function parseStoredObject(text: string): ParsedCalendar {
  return guarded(() => {
    const { parsed: _, ...p } = parseChecked(text, true);
    return p;
  });
}

/** A stored body for reading, or undefined when it no longer parses: it passed validation when written, so it then simply holds nothing (no match, no busy time). */
export function parseStoredOrNothing(text: string): ParsedCalendar | undefined {
  try {
    return parseStoredObject(text);
  } catch {
    return undefined;
  }
}

function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    // ical.js throws plain errors on values it cannot read (deep in recurrence rules, time zone
    // rules, durations): in a client's body that is invalid data (403), never a server fault.
    if (e instanceof DavError) throw e;
    throw invalidData(`unreadable iCalendar data: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Parses and checks a body. `stored`: a body that passed every check when it was written, read again for evaluation;
 * the checks that only read its text (line structure, the form of each date value) are not made again, those the
 * evaluation relies on (one master, one UID, readable values) still are.
 */
function parseChecked(text: string, stored = false): ParsedCalendar & { parsed: ParsedComponent[] } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!stored) checkStructure(body, invalidData);
  const vcalendar = new ICAL.Component(parseText(body, invalidData));

  const version = vcalendar.getAllProperties("version");
  if (version.length === 0) throw invalidData("VERSION is missing: expected VERSION:2.0 (RFC 5545 §3.7.4)");
  if (version.length > 1 || String(version[0]!.getFirstValue()).trim() !== "2.0") throw invalidData("VERSION must be 2.0 (RFC 5545 §3.7.4)");
  if (vcalendar.hasProperty("method")) throw invalidResource("a calendar object resource must not contain METHOD (RFC 4791 §4.1)");
  const calscale = vcalendar.getFirstPropertyValue("calscale");
  if (calscale != null && String(calscale).trim().toUpperCase() !== "GREGORIAN") throw invalidData(`CALSCALE:${String(calscale)} is not supported, only GREGORIAN`);

  const zones = hoistTimezones(vcalendar);

  const components: { comp: ICAL.Component; type: ComponentType }[] = [];
  for (const comp of vcalendar.getAllSubcomponents()) {
    const type = comp.name.toUpperCase();
    if ((COMPONENT_TYPES as readonly string[]).includes(type)) components.push({ comp, type: type as ComponentType });
    else if (!type.startsWith("X-")) throw precondition(403, C.supportedCalendarComponent, `${type} components are not supported`);
  }
  const types = [...new Set(components.map((c) => c.type))];
  if (types.length === 0) throw invalidResource("no VEVENT, VTODO, VJOURNAL or VFREEBUSY component (RFC 4791 §4.1)");
  if (types.length > 1) throw invalidResource(`more than one component type (${types.join(", ")}); RFC 4791 §4.1 allows one per resource`);

  const parsed = components.map((c) => readComponent(c.comp, c.type, stored));
  const uid = parsed[0]!.uid;
  const other = parsed.find((p) => p.uid !== uid);
  if (other) throw invalidResource(`components have different UIDs ("${uid}", "${other.uid}"); RFC 4791 §4.1 requires one UID per resource`);

  const masters = parsed.filter((p) => !p.recurrenceId);
  if (masters.length > 1) throw invalidResource(`more than one ${types[0]} without RECURRENCE-ID`);
  const overrides = parsed.filter((p) => p.recurrenceId);
  const seen = new Set<number>();
  for (const o of overrides) {
    const rid = icalTimeToUtcMs(o.recurrenceId!);
    if (seen.has(rid)) throw invalidResource(`two overrides with RECURRENCE-ID ${o.recurrenceId!.toICALString()}`);
    seen.add(rid);
  }

  return { uid, component: types[0]!, vcalendar, zones, master: masters[0] ?? null, overrides, parsed };
}

/** The index summary of a parsed object, checked against the collection's limits (RFC 4791 §5.2.6-§5.2.9). */
function summarized(p: ParsedCalendar, parsed: ParsedComponent[], limits: ObjectLimits): Pick<CalendarObject, "index" | "instances"> {
  const { overrides } = p;
  const max = limits.maxAttendeesPerInstance;
  if (max !== undefined) {
    const crowded = parsed.find((p) => p.attendees > max);
    if (crowded) throw precondition(403, C.maxAttendeesPerInstance, `${crowded.attendees} attendees in one instance; the limit is ${max}`);
  }

  // With a max-instances limit below the expansion cap, stop expanding as soon as it is exceeded.
  const maxInstances = limits.maxInstances;
  const cap = maxInstances !== undefined ? Math.max(1, Math.min(MAX_EXPANSION, maxInstances)) : MAX_EXPANSION;
  const summary = summarize(p.master, overrides, cap);
  const bounded = !p.master || p.master.rrules.every((r) => r.isFinite());
  if (maxInstances !== undefined && bounded) {
    const n = summary.instances;
    if ((n !== null && n > maxInstances) || (summary.truncated && maxInstances <= MAX_EXPANSION)) {
      throw precondition(403, C.maxInstances, `the recurrence set has ${n ?? `more than ${cap}`} instances; the limit is ${maxInstances}`);
    }
  }
  if (limits.minDateTime !== undefined || limits.maxDateTime !== undefined) checkDateLimits(parsed, summary.lastStart, limits);

  return { index: summary.index, instances: summary.instances };
}

/** RFC 4791 §5.2.6 / §5.2.7: every DATE or DATE-TIME value, and the last instance, within [min, max]. */
function checkDateLimits(parsed: ParsedComponent[], lastStart: number | null, limits: ObjectLimits): void {
  const check = (name: string, ms: number) => {
    if (limits.minDateTime !== undefined && ms < limits.minDateTime) {
      throw precondition(403, C.minDateTime, `${name} ${formatUtc(ms)} is before the earliest allowed ${formatUtc(limits.minDateTime)}`);
    }
    if (limits.maxDateTime !== undefined && ms > limits.maxDateTime) {
      throw precondition(403, C.maxDateTime, `${name} ${formatUtc(ms)} is after the latest allowed ${formatUtc(limits.maxDateTime)}`);
    }
  };
  for (const p of parsed) {
    for (const [name, t] of [["DTSTART", p.dtstart], ["DTEND", p.dtend], ["DUE", p.due], ["RECURRENCE-ID", p.recurrenceId]] as const) {
      if (t) check(name, icalTimeToUtcMs(t));
    }
    for (const rd of p.rdates) {
      if (rd instanceof ICAL.Period) {
        check("RDATE", icalTimeToUtcMs(rd.start));
        check("RDATE", icalTimeToUtcMs(rd.getEnd()));
      } else check("RDATE", icalTimeToUtcMs(rd));
    }
    for (const ex of p.exdates) check("EXDATE", icalTimeToUtcMs(ex));
  }
  if (lastStart !== null) check("the last instance", lastStart);
}

export { parseCalendarTimezone, type CalendarTimezone } from "./calendar-timezone.js";
