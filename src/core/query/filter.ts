// The calendar-query filter grammar (RFC 4791 section 9.7) as typed data,
// parsed and validated from XML. Invalid filters answer CALDAV:valid-filter,
// unknown collations CALDAV:supported-collation (section 7.5).
import { DavError, precondition } from "../errors.js";
import { caldav } from "../xml/names.js";
import { childElements, textOf, type XmlElement } from "../xml/tree.js";

export type Collation = "i;ascii-casemap" | "i;octet" | "i;unicode-casemap";
export const COLLATIONS: readonly Collation[] = ["i;ascii-casemap", "i;octet", "i;unicode-casemap"];

export interface TimeRange {
  /** ms since epoch UTC; null = unbounded. */
  start: number | null;
  end: number | null;
}

export interface TextMatch {
  text: string;
  collation: Collation;
  negate: boolean;
  /** RFC 4791 defines substring matching; the match-type attribute (draft-daboo-caldav-extensions) adds the others. */
  matchType: "contains" | "equals" | "starts-with" | "ends-with";
}

export interface ParamFilter {
  name: string;
  isNotDefined: boolean;
  textMatch?: TextMatch | undefined;
}

export interface PropFilter {
  name: string;
  isNotDefined: boolean;
  /** "anyof" comes from the test attribute of draft-daboo-caldav-extensions; RFC 4791 behaviour is "allof". */
  test: "allof" | "anyof";
  timeRange?: TimeRange | undefined;
  textMatch?: TextMatch | undefined;
  params: ParamFilter[];
}

export interface CompFilter {
  name: string;
  isNotDefined: boolean;
  test: "allof" | "anyof";
  timeRange?: TimeRange | undefined;
  props: PropFilter[];
  comps: CompFilter[];
}

export const invalidFilter = (why: string) => precondition(403, caldav("valid-filter"), why);

