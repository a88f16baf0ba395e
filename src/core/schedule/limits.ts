// The bounds of implicit scheduling (RFC 6638 §3.2): how many recipients one
// scheduling object resource may name across all its instances (each
// instance is bounded by max-attendees-per-instance, RFC 4791 §5.2.9), so
// that one PUT plans, stores and sends a bounded number of messages.
import { C, precondition } from "../errors.js";
import type { ScheduleSnapshot } from "./types.js";

/** Distinct Attendees (besides the Organizer) of one scheduling object, all instances together. */
export const MAX_RECIPIENTS_PER_OBJECT = 2000;

/** Throws 403 CALDAV:max-attendees-per-instance when the object names more recipients than the server schedules. */
export function checkRecipients(snapshot: ScheduleSnapshot | null, limit = MAX_RECIPIENTS_PER_OBJECT): void {
  if (!snapshot) return;
  const all = new Set<string>();
  for (const i of snapshot.instances) for (const a of i.attendees) all.add(a.address);
  if (snapshot.organizer) all.delete(snapshot.organizer);
  if (all.size > limit)
    throw precondition(403, C.maxAttendeesPerInstance, `${all.size} attendees across the instances of one scheduling object; the limit is ${limit}`);
}
