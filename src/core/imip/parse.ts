// Reading an incoming iMIP message (RFC 6047 §2.4): the MIME is parsed by
// postal-mime, which decodes base64 and quoted-printable and converts any
// charset to Unicode; the iTIP object is the text/calendar (or, from some
// Outlook versions, application/ics) part, inline in a multipart/alternative
// or attached, preferring one whose method parameter names the method.
// Also the header sender, compared later with the envelope (trust.ts).
import PostalMime from "postal-mime";

export interface ImipMail {
  messageId: string;
  /** The From header's address, lower case ("" when it has none or a group). */
  from: string;
  subject: string;
  /** The calendar part's text, or null when the message has none. */
  calendar: string | null;
  /** The method parameter of that part, upper case ("" when absent). */
  partMethod: string;
}

/** Bounds on what one message may make the parser do. */
const PARSE_LIMITS = { maxNestingDepth: 20, maxHeadersSize: 256 * 1024 };
const CALENDAR_TYPES = new Set(["text/calendar", "application/ics", "text/x-vcalendar"]);
const text = new TextDecoder();

export async function parseImipMail(raw: ArrayBuffer | Uint8Array | string): Promise<ImipMail> {
  const email = await PostalMime.parse(raw, PARSE_LIMITS);
  const parts = email.attachments.filter((a) => CALENDAR_TYPES.has(a.mimeType.toLowerCase()));
  // One with a method parameter first (RFC 6047 §2.4 requires it); then any calendar part (an .ics sent as a file).
  const chosen = parts.find((a) => a.method) ?? parts[0];
  const content = chosen?.content;
  const calendar = content === undefined ? null : typeof content === "string" ? content : text.decode(content);
  const from = email.from && "address" in email.from && email.from.address ? email.from.address.toLowerCase() : "";
  return {
    messageId: (email.messageId ?? "").replace(/^<|>$/g, "").trim(),
    from,
    subject: email.subject ?? "",
    calendar,
    partMethod: chosen?.method ?? "",
  };
}
