// DELETE (RFC 4918 section 9.6) of a calendar object or a whole calendar
// collection with all its objects, each sending the scheduling messages its
// removal calls for (RFC 6638 §3.2.1.3, §3.2.2.4); bodies are collected by
// the home's alarm.
import { needPrivileges, requirePrivilege } from "../core/acl.js";
import { mapLimit } from "../core/async.js";
import { checkConditions, checkScheduleTag, parseEtagList } from "../core/conditional.js";
import { DavError, notFound, unwrap } from "../core/errors.js";
import { hrefs, locate } from "../core/paths.js";
import { dav } from "../core/xml/names.js";
import type { DavContext, DavRequest } from "./context.js";
import { resolve } from "./resolve.js";
import { planWrite } from "./implicit.js";
import { MAX_REPLANS } from "./put.js";
import { RETRY_HEADER } from "../home/writes.js";
import { packJobs } from "../core/itip-job.js";
import { NOTIFICATIONS } from "../core/sharing/model.js";
import { mountIn, ownTarget, schedulerOf, sharedTarget } from "./shared.js";
import { parseSnapshot } from "../core/schedule/snapshot.js";
import { leaveShare } from "./sharing.js";
import { delegateTarget } from "./delegated.js";

export async function del(req: DavRequest, ctx: DavContext): Promise<Response> {
  const loc = locate(req.url.pathname);
  const ifMatch = parseEtagList(req.headers.get("if-match"));
  if (loc.kind === "object" && loc.user === ctx.user.id && loc.collection === NOTIFICATIONS) {
    if (!(await ctx.home(ctx.user.id).deleteNotification(loc.name))) throw notFound();
    return new Response(null, { status: 204 });
  }
  if (loc.kind === "object") {
    // The user's own home, or (once its home names the calendar as shared with it) the owner's home: dav/shared.ts;
    // another's home as its delegate (dav/delegated.ts; anyone else 404s there).
    let target = loc.user === ctx.user.id ? ownTarget(ctx, loc.collection) : await delegateTarget(ctx, loc.user, loc.collection, req.url.pathname);
    let fastNext = true;
    // Schedule-Reply: F asks the server not to reply for the attendee (RFC 6638 §8.1).
    const scheduleReply = (req.headers.get("schedule-reply") ?? "T").trim().toUpperCase() !== "F";
    const ifScheduleTagMatch = parseEtagList(req.headers.get("if-schedule-tag-match"));
    for (let attempt = 0; attempt < MAX_REPLANS; attempt++) {
      // First try in one round trip; the home asks for a plan if the object is a scheduling object.
      const fast = fastNext;
      fastNext = false;
      const stored = fast ? null : await target.home.object(target.collection, loc.name, target.asSharee?.id, target.asDelegate?.id);
      if (stored) {
        checkConditions(stored.object.etag, { ifMatch });
        checkScheduleTag(stored.object.scheduleTag, ifScheduleTagMatch);
      }
      // The owner schedules, or a read-write sharee that organizes the meeting as itself (dav/shared.ts).
      const by = stored?.snapshot ? await schedulerOf(target, parseSnapshot(stored.snapshot), null, ctx.user) : undefined;
      const plan = by && stored && stored.collection.kind === "calendar" ? await planWrite(ctx, await by.principal(), stored, null, { scheduleReply, hosted: by.hosted }) : undefined;
      const result = await target.home.deleteObject(
        {
          collection: target.collection,
          asSharee: target.asSharee,
          asDelegate: target.asDelegate,
          name: loc.name,
          ifMatch,
          ifScheduleTagMatch,
          ...(fast ? { plainOnly: true } : { expectEtag: stored?.object.etag ?? null }),
        },
        packJobs(plan?.jobs ?? []),
      );
      if (!result.ok && result.error.headers[RETRY_HEADER]) continue;
      const mount = !result.ok && !target.asSharee && !target.asDelegate ? mountIn(result.error) : undefined;
      if (mount) {
        target = sharedTarget(ctx, mount, req.url.pathname);
        fastNext = true;
        continue;
      }
      unwrap(result);
      return new Response(null, { status: 204 });
    }
    throw new DavError(503, { description: "the resource keeps changing; try again", headers: { "Retry-After": "1" } });
  }
  const r = await resolve(loc, ctx);
  // A sharee deleting a calendar shared with it leaves it: the owner's calendar stays (calendarserver-sharing).
  if (r.kind === "calendar" && r.collection.shared) {
    await leaveShare(ctx, r.collection.shared);
    return new Response(null, { status: 204 });
  }
  requirePrivilege(ctx.user, r, dav("unbind"));
  // A delegate writes in the boss's calendars, never removes one (unbind is the home's, and the home is read-only to it).
  if ("owner" in r && r.owner.id !== ctx.user.id) throw needPrivileges(hrefs.home(r.owner.id), dav("unbind"));
  if (r.kind !== "calendar" && r.kind !== "inbox" && r.kind !== "outbox")
    throw new DavError(403, { description: `a ${r.kind} cannot be deleted` });
  await deleteCalendar(ctx, r.collection.name, (req.headers.get("schedule-reply") ?? "T").trim().toUpperCase() !== "F");
  return new Response(null, { status: 204 });
}

/** Scheduling objects planned at once when a calendar goes: each body read is a round trip. */
const PLAN_CONCURRENCY = 6;

/**
 * Deleting a calendar deletes every object in it, and so sends what deleting each scheduling object would:
 * CANCELs from the Organizer (RFC 6638 §3.2.1.3), a REPLY with DECLINED from an Attendee (§3.2.2.4, unless
 * "Schedule-Reply: F"). Planned against the objects' ETags and committed with the deletion.
 */
async function deleteCalendar(ctx: DavContext, name: string, scheduleReply: boolean): Promise<void> {
  const home = ctx.home(ctx.user.id);
  for (let attempt = 0; attempt < MAX_REPLANS; attempt++) {
    const objects = await home.schedulingObjects(name);
    const plans = await mapLimit(objects, PLAN_CONCURRENCY, (stored) => planWrite(ctx, ctx.user, stored, null, { scheduleReply }));
    const expect = Object.fromEntries(objects.map((o) => [o.object.name, o.object.etag]));
    const result = await home.deleteCollection(name, packJobs(plans.flatMap((p) => p.jobs)), expect);
    if (!result.ok && result.error.headers[RETRY_HEADER]) continue;
    unwrap(result);
    return;
  }
  throw new DavError(503, { description: "the calendar keeps changing; try again", headers: { "Retry-After": "1" } });
}
