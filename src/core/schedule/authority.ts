// Who may change a recipient's copy with an incoming iTIP message (RFC 6638
// §4, RFC 5546 §6.1 "spoofing", and RFC 6047 §3's origin checks by analogy).
// UIDs are not secrets (every attendee sees them), so a message is never
// trusted for the UID it names: only the Organizer of the copy it would
// change may change it, and only an Attendee may answer for themselves.
//  - REQUEST, ADD, CANCEL: the sending principal holds the message's
//    ORGANIZER, and, when the recipient already has a copy of that UID, the
//    copy's ORGANIZER too (a copy without ORGANIZER, or organized by anyone
//    else, the recipient included, is not the sender's to change);
//  - REPLY (and COUNTER, REFRESH): the sending principal holds the replying ATTENDEE, the
//    recipient has a copy of that UID that they organize (a reply to an event
//    they never had is dropped, not kept in the inbox), and the copy lists
//    that ATTENDEE (someone never invited cannot drop answers, proposals or
//    refresh requests into the organizer's inbox by naming the UID).
// A refused message changes nothing; the sender's copy learns 3.8 (No
// authority, RFC 5546 §3.6) as its SCHEDULE-STATUS (RFC 6638 §3.2.9).
import { normAddress } from "./calendar.js";
import type { ItipMessage } from "./itip.js";
import { SCHEDULE_STATUS } from "./status.js";

export interface AuthorityInput {
  message: ItipMessage;
  /** Addresses of the principal whose home sent the message (from the directory, not from the message). */
  sender: readonly string[];
  /** Addresses of the recipient principal. */
  recipient: readonly string[];
  /** The ORGANIZER of the recipient's current copy of the UID: null for a copy without one, undefined when there is no copy. */
  copyOrganizer: string | null | undefined;
  /** Whether the current copy lists `address` as an ATTENDEE, of the series or of any instance (asked of answers only). */
  attends?: (address: string) => boolean;
}

export type Authority = { ok: true } | { ok: false; status: string; reason: string };

const refuse = (reason: string): Authority => ({ ok: false, status: SCHEDULE_STATUS.NO_AUTHORITY, reason });
const holds = (addresses: readonly string[], address: string | null | undefined): boolean =>
  !!address && addresses.some((a) => normAddress(a) === normAddress(address));

/** Whether the message may be applied to the recipient's copy; the reason when not. */
export function checkAuthority(input: AuthorityInput): Authority {
  const { message, sender, recipient, copyOrganizer } = input;
  if (message.method === "REPLY" || message.method === "COUNTER" || message.method === "REFRESH") {
    // A REPLY names one ATTENDEE; a COUNTER or REFRESH (kept in the organizer's inbox) is from one of those listed.
    const replier = message.method === "REPLY"
      ? message.components[0]?.attendees[0]?.address
      : message.components.flatMap((c) => c.attendees).find((a) => holds(sender, a.address))?.address;
    if (!holds(sender, replier)) return refuse(`the REPLY answers for ${replier ?? "nobody"}, whom the sender is not`);
    if (copyOrganizer === undefined) return refuse(`no event with UID ${message.uid} to answer`);
    if (!holds(recipient, copyOrganizer)) return refuse("the recipient does not organize this event");
    if (input.attends && !input.attends(replier!)) return refuse(`${replier} is not an attendee of this event`);
    return { ok: true };
  }
  if (!holds(sender, message.organizer)) return refuse(`the sender is not the ORGANIZER ${message.organizer}`);
  if (copyOrganizer === undefined) return { ok: true };
  if (copyOrganizer === null) return refuse(`UID ${message.uid} is an event of the recipient's own, without ORGANIZER`);
  if (!holds(sender, copyOrganizer)) return refuse(`the recipient's copy of UID ${message.uid} is organized by ${copyOrganizer}`);
  return { ok: true };
}
