// Planning a PUT or DELETE by an Attendee on their copy of a scheduling object
// resource (RFC 6638 §3.2.2): a REPLY to the Organizer (RFC 5546 §3.2.3) with
// the instances whose PARTSTAT the Attendee changed (§3.2.2.3), DECLINED for
// instances removed with an EXDATE (§3.2.2.3) and for the whole event when the
// copy is deleted (§3.2.2.4), unless "Schedule-Reply: F" (§8.1);
// SCHEDULE-FORCE-SEND=REPLY on the ORGANIZER forces a REPLY (§7.2) and is not
// stored. Nothing is sent when SCHEDULE-AGENT on the ORGANIZER (or on the
// Attendee's own ATTENDEE) is CLIENT or NONE (§3.2.2.3, §7.1).
import { C, precondition } from "../errors.js";
import type { CalendarObject } from "../ical/parse.js";
import { agentOf, findAttendee, masterOf, normAddress, propOf, readCal, serialize, stampOf, type Cal, type Item, type JComp } from "./calendar.js";
import { checkAttendeeChange } from "./attendee-rules.js";
import { canonicalizeAddresses } from "./addresses.js";
import { repairAttendeeCopy } from "./repair.js";
import { exdateKeys } from "./fingerprint.js";
import { buildMessage, deriveInstance, replyComponent } from "./message.js";
import { snapshotOf, snapshotOfCal } from "./snapshot.js";
import type { Now, OutgoingMessage, ScheduleSnapshot } from "./types.js";

export interface AttendeeInput {
  old: { snapshot?: ScheduleSnapshot | null; text: string };
  /** The validated new copy, null for DELETE. */
  next: { obj: CalendarObject; text: string } | null;
  /** The owner's address as listed in the ATTENDEE property. */
  attendeeAddress: string;
  /** false when the request had "Schedule-Reply: F" (RFC 6638 §8.1). */
  scheduleReply?: boolean;
  now?: Now;
}

export interface AttendeePlan {
  messages: OutgoingMessage[];
  /** The body to store (next.text unless SCHEDULE-FORCE-SEND was removed), null for DELETE. */
  text: string | null;
  rewritten: boolean;
  snapshot: ScheduleSnapshot | null;
}

const invalid = (d: string) => precondition(403, C.validCalendarData, d);
const partstatIn = (c: JComp | undefined, me: string): string | undefined => {
  const p = c && findAttendee(c, me);
  return p ? String(p[1]["partstat"] ?? "NEEDS-ACTION").toUpperCase() : undefined;
};
const cancelled = (c: JComp) => String(propOf(c, "status")?.[3] ?? "").toUpperCase() === "CANCELLED";

/** Whether the server schedules on this copy: SCHEDULE-AGENT=SERVER on the ORGANIZER and on the Attendee's own ATTENDEE. */
function serverScheduled(cal: Cal, me: string): boolean {
  return cal.items.every((i) => {
    const org = propOf(i.raw, "organizer");
    const mine = findAttendee(i.raw, me);
    return (!org || agentOf(org[1]) === "SERVER") && (!mine || agentOf(mine[1]) === "SERVER");
  });
}

/** The components of the REPLY for a modification: changed PARTSTATs, new EXDATEs, or everything when forced. */
function changedComponents(old: Cal, next: Cal, me: string, forced: boolean, stamp: string): { comps: JComp[]; rids: string[] } {
  const comps: JComp[] = [];
  const rids: string[] = [];
  const oldM = masterOf(old);
  for (const item of next.items) {
    const now = partstatIn(item.raw, me);
    if (now === undefined || cancelled(item.raw)) continue;
    const before = partstatIn((old.items.find((i) => i.rid === item.rid) ?? oldM)?.raw, me);
    if (forced || now !== before) {
      comps.push(replyComponent(item.raw, me, now, stamp));
      rids.push(item.rid);
    }
  }
  const newM = masterOf(next);
  if (oldM && newM) {
    const had = exdateKeys(oldM.ev);
    for (const rid of exdateKeys(newM.ev)) {
      if (had.includes(rid) || rids.includes(rid)) continue;
      const source = old.items.find((i) => i.rid === rid)?.raw ?? deriveInstance(oldM, rid);
      if (partstatIn(source, me) === "DECLINED" || cancelled(source) || partstatIn(source, me) === undefined) continue;
      comps.push(replyComponent(source, me, "DECLINED", stamp));
      rids.push(rid);
    }
  }
  return { comps, rids };
}

/** Plans the REPLY of an Attendee's change to their copy, after checking the change is theirs to make. */
export function planAttendee(input: AttendeeInput): AttendeePlan {
  const stamp = stampOf(input.now);
  const me = normAddress(input.attendeeAddress);
  const old = readCal(input.old.text, invalid);
  let next = input.next ? readCal(input.next.text, invalid) : null;
  let text = input.next?.text ?? null;
  let rewritten = false;
  let snapshot = input.next ? snapshotOf(input.next.obj) : null;
  if (next) {
    // What the client dropped of the Organizer's is put back, addresses are spelled one way; then the change is judged.
    const repaired = repairAttendeeCopy(old, next, me);
    if (canonicalizeAddresses(next) || repaired) {
      next = readCal(serialize(next.top), invalid);
      rewritten = true;
    }
    checkAttendeeChange(old, next, me);
  }

  let forced = false;
  for (const item of next?.items ?? []) {
    const org = propOf(item.raw, "organizer");
    if (org && org[1]["schedule-force-send"] !== undefined) {
      forced ||= String(org[1]["schedule-force-send"]).toUpperCase() === "REPLY";
      delete org[1]["schedule-force-send"];
      rewritten = true;
    }
    // Answered: no reply is awaited any more (RFC 5545 §3.2.17 RSVP).
    const mine = findAttendee(item.raw, me);
    if (mine && mine[1]["rsvp"] !== undefined && partstatIn(item.raw, me) !== "NEEDS-ACTION") {
      delete mine[1]["rsvp"];
      rewritten = true;
    }
  }
  if (next && rewritten) {
    text = serialize(next.top);
    snapshot = snapshotOfCal(readCal(text, invalid));
  }
  const plan = (messages: OutgoingMessage[]): AttendeePlan => ({ messages, text, rewritten, snapshot });
  const current = next ?? old;
  const organizerProp = current.items.map((i) => propOf(i.raw, "organizer")).find((p) => p);
  if (!organizerProp || !serverScheduled(current, me)) return plan([]);

  let comps: JComp[];
  let rids: string[];
  if (!next) {
    const master = masterOf(old);
    if (input.scheduleReply === false || (master && cancelled(master.raw))) return plan([]);
    const live = old.items.filter((i: Item) => !cancelled(i.raw) && partstatIn(i.raw, me) !== undefined && partstatIn(i.raw, me) !== "DECLINED");
    comps = live.map((i) => replyComponent(i.raw, me, "DECLINED", stamp));
    rids = live.map((i) => i.rid);
  } else {
    ({ comps, rids } = changedComponents(old, next, me, forced, stamp));
  }
  if (comps.length === 0) return plan([]);
  const organizer = normAddress(organizerProp[3]);
  const message = buildMessage({
    method: "REPLY", originator: me, recipient: organizer, uid: current.uid, comps,
    from: current.top, tzSources: [...current.timezones, ...old.timezones], stamp, recurrenceIds: rids,
  });
  return plan([message]);
}
