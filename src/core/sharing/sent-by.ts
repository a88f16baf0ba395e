// A meeting a read-write sharee saves in a shared calendar is the owner's,
// sent by the sharee: the ORGANIZER of each component carries the sharee's
// address as SENT-BY (RFC 5545 §3.2.18; the CalendarServer sharing notes).
// Changed as raw jCal, so everything else survives as written.
import { invalidData } from "../ical/component.js";
import { propOf, readCal, serialize } from "../schedule/calendar.js";

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
