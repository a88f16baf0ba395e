// The envelope of one iTIP message on its way from one calendar home to one
// recipient over the Queue (RFC 6638 section 3.2, delivery is at-least-once
// and unordered, so each carries a unique id for de-duplication and the
// RFC 5546 ordering key). Plain JSON.
import type { ItipMethod, OutgoingMessage } from "./schedule/types.js";

export interface ItipJob {
  /** Unique per message and recipient. */
  id: string;
  /** The principal whose home sent it (for SCHEDULE-STATUS and the e-mail store). */
  fromHome: string;
  originator: string;
  recipient: string;
  method: ItipMethod;
  uid: string;
  sequence: number;
  dtstamp: string;
  recurrenceIds?: string[] | undefined;
  /** The iTIP body inline, or the R2 key holding it when it is too big for a queue message (128 KB). */
  body?: string | undefined;
  bodyKey?: string | undefined;
  created: number;
}

/** Bodies above this travel through R2 (queue messages are limited to 128 KB). */
export const INLINE_BODY_LIMIT = 96 * 1024;

export function jobOf(m: OutgoingMessage, fromHome: string, now: number): ItipJob {
  return {
    id: crypto.randomUUID(),
    fromHome,
    originator: m.originator,
    recipient: m.recipient,
    method: m.method,
    uid: m.uid,
    sequence: m.sequence,
    dtstamp: m.dtstamp,
    recurrenceIds: m.recurrenceIds,
    body: m.body,
    created: now,
  };
}

/** The object name a server-delivered copy gets: its UID, made safe, so a client PUT of "<UID>.ics" finds it. */
export function nameForUid(uid: string): string {
  const safe = uid.replace(/[^A-Za-z0-9._@+-]/g, "_");
  return `${safe.length > 0 && safe.length <= 200 ? safe : hashName(uid)}.ics`;
}

function hashName(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return `uid-${h.toString(16)}-${s.length}`;
}
