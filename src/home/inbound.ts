// Incoming scheduling work for one calendar home, applied one UID at a time
// (RFC 6638 section 4: delivery of iTIP messages into the recipient's
// calendar and inbox; section 3.2.9: SCHEDULE-STATUS in the organizer's
// copy). Work for the same UID is queued in memory and coalesced: one read
// of the current copy, every queued message applied in order by the pure
// core, one write. So replies from a hundred attendees arriving at once are
// merged without losing any, in a handful of writes. Before a message
// changes anything, the core decides whether its sender may change this copy
// (core/schedule/authority.ts): the copy's ORGANIZER, tracked through the
// batch, never the UID alone.
import type { ItipJob } from "../core/itip-job.js";
import type { Principal } from "../core/model.js";
import {
  SCHEDULE_STATUS, applyCancel, applyReply, applyRequest, autoSchedule, checkAuthority, keepReplyStatus, answersForInvited, attendeesOf, parseItip, setOrganizerScheduleStatus, setScheduleStatus,
  type ItipMessage, type ReplyStamps,
} from "../core/schedule/index.js";
import type { OutgoingMessage } from "../core/schedule/types.js";
import { DavError } from "../core/errors.js";
import type { BusyPeriod } from "./busy.js";

const unreadable = (description: string) => new DavError(500, { description: `the stored copy cannot be read: ${description}` });
/**
 * Whether the copy lists `address` as an ATTENDEE, or one who delegated to it as the message says (RFC 5546 §3.2.2.3:
 * the delegate answers before the organizer adds it). A copy that cannot be read lists nobody. `listed` keeps the
 * addresses of the last copy asked about: a batch of replies asks of the same text until one changes it.
 */
function attends(copy: string | null, message: ItipMessage, address: string, listed: { text?: string; set?: Set<string> }): boolean {
  if (copy === null) return false;
  try {
    if (listed.text !== copy || !listed.set) Object.assign(listed, { text: copy, set: attendeesOf(copy, unreadable) });
    return answersForInvited(listed.set!, message.text, address, unreadable);
  } catch {
    return false;
  }
}

/** One unit of incoming work. */
export type InboundOp =
  /**
   * `me` is the recipient; `sender` the principal whose home sent the message (from the directory). `hosted`: an answer
   * (REPLY, COUNTER, REFRESH) to `me`, a read-write sharee (this id) organizing the meeting in this home's shared calendar (home/hosted.ts);
   * `ownersAnswer`: sent by this home's principal, an attendee answering in that very copy, where its PARTSTAT is
   * already written: the other attendees still hear of it.
   */
  | { kind: "deliver"; job: ItipJob; body: string; me: Principal; sender: Principal; hosted?: string | undefined; ownersAnswer?: boolean | undefined }
  | { kind: "status"; statuses: Record<string, string>; organizerCopy: boolean }
  /** An answer taken into a meeting this principal organizes in an owner's home (home/hosted.ts): kept in its inbox. */
  | { kind: "keep"; job: ItipJob; body: string };

export interface OpOutcome {
  /** SCHEDULE-STATUS to report to the sender for a delivery (RFC 6638 §3.2.9). */
  status: string;
}

export interface Applied {
  text: string | null;
  /** A new Schedule-Tag is needed (the organizer's data changed the attendee's copy, RFC 6638 §3.3). */
  newTag: boolean;
  inbox: Array<{ id: string; body: string; uid: string; component: string }>;
  applied: string[];
  outgoing: OutgoingMessage[];
  /** Instances whose participation changed by a merged REPLY: the other attendees are to hear of it. */
  refresh: string[];
  /** The last reply applied per instance and Attendee, to remember beside the copy (never in it). */
  stamps: Array<{ rid: string; attendee: string; stamp: string }>;
}

/** Busy time a room or resource needs to decide, fetched before the synchronous apply step. */
export type BusyLookup = (ops: InboundOp[]) => Promise<BusyPeriod[]>;

/**
 * Applies queued operations to the current text of the copy (null: none yet),
 * whose ORGANIZER is `organizer` (null: the copy has none). Pure apart from
 * the busy periods passed in; returns the new state and what to write beside it.
 * `hosts(sharee)`: whether the copy is in a calendar that sharee may organize
 * in as itself (a hosted answer is refused otherwise).
 */
