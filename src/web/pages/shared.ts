// Calendars others share with the user (calendarserver-sharing, README
// "Sharing"), shown on the calendars page: invitations waiting in the
// notification collection with Accept and Decline (the CS:invite-reply POST
// to the home that Apple Calendar sends), and the accepted calendars, marked
// with their owner and access, with Leave (a DELETE of the calendar in the
// user's home, which leaves it and keeps the owner's). The invitation
// answered is the one stored in the user's home, never what the form says
// beyond its id.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { hrefs } from "../../core/paths.js";
import { inviteReplyRequest } from "../../core/sharing/requests.js";
import type { InviteNotificationInfo } from "../../core/sharing/xml.js";
import { homeOverview } from "../calendars.js";
import { csrfField, field } from "../csrf.js";
import { davRequest } from "../dav.js";
import type { WebEnv } from "../env.js";
import { type Html, notFoundPage, notice, show, swatch } from "../layout.js";
import { webPath } from "../paths.js";
import { ACCESS, INVITATIONS_SHOWN, type SharedCalendar } from "../sharing.js";

const CALENDARS = webPath("calendars");
const ANSWERS = { accept: true, decline: false } as const;

/** What the calendars page says after an answer or a leave. */
export const SHARED_DONE: Record<string, string> = {
  accepted: "Accepted: the calendar is listed under “Shared with you” and appears in your calendar apps at their next sync.",
  declined: "Declined.",
  left: "You left the calendar. Its owner still has it.",
};

function invitation(csrf: string, n: InviteNotificationInfo): Html {
  const what = n.summary || "a calendar";
  return html`<li class="invitation">
  <h3>${what}</h3>
  <p>${n.ownerName} shares it with you: ${ACCESS[n.access].toLowerCase()}.</p>
  <form class="actions" method="post" action="${webPath("shared/reply")}">${csrfField(csrf)}
    <input type="hidden" name="uid" value="${n.uid}">
    <button type="submit" name="answer" value="accept">Accept<span class="visually-hidden"> ${what}</span></button>
    <button class="secondary" type="submit" name="answer" value="decline">Decline<span class="visually-hidden"> ${what}</span></button>
  </form></li>`;
}

function sharedRow(csrf: string, s: SharedCalendar): Html {
  return html`<tr>
    <td data-label="Name">${swatch(s.color)}<strong>${s.displayName}</strong><br><span class="muted">shared by ${s.owner.name}</span></td>
    <td data-label="Access">${ACCESS[s.access]}</td>
    <td><form class="inline" method="post" action="${webPath(`shared/${encodeURIComponent(s.name)}/leave`)}">${csrfField(csrf)}
      <button class="secondary" type="submit">Leave<span class="visually-hidden"> ${s.displayName}</span></button></form></td>
  </tr>`;
}

/** The calendars page's invitations to shared calendars (nothing when none waits). */
export function invitationsSection(csrf: string, invitations: InviteNotificationInfo[]): Html | string {
  return invitations.length
    ? html`<div class="card"><h2>Invitations to shared calendars</h2><ul class="invitations">${invitations.map((n) => invitation(csrf, n))}</ul></div>`
    : "";
}

/** The calendars page's list of calendars shared with the user. */
export function sharedSection(csrf: string, shared: SharedCalendar[]): Html {
  const list = shared.length
    ? html`<table class="stack">
        <thead><tr><th scope="col">Name</th><th scope="col">Access</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${shared.map((s) => sharedRow(csrf, s))}</tbody></table>`
    : html`<p class="muted">No one shares a calendar with you.</p>`;
  return html`<div class="card"><h2>Shared with you</h2>${list}</div>`;
}

const backLink = html`<p><a href="${CALENDARS}">Back to calendars</a></p>`;
const refused = (c: Context<WebEnv>, text: string, status: 400 | 404 | 409) => show(c, "Calendars and task lists", html`${notice("error", text)}${backLink}`, status);

export const shared = new Hono<WebEnv>();

/** Accepts or declines an invitation waiting in the user's notification collection. */
shared.post("/shared/reply", async (c) => {
  const uid = field(c, "uid", 128);
  const answer = field(c, "answer", 10);
  if (!Object.hasOwn(ANSWERS, answer)) return refused(c, "Choose Accept or Decline.", 400);
  const n = (await homeOverview(c, INVITATIONS_SHOWN)).invitations.find((x) => x.uid === uid);
  if (!n) return refused(c, "This invitation is no longer there: it was answered or withdrawn.", 404);
  const me = c.var.user;
  const accept = ANSWERS[answer as keyof typeof ANSWERS];
  const body = inviteReplyRequest(me.addresses[0] ?? hrefs.principal(me.id), { accept, hostUrl: n.hostUrl, inReplyTo: n.uid, summary: n.summary });
  const r = await davRequest(c, "POST", hrefs.home(me.id), body);
  if (!r.ok) return refused(c, `Not answered: ${r.problem}.`, 409);
  return c.redirect(`${CALENDARS}?done=${accept ? "accepted" : "declined"}`, 303);
});

/** Leaves a calendar shared with the user: the DELETE a client sends for it. */
shared.post("/shared/:name/leave", async (c) => {
  const name = c.req.param("name");
  const { mounts } = await homeOverview(c);
  if (!mounts.some((m) => m.name === name)) return notFoundPage(c);
  const r = await davRequest(c, "DELETE", hrefs.collection(c.var.user.id, name));
  if (!r.ok) return refused(c, `Not left: ${r.problem}.`, 409);
  return c.redirect(`${CALENDARS}?done=left`, 303);
});
