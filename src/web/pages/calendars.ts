// Calendars and task lists: list them (colour, what they hold, how many
// objects), create one (name, colour, description, timezone, events and/or
// tasks), rename and recolour, delete after a confirmation that names what
// is lost, and choose where invitations land. Every change is the DAV
// request a client would send (src/web/dav.ts): extended MKCOL (RFC 5689),
// PROPPATCH (RFC 4918 §9.2) and DELETE (§9.6) on the collection, PROPPATCH of
// the inbox's schedule-default-calendar-URL (RFC 6638 §9.2), so clients see
// it at their next sync.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { ianaVtimezoneText, ianaZoneNames, isIanaName } from "../../core/ical/timezones.js";
import { hrefs } from "../../core/paths.js";
import { INBOX } from "../../core/props/schedule.js";
import { caldav, dav, ical } from "../../core/xml/names.js";
import { el, type XmlElement } from "../../core/xml/tree.js";
import { calendarsOf, holds, homeOverview, type CalendarEntry } from "../calendars.js";
import { csrfField, field } from "../csrf.js";
import { davRequest } from "../dav.js";
import type { WebEnv } from "../env.js";
import { type Html, notFoundPage, notice, show, swatch } from "../layout.js";
import { WEB_ROOT } from "../paths.js";
import { INVITATIONS_SHOWN, sharedWithMe } from "../sharing.js";
import { invitationsSection, SHARED_DONE, sharedSection } from "./shared.js";

export const BASE = `${WEB_ROOT}calendars`;
const COLOR = /^#[0-9a-f]{6}$/i;
const DEFAULT_COLOR = "#0b57d0";
/** What a new calendar may hold, as the form offers it. */
const KINDS: ReadonlyArray<{ comp: string; label: string }> = [
  { comp: "VEVENT", label: "Events" },
  { comp: "VTODO", label: "Tasks" },
];

export const pathOf = (name: string) => `${BASE}/${encodeURIComponent(name)}`;

function count(cal: CalendarEntry): string {
  const noun = cal.components.length === 1 && cal.components[0] === "VTODO" ? "task" : cal.components.length === 1 ? "event" : "item";
  return `${cal.count} ${noun}${cal.count === 1 ? "" : "s"}`;
}


// ---- the list ---------------------------------------------------------------------------------------------------------

function list(c: Context<WebEnv>, cals: CalendarEntry[], shared: Html): Html {
  const csrf = c.var.csrf;
  const rows = cals.map(
    (cal) => html`<tr>
      <td data-label="Name">${swatch(cal.color)}<strong>${cal.displayName}</strong>${cal.isDefault ? html` <span class="muted">(invitations)</span>` : ""}${cal.invites.length ? html` <span class="muted">(shared with ${cal.invites.length})</span>` : ""}
        ${cal.description ? html`<br><span class="muted">${cal.description}</span>` : ""}</td>
      <td data-label="Holds">${holds(cal.components)}</td>
      <td data-label="Objects" class="nowrap">${count(cal)}</td>
      <td><a href="${pathOf(cal.name)}">Edit<span class="visually-hidden"> ${cal.displayName}</span></a> ·
          <a href="${pathOf(cal.name)}/sharing">Share<span class="visually-hidden"> ${cal.displayName}</span></a> ·
          <a href="${pathOf(cal.name)}/delete">Delete<span class="visually-hidden"> ${cal.displayName}</span></a>
          ${!cal.isDefault && cal.components.includes("VEVENT")
            ? html`<form class="inline" method="post" action="${pathOf(cal.name)}/default">${csrfField(csrf)}
                <button class="link" type="submit">Receive invitations here<span class="visually-hidden"> (${cal.displayName})</span></button></form>`
            : ""}</td>
    </tr>`,
  );
  return html`<div class="card">
  <table class="stack">
    <thead><tr><th scope="col">Name</th><th scope="col">Holds</th><th scope="col">Objects</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>${rows}</tbody>
  </table>
</div>
<p class="hint">Invitations from other people land in the calendar marked “(invitations)”.</p>
${shared}
<div class="card"><h2>New calendar or task list</h2>${createForm(csrf)}</div>`;
}

