// The web page changes calendars the way a DAV client does: it builds the
// request a client would send (extended MKCOL, RFC 5689; PROPPATCH, RFC 4918
// §9.2; DELETE, §9.6) and runs it through the same method table (dispatch in
// src/app.ts), as the signed-in principal. So every rule, quota, scheduling
// message and sync token that applies to a client applies here, and clients
// see the change at their next sync. (methodEntry is what dispatch in
// src/app.ts runs; importing it from there would make a cycle.)
import type { Context } from "hono";
import { DavError } from "../core/errors.js";
import { writeXml } from "../core/xml/write.js";
import type { XmlElement } from "../core/xml/tree.js";
import { DavContext } from "../dav/context.js";
import { methodEntry } from "../dav/methods.js";
import type { WebEnv } from "./env.js";

const UTF8 = new TextEncoder();

export interface DavOutcome {
  ok: boolean;
  status: number;
  /** What went wrong, in words, when not ok. */
  problem: string;
}

/** The DAV:error or per-property failure of an answer, as one line for a person. */
function problemOf(status: number, text: string): string {
  const described = /<(?:\w+:)?responsedescription>([^<]{1,300})</.exec(text)?.[1];
  const condition = /<(?:\w+:)?error>\s*<(?:\w+:)?([\w-]+)/.exec(text)?.[1];
  const plain = text.startsWith("<") ? "" : text.trim().slice(0, 300);
  return described || plain || (condition ? condition.replace(/-/g, " ") : `the server answered ${status}`);
}

/** Runs one DAV request as the signed-in principal; a refusal is an outcome, not a thrown error. */
export async function davRequest(c: Context<WebEnv>, method: string, path: string, body?: XmlElement): Promise<DavOutcome> {
  const ctx = new DavContext(c.env, c.var.user, (p) => c.executionCtx.waitUntil(p));
  const headers = new Headers(body ? { "Content-Type": "application/xml; charset=utf-8" } : {});
  const req = { method, url: new URL(path, c.req.url), headers, body: body ? UTF8.encode(writeXml(body)) : new Uint8Array() };
  try {
    const res = await methodEntry(method).handler(req, ctx);
    const text = await res.text();
    // A multistatus is a success only if no part of it failed (PROPPATCH answers 207 either way).
    const failed = res.status >= 400 || (res.status === 207 && /HTTP\/1\.1 [45]\d\d/.test(text));
    return { ok: !failed, status: res.status, problem: failed ? problemOf(res.status, text) : "" };
  } catch (e) {
    if (!(e instanceof DavError) || e.status >= 500) throw e;
    return { ok: false, status: e.status, problem: e.message || `the server answered ${e.status}` };
  }
}
