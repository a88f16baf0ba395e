// Reading answers back from a body for the agenda tests.
import ICAL from "ical.js";

/** Address → PARTSTAT of the first VEVENT's ATTENDEE lines. */
export function partstats(text: string): Record<string, string> {
  const ev = new ICAL.Component(ICAL.parse(text) as unknown[]).getFirstSubcomponent("vevent")!;
  return Object.fromEntries(ev.getAllProperties("attendee").map((p) => [String(p.getFirstValue()), String(p.getParameter("partstat"))]));
}
