// Web sessions: an opaque random secret in a cookie (HttpOnly, SameSite=Lax,
// Secure and __Host- prefixed over HTTPS; plain HTTP is allowed only on
// loopback, for `npm start`), and a row in the Directory keyed by the
// secret's SHA-256 (src/directory/sessions.ts: expiry, sign out everywhere).
// Each page request asks the Directory once, so a session ended anywhere is
// ended at once everywhere. Cookies: RFC 6265bis §4.1.3 (__Host-), §5.4.7
// (SameSite).
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { directoryStub } from "../bindings.js";
import { unwrap } from "../core/errors.js";
import type { Principal } from "../core/model.js";
import { SESSION_MS } from "../directory/sessions.js";
import type { WebEnv } from "./env.js";
import { notFoundPage } from "./layout.js";
import { WEB_ROOT } from "./paths.js";
import { hex, randomToken, sha256 } from "../core/octets.js";

/** What the Directory keeps of a session's secret: its SHA-256, so a leaked table opens no session. */
export const sessionKeyOf = async (secret: string): Promise<string> => hex(await sha256(secret));

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** How this request may carry a cookie: over HTTPS (Secure), over plain HTTP on loopback, or not at all. */
export function transport(url: URL): "secure" | "loopback" | "insecure" {
  if (url.protocol === "https:") return "secure";
  return LOOPBACK.has(url.hostname) ? "loopback" : "insecure";
}

/** The session cookie's name: __Host- needs Secure, which plain loopback HTTP cannot have. */
export const sessionCookie = (url: URL) => (transport(url) === "secure" ? "__Host-session" : "session");

/** Sets an HttpOnly, Path=/ cookie, Secure over HTTPS. */
export function setWebCookie(c: Context, name: string, value: string, maxAgeSeconds: number): void {
  const secure = transport(new URL(c.req.url)) === "secure";
  setCookie(c, name, value, { httpOnly: true, secure, sameSite: "Lax", path: "/", maxAge: maxAgeSeconds });
}

export function clearWebCookie(c: Context, name: string): void {
  const secure = transport(new URL(c.req.url)) === "secure";
  deleteCookie(c, name, { path: "/", secure, httpOnly: true, sameSite: "Lax" });
}

/** Starts a session for a principal that just proved its password, and sets its cookie. */
export async function startSession(c: Context<WebEnv>, principal: Principal): Promise<void> {
  const secret = randomToken();
  unwrap(await directoryStub(c.env).startSession(principal.id, await sessionKeyOf(secret), randomToken()));
  setWebCookie(c, sessionCookie(new URL(c.req.url)), secret, Math.floor(SESSION_MS / 1000));
}

/** The live session this request carries, or null. */
export async function currentSession(c: Context<WebEnv>) {
  const secret = getCookie(c, sessionCookie(new URL(c.req.url)));
  if (!secret || secret.length > 100) return null;
  const key = await sessionKeyOf(secret);
  const info = await directoryStub(c.env).session(key);
  return info ? { ...info, key } : null;
}

/** Where a signed-out request goes: the sign-in page, coming back here afterwards. */
export function signInUrl(c: Context): string {
  const url = new URL(c.req.url);
  const back = c.req.method === "GET" ? url.pathname + url.search : WEB_ROOT;
  return `${WEB_ROOT}sign-in?next=${encodeURIComponent(back)}`;
}

/** Lets only a signed-in request through, with c.var.user, c.var.admin, c.var.csrf and c.var.sessionKey set. */
export const requireSession: MiddlewareHandler<WebEnv> = async (c, next) => {
  const s = await currentSession(c);
  if (!s) return c.redirect(signInUrl(c), 303);
  c.set("user", s.principal);
  c.set("admin", s.admin);
  c.set("csrf", s.csrf);
  c.set("sessionKey", s.key);
  await next();
};

/** Lets only an administrator through (requireSession first). */
export const requireAdmin: MiddlewareHandler<WebEnv> = async (c, next) => {
  if (!c.var.admin) return notFoundPage(c);
  await next();
};
