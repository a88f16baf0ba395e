// Free-busy time (RFC 4791 §7.10; reused by RFC 6638 §5 schedule outbox
// POST): busy periods of one calendar object in a range, merging, and the
// VFREEBUSY answer.
//  - VEVENT instances (§9.9 overlap) count unless TRANSP:TRANSPARENT or
//    STATUS:CANCELLED; STATUS:TENTATIVE is BUSY-TENTATIVE, anything else BUSY
//    (RFC 5545 §3.2.9). Instants (zero length) hold no busy time.
//  - VFREEBUSY FREEBUSY properties count with their FBTYPE (default BUSY;
//    FREE ignored; unknown types are BUSY, RFC 5545 §3.2.9).
//  - Periods are clipped to the range, and merged so that overlapping or
//    adjacent periods of one type become one, and where types overlap the
//    more significant one (BUSY-UNAVAILABLE > BUSY > BUSY-TENTATIVE) holds
//    that time without losing any.
//  - An expansion cut short by its bounds (instances.ts) gives no busy time
//    at all: busyPeriods() answers DAV:number-of-matches-within-limits
//    (query/budget.ts), since the time found so far is not the answer.
// VAVAILABILITY (RFC 7953) is out of scope.
import ICAL from "ical.js";
import type { ParsedCalendar } from "../ical/parse.js";
import { BUSY } from "../ical/component.js";
import { formatUtc, icalTimeToUtcMs, utcMsToIcalTime } from "../ical/time.js";
import { serialize } from "./expand.js";
import { tooLong } from "./budget.js";
import { forEachInstance, leastInstances, MAX_ITERATIONS } from "./instances.js";
import { overlaps } from "./time-range.js";

export type BusyType = "BUSY" | "BUSY-TENTATIVE" | "BUSY-UNAVAILABLE";

export interface Period {
  /** ms UTC */
  start: number;
  end: number;
  type: BusyType;
  /** The busy time of this span could not be found within the expansion bounds (query/budget.ts): take it all as busy, or say so. */
  unknown?: true;
}

const RANK: Record<BusyType, number> = { "BUSY-TENTATIVE": 1, BUSY: 2, "BUSY-UNAVAILABLE": 3 };
const TYPES: BusyType[] = ["BUSY-TENTATIVE", "BUSY", "BUSY-UNAVAILABLE"];

const upper = (v: unknown) => (typeof v === "string" ? v.trim().toUpperCase() : "");

/**
 * Busy periods of one object within [range.start, range.end), clipped to it.
 * Throws 403 number-of-matches-within-limits when the expansion is cut short (instances.ts).
 */
export function busyPeriods(obj: ParsedCalendar, range: { start: number; end: number }, zone: ICAL.Timezone | null): Period[] {
  const out: Period[] = [];
  const add = (start: number, end: number, type: BusyType) => {
    const s = Math.max(start, range.start);
    const e = Math.min(end, range.end);
    if (e > s) out.push({ start: s, end: e, type });
  };
  if (obj.component === "VEVENT") {
    if (leastInstances(obj, range, zone) > MAX_ITERATIONS) throw tooLong(`the busy time of ${obj.uid}`);
    const walk = forEachInstance(obj, range, zone, (i) => {
      if (i.start === null || i.end === null || i.end <= i.start || !overlaps(i, range, zone)) return;
      const busy = i.component.busy;
      if (busy !== BUSY.FREE) add(i.start, i.end, busy === BUSY.TENTATIVE ? "BUSY-TENTATIVE" : "BUSY");
    });
    if (walk === "capped") throw tooLong(`the busy time of ${obj.uid}`);
  } else if (obj.component === "VFREEBUSY") {
    for (const p of [obj.master, ...obj.overrides]) {
      if (!p) continue;
      for (const prop of p.comp.getAllProperties("freebusy")) {
        const fb = upper(prop.getParameter("fbtype") ?? "BUSY");
        if (fb === "FREE") continue;
        const type: BusyType = fb === "BUSY-TENTATIVE" || fb === "BUSY-UNAVAILABLE" ? fb : "BUSY";
        for (const v of prop.getValues()) {
          if (v instanceof ICAL.Period) add(icalTimeToUtcMs(v.start, zone), icalTimeToUtcMs(v.getEnd(), zone), type);
        }
      }
    }
  }
  return out;
}

