// Planning a PUT, DELETE, COPY or MOVE by the Organizer of a scheduling
// object resource (RFC 6638 §3.2.1, §3.2.3): the iTIP REQUESTs and CANCELs
// to send (organizer-diff.ts decides, message.ts builds), and the body to
// store. The stored body gets what the server owes it: SEQUENCE raised on
// significant changes the client did not number (RFC 6638 §3.2.5, RFC 5546
// §2.1.4), PARTSTAT reset to NEEDS-ACTION with RSVP=TRUE on a reschedule
// (RFC 6638 §3.2.8) and for newly invited Attendees, SCHEDULE-FORCE-SEND
// removed (§7.2), addresses spelled one way (addresses.ts).
// Preconditions: CALDAV:allowed-organizer-scheduling-object-change
// (§3.2.4.3: no forged replies, no change of ORGANIZER), via the snapshot
// CALDAV:same-organizer-in-all-components (§3.2.4.2), and the recipient cap
// of limits.ts (CALDAV:max-attendees-per-instance). planRefresh() tells
// the other Attendees of a merged REPLY (§4.2).
import { C, precondition } from "../errors.js";
import type { CalendarObject } from "../ical/parse.js";
import { caldav } from "../xml/names.js";
import {
  agentOf, itemAt, masterOf, normAddress, readCal, sequenceOf, serialize, setProp, stampOf, type Cal,
} from "./calendar.js";
import { buildMessage, cancelComponent, instanceComponent } from "./message.js";
import { RequestBuilder } from "./requests.js";
import { canonicalizeAddresses } from "./addresses.js";
import { checkRecipients } from "./limits.js";
import { diffOrganizer } from "./organizer-diff.js";
import { attendeeIn, derivedSame, instanceMap, snapshotOf, snapshotOfCal } from "./snapshot.js";
import type { InstanceSnap, Now, OutgoingMessage, ScheduleSnapshot } from "./types.js";

export interface OrganizerInput {
  /** The resource before the request, null if it did not exist (or was no scheduling object). text is optional: it only enriches CANCEL bodies. */
  old: { snapshot: ScheduleSnapshot | null; text?: string } | null;
  /** The validated new resource, null for DELETE (or the source of a MOVE out of calendars). */
  next: { obj: CalendarObject; text: string } | null;
  ownerAddresses: readonly string[];
  now?: Now;
}

export interface OrganizerPlan {
  messages: OutgoingMessage[];
  /** The body to store (next.text unless rewritten), null for a removal. */
  text: string | null;
  rewritten: boolean;
  /** Snapshot of the body to store. */
  snapshot: ScheduleSnapshot | null;
  /** SCHEDULE-STATUS codes known before delivery: 2.3 for an unknown SCHEDULE-FORCE-SEND value (RFC 6638 §7.2). */
  statuses: Record<string, string>;
}

export const organizerChangeRefused = (description: string) =>
  precondition(403, caldav("allowed-organizer-scheduling-object-change"), description);
const invalid = (d: string) => precondition(403, C.validCalendarData, d);
const NEEDS_ACTION = "NEEDS-ACTION";