function createForm(csrf: string, values: { name?: string; color?: string; description?: string; timezone?: string; comps?: string[] } = {}): Html {
  const comps = values.comps ?? ["VEVENT"];
  return html`<form method="post" action="${BASE}">${csrfField(csrf)}
  <label for="new-name">Name</label>
  <input id="new-name" name="name" type="text" required maxlength="100" value="${values.name ?? ""}">
  <label for="new-color">Colour</label>
  <input id="new-color" name="color" type="color" value="${values.color ?? DEFAULT_COLOR}">
  <label for="new-description">Description <span class="muted">(optional)</span></label>
  <input id="new-description" name="description" type="text" maxlength="500" value="${values.description ?? ""}">
  <label for="new-timezone">Timezone <span class="muted">(optional; for events without one, such as all-day events)</span></label>
  <input id="new-timezone" name="timezone" type="text" list="zones" maxlength="64" autocomplete="off" value="${values.timezone ?? ""}" placeholder="Europe/Berlin">
  <datalist id="zones">${ianaZoneNames().map((z) => html`<option value="${z}">`)}</datalist>
  <fieldset><legend>Holds</legend>
    ${KINDS.map((k) => html`<label class="inline"><input type="checkbox" name="comp" value="${k.comp}"${comps.includes(k.comp) ? " checked" : ""}> ${k.label}</label>`)}
  </fieldset>
  <div class="actions"><button type="submit">Create</button></div>
</form>`;
}

const DONE: Record<string, string> = {
  created: "Created.",
  saved: "Saved.",
  deleted: "Deleted.",
  default: "New invitations will go to the chosen calendar.",
};

export const calendars = new Hono<WebEnv>();

calendars.get("/calendars", async (c) => {
  const key = c.req.query("done") ?? "";
  const done = DONE[key] ?? SHARED_DONE[key];
  const { calendars: own, mounts, invitations } = await homeOverview(c, INVITATIONS_SHOWN);
  const shared = await sharedWithMe(c, mounts);
  return show(c, "Calendars and task lists", html`${done ? notice("ok", done) : ""}${invitationsSection(c.var.csrf, invitations)}${list(c, own, sharedSection(c.var.csrf, shared))}`);
});

// ---- create -----------------------------------------------------------------------------------------------------------

/** A URL name for a new calendar: its name in lower-case letters and digits, made unique among the home's collections. */
export function slugFor(name: string, taken: ReadonlySet<string>): string {
  const base = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "calendar";
  for (let i = 1; i < 1000; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!taken.has(candidate) && candidate !== INBOX && candidate !== "outbox") return candidate;
  }
  return crypto.randomUUID();
}

const prop = (name: string, children: XmlElement["children"], attrs: Record<string, string> = {}) => el(name, children, attrs);

/** A VCALENDAR holding the IANA zone's VTIMEZONE: the value of CALDAV:calendar-timezone (RFC 4791 §5.2.2). */
function timezoneValue(zone: string): string {
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//edge-caldav//web page//EN\r\n${ianaVtimezoneText(zone)}\r\nEND:VCALENDAR\r\n`;
}

calendars.post("/calendars", async (c) => {
  const name = field(c, "name", 100);
  const color = field(c, "color", 7) || DEFAULT_COLOR;
  const description = field(c, "description", 500);
  const timezone = field(c, "timezone", 64);
  const comps = c.var.form.getAll("comp").filter((v): v is string => typeof v === "string" && KINDS.some((k) => k.comp === v));
  const values = { name, color, description, timezone, comps };
  const problem = !name
    ? "Give the calendar a name."
    : !COLOR.test(color)
      ? "Choose a colour."
      : timezone && !isIanaName(timezone)
        ? `“${timezone}” is not a timezone this server knows; pick one from the list, such as Europe/Berlin.`
        : comps.length === 0
          ? "Choose whether it holds events, tasks or both."
          : "";
  const again = (text: string, status: 400 | 409 | 507) =>
    show(c, "New calendar or task list", html`${notice("error", text)}<div class="card">${createForm(c.var.csrf, values)}</div><p><a href="${BASE}">Back to calendars</a></p>`, status);
  if (problem) return again(problem, 400);

  const taken = new Set((await calendarsOf(c)).map((x) => x.name));
  const slug = slugFor(name, taken);
  const props: XmlElement[] = [
    prop(dav("resourcetype"), [el(dav("collection")), el(caldav("calendar"))]),
    prop(dav("displayname"), [name]),
    prop(ical("calendar-color"), [`${color.toUpperCase()}FF`]),
    prop(caldav("supported-calendar-component-set"), comps.map((k) => el(caldav("comp"), [], { name: k }))),
  ];
  if (description) props.push(prop(caldav("calendar-description"), [description]));
  if (timezone) props.push(prop(caldav("calendar-timezone"), [timezoneValue(timezone)]));
  const body = el(dav("mkcol"), [el(dav("set"), [el(dav("prop"), props)])]);
  const r = await davRequest(c, "MKCOL", hrefs.collection(c.var.user.id, slug), body);
  if (!r.ok) return again(`The calendar could not be created: ${r.problem}.`, r.status === 507 ? 507 : 409);
  return c.redirect(`${BASE}?done=created`, 303);
});

// ---- one calendar: edit, delete ----------------------------------------------------------------------------------------

/** The user's own calendar named in the URL (never a shared one, the inbox or another home's). */
export async function find(c: Context<WebEnv>): Promise<CalendarEntry | undefined> {
  const name = c.req.param("name");
  return (await calendarsOf(c)).find((x) => x.name === name);
}

