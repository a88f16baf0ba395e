// Joins the calendar objects of one calendar into one iCalendar stream for
// export and subscription (RFC 5545 §3.4, §3.6): one VCALENDAR with VERSION,
// PRODID and X-WR-CALNAME, every object's components, and each VTIMEZONE
// (§3.6.5) once, written before the first object that names it. Bodies are
// taken one at a time, so an export holds one batch of bodies, never the
// whole calendar. Stored bodies were validated when written (prepare.ts).
import { blockFacts, calendarBlocks } from "./blocks.js";
import ICAL from "ical.js";

export const EXPORT_PRODID = "-//edge-caldav//export//EN";

export class CalendarJoin {
  /** TZIDs already written (bounded by the objects of the calendar). */
  private readonly zones = new Set<string>();

  /** The VCALENDAR's start; `name` becomes X-WR-CALNAME, which Google, Apple and Outlook show as the calendar's name. */
  head(name?: string): string {
    const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", `PRODID:${EXPORT_PRODID}`, "CALSCALE:GREGORIAN"];
    if (name) {
      // ical.js escapes a TEXT value (RFC 5545 §3.3.11) and folds the line (§3.1).
      const holder = new ICAL.Component("vcalendar");
      holder.addProperty(new ICAL.Property(["x-wr-calname", {}, "text", name]));
      lines.push(holder.toString().split("\r\n").slice(1, -1).join("\r\n"));
    }
    return `${lines.join("\r\n")}\r\n`;
  }

  /** One stored body's components, preceded by the VTIMEZONEs not written yet. */
  add(body: string): string {
    const out: string[] = [];
    const blocks = calendarBlocks(body, (d) => new Error(d));
    try {
      for (const b of blocks) {
        if (b.name === "VTIMEZONE") {
          const tzid = blockFacts(b.text).tzid;
          if (tzid === null || this.zones.has(tzid)) continue;
          this.zones.add(tzid);
        }
        out.push(b.text);
      }
    } catch {
      return ""; // a stored body that no longer reads as iCalendar holds nothing to export (parse.ts parseStoredOrNothing)
    }
    return out.join("");
  }

  tail(): string {
    return "END:VCALENDAR\r\n";
  }
}
