// The exact calendar-query matcher (RFC 4791 §7.8, §9.7.1-§9.7.5): one
// calendar object resource against the typed CALDAV:filter of filter.ts.
//  - comp-filter: is-not-defined, or ANY component of that name in scope
//    (master or override) passes its tests: time-range (§9.9, over the
//    instances that component owns), prop-filters, nested comp-filters;
//    test="allof" (default) or "anyof";
//  - prop-filter: is-not-defined, or ANY property of that name passes:
//    time-range on its DATE/DATE-TIME/PERIOD values, text-match on its text
//    value(s), param-filters;
//  - param-filter: is-not-defined, or the parameter exists and, if given,
//    its text-match holds for one of its values;
//  - text-match: i;ascii-casemap, i;octet, i;unicode-casemap (RFC 4790,
//    RFC 5051), substring by default, equals / starts-with / ends-with, and
//    negate-condition applied to the whole property or parameter.
// An expansion cut short by its bounds (instances.ts) is no answer: the query
// answers DAV:number-of-matches-within-limits (query/budget.ts) rather than
// guess a match.
import type ICAL from "ical.js";
import type { ParsedComponent } from "../ical/component.js";
import type { ParsedCalendar } from "../ical/parse.js";
import { timezoneByKey } from "../ical/timezones.js";
import type { CompFilter, ParamFilter, PropFilter, TimeRange } from "./filter.js";
import { tooLong } from "./budget.js";
import { textMatches } from "./text-match.js";
import { alarmInRange, componentOverlaps, valueInRange, type Overlap } from "./time-range.js";
import type { Zone } from "./span.js";

interface Node {
  comp: ICAL.Component;
  /** The checked component, for VEVENT, VTODO, VJOURNAL, VFREEBUSY. */
  parsed: ParsedComponent | null;
  /** The enclosing checked component (a VALARM's VEVENT or VTODO). */
  owner: ParsedComponent | null;
}

interface Ctx {
  obj: ParsedCalendar;
  zone: Zone;
  parsed: Map<unknown, ParsedComponent>;
}

/** Does the object match the filter? `filter` is the top VCALENDAR comp-filter; `zone` reads floating times (null = UTC). */
export function matchFilter(obj: ParsedCalendar, filter: CompFilter, zone: ICAL.Timezone | null): boolean {
  if (filter.name !== "VCALENDAR") return false;
  if (filter.isNotDefined) return false;
  const parsed = new Map<unknown, ParsedComponent>();
  for (const p of [obj.master, ...obj.overrides]) if (p) parsed.set(p.comp.jCal, p);
  return compTests({ obj, zone, parsed }, filter, { comp: obj.vcalendar, parsed: null, owner: null });
}

function all(test: "allof" | "anyof", checks: (() => boolean)[]): boolean {
  return test === "anyof" ? checks.length === 0 || checks.some((c) => c()) : checks.every((c) => c());
}

/** The tests of a comp-filter on one component that has its name. */
function compTests(ctx: Ctx, f: CompFilter, node: Node): boolean {
  const checks: (() => boolean)[] = [];
  if (f.timeRange) checks.push(() => compInRange(ctx, node, f.timeRange!));
  for (const p of f.props) checks.push(() => propFilter(ctx, p, node.comp));
  for (const c of f.comps) checks.push(() => compFilter(ctx, c, node));
  return all(f.test, checks);
}

function compFilter(ctx: Ctx, f: CompFilter, parent: Node): boolean {
  const found = children(ctx, parent, f.name);
  if (f.isNotDefined) return found.length === 0;
  return found.some((n) => compTests(ctx, f, n));
}

function children(ctx: Ctx, parent: Node, name: string): Node[] {
  if (name === "VTIMEZONE" && parent.comp === ctx.obj.vcalendar) return timezones(ctx.obj);
  const owner = parent.parsed ?? parent.owner;
  return parent.comp.getAllSubcomponents(name.toLowerCase()).map((comp) => ({ comp, parsed: ctx.parsed.get(comp.jCal) ?? null, owner }));
}

/**
 * The VTIMEZONEs were hoisted out of the parsed object (see ical/hoist.ts):
 * a VTIMEZONE "exists" for every zone a TZID refers to, and its properties
 * are those of the definition the object resolved it to (its own, or the
 * shared IANA one when it has the same rules).
 */
function timezones(obj: ParsedCalendar): Node[] {
  const vcalendar = obj.vcalendar;
  const keys = new Set<string>();
  const visit = (jcal: unknown[]): void => {
    for (const p of jcal[1] as [string, Record<string, unknown>][]) {
      const tzid = p[1]["tzid"];
      if (typeof tzid === "string" && tzid !== "UTC") keys.add(tzid);
    }
    for (const c of jcal[2] as unknown[][]) visit(c);
  };
  visit(vcalendar.jCal as unknown[]);
  const nodes: Node[] = [];
  for (const k of keys) {
    const comp = (obj.zones.get(k) ?? timezoneByKey(k))?.component;
    if (comp) nodes.push({ comp, parsed: null, owner: null });
  }
  return nodes;
}

/** A comp-filter's time-range on one component (§9.9); an expansion cut short answers 403 number-of-matches-within-limits. */
function compInRange(ctx: Ctx, node: Node, range: TimeRange): boolean {
  let r: Overlap = false;
  if (node.parsed) r = componentOverlaps(ctx.obj, node.parsed, range, ctx.zone);
  else if (node.comp.name === "valarm" && node.owner) r = alarmInRange(ctx.obj, node.owner, node.comp, range, ctx.zone);
  if (r === "capped") throw tooLong(`the time-range test of ${ctx.obj.uid}`);
  return r;
}

function propFilter(ctx: Ctx, f: PropFilter, comp: ICAL.Component): boolean {
  const props = comp.getAllProperties(f.name.toLowerCase());
  if (f.isNotDefined) return props.length === 0;
  return props.some((p) => {
    const checks: (() => boolean)[] = [];
    if (f.timeRange) checks.push(() => propValues(p).some((v) => valueInRange(v, f.timeRange!, ctx.zone)));
    if (f.textMatch) checks.push(() => textMatches(f.textMatch!, propTexts(p)));
    for (const pf of f.params) checks.push(() => paramFilter(pf, p));
    return all(f.test, checks);
  });
}

function propValues(p: ICAL.Property): unknown[] {
  try {
    return p.getValues();
  } catch {
    return [];
  }
}

function paramFilter(f: ParamFilter, p: ICAL.Property): boolean {
  const value = p.getParameter(f.name.toLowerCase()) as string | string[] | undefined;
  if (f.isNotDefined) return value === undefined;
  if (value === undefined) return false;
  return !f.textMatch || textMatches(f.textMatch, (Array.isArray(value) ? value : [value]).map(String));
}

const RAW_TYPES = new Set(["text", "cal-address", "uri", "unknown", "binary"]);

/** A property's value(s) as text: TEXT values unescaped and split (CATEGORIES), others as written in iCalendar. */
export function propTexts(p: ICAL.Property): string[] {
  if (RAW_TYPES.has(p.type)) return p.jCal.slice(3).map((v) => String(v));
  return [valuePart(p.toICALString())];
}

/** The value of a content line "NAME;P=V;Q="x:y":VALUE". */
function valuePart(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ":" && !quoted) return line.slice(i + 1);
  }
  return "";
}
