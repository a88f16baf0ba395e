// DELETE (RFC 4918 section 9.6) of a calendar object or a whole calendar
// collection with all its objects; bodies are collected by the home's alarm.
import { requirePrivilege } from "../core/acl.js";
import { parseEtagList } from "../core/conditional.js";
import { DavError, unwrap } from "../core/errors.js";
import { locate } from "../core/paths.js";
import { dav } from "../core/xml/names.js";
import type { DavContext, DavRequest } from "./context.js";
import { resolve } from "./resolve.js";

export async function del(req: DavRequest, ctx: DavContext): Promise<Response> {
  const loc = locate(req.url.pathname);
  const ifMatch = parseEtagList(req.headers.get("if-match"));
  if (loc.kind === "object" && loc.user === ctx.user.id) {
    unwrap(await ctx.home(ctx.user.id).deleteObject(loc.collection, loc.name, ifMatch));
    return new Response(null, { status: 204 });
  }
  const r = await resolve(loc, ctx);
  requirePrivilege(ctx.user, r, dav("unbind"));
  if (r.kind !== "calendar" && r.kind !== "inbox" && r.kind !== "outbox")
    throw new DavError(403, { description: `a ${r.kind} cannot be deleted` });
  unwrap(await ctx.home(r.owner.id).deleteCollection(r.collection.name));
  return new Response(null, { status: 204 });
}
