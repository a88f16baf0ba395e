// Delegates (CalendarServer's calendar-proxy, README "Delegation"): the
// members of the user's calendar-proxy-read and -write groups, add one by
// account name or e-mail address, change a delegate's access, remove one;
// and the principals the user is a delegate of ("calendars I manage for
// others", its calendar-proxy-*-for pointers). Each change is the PROPPATCH
// of DAV:group-member-set Apple Calendar sends (the whole list of principal
// URLs), run through the method table as the signed-in principal
// (src/web/dav.ts), so the limits and refusals are the DAV ones. A delegate
// is in one group: adding it to one takes it out of the other, after.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { homeStub } from "../../bindings.js";
import type { Delegation, ProxyKind } from "../../core/delegation/model.js";
import { hrefs } from "../../core/paths.js";
import { dav } from "../../core/xml/names.js";
import { el } from "../../core/xml/tree.js";
import { field } from "../csrf.js";
import { davRequest } from "../dav.js";
import type { WebEnv } from "../env.js";
import { type Html, notice, show } from "../layout.js";
import { webPath } from "../paths.js";
import { peopleByIds, readPersonForm, type Person } from "../people.js";
import { accessChange, personCell, personForm, removeButton } from "./people-forms.js";

const BASE = webPath("delegates");
const KINDS: Record<ProxyKind, string> = { read: "Read only", write: "Read and write" };
const isKind = (v: string): v is ProxyKind => Object.hasOwn(KINDS, v);
const other = (k: ProxyKind): ProxyKind => (k === "read" ? "write" : "read");

const DONE: Record<string, string> = {
  added: "Added. Their calendar app shows your calendars under your name (in Apple Calendar, after they refresh its accounts).",
  changed: "Access changed.",
  removed: "Removed. They no longer see your calendars.",
};

/** The PROPPATCH that sets a proxy group's members, whole (test/fixtures/sharing/proxy-set-members.xml). */
const memberSet = (ids: string[]) =>
  el(dav("propertyupdate"), [el(dav("set"), [el(dav("prop"), [el(dav("group-member-set"), ids.map((id) => el(dav("href"), [hrefs.principal(id)])))])])]);

const setGroup = (c: Context<WebEnv>, kind: ProxyKind, ids: string[]) => davRequest(c, "PROPPATCH", hrefs.proxyGroup(c.var.user.id, kind), memberSet(ids));

const kindOf = (d: Delegation, id: string): ProxyKind | undefined => (d.groups.write.includes(id) ? "write" : d.groups.read.includes(id) ? "read" : undefined);

function delegateRow(csrf: string, p: Person, kind: ProxyKind, i: number): Html {
  return html`<tr>${personCell(p)}${accessChange(csrf, BASE, p, KINDS, kind, i)}${removeButton(csrf, `${BASE}/remove`, p)}</tr>`;
}

async function delegatesPage(c: Context<WebEnv>, d: Delegation, top: Html | string = "", typed = { person: "", access: "read" as ProxyKind }, status: 200 | 400 | 409 = 200) {
  const csrf = c.var.csrf;
  const mine = [...d.groups.write.map((id) => ({ id, kind: "write" as const })), ...d.groups.read.filter((id) => !d.groups.write.includes(id)).map((id) => ({ id, kind: "read" as const }))];
  const managed = [...d.proxyFor.write.map((id) => ({ id, kind: "write" as const })), ...d.proxyFor.read.filter((id) => !d.proxyFor.write.includes(id)).map((id) => ({ id, kind: "read" as const }))];
  const people = await peopleByIds(c.env, [...mine, ...managed].map((x) => x.id));
  const table = mine.length
    ? html`<table class="stack">
        <thead><tr><th scope="col">Person</th><th scope="col">Access</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${mine.map((x, i) => delegateRow(csrf, people.get(x.id)!, x.kind, i))}</tbody></table>`
    : html`<p>You have no delegates.</p>`;
  const others = managed.length
    ? html`<ul>${managed.map((x) => html`<li><strong>${people.get(x.id)!.name}</strong> <span class="muted">(${KINDS[x.kind].toLowerCase()})</span></li>`)}</ul>`
    : html`<p class="muted">No one has made you their delegate.</p>`;
  return show(
    c,
    "Delegates",
    html`${top}
<p>A delegate sees all your calendars in their own calendar app, under your name: read only, or read and write, which also lets them answer invitations for you.</p>
<div class="card"><h2>Your delegates</h2>${table}</div>
<div class="card"><h2>Add a delegate</h2>
${personForm(csrf, BASE, KINDS, typed, "Add")}</div>
<div class="card"><h2>Calendars you manage for others</h2>${others}
<p class="hint">Their calendars appear in your calendar app (in Apple Calendar under Delegation); this page shows only your own.</p></div>`,
    status,
  );
}

const delegationOf = (c: Context<WebEnv>) => homeStub(c.env, c.var.user.id).delegation();

export const delegates = new Hono<WebEnv>();

delegates.get("/delegates", async (c) => {
  const done = DONE[c.req.query("done") ?? ""];
  return delegatesPage(c, await delegationOf(c), done ? notice("ok", done) : "");
});

/** Adds a delegate, or changes one's access: into the chosen group, then out of the other. */
delegates.post("/delegates", async (c) => {
  const d = await delegationOf(c);
  const form = await readPersonForm(c, isKind, "read");
  const refuse = (text: string, status: 400 | 409) => delegatesPage(c, d, notice("error", text), form.typed, status);
  if (!form.who) return refuse(form.problem, 400);
  const { who } = form;
  const { access } = form.typed;
  const before = kindOf(d, who.id);
  if (!d.groups[access].includes(who.id)) {
    const r = await setGroup(c, access, [...d.groups[access], who.id]);
    if (!r.ok) return refuse(`Not added: ${r.problem}.`, 409);
  }
  const rest = other(access);
  if (d.groups[rest].includes(who.id)) {
    const r = await setGroup(c, rest, d.groups[rest].filter((id) => id !== who.id));
    if (!r.ok) return refuse(`Not changed: ${r.problem}.`, 409);
  }
  return c.redirect(`${BASE}?done=${before ? "changed" : "added"}`, 303);
});

/** Removes a delegate from both groups. */
delegates.post("/delegates/remove", async (c) => {
  const d = await delegationOf(c);
  const id = field(c, "person", 100);
  if (!kindOf(d, id)) return delegatesPage(c, d, notice("error", "That person is not your delegate (any more)."), undefined, 400);
  for (const kind of ["write", "read"] as const) {
    if (!d.groups[kind].includes(id)) continue;
    const r = await setGroup(c, kind, d.groups[kind].filter((m) => m !== id));
    if (!r.ok) return delegatesPage(c, d, notice("error", `Not removed: ${r.problem}.`), undefined, 409);
  }
  return c.redirect(`${BASE}?done=removed`, 303);
});
