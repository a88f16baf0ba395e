// CALDAV:calendar-data in a REPORT's DAV:prop (RFC 4791 §9.6): the request
// (content-type and version, §9.6; comp / allcomp / prop / allprop with
// novalue, §9.6.1-§9.6.4; expand, §9.6.5; limit-recurrence-set, §9.6.6;
// limit-freebusy-set, §9.6.7) and the partial calendar data it asks for.
// Our readings where the RFC is loose:
//  - a comp element without any prop/allprop/comp/allcomp child selects the
//    whole component (RFC 4791 §7.8.1's VTIMEZONE example); otherwise missing
//    prop (comp) children select no properties (components);
//  - VERSION and PRODID of the VCALENDAR are always kept (RFC 5545 §3.6
//    requires them; §7.8.1's answer shows PRODID without asking for it);
//  - VTIMEZONEs come from the stored text (the parsed object has them
//    hoisted out) and are kept when selected and still referenced by a TZID;
//  - limit-recurrence-set keeps the master and every override whose own
//    instance, whose RECURRENCE-ID instance, or (THISANDFUTURE) any instance
//    it moves overlaps the range, so that clients never see an instance the
//    override moved away;
//  - expand and limit-recurrence-set over a set too long to walk within its
//    bounds answer DAV:number-of-matches-within-limits (query/budget.ts).
import ICAL from "ical.js";
import { badRequest, C, DavError, precondition } from "../errors.js";
import { parseStoredObject, type ParsedCalendar } from "../ical/parse.js";
import { icalTimeToUtcMs } from "../ical/time.js";
import { normalizeTzid } from "../ical/timezones.js";
import { caldav } from "../xml/names.js";
import { childElements, type XmlElement } from "../xml/tree.js";
import { tooLong } from "./budget.js";
import { expandObject, serialize, type JCalComp, type JCalProp } from "./expand.js";
import { parseUtc } from "./filter.js";
import { forEachInstance, instanceOf, leastInstances, MAX_ITERATIONS } from "./instances.js";
import type { Zone } from "./span.js";
import { overlaps } from "./time-range.js";

export interface PropSelection {
  /** Upper case. */
  name: string;
  novalue: boolean;
}

export interface CompSelection {
  /** Upper case. */
  name: string;
  allProps: boolean;
  props: PropSelection[];
  allComps: boolean;
  comps: CompSelection[];
}

export interface DateRange {
  /** ms UTC */
  start: number;
  end: number;
}

export interface CalendarDataRequest {
  comp: CompSelection | null;
  expand: DateRange | null;
  limitRecurrenceSet: DateRange | null;
  limitFreebusySet: DateRange | null;
}

const unsupported = (why: string) => precondition(403, C.supportedCalendarData, why);

function range(e: XmlElement): DateRange {
  const what = e.name.slice(e.name.indexOf("}") + 1);
  const start = e.attrs["start"];
  const end = e.attrs["end"];
  if (start === undefined || end === undefined) throw badRequest(`${what} needs both start and end`);
  try {
    const r = { start: parseUtc(start, `${what} start`), end: parseUtc(end, `${what} end`) };
    if (r.end <= r.start) throw badRequest(`${what} end must be after start`);
    return r;
  } catch (err) {
    if (err instanceof DavError && err.status !== 400) throw badRequest(err.message);
    throw err;
  }
}

function name(e: XmlElement, what: string): string {
  const n = e.attrs["name"];
  if (!n || !/^[A-Za-z0-9-]+$/.test(n)) throw badRequest(`${what} needs a valid name attribute`);
  return n.toUpperCase();
}

function parseComp(e: XmlElement): CompSelection {
  const sel: CompSelection = { name: name(e, "comp"), allProps: false, props: [], allComps: false, comps: [] };
  let sawProps = false;
  let sawComps = false;
  for (const c of childElements(e)) {
    if (c.name === caldav("allprop") || c.name === caldav("prop")) {
      if ((c.name === caldav("allprop")) !== sel.allProps && sawProps) throw badRequest("allprop and prop cannot be combined");
      sawProps = true;
      if (c.name === caldav("allprop")) sel.allProps = true;
      else {
        const novalue = (c.attrs["novalue"] ?? "no").toLowerCase();
        if (novalue !== "yes" && novalue !== "no") throw badRequest("novalue must be yes or no");
        sel.props.push({ name: name(c, "prop"), novalue: novalue === "yes" });
      }
    } else if (c.name === caldav("allcomp") || c.name === caldav("comp")) {
      if ((c.name === caldav("allcomp")) !== sel.allComps && sawComps) throw badRequest("allcomp and comp cannot be combined");
      sawComps = true;
      if (c.name === caldav("allcomp")) sel.allComps = true;
      else sel.comps.push(parseComp(c));
    } else if (c.name.startsWith(caldav(""))) {
      throw badRequest(`unexpected ${c.name} in comp`);
    }
  }
  if (!sawProps && !sawComps) sel.allProps = sel.allComps = true;
  return sel;
}

/** Reads a CALDAV:calendar-data request element; throws 403 supported-calendar-data or 400. */
export function parseCalendarDataRequest(el: XmlElement): CalendarDataRequest {
  const type = (el.attrs["content-type"] ?? "text/calendar").split(";")[0]!.trim().toLowerCase();
  if (type !== "text/calendar") throw unsupported(`calendar data as ${type} is not supported, only text/calendar`);
  const version = (el.attrs["version"] ?? "2.0").trim();
  if (version !== "2.0") throw unsupported(`iCalendar version ${version} is not supported, only 2.0`);
  const req: CalendarDataRequest = { comp: null, expand: null, limitRecurrenceSet: null, limitFreebusySet: null };
  for (const c of childElements(el)) {
    if (c.name === caldav("comp") && !req.comp) {
      req.comp = parseComp(c);
      if (req.comp.name !== "VCALENDAR") throw badRequest("the top comp of calendar-data must be VCALENDAR");
    } else if (c.name === caldav("expand") && !req.expand && !req.limitRecurrenceSet) req.expand = range(c);
    else if (c.name === caldav("limit-recurrence-set") && !req.expand && !req.limitRecurrenceSet) req.limitRecurrenceSet = range(c);
    else if (c.name === caldav("limit-freebusy-set") && !req.limitFreebusySet) req.limitFreebusySet = range(c);
    else throw badRequest(`unexpected or repeated ${c.name} in calendar-data`);
  }
  return req;
}