/** Coalesces periods: sorted by start, no two overlap, adjacent ones of one type joined; overlaps go to the more significant type. */
export function mergePeriods(periods: readonly Period[]): Period[] {
  const edges: { at: number; type: BusyType; delta: 1 | -1 }[] = [];
  for (const p of periods) {
    if (p.end <= p.start) continue;
    edges.push({ at: p.start, type: p.type, delta: 1 }, { at: p.end, type: p.type, delta: -1 });
  }
  edges.sort((a, b) => a.at - b.at);
  const open: Record<BusyType, number> = { "BUSY-TENTATIVE": 0, BUSY: 0, "BUSY-UNAVAILABLE": 0 };
  const out: Period[] = [];
  let current: Period | null = null;
  for (let i = 0; i < edges.length; ) {
    const at = edges[i]!.at;
    for (; i < edges.length && edges[i]!.at === at; i++) open[edges[i]!.type] += edges[i]!.delta;
    let top: BusyType | null = null;
    for (const t of TYPES) if (open[t] > 0 && (!top || RANK[t] > RANK[top])) top = t;
    if (current && current.type === top) continue;
    if (current) {
      current.end = at;
      out.push(current);
      current = null;
    }
    if (top) current = { start: at, end: at, type: top };
  }
  return out;
}

export interface FreeBusyOptions {
  /** cal-address values, e.g. "mailto:bernard@example.com" */
  organizer?: string | undefined;
  attendee?: string | undefined;
  uid?: string | undefined;
  /** ms UTC; default now. */
  dtstamp?: number | undefined;
  /** METHOD of the VCALENDAR, e.g. "REPLY" for RFC 6638 §5 answers. */
  method?: string | undefined;
  prodid?: string | undefined;
}

/** A VCALENDAR with one VFREEBUSY for the range: merged periods as FREEBUSY;FBTYPE=... lines in UTC, CRLF (RFC 4791 §7.10). */
export function renderFreeBusy(periods: readonly Period[], range: { start: number; end: number }, opts: FreeBusyOptions = {}): string {
  const vcalendar = new ICAL.Component("vcalendar");
  vcalendar.addPropertyWithValue("version", "2.0");
  vcalendar.addPropertyWithValue("prodid", opts.prodid ?? "-//edge-caldav//free-busy//EN");
  if (opts.method) vcalendar.addPropertyWithValue("method", opts.method);
  const fb = new ICAL.Component("vfreebusy");
  const utc = utcMsToIcalTime;
  fb.addPropertyWithValue("dtstamp", utc(opts.dtstamp ?? Date.now()));
  if (opts.uid) fb.addPropertyWithValue("uid", opts.uid);
  if (opts.organizer) fb.addPropertyWithValue("organizer", opts.organizer);
  if (opts.attendee) fb.addPropertyWithValue("attendee", opts.attendee);
  fb.addPropertyWithValue("dtstart", utc(range.start));
  fb.addPropertyWithValue("dtend", utc(range.end));
  vcalendar.addSubcomponent(fb);
  // The FREEBUSY lines are written as text: each is short ASCII (no folding, nothing to escape), and building a
  // month's hundred-odd periods as ical.js properties took most of a free-busy answer's making (0.9 ms).
  const lines = mergePeriods(periods).map((p) => `FREEBUSY${p.type === "BUSY" ? "" : `;FBTYPE=${p.type}`}:${formatUtc(p.start)}/${formatUtc(p.end)}\r\n`);
  const text = serialize(vcalendar);
  const at = text.lastIndexOf("END:VFREEBUSY\r\n");
  return text.slice(0, at) + lines.join("") + text.slice(at);
}
