// Implicit scheduling for a write by a client (RFC 6638 §3.2): from the
// stored snapshot and the new data, decide who is organizer or attendee and
// plan the iTIP messages with the pure core. The messages are committed with
// the write and delivered over the Queue afterwards.
import { jobOf, type ItipJob } from "../core/itip-job.js";
import type { CalendarObject } from "../core/ical/parse.js";
import type { ObjectInfo, Principal } from "../core/model.js";
import { parseCalendarObject } from "../core/ical/parse.js";
import {
  mergeAttendeeState, ownAttendeeAddress, parseSnapshot, planAttendee, planOrganizer, promisedStatuses, roleOf, SCHEDULE_STATUS, setOrganizerScheduleStatus, setScheduleStatus,
  snapshotOf, type OutgoingMessage, type ScheduleSnapshot,
} from "../core/schedule/index.js";
import type { DavContext } from "./context.js";
import { readBody } from "./get.js";
import { capOutside, outsideStatus } from "../mail/config.js";
import { holdersOf } from "../directory/holders.js";

export interface Stored {
  object: ObjectInfo;
  snapshot: string | null;
}

export interface WritePlan {
  /** The body to store (the client's unless the planner rewrote it), null for a removal. */
  text: string | null;
  rewritten: boolean;
  snapshot: ScheduleSnapshot | null;
  jobs: ItipJob[];
}

type Next = { obj: CalendarObject; text: string; snapshot: ScheduleSnapshot | null };

/** Where a plan's messages go from, when not from the scheduling principal's own home. */
export interface HostedBy {
  /** The home that holds the copy and sends the messages: the owner of a shared calendar. */
  home: string;
  /** The read-write sharee organizing there as itself (dav/shared.ts schedulerOf): the sender of its messages. */
  sharee: string;
}

/**
 * Plans a PUT (next set) or DELETE (next null) of a possibly scheduling
 * object by `owner`. With `mergeOthers` (a matching If-Schedule-Tag-Match,
 * RFC 6638 §3.2.10.1) the stored view of the other attendees is kept.
 * With `hosted`, `owner` is a sharee organizing in another's calendar: the
 * copy is read from, and the messages sent from, that home.
 */
export async function planWrite(
  ctx: DavContext,
  owner: Principal,
  stored: Stored | null,
  incoming: Next | null,
  opts: { scheduleReply: boolean; mergeOthers?: boolean; hosted?: HostedBy | undefined },
): Promise<WritePlan> {
  const home = opts.hosted?.home ?? owner.id;
  // The role comes from what is stored when the owner has one there (RFC 6638 §3.1): the new body cannot make an
  // Attendee the Organizer. Only an object that was none of the owner's business takes its role from the new body,
  // and then its old version was nothing the owner ever scheduled (planned as if new).
  const storedSnap = parseSnapshot(stored?.snapshot ?? null);
  const storedRole = roleOf(storedSnap, owner.addresses);
  const role = storedRole !== "none" ? storedRole : roleOf(incoming?.snapshot ?? null, owner.addresses);
  const oldSnap = storedRole !== "none" ? storedSnap : null;
  const now = Date.now();
  if (role === "none") return { text: incoming?.text ?? null, rewritten: false, snapshot: incoming?.snapshot ?? null, jobs: [] };
  const oldText = stored && oldSnap ? (await readBody(ctx, home, stored.object)).text : undefined;
  let next = incoming;
  let merged = false;
  if (next && opts.mergeOthers && oldText !== undefined) {
    const text = mergeAttendeeState(oldText, next.text, owner.addresses, role);
    if (text !== next.text) {
      const obj = parseCalendarObject(text);
      next = { obj, text, snapshot: snapshotOf(obj) };
      merged = true;
    }
  }
  // What each recipient's status will be is known now (RFC 6638 §3.2.9): whether a principal of this server holds
  // the address. The copy says so at once, and delivery reports back only what differs (a refusal, a failure).
  // Outside addresses: 1.1 when the deployment sends e-mail, within its recipients cap (src/mail/config.ts).
  const promise = async (messages: OutgoingMessage[]) =>
    capOutside(ctx.env, promisedStatuses(await holdersOf(ctx.directory, [...new Set(messages.map((m) => m.recipient))]), messages, outsideStatus(ctx.env)));
  const jobs = (messages: OutgoingMessage[], promised: Record<string, string>) =>
    messages.filter((m) => promised[m.recipient] !== SCHEDULE_STATUS.TEMPORARY_FAILURE).map((m) => jobOf(m, home, now, promised[m.recipient], opts.hosted?.sharee));
  if (role === "organizer") {
    const plan = planOrganizer({
      old: stored ? { snapshot: oldSnap, ...(oldText !== undefined ? { text: oldText } : {}) } : null,
      next: next ? { obj: next.obj, text: next.text } : null,
      ownerAddresses: owner.addresses,
      now,
    });
    const promised = plan.messages.length ? await promise(plan.messages) : {};
    // On the attendees the messages are for (RFC 6638 §3.2.1.1: never on the others); not for a CANCEL's attendee.
    const sent = Object.fromEntries(plan.messages.filter((m) => m.method !== "CANCEL").map((m) => [m.recipient, promised[m.recipient]!]));
    const statuses = { ...sent, ...plan.statuses };
    const text = plan.text !== null && Object.keys(statuses).length ? setScheduleStatus(plan.text, statuses) : plan.text;
    return { text, rewritten: merged || plan.rewritten || text !== plan.text, snapshot: plan.snapshot, jobs: jobs(plan.messages, promised) };
  }
  // An attendee's own copy: replies go to the organizer. A copy the attendee creates has nothing to answer yet.
  const me = ownAttendeeAddress((oldSnap ?? next?.snapshot)!, owner.addresses);
  if (oldText === undefined || !me) return { text: next?.text ?? null, rewritten: merged, snapshot: next?.snapshot ?? null, jobs: [] };
  const plan = planAttendee({
    old: { snapshot: oldSnap, text: oldText },
    next: next ? { obj: next.obj, text: next.text } : null,
    attendeeAddress: me,
    scheduleReply: opts.scheduleReply,
    now,
  });
  const promised = plan.messages.length ? await promise(plan.messages) : {};
  const reply = plan.messages[0];
  const text = plan.text !== null && reply ? setOrganizerScheduleStatus(plan.text, promised[reply.recipient]!) : plan.text;
  return { text, rewritten: merged || plan.rewritten || text !== plan.text, snapshot: plan.snapshot, jobs: jobs(plan.messages, promised) };
}
