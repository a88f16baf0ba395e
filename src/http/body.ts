// Reads a request body once, with a size cap enforced before and while
// reading, so an oversized body is refused without buffering it (RFC 9110
// §15.5.14). A body the answer does not need is read and dropped before the
// answer, within bounds, so that the answer reaches a client still sending
// it and never waits long on one that sends less than it declared.
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

/** Octets of a body nobody needs that are still read and dropped before the answer; past them it is cancelled. */
export const DRAIN_MAX = 16 * 1024 * 1024;
/** How long that reading waits for the next chunk before it gives up on a client sending less than it declared. */
export const DRAIN_IDLE_MS = 1_000;
/** How long it goes on in all, so a client trickling its body cannot hold the answer back longer. */
export const DRAIN_TOTAL_MS = 10_000;

/**
 * Lets go of a body nobody read (a refusal before reading it: 401, 404,
 * 413 for a declared length over the cap), before the answer leaves. The
 * body is read to its end and dropped: at most DRAIN_MAX octets, for at
 * most DRAIN_TOTAL_MS, waiting at most DRAIN_IDLE_MS for each chunk; past
 * any of these it is cancelled. Under `wrangler dev` an answer sent while
 * the client is still sending its body is lost (wrangler's proxy answers
 * 500 "Network connection lost", or resets the connection): a client that
 * sends 3 MB gets its 413 this way. And a middleware there reads any
 * unread body to its end before the answer leaves, so a client that
 * declared more than it sent would wait until it gave up: the idle bound
 * answers it within about a second. A body being read counts as used: the
 * middleware skips it.
 */
export async function discardBody(req: Request): Promise<void> {
  const body = req.body;
  if (!body || req.bodyUsed || body.locked) return;
  await drain(body.getReader(), 0);
}

/** Reads `reader` to its end (see discardBody), `read` octets already read; cancels it when a bound is reached. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, read: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const until = Date.now() + DRAIN_TOTAL_MS;
  const idle = () => new Promise<"idle">((resolve) => (timer = setTimeout(() => resolve("idle"), Math.min(DRAIN_IDLE_MS, until - Date.now()))));
  try {
    while (read <= DRAIN_MAX && Date.now() < until) {
      const next = await Promise.race([reader.read(), idle()]);
      clearTimeout(timer);
      if (next === "idle") break;
      if (next.done) return;
      read += next.value.byteLength;
    }
  } catch {
    // The client went away: nothing more to read.
  } finally {
    clearTimeout(timer);
  }
  await reader.cancel().catch(() => {});
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
      await drain(reader, size); // the rest is dropped, so the refusal reaches a client still sending
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
