// The Agenda section of the web page at /app/agenda (issue 11 item 7): the
// invitations waiting for the person's answer with Accept / Tentative /
// Decline, the coming days across their calendars, and their timezone.
// Server-rendered forms with the session's CSRF field, no script. The data
// come from src/web/agenda/ (one call to the home for each list); answers
// are stored like a client's PUT (src/web/agenda/invitations.ts).
import { Hono } from "hono";
import { html } from "hono/html";
import type { AgendaDay, AgendaItem } from "../../core/agenda/agenda.js";
import { isAnswer } from "../../core/agenda/answer.js";
import { badRequest, DavError } from "../../core/errors.js";
import { ianaZoneNames } from "../../core/ical/timezones.js";
import { knownZoneName } from "../../core/props/personal.js";
import { agenda, DEFAULT_DAYS } from "../agenda/agenda.js";
import { answerInvitation, invitations, type Invitation } from "../agenda/invitations.js";
import { setTimezone } from "../agenda/timezone.js";
import { csrfField, field } from "../csrf.js";
import type { WebEnv } from "../env.js";
import { notice, show, swatch, type Html } from "../layout.js";
import { webPath } from "../paths.js";

export const agendaPage = new Hono<WebEnv>();

const PAGE = webPath("agenda");
/** The lengths the page offers; any other asks for the default. */
const LENGTHS = [7, 14, 28] as const;

const DONE: Record<string, string> = {
  accept: "You accepted the invitation; the organizer will see it.",
  tentative: "You answered tentatively; the organizer will see it.",
  decline: "You declined the invitation; the organizer will see it.",
  stale: "The invitation changed since this page showed it (the organizer may have moved it). Look at it again and answer once more.",
  timezone: "Your timezone is saved.",
};

const dayTitle = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const shortDay = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const asUtcDate = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
const shiftDate = (date: string, days: number) => new Date(asUtcDate(date) + days * 86_400_000).toISOString().slice(0, 10);

/** The calendar's dot (calendars.ts), for a colour that is #rrggbb[aa]; an empty ring otherwise. */
const dot = (color: string | null): Html => swatch(color && /^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$/.test(color) ? color.slice(0, 7).toLowerCase() : "");

/** "10:00–11:00", "from 22:00", "until 02:00", "All day" for an item on `date`. */
function timeOn(it: AgendaItem, date: string): string {
  if (it.allDay) return "All day";
  const starts = it.startLocal.slice(0, 10) === date;
  const ends = it.endLocal.slice(0, 10) === date;
  const s = it.startLocal.slice(11);
  const e = it.endLocal.slice(11);
  if (starts && it.start === it.end) return s;
  if (starts && ends) return `${s}–${e}`;
  if (starts) return `from ${s}`;
  if (ends) return `until ${e}`;
  return "all day (continues)";
}

const ANSWERED: Record<string, string> = { "NEEDS-ACTION": "not answered yet", ACCEPTED: "", TENTATIVE: "tentative", DECLINED: "declined", DELEGATED: "delegated" };

function itemView(it: AgendaItem, date: string): Html {
  const notes = [it.status === "CANCELLED" ? "cancelled" : "", it.status === "TENTATIVE" ? "tentative" : "", it.partstat ? ANSWERED[it.partstat] ?? "" : ""].filter((x) => x);
  return html`<li class="event${it.status === "CANCELLED" || it.partstat === "DECLINED" ? " struck" : ""}">
  <span class="when">${timeOn(it, date)}</span>
  <span class="what"><strong>${it.summary || "(no title)"}</strong>${it.location ? html` <span class="muted">· ${it.location}</span>` : ""}${notes.length ? html` <span class="tag">${notes.join(", ")}</span>` : ""}
  <br><span class="muted small">${dot(it.calendar.color)}${it.calendar.displayName}</span></span>
</li>`;
}

function daysView(days: AgendaDay[]): Html {
  const busy = days.filter((d) => d.items.length > 0);
  if (busy.length === 0) return html`<p class="muted">Nothing in your calendars on these days.</p>`;
  return html`${busy.map((d) => html`<section class="day" aria-labelledby="d-${d.date}">
  <h3 id="d-${d.date}">${dayTitle.format(asUtcDate(d.date))}</h3>
  <ul class="events">${d.items.map((it) => itemView(it, d.date))}</ul>
</section>`)}`;
}

