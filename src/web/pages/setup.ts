// Set-up help: the addresses a CalDAV client needs and short, exact steps for
// the common clients; an Apple configuration profile (src/web/mobileconfig.ts)
// without a password, or with a freshly made app password when asked; and
// for DAVx5 a davx5:// link and its QR code (DAVx5 manual, "Integration":
// davx5://user@host/path/ opens its login with the URL and user filled in).
import { Hono, type Context } from "hono";
import { html, raw } from "hono/html";
import { renderSVG } from "uqr";
import { hrefs } from "../../core/paths.js";
import { issueAppPassword } from "../../http/accounts.js";
import { csrfField } from "../csrf.js";
import type { WebEnv } from "../env.js";
import { show } from "../layout.js";
import { mobileconfig } from "../mobileconfig.js";
import { WEB_ROOT } from "../paths.js";

const BASE = `${WEB_ROOT}setup`;

/** The link DAVx5 opens: davx5:// stands for https; plain http (loopback only) is caldav://. */
export function davx5Link(origin: string, user: string): string {
  const url = new URL(origin);
  return `${url.protocol === "https:" ? "davx5" : "caldav"}://${encodeURIComponent(user)}@${url.host}/`;
}

function qr(text: string, label: string) {
  const svg = renderSVG(text, { border: 2 }).replace("<svg ", `<svg class="qr" role="img" aria-label="${label.replace(/[<>&"]/g, "")}" `);
  return raw(svg);
}

function profileResponse(c: Context<WebEnv>, password?: string) {
  const origin = new URL(c.req.url).origin;
  const u = c.var.user;
  const body = mobileconfig({ origin, user: u.id, displayName: u.displayName, principalPath: hrefs.principal(u.id), password });
  return c.body(body, 200, {
    "Content-Type": "application/x-apple-aspen-config",
    "Content-Disposition": `attachment; filename="${new URL(origin).hostname.replace(/[^A-Za-z0-9.-]/g, "-")}-caldav.mobileconfig"`,
    "Cache-Control": "no-store",
  });
}

export const setup = new Hono<WebEnv>();

setup.get("/setup", (c) => {
  const origin = new URL(c.req.url).origin;
  const host = new URL(origin).host;
  const u = c.var.user;
  const link = davx5Link(origin, u.id);
  const pw = html`an <a href="${WEB_ROOT}app-passwords">app password</a>`;
  return show(
    c,
    "Set up devices",
    html`<div class="card">
  <h2>What every app needs</h2>
  <table class="stack"><tbody>
    <tr><th scope="row">Server</th><td><code>${origin}/</code></td></tr>
    <tr><th scope="row">User name</th><td><code>${u.id}</code></td></tr>
    <tr><th scope="row">Password</th><td>${pw} (one per device)</td></tr>
    <tr><th scope="row">Principal URL</th><td><code>${origin}${hrefs.principal(u.id)}</code></td></tr>
    <tr><th scope="row">Calendar home</th><td><code>${origin}${hrefs.home(u.id)}</code></td></tr>
  </tbody></table>
  <p class="hint">Apps find your calendars from the server address; the other two are for apps that ask.</p>
</div>
<div class="card steps">
  <h2>Apple devices</h2>
  <p>A configuration profile sets up the account in one go on a Mac, iPhone or iPad.</p>
  <div class="actions">
    <a class="button" href="${BASE}/apple.mobileconfig" download>Download profile</a>
    <form class="inline" method="post" action="${BASE}/apple.mobileconfig">${csrfField(c.var.csrf)}
      <button class="secondary" type="submit">Download with a new app password inside</button></form>
  </div>
  <p class="hint">Without a password inside, the device asks for one while installing; use ${pw}. On iPhone and iPad,
    open the download in Safari, then Settings → Profile Downloaded → Install. On a Mac, open the file, then System Settings → Privacy &amp; Security → Profiles.</p>
  <h3>Apple Calendar (macOS), by hand</h3>
  <ol><li>System Settings → Internet Accounts → Add Account… → Add Other Account… → CalDAV Account.</li>
    <li>Account Type: Manual. User Name <code>${u.id}</code>, Password: ${pw}, Server Address <code>${host}</code>.</li>
    <li>Sign In, then tick Calendars.</li></ol>
  <h3>iOS and iPadOS, by hand</h3>
  <ol><li>Settings → Apps → Calendar → Calendar Accounts → Add Account → Other → Add CalDAV Account.</li>
    <li>Server <code>${host}</code>, User Name <code>${u.id}</code>, Password: ${pw}.</li>
    <li>Next, then Save.</li></ol>
</div>
<div class="card steps">
  <h2>Android: DAVx⁵</h2>
  <p><a href="${link}">Open DAVx⁵ with this server</a>, or scan the code with the phone's camera.</p>
  <figure>${qr(link, `QR code of ${link}`)}<figcaption class="hint"><code>${link}</code></figcaption></figure>
  <ol><li>In DAVx⁵: + → Login with URL and user name (filled in by the link).</li>
    <li>Base URL <code>${origin}/</code>, User name <code>${u.id}</code>, Password: ${pw}.</li>
    <li>Login, then Create account, and tick the calendars and task lists to sync.</li></ol>
</div>
<div class="card steps">
  <h2>Desktop apps</h2>
  <h3>Thunderbird</h3>
  <ol><li>Calendar → New Calendar… → On the Network → Next.</li>
    <li>Username <code>${u.id}</code>, Location <code>${origin}/</code> → Find Calendars; Password: ${pw}.</li>
    <li>Tick the calendars → Subscribe.</li></ol>
  <h3>Evolution</h3>
  <ol><li>File → New → Calendar; Type: CalDAV.</li>
    <li>URL <code>${origin}${hrefs.home(u.id)}</code>, User <code>${u.id}</code> → Find Calendars; Password: ${pw}.</li>
    <li>Pick a calendar → OK. Repeat for each calendar or task list.</li></ol>
  <h3>GNOME Calendar</h3>
  <ol><li>Settings → Online Accounts → Calendar, Contacts and Files (WebDAV).</li>
    <li>Server Address <code>${origin}/</code>, User Name <code>${u.id}</code>, Password: ${pw} → Connect.</li>
    <li>GNOME Calendar and Evolution then show the calendars.</li></ol>
</div>`,
  );
});

setup.get("/setup/apple.mobileconfig", (c) => profileResponse(c));

/** The profile with a new app password inside, labelled so it can be revoked like any other. */
setup.post("/setup/apple.mobileconfig", async (c) => {
  const made = await issueAppPassword(c.env, c.var.user.id, `Apple profile ${new Date().toISOString().slice(0, 10)}`);
  return profileResponse(c, made.password);
});
