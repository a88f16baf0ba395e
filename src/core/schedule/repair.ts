// Repair, not refusal, for sloppy Attendee clients (RFC 6638 §3.2.2.1): what
// the Organizer owns and the client merely dropped is put back from the
// stored copy before the change is judged (attendee-rules.ts), as Apple's
// CalendarServer did; only a real change of it is refused. Put back:
//  - an override the client dropped without an EXDATE, when it carries the
//    Organizer's own data (one that only held the Attendee's answer may go);
//  - the master, when the client sent only overrides;
//  - SEQUENCE as the Organizer numbered it (clients bump it when re-saving,
//    e.g. a cancelled copy);
//  - the Organizer's X- properties (per-user ones, X-MOZ-* and X-APPLE-*,
//    are the Attendee's to drop);
//  - the parameters of other Attendees a client does not keep (CN, ROLE...).
import { clone, findAttendee, masterOf, normAddress, propOf, propsOf, setProp, type Cal, type Item } from "./calendar.js";
import { ATTENDEE_MAY_CHANGE } from "./attendee-rules.js";
import { exdateKeys, fingerprint, firstDifference } from "./fingerprint.js";

const perUser = (name: string) => name.startsWith("x-moz-") || (name.startsWith("x-apple-") && name !== "x-apple-structured-location");
const asInstance = (i: Item) => fingerprint(i.ev, i.rid, { instance: true, ignore: ATTENDEE_MAY_CHANGE });

/** Whether an override carries anything of the Organizer's beyond what its master generates. */
const organizersOwn = (master: Item | undefined, o: Item) => !master || firstDifference(asInstance(master), asInstance(o)) !== null;

/** Puts back in `next` (in place) what the client dropped of the Organizer's; whether anything was put back. */
export function repairAttendeeCopy(old: Cal, next: Cal, me: string): boolean {
  let repaired = false;
  const oldM = masterOf(old);
  if (oldM && !masterOf(next)) {
    next.top[2].push(clone(oldM.raw));
    repaired = true;
  }
  const newM = masterOf(next) ?? oldM;
  const exdates = newM ? exdateKeys(newM.ev) : [];
  for (const o of old.items) {
    if (o.rid === "" || next.items.some((i) => i.rid === o.rid) || exdates.includes(o.rid)) continue;
    if (!organizersOwn(oldM, o)) continue;
    next.top[2].push(clone(o.raw));
    repaired = true;
  }
  for (const item of next.items) {
    const before = old.items.find((i) => i.rid === item.rid);
    if (!before) continue;
    const seq = propOf(before.raw, "sequence");
    const now = propOf(item.raw, "sequence");
    if (seq && JSON.stringify(seq.slice(3)) !== JSON.stringify(now?.slice(3))) {
      setProp(item.raw, clone(seq));
      repaired = true;
    } else if (!seq && now) {
      item.raw[1] = item.raw[1].filter((p) => p[0] !== "sequence");
      repaired = true;
    }
    for (const p of before.raw[1]) {
      if (!p[0].startsWith("x-") || perUser(p[0]) || propsOf(item.raw, p[0]).length > 0) continue;
      item.raw[1].push(clone(p));
      repaired = true;
    }
    for (const p of item.raw[1]) {
      if (p[0] !== "attendee" || normAddress(p[3]) === me) continue;
      const was = findAttendee(before.raw, normAddress(p[3]));
      if (!was) continue;
      for (const [name, value] of Object.entries(was[1])) {
        if (p[1][name] !== undefined || name.startsWith("x-") || name === "schedule-status") continue;
        p[1][name] = clone(value);
        repaired = true;
      }
    }
  }
  return repaired;
}
