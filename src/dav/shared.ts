// A calendar shared with the requesting principal, seen through its own home
// (calendarserver-sharing): the sharee's home holds a pointer (a mount) and
// the sharee's own properties; the owner's home holds the data and decides,
// on every request, whether the sharee may read or write (home/sharing.ts).
// A request on a shared calendar is two round trips: the sharee's home (which
// names the owner) and the owner's home. Also the notification collection.
import { mapLimit } from "../core/async.js";
import { notFound, precondition, unwrap, type DavErrorShape } from "../core/errors.js";
import type { CalendarHome } from "../home/calendar-home.js";
import { MOUNT_HEADER } from "../home/writes.js";
import type { Principal, ShareeRef } from "../core/model.js";
import { roleOf } from "../core/schedule/snapshot.js";
import type { ScheduleSnapshot } from "../core/schedule/types.js";
import { caldav } from "../core/xml/names.js";
import { answerChanged, withAttendeeSentBy, withSentBy } from "../core/sharing/sent-by.js";
import { busyOnly } from "../core/sharing/privacy.js";
import type { CollectionInfo } from "../core/model.js";
import { hrefs } from "../core/paths.js";
import type { Resource } from "../core/props/types.js";
import { NOTIFICATIONS, type MountInfo, type ShareAccess } from "../core/sharing/model.js";
import type { ViewOp, ViewResult } from "../home/view.js";
import type { HostedBy } from "./implicit.js";
import type { DavContext } from "./context.js";

/** The owner's calendar record as the sharee sees it: its name in the sharee's home, the sharee's properties over the owner's. */
function asShared(mount: Omit<MountInfo, "uid">, c: CollectionInfo, access: ShareAccess, sharee: string): CollectionInfo {
  const { invites: _hidden, ...base } = c;
  return { ...base, name: mount.name, props: { ...base.props, ...mount.props }, shared: { owner: mount.owner, calendar: mount.calendar, access, sharee } };
}

/** How a body of the collection reads to the requester: busy time only for a private event and a read-only sharee (core/sharing/privacy.ts). */
export const bodyView = (c: CollectionInfo): ((text: string) => string) => (c.shared?.access === "read" ? busyOnly : (text) => text);

/** The home and collection name that hold a collection's data: the owner's, for a shared calendar. */
export function dataOf(ownerId: string, c: CollectionInfo): { home: string; collection: string } {
  return c.shared ? { home: c.shared.owner, collection: c.shared.calendar } : { home: ownerId, collection: c.name };
}

export async function sharedCollection(ctx: DavContext, mount: MountInfo, op: ViewOp): Promise<{ resource: Resource; result: ViewResult }> {
  const v = unwrap(await ctx.home(mount.owner).sharedView(mount.calendar, ctx.user.id, op));
  if (!v.collection) throw notFound();
  const collection = asShared(mount, v.collection, v.access, ctx.user.id);
  const resource: Resource = { kind: "calendar", href: hrefs.collection(ctx.user.id, mount.name), owner: ctx.user, home: v.home, collection };
  // Changes name their collection: as the sharee sees it, so their hrefs are the sharee's.
  const result: ViewResult = v.result.kind === "changes" ? { ...v.result, changes: { ...v.result.changes, collection } } : v.result;
  return { resource, result };
}

export async function sharedObject(ctx: DavContext, mount: { name: string; owner: string; calendar: string }, name: string): Promise<Resource> {
  const found = unwrap(await ctx.home(mount.owner).sharedObject(mount.calendar, name, ctx.user.id));
  if (!found) throw notFound();
  const collection = asShared({ ...mount, props: {} }, found.collection, found.access, ctx.user.id);
  return { kind: "object", href: hrefs.object(ctx.user.id, mount.name, name), owner: ctx.user, collection, object: found.object };
}

const NONE: ViewOp = { kind: "none" };

/** The calendars shared with the user, for its home's Depth: 1 listing: one call per mount, six at a time; a withdrawn one is left out. */
export async function mountedCalendars(ctx: DavContext, mounts: MountInfo[]): Promise<Resource[]> {
  const found = await mapLimit(mounts, 6, async (m) => {
    const v = await ctx.home(m.owner).sharedView(m.calendar, ctx.user.id, NONE);
    if (!v.ok || !v.value.collection) return undefined;
    const collection = asShared(m, v.value.collection, v.value.access, ctx.user.id);
    return { kind: "calendar", href: hrefs.collection(ctx.user.id, m.name), owner: ctx.user, home: v.value.home, collection } satisfies Resource;
  });
  return found.filter((r) => r !== undefined);
}

export async function notificationsOf(ctx: DavContext): Promise<Resource> {
  const items = await ctx.home(ctx.user.id).notifications();
  return { kind: "notifications", href: hrefs.collection(ctx.user.id, NOTIFICATIONS), owner: ctx.user, items };
}

export async function notificationOf(ctx: DavContext, name: string): Promise<Resource> {
  const item = await ctx.home(ctx.user.id).notification(name);
  if (!item) throw notFound();
  return { kind: "notification", href: hrefs.object(ctx.user.id, NOTIFICATIONS, name), owner: ctx.user, item };
}

