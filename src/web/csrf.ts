// Cross-site request forgery defence for every state-changing request of the
// page: the request must come from this origin (Origin, or Sec-Fetch-Site
// when Origin is absent) and carry the session's token, as the form field
// `_csrf` (csrfField) or the X-CSRF-Token header (a script's fetch). The
// session cookie is SameSite=Lax as well, and DAV never reads cookies, so
// the DAV endpoints need none of this. OWASP CSRF Prevention Cheat Sheet:
// synchronizer token + origin verification.
import type { Context, MiddlewareHandler } from "hono";
import { html } from "hono/html";
import { constantTimeEqual } from "../core/auth/passwords.js";
import { DavError, forbidden } from "../core/errors.js";
import { BodyTooLarge, readBody } from "../http/body.js";
import type { WebEnv } from "./env.js";

export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** A urlencoded form's size cap; forms of the page are small. */
export const FORM_CAP = 64 * 1024;
/** A multipart form's size cap (file uploads). */
export const UPLOAD_CAP = 32 * 1024 * 1024;

const UTF8 = new TextEncoder();

/** The hidden field every state-changing form carries. */
export const csrfField = (token: string) => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  return typeof given === "string" && given !== "" && constantTimeEqual(UTF8.encode(given), UTF8.encode(expected));
}

/** Whether a state-changing request comes from this origin (RFC 6454 §7; Fetch Metadata's Sec-Fetch-Site). */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin !== null) return origin === new URL(req.url).origin;
  const site = req.headers.get("sec-fetch-site");
  return site === null || site === "same-origin" || site === "none";
}

/** Reads a POST's form once, within its cap: urlencoded up to FORM_CAP, multipart up to UPLOAD_CAP. */
export async function readForm(req: Request): Promise<FormData> {
  const type = req.headers.get("content-type") ?? "";
  const multipart = /^multipart\/form-data\b/i.test(type);
  if (!multipart && !/^application\/x-www-form-urlencoded\b/i.test(type) && req.body) throw new DavError(415, { description: "expected a form" });
  let bytes: Uint8Array;
  try {
    bytes = await readBody(req, multipart ? UPLOAD_CAP : FORM_CAP);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw new DavError(413, { description: "the form is too large" });
    throw e;
  }
  if (!multipart) {
    const form = new FormData();
    for (const [k, v] of new URLSearchParams(new TextDecoder().decode(bytes))) form.append(k, v);
    return form;
  }
  try {
    return await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch {
    throw new DavError(400, { description: "the form could not be read" });
  }
}

/** Refuses (403) a request from another origin or without the expected token; sets c.var.form. */
export async function verifyForm(c: Context<WebEnv>, expected: string): Promise<void> {
  if (!sameOrigin(c.req.raw)) throw forbidden("this form was sent from another site");
  const form = await readForm(c.req.raw);
  const given = c.req.header(CSRF_HEADER) ?? form.get(CSRF_FIELD);
  if (!tokensEqual(typeof given === "string" ? given : null, expected))
    throw forbidden("this form has expired or did not come from this page: reload the page and try again");
  c.set("form", form);
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** For every request but GET/HEAD/OPTIONS: same origin and the session's token (after requireSession). */
export const checkCsrf: MiddlewareHandler<WebEnv> = async (c, next) => {
  if (!SAFE.has(c.req.method)) await verifyForm(c, c.var.csrf);
  await next();
};

/** A text field of the submitted form, trimmed and at most `max` characters (longer is a 400), or "" when absent. */
export function field(c: Context<WebEnv>, name: string, max = 200): string {
  const v = c.var.form.get(name);
  const s = typeof v === "string" ? v.trim() : "";
  if (s.length > max) throw new DavError(400, { description: `${name} is longer than ${max} characters` });
  return s;
}
