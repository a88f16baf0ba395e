// Whom an incoming iMIP message may speak for (RFC 6047 §3: e-mail proves no
// origin by itself; RFC 5546 §6.1 spoofing). Decided before the message
// reaches any calendar, from what the transport and the deployment know:
//  - an answer from an attendee (REPLY, COUNTER, REFRESH) to an organizer of
//    this server: a valid reply token (token.ts) made for that event and
//    attendee, or the envelope sender and the From header both being that
//    attendee;
//  - an organizer's message (REQUEST, ADD, CANCEL, DECLINECOUNTER) to a user of
//    this server: the envelope sender and the From header both being the
//    ORGANIZER, who must not be a user of this server (they schedule through
//    it, never by mail to it).
// Addresses are compared case-insensitively, with or without "mailto:".
// The home then applies only what that sender may change (schedule/authority.ts).
import { normAddress } from "../schedule/calendar.js";
import type { ItipMessage } from "../schedule/itip.js";
import type { TokenCheck } from "./token.js";

export type Direction = "to-organizer" | "to-attendee";

/** Which way each iTIP method travels (RFC 5546 §1.4); PUBLISH is no scheduling and is not taken by mail. */
export const DIRECTIONS: Readonly<Record<string, Direction>> = {
  REPLY: "to-organizer", COUNTER: "to-organizer", REFRESH: "to-organizer",
  REQUEST: "to-attendee", ADD: "to-attendee", CANCEL: "to-attendee", DECLINECOUNTER: "to-attendee",
};

export interface InboundFacts {
  method: string;
  organizer: string;
  /** The attendee an answer speaks for (the one ATTENDEE of a REPLY). */
  attendee: string | null;
  envelopeFrom: string;
  headerFrom: string;
  /** The reply token's check, "none" when the message came to an address without one (or no secret is set). */
  token: TokenCheck | "none";
  organizerIsLocal: boolean;
}

export type Verdict = { ok: true; direction: Direction; sender: string } | { ok: false; reason: string };

const same = (a: string, b: string): boolean => {
  const x = normAddress(a);
  return x !== "mailto:" && x === normAddress(b);
};

/** Whether the sender is who the message says, and the address it may speak for. */
export function judge(f: InboundFacts): Verdict {
  const direction = DIRECTIONS[f.method];
  if (!direction) return { ok: false, reason: `METHOD ${f.method} is not taken by e-mail` };
  const fromMatches = (who: string) => same(f.envelopeFrom, who) && same(f.headerFrom, who);
  if (direction === "to-organizer") {
    if (!f.organizerIsLocal) return { ok: false, reason: `the ORGANIZER ${f.organizer} is no user of this server` };
    if (!f.attendee) return { ok: false, reason: "no ATTENDEE to answer for" };
    if (f.token === "valid") return { ok: true, direction, sender: normAddress(f.attendee) };
    if (fromMatches(f.attendee)) return { ok: true, direction, sender: normAddress(f.attendee) };
    const why = f.token === "none" ? "no reply token" : `the reply token is ${f.token}`;
    return { ok: false, reason: `${why}, and the sender (envelope ${f.envelopeFrom || "<>"}, From ${f.headerFrom || "none"}) is not ${f.attendee}` };
  }
  if (f.organizerIsLocal) return { ok: false, reason: `the ORGANIZER ${f.organizer} is a user of this server, who does not send by e-mail to it` };
  if (fromMatches(f.organizer)) return { ok: true, direction, sender: normAddress(f.organizer) };
  return { ok: false, reason: `the sender (envelope ${f.envelopeFrom || "<>"}, From ${f.headerFrom || "none"}) is not the ORGANIZER ${f.organizer}` };
}

/**
 * The attendee an answer speaks for: the one ATTENDEE of a REPLY (RFC 5546 §3.2.3); of a COUNTER or REFRESH,
 * which may list everyone, the one the From header names, or the only one listed.
 */
export function answeringAttendee(message: ItipMessage, headerFrom: string): string | null {
  if (message.method === "REPLY") return message.components[0]?.attendees[0]?.address ?? null;
  const all = [...new Set(message.components.flatMap((c) => c.attendees.map((a) => a.address)))];
  return all.find((a) => same(a, headerFrom)) ?? (all.length === 1 ? all[0]! : null);
}

/** The address of `holder` that the message invites (the recipient's ATTENDEE line), if any. */
export function invitedAddress(message: ItipMessage, holder: readonly string[]): string | null {
  const mine = new Set(holder.map(normAddress));
  for (const c of message.components) for (const a of c.attendees) if (mine.has(normAddress(a.address))) return a.address;
  return null;
}