const UTC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** A CalDAV UTC date-time (RFC 4791 section 9.9: "date with UTC time"). */
export function parseUtc(value: string, what: string): number {
  const m = UTC.exec(value.trim());
  if (!m) throw invalidFilter(`${what} must be a UTC date-time like 20061104T000000Z, got ${JSON.stringify(value)}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 60)
    throw invalidFilter(`${what} is not a real date-time: ${value}`);
  return ms;
}

export function parseTimeRange(e: XmlElement, invalid: (why: string) => DavError = invalidFilter): TimeRange {
  const start = e.attrs["start"];
  const end = e.attrs["end"];
  if (start === undefined && end === undefined) throw invalid("time-range needs start or end");
  try {
    const range = { start: start === undefined ? null : parseUtc(start, "start"), end: end === undefined ? null : parseUtc(end, "end") };
    if (range.start !== null && range.end !== null && range.end <= range.start) throw invalid("time-range end must be after start");
    return range;
  } catch (e) {
    if (e instanceof DavError && e.condition?.name === caldav("valid-filter")) throw invalid(e.message);
    throw e;
  }
}

export function parseTextMatch(e: XmlElement): TextMatch {
  const collation = (e.attrs["collation"] ?? "i;ascii-casemap") as Collation;
  if (!COLLATIONS.includes(collation)) throw precondition(403, caldav("supported-collation"), `unsupported collation ${collation}`);
  const negate = (e.attrs["negate-condition"] ?? "no").toLowerCase();
  if (negate !== "yes" && negate !== "no") throw invalidFilter("negate-condition must be yes or no");
  const matchType = (e.attrs["match-type"] ?? "contains") as TextMatch["matchType"];
  if (!["contains", "equals", "starts-with", "ends-with"].includes(matchType)) throw invalidFilter(`unknown match-type ${matchType}`);
  if (childElements(e).length > 0) throw invalidFilter("text-match holds text only");
  return { text: textOf(e), collation, negate: negate === "yes", matchType };
}

const nameOf = (e: XmlElement, what: string): string => {
  const n = e.attrs["name"];
  if (!n || !/^[A-Za-z0-9-]+$/.test(n)) throw invalidFilter(`${what} needs a valid name attribute`);
  return n.toUpperCase();
};

const testOf = (e: XmlElement): "allof" | "anyof" => {
  const t = (e.attrs["test"] ?? "allof").toLowerCase();
  if (t !== "allof" && t !== "anyof") throw invalidFilter("test must be allof or anyof");
  return t;
};

function parseParamFilter(e: XmlElement): ParamFilter {
  const f: ParamFilter = { name: nameOf(e, "param-filter"), isNotDefined: false };
  for (const c of childElements(e)) {
    if (c.name === caldav("is-not-defined")) f.isNotDefined = true;
    else if (c.name === caldav("text-match") && !f.textMatch) f.textMatch = parseTextMatch(c);
    else throw invalidFilter(`unexpected ${c.name} in param-filter`);
  }
  if (f.isNotDefined && f.textMatch) throw invalidFilter("param-filter has both is-not-defined and text-match");
  return f;
}

/** Properties whose values are never dates or times: a time-range on them is no valid filter (RFC 4791 §9.7.2). */
const TEXT_PROPERTIES = new Set([
  "SUMMARY", "DESCRIPTION", "LOCATION", "UID", "COMMENT", "CATEGORIES", "CLASS", "STATUS", "TRANSP", "ORGANIZER", "ATTENDEE",
  "CONTACT", "RELATED-TO", "RESOURCES", "URL", "PRIORITY", "SEQUENCE", "GEO", "PERCENT-COMPLETE", "RRULE", "REQUEST-STATUS",
  "ATTACH", "ACTION", "REPEAT", "DURATION", "TZID", "TZNAME", "TZURL", "TZOFFSETFROM", "TZOFFSETTO", "VERSION", "PRODID",
  "CALSCALE", "METHOD",
]);

function parsePropFilter(e: XmlElement): PropFilter {
  const f: PropFilter = { name: nameOf(e, "prop-filter"), isNotDefined: false, test: testOf(e), params: [] };
  for (const c of childElements(e)) {
    if (c.name === caldav("is-not-defined")) f.isNotDefined = true;
    else if (c.name === caldav("time-range") && !f.timeRange && !f.textMatch) f.timeRange = parseTimeRange(c);
    else if (c.name === caldav("text-match") && !f.textMatch && !f.timeRange) f.textMatch = parseTextMatch(c);
    else if (c.name === caldav("param-filter")) f.params.push(parseParamFilter(c));
    else throw invalidFilter(`unexpected ${c.name} in prop-filter`);
  }
  if (f.isNotDefined && (f.timeRange || f.textMatch || f.params.length)) throw invalidFilter("is-not-defined stands alone in a prop-filter");
  if (f.timeRange && TEXT_PROPERTIES.has(f.name)) throw invalidFilter(`${f.name} holds no date or time, so a time-range cannot apply to it`);
  return f;
}

/** Which components may nest in which (RFC 5545 §3.6; RFC 4791 §7.8 gives VEVENT inside VTODO as invalid). */
const CHILDREN: Record<string, readonly string[]> = {
  VCALENDAR: ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"],
  VEVENT: ["VALARM"],
  VTODO: ["VALARM"],
  VTIMEZONE: ["STANDARD", "DAYLIGHT"],
  VAVAILABILITY: ["AVAILABLE"],
};

function checkNesting(parent: CompFilter): void {
  for (const c of parent.comps) {
    const allowed = CHILDREN[parent.name];
    if (allowed && !allowed.includes(c.name) && !c.name.startsWith("X-"))
      throw invalidFilter(`a ${c.name} comp-filter cannot appear inside ${parent.name}`);
    if (!allowed && !parent.name.startsWith("X-")) throw invalidFilter(`${parent.name} has no sub-components`);
    checkNesting(c);
  }
}

export function parseCompFilter(e: XmlElement): CompFilter {
  const f: CompFilter = { name: nameOf(e, "comp-filter"), isNotDefined: false, test: testOf(e), props: [], comps: [] };
  for (const c of childElements(e)) {
    if (c.name === caldav("is-not-defined")) f.isNotDefined = true;
    else if (c.name === caldav("time-range") && !f.timeRange) f.timeRange = parseTimeRange(c);
    else if (c.name === caldav("prop-filter")) f.props.push(parsePropFilter(c));
    else if (c.name === caldav("comp-filter")) f.comps.push(parseCompFilter(c));
    else throw invalidFilter(`unexpected ${c.name} in comp-filter`);
  }
  if (f.isNotDefined && (f.timeRange || f.props.length || f.comps.length)) throw invalidFilter("is-not-defined stands alone in a comp-filter");
  return f;
}

/** CALDAV:filter → its single top comp-filter, which must name VCALENDAR (section 9.7). */
export function parseFilter(e: XmlElement): CompFilter {
  const kids = childElements(e);
  if (kids.length !== 1 || kids[0]!.name !== caldav("comp-filter")) throw invalidFilter("filter holds exactly one comp-filter");
  const top = parseCompFilter(kids[0]!);
  if (top.name !== "VCALENDAR") throw invalidFilter("the top comp-filter must name VCALENDAR");
  if (top.timeRange) throw invalidFilter("VCALENDAR takes no time-range");
  checkNesting(top);
  return top;
}

/** Every time-range in a filter (for the min-date-time / max-date-time preconditions). */
export function timeRangesOf(f: CompFilter): TimeRange[] {
  return [
    ...(f.timeRange ? [f.timeRange] : []),
    ...f.props.flatMap((p) => (p.timeRange ? [p.timeRange] : [])),
    ...f.comps.flatMap(timeRangesOf),
  ];
}

/** RFC 4791 §7.8 preconditions: a requested range lies within min-date-time and max-date-time. */
export function checkRangeLimits(ranges: TimeRange[], limits: { minDateTime: number; maxDateTime: number }): void {
  for (const r of ranges) {
    for (const t of [r.start, r.end]) {
      if (t === null) continue;
      if (t < limits.minDateTime) throw precondition(403, caldav("min-date-time"), "the time range starts before min-date-time");
      if (t > limits.maxDateTime) throw precondition(403, caldav("max-date-time"), "the time range ends after max-date-time");
    }
  }
}
