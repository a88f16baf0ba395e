// What an Attendee may change in their copy of a scheduling object resource
// (RFC 6638 §3.2.2.1), enforced with CALDAV:allowed-attendee-scheduling-
// object-change (§3.2.4.4). Allowed, as the RFC requires: their own PARTSTAT
// (and any other parameter of their own ATTENDEE line),
// TRANSP, PERCENT-COMPLETE, COMPLETED, VALARMs, CALSCALE and PRODID,
// CREATED, DTSTAMP, LAST-MODIFIED, SCHEDULE-STATUS, added EXDATEs with the
// overrides they remove, and new overrides that only carry such changes.
// Allowed beyond the RFC, as per-user data clients keep on invitations:
// CATEGORIES, REQUEST-STATUS and any X- property. Everything else (times,
// recurrence, SUMMARY, LOCATION, the ORGANIZER, the list of Attendees and
// their PARTSTAT, ROLE, CUTYPE, CN, delegation and SENT-BY, SEQUENCE...)
// belongs to the Organizer.
import { precondition } from "../errors.js";
import { caldav } from "../xml/names.js";
import { masterOf, type Cal, type Item } from "./calendar.js";
import { exdateKeys, fingerprint, firstDifference } from "./fingerprint.js";

export const attendeeChangeRefused = (description: string) =>
  precondition(403, caldav("allowed-attendee-scheduling-object-change"), description);

/** Properties an Attendee may add, change or remove (besides X- properties and VALARMs). */
export const ATTENDEE_MAY_CHANGE: ReadonlySet<string> = new Set([
  "transp", "percent-complete", "completed", "created", "dtstamp", "last-modified", "categories", "request-status", "exdate",
]);

const options = (me: string, instance: boolean) => ({ instance, ignore: ATTENDEE_MAY_CHANGE, attendeeParamsExcept: me });
const label = (rid: string) => (rid ? `the instance ${rid}` : "the event");

function refuse(what: string | null, rid: string): never {
  throw attendeeChangeRefused(`an Attendee cannot change ${what ?? "this"} of ${label(rid)}; only the Organizer can (RFC 6638 §3.2.2.1)`);
}

/**
 * Throws allowed-attendee-scheduling-object-change unless `next` differs from `old` only as the Attendee `me`
 * (their normalized address) may change it: the ORGANIZER, the list of Attendees and every other Attendee's
 * participation parameters stay as the Organizer sent them.
 */
export function checkAttendeeChange(old: Cal, next: Cal, me: string): void {
  const whole = (i: Item) => fingerprint(i.ev, i.rid, options(me, false));
  const asInstance = (i: Item) => fingerprint(i.ev, i.rid, options(me, true));
  const oldM = masterOf(old);
  const newM = masterOf(next);
  if (!!oldM !== !!newM) refuse(oldM ? "the recurrence set (the master component was removed)" : "the recurrence set (a master component was added)", "");
  if (oldM && newM) {
    const diff = firstDifference(whole(oldM), whole(newM));
    if (diff) refuse(diff, "");
    const added = exdateKeys(newM.ev);
    const lost = exdateKeys(oldM.ev).find((x) => !added.includes(x));
    if (lost) refuse(`EXDATE ${lost} (only adding EXDATEs is allowed)`, "");
  }
  const exdates = newM ? exdateKeys(newM.ev) : [];
  for (const item of next.items) {
    if (item.rid === "") continue;
    const before = old.items.find((i) => i.rid === item.rid);
    if (before) {
      const diff = firstDifference(whole(before), whole(item));
      if (diff) refuse(diff, item.rid);
    } else {
      // A new override must carry what the master generates for that instance (§3.2.2.1 item 11).
      if (!oldM) refuse("the set of instances", item.rid);
      const diff = firstDifference(asInstance(oldM), asInstance(item));
      if (diff) refuse(diff, item.rid);
    }
  }
  for (const before of old.items) {
    if (before.rid === "" || next.items.some((i) => i.rid === before.rid) || exdates.includes(before.rid)) continue;
    // Removing an override without an EXDATE is fine only if it carried nothing of the Organizer's own.
    if (!oldM || firstDifference(asInstance(oldM), asInstance(before))) refuse("the instance (removed without an EXDATE)", before.rid);
  }
}