function editForm(csrf: string, cal: CalendarEntry, values: { name: string; color: string; description: string }): Html {
  return html`<div class="card"><form method="post" action="${pathOf(cal.name)}">${csrfField(csrf)}
  <label for="name">Name</label>
  <input id="name" name="name" type="text" required maxlength="100" value="${values.name}">
  <label for="color">Colour</label>
  <input id="color" name="color" type="color" value="${values.color || DEFAULT_COLOR}">
  <label for="description">Description <span class="muted">(optional)</span></label>
  <input id="description" name="description" type="text" maxlength="500" value="${values.description}">
  <p class="hint">Holds ${holds(cal.components)} · ${count(cal)} · <code>${cal.href}</code> · <a href="${pathOf(cal.name)}/sharing">Sharing</a></p>
  <div class="actions"><button type="submit">Save</button> <a class="button secondary" href="${BASE}">Cancel</a></div>
</form></div>`;
}

calendars.get("/calendars/:name", async (c) => {
  const cal = await find(c);
  if (!cal) return notFoundPage(c);
  return show(c, `Edit “${cal.displayName}”`, editForm(c.var.csrf, cal, cal));
});

calendars.post("/calendars/:name", async (c) => {
  const cal = await find(c);
  if (!cal) return notFoundPage(c);
  const values = { name: field(c, "name", 100), color: field(c, "color", 7), description: field(c, "description", 500) };
  const problem = !values.name ? "Give the calendar a name." : !COLOR.test(values.color) ? "Choose a colour." : "";
  if (problem) return show(c, `Edit “${cal.displayName}”`, html`${notice("error", problem)}${editForm(c.var.csrf, cal, values)}`, 400);
  const set = [prop(dav("displayname"), [values.name]), prop(ical("calendar-color"), [`${values.color.toUpperCase()}FF`])];
  if (values.description) set.push(prop(caldav("calendar-description"), [values.description]));
  const update: XmlElement[] = [el(dav("set"), [el(dav("prop"), set)])];
  if (!values.description && cal.description) update.push(el(dav("remove"), [el(dav("prop"), [el(caldav("calendar-description"))])]));
  const r = await davRequest(c, "PROPPATCH", cal.href, el(dav("propertyupdate"), update));
  if (!r.ok) return show(c, `Edit “${cal.displayName}”`, html`${notice("error", `Not saved: ${r.problem}.`)}${editForm(c.var.csrf, cal, values)}`, 409);
  return c.redirect(`${BASE}?done=saved`, 303);
});

calendars.get("/calendars/:name/delete", async (c) => {
  const cal = await find(c);
  if (!cal) return notFoundPage(c);
  const title = `Delete “${cal.displayName}”?`;
  if (cal.isDefault)
    return show(c, title, html`${notice("error", "New invitations go to this calendar. Choose another one for them first, on the calendars page.")}<p><a href="${BASE}">Back to calendars</a></p>`);
  return show(
    c,
    title,
    html`<div class="card">
  <p>This deletes <strong>${cal.displayName}</strong> and the <strong>${count(cal)}</strong> in it, on this server and on every device that syncs it. It cannot be undone.</p>
  <p>Meetings you organised in it are cancelled for their attendees; meetings you were invited to are declined.</p>
  <form method="post" action="${pathOf(cal.name)}/delete">${csrfField(c.var.csrf)}
    <div class="actions"><button class="danger" type="submit">Delete ${cal.displayName} and ${count(cal)}</button> <a class="button secondary" href="${BASE}">Keep it</a></div>
  </form></div>`,
  );
});

calendars.post("/calendars/:name/delete", async (c) => {
  const cal = await find(c);
  if (!cal) return notFoundPage(c);
  const r = await davRequest(c, "DELETE", cal.href);
  if (!r.ok) return show(c, `Delete “${cal.displayName}”?`, html`${notice("error", `Not deleted: ${r.problem}.`)}<p><a href="${BASE}">Back to calendars</a></p>`, 409);
  return c.redirect(`${BASE}?done=deleted`, 303);
});

calendars.post("/calendars/:name/default", async (c) => {
  const cal = await find(c);
  if (!cal) return notFoundPage(c);
  const set = el(dav("set"), [el(dav("prop"), [prop(caldav("schedule-default-calendar-URL"), [el(dav("href"), [cal.href])])])]);
  const r = await davRequest(c, "PROPPATCH", hrefs.collection(c.var.user.id, INBOX), el(dav("propertyupdate"), [set]));
  if (!r.ok) return show(c, "Calendars and task lists", html`${notice("error", `Not saved: ${r.problem}.`)}<p><a href="${BASE}">Back to calendars</a></p>`, 409);
  return c.redirect(`${BASE}?done=default`, 303);
});
