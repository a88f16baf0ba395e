// A meeting a read-write sharee (or a write delegate) saves in the owner's
// calendar is the owner's, sent by them: the ORGANIZER of each component
// carries their address as SENT-BY (RFC 5545 §3.2.18; the CalendarServer
// sharing notes); and a delegate's answer to an invitation on the owner's
// behalf puts SENT-BY on the owner's ATTENDEE, so the REPLY carries it.
// Changed as raw jCal, so everything else survives as written.
import { invalidData } from "../ical/component.js";
import { attendeeProps, normAddress, propOf, readCal, serialize } from "../schedule/calendar.js";
import type { ScheduleSnapshot } from "../schedule/types.js";

/** The body with SENT-BY=`sender` on every ORGANIZER, or null when it already says so. */
export function withSentBy(text: string, sender: string): string | null {
  const cal = readCal(text, invalidData);
  let changed = false;
  for (const item of cal.items) {
    const org = propOf(item.raw, "organizer");
    if (!org || org[1]["sent-by"] === sender) continue;
    org[1]["sent-by"] = sender;
    changed = true;
  }
  return changed ? serialize(cal.top) : null;
}

/** The body with SENT-BY=`sender` on every ATTENDEE that is one of `owner`'s addresses, or null when none changed. */
export function withAttendeeSentBy(text: string, sender: string, owner: readonly string[]): string | null {
  const mine = new Set(owner.map(normAddress));
  const cal = readCal(text, invalidData);
  let changed = false;
  for (const item of cal.items)
    for (const p of attendeeProps(item.raw)) {
      if (!mine.has(normAddress(p[3])) || p[1]["sent-by"] === sender) continue;
      p[1]["sent-by"] = sender;
      changed = true;
    }
  return changed ? serialize(cal.top) : null;
}

/** Whether the PARTSTAT of any of `owner`'s addresses differs between the stored copy and the new one: an answer. */
export function answerChanged(before: ScheduleSnapshot | null, after: ScheduleSnapshot, owner: readonly string[]): boolean {
  const mine = new Set(owner.map(normAddress));
  const partstats = (s: ScheduleSnapshot | null) =>
    JSON.stringify((s?.instances ?? []).map((i) => [i.rid, i.attendees.filter((a) => mine.has(a.address)).map((a) => a.partstat)]));
  return partstats(before) !== partstats(after);
}
