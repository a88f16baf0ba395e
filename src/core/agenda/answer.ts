// Invitations waiting for the person's answer and the answer itself, as an
// attendee's client would give it (RFC 6638 §3.2.2, RFC 5546 §3.2.3): the
// copy in their calendar is the truth, not the inbox message (RFC 6638 §4.1
// delivers both). Pending = the person attends (is not the organizer) and
// their own ATTENDEE says PARTSTAT=NEEDS-ACTION in an instance that is not
// cancelled. An answer sets PARTSTAT on the person's ATTENDEE line in the
// master and in every override they are listed in (the whole series); the
// body is then stored like a client's PUT, whose planning sends the REPLY.
import { forbidden } from "../errors.js";
import { invalidData } from "../ical/component.js";
import { findAttendee, readCal, serialize } from "../schedule/calendar.js";
import { ownAttendeeAddress, roleOf } from "../schedule/snapshot.js";
import type { ScheduleSnapshot } from "../schedule/types.js";

/** The answers the page offers, by form value (RFC 5545 §3.2.12 PARTSTAT for VEVENT and VTODO). */
export const ANSWERS = { accept: "ACCEPTED", tentative: "TENTATIVE", decline: "DECLINED" } as const;
export type Answer = keyof typeof ANSWERS;

export const isAnswer = (v: string): v is Answer => Object.hasOwn(ANSWERS, v);

export interface Pending {
  /** The person's address as the ATTENDEE line has it (normalized). */
  address: string;
  /** Instances that wait: "" for the master (the series or the single event), else RECURRENCE-ID keys. */
  rids: string[];
}

/** What waits for the person in a scheduling copy, or null when nothing does (or they organize it). */
export function pendingIn(snap: ScheduleSnapshot | null, addresses: readonly string[]): Pending | null {
  if (!snap || roleOf(snap, addresses) !== "attendee") return null;
  const me = ownAttendeeAddress(snap, addresses);
  if (!me) return null;
  const rids = snap.instances
    .filter((i) => !i.cancelled && i.attendees.some((a) => a.address === me && a.partstat === "NEEDS-ACTION"))
    .map((i) => i.rid);
  return rids.length ? { address: me, rids } : null;
}

/**
 * The copy with the person's PARTSTAT set in every component that lists them; the attendee planner drops RSVP as
 * for any client's answer (schedule/attendee.ts). Throws 403 when they are not listed.
 */
export function withAnswer(text: string, address: string, partstat: string): string {
  const cal = readCal(text, invalidData);
  let found = 0;
  for (const item of cal.items) {
    const mine = findAttendee(item.raw, address);
    if (!mine) continue;
    mine[1]["partstat"] = partstat;
    found++;
  }
  if (found === 0) throw forbidden("you are not an attendee of this event");
  return serialize(cal.top);
}
