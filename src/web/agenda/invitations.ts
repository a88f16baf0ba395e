// The web page's invitations (issue 11 item 7): the scheduling copies in the
// person's calendars that wait for their answer (RFC 6638 §3.2.2: the copy,
// not the inbox message, holds their PARTSTAT), and Accept / Tentative /
// Decline. An answer changes the person's PARTSTAT in their copy and stores
// it through the PUT path (dav/put.ts storeObject: validation, implicit
// scheduling, Schedule-Tag), conditional on the ETag the page showed, so
// the REPLY reaches the organizer exactly as after a client's PUT and a copy
// changed meanwhile (a reschedule) is never overwritten: 412, look again.
// The whole series is answered; per-instance answers are for clients.
// Inbox items are left as they are: the inbox keeps every message (RFC 6638
// §2.2) for the person's clients, which remove what they have processed.
import ICAL from "ical.js";
import { localTime } from "../../core/agenda/agenda.js";
import { ANSWERS, withAnswer, type Answer, type Pending } from "../../core/agenda/answer.js";
import { badRequest, forbidden, notFound, preconditionFailed } from "../../core/errors.js";
import { parseStoredOrNothing } from "../../core/ical/parse.js";
import { icalTimeToUtcMs } from "../../core/ical/time.js";
import type { Principal } from "../../core/model.js";
import { hrefs } from "../../core/paths.js";
import { isRecurring } from "../../core/query/instances.js";
import { ownAttendeeAddress, parseSnapshot, roleOf } from "../../core/schedule/index.js";
import { DavContext } from "../../dav/context.js";
import { readBodies, readBody } from "../../dav/get.js";
import { storeObject } from "../../dav/put.js";
import { zoneOf } from "./agenda.js";

/** Invitations one page lists at most (soonest first). */
export const MAX_INVITATIONS = 50;

export interface Invitation {
  href: string;
  /** What an answer names: the copy and the ETag it was shown at. */
  collection: string;
  name: string;
  etag: string;
  uid: string;
  summary: string;
  location: string;
  organizer: { address: string; name: string };
  /** ms UTC of DTSTART (the first instance), null when it has none. */
  start: number | null;
  /** Wall-clock "YYYY-MM-DDTHH:MM" in the person's zone, or the date "YYYY-MM-DD" of an all-day event. */
  startLocal: string;
  allDay: boolean;
  recurring: boolean;
  pending: Pending;
}

const textOf = (c: ICAL.Component | undefined, name: string): string => {
  const v = c?.getFirstPropertyValue(name);
  return typeof v === "string" ? v : "";
};

/** Invitations waiting for the person's answer that have not ended, in the zone named (an IANA name). */
export async function invitations(env: Env, user: Principal, zoneName: string, now = Date.now()): Promise<Invitation[]> {
  const ctx = new DavContext(env, user);
  const zone = zoneOf(zoneName);
  const copies = await ctx.home(user.id).invitations(user.addresses, now, MAX_INVITATIONS);
  const bodies = await readBodies(ctx, user.id, copies.map((c) => c.object));
  return copies.flatMap((c, i) => {
    const obj = parseStoredOrNothing(bodies[i]!.text);
    const main = obj?.master ?? obj?.overrides[0];
    if (!obj || !main) return [];
    const comp = main.comp;
    const org = comp.getFirstProperty("organizer");
    const t = main.dtstart;
    const allDay = t?.isDate ?? false;
    const start = t ? icalTimeToUtcMs(t, zone) : null; // floating and DATE values in the person's zone
    return [{
      href: hrefs.object(user.id, c.object.collection, c.object.name),
      collection: c.object.collection,
      name: c.object.name,
      etag: bodies[i]!.object.etag,
      uid: obj.uid,
      summary: textOf(comp, "summary"),
      location: textOf(comp, "location"),
      organizer: { address: String(org?.getFirstValue() ?? "").replace(/^mailto:/i, ""), name: String(org?.getParameter("cn") ?? "") },
      start,
      startLocal: !t ? "" : allDay ? t.toString() : localTime(start!, zone),
      allDay,
      recurring: obj.master ? isRecurring(obj.master) : false,
      pending: c.pending,
    }];
  });
}

export interface AnswerRequest {
  collection: string;
  name: string;
  /** The ETag the page showed (without quotes): the answer is stored only if the copy is still that one. */
  etag: string;
  answer: Answer;
}

/** Answers an invitation for the whole series; returns the new ETag. 404 gone, 412 changed meanwhile, 403 not an attendee. */
export async function answerInvitation(env: Env, user: Principal, req: AnswerRequest): Promise<{ etag: string }> {
  if (!req.collection || !req.name || req.collection.length > 255 || req.name.length > 1024 || !/^[^"]{1,200}$/.test(req.etag))
    throw badRequest("which invitation?");
  const ctx = new DavContext(env, user);
  const stored = await ctx.home(user.id).object(req.collection, req.name);
  if (!stored) throw notFound("the invitation is gone");
  if (stored.object.etag !== req.etag) throw preconditionFailed("the invitation changed since the page showed it; look at it again");
  const snap = parseSnapshot(stored.snapshot);
  const me = snap && roleOf(snap, user.addresses) === "attendee" ? ownAttendeeAddress(snap, user.addresses) : null;
  if (!me) throw forbidden("you are not an attendee of this event");
  const { text } = await readBody(ctx, user.id, stored.object);
  const next = withAnswer(text, me, ANSWERS[req.answer]);
  const done = await storeObject(ctx, { collection: req.collection, name: req.name }, new TextEncoder().encode(next), { ifMatch: [`"${req.etag}"`] });
  return { etag: done.etag };
}
