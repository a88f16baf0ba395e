// App passwords: the passwords DAV clients log in with, one per device, so
// that losing a phone means revoking one password, not changing the account's.
// Create one with a label (the secret is shown once and stored only as a
// hash), list them with creation and last use, revoke one: a revoked password
// stops working at once in this isolate and within the login cache's
// lifetime everywhere (src/http/accounts.ts). Last use is approximate
// (LAST_USE_EVERY_MS in src/http/login.ts plus the login cache's lifetime).
import { Hono } from "hono";
import { html } from "hono/html";
import { directoryStub } from "../../bindings.js";
import { ACCOUNT_LIMITS, issueAppPassword, revokeAppPassword } from "../../http/accounts.js";
import { LAST_USE_EVERY_MS, loginCacheTtlMs } from "../../http/login.js";
import { csrfField, field } from "../csrf.js";
import type { WebEnv } from "../env.js";
import { getTimezone } from "../agenda/timezone.js";
import { when } from "../format.js";
import { notFoundPage, notice, show } from "../layout.js";
import { WEB_ROOT } from "../paths.js";

const BASE = `${WEB_ROOT}app-passwords`;

export const appPasswords = new Hono<WebEnv>();

appPasswords.get("/app-passwords", async (c) => {
  const [credentials, zone] = await Promise.all([directoryStub(c.env).listCredentials(c.var.user.id), getTimezone(c.env, c.var.user)]);
  const all = credentials.filter((x) => x.kind === "app");
  const minutes = Math.round((LAST_USE_EVERY_MS + loginCacheTtlMs(c.env)) / 60_000);
  const done = c.req.query("done") === "revoked" ? notice("ok", "Revoked. Devices using it can no longer sign in.") : "";
  const rows = all.map(
    (x) => html`<tr>
      <td data-label="Label"><strong>${x.label}</strong></td>
      <td data-label="Created">${when(x.created, zone)}</td>
      <td data-label="Last used">${when(x.lastUsed, zone, "not yet recorded")}</td>
      <td><form class="inline" method="post" action="${BASE}/${encodeURIComponent(x.id)}/revoke">${csrfField(c.var.csrf)}
        <button class="secondary" type="submit">Revoke<span class="visually-hidden"> ${x.label}</span></button></form></td>
    </tr>`,
  );
  return show(
    c,
    "App passwords",
    html`${done}<div class="card">
  <p>Give each calendar app its own password, so you can revoke one device without changing your account password.
     App passwords work only for calendar apps, not for this page.</p>
  ${all.length
    ? html`<table class="stack"><thead><tr><th scope="col">Label</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${rows}</tbody></table>
      <p class="hint">Last use is recorded to within about ${minutes} minutes.</p>`
    : html`<p class="muted">You have no app passwords yet.</p>`}
</div>
<div class="card"><h2>New app password</h2>
  <form method="post" action="${BASE}">${csrfField(c.var.csrf)}
    <label for="label">Label</label>
    <input id="label" name="label" type="text" required maxlength="100" placeholder="Anna's iPhone">
    <p class="hint">Which device or app will use it.</p>
    <div class="actions"><button type="submit">Create</button></div>
  </form>
</div>`,
  );
});

appPasswords.post("/app-passwords", async (c) => {
  const label = field(c, "label", ACCOUNT_LIMITS.label) || "app password";
  const made = await issueAppPassword(c.env, c.var.user.id, label);
  return show(
    c,
    "Your new app password",
    html`<div class="card">
  <p>The app password for <strong>${made.label}</strong>:</p>
  <p><code class="secret" id="secret">${made.password}</code></p>
  <p>Enter it in the app now, with the user name <code>${c.var.user.id}</code>. It is shown only this once;
     if you lose it, revoke it and make another. Spaces and dashes do not matter, nor does case.</p>
  <div class="actions"><a class="button" href="${BASE}">Done</a></div>
</div>`,
  );
});

appPasswords.post("/app-passwords/:id/revoke", async (c) => {
  const id = c.req.param("id");
  // Only an app password of the signed-in user (the Directory's delete says so): the account password is changed, not revoked.
  if (!(await revokeAppPassword(c.env, c.var.user.id, id))) return notFoundPage(c);
  return c.redirect(`${BASE}?done=revoked`, 303);
});
