// Administration for the instance's owner (a principal marked admin, with
// `npm run user -- set <name> --admin`, which needs the admin token): list,
// add and remove users, set a password, mark administrators, and create rooms
// and resources (principals that answer invitations by themselves). The
// changes are the admin API's own (src/http/accounts.ts), so the CLI and the
// page do exactly the same thing.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { directoryStub } from "../../bindings.js";
import { normalizePrincipalId } from "../../core/directory.js";
import { DavError } from "../../core/errors.js";
import type { CalendarUserType } from "../../core/model.js";
import { ACCOUNT_LIMITS, removeAccount, saveAccount } from "../../http/accounts.js";
import { csrfField, field } from "../csrf.js";
import type { WebEnv } from "../env.js";
import { type Html, notFoundPage, notice, show } from "../layout.js";
import { WEB_ROOT } from "../paths.js";
import { requireAdmin } from "../session.js";

const BASE = `${WEB_ROOT}admin`;
const userPath = (id: string) => `${BASE}/users/${encodeURIComponent(id)}`;

/** The kinds of principal the page creates, as the form offers them. */
const TYPES: ReadonlyArray<{ type: CalendarUserType; label: string }> = [
  { type: "INDIVIDUAL", label: "Person" },
  { type: "ROOM", label: "Room" },
  { type: "RESOURCE", label: "Resource (equipment)" },
];
const typeLabel = (t: string) => TYPES.find((x) => x.type === t)?.label ?? t;

const DONE: Record<string, string> = {
  added: "Added.",
  removed: "Removed, with all their calendars.",
  password: "Password set. Their browsers were signed out.",
  admin: "Saved.",
};

function addForm(csrf: string, v: Record<string, string> = {}): Html {
  return html`<form method="post" action="${BASE}/users">${csrfField(csrf)}
  <label for="id">User name</label>
  <input id="id" name="id" type="text" required maxlength="64" autocapitalize="none" spellcheck="false" value="${v["id"] ?? ""}">
  <p class="hint">Lower-case letters, digits and . _ @ + -</p>
  <label for="name">Display name</label>
  <input id="name" name="name" type="text" maxlength="100" value="${v["name"] ?? ""}">
  <label for="email">E-mail address</label>
  <input id="email" name="email" type="email" maxlength="254" value="${v["email"] ?? ""}">
  <label for="type">Kind</label>
  <select id="type" name="type">${TYPES.map((t) => html`<option value="${t.type}"${v["type"] === t.type ? " selected" : ""}>${t.label}</option>`)}</select>
  <label for="password">Password <span class="muted">(rooms and resources need none)</span></label>
  <input id="password" name="password" type="password" autocomplete="new-password" maxlength="1024">
  <label class="inline"><input type="checkbox" name="admin" value="1"${v["admin"] ? " checked" : ""}> Administrator of this server</label>
  <div class="actions"><button type="submit">Add</button></div>
</form>`;
}

export const adminPages = new Hono<WebEnv>();

adminPages.use("/admin", requireAdmin);
adminPages.use("/admin/*", requireAdmin);

adminPages.get("/admin", async (c) => {
  const accounts = await directoryStub(c.env).listAccounts();
  const done = DONE[c.req.query("done") ?? ""];
  const rows = accounts.map(
    (a) => html`<tr>
      <td data-label="User"><a href="${userPath(a.id)}">${a.id}</a>${a.admin ? html` <span class="muted">(admin)</span>` : ""}</td>
      <td data-label="Name">${a.displayName}</td>
      <td data-label="Kind">${typeLabel(a.type)}</td>
      <td data-label="E-mail">${a.addresses.map((x, i) => html`${i ? ", " : ""}${x.replace(/^mailto:/i, "")}`)}</td>
    </tr>`,
  );
  return show(
    c,
    "Administration",
    html`${done ? notice("ok", done) : ""}<div class="card"><h2>Users, rooms and resources</h2>
  <table class="stack"><thead><tr><th scope="col">User</th><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">E-mail</th></tr></thead>
  <tbody>${rows}</tbody></table></div>
<div class="card"><h2>Add</h2>${addForm(c.var.csrf)}</div>`,
  );
});

/** A DavError from the Directory (a taken address, a bad name) as a page with the form filled in again. */
async function refused(c: Context<WebEnv>, e: unknown, values: Record<string, string>) {
  if (!(e instanceof DavError) || e.status >= 500) throw e;
  return show(c, "Add a user", html`${notice("error", e.message)}<div class="card">${addForm(c.var.csrf, values)}</div>`, e.status === 409 ? 409 : 400);
}