export function applyOps(
  current: string | null,
  organizer: string | null,
  ops: InboundOp[],
  seen: (id: string) => boolean,
  busy: BusyPeriod[],
  now: number,
  stamps: ReplyStamps = () => undefined,
  hosts: (sharee: string) => boolean = () => false,
): { result: Applied; outcomes: OpOutcome[] } {
  let text = current;
  let copyOrganizer = organizer;
  const result: Applied = { text, newTag: false, inbox: [], applied: [], outgoing: [], refresh: [], stamps: [] };
  const outcomes: OpOutcome[] = [];
  /** The attendees of the copy last asked about (attends()). */
  const listed: { text?: string; set?: Set<string> } = {};
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.kind === "status") {
      // Consecutive status reports are merged into one rewrite: a meeting of 1,000 reports 1,000 of them at once.
      const statuses: Record<string, string> = {};
      for (; i < ops.length; i++) {
        const next = ops[i]!;
        if (next.kind !== "status" || next.organizerCopy !== op.organizerCopy) break;
        for (const [address, status] of Object.entries(next.statuses)) {
          const before = statuses[address];
          if (!keepReplyStatus(before, status)) statuses[address] = status;
        }
        outcomes.push({ status: "2.0" });
      }
      i--;
      if (text !== null) {
        text = op.organizerCopy
          ? setScheduleStatus(text, statuses, undefined, keepReplyStatus)
          : setOrganizerScheduleStatus(text, Object.values(statuses).at(-1) ?? "1.2");
      }
      continue;
    }
    const { job } = op;
    if (seen(job.id) || result.applied.includes(job.id)) {
      outcomes.push({ status: "1.2" });
      continue;
    }
    let message: ItipMessage;
    try {
      message = parseItip(op.body);
    } catch (e) {
      console.warn(`iTIP ${job.id} (${job.method} ${job.uid}) is not a valid message: ${(e as Error).message}`);
      outcomes.push({ status: "5.1" });
      continue;
    }
    if (op.kind === "keep") {
      // Merged where the copy is (the owner's home decided); only the organizer's inbox keeps it (RFC 6638 §4).
      result.applied.push(job.id);
      result.inbox.push({ id: job.id, body: op.body, uid: message.uid, component: message.component });
      outcomes.push({ status: SCHEDULE_STATUS.DELIVERED });
      continue;
    }
    if (op.hosted !== undefined && !hosts(op.hosted)) {
      // Not a calendar of this home that the sharee may still write: the reply is not this home's to merge.
      outcomes.push({ status: SCHEDULE_STATUS.NO_AUTHORITY });
      continue;
    }
    const copy = text;
    const authority = checkAuthority({
      message, sender: op.sender.addresses, recipient: op.me.addresses, copyOrganizer: copy === null ? undefined : copyOrganizer,
      attends: (address) => attends(copy, message, address, listed),
    });
    if (!authority.ok) {
      // Refused, and not recorded as applied: nothing of it is kept, and a redelivery is judged again.
      console.warn(`iTIP ${job.id} (${message.method} ${job.uid}) from ${op.sender.id} to ${op.me.id} refused: ${authority.reason}`);
      outcomes.push({ status: authority.status });
      continue;
    }
    result.applied.push(job.id);
    try {
      const before = text;
      text = applyMessage(text, message, op, result, busy, now, stamps);
      if (text !== before && (message.method === "REQUEST" || message.method === "ADD")) copyOrganizer = message.organizer;
      outcomes.push({ status: "1.2" });
    } catch (e) {
      // The core is pure, so a message it cannot apply now never will: no retries, the sender learns it failed.
      console.warn(`iTIP ${job.id} (${job.method} ${job.uid}) could not be applied: ${(e as Error).message}`);
      outcomes.push({ status: "5.1" });
    }
  }
  result.text = text;
  return { result, outcomes };
}

/** Applies one delivered message, its sender's authority checked, to the copy's text; returns the new text. */
function applyMessage(
  text: string | null,
  message: ItipMessage,
  op: Extract<InboundOp, { kind: "deliver" }>,
  result: Applied,
  busy: BusyPeriod[],
  now: number,
  stamps: ReplyStamps,
): string | null {
  const { job, body, me } = op;
  const recipient = job.recipient;
  switch (message.method) {
    case "REQUEST":
    case "ADD": {
      if (me.type === "ROOM" || me.type === "RESOURCE") {
        const r = autoSchedule({ existing: text, message, recipient, busy, now });
        if (r) {
          text = r.text;
          result.newTag = true;
          result.outgoing.push(...r.messages);
        }
      } else {
        const r = applyRequest({ existing: text, message, recipient, now });
        if (r) {
          text = r.text;
          if (!r.partstatOnly || r.created) result.newTag = true;
        }
      }
      break;
    }
    case "CANCEL": {
      // Nothing to cancel: nothing to keep either.
      if (text === null) return text;
      const r = applyCancel({ existing: text, message, recipient, now });
      if (r) {
        text = r.text;
        result.newTag = true;
      }
      break;
    }
    case "REPLY": {
      if (text === null) return text; // refused by checkAuthority before; kept for the type
      // Merging a reply into the organizer's copy keeps its Schedule-Tag (RFC 6638 §3.2.10).
      // Stamps of this batch's earlier replies first, then the home's.
      const known: ReplyStamps = (rid, attendee) =>
        result.stamps.findLast((x) => x.rid === rid && x.attendee === attendee)?.stamp ?? stamps(rid, attendee);
      const r = applyReply({ existing: text, message, now, precise: job.created, stamps: known });
      if (r) {
        text = r.text;
        if (r.changed || op.ownersAnswer) result.refresh.push(...r.recurrenceIds);
        result.stamps.push(...r.stamps.map((x) => ({ ...x, attendee: r.attendee })));
      }
      break;
    }
    default:
      // REFRESH, COUNTER, DECLINECOUNTER, PUBLISH: kept in the inbox for the client to act on.
      break;
  }
  // The message is kept in the inbox once it was applied (RFC 6638 §4); a hosted reply is the sharee's, not the owner's.
  if (op.hosted === undefined) result.inbox.push({ id: job.id, body, uid: message.uid, component: message.component });
  return text;
}
