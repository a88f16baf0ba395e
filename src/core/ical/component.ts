// Reads and checks one calendar component (VEVENT, VTODO, VJOURNAL, VFREEBUSY)
// of a calendar object resource: the property rules of RFC 5545 §3.6.1-§3.6.4
// and §3.8 that RFC 4791 §5.3.2.1 (CALDAV:valid-calendar-data) relies on.
// Every date value is checked against its value type (§3.3.4, §3.3.5, §3.3.9)
// and decorated once, after hoistTimezones() has resolved its TZID.
// A VTODO with RRULE or RDATE and DUE but no DTSTART (valid in RFC 2445,
// common in older task data) recurs from its DUE, as Apple's CalendarServer
// and Cyrus read it: its `anchor` is DUE, and RDATE, EXDATE and RECURRENCE-ID
// values line up with DUE (RFC 5545 §3.8.5.3 anchors the set on DTSTART).
import ICAL from "ical.js";
import { C, precondition } from "../errors.js";
import { daysInMonth, icalTimeToUtcMs } from "./time.js";

type Time = ICAL.Time;
type Period = ICAL.Period;

export type ComponentType = "VEVENT" | "VTODO" | "VJOURNAL" | "VFREEBUSY";
export const COMPONENT_TYPES: readonly ComponentType[] = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"];

/** What the rest of the module needs from one component, read once. */
export interface ParsedComponent {
  comp: ICAL.Component;
  type: ComponentType;
  uid: string;
  dtstart: Time | null;
  dtend: Time | null;
  due: Time | null;
  duration: ICAL.Duration | null;
  recurrenceId: Time | null;
  /**
   * Where the recurrence set starts, and the time each instance is placed by:
   * DTSTART, or DUE for a VTODO without DTSTART (its instances then have a
   * DUE and no DTSTART); null when the component has neither.
   */
  anchor: Time | null;
  /** RECURRENCE-ID;RANGE=THISANDFUTURE (RFC 5545 §3.2.13). */
  thisAndFuture: boolean;
  rrules: ICAL.Recur[];
  rdates: (Time | Period)[];
  exdates: Time[];
  completed: Time | null;
  created: Time | null;
  freebusy: Period[];
  attendees: number;
  /** The busy time each instance of a VEVENT holds (RFC 4791 §7.10); FREE for the other types. */
  busy: BusyCode;
}

/**
 * How an event's instance counts for free-busy (RFC 4791 §7.10, RFC 5545 §3.2.9): FREE when TRANSP:TRANSPARENT or
 * STATUS:CANCELLED, TENTATIVE when STATUS:TENTATIVE, else BUSY. Kept in the index (a number in SQLite).
 */
export const BUSY = { FREE: 0, TENTATIVE: 1, BUSY: 2 } as const;
export type BusyCode = (typeof BUSY)[keyof typeof BUSY];

const upperValue = (comp: ICAL.Component, name: string): string => {
  const v = comp.getFirstPropertyValue(name);
  return typeof v === "string" ? v.trim().toUpperCase() : "";
};

/** The BusyCode of one VEVENT component. */
export function eventBusy(comp: ICAL.Component): BusyCode {
  if (upperValue(comp, "transp") === "TRANSPARENT") return BUSY.FREE;
  const status = upperValue(comp, "status");
  if (status === "CANCELLED") return BUSY.FREE;
  return status === "TENTATIVE" ? BUSY.TENTATIVE : BUSY.BUSY;
}

export const invalidData = (description: string) => precondition(403, C.validCalendarData, description);

type DateType = "date" | "date-time" | "period";
const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z?$/;
const DATE = /^(\d{4})-(\d\d)-(\d\d)$/;

function validDate(s: unknown, withTime: boolean): boolean {
  if (typeof s !== "string") return false;
  const m = (withTime ? DATE_TIME : DATE).exec(s);
  if (!m) return false;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = m.slice(1).map(Number) as number[];
  return mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= daysInMonth(y!, mo!) && h <= 23 && mi <= 59 && sec <= 60;
}

