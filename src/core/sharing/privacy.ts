// Private events in a shared calendar (CalendarServer's rule, CLASS of RFC
// 5545 §3.8.1.3 and X-CALENDARSERVER-ACCESS): to a read-only sharee an event
// marked PRIVATE, CONFIDENTIAL (or RESTRICTED) is busy time only — its times,
// recurrence, TRANSP and STATUS, with SUMMARY "Busy" and nothing else. Every
// body a read-only sharee reads, or is matched against, passes through here.
import { invalidData } from "../ical/component.js";
import { readCal, serialize, type JComp } from "../schedule/calendar.js";

const MARKED = /^(CLASS|X-CALENDARSERVER-ACCESS)(;[^:\r\n]*)?:(PRIVATE|CONFIDENTIAL|RESTRICTED)\s*$/im;

/** What a busy-only component keeps (RFC 5545 names, lower case as jCal has them). */
const KEPT = new Set([
  "uid", "dtstamp", "dtstart", "dtend", "duration", "due", "rrule", "rdate", "exdate", "recurrence-id",
  "transp", "status", "class", "x-calendarserver-access", "sequence", "created", "last-modified",
]);

/** Whether any component of the body is marked private (a cheap test before any parse). */
export const isPrivate = (text: string): boolean => MARKED.test(text);

/** The body as a read-only sharee sees it: unchanged, or (if marked private) busy time only. */
export function busyOnly(text: string): string {
  if (!isPrivate(text)) return text;
  const cal = readCal(text, invalidData);
  for (const item of cal.items) {
    const c: JComp = item.raw;
    c[1] = c[1].filter((p) => KEPT.has(p[0]));
    c[1].push(["summary", {}, "text", "Busy"]);
    c[2] = [];
  }
  return serialize(cal.top);
}
