// Resolves a locator to a resource with the data its properties need, and
// lists a collection's members for Depth: 1. Access is checked here, once:
// nobody sees inside another principal's calendar home (RFC 3744) except a
// sharee, through its own home, a calendar shared with it (dav/shared.ts:
// one more round trip, to the owner's home, which decides), and a delegate,
// at the owner's own URLs (dav/delegated.ts: the owner's home decides in the
// same call that reads).
import { requirePrivilege } from "../core/acl.js";
import { notFound, unwrap } from "../core/errors.js";
import type { ObjectInfo, PropMap } from "../core/model.js";
import type { ViewOp, ViewResult } from "../home/view.js";
import { hrefs, memberHref, type Locator } from "../core/paths.js";
import type { Resource } from "../core/props/types.js";
import { dav } from "../core/xml/names.js";
import type { DavContext } from "./context.js";
import { NOTIFICATIONS } from "../core/sharing/model.js";
import { mountedCalendars, notificationOf, notificationsOf, sharedCollection, sharedObject } from "./shared.js";
import { delegatedCollection, delegatedHome, delegatedObject } from "./delegated.js";
import type { Delegation } from "../core/delegation/model.js";

export async function resolve(loc: Locator, ctx: DavContext): Promise<Resource> {
  return (await resolveWith(loc, ctx, NONE)).resource;
}

const NONE: ViewOp = { kind: "none" };
const NOTHING: ViewResult = { kind: "none" };

/**
 * Resolves a locator and, for a collection, reads what `op` asks of its members in the same round trip to the
 * home (home/view.ts): a request on a collection is one call, whatever it reads. Other resources ignore `op`.
 */
export async function resolveWith(loc: Locator, ctx: DavContext, op: ViewOp): Promise<{ resource: Resource; result: ViewResult }> {
  const { resource, result } = loc.kind === "collection" ? await loadCollection(loc, ctx, op) : { resource: await load(loc, ctx), result: NOTHING };
  requirePrivilege(ctx.user, resource, dav("read"));
  return { resource, result };
}

async function loadCollection(loc: Extract<Locator, { kind: "collection" }>, ctx: DavContext, op: ViewOp): Promise<{ resource: Resource; result: ViewResult }> {
  const owner = await ctx.principalOrThrow(loc.user);
  // Anyone else is a delegate, or gets 404 (the owner's home says which); its answers are never kept.
  if (owner.id !== ctx.user.id) return delegatedCollection(ctx, owner, loc.collection, op);
  if (loc.collection === NOTIFICATIONS) return { resource: await notificationsOf(ctx), result: NOTHING };
  // Only the owner's own answers are kept (answer-cache.ts; everyone else returned above, decided afresh each time).
  // Read already when a kept answer for this request was found stale (answer-cache.ts): the same read, not asked twice.
  const read = ctx.takeView(owner.id, loc.collection, op) ?? unwrap(await ctx.home(owner.id).view(loc.collection, op));
  // Never so: a view asked without a stamp is always read (this narrows the type).
  if ("stillValid" in read) throw new Error("a view asked without a stamp answered still valid");
  const { stamp, ...v } = read;
  const collection = v.collection;
  if (collection) ctx.view = { home: owner.id, collection: loc.collection, op, stamp };
  if (!collection) {
    const mount = v.mounts.find((m) => m.name === loc.collection);
    if (mount) return sharedCollection(ctx, mount, op);
    throw notFound();
  }
  const resource: Resource = {
    kind: collection.kind, href: hrefs.collection(owner.id, collection.name), owner, home: v.home, collection, siblings: v.collections,
  };
  return { resource, result: v.result };
}

