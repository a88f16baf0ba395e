// DELETE (RFC 4918 section 9.6) of a calendar object or a whole calendar
// collection with all its objects; bodies are collected by the home's alarm.
import { requirePrivilege } from "../core/acl.js";
import { checkConditions, checkScheduleTag, parseEtagList } from "../core/conditional.js";
import { DavError, unwrap } from "../core/errors.js";
import { locate } from "../core/paths.js";
import { dav } from "../core/xml/names.js";
import type { DavContext, DavRequest } from "./context.js";
import { resolve } from "./resolve.js";
import { planWrite } from "./implicit.js";
import { MAX_REPLANS } from "./put.js";
import { RETRY_HEADER } from "../home/writes.js";
import { packJobs } from "../core/itip-job.js";

export async function del(req: DavRequest, ctx: DavContext): Promise<Response> {
  const loc = locate(req.url.pathname);
  const ifMatch = parseEtagList(req.headers.get("if-match"));
  if (loc.kind === "object" && loc.user === ctx.user.id) {
    const home = ctx.home(ctx.user.id);
    // Schedule-Reply: F asks the server not to reply for the attendee (RFC 6638 §8.1).
    const scheduleReply = (req.headers.get("schedule-reply") ?? "T").trim().toUpperCase() !== "F";
    const ifScheduleTagMatch = parseEtagList(req.headers.get("if-schedule-tag-match"));
    for (let attempt = 0; attempt < MAX_REPLANS; attempt++) {
      // First try in one round trip; the home asks for a plan if the object is a scheduling object.
      const fast = attempt === 0;
      const stored = fast ? null : await home.object(loc.collection, loc.name);
      if (stored) {
        checkConditions(stored.object.etag, { ifMatch });
        checkScheduleTag(stored.object.scheduleTag, ifScheduleTagMatch);
      }
      const plan = stored?.snapshot && stored.collection.kind === "calendar" ? await planWrite(ctx, ctx.user, stored, null, { scheduleReply }) : undefined;
      const result = await home.deleteObject(
        {
          collection: loc.collection,
          name: loc.name,
          ifMatch,
          ifScheduleTagMatch,
          ...(fast ? { plainOnly: true } : { expectEtag: stored?.object.etag ?? null }),
        },
        packJobs(plan?.jobs ?? []),
      );
      if (!result.ok && result.error.headers[RETRY_HEADER]) continue;
      unwrap(result);
      return new Response(null, { status: 204 });
    }
    throw new DavError(503, { description: "the resource keeps changing; try again", headers: { "Retry-After": "1" } });
  }
  const r = await resolve(loc, ctx);
  requirePrivilege(ctx.user, r, dav("unbind"));
  if (r.kind !== "calendar" && r.kind !== "inbox" && r.kind !== "outbox")
    throw new DavError(403, { description: `a ${r.kind} cannot be deleted` });
  unwrap(await ctx.home(r.owner.id).deleteCollection(r.collection.name));
  return new Response(null, { status: 204 });
}
