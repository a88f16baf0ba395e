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
  /**
   * A read-write sharee of a calendar in `fromHome` that organizes this meeting there as itself (README "Sharing"):
   * the message speaks for this principal, not for the home's owner. Set only by the owner's home, which checked the
   * sharee's access in the transaction that committed the message (home/hosted.ts).
   */
  sharee?: string | undefined;
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
  /**
   * The SCHEDULE-STATUS the sender's copy already shows for this recipient, decided when the message was planned
   * (RFC 6638 §3.2.9): delivery reports back only an outcome that differs, so the copy's ETag stays as the client
   * got it from its PUT unless there is news.
   */
  promised?: string | undefined;
  /**
   * "imip": the message came by e-mail (src/mail/inbound.ts) from `originator`, someone outside this server whom
   * its checks allowed to speak for that address; `fromHome` is empty and no sender's copy learns a status.
   */
  via?: "imip" | undefined;
}

/** Bodies above this travel through R2 (queue messages are limited to 128 KB). */
export const INLINE_BODY_LIMIT = 96 * 1024;
/**
 * A body shared by several messages travels through R2, once, when the copies would together exceed this:
 * a meeting of 1,000 keeps one body, not 1,000 copies of it in the outbox, the Queue and the e-mail store.
 */
export const SHARED_INLINE_LIMIT = 16 * 1024;

/**
 * Jobs on their way into a Durable Object, each distinct body once (an RPC argument is limited to 32 MiB; the
 * 1,000 messages of a big meeting share one body of hundreds of KB). `ref` indexes `bodies`.
 */
export interface PackedJobs {
  jobs: Array<Omit<ItipJob, "body"> & { ref?: number }>;
  bodies: string[];
}

export function packJobs(jobs: readonly ItipJob[]): PackedJobs {
  const index = new Map<string, number>();
  const bodies: string[] = [];
  const packed = jobs.map(({ body, ...rest }) => {
    if (body === undefined) return rest;
    let ref = index.get(body);
    if (ref === undefined) {
      ref = bodies.push(body) - 1;
      index.set(body, ref);
    }
    return { ...rest, ref };
  });
  return { jobs: packed, bodies };
}

/** The jobs again, messages of one body sharing one string. */
export function unpackJobs(p: PackedJobs): ItipJob[] {
  return p.jobs.map(({ ref, ...rest }) => (ref === undefined ? rest : { ...rest, body: p.bodies[ref]! }));
}

export function jobOf(m: OutgoingMessage, fromHome: string, now: number, promised?: string, sharee?: string): ItipJob {
  return {
    ...(promised !== undefined ? { promised } : {}),
    ...(sharee !== undefined ? { sharee } : {}),
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
