// Applying an Attendee's REPLY to the Organizer's copy (RFC 6638 §4.2, RFC
// 5546 §3.2.3): the replying ATTENDEE's PARTSTAT (and DELEGATED-TO/-FROM) is
// set on each component the reply names; a reply for an instance that has no
// override creates one from the master (only if the answer differs from the
// master's). SCHEDULE-STATUS on that ATTENDEE takes the REPLY's
// REQUEST-STATUS codes, or 2.0 without any (RFC 6638 §4.2). Replies from
// non-Attendees are ignored, and so are replies to an older SEQUENCE and
// replies not later than the last one applied from that Attendee (RFC 5546
// §2.1.5); the DTSTAMP of the last one is kept in a private X- parameter of
// the ATTENDEE (never sent, see calendar.ts SERVER_PARAMS).
import { C, precondition } from "../errors.js";
import { REPLY_STAMP, clone, findAttendee, itemAt, masterOf, readCal, sequenceOf, serialize } from "./calendar.js";
import { exdateKeys } from "./fingerprint.js";
import { readItip, type ItipMessage } from "./itip.js";
import { orderOf } from "./inbound-request.js";
import { deriveInstance } from "./message.js";
import type { Now } from "./types.js";

export interface ReplyInput {
  /** The Organizer's copy. */
  existing: string;
  message: ItipMessage;
  now?: Now;
  /** When the reply was sent, ms since the epoch (the queue envelope's time), to order replies within one DTSTAMP second. */
  precise?: number;
}

export interface ReplyResult {
  text: string;
  /** The replying Attendee's address. */
  attendee: string;
  /** Whether any PARTSTAT changed (otherwise only SCHEDULE-STATUS and the reply stamp did). */
  changed: boolean;
  recurrenceIds: string[];
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
  let changed = false;
  for (const m of msg.items) {
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
    const last = prop[1][REPLY_STAMP];
    if (typeof last === "string" && stampKey <= last) continue;
    if (created) ex.top[2].push(target);
    changed ||= partstat(prop[1]) !== value;
    prop[1]["partstat"] = value;
    for (const k of ["delegated-to", "delegated-from"]) if (answer[1][k] !== undefined) prop[1][k] = clone(answer[1][k]);
    const codes = input.message.components.find((c) => c.rid === m.rid)?.requestStatus ?? [];
    prop[1]["schedule-status"] = codes.length ? codes.join(",") : "2.0";
    prop[1][REPLY_STAMP] = stampKey;
    applied.push(m.rid);
  }
  if (applied.length === 0) return null;
  return { text: serialize(ex.top), attendee, changed, recurrenceIds: applied };
}