function invitationView(inv: Invitation, csrf: string): Html {
  const when = !inv.startLocal ? "" : inv.allDay ? shortDay.format(asUtcDate(inv.startLocal)) : `${shortDay.format(asUtcDate(inv.startLocal))}, ${inv.startLocal.slice(11)}`;
  const from = inv.organizer.name || inv.organizer.address;
  const id = `inv-${inv.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return html`<li class="invitation">
  <h3 id="${id}">${inv.summary || "(no title)"}</h3>
  <p>${when}${inv.recurring ? " · repeats (your answer is for every time)" : ""}${inv.location ? html` · ${inv.location}` : ""}<br>
  <span class="muted">From ${from}${inv.organizer.name && inv.organizer.address ? html` &lt;${inv.organizer.address}&gt;` : ""}</span></p>
  <form method="post" action="${PAGE}/answer" aria-labelledby="${id}">${csrfField(csrf)}
    <input type="hidden" name="collection" value="${inv.collection}">
    <input type="hidden" name="name" value="${inv.name}">
    <input type="hidden" name="etag" value="${inv.etag}">
    <div class="actions">
      <button type="submit" name="answer" value="accept">Accept</button>
      <button class="secondary" type="submit" name="answer" value="tentative">Tentative</button>
      <button class="secondary" type="submit" name="answer" value="decline">Decline</button>
    </div>
  </form>
</li>`;
}

function zoneForm(zone: string, csrf: string): Html {
  return html`<form method="post" action="${PAGE}/timezone">${csrfField(csrf)}
  <label for="zone">Your timezone</label>
  <div class="actions">
    <select id="zone" name="zone">${ianaZoneNames().map((z) => html`<option value="${z}"${z === zone ? " selected" : ""}>${z}</option>`)}</select>
    <button class="secondary" type="submit">Save timezone</button>
  </div>
  <p class="hint">Times on this page are shown in this timezone.</p>
</form>`;
}

agendaPage.get("/agenda", async (c) => {
  const q = c.req.query();
  const asked = Number(q["days"]);
  const days = (LENGTHS as readonly number[]).includes(asked) ? asked : DEFAULT_DAYS;
  const from = q["from"] && q["from"].length <= 10 ? q["from"] : undefined;
  const a = await agenda(c.env, c.var.user, { from, days });
  const invs = await invitations(c.env, c.var.user, a.zone);
  const first = a.days[0]!.date;
  const link = (date: string | null, label: string, rel?: string) =>
    html`<a class="button secondary"${rel ? html` rel="${rel}"` : ""} href="${PAGE}?${date ? `from=${date}&` : ""}days=${days}">${label}</a>`;
  const done = q["done"] && Object.hasOwn(DONE, q["done"]) ? DONE[q["done"]]! : null;
  return show(c, "Agenda", html`${done ? notice(q["done"] === "stale" ? "error" : "ok", done) : ""}
<section class="card" aria-labelledby="invitations">
  <h2 id="invitations">Invitations</h2>
  ${invs.length === 0
    ? html`<p class="muted">No invitations are waiting for your answer.</p>`
    : html`<p class="hint">Your answer goes to the organizer, as if you had answered in your calendar app.</p><ul class="invitations">${invs.map((i) => invitationView(i, c.var.csrf))}</ul>`}
</section>
<section class="card" aria-labelledby="coming">
  <h2 id="coming">${days} days from ${shortDay.format(asUtcDate(first))} <span class="muted small">(${a.zone})</span></h2>
  <nav class="actions" aria-label="Agenda pages">${link(shiftDate(first, -days), "← Earlier", "prev")}${link(null, "Today")}${link(shiftDate(first, days), "Later →", "next")}</nav>
  ${daysView(a.days)}
  ${a.skipped.length
    ? html`<p class="hint">Not shown, too many repetitions to list: ${a.skipped.map((s, i) => html`${i ? ", " : ""}${s.summary}`)}.</p>`
    : ""}
  ${a.truncated ? html`<p class="hint">Some events are left out: show fewer days.</p>` : ""}
</section>
<section class="card" aria-labelledby="tz">
  <h2 id="tz">Timezone</h2>
  ${zoneForm(a.zone, c.var.csrf)}
</section>`);
});

agendaPage.post("/agenda/answer", async (c) => {
  const answer = field(c, "answer", 20);
  if (!isAnswer(answer)) throw badRequest("choose Accept, Tentative or Decline");
  try {
    await answerInvitation(c.env, c.var.user, { collection: field(c, "collection", 255), name: field(c, "name", 1024), etag: field(c, "etag", 200), answer });
  } catch (e) {
    if (e instanceof DavError && (e.status === 412 || e.status === 404)) return c.redirect(`${PAGE}?done=stale`, 303);
    throw e;
  }
  return c.redirect(`${PAGE}?done=${answer}`, 303);
});

agendaPage.post("/agenda/timezone", async (c) => {
  const zone = knownZoneName(field(c, "zone", 64));
  if (!zone) throw badRequest("choose a timezone from the list");
  await setTimezone(c.env, c.var.user, zone);
  return c.redirect(`${PAGE}?done=timezone`, 303);
});