/** Where a write to an object lands: the user's own home, or the owner's home of a calendar shared with the user. */
export interface WriteTarget {
  home: DurableObjectStub<CalendarHome>;
  collection: string;
  /** The principal whose scheduling the write does (RFC 6638): the owner of a shared calendar (asked of the Directory only when needed). */
  organizer: () => Promise<Principal>;
  asSharee?: ShareeRef | undefined;
  /** A delegate writing at the boss's URL (dav/delegated.ts): the boss's home checks its proxy groups. */
  asDelegate?: ShareeRef | undefined;
}

export const ownTarget = (ctx: DavContext, collection: string): WriteTarget => ({ home: ctx.home(ctx.user.id), collection, organizer: async () => ctx.user });

/** The shared calendar a refused write named (home/writes.ts MOUNT_HEADER), if that is why it was refused. */
export function mountIn(error: DavErrorShape): { owner: string; calendar: string } | undefined {
  const h = error.headers[MOUNT_HEADER];
  return h ? (JSON.parse(h) as { owner: string; calendar: string }) : undefined;
}

/**
 * The owner's home of a shared calendar, written to as the sharee (the owner's home checks the invitation).
 * A meeting there is scheduled once, from the owner's home: as the owner's when the ORGANIZER is the owner's, or as
 * the sharee's own when it is the sharee's (schedulerOf; docs: README "Sharing").
 */
export function sharedTarget(ctx: DavContext, mount: { owner: string; calendar: string }, href: string): WriteTarget {
  return { home: ctx.home(mount.owner), collection: mount.calendar, organizer: () => ctx.principalOrThrow(mount.owner), asSharee: { id: ctx.user.id, href } };
}

/** Who schedules a write: the target's owner, or a read-write sharee organizing as itself from the owner's home. */
export interface Scheduler {
  /** Asked of the Directory only when needed (a plain object schedules nothing). */
  principal: () => Promise<Principal>;
  hosted?: HostedBy | undefined;
}

/**
 * Who schedules a write to `t` (RFC 6638 §3.1, the role read from the stored copy when the owner or the writer has
 * one there, else from the new body): the owner, unless `t` is a calendar shared with the writer and the ORGANIZER is
 * one of the writer's own addresses; then the writer, from the owner's home, which checks its access as it commits.
 * A delegate always writes as the boss (README "Delegation").
 */
export async function schedulerOf(t: WriteTarget, stored: ScheduleSnapshot | null, incoming: ScheduleSnapshot | null, user: Principal): Promise<Scheduler> {
  if (!t.asSharee || (stored === null && incoming === null)) return { principal: t.organizer };
  const owner = await t.organizer();
  const known = roleOf(stored, owner.addresses) !== "none" || roleOf(stored, user.addresses) !== "none";
  const snap = known ? stored : incoming;
  const own = roleOf(snap, owner.addresses) !== "organizer" && roleOf(snap, user.addresses) === "organizer";
  return own ? { principal: async () => user, hosted: { home: owner.id, sharee: user.id } } : { principal: async () => owner };
}

/**
 * A meeting of the owner's a sharee or delegate writes: its body with them as SENT-BY on the ORGANIZER
 * (core/sharing/sent-by.ts); a sharee's or delegate's answer for the owner (its PARTSTAT changed from `stored`): SENT-BY
 * on the owner's ATTENDEE, so the REPLY the owner's home sends says who answered (RFC 5545 §3.2.18). Else null.
 */
export async function sentByBody(t: WriteTarget, snapshot: ScheduleSnapshot | null, text: string, user: Principal, stored: ScheduleSnapshot | null = null): Promise<string | null> {
  const sender = user.addresses[0];
  if (!(t.asSharee || t.asDelegate) || !snapshot || !sender) return null;
  const owner = (await t.organizer()).addresses;
  const role = roleOf(snapshot, owner);
  if (role === "organizer") return withSentBy(text, sender);
  // The owner's answer given by a read-write sharee or a delegate: sent by them (RFC 5545 §3.2.18).
  if (role === "attendee" && answerChanged(stored, snapshot, owner))
    return withAttendeeSentBy(text, sender, owner);
  return null;
}

/**
 * The ORGANIZER a sharee or delegate may write in the owner's calendar (403 CALDAV:valid-organizer otherwise): the
 * owner's; a read-write sharee's own (`by` names it the scheduler); any, when the owner is an attendee (the owner's
 * invitation, answered for it) or the stored object already had it (an edit of what the calendar keeps, stored
 * without scheduling unless its organizer writes it).
 */
export async function checkSharedOrganizer(t: WriteTarget, snapshot: ScheduleSnapshot | null, user: Principal, by: Scheduler, stored: ScheduleSnapshot | null): Promise<void> {
  if (!(t.asSharee || t.asDelegate) || !snapshot?.organizer || by.hosted) return;
  if (roleOf(snapshot, (await t.organizer()).addresses) !== "none") return;
  if (stored?.organizer === snapshot.organizer) return;
  const who = t.asSharee ? "the calendar's owner or the sharee itself" : "the calendar's owner";
  throw precondition(403, caldav("valid-organizer"), `${snapshot.organizer} cannot organize here: a meeting in a shared or delegated calendar is organized as ${who}`);
}
