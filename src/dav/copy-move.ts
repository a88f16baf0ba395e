// COPY and MOVE (RFC 4918 sections 9.8, 9.9) of calendar objects between
// calendars of one home, and MOVE (rename) of a calendar collection. The
// CalDAV UID and location rules are checked by the home in one transaction.
import { parseEtagList } from "../core/conditional.js";
import { badRequest, C, DavError, precondition, unwrap } from "../core/errors.js";
import { locate } from "../core/paths.js";
import type { DavContext, DavRequest } from "./context.js";
import { mountIn } from "./shared.js";

export async function copyMove(req: DavRequest, ctx: DavContext): Promise<Response> {
  const move = req.method === "MOVE";
  const from = locate(req.url.pathname);
  const destination = req.headers.get("destination");
  if (!destination) throw badRequest("Destination header required");
  let destUrl: URL;
  try {
    destUrl = new URL(destination, req.url);
  } catch {
    throw badRequest("Destination is not a URL");
  }
  if (destUrl.host !== req.url.host) throw new DavError(502, { description: "Destination is on another server" });
  const to = locate(destUrl.pathname);
  const overwriteHeader = (req.headers.get("overwrite") ?? "T").trim().toUpperCase();
  if (overwriteHeader !== "T" && overwriteHeader !== "F") throw badRequest("Overwrite must be T or F");

  const own = (l: typeof from) => (l.kind === "object" || l.kind === "collection") && l.user === ctx.user.id;
  if (!own(from)) throw new DavError(from.kind === "none" ? 404 : 403, { description: "only objects and calendars of your own home can be copied or moved" });
  if (!own(to)) throw new DavError(403, { description: "the destination must be in your own calendar home" });
  if (from.kind === "collection" && to.kind === "object")
    throw precondition(403, C.calendarCollectionLocationOk, "a calendar cannot be placed inside another collection");
  if (from.kind !== to.kind) throw new DavError(403, { description: "cannot copy between objects and collections" });

  const done = await ctx.home(ctx.user.id).copyMove({
      from: { collection: (from as { collection: string }).collection, name: from.kind === "object" ? from.name : undefined },
      to: { collection: (to as { collection: string }).collection, name: to.kind === "object" ? to.name : undefined },
      move,
      overwrite: overwriteHeader === "T",
      ifMatch: parseEtagList(req.headers.get("if-match")),
      ifScheduleTagMatch: parseEtagList(req.headers.get("if-schedule-tag-match")),
    });
  // A calendar shared with the user lives in its owner's home: nothing is copied or moved across homes.
  if (!done.ok && mountIn(done.error)) throw new DavError(403, { description: "objects cannot be copied or moved into or out of a shared calendar" });
  const result = unwrap(done);
  const headers: Record<string, string> = result.scheduleTag ? { "Schedule-Tag": `"${result.scheduleTag}"` } : {};
  return new Response(null, { status: result.created ? 201 : 204, headers });
}