/** RFC 6638 §3.2.5 and §3.2.8 applied to the stored copy; returns whether anything changed. */
function fixStoredCopy(cal: Cal, next: ScheduleSnapshot, old: ScheduleSnapshot | null, owner: ReadonlySet<string>, statuses: Record<string, string>): boolean {
  const olds = instanceMap(old);
  const oldM = olds.get("");
  const news = instanceMap(next);
  let changed = false;
  for (const item of cal.items) {
    const inst = news.get(item.rid)!;
    const oo = item.rid === "" ? oldM : olds.get(item.rid);
    const base: InstanceSnap | undefined = oo ?? (oldM && oldM.attendees.length ? oldM : undefined);
    const rescheduled = item.rid === ""
      ? !!oldM && (oldM.timing !== inst.timing || oldM.exdates.some((x) => !inst.exdates.includes(x)))
      : oo ? oo.timing !== inst.timing : !!oldM && !(inst.start === inst.rid && inst.duration === oldM.duration);
    for (const p of item.raw[1]) {
      if (p[0] !== "attendee" && p[0] !== "organizer") continue;
      const address = normAddress(p[3]);
      const force = p[1]["schedule-force-send"];
      if (force !== undefined) {
        if (!["REQUEST", "REPLY"].includes(String(force).toUpperCase())) statuses[address] = "2.3";
        delete p[1]["schedule-force-send"];
        changed = true;
      }
      if (p[0] !== "attendee" || owner.has(address) || agentOf(p[1]) !== "SERVER") continue;
      const ps = String(p[1]["partstat"] ?? NEEDS_ACTION).toUpperCase();
      const before = attendeeIn(base, address)?.partstat;
      if (before !== undefined && ps !== before && ps !== NEEDS_ACTION) {
        throw organizerChangeRefused(`PARTSTAT of ${address} changed to ${ps}: only the Attendee can answer for themselves (RFC 6638 §3.2.1)`);
      }
      if (ps !== NEEDS_ACTION && (before === undefined || rescheduled)) {
        // The attendee is asked again: a reply is expected (RFC 5545 §3.2.17 RSVP).
        p[1]["partstat"] = NEEDS_ACTION;
        p[1]["rsvp"] = "TRUE";
        changed = true;
      }
    }
    // RFC 5546 §2.1.4: a significant change gets a new SEQUENCE.
    const ref = oo ?? (item.rid !== "" ? oldM : undefined);
    if (!ref) continue;
    const significant = oo
      ? oo.significant !== inst.significant || oo.cancelled !== inst.cancelled || oo.exdates.join() !== inst.exdates.join()
      : !derivedSame(inst, ref) || inst.cancelled;
    if (significant && inst.sequence <= ref.sequence) {
      setProp(item.raw, ["sequence", {}, "integer", ref.sequence + 1]);
      changed = true;
    }
  }
  return changed;
}

/** Raises SEQUENCE past the old one on the components whose instances are being cancelled; returns whether anything changed. */
function raiseSequences(cal: Cal, rids: ReadonlySet<string>, oldSeq: (rid: string) => number): boolean {
  let changed = false;
  for (const rid of rids) {
    const target = itemAt(cal, rid) ?? masterOf(cal);
    if (!target) continue;
    const want = oldSeq(rid) + 1;
    if (sequenceOf(target.raw) < want) {
      setProp(target.raw, ["sequence", {}, "integer", want]);
      changed = true;
    }
  }
  return changed;
}

