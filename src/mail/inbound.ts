// Inbound iMIP (RFC 6047 §3): the Worker's email() handler, which Cloudflare
// Email Routing calls for the deployment's addresses. It reads the message
// (at most MAX_INBOUND_BYTES), finds the iTIP object (core/imip/parse.ts),
// decides whom it may speak for (core/imip/trust.ts: a signed reply token or
// a matching sender) and hands it to the Queue as an ItipJob like any other,
// so delivery (src/delivery.ts, home/deliver.ts) applies it with the same
// authority checks, ordering and idempotence. What it cannot trust or read
// is dropped with a log line; nothing is bounced.
import { INLINE_BODY_LIMIT, type ItipJob } from "../core/itip-job.js";
import { parseImipMail } from "../core/imip/parse.js";
import { checkReplyToken, tokenOf, type TokenCheck } from "../core/imip/token.js";
import { answeringAttendee, DIRECTIONS, invitedAddress, judge } from "../core/imip/trust.js";
import { normAddress } from "../core/schedule/calendar.js";
import { parseItip, type ItipMessage } from "../core/schedule/itip.js";
import type { ItipMethod } from "../core/schedule/types.js";
import { directoryStub } from "../bindings.js";
import { BodyTooLarge, readBody } from "../http/body.js";
import { hex, sha256 } from "../core/octets.js";

/** Larger messages are dropped unread: an invitation or a reply is a few KB, with a long description tens. */
export const MAX_INBOUND_BYTES = 1 << 20;

/** What the handler needs of Email Routing's message (ForwardableEmailMessage). */
export interface InboundMail {
  from: string;
  to: string;
  raw: ReadableStream<Uint8Array>;
  rawSize: number;
}

export type Received = { accepted: true; job: ItipJob } | { accepted: false; reason: string };

const utf8 = new TextEncoder();

async function jobId(messageId: string, recipient: string): Promise<string> {
  // The same mail delivered twice is one message (itip_applied in the home); a mail without Message-ID is its own.
  if (!messageId) return `imip-${crypto.randomUUID()}`;
  return `imip-${hex((await sha256(`${messageId}\n${normAddress(recipient)}`)).slice(0, 16))}`;
}

/** The raw message, read under the cap (the request-body reader of src/http/body.ts); null when over it. */
async function readRaw(stream: ReadableStream<Uint8Array>): Promise<Uint8Array | null> {
  try {
    return await readBody(new Request("http://mail.invalid/", { method: "POST", body: stream }), MAX_INBOUND_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLarge) return null;
    throw e;
  }
}

/** Whether the envelope recipient is the deployment's reply address with a token, and what the token says. */
async function tokenCheck(env: Env, to: string, message: ItipMessage, attendee: string | null): Promise<TokenCheck | "none"> {
  const secret = env.IMIP_SECRET?.trim();
  const from = env.IMIP_FROM?.trim().toLowerCase() ?? "";
  const token = tokenOf(to);
  const [local, domain] = from.split("@");
  const [toLocal, toDomain] = to.toLowerCase().split("@");
  if (!secret || !token || !attendee || !local || toDomain !== domain || !toLocal?.startsWith(`${local}+`)) return "none";
  return checkReplyToken(secret, token, { uid: message.uid, attendee, organizer: message.organizer }, Date.now());
}

/** Reads, checks and queues one incoming message; never throws for what the message holds. */
export async function receiveImip(mail: InboundMail, env: Env): Promise<Received> {
  const drop = (reason: string): Received => ({ accepted: false, reason });
  if (mail.rawSize > MAX_INBOUND_BYTES) return drop(`${mail.rawSize} octets, over the ${MAX_INBOUND_BYTES} limit`);
  const raw = await readRaw(mail.raw);
  if (!raw) return drop(`over the ${MAX_INBOUND_BYTES} octet limit`);
  let parsed;
  try {
    parsed = await parseImipMail(raw);
  } catch (e) {
    return drop(`unreadable MIME: ${(e as Error).message}`);
  }
  if (parsed.calendar === null) return drop("no text/calendar part");
  if (utf8.encode(parsed.calendar).byteLength > INLINE_BODY_LIMIT) return drop(`the calendar part is over ${INLINE_BODY_LIMIT} octets`);
  let message: ItipMessage;
  try {
    message = parseItip(parsed.calendar);
  } catch (e) {
    return drop(`not an iTIP message: ${(e as Error).message}`);
  }
  const directory = directoryStub(env);
  const organizerHolder = await directory.principalByAddress(message.organizer);
  const attendee = DIRECTIONS[message.method] === "to-organizer" ? answeringAttendee(message, parsed.from) : null;
  const verdict = judge({
    method: message.method, organizer: message.organizer, attendee, envelopeFrom: mail.from, headerFrom: parsed.from,
    token: await tokenCheck(env, mail.to, message, attendee), organizerIsLocal: organizerHolder !== null,
  });
  if (!verdict.ok) return drop(verdict.reason);
  let recipient: string;
  if (verdict.direction === "to-organizer") {
    recipient = message.organizer;
  } else {
    const holder = await directory.principalByAddress(mail.to);
    if (!holder) return drop(`${mail.to} is no user of this server`);
    const invited = invitedAddress(message, holder.addresses);
    if (!invited) return drop(`${mail.to} is not an ATTENDEE of ${message.uid}`);
    recipient = invited;
  }
  const job: ItipJob = {
    id: await jobId(parsed.messageId, recipient),
    fromHome: "",
    originator: verdict.sender,
    recipient,
    method: message.method as ItipMethod,
    uid: message.uid,
    sequence: message.sequence,
    dtstamp: message.dtstamp,
    recurrenceIds: message.components.map((c) => c.rid),
    body: parsed.calendar,
    created: Date.now(),
    via: "imip",
  };
  await env.ITIP_QUEUE.send(job, { contentType: "json" });
  return { accepted: true, job };
}

/** The email() handler: logs what was taken and what was dropped, with why. */
export async function email(message: ForwardableEmailMessage, env: Env): Promise<void> {
  const r = await receiveImip(message, env);
  if (r.accepted) console.log(`iMIP from ${message.from} to ${message.to}: ${r.job.method} ${r.job.uid} queued as ${r.job.id}`);
  else console.warn(`iMIP from ${message.from} to ${message.to} dropped: ${r.reason}`);
}
