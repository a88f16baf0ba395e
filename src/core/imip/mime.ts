// Building an iMIP message (RFC 6047 §2): multipart/mixed holding a
// multipart/alternative (text/plain, text/html) and the iTIP object as
// "text/calendar; charset=utf-8; method=<METHOD>" (§2.4: the method
// parameter equals the object's METHOD), offered as invite.ics. The MIME is
// written by mimetext; everything is base64, so no line or character of the
// calendar data or of what people wrote can break the structure.
import { createMimeMessage, Mailbox } from "mimetext/browser";
import type { Rendered } from "./render.js";

export interface ImipEnvelope {
  /** The deployment's sending address (IMIP_FROM) and the name shown with it. */
  from: { address: string; name: string };
  to: { address: string; name: string };
  replyTo: string;
  messageId: string;
  method: string;
  /** The iTIP object, CRLF lines. */
  ics: string;
}

const utf8 = new TextEncoder();

/** Base64 of the UTF-8 octets of `s`, in lines of 76 (RFC 2045 §6.8). */
export function base64Lines(s: string): string {
  const bytes = utf8.encode(s);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return (btoa(bin).match(/.{1,76}/g) ?? []).join("\r\n");
}

/** A display name as it may stand in a header (mimetext encodes it as an RFC 2047 word): one line, bounded. */
const displayName = (s: string) => s.replace(/[\r\n\t\u0000-\u001f\u007f"<>]+/g, " ").trim().slice(0, 120);

/** The whole message, CRLF lines, ready for an EmailMessage. */
export function buildImip(e: ImipEnvelope, parts: Rendered): string {
  const msg = createMimeMessage();
  msg.setSender({ addr: e.from.address, name: displayName(e.from.name) });
  msg.setTo({ addr: e.to.address, ...(displayName(e.to.name) ? { name: displayName(e.to.name) } : {}) });
  msg.setHeader("Reply-To", new Mailbox({ addr: e.replyTo }));
  msg.setHeader("Message-ID", `<${e.messageId}>`);
  msg.setSubject(parts.subject);
  // RFC 3834: made by a program, so vacation responders leave it alone.
  msg.setHeader("Auto-Submitted", "auto-generated");
  msg.addMessage({ contentType: "text/plain", data: base64Lines(parts.text), encoding: "base64" });
  msg.addMessage({ contentType: "text/html", data: base64Lines(parts.html), encoding: "base64" });
  msg.addAttachment({
    filename: "invite.ics",
    contentType: `text/calendar; charset=utf-8; method=${e.method}`,
    data: base64Lines(e.ics),
    encoding: "base64",
  });
  return msg.asRaw();
}
