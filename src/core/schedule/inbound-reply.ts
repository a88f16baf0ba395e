// Applying an Attendee's REPLY to the Organizer's copy (RFC 6638 §4.2, RFC
// 5546 §3.2.3): the replying ATTENDEE's PARTSTAT (and DELEGATED-TO/-FROM) is
// set on each component the reply names, every one of them: a reply that
// accepts the series and declines one instance changes the master and that
// instance, creating the instance's override from the master when the copy
// has none (only if the answer differs from the master's). SCHEDULE-STATUS on
// that ATTENDEE takes the REPLY's REQUEST-STATUS codes, or 2.0 without any
// (RFC 6638 §4.2). Replies from non-Attendees are ignored, and so are replies
// to an older SEQUENCE and replies not later than the last one applied from
// that Attendee for that instance (RFC 5546 §2.1.5). A message is one answer:
// each of its components is judged against the stamps as they were before it.
// The stamps are the server's bookkeeping and live in the home's index
// (reply_stamps), never in the body clients see; a stamp a body still carries
// from before (the old X- parameter) is read once and removed.
import { C, precondition } from "../errors.js";
import { REPLY_STAMP, clone, findAttendee, itemAt, masterOf, readCal, sequenceOf, serialize, stripParams, type JComp } from "./calendar.js";
import { exdateKeys } from "./fingerprint.js";
import { readItip, type ItipMessage } from "./itip.js";
import { orderOf } from "./inbound-request.js";
import { deriveInstance } from "./message.js";
import type { Now } from "./types.js";

/** The last reply applied from an Attendee for an instance ("" = the master): its ordering key. */
export type ReplyStamps = (rid: string, attendee: string) => string | undefined;

export interface ReplyInput {
  /** The Organizer's copy. */
  existing: string;
  message: ItipMessage;
  now?: Now;
  /** When the reply was sent, ms since the epoch (the queue envelope's time), to order replies within one DTSTAMP second. */
  precise?: number;
  /** The stamps of replies applied before (from the home's index); none when omitted. */
  stamps?: ReplyStamps;
}

export interface ReplyResult {
  text: string;
  /** The replying Attendee's address. */
  attendee: string;
  /** Whether any PARTSTAT changed (otherwise only SCHEDULE-STATUS did). */
  changed: boolean;
  recurrenceIds: string[];
  /** The stamp to remember for each instance this reply was applied to. */
  stamps: Array<{ rid: string; stamp: string }>;
}

const invalid = (d: string) => precondition(403, C.validCalendarData, d);
const partstat = (params: Record<string, unknown>) => String(params["partstat"] ?? "NEEDS-ACTION").toUpperCase();

/** Applies a REPLY to the Organizer's copy; null if nothing in it applies. */
export function applyReply(input: ReplyInput): ReplyResult | null {
  const msg = readItip(input.message.text);
  const ex = readCal(input.existing, invalid);
  const exM = masterOf(ex);
  const attendee = input.message.components[0]?.attendees[0]?.address;
  if (!attendee) return null;
  const applied: string[] = [];
  const stamps: ReplyResult["stamps"] = [];
  let changed = false;
  // The last stamp per instance, read before this message changes anything: an instance without its own answer
  // has the master's (a late reply for it must not undo a later answer to the whole series).
  const legacy = (c: JComp | undefined) => {
    const v = c && findAttendee(c, attendee)?.[1][REPLY_STAMP];
    return typeof v === "string" ? v : undefined;
  };
  const own = (rid: string) => input.stamps?.(rid, attendee) ?? legacy(itemAt(ex, rid)?.raw);
  const lastOf = new Map(msg.items.map((m) => [m.rid, own(m.rid) ?? (m.rid ? own("") : undefined)]));
  for (const item of ex.items) stripParams(item.raw, [REPLY_STAMP]);
  // The master first: whether an instance needs an override of its own depends on the master's new answer.
  for (const m of [...msg.items].sort((a, b) => (a.rid === "" ? -1 : b.rid === "" ? 1 : 0))) {
    const answer = findAttendee(m.raw, attendee);
    if (!answer) continue;
    const value = partstat(answer[1]);
    let target = itemAt(ex, m.rid)?.raw;
    let created = false;
    if (!target) {
      if (m.rid === "" || !exM || exdateKeys(exM.ev).includes(m.rid)) continue;
      const inMaster = findAttendee(exM.raw, attendee);
      if (!inMaster || partstat(inMaster[1]) === value) continue;
      target = deriveInstance(exM, m.rid);
      created = true;
    }
    const prop = findAttendee(target, attendee);
    if (!prop) continue; // not invited to this instance
    const order = orderOf(m);
    if (order.sequence < sequenceOf(target)) continue; // an answer to an older version
    // DTSTAMP has one-second resolution; the sender's send time in ms (when known) orders answers within a second.
    const stampKey = input.precise !== undefined ? `${order.dtstamp}.${String(input.precise).padStart(13, "0")}` : order.dtstamp;
    const last = lastOf.get(m.rid);
    if (last !== undefined && stampKey <= last) continue;
    if (created) ex.top[2].push(target);
    changed ||= partstat(prop[1]) !== value;
    prop[1]["partstat"] = value;
    // Answered: no reply is awaited any more (RFC 5545 §3.2.17); a reschedule asks again (organizer.ts).
    if (value !== "NEEDS-ACTION") delete prop[1]["rsvp"];
    for (const k of ["delegated-to", "delegated-from"]) if (answer[1][k] !== undefined) prop[1][k] = clone(answer[1][k]);
    const codes = input.message.components.find((c) => c.rid === m.rid)?.requestStatus ?? [];
    prop[1]["schedule-status"] = codes.length ? codes.join(",") : "2.0";
    stamps.push({ rid: m.rid, stamp: stampKey });
    applied.push(m.rid);
  }
  if (applied.length === 0) return null;
  return { text: serialize(ex.top), attendee, changed, recurrenceIds: applied, stamps };
}
