// The web page as one Hono sub-app, mounted at /app/ by src/app.ts: security
// headers on everything; the stylesheet and scripts; the sign-in; then, for
// everything else, a live session (requireSession) and, for every
// state-changing request, the CSRF check (checkCsrf); then one sub-app per
// section from src/web/pages/. Errors become an HTML page, never a DAV body.
//
// Adding a section: a file src/web/pages/<section>.ts exporting a
// `new Hono<WebEnv>()` whose routes use paths relative to /app/ (e.g.
// `x.get("/agenda", ...)`), mounted below with `web.route("/", x)`, and a line
// in NAV (src/web/layout.ts). Handlers answer with show(c, title, body);
// every form that changes something carries csrfField(c.var.csrf) and reads
// its fields from c.var.form (field(c, name, max)); checkCsrf has already
// refused a request without the token or from another origin (403).
import { Hono } from "hono";
import { html } from "hono/html";
import { DavError } from "../core/errors.js";
import { checkCsrf } from "./csrf.js";
import type { WebEnv } from "./env.js";
import { securityHeaders } from "./headers.js";
import { notFoundPage, notice, page } from "./layout.js";
import { adminPages } from "./pages/admin.js";
import { agendaPage } from "./pages/agenda.js";
import { appPasswords } from "./pages/app-passwords.js";
import { calendars } from "./pages/calendars.js";
import { delegates } from "./pages/delegates.js";
import { overview } from "./pages/overview.js";
import { password } from "./pages/password.js";
import { setup } from "./pages/setup.js";
import { shared } from "./pages/shared.js";
import { sharing } from "./pages/sharing.js";
import { transfer } from "./pages/transfer.js";
import { signIn, signOut } from "./pages/sign-in.js";
import { WEB_ROOT } from "./paths.js";
import { requireSession } from "./session.js";
import { STATIC } from "./static.js";

export type { WebEnv } from "./env.js";

export const web = new Hono<WebEnv>();

web.onError(async (err, c) => {
  const status = err instanceof DavError && err.status >= 400 && err.status < 500 ? err.status : 500;
  if (status === 500) console.error("web page error", err instanceof Error ? (err.stack ?? err.message) : err);
  const text = status === 500 ? "Something went wrong on the server. Try again; if it keeps happening, tell the server's owner." : err.message;
  const res = await c.html(page(status === 403 ? "Not allowed" : "Something is not right", html`${notice("error", text)}<p><a href="${WEB_ROOT}">Back to the overview</a></p>`), status as 400);
  res.headers.set("Cache-Control", "no-store");
  return res;
});

web.use("*", securityHeaders);

web.get("/static/:name", (c) => {
  const name = c.req.param("name");
  const f = Object.hasOwn(STATIC, name) ? STATIC[name] : undefined;
  if (!f) return notFoundPage(c);
  return c.body(f.body, 200, { "Content-Type": f.type, "Cache-Control": "public, max-age=31536000, immutable" });
});

web.route("/", signIn);

web.use("*", requireSession);
web.use("*", checkCsrf);

/** The signed-in sections, one file each under src/web/pages/. */
const SECTIONS = [signOut, overview, agendaPage, calendars, sharing, shared, delegates, setup, appPasswords, password, adminPages, transfer];
for (const section of SECTIONS) web.route("/", section);

// Last, so nothing under /app/ ever reaches the DAV handlers (whose Basic challenge a browser would show).
web.all("*", (c) => notFoundPage(c));
