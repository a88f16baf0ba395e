// Import and export (issue 11 items 5 and 6): upload an .ics file into a
// chosen calendar (replace or skip objects whose UID it already holds), watch
// its progress, read the summary; download a calendar as one .ics; make,
// show, re-make or turn off a calendar's secret subscription URL. The work is
// done by src/transfer/ (the same validation and store as a client's PUT,
// no invitations sent); this file only renders and routes.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { homeStub } from "../../bindings.js";
import { DavError } from "../../core/errors.js";
import { IMPORT_LIMITS } from "../../core/ical/import-split.js";
import type { CollectionInfo } from "../../core/model.js";
import { dav } from "../../core/xml/names.js";
import { textOf } from "../../core/xml/tree.js";
import { exportCalendar } from "../../transfer/export.js";
import { importProgress, startImport, type ImportMode, type ImportStatus } from "../../transfer/import.js";
import { dropSubscription, makeSubscription, subscriptionTokens, subscriptionUrls } from "../../transfer/subscriptions.js";
import { csrfField, field } from "../csrf.js";
import type { WebEnv } from "../env.js";
import { notice, show } from "../layout.js";
import { WEB_ROOT } from "../paths.js";
import { staticUrl } from "../static.js";

export const transfer = new Hono<WebEnv>();

const BASE = `${WEB_ROOT}transfer`;
const MODES: Record<string, ImportMode> = { replace: "replace", skip: "skip" };
const JOB_ID = /^[0-9a-f-]{36}$/;
const MiB = Math.round(IMPORT_LIMITS.maxBytes / 1024 / 1024);

const nameOf = (col: CollectionInfo) => {
  const p = col.props[dav("displayname")];
  const t = p ? textOf(p).trim() : "";
  return t || col.name;
};

async function calendarsOf(c: Context<WebEnv>): Promise<CollectionInfo[]> {
  const { collections } = await homeStub(c.env, c.var.user.id).snapshot();
  return collections.filter((col) => col.kind === "calendar").sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
}

const kinds = (col: CollectionInfo) =>
  col.components.map((k) => ({ VEVENT: "events", VTODO: "tasks", VJOURNAL: "journal", VFREEBUSY: "free-busy" })[k] ?? k).join(", ");

function importForm(c: Context<WebEnv>, calendars: CollectionInfo[]) {
  return html`<div class="card">
  <h2 id="import">Import an .ics file</h2>
  <p>Bring in a calendar exported from another service (Google Calendar, Apple Calendar, Outlook, Thunderbird, another CalDAV server).
     Up to ${MiB} MB and ${IMPORT_LIMITS.maxObjects.toLocaleString("en")} events or tasks per file.</p>
  <p class="notice ok" role="note"><strong>Imported meetings send no invitations.</strong> Imports are history: nobody is invited,
     told of a change or sent a reply. Later changes you make to an imported meeting are sent as usual.</p>
  <form method="post" action="${BASE}/import" enctype="multipart/form-data">
    ${csrfField(c.var.csrf)}
    <label for="file">iCalendar file (.ics)</label>
    <input id="file" name="file" type="file" accept=".ics,.ical,.ifb,.icalendar,text/calendar" required>
    <label for="calendar">Into calendar</label>
    <select id="calendar" name="calendar" required>
      ${calendars.map((col) => html`<option value="${col.name}">${nameOf(col)} (${kinds(col)})</option>`)}
    </select>
    <fieldset>
      <legend>When the calendar already has an item with the same UID</legend>
      <label class="inline"><input type="radio" name="mode" value="skip" checked> Keep what is there (skip)</label>
      <label class="inline"><input type="radio" name="mode" value="replace"> Replace it with the imported one</label>
    </fieldset>
    <div class="actions"><button type="submit">Import</button></div>
  </form>
</div>`;
}

function exportCard(c: Context<WebEnv>, calendars: CollectionInfo[], tokens: Array<string | null>) {
  const origin = new URL(c.req.url).origin;
  const rows = calendars.map((col, i) => {
    const token = tokens[i];
    const urls = token ? subscriptionUrls(origin, token) : null;
    const id = `sub-${i}`;
    const action = (what: string) => `${BASE}/subscription/${encodeURIComponent(col.name)}/${what}`;
    return html`<tr>
      <td data-label="Calendar">${nameOf(col)}</td>
      <td data-label="Export"><a class="button secondary" href="${BASE}/export/${encodeURIComponent(col.name)}" download>Export ${nameOf(col)} (.ics)</a></td>
      <td data-label="Subscription">
        ${urls
          ? html`<label for="${id}">Subscription URL of ${nameOf(col)}</label>
            <input id="${id}" type="text" readonly value="${urls.https}">
            <p class="hint">Anyone with this URL can read this calendar. <a href="${urls.webcal}">Open in a calendar app (webcal)</a></p>
            <div class="actions">
              <form class="inline" method="post" action="${action("renew")}">${csrfField(c.var.csrf)}<button class="secondary" type="submit">Make a new URL for ${nameOf(col)}</button></form>
              <form class="inline" method="post" action="${action("off")}">${csrfField(c.var.csrf)}<button class="secondary" type="submit">Turn off the URL of ${nameOf(col)}</button></form>
            </div>`
          : html`<form method="post" action="${action("renew")}">${csrfField(c.var.csrf)}<button class="secondary" type="submit">Make a subscription URL for ${nameOf(col)}</button></form>`}
      </td>
    </tr>`;
  });
  return html`<div class="card">
  <h2 id="export">Export and subscribe</h2>
  <p>Export a calendar as one .ics file, or give an app that can only subscribe a secret read-only URL (it sees changes when it refreshes).
     A new URL replaces the old one, which stops working at once.</p>
  <table class="stack"><thead><tr><th scope="col">Calendar</th><th scope="col">Export</th><th scope="col">Subscription</th></tr></thead>
  <tbody>${rows}</tbody></table>
</div>`;
}