function validDuration(s: unknown): boolean {
  if (typeof s !== "string" || !/^[+-]?P/.test(s)) return false;
  try {
    ICAL.Duration.fromString(s);
    return true;
  } catch {
    return false;
  }
}

const shown = (v: unknown) => (typeof v === "string" ? v.replace(/[-:]/g, "") : JSON.stringify(v));

export class ComponentReader {
  readonly where: string;

  /** `stored`: a body checked when it was written; its date values are not matched against their form again. */
  constructor(readonly comp: ICAL.Component, readonly type: ComponentType, readonly stored = false) {
    const uid = comp.getFirstPropertyValue("uid");
    this.where = typeof uid === "string" && uid ? `${type} "${uid}"` : type;
  }

  fail(message: string): never {
    throw invalidData(`${this.where}: ${message}`);
  }

  /** The one property `name`, or null; more than one is invalid (RFC 5545 §3.6: "MUST NOT occur more than once"). */
  single(name: string): ICAL.Property | null {
    const all = this.comp.getAllProperties(name);
    if (all.length > 1) this.fail(`more than one ${name.toUpperCase()}`);
    return all[0] ?? null;
  }

  /** Checks every value of a date property against its value type and returns them decorated. */
  dates(prop: ICAL.Property, allowed: readonly DateType[]): (Time | Period)[] {
    const name = prop.name.toUpperCase();
    const type = prop.type as DateType;
    if (!allowed.includes(type)) this.fail(`${name} has value type ${String(prop.type).toUpperCase()}, expected ${allowed.join(" or ").toUpperCase()}`);
    const raw = prop.jCal.slice(3);
    if (raw.length === 0) this.fail(`${name} has no value`);
    if (!this.stored) for (const v of raw) {
      const ok = type === "period"
        ? Array.isArray(v) && validDate(v[0], true) && (validDate(v[1], true) || validDuration(v[1]))
        : validDate(v, type === "date-time");
      if (!ok) {
        const hint = type === "date-time" && typeof v === "string" && /^\d{4}-\d\d-\d\dT::$/.test(v) ? " (an all-day value needs VALUE=DATE)" : "";
        this.fail(`${name} value "${shown(v)}" is not a valid ${type.toUpperCase()}${hint}`);
      }
    }
    try {
      return prop.getValues() as (Time | Period)[];
    } catch (e) {
      return this.fail(`${name} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  date(name: string, allowed: readonly DateType[] = ["date", "date-time"]): Time | null {
    const prop = this.single(name);
    if (!prop) return null;
    const values = this.dates(prop, allowed);
    if (values.length > 1) this.fail(`${name.toUpperCase()} has more than one value`);
    return values[0] as Time;
  }

  allDates(name: string, allowed: readonly DateType[]): (Time | Period)[] {
    return this.comp.getAllProperties(name).flatMap((p) => this.dates(p, allowed));
  }
}

/** Reads one component and enforces the RFC 5545 rules on its dates, duration and recurrence. */
export function readComponent(comp: ICAL.Component, type: ComponentType, stored = false): ParsedComponent {
  const r = new ComponentReader(comp, type, stored);
  const uidProp = r.single("uid");
  const uid = uidProp ? String(uidProp.getFirstValue() ?? "").trim() : "";
  if (!uid) r.fail("UID is missing (RFC 5545 §3.8.4.7)");

  const dtstart = r.date("dtstart");
  const dtend = type === "VTODO" || type === "VJOURNAL" ? null : r.date("dtend");
  const due = type === "VTODO" ? r.date("due") : null;
  const durationProp = type === "VEVENT" || type === "VTODO" ? r.single("duration") : null;
  const recurrenceIdProp = r.single("recurrence-id");
  const recurrenceId = recurrenceIdProp ? (r.dates(recurrenceIdProp, ["date", "date-time"])[0] as Time) : null;
  const range = recurrenceIdProp?.getParameter("range");
  if (range !== undefined && String(range).toUpperCase() !== "THISANDFUTURE") r.fail(`RECURRENCE-ID has RANGE=${String(range)}; only THISANDFUTURE exists (RFC 5545 §3.2.13)`);

  let duration: ICAL.Duration | null = null;
  if (durationProp) {
    try {
      duration = durationProp.getFirstValue() as ICAL.Duration;
    } catch {
      r.fail(`DURATION value "${String(durationProp.jCal[3])}" is not a valid duration (RFC 5545 §3.3.6)`);
    }
    if (!duration || duration.isNegative) r.fail("DURATION must not be negative");
  }

  if (type === "VEVENT") {
    if (!dtstart) r.fail("DTSTART is required in a VEVENT when the object has no METHOD (RFC 5545 §3.6.1)");
    if (dtend && duration) r.fail("DTEND and DURATION must not both occur (RFC 5545 §3.6.1)");
  }
  if (type === "VTODO") {
    if (due && duration) r.fail("DUE and DURATION must not both occur (RFC 5545 §3.6.2)");
    if (duration && !dtstart) r.fail("DURATION requires DTSTART (RFC 5545 §3.6.2)");
  }
  if (dtstart && dtend) {
    if (dtend.isDate !== dtstart.isDate) r.fail("DTEND must have the same value type (DATE or DATE-TIME) as DTSTART (RFC 5545 §3.8.2.2)");
    if (icalTimeToUtcMs(dtend) < icalTimeToUtcMs(dtstart)) r.fail("DTEND is before DTSTART (RFC 5545 §3.8.2.2)");
  }
  if (type === "VFREEBUSY" && dtstart && dtend && dtstart.isDate) r.fail("DTSTART and DTEND of a VFREEBUSY must be DATE-TIME values");

  const rrules = comp.getAllProperties("rrule").map((p): ICAL.Recur => {
    const rule = p.getFirstValue() as ICAL.Recur | null;
    if (!rule || !rule.freq) return r.fail("RRULE has no FREQ (RFC 5545 §3.3.10)");
    if (rule.count != null && rule.until != null) r.fail("RRULE must not have both COUNT and UNTIL (RFC 5545 §3.3.10)");
    if (rule.interval != null && !(rule.interval >= 1)) r.fail("RRULE INTERVAL must be a positive integer");
    if (rule.count != null && !(rule.count >= 1)) r.fail("RRULE COUNT must be a positive integer");
    return rule;
  });
  const rdates = r.allDates("rdate", ["date", "date-time", "period"]);
  const exdates = r.allDates("exdate", ["date", "date-time"]) as Time[];
  if ((rrules.length > 0 || rdates.length > 0) && !dtstart) {
    if (type !== "VTODO" || !due) r.fail("RRULE and RDATE require DTSTART (RFC 5545 §3.8.5), or DUE in a VTODO (RFC 2445)");
    if (rdates.some((d) => d instanceof ICAL.Period)) r.fail("RDATE;VALUE=PERIOD needs DTSTART: a VTODO that recurs from its DUE takes DATE or DATE-TIME RDATEs");
  }

  const completed = type === "VTODO" ? r.date("completed", ["date-time"]) : null;
  const created = type === "VTODO" ? r.date("created", ["date-time"]) : null;
  const freebusy = type === "VFREEBUSY" ? (r.allDates("freebusy", ["period"]) as Period[]) : [];

  let attendees = 0;
  for (const p of comp.jCal[1] as unknown[][]) if (p[0] === "attendee") attendees++;

  return {
    comp, type, uid, dtstart, dtend, due, duration, recurrenceId,
    anchor: dtstart ?? (type === "VTODO" ? due : null),
    thisAndFuture: range !== undefined, rrules, rdates, exdates, completed, created, freebusy, attendees,
    busy: type === "VEVENT" ? eventBusy(comp) : BUSY.FREE,
  };
}
