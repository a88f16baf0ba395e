// Changing one's own account password: the current one is checked through the
// same login check and throttle as a sign-in (src/http/login.ts,
// passwordOnly), the new one is set as the admin API sets it
// (src/http/accounts.ts), which ends every web session of the account; this
// browser then gets a new one. App passwords keep working.
import { Hono } from "hono";
import { html } from "hono/html";
import { DavError } from "../../core/errors.js";
import { ACCOUNT_LIMITS, saveAccount } from "../../http/accounts.js";
import { clientAddress } from "../../http/auth.js";
import { checkLogin, loginCache, verifyMemoized } from "../../http/login.js";
import { csrfField } from "../csrf.js";
import type { WebEnv } from "../env.js";
import { notice, show, type Html } from "../layout.js";
import { WEB_ROOT } from "../paths.js";
import { startSession } from "../session.js";

const BASE = `${WEB_ROOT}password`;
const MIN_LENGTH = 8;

function form(csrf: string): Html {
  return html`<div class="card"><form method="post" action="${BASE}">${csrfField(csrf)}
  <label for="current">Current password</label>
  <input id="current" name="current" type="password" autocomplete="current-password" required maxlength="1024">
  <label for="new">New password</label>
  <input id="new" name="new" type="password" autocomplete="new-password" required minlength="${MIN_LENGTH}" maxlength="1024">
  <label for="again">New password again</label>
  <input id="again" name="again" type="password" autocomplete="new-password" required minlength="${MIN_LENGTH}" maxlength="1024">
  <p class="hint">At least ${MIN_LENGTH} characters. Other browsers are signed out; app passwords keep working.</p>
  <div class="actions"><button type="submit">Change password</button></div>
</form></div>`;
}

export const password = new Hono<WebEnv>();

password.get("/password", (c) => show(c, "Change your password", html`${c.req.query("done") ? notice("ok", "Your password was changed.") : ""}${form(c.var.csrf)}`));

password.post("/password", async (c) => {
  const get = (k: string) => {
    const v = c.var.form.get(k);
    return typeof v === "string" && v.length <= ACCOUNT_LIMITS.password ? v : "";
  };
  const [current, next, again] = [get("current"), get("new"), get("again")];
  const refuse = (text: string, status: 400 | 401 | 429) => show(c, "Change your password", html`${notice("error", text)}${form(c.var.csrf)}`, status);
  if (next.length < MIN_LENGTH) return refuse(`The new password needs at least ${MIN_LENGTH} characters.`, 400);
  if (next !== again) return refuse("The two new passwords differ.", 400);
  try {
    await checkLogin(c.env, c.var.user.id, current, clientAddress(c.req.raw), verifyMemoized, loginCache, { passwordOnly: true });
  } catch (e) {
    if (!(e instanceof DavError) || (e.status !== 401 && e.status !== 429)) throw e;
    return e.status === 429 ? refuse("Too many wrong passwords. Try again later.", 429) : refuse("The current password is wrong.", 401);
  }
  await saveAccount(c.env, { id: c.var.user.id }, next);
  await startSession(c, c.var.user);
  return c.redirect(`${BASE}?done=1`, 303);
});
