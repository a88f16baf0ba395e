// The RSVP page (issue 12 item 4): an outside attendee follows the Accept,
// Tentative or Decline link of an e-mailed invitation (core/imip/rsvp.ts),
// sees the event, confirms, and the answer is queued as a REPLY from that
// attendee (RFC 5546 §3.2.3) for the same delivery as any other
// (src/delivery.ts). No sign-in: the signed link is the permission, for
// that event and attendee only, once, until it expires. A GET changes
// nothing (mail scanners follow links); only the confirming POST does.
import { Hono } from "hono";
import { checkRsvp, RSVP_ANSWERS, rsvpReply, type RsvpAnswer, type RsvpClaim } from "../core/imip/rsvp.js";
import { escapeHtml } from "../core/imip/render.js";
import { label, viewOf, type EventView } from "../core/imip/view.js";
import type { ItipJob } from "../core/itip-job.js";
import { parseItip } from "../core/schedule/itip.js";
import { directoryStub, homeStub } from "../bindings.js";
import { askHosts } from "../delivery.js";
import type { Principal } from "../core/model.js";

export const rsvp = new Hono<{ Bindings: Env }>();

const WORDS: Record<RsvpAnswer, string> = { accept: "Accept", tentative: "Maybe", decline: "Decline" };

function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>`
    + `<body style="font-family:sans-serif;max-width:40em;margin:2em auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      // Nothing but this page's own form; the link (its token) is not passed on to anyone.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

const sorry = (status: number, what: string) => page(status, "This link cannot be used", `<p>${escapeHtml(what)} Nothing was changed.</p>`);

type Found = { claim: RsvpClaim; view: EventView; copy: string; home: string } | Response;

/** The claim of a token, the organizer's copy it answers, and whether it can still be used; a page saying why not. */
async function find(env: Env, token: string): Promise<Found> {
  const secret = env.IMIP_SECRET?.trim();
  if (!secret) return sorry(404, "Answering by link is not set up here.");
  const check = await checkRsvp(secret, token, Date.now());
  if (!check.ok) return check.why === "expired" ? sorry(410, "This link has expired.") : sorry(404, "This link is not valid.");
  const { claim } = check;
  const organizer = await directoryStub(env).principalByAddress(claim.organizer);
  const copy = organizer ? await organizerCopy(env, organizer, claim.uid) : null;
  if (!organizer || !copy) return sorry(404, "This event no longer exists.");
  try {
    rsvpReply(copy, claim.attendee, "NEEDS-ACTION", Date.now());
  } catch {
    return sorry(404, "You are no longer invited to this event.");
  }
  const view = viewOf(copy);
  if (!(await homeStub(env, organizer.id).useRsvp(claim.id, true))) return sorry(410, "This link was already used to answer.");
  return { claim, view, copy, home: organizer.id };
}

/** The organizer's copy: in its own home, or one it keeps in a calendar shared with it (home/hosted.ts). */
async function organizerCopy(env: Env, organizer: Principal, uid: string): Promise<string | null> {
  const home = homeStub(env, organizer.id);
  const own = await home.schedulingCopy(uid);
  if (own !== null) return own;
  return (await askHosts(env, await home.hosts(), (host) => host.hostedCopy(uid, organizer), (copy) => copy !== null)) ?? null;
}

const answerOf = (raw: string | undefined): RsvpAnswer | null => (raw && raw in RSVP_ANSWERS ? (raw as RsvpAnswer) : null);

rsvp.get("/:token", async (c) => {
  const found = await find(c.env, c.req.param("token"));
  if (found instanceof Response) return found;
  const answer = answerOf(c.req.query("answer")) ?? "accept";
  const { view, claim } = found;
  const rows: Array<[string, string]> = [["What", view.summary], ["When", view.when], ...(view.location ? [["Where", view.location] as [string, string]] : []), ["Organizer", label(view.organizer)]];
  const buttons = (Object.keys(RSVP_ANSWERS) as RsvpAnswer[])
    .map((a) => `<button type="submit" name="answer" value="${a}"${a === answer ? " autofocus" : ""}>${WORDS[a]}</button>`).join(" ");
  return page(200, view.summary, [
    `<p>Answer for ${escapeHtml(claim.attendee.replace(/^mailto:/, ""))}:</p>`,
    "<table>", ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`), "</table>",
    `<form method="post"><p>${buttons}</p></form>`,
  ].join(""));
});

rsvp.post("/:token", async (c) => {
  const found = await find(c.env, c.req.param("token"));
  if (found instanceof Response) return found;
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const answer = answerOf(typeof form["answer"] === "string" ? form["answer"] : undefined);
  if (!answer) return sorry(400, "No answer was chosen.");
  const { claim, copy, home, view } = found;
  if (!(await homeStub(c.env, home).useRsvp(claim.id))) return sorry(410, "This link was already used to answer.");
  const body = rsvpReply(copy, claim.attendee, RSVP_ANSWERS[answer], Date.now());
  const message = parseItip(body);
  const job: ItipJob = {
    id: `rsvp-${claim.id}`, fromHome: "", originator: claim.attendee, recipient: claim.organizer, method: "REPLY", uid: claim.uid,
    sequence: message.sequence, dtstamp: message.dtstamp, recurrenceIds: [""], body, created: Date.now(), via: "imip",
  };
  await c.env.ITIP_QUEUE.send(job, { contentType: "json" });
  console.log(`RSVP ${claim.id}: ${claim.attendee} answered ${RSVP_ANSWERS[answer]} to ${claim.uid}`);
  return page(200, "Thank you", `<p>Your answer (${escapeHtml(WORDS[answer])}) to “${escapeHtml(view.summary)}” was sent to the organizer.</p>`);
});