adminPages.post("/admin/users", async (c) => {
  const values = {
    id: field(c, "id", 64),
    name: field(c, "name", ACCOUNT_LIMITS.displayName),
    email: field(c, "email", ACCOUNT_LIMITS.address),
    type: field(c, "type", 16),
    admin: field(c, "admin", 1),
  };
  const password = c.var.form.get("password");
  const type = TYPES.find((t) => t.type === values.type)?.type ?? "INDIVIDUAL";
  const id = normalizePrincipalId(values.id);
  const problem = !id
    ? "Choose a user name of lower-case letters, digits and . _ @ + -"
    : (await directoryStub(c.env).getPrincipal(id))
      ? `${id} exists already.`
      : type === "INDIVIDUAL" && (typeof password !== "string" || password === "")
        ? "A person needs a password."
        : typeof password === "string" && password.length > ACCOUNT_LIMITS.password
          ? "The password is too long."
          : "";
  if (problem) return show(c, "Add a user", html`${notice("error", problem)}<div class="card">${addForm(c.var.csrf, values)}</div>`, 400);
  try {
    await saveAccount(
      c.env,
      { id: id!, displayName: values.name || undefined, type, addresses: values.email ? [values.email] : [], admin: values.admin === "1" },
      typeof password === "string" && password !== "" ? password : undefined,
    );
  } catch (e) {
    return refused(c, e, values);
  }
  return c.redirect(`${BASE}?done=added`, 303);
});

/** The account the URL names (exactly), in one call. */
async function account(c: Context<WebEnv>) {
  const id = c.req.param("id") ?? "";
  const a = await directoryStub(c.env).account(id);
  return a && a.id === id ? a : undefined;
}

adminPages.get("/admin/users/:id", async (c) => {
  const a = await account(c);
  if (!a) return notFoundPage(c);
  const self = a.id === c.var.user.id;
  return show(
    c,
    `${a.displayName} (${a.id})`,
    html`<div class="card"><p>${typeLabel(a.type)}${a.addresses.length ? html` · ${a.addresses.map((x) => x.replace(/^mailto:/i, "")).join(", ")}` : ""}${a.admin ? " · administrator" : ""}</p></div>
<div class="card"><h2>Set a password</h2>
  <form method="post" action="${userPath(a.id)}/password">${csrfField(c.var.csrf)}
    <label for="password">New password</label>
    <input id="password" name="password" type="password" autocomplete="new-password" required maxlength="1024">
    <p class="hint">Their app passwords keep working; their browsers are signed out.</p>
    <div class="actions"><button type="submit">Set password</button></div>
  </form></div>
${self
    ? ""
    : html`<div class="card"><h2>Administrator</h2>
  <form method="post" action="${userPath(a.id)}/admin">${csrfField(c.var.csrf)}
    <input type="hidden" name="admin" value="${a.admin ? "0" : "1"}">
    <p>${a.admin ? "They can administer this server." : "They cannot administer this server."}</p>
    <div class="actions"><button class="secondary" type="submit">${a.admin ? "Remove administrator rights" : "Make administrator"}</button></div>
  </form></div>
<div class="card"><h2>Remove</h2>
  <form method="post" action="${userPath(a.id)}/remove">${csrfField(c.var.csrf)}
    <p>Removing <strong>${a.id}</strong> deletes the account, its passwords and every calendar, event and task in it. It cannot be undone.</p>
    <label class="inline"><input type="checkbox" name="confirm" value="${a.id}" required> Yes, delete ${a.id} and all their data</label>
    <div class="actions"><button class="danger" type="submit">Remove ${a.id}</button></div>
  </form></div>`}
<p><a href="${BASE}">Back to administration</a></p>`,
  );
});

adminPages.post("/admin/users/:id/password", async (c) => {
  const a = await account(c);
  if (!a) return notFoundPage(c);
  const password = c.var.form.get("password");
  if (typeof password !== "string" || password === "" || password.length > ACCOUNT_LIMITS.password)
    return show(c, "Set a password", html`${notice("error", "Enter a password.")}<p><a href="${userPath(a.id)}">Back</a></p>`, 400);
  await saveAccount(c.env, { id: a.id }, password);
  return c.redirect(`${BASE}?done=password`, 303);
});

adminPages.post("/admin/users/:id/admin", async (c) => {
  const a = await account(c);
  if (!a) return notFoundPage(c);
  if (a.id === c.var.user.id) return show(c, "Administrator", notice("error", "You cannot change your own administrator rights here."), 403);
  await saveAccount(c.env, { id: a.id, admin: field(c, "admin", 1) === "1" });
  return c.redirect(`${BASE}?done=admin`, 303);
});

adminPages.post("/admin/users/:id/remove", async (c) => {
  const a = await account(c);
  if (!a) return notFoundPage(c);
  if (a.id === c.var.user.id) return show(c, "Remove", notice("error", "You cannot remove yourself here."), 403);
  if (field(c, "confirm", 100) !== a.id) return show(c, "Remove", html`${notice("error", "Tick the box to confirm.")}<p><a href="${userPath(a.id)}">Back</a></p>`, 400);
  await removeAccount(c.env, a.id);
  return c.redirect(`${BASE}?done=removed`, 303);
});
