// If-Schedule-Tag-Match on PUT (RFC 6638 §3.2.10.1): when the client's
// Schedule-Tag is current, its data may still predate "inconsequential"
// server changes (replies merged, delivery status). The server keeps its own
// view of every other Attendee's participation: PARTSTAT and SCHEDULE-STATUS
// are taken from the stored copy for each Attendee that
// both copies list in the same component. In an Attendee's copy every other
// Attendee's line is the Organizer's (RFC 6638 §3.2.2.1), so all of their
// parameters the Organizer sets are taken from the stored copy.
import { C, precondition } from "../errors.js";
import { attendeeProps, normAddress, readCal, serialize } from "./calendar.js";

const SERVER_OWNED = ["partstat", "schedule-status"];
const ORGANIZER_OWNED = [...SERVER_OWNED, "role", "cutype", "rsvp", "cn", "delegated-to", "delegated-from", "sent-by", "member"];

export function mergeAttendeeState(stored: string, incoming: string, ownerAddresses: readonly string[], role: "organizer" | "attendee" = "organizer"): string {
  const owned = role === "attendee" ? ORGANIZER_OWNED : SERVER_OWNED;
  const invalid = (d: string) => precondition(403, C.validCalendarData, d);
  const from = readCal(stored, invalid);
  const into = readCal(incoming, invalid);
  const mine = new Set(ownerAddresses.map(normAddress));
  let changed = false;
  for (const item of into.items) {
    const source = from.items.find((i) => i.rid === item.rid);
    if (!source) continue;
    const known = new Map(attendeeProps(source.raw).map((p) => [normAddress(p[3]), p[1]]));
    for (const p of attendeeProps(item.raw)) {
      const address = normAddress(p[3]);
      const params = known.get(address);
      if (!params || mine.has(address)) continue;
      for (const name of owned) {
        const value = params[name];
        if (p[1][name] === value) continue;
        if (value === undefined) delete p[1][name];
        else p[1][name] = value;
        changed = true;
      }
    }
  }
  return changed ? serialize(into.top) : incoming;
}