/** Plans the scheduling messages of an Organizer's change and the body to store. */
export function planOrganizer(input: OrganizerInput): OrganizerPlan {
  const stamp = stampOf(input.now);
  const owner = new Set(input.ownerAddresses.map(normAddress));
  const oldSnap = input.old?.snapshot ?? null;
  const oldCal = input.old?.text ? readCal(input.old.text, invalid) : null;
  const cal = input.next ? readCal(input.next.text, invalid) : null;
  let nextSnap = input.next ? snapshotOf(input.next.obj) : null;
  const statuses: Record<string, string> = {};
  let text = input.next?.text ?? null;
  let rewritten = false;

  if (nextSnap?.organizer && !owner.has(nextSnap.organizer)) {
    if (oldSnap?.organizer && owner.has(oldSnap.organizer)) {
      throw organizerChangeRefused(`ORGANIZER cannot change from ${oldSnap.organizer} to ${nextSnap.organizer}: replacing the Organizer is not supported (RFC 6638 §1)`);
    }
    return { messages: [], text, rewritten, snapshot: nextSnap, statuses };
  }
  const decisionsFor = nextSnap?.organizer ? nextSnap : null;
  checkRecipients(decisionsFor);
  if (cal && decisionsFor) {
    const spelled = canonicalizeAddresses(cal);
    if (fixStoredCopy(cal, decisionsFor, oldSnap, owner, statuses) || spelled) {
      text = serialize(cal.top);
      rewritten = true;
    }
  }
  const organizer = (decisionsFor ?? oldSnap)?.organizer;
  if (!organizer) return { messages: [], text, rewritten, snapshot: nextSnap, statuses };
  const stored = rewritten && text ? readCal(text, invalid) : cal;
  if (rewritten && stored) nextSnap = snapshotOfCal(stored);

  const skip = new Set([...owner, organizer]);
  const decisions = diffOrganizer(oldSnap, decisionsFor, skip);
  // RFC 5546 §3.2.5: a CANCEL supersedes what the attendee holds, so it carries a higher SEQUENCE;
  // the organizer's copy follows, so that later requests are never older than a cancellation.
  const oldSeq = (rid: string) => (oldSnap?.instances.find((i) => i.rid === rid) ?? oldSnap?.instances.find((i) => i.rid === ""))?.sequence ?? 0;
  const cancelled = new Set(decisions.flatMap((d) => d.cancels));
  if (stored && cancelled.size > 0 && raiseSequences(stored, cancelled, oldSeq)) {
    text = serialize(stored.top);
    rewritten = true;
    nextSnap = snapshotOfCal(stored);
  }
  const uid = (nextSnap ?? oldSnap)!.uid;
  const from = stored?.top ?? oldCal?.top ?? null;
  const tzSources = [...(stored?.timezones ?? []), ...(oldCal?.timezones ?? [])];
  const messages: OutgoingMessage[] = [];
  const requests = stored ? new RequestBuilder(stored, { organizer, uid, from, tzSources, stamp }) : null;

  for (const d of decisions) {
    if (d.cancels.length > 0) {
      const comps = d.cancels.map((rid) => {
        const source = (stored && itemAt(stored, rid)?.raw) ?? (oldCal && itemAt(oldCal, rid)?.raw)
          ?? (stored && instanceComponent(stored, rid)) ?? (oldCal && instanceComponent(oldCal, rid)) ?? null;
        const known = (nextSnap ?? oldSnap)!.instances.find((i) => i.rid === rid) ?? (nextSnap ?? oldSnap)!.instances[0]!;
        return cancelComponent(source, { uid, organizer, sequence: Math.max(known.sequence, oldSeq(rid) + 1), rid }, d.address, stamp);
      });
      messages.push(buildMessage({ method: "CANCEL", originator: organizer, recipient: d.address, uid, comps, from, tzSources, stamp, recurrenceIds: d.cancels }));
    }
    const request = requests && (d.full || d.rids.length > 0) ? requests.message(d.address, d) : null;
    if (request) messages.push(request);
  }
  return { messages, text, rewritten, snapshot: nextSnap, statuses };
}

/**
 * After a REPLY was merged into the Organizer's copy, REQUESTs that tell the
 * other Attendees of the same instances about the new participation status
 * (RFC 6638 §4.2 SHOULD, within §3.2.6). Their copies take these as
 * participation-only updates (ApplyResult.partstatOnly).
 */
export function planRefresh(input: { text: string; replier: string; recurrenceIds: readonly string[]; ownerAddresses: readonly string[]; now?: Now }): OutgoingMessage[] {
  const stamp = stampOf(input.now);
  const cal = readCal(input.text, invalid);
  const snap = snapshotOfCal(cal);
  if (!snap?.organizer) return [];
  const organizer = snap.organizer;
  const skip = new Set([...input.ownerAddresses.map(normAddress), organizer, normAddress(input.replier)]);
  const touched = snap.instances.filter((i) => input.recurrenceIds.includes(i.rid) && !i.cancelled);
  const recipients = new Set(touched.flatMap((i) => i.attendees.filter((a) => a.scheduleAgent === "SERVER" && !skip.has(a.address)).map((a) => a.address)));
  const requests = new RequestBuilder(cal, { organizer, uid: snap.uid, from: cal.top, tzSources: cal.timezones, stamp });
  return [...recipients].flatMap((address) => requests.message(address, { full: true, rids: [] }) ?? []);
}
