// The overview at /app/: who is signed in, the address to give a CalDAV
// client, where to go next, and signing out of every browser at once.
import { Hono } from "hono";
import { html } from "hono/html";
import { directoryStub } from "../../bindings.js";
import { hrefs } from "../../core/paths.js";
import { csrfField } from "../csrf.js";
import type { WebEnv } from "../env.js";
import { show } from "../layout.js";
import { WEB_ROOT } from "../paths.js";

export const overview = new Hono<WebEnv>();

overview.get("/", async (c) => {
  const u = c.var.user;
  const origin = new URL(c.req.url).origin;
  const sessions = await directoryStub(c.env).liveSessions(u.id);
  const emails = u.addresses.map((a) => a.replace(/^mailto:/i, ""));
  return show(
    c,
    `Hello, ${u.displayName}`,
    html`<div class="card">
  <h2>Your account</h2>
  <p>Account name <code>${u.id}</code>${emails.length ? html`, e-mail ${emails.map((e, i) => html`${i ? ", " : ""}<code>${e}</code>`)}` : ""}.</p>
  <p>Server address for calendar apps: <code>${origin}/</code><br>
     Your calendars: <code>${origin}${hrefs.home(u.id)}</code></p>
  <div class="actions">
    <a class="button" href="${WEB_ROOT}setup">Set up a device</a>
    <a class="button secondary" href="${WEB_ROOT}calendars">Calendars and task lists</a>
    <a class="button secondary" href="${WEB_ROOT}app-passwords">App passwords</a>
  </div>
</div>
<div class="card">
  <h2>Browsers signed in</h2>
  <p>${sessions === 1 ? "This browser is the only one signed in." : `${sessions} browsers are signed in, this one included.`}
     A session ends after a day without use, or a week after signing in.</p>
  <form method="post" action="${WEB_ROOT}sign-out-everywhere">${csrfField(c.var.csrf)}
    <button class="secondary" type="submit">Sign out everywhere</button></form>
</div>`,
  );
});
