// Implicit scheduling for a write by a client (RFC 6638 §3.2): from the
// stored snapshot and the new data, decide who is organizer or attendee and
// plan the iTIP messages with the pure core. The messages are committed with
// the write and delivered over the Queue afterwards.
import { jobOf, type ItipJob } from "../core/itip-job.js";
import type { CalendarObject } from "../core/ical/parse.js";
import type { ObjectInfo, Principal } from "../core/model.js";
import { ownAttendeeAddress, planAttendee, planOrganizer, roleOf, type ScheduleSnapshot } from "../core/schedule/index.js";
import type { DavContext } from "./context.js";
import { readBody } from "./get.js";

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

export const parseSnapshot = (s: string | null): ScheduleSnapshot | null => (s ? (JSON.parse(s) as ScheduleSnapshot) : null);

/** Plans a PUT (next set) or DELETE (next null) of a possibly scheduling object by `owner`. */
export async function planWrite(
  ctx: DavContext,
  owner: Principal,
  stored: Stored | null,
  next: { obj: CalendarObject; text: string; snapshot: ScheduleSnapshot | null } | null,
  opts: { scheduleReply: boolean },
): Promise<WritePlan> {
  const oldSnap = parseSnapshot(stored?.snapshot ?? null);
  const role = roleOf(next?.snapshot ?? oldSnap, owner.addresses);
  const now = Date.now();
  const plain: WritePlan = { text: next?.text ?? null, rewritten: false, snapshot: next?.snapshot ?? null, jobs: [] };
  if (role === "none") return plain;
  const oldText = stored && oldSnap ? (await readBody(ctx, owner.id, stored.object)).text : undefined;
  if (role === "organizer") {
    const plan = planOrganizer({
      old: stored ? { snapshot: oldSnap, ...(oldText !== undefined ? { text: oldText } : {}) } : null,
      next: next ? { obj: next.obj, text: next.text } : null,
      ownerAddresses: owner.addresses,
      now,
    });
    return { text: plan.text, rewritten: plan.rewritten, snapshot: plan.snapshot, jobs: plan.messages.map((m) => jobOf(m, owner.id, now)) };
  }
  // An attendee's own copy: replies go to the organizer. A copy the attendee creates has nothing to answer yet.
  const me = ownAttendeeAddress((next?.snapshot ?? oldSnap)!, owner.addresses);
  if (oldText === undefined || !me) return plain;
  const plan = planAttendee({
    old: { snapshot: oldSnap, text: oldText },
    next: next ? { obj: next.obj, text: next.text } : null,
    attendeeAddress: me,
    scheduleReply: opts.scheduleReply,
    now,
  });
  return { text: plan.text, rewritten: plan.rewritten, snapshot: plan.snapshot, jobs: plan.messages.map((m) => jobOf(m, owner.id, now)) };
}
