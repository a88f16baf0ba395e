// iMIP in the Workers runtime: the send_email binding of a calendar home,
// wrapped so a test sees every message the home hands it (and can make it
// fail), while each message still goes to miniflare's simulated binding. The
// raw MIME is read the way miniflare's own binding reads it: its
// EmailMessage keeps the body under the "EmailMessage::raw" key.
import PostalMime, { type Email } from "postal-mime";
import { withHomeEnv } from "./faults.js";
import { receiveImip, type Received } from "../../src/mail/inbound.js";

const RAW_EMAIL = "EmailMessage::raw";

export interface SentMail {
  from: string;
  to: string;
  raw: string;
  parsed: Email;
  /** The text/calendar part with its Content-Type method, as a receiving client reads it. */
  calendar: string;
  method: string;
}

export interface Recorder {
  sent: SentMail[];
  /** While it returns true, each send throws before reaching the binding (Email Service unavailable). */
  failing: () => boolean;
}

export function recorder(): Recorder {
  return { sent: [], failing: () => false };
}

async function capture(m: { from: string; to: string } & Record<string, unknown>): Promise<SentMail> {
  const body = m[RAW_EMAIL];
  const raw = typeof body === "string" ? body : await new Response(body as ReadableStream).text();
  const parsed = await PostalMime.parse(raw);
  const cal = parsed.attachments.find((a) => a.mimeType === "text/calendar");
  const calendar = cal ? (typeof cal.content === "string" ? cal.content : new TextDecoder().decode(cal.content)) : "";
  return { from: m.from, to: m.to, raw, parsed, calendar, method: cal?.method ?? "" };
}

/** Runs `fn` while `user`'s home sends e-mail through `rec`, and sees `vars` (e.g. a cap) over its own. */
export function withMail<T>(user: string, rec: Recorder, fn: () => Promise<T>, vars: Record<string, string> = {}): Promise<T> {
  return withHomeEnv(user, (real) => ({
    ...vars,
    EMAIL: {
      async send(m: { from: string; to: string } & Record<string, unknown>) {
        if (rec.failing()) throw new Error("Email Service unavailable (test)");
        rec.sent.push(await capture(m));
        return (real as unknown as { EMAIL: { send(m: unknown): Promise<unknown> } }).EMAIL.send(m);
      },
    },
  }), fn);
}

/** The multipart structure of a parsed message: Content-Type values of its parts, depth-first, from the raw text. */
export function structure(raw: string): string[] {
  return [...raw.matchAll(/^Content-Type:\s*([^;\r\n]+)/gim)].map((m) => m[1]!.trim().toLowerCase());
}

/** The value of a header of the raw message (first occurrence, unfolded). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]/g, " ");
  return head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
}

/** Hands a raw message to the Worker's email() path as Email Routing would, with its envelope sender and recipient. */
export async function receive(raw: string, from: string, to: string, env: Env): Promise<Received> {
  const bytes = new TextEncoder().encode(raw);
  return receiveImip({ from, to, raw: new Response(bytes).body!, rawSize: bytes.byteLength }, env);
}
