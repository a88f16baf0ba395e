// Sharing one of the user's calendars (calendarserver-sharing, README
// "Sharing"): who it is shared with (CS:invite: access and answer), share it
// with a user of this server by account name or e-mail address, read-only or
// read-write, change the access, remove someone. Each change is the CS:share
// POST Apple Calendar sends (CS:set, CS:remove), run through the method table
// as the signed-in owner (src/web/dav.ts), so the sharee's notification,
// the limits and the refusals are the DAV ones. What DAV passes over without
// a word (an unknown address, oneself) the page names, before sending.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { hrefs } from "../../core/paths.js";
import type { InviteStatus, ShareAccess } from "../../core/sharing/model.js";
import { shareRequest, type ShareChange } from "../../core/sharing/requests.js";
import type { CalendarEntry } from "../calendars.js";
import { field } from "../csrf.js";
import { davRequest } from "../dav.js";
import type { WebEnv } from "../env.js";
import { type Html, notFoundPage, notice, show } from "../layout.js";
import { readPersonForm } from "../people.js";
import { ACCESS, shareesOf, type Sharee } from "../sharing.js";
import { accessChange, personCell, personForm, removeButton } from "./people-forms.js";
import { BASE, find, pathOf } from "./calendars.js";

const ANSWER: Record<InviteStatus, string> = { pending: "Waiting for an answer", accepted: "Accepted", declined: "Declined (share again to ask again)" };
const isAccess = (v: string): v is ShareAccess => Object.hasOwn(ACCESS, v);

const DONE: Record<string, string> = {
  shared: "Shared. They find the invitation in their calendar app and on this page.",
  changed: "Access changed.",
  removed: "Removed. The calendar is gone from their devices at their next sync.",
};

const sharingPath = (cal: CalendarEntry) => `${pathOf(cal.name)}/sharing`;

function shareeRow(csrf: string, cal: CalendarEntry, s: Sharee, i: number): Html {
  return html`<tr>${personCell(s.person)}${accessChange(csrf, sharingPath(cal), s.person, ACCESS, s.access, i)}
    <td data-label="Answer">${ANSWER[s.status]}</td>${removeButton(csrf, `${sharingPath(cal)}/remove`, s.person)}</tr>`;
}

async function sharingPage(c: Context<WebEnv>, cal: CalendarEntry, top: Html | string = "", typed = { person: "", access: "read" as ShareAccess }, status: 200 | 400 | 409 = 200) {
  const csrf = c.var.csrf;
  const sharees = await shareesOf(c.env, cal.invites);
  const list = sharees.length
    ? html`<table class="stack">
        <thead><tr><th scope="col">Person</th><th scope="col">Access</th><th scope="col">Answer</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${sharees.map((s, i) => shareeRow(csrf, cal, s, i))}</tbody></table>`
    : html`<p>Not shared with anyone yet.</p>`;
  return show(
    c,
    `Sharing “${cal.displayName}”`,
    html`${top}
<div class="card"><h2>Shared with</h2>${list}</div>
<div class="card"><h2>Share with someone</h2>
${personForm(csrf, sharingPath(cal), ACCESS, typed, "Share")}
<p class="hint">They must have an account on this server. They get an invitation in their calendar app and on this page, and see the calendar once they accept. Read and write lets them add, change and delete events; read only shows private events as busy time only.</p>
</div>
<p><a href="${BASE}">Back to calendars</a></p>`,
    status,
  );
}

export const sharing = new Hono<WebEnv>();

sharing.get("/calendars/:name/sharing", async (c) => {
  const cal = await find(c);
  if (!cal) return notFoundPage(c);
  const done = DONE[c.req.query("done") ?? ""];
  return sharingPage(c, cal, done ? notice("ok", done) : "");
});

/** Shares the calendar with someone, or changes their access: one CS:set. */
sharing.post("/calendars/:name/sharing", async (c) => {
  const cal = await find(c);
  if (!cal) return notFoundPage(c);
  const form = await readPersonForm(c, isAccess, "read");
  const refuse = (text: string, status: 400 | 409) => sharingPage(c, cal, notice("error", text), form.typed, status);
  if (!form.who) return refuse(form.problem, 400);
  const { who } = form;
  const { access } = form.typed;
  const known = cal.invites.some((i) => i.sharee === who.id);
  // Apple Calendar names a new sharee by address and an existing one by principal URL (test/fixtures/sharing).
  const href = !known && who.addresses[0] ? who.addresses[0] : hrefs.principal(who.id);
  const change: ShareChange = { op: "set", href, access, summary: cal.displayName };
  const r = await davRequest(c, "POST", cal.href, shareRequest([change]));
  if (!r.ok) return refuse(`Not shared: ${r.problem}.`, 409);
  return c.redirect(`${sharingPath(cal)}?done=${known ? "changed" : "shared"}`, 303);
});

/** Takes the calendar away from a sharee: one CS:remove. */
sharing.post("/calendars/:name/sharing/remove", async (c) => {
  const cal = await find(c);
  if (!cal) return notFoundPage(c);
  const sharee = field(c, "person", 100);
  if (!cal.invites.some((i) => i.sharee === sharee)) return sharingPage(c, cal, notice("error", "That person does not share this calendar (any more)."), undefined, 400);
  const r = await davRequest(c, "POST", cal.href, shareRequest([{ op: "remove", href: hrefs.principal(sharee) }]));
  if (!r.ok) return sharingPage(c, cal, notice("error", `Not removed: ${r.problem}.`), undefined, 409);
  return c.redirect(`${sharingPath(cal)}?done=removed`, 303);
});
