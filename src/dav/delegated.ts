// The delegator's home seen by a delegate at the delegator's own URLs
// (calendar-proxy): /calendars/<boss>/... The boss's home decides on each
// request, in the same call that reads, whether the requester is in one of
// its proxy groups and with what access (home/delegation.ts); strangers get
// 404. A delegate sees the boss's calendars only: not its inbox, outbox,
// notifications or the calendars others share with the boss. Writes go to
// the boss's home as the delegate, and scheduling is the boss's, sent by the
// delegate (SENT-BY, RFC 5545 §3.2.18; dav/shared.ts does the same for sharees).
import { notFound, unwrap } from "../core/errors.js";
import type { Principal } from "../core/model.js";
import { hrefs } from "../core/paths.js";
import type { Resource } from "../core/props/types.js";
import type { ViewOp, ViewResult } from "../home/view.js";
import type { DavContext } from "./context.js";
import type { WriteTarget } from "./shared.js";

export async function delegatedHome(ctx: DavContext, owner: Principal): Promise<Resource> {
  const v = unwrap(await ctx.home(owner.id).delegateSnapshot(ctx.user.id));
  return { kind: "home", href: hrefs.home(owner.id), owner, home: v.home, collections: v.collections, mounts: [], proxy: v.access };
}

export async function delegatedCollection(ctx: DavContext, owner: Principal, name: string, op: ViewOp): Promise<{ resource: Resource; result: ViewResult }> {
  const v = unwrap(await ctx.home(owner.id).delegateView(name, op, ctx.user.id));
  if (!v.collection) throw notFound();
  const resource: Resource = { kind: "calendar", href: hrefs.collection(owner.id, name), owner, home: v.home, collection: v.collection, siblings: v.collections };
  return { resource, result: v.result };
}

export async function delegatedObject(ctx: DavContext, owner: Principal, collection: string, name: string): Promise<Resource> {
  const found = unwrap(await ctx.home(owner.id).delegateObject(collection, name, ctx.user.id));
  if (!found) throw notFound();
  return { kind: "object", href: hrefs.object(owner.id, collection, name), owner, collection: found.collection, object: found.object };
}

/**
 * The boss's home, written to by a delegate (the boss's home checks the proxy groups in the write's transaction).
 * The boss must be a principal (404 otherwise): no home is ever made for a name nobody holds.
 */
export async function delegateTarget(ctx: DavContext, boss: string, collection: string, href: string): Promise<WriteTarget> {
  const who = await ctx.principalOrThrow(boss);
  return { home: ctx.home(who.id), collection, organizer: async () => who, asDelegate: { id: ctx.user.id, href } };
}
