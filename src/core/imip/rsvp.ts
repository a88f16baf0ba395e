// RSVP links in outbound invitations (issue 12 item 4): Accept, Tentative and
// Decline links for people without a calendar program. A link carries a
// signed, expiring claim naming one message (its id, so a link is used once),
// the event, the attendee and the organizer; following it and confirming
// answers as a REPLY from that attendee (RFC 5546 §3.2.3), built here from
// the organizer's copy: UID, SEQUENCE, ORGANIZER, the one ATTENDEE with the
// chosen PARTSTAT, a fresh DTSTAMP.
import ICAL from "ical.js";
import { normAddress, readCal } from "../schedule/calendar.js";
import { invalidMessage } from "../schedule/itip.js";
import { hmac, sameBytes, TOKEN_TTL_MS } from "./token.js";
import { base64url as b64url, fromBase64url as unb64url } from "../octets.js";

export const RSVP_ANSWERS = { accept: "ACCEPTED", tentative: "TENTATIVE", decline: "DECLINED" } as const;
export type RsvpAnswer = keyof typeof RSVP_ANSWERS;

export interface RsvpClaim {
  /** The message the link was sent in: a link answers once. */
  id: string;
  uid: string;
  attendee: string;
  organizer: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

const MAC_BYTES = 16;
const MAX_TOKEN = 4096;
const utf8 = new TextEncoder();
const text = new TextDecoder();


const sign = (secret: string, payload: string) => hmac(secret, `imip-rsvp-v1\n${payload}`, MAC_BYTES);

/** A link token for `claim` (without its expiry), good for TOKEN_TTL_MS from `now`. */
export async function signRsvp(secret: string, claim: Omit<RsvpClaim, "exp">, now: number, ttl = TOKEN_TTL_MS): Promise<string> {
  const payload = b64url(utf8.encode(JSON.stringify({ ...claim, attendee: normAddress(claim.attendee), organizer: normAddress(claim.organizer), exp: now + ttl })));
  return `${payload}.${b64url(await sign(secret, payload))}`;
}

export type RsvpCheck = { ok: true; claim: RsvpClaim } | { ok: false; why: "invalid" | "expired" };

export async function checkRsvp(secret: string, token: string, now: number): Promise<RsvpCheck> {
  const [payload, tag, ...rest] = token.length <= MAX_TOKEN ? token.split(".") : [];
  const mac = tag === undefined ? null : unb64url(tag);
  if (!payload || !mac || rest.length || !sameBytes(await sign(secret, payload), mac)) return { ok: false, why: "invalid" };
  const claim = JSON.parse(text.decode(unb64url(payload)!)) as RsvpClaim;
  return claim.exp < now ? { ok: false, why: "expired" } : { ok: true, claim };
}

/** The REPLY `attendee` sends with `partstat` to the organizer's copy `copy` (its master, or its first component). */
export function rsvpReply(copy: string, attendee: string, partstat: string, now: number): string {
  const cal = readCal(copy, invalidMessage);
  const ev = (cal.items.find((i) => i.rid === "") ?? cal.items[0]!).ev;
  const organizer = ev.getFirstProperty("organizer");
  const me = ev.getAllProperties("attendee").find((p) => normAddress(p.getFirstValue()) === normAddress(attendee));
  if (!organizer || !me) throw invalidMessage(`${attendee} is not invited to ${cal.uid}`);
  // Built with ical.js, which escapes and folds what it writes.
  const top = new ICAL.Component("vcalendar");
  top.addPropertyWithValue("version", "2.0");
  top.addPropertyWithValue("prodid", "-//edge-caldav//RSVP link//EN");
  top.addPropertyWithValue("method", "REPLY");
  const reply = new ICAL.Component(cal.type);
  reply.addPropertyWithValue("uid", cal.uid);
  reply.addPropertyWithValue("dtstamp", ICAL.Time.fromDateTimeString(new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z")));
  reply.addPropertyWithValue("sequence", Number(ev.getFirstPropertyValue("sequence") ?? 0) || 0);
  reply.addPropertyWithValue("organizer", normAddress(organizer.getFirstValue()));
  const answer = reply.addPropertyWithValue("attendee", normAddress(attendee));
  answer.setParameter("partstat", partstat);
  const cn = me.getParameter("cn");
  if (typeof cn === "string" && cn) answer.setParameter("cn", cn);
  top.addSubcomponent(reply);
  return top.toString().replace(/\r?\n/g, "\r\n") + "\r\n";
}