async function load(loc: Locator, ctx: DavContext): Promise<Resource> {
  switch (loc.kind) {
    case "root":
    case "principals":
    case "calendars":
      return { kind: loc.kind, href: hrefs[loc.kind]() };
    case "principal": {
      const principal = await ctx.principalOrThrow(loc.user);
      const { props, delegation } = await principalData(ctx, principal.id);
      return { kind: "principal", href: hrefs.principal(principal.id), principal, props, delegation };
    }
    case "proxy-group": {
      const principal = await ctx.principalOrThrow(loc.user);
      const { delegation } = await principalData(ctx, principal.id);
      return { kind: "proxy-group", href: hrefs.proxyGroup(principal.id, loc.group), principal, group: loc.group, members: delegation.groups[loc.group] };
    }
    case "home": {
      const owner = await ctx.principalOrThrow(loc.user);
      if (owner.id !== ctx.user.id) return delegatedHome(ctx, owner);
      const { home, collections, mounts } = await ctx.home(owner.id).snapshot();
      return { kind: "home", href: hrefs.home(owner.id), owner, home, collections, mounts };
    }
    case "collection":
      return (await loadCollection(loc, ctx, NONE)).resource;
    case "object": {
      const owner = await ctx.principalOrThrow(loc.user);
      if (owner.id !== ctx.user.id) return delegatedObject(ctx, owner, loc.collection, loc.name);
      if (loc.collection === NOTIFICATIONS) return notificationOf(ctx, loc.name);
      const found = await ctx.home(owner.id).objectOrMount(loc.collection, loc.name);
      if (!found) throw notFound();
      if ("mount" in found) return sharedObject(ctx, { name: loc.collection, ...found.mount }, loc.name);
      return { kind: "object", href: hrefs.object(owner.id, loc.collection, loc.name), owner, ...found };
    }
    case "none":
      throw notFound();
  }
}

/** A principal's own dead properties (to itself only) and its delegation (to anyone: principals are readable), in one call. */
async function principalData(ctx: DavContext, id: string): Promise<{ props: PropMap; delegation: Delegation }> {
  if (id !== ctx.user.id) return { props: {}, delegation: await ctx.home(id).delegation() };
  const snap = await ctx.home(id).snapshot();
  return { props: snap.principalProps, delegation: snap.delegation };
}

/** The members of a collection resource, for PROPFIND Depth: 1. */
export async function members(r: Resource, ctx: DavContext): Promise<Resource[]> {
  switch (r.kind) {
    case "root":
      return [
        { kind: "principals", href: hrefs.principals() },
        { kind: "calendars", href: hrefs.calendars() },
      ];
    case "principals": {
      const all = await ctx.directory.listPrincipals();
      return all.map((principal) => ({ kind: "principal", href: hrefs.principal(principal.id), principal, props: {} }));
    }
    case "calendars": {
      const { home } = await ctx.home(ctx.user.id).snapshot();
      return [{ kind: "home", href: hrefs.home(ctx.user.id), owner: ctx.user, home }];
    }
    case "principal": {
      const d = r.delegation ?? (await principalData(ctx, r.principal.id)).delegation;
      return (["read", "write"] as const).map((group) => ({ kind: "proxy-group", href: hrefs.proxyGroup(r.principal.id, group), principal: r.principal, group, members: d.groups[group] }));
    }
    case "home": {
      // A delegate's view holds the calendars it may see, and nothing else (dav/delegated.ts).
      if (r.proxy) return (r.collections ?? []).map((collection) => ({ kind: collection.kind, href: hrefs.collection(r.owner.id, collection.name), owner: r.owner, home: r.home, collection, siblings: r.collections }));
      const snap = r.collections && r.mounts ? { home: r.home, collections: r.collections, mounts: r.mounts } : await ctx.home(r.owner.id).snapshot();
      const own: Resource[] = snap.collections.map((collection) => ({
        kind: collection.kind,
        href: hrefs.collection(r.owner.id, collection.name),
        owner: r.owner,
        home: snap.home,
        collection,
        siblings: snap.collections,
      }));
      const notifications: Resource = { kind: "notifications", href: hrefs.collection(r.owner.id, NOTIFICATIONS), owner: r.owner, items: [] };
      return [...own, notifications, ...(await mountedCalendars(ctx, snap.mounts))];
    }
    case "notifications":
      return r.items.map((item) => ({ kind: "notification", href: hrefs.object(r.owner.id, NOTIFICATIONS, item.name), owner: r.owner, item }));
    case "calendar":
    case "inbox":
    case "outbox": {
      const listing = await ctx.home(r.owner.id).listObjects(r.collection.name);
      return listing ? objectMembers(r, listing.objects) : [];
    }
    default:
      return [];
  }
}

/** The object resources of a collection's listing. */
export function objectMembers(r: Extract<Resource, { kind: "calendar" | "inbox" | "outbox" }>, objects: ObjectInfo[]): Resource[] {
  const hrefOf = memberHref(r.owner.id, r.collection.name);
  return objects.map((object) => ({ kind: "object", href: hrefOf(object.name), owner: r.owner, collection: r.collection, object }));
}