/** True when the request asks for the stored object as it is (no parsing needed). */
export function selectsWholeObject(req: CalendarDataRequest): boolean {
  const c = req.comp;
  return !req.expand && !req.limitRecurrenceSet && !req.limitFreebusySet && (!c || (c.allProps && c.allComps));
}

/** The calendar data a request asks for, CRLF. `obj` is the parsed `text` if at hand; `zone` reads floating times. */
export function renderCalendarData(text: string, obj: ParsedCalendar | undefined, req: CalendarDataRequest, zone: ICAL.Timezone | null): string {
  if (selectsWholeObject(req)) return text;
  // Parsed once: the parse the matcher made when there is one; a comp selection alone needs only the jCal tree.
  let root: JCalComp;
  if (req.expand) {
    root = expandObject(obj ?? parseStoredObject(text), req.expand, zone);
  } else {
    root = ICAL.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown as JCalComp;
    if (req.limitRecurrenceSet) limitRecurrenceSet(root, obj ?? parseStoredObject(text), req.limitRecurrenceSet, zone);
  }
  if (req.limitFreebusySet) limitFreebusySet(root, req.limitFreebusySet);
  if (req.comp) root = select(root, req.comp, true);
  if (!req.expand) dropUnusedTimezones(root);
  return serialize(root);
}

/** §9.6.6: the master and the overrides that matter for the range. */
function limitRecurrenceSet(root: JCalComp, o: ParsedCalendar, r: DateRange, zone: Zone): void {
  if (o.overrides.length === 0) return;
  if (leastInstances(o, r, zone) > MAX_ITERATIONS) throw tooLong(`the recurrence set of ${o.uid}`);
  const keep = new Set<unknown>();
  const walk = forEachInstance(o, r, zone, (i) => {
    if (i.isOverride && overlaps(i, r, zone)) keep.add(i.component.comp.jCal);
  });
  if (walk === "capped") throw tooLong(`the recurrence set of ${o.uid}`);
  for (const ov of o.overrides) {
    if ((o.master && overlaps(instanceOf(o.master, zone, ov.recurrenceId, ov.recurrenceId, undefined, false), r, zone))) keep.add(ov.comp.jCal);
  }
  // The stored text and the parsed object list the same components in the same order, but for VTIMEZONEs.
  const parsedComps = (o.vcalendar.jCal as unknown as JCalComp)[2];
  const overridden = new Set<unknown>(o.overrides.map((ov) => ov.comp.jCal));
  let k = 0;
  root[2] = root[2].filter((c) => {
    if (c[0] === "vtimezone") return true;
    const parsed = parsedComps[k++];
    return !overridden.has(parsed) || keep.has(parsed);
  });
}

/** §9.6.7: only the FREEBUSY periods that overlap the range, in VFREEBUSY components. */
function limitFreebusySet(root: JCalComp, r: DateRange): void {
  for (const c of root[2]) {
    if (c[0] !== "vfreebusy") continue;
    c[1] = c[1].flatMap((p): JCalProp[] => {
      if (p[0] !== "freebusy") return [p];
      const values = new ICAL.Property(p as unknown as unknown[]).getValues();
      const kept = p.slice(3).filter((_, k) => {
        const v = values[k];
        return v instanceof ICAL.Period && r.start < icalTimeToUtcMs(v.getEnd()) && r.end > icalTimeToUtcMs(v.start);
      });
      return kept.length > 0 ? [[p[0], p[1], p[2], ...kept]] : [];
    });
  }
}

/** §9.6.1-§9.6.4: the selected properties and components. */
function select(comp: JCalComp, sel: CompSelection, top = false): JCalComp {
  const props = sel.allProps
    ? comp[1]
    : comp[1].flatMap((p): JCalProp[] => {
        const want = sel.props.find((s) => s.name === p[0].toUpperCase());
        if (!want) return top && (p[0] === "version" || p[0] === "prodid") ? [p] : [];
        return [want.novalue ? [p[0], p[1], p[2]] as unknown as JCalProp : p];
      });
  const comps = sel.allComps
    ? comp[2]
    : comp[2].flatMap((c): JCalComp[] => {
        const want = sel.comps.find((s) => s.name === c[0].toUpperCase());
        return want ? [select(c, want)] : [];
      });
  return [comp[0], props, comps];
}

/** Removes VTIMEZONEs no TZID refers to any more (kept when nothing else is left). */
function dropUnusedTimezones(root: JCalComp): void {
  const used = new Set<string>();
  const visit = (c: JCalComp): void => {
    for (const p of c[1]) if (typeof p[1]["tzid"] === "string") used.add(normalizeTzid(p[1]["tzid"] as string));
    for (const s of c[2]) visit(s);
  };
  const others = root[2].filter((c) => c[0] !== "vtimezone");
  if (others.length === 0) return;
  for (const c of others) visit(c);
  root[2] = root[2].filter((c) => {
    if (c[0] !== "vtimezone") return true;
    const tzid = c[1].find((p) => p[0] === "tzid")?.[3];
    return typeof tzid === "string" && used.has(normalizeTzid(tzid));
  });
}
