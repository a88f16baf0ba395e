// The HTTP entry: a Hono app whose order of concerns is well-known
// redirect → admin API → (OPTIONS without auth) → Basic auth → body cap →
// the handler from the method table. Every error, thrown anywhere, is
// rendered by renderError.
import { Hono } from "hono";
import { C, DavError, precondition } from "./core/errors.js";
import type { Principal } from "./core/model.js";
import { DavContext, limitsFrom, type DavRequest } from "./dav/context.js";
import { methodEntry, OVERRIDABLE, type BodyKind } from "./dav/methods.js";
import { optionsResponse } from "./dav/options.js";
import { admin } from "./http/admin.js";
import { authenticate } from "./http/auth.js";
import { BodyTooLarge, readBody } from "./http/body.js";
import { renderError } from "./http/render.js";

export type AppEnv = { Bindings: Env; Variables: { user: Principal } };

/** XML request bodies beyond this are refused with 413. */
export const XML_BODY_CAP = 2 * 1024 * 1024;
const SMALL_BODY_CAP = 64 * 1024;

function bodyCap(kind: BodyKind, env: Env): number {
  return kind === "xml" ? XML_BODY_CAP : kind === "resource" ? limitsFrom(env).maxResourceSize : SMALL_BODY_CAP;
}

/** The method a request asks for, honouring X-HTTP-Method-Override on POST for methods the platform cannot carry. */
export function effectiveMethod(req: Request): string {
  const override = req.headers.get("x-http-method-override")?.trim().toUpperCase();
  return req.method === "POST" && override && OVERRIDABLE.has(override) ? override : req.method;
}

/** Runs one DAV request through the method table; usable without a Request (MKCALENDAR in tests). */
export async function dispatch(req: DavRequest, ctx: DavContext): Promise<Response> {
  return methodEntry(req.method).handler(req, ctx);
}

export const app = new Hono<AppEnv>();

app.onError((err) => renderError(err));

// RFC 6764 section 5: the well-known URI points at the DAV root.
app.all("/.well-known/caldav", (c) => c.redirect("/", 301));
app.all("/.well-known/caldav/", (c) => c.redirect("/", 301));

app.route("/admin/api", admin);

app.all("*", async (c) => {
  const method = effectiveMethod(c.req.raw);
  const entry = methodEntry(method);
  if (method === "OPTIONS") return optionsResponse(); // clients probe capabilities before logging in
  const user = await authenticate(c.env, c.req.header("authorization") ?? null);
  let body: Uint8Array;
  try {
    body = await readBody(c.req.raw, bodyCap(entry.body, c.env));
  } catch (e) {
    if (!(e instanceof BodyTooLarge)) throw e;
    if (entry.body === "resource") throw precondition(403, C.maxResourceSize, "the calendar object is larger than max-resource-size");
    throw new DavError(413, { description: "request body too large" });
  }
  const ctx = new DavContext(c.env, user, (p) => c.executionCtx.waitUntil(p));
  return dispatch({ method, url: new URL(c.req.url), headers: c.req.raw.headers, body }, ctx);
});
