// Shared helpers for the query-engine tests: filters and calendar-data
// requests written as the XML a client sends, parsed by the real parsers.
import type ICAL from "ical.js";
import { parseCalendarObject, type CalendarObject } from "../../../src/core/ical/parse.js";
import { ianaTimezone } from "../../../src/core/ical/timezones.js";
import { parseCalendarDataRequest, renderCalendarData, type CalendarDataRequest } from "../../../src/core/query/calendar-data.js";
import { parseFilter, type CompFilter } from "../../../src/core/query/filter.js";
import { matchFilter } from "../../../src/core/query/match.js";
import { parseXml } from "../../../src/core/xml/parse.js";
import { fixture } from "../ical/helpers.js";

export { cal, DAY, fixture, HOUR, utc, vevent, vtodo } from "../ical/helpers.js";

const NS = 'xmlns:C="urn:ietf:params:xml:ns:caldav"';

/** A CALDAV:filter from its inner XML (C: = CalDAV), e.g. `<C:comp-filter name="VCALENDAR">...`. */
export function filter(inner: string): CompFilter {
  return parseFilter(parseXml(`<C:filter ${NS}>${inner}</C:filter>`));
}

/** The usual VCALENDAR > <component> [> time-range] filter. */
export function rangeFilter(component: string, start?: string, end?: string): CompFilter {
  const attrs = `${start ? ` start="${start}"` : ""}${end ? ` end="${end}"` : ""}`;
  const tr = start || end ? `<C:time-range${attrs}/>` : "";
  return filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="${component}">${tr}</C:comp-filter></C:comp-filter>`);
}

/** A CALDAV:calendar-data request from its inner XML (and attributes). */
export function dataRequest(inner: string, attrs = ""): CalendarDataRequest {
  return parseCalendarDataRequest(parseXml(`<C:calendar-data ${NS} ${attrs}>${inner}</C:calendar-data>`));
}

export const obj = (text: string): CalendarObject => parseCalendarObject(text);

export function zone(name: string | null): ICAL.Timezone | null {
  if (name === null) return null;
  const z = ianaTimezone(name);
  if (!z) throw new Error(`no zone ${name}`);
  return z;
}

export function matches(text: string | CalendarObject, f: CompFilter, tz: string | null = null): boolean {
  return matchFilter(typeof text === "string" ? obj(text) : text, f, zone(tz));
}

/** The Appendix B calendar of RFC 4791, by resource name. */
export const APPENDIX_B: Record<string, string> = {
  "abcd1.ics": fixture("rfc4791-b-event1.ics"),
  "abcd2.ics": fixture("rfc4791-b-event2-recurring.ics"),
  "abcd3.ics": fixture("rfc4791-b-event3-attendees.ics"),
  "abcd4.ics": fixture("rfc4791-b-todo-due.ics"),
  "abcd5.ics": fixture("rfc4791-b-abcd5-todo-alarm.ics"),
  "abcd6.ics": fixture("rfc4791-b-abcd6-todo-completed.ics"),
  "abcd7.ics": fixture("rfc4791-b-abcd7-todo-cancelled.ics"),
  "abcd8.ics": fixture("rfc4791-b-abcd8-freebusy.ics"),
};

/** Names of the Appendix B resources a filter matches (in UTC, as the RFC's examples). */
export function query(f: CompFilter, tz: string | null = null): string[] {
  return Object.entries(APPENDIX_B).filter(([, text]) => matches(text, f, tz)).map(([name]) => name);
}

export function render(text: string, req: CalendarDataRequest, tz: string | null = null, parsed?: CalendarObject): string {
  return renderCalendarData(text, parsed, req, zone(tz));
}

/** Unfolded content lines of an iCalendar text (CRLF required). */
export function lines(text: string): string[] {
  return text.replace(/\r\n[ \t]/g, "").split("\r\n").filter((l) => l !== "");
}

/** The content lines of each component named `name`, in order. */
export function components(text: string, name: string): string[][] {
  const out: string[][] = [];
  let cur: string[] | null = null;
  let depth = 0;
  for (const l of lines(text)) {
    if (l === `BEGIN:${name}`) {
      cur = [];
      depth = 0;
      continue;
    }
    if (cur && l === `END:${name}` && depth === 0) {
      out.push(cur);
      cur = null;
      continue;
    }
    if (cur) {
      if (l.startsWith("BEGIN:")) depth++;
      if (l.startsWith("END:")) depth--;
      cur.push(l);
    }
  }
  return out;
}
