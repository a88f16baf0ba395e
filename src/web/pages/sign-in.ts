// Signing in and out. The sign-in takes an account name or e-mail address and
// the account password only (app passwords are for DAV clients), through the
// same login check and throttle as DAV's Basic logins (src/http/login.ts,
// passwordOnly). Before a session exists, the form is protected by a
// double-submit token: a random value in a cookie and in the form, which a
// page on another site can neither read nor set. Plain HTTP is refused
// except on loopback, so a session cookie never travels in clear.
import { Hono, type Context } from "hono";
import { getCookie } from "hono/cookie";
import { html } from "hono/html";
import { directoryStub } from "../../bindings.js";
import { DavError } from "../../core/errors.js";
import { clientAddress } from "../../http/auth.js";
import { checkLogin, loginCache, verifyMemoized } from "../../http/login.js";
import { csrfField, field, verifyForm } from "../csrf.js";
import type { WebEnv } from "../env.js";
import { notice, page } from "../layout.js";
import { safeNext, WEB_ROOT } from "../paths.js";
import { clearWebCookie, currentSession, sessionCookie, setWebCookie, startSession, transport } from "../session.js";
import { randomToken } from "../../core/octets.js";

const signinCookie = (c: Context) => (transport(new URL(c.req.url)) === "secure" ? "__Host-signin" : "signin");

function form(token: string, next: string, login = "", error?: string) {
  return html`<div class="card narrow">
  ${error ? notice("error", error) : ""}
  <form method="post" action="${WEB_ROOT}sign-in">
    ${csrfField(token)}
    <input type="hidden" name="next" value="${next}">
    <label for="login">Account name or e-mail address</label>
    <input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${login}" maxlength="320">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
    <p class="hint">Your account password, not an app password.</p>
    <div class="actions"><button type="submit">Sign in</button></div>
  </form></div>`;
}

const insecure = (c: Context<WebEnv>) =>
  c.html(page("Sign in", notice("error", "Signing in needs HTTPS. Open this page with https:// (plain HTTP works only on this machine's loopback address).")), 403);

export const signIn = new Hono<WebEnv>();

signIn.get("/sign-in", async (c) => {
  if (transport(new URL(c.req.url)) === "insecure") return insecure(c);
  const next = safeNext(c.req.query("next"));
  if (await currentSession(c)) return c.redirect(next, 303);
  const token = randomToken();
  setWebCookie(c, signinCookie(c), token, 3600);
  return c.html(page("Sign in", form(token, next)));
});

signIn.post("/sign-in", async (c) => {
  if (transport(new URL(c.req.url)) === "insecure") return insecure(c);
  const expected = getCookie(c, signinCookie(c)) ?? "";
  if (!expected) return c.redirect(`${WEB_ROOT}sign-in`, 303);
  await verifyForm(c, expected);
  const login = field(c, "login", 320);
  const password = c.var.form.get("password");
  const next = safeNext(field(c, "next", 500));
  const again = (status: 401 | 429, error: string) => c.html(page("Sign in", form(expected, next, login, error)), status);
  if (!login || typeof password !== "string" || password === "" || password.length > 1024) return again(401, "Enter your account name and password.");
  try {
    const principal = await checkLogin(c.env, login, password, clientAddress(c.req.raw), verifyMemoized, loginCache, { passwordOnly: true });
    await startSession(c, principal);
  } catch (e) {
    if (!(e instanceof DavError) || (e.status !== 401 && e.status !== 429)) throw e;
    if (e.status === 429) {
      c.header("Retry-After", e.headers["Retry-After"] ?? "60");
      return again(429, `Too many failed sign-ins. Try again in ${e.headers["Retry-After"] ?? "a few"} seconds.`);
    }
    return again(401, "The account name or password is wrong.");
  }
  clearWebCookie(c, signinCookie(c));
  return c.redirect(next, 303);
});

/** Signing out ends this session (requireSession and checkCsrf run first). */
export const signOut = new Hono<WebEnv>();

signOut.post("/sign-out", async (c) => {
  await directoryStub(c.env).endSession(c.var.sessionKey);
  clearWebCookie(c, sessionCookie(new URL(c.req.url)));
  return c.redirect(`${WEB_ROOT}sign-in`, 303);
});

/** Ends every session of the signed-in principal, this one included. */
signOut.post("/sign-out-everywhere", async (c) => {
  await directoryStub(c.env).endAllSessions(c.var.user.id);
  clearWebCookie(c, sessionCookie(new URL(c.req.url)));
  return c.redirect(`${WEB_ROOT}sign-in`, 303);
});
