// Reply tokens for iMIP (RFC 6047 §3, where the transport gives no proof of
// origin): each outbound message's Reply-To is calendar+<token>@domain, and an
// answer sent there is trusted for exactly one event and one attendee until
// the token expires. A token is the expiry (hours since the epoch) and an
// HMAC-SHA-256 over it with the UID, the attendee and the organizer, keyed by
// the deployment's secret; the UID and addresses are not in the token (a
// local part has at most 64 octets, RFC 5321 §4.5.3.1.1): they are read from
// the reply itself and the MAC says whether they are the ones it was made for.
// Base32 without padding, lower case, so mail systems that fold case keep it.
import { base32, unbase32 } from "../base32.js";
import { normAddress } from "../schedule/calendar.js";

const MAC_BYTES = 15;
const HOUR_MS = 3_600_000;
/** How long a reply address stays good: an invitation months ahead is still answered by e-mail. */
export const TOKEN_TTL_MS = 180 * 24 * HOUR_MS;

export interface TokenSubject {
  uid: string;
  /** The attendee who may answer with it. */
  attendee: string;
  /** The organizer the answer is for. */
  organizer: string;
}

const utf8 = new TextEncoder();

/** HMAC-SHA-256 of `text` keyed by `secret`, its first `bytes` octets. */
export async function hmac(secret: string, text: string, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(text))).slice(0, bytes);
}

/** Equal octets, compared in constant time. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const mac = (secret: string, hours: number, s: TokenSubject): Promise<Uint8Array> =>
  hmac(secret, ["imip-reply-v1", hours, s.uid, normAddress(s.attendee), normAddress(s.organizer)].join("\n"), MAC_BYTES);

/** A token for `s`, good until `now + ttl` (rounded up to the hour). */
export async function signReplyToken(secret: string, s: TokenSubject, now: number, ttl = TOKEN_TTL_MS): Promise<string> {
  const hours = Math.ceil((now + ttl) / HOUR_MS);
  const head = new Uint8Array([hours >>> 24, (hours >>> 16) & 255, (hours >>> 8) & 255, hours & 255]);
  const tag = await mac(secret, hours, s);
  const all = new Uint8Array(head.length + tag.length);
  all.set(head);
  all.set(tag, head.length);
  return base32(all);
}

export type TokenCheck = "valid" | "expired" | "invalid";

/** Whether `token` was made for `s` with `secret` and has not expired; compared in constant time. */
export async function checkReplyToken(secret: string, token: string, s: TokenSubject, now: number): Promise<TokenCheck> {
  const bytes = token.length <= 64 ? unbase32(token) : null;
  if (!bytes || bytes.length !== 4 + MAC_BYTES) return "invalid";
  const hours = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  if (!sameBytes(await mac(secret, hours, s), bytes.slice(4))) return "invalid";
  return hours * HOUR_MS < now ? "expired" : "valid";
}

/** The token in a reply address "local+token@domain", if any. */
export function tokenOf(address: string): string | null {
  const local = address.trim().replace(/^mailto:/i, "").split("@")[0] ?? "";
  const plus = local.indexOf("+");
  return plus < 0 ? null : local.slice(plus + 1) || null;
}

/** The reply address for a token: the sender's local part plus the token, at the sender's domain. */
export function replyAddress(from: string, token: string): string {
  const [local, domain] = from.split("@");
  return `${local}+${token}@${domain}`;
}