transfer.get("/transfer", async (c) => {
  const calendars = await calendarsOf(c);
  const tokens = await subscriptionTokens(c.env, c.var.user, calendars);
  const done = c.req.query("done");
  const message = done === "on" ? "The subscription URL is ready." : done === "off" ? "The subscription URL is turned off." : "";
  return show(c, "Import and export", html`${message ? notice("ok", message) : ""}${importForm(c, calendars)}${exportCard(c, calendars, tokens)}`);
});

transfer.post("/transfer/import", async (c) => {
  const file = c.var.form.get("file");
  const calendar = field(c, "calendar", 255);
  const mode = MODES[field(c, "mode", 10)] ?? "skip";
  if (!file || typeof file === "string" || file.size === 0) throw new DavError(400, { description: "Choose an .ics file to import." });
  if (file.size > IMPORT_LIMITS.maxBytes) throw new DavError(413, { description: `The file is larger than ${MiB} MB; split it and import the parts.` });
  const { jobId } = await startImport(c.env, c.var.user, calendar, new Uint8Array(await file.arrayBuffer()), mode);
  return c.redirect(`${BASE}/import/${jobId}`, 303);
});

function summary(s: ImportStatus) {
  return html`${notice("ok", `Import finished: ${s.imported} imported, ${s.replaced} replaced, ${s.skippedCount} skipped.`)}
  <div class="card">
    <h2>Summary</h2>
    <ul><li>Imported: ${s.imported}</li><li>Replaced: ${s.replaced}</li><li>Skipped: ${s.skippedCount}</li></ul>
    ${s.skipped.length
      ? html`<table class="stack"><caption class="muted">Skipped, with the reason</caption>
          <thead><tr><th scope="col">UID</th><th scope="col">Reason</th></tr></thead>
          <tbody>${s.skipped.map((k) => html`<tr><td data-label="UID"><code>${k.uid || "(none)"}</code></td><td data-label="Reason">${k.reason}</td></tr>`)}</tbody></table>`
      : ""}
    <div class="actions"><a class="button secondary" href="${BASE}">Back to import and export</a></div>
  </div>`;
}

transfer.get("/transfer/import/:job", async (c) => {
  const job = c.req.param("job");
  if (!JOB_ID.test(job)) throw new DavError(404, { description: "There is no such import." });
  const s = await importProgress(c.env, c.var.user, job);
  if (s.finished) return show(c, "Import", summary(s));
  return show(
    c,
    "Import",
    html`<div class="card" data-progress-url="${BASE}/import/${job}/progress">
      <label for="progress">Objects stored</label>
      <progress id="progress" max="${Math.max(1, s.total)}" value="${s.done}">${s.done} of ${s.total}</progress>
      <p aria-live="polite" data-progress-text>${s.done} of ${s.total} objects</p>
      <noscript><p>Reload this page to see the progress; the summary appears here when the import has finished.</p></noscript>
      <p class="hint">The import goes on if you leave this page; come back to this address for the summary.</p>
    </div>
    <script src="${staticUrl("import-progress.js")}" defer></script>`,
  );
});

transfer.get("/transfer/import/:job/progress", async (c) => {
  const job = c.req.param("job");
  if (!JOB_ID.test(job)) throw new DavError(404, { description: "There is no such import." });
  const s = await importProgress(c.env, c.var.user, job);
  c.header("Cache-Control", "no-store");
  return c.json({ done: s.done, total: s.total, finished: s.finished, imported: s.imported, replaced: s.replaced, skipped: s.skippedCount });
});

transfer.get("/transfer/export/:calendar", (c) => exportCalendar(c.env, c.var.user, c.req.param("calendar"), { download: true }));

transfer.post("/transfer/subscription/:calendar/:what", async (c) => {
  const calendar = c.req.param("calendar");
  const what = c.req.param("what");
  if (what === "renew") await makeSubscription(c.env, c.var.user, calendar);
  else if (what === "off") await dropSubscription(c.env, c.var.user, calendar);
  else throw new DavError(404, { description: "There is no such action." });
  return c.redirect(`${BASE}?done=${what === "renew" ? "on" : "off"}#export`, 303);
});
