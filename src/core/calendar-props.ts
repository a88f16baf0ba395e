// Readings of a calendar collection's stored properties that several
// operations need: its timezone for floating times (RFC 4791 §5.2.2) and
// whether it counts for free-busy (RFC 6638 §9.1 schedule-calendar-transp).
import type ICAL from "ical.js";
import { calendarTimezoneZone } from "./ical/calendar-timezone.js";
import type { PropMap } from "./model.js";
import { caldav } from "./xml/names.js";
import { childElements, textOf } from "./xml/tree.js";

/** The calendar's own timezone (CALDAV:calendar-timezone), or null for UTC. */
export function calendarZone(props: PropMap): ICAL.Timezone | null {
  const own = props[caldav("calendar-timezone")];
  if (!own) return null;
  try {
    return calendarTimezoneZone(textOf(own));
  } catch {
    return null;
  }
}

/** schedule-calendar-transp is transparent: the calendar's events take no busy time. */
export function isTransparent(props: PropMap): boolean {
  const transp = props[caldav("schedule-calendar-transp")];
  return transp !== undefined && childElements(transp).some((e) => e.name === caldav("transparent"));
}
