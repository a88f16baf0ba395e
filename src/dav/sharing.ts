// POST of the CalendarServer sharing extension (calendarserver-sharing):
// CS:share to one of the owner's calendars invites, changes or removes
// sharees and tells each in its notification collection; CS:invite-reply
// to the sharee's home accepts (the calendar appears there, CS:shared-as) or
// declines. Who is who comes from the login and the stored invitations, never
// from the body; the owner's home is the authority (home/sharing.ts).
import { needPrivileges } from "../core/acl.js";
import { mapLimit } from "../core/async.js";
import { badRequest, DavError, notFound, unwrap } from "../core/errors.js";
import type { Principal } from "../core/model.js";
import { hrefs, locate, locateHref, type Locator } from "../core/paths.js";
import type { SharedFrom } from "../core/sharing/model.js";
import { isInviteReply, isShareRequest, parseInviteReply, parseShare } from "../core/sharing/requests.js";
import { inviteNotification, sharedAs } from "../core/sharing/xml.js";
import { parseXml } from "../core/xml/parse.js";
import { dav } from "../core/xml/names.js";
import type { ShareOp } from "../home/sharing.js";
import { xmlResponse } from "../http/render.js";
import { bodyText, type DavContext, type DavRequest } from "./context.js";
import { resolve } from "./resolve.js";

const XML_TYPES = /^(application|text)\/([a-z.+-]*\+)?xml\s*(;|$)/i;

/** A POST with an XML body to a calendar or a home is a sharing request (the outbox takes iCalendar). */
export const isSharingPost = (loc: Locator, req: DavRequest): boolean =>
  (loc.kind === "home" || loc.kind === "collection") && XML_TYPES.test(req.headers.get("content-type") ?? "");

export async function sharingPost(req: DavRequest, ctx: DavContext): Promise<Response> {
  const doc = parseXml(bodyText(req));
  const loc = locate(req.url.pathname);
  if (isShareRequest(doc)) return share(loc, doc, ctx, req.url);
  if (isInviteReply(doc)) return inviteReply(loc, doc, ctx, req.url);
  throw badRequest(`POST of ${doc.name} is not supported here`);
}

/** A principal named by an href: a calendar-user address, or a principal URL of this server (a sharee, a delegate). */
export async function shareeOf(href: string, ctx: DavContext, base: URL): Promise<Principal | null> {
  if (/^mailto:/i.test(href)) return ctx.directory.principalByAddress(href);
  const loc = locateHref(href, base);
  return loc.kind === "principal" ? ctx.principal(loc.user) : null;
}

async function share(loc: Locator, doc: ReturnType<typeof parseXml>, ctx: DavContext, base: URL): Promise<Response> {
  const r = await resolve(loc, ctx);
  // Only the owner shares its own calendars; a sharee cannot share further.
  if (r.kind !== "calendar" || r.collection.shared || r.owner.id !== ctx.user.id) throw needPrivileges(r.href, dav("share"));
  const changes = parseShare(doc);
  const ops: ShareOp[] = [];
  for (const c of changes) {
    const who = await shareeOf(c.href, ctx, base);
    // Unknown addresses are left out (as sabre/dav does); the owner is never its own sharee.
    if (!who || who.id === ctx.user.id) continue;
    ops.push(c.op === "set" ? { op: "set", sharee: who.id, access: c.access, summary: c.summary } : { op: "remove", sharee: who.id });
  }
  const done = unwrap(await ctx.home(ctx.user.id).share(r.collection.name, ops));
  const now = Date.now();
  const owner = { id: ctx.user.id, displayName: ctx.user.displayName };
  // The invitations are committed; telling the sharees is best effort (a pending one is told again by the next CS:set).
  await mapLimit([...done.set.filter((i) => i.status === "pending").map((i) => ({ i, deleted: false })), ...done.removed.map((i) => ({ i, deleted: true }))], 6, async ({ i, deleted }) => {
    const home = ctx.home(i.sharee);
    const body = inviteNotification({ uid: i.uid, sharee: i.sharee, owner, calendar: r.collection.name, access: i.access, summary: i.summary || done.displayName, components: done.components }, now);
    try {
      await (deleted ? home.unmountShare(ctx.user.id, r.collection.name, i.uid) : home.notify({ uid: i.uid, type: "invite-notification", body }));
    } catch (e) {
      console.error(`sharing: could not tell ${i.sharee}: ${(e as Error).message}`);
    }
  });
  return new Response(null, { status: 200 });
}

async function inviteReply(loc: Locator, doc: ReturnType<typeof parseXml>, ctx: DavContext, base: URL): Promise<Response> {
  if (loc.kind !== "home") throw badRequest("CS:invite-reply is posted to the calendar home");
  if (loc.user !== ctx.user.id) throw notFound();
  const reply = parseInviteReply(doc);
  const host = locateHref(reply.hostUrl, base);
  if (host.kind !== "collection" || host.user === ctx.user.id) throw new DavError(404, { description: "no such invitation" });
  const invite = unwrap(await ctx.home(host.user).answerShare(host.collection, ctx.user.id, reply.inReplyTo, reply.accept));
  const mine = ctx.home(ctx.user.id);
  if (!reply.accept) {
    await mine.unmountShare(host.user, host.collection, invite.uid);
    return new Response(null, { status: 200 });
  }
  const name = await mine.mountShare(host.user, host.collection, invite.uid);
  return xmlResponse(200, sharedAs(hrefs.collection(ctx.user.id, name)));
}

/** The sharee removes a shared calendar from its home: its invitation is declined, the owner's calendar stays. */
export async function leaveShare(ctx: DavContext, s: SharedFrom): Promise<void> {
  await ctx.home(s.owner).answerShare(s.calendar, ctx.user.id, "", false);
  await ctx.home(ctx.user.id).unmountShare(s.owner, s.calendar, "");
}
