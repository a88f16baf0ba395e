// Reads a request body once, with a size cap enforced before and while
// reading, so an oversized body is refused without buffering it. A body the
// answer does not need is cancelled, so the answer never waits for it
// (RFC 9110 §15.5.14: a server may refuse a request before reading its body).
import { DavError } from "../core/errors.js";

/** One decoder for every request: without `stream` each decode starts afresh. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export class BodyTooLarge extends Error {
  /** True when the Content-Length header alone said so, before any byte was read. */
  constructor(readonly declared: boolean) {
    super("request body too large");
  }
}

/** The declared Content-Length, or undefined when absent or not a plain decimal number. */
export function declaredLength(req: Request): number | undefined {
  const v = req.headers.get("content-length")?.trim();
  return v !== undefined && /^\d{1,16}$/.test(v) ? Number(v) : undefined;
}

/** Throws BodyTooLarge(declared) when the Content-Length header already exceeds `cap`. */
export function checkDeclaredLength(req: Request, cap: number): void {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > cap) throw new BodyTooLarge(true);
}

/**
 * Lets go of a body nobody read. Under `wrangler dev` a middleware reads any
 * unread body to its end before the answer leaves, so a client that declared
 * more than it sent would wait for an answer until it gave up; a cancelled
 * body counts as used and is skipped. In production it frees the stream.
 */
export function discardBody(req: Request): void {
  if (req.body && !req.bodyUsed) req.body.cancel().catch(() => {});
}

export async function readBody(req: Request, cap: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const declared = declaredLength(req);
  if (declared !== undefined && declared > cap) throw new BodyTooLarge(true);
  // A declared length within the cap: the runtime delivers exactly that many octets, read in one call (a reader loop
  // costs a promise per chunk). Checked again after, in case a runtime lets a body differ from its declaration.
  if (declared !== undefined) {
    const whole = new Uint8Array(await req.arrayBuffer());
    if (whole.byteLength > cap) throw new BodyTooLarge(false);
    return whole;
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(false);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Decodes UTF-8 strictly; bad bytes are the client's error. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new DavError(400, { description: `${what} is not valid UTF-8` });
  }
}
