// The HTTP entry: a Hono app whose order of concerns is well-known
// redirect → a browser's visit to / → the web page (/app/, src/web) →
// admin API → subscription URLs (no login) → (OPTIONS without auth) → declared body size →
// Basic auth → body cap → the handler from the method table. Paths only DAV
// answers (/calendars/, /principals/) skip the router (serve). Every error,
// thrown anywhere, is rendered by renderError, and a request body the answer
// did not read is let go of so the answer never waits for it.
import { Hono } from "hono";
import { C, DavError, precondition } from "./core/errors.js";
import type { Principal } from "./core/model.js";
import { DavContext, limitsFrom, type DavRequest } from "./dav/context.js";
import { withAnswerCache } from "./dav/answer-cache.js";
import { checkPreconditions } from "./dav/if-header.js";
import { methodEntry, OVERRIDABLE, type BodyKind } from "./dav/methods.js";
import { optionsResponse } from "./dav/options.js";
import { admin } from "./http/admin.js";
import { authenticate } from "./http/auth.js";
import { BodyTooLarge, checkDeclaredLength, discardBody, readBody } from "./http/body.js";
import { renderError } from "./http/render.js";
import { SUBSCRIBE_PREFIX, subscriptions } from "./transfer/subscriptions.js";
import { rsvp } from "./mail/rsvp.js";
import { web } from "./web/app.js";
import { isBrowserVisit, WEB_ROOT } from "./web/paths.js";

export type AppEnv = { Bindings: Env; Variables: { user: Principal } };

/** XML request bodies beyond this are refused with 413. */
export const XML_BODY_CAP = 2 * 1024 * 1024;
const SMALL_BODY_CAP = 64 * 1024;

function bodyCap(kind: BodyKind, env: Env): number {
  return kind === "xml" ? XML_BODY_CAP : kind === "resource" ? limitsFrom(env).maxResourceSize : SMALL_BODY_CAP;
}

/**
 * A body over its cap. A calendar object names max-resource-size (RFC 4791
 * §5.3.2.1): 413 when the Content-Length said so before anything was read,
 * 403 when the body turned out too large while streaming (as it always was).
 */
function tooLarge(kind: BodyKind, declared: boolean): DavError {
  if (kind !== "resource") return new DavError(413, { description: "request body too large" });
  return precondition(declared ? 413 : 403, C.maxResourceSize, "the calendar object is larger than max-resource-size");
}

async function capped<T>(kind: BodyKind, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw e instanceof BodyTooLarge ? tooLarge(kind, e.declared) : e;
  }
}

/**
 * Request content is taken as sent, never decoded: a body in any content coding but identity is 415 with the codings
 * this server takes (RFC 9110 §15.5.16, §12.5.3), not parsed as compressed bytes into a 400 or 403.
 */
export function checkContentCoding(header: string | null): void {
  const codings = (header ?? "").split(",").map((c) => c.trim().toLowerCase()).filter((c) => c !== "" && c !== "identity");
  if (codings.length === 0) return;
  throw new DavError(415, {
    description: `request content in ${codings.join(", ").slice(0, 60)} is not taken here: send it uncompressed`,
    headers: { "Accept-Encoding": "identity" },
  });
}

/** The method a request asks for, honouring X-HTTP-Method-Override on POST for methods the platform cannot carry. */
export function effectiveMethod(req: Request): string {
  if (req.method !== "POST") return req.method;
  const override = req.headers.get("x-http-method-override")?.trim().toUpperCase();
  return override && OVERRIDABLE.has(override) ? override : req.method;
}

/** Runs one DAV request through the method table; usable without a Request (MKCALENDAR in tests). */
export async function dispatch(req: DavRequest, ctx: DavContext): Promise<Response> {
  const entry = methodEntry(req.method);
  // A request with an If header (or If-Unmodified-Since on a write) is judged first; the answer cache skips it.
  const checked = await checkPreconditions(req, ctx);
  return withAnswerCache(checked, ctx, () => entry.handler(checked, ctx));
}

export const app = new Hono<AppEnv>();

app.onError((err) => renderError(err));

app.use("*", async (c, next) => {
  try {
    await next();
  } finally {
    await discardBody(c.req.raw);
  }
});

// RFC 6764 section 5: the well-known URI points at the DAV root.
app.all("/.well-known/caldav", (c) => c.redirect("/", 301));
app.all("/.well-known/caldav/", (c) => c.redirect("/", 301));

// A person opening the server's address in a browser (HTML wanted, no credentials, no DAV headers) gets the page;
// every DAV request to / (PROPFIND, a GET with credentials) goes on as before.
app.get("/", async (c, next) => (isBrowserVisit(c.req.raw) ? c.redirect(WEB_ROOT, 303) : next()));
app.all("/app", (c) => c.redirect(WEB_ROOT, 301));
app.route(WEB_ROOT, web);

app.route("/admin/api", admin);
app.route(SUBSCRIBE_PREFIX, subscriptions);
app.route("/rsvp", rsvp); // answers to e-mailed invitations, without sign-in (src/mail/rsvp.ts)

app.all("*", (c) => davRequest(c.req.raw, c.env, (p) => c.executionCtx.waitUntil(p)));

/**
 * A DAV request: OPTIONS without auth → declared body size → Basic auth → body cap → the method table. What every
 * path the routes above do not claim reaches, and what serve calls without the router (with the URL it parsed).
 */
export async function davRequest(raw: Request, env: Env, waitUntil: (p: Promise<unknown>) => void, url = new URL(raw.url)): Promise<Response> {
  const method = effectiveMethod(raw);
  const entry = methodEntry(method);
  if (method === "OPTIONS") return optionsResponse(); // clients probe capabilities before logging in
  const cap = bodyCap(entry.body, env);
  // A declared size over the cap is refused before any credential check or byte is read.
  await capped(entry.body, () => checkDeclaredLength(raw, cap));
  const user = await authenticate(env, raw);
  if (raw.body !== null) checkContentCoding(raw.headers.get("content-encoding"));
  const body = await capped(entry.body, () => readBody(raw, cap));
  const ctx = new DavContext(env, user, waitUntil);
  // The client's own Accept-Encoding, where the platform keeps it (the header the Worker sees is always "br, gzip").
  const acceptEncoding = (raw.cf as { clientAcceptEncoding?: string } | undefined)?.clientAcceptEncoding;
  return dispatch({ method, url, headers: raw.headers, body, acceptEncoding }, ctx);
}

/** Paths only DAV answers (core/paths.ts): no route above claims anything under them. */
const DAV_ONLY = /^\/(calendars|principals)\//;

/**
 * The Worker's fetch: a request under a DAV-only path goes to davRequest directly, as the app would route it
 * (errors rendered by renderError, an unread body let go of, HEAD answered without a body), but without the router
 * and its context (about 0.3 ms of the isolate per request in a profile of GETs); everything else goes through the app.
 */
export async function serve(req: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(req.url);
  if (!DAV_ONLY.test(url.pathname)) return app.fetch(req, env, ctx);
  let res: Response;
  try {
    res = await davRequest(req, env, (p) => ctx.waitUntil(p), url);
  } catch (e) {
    res = renderError(e);
  } finally {
    await discardBody(req);
  }
  return req.method === "HEAD" ? new Response(null, res) : res;
}
