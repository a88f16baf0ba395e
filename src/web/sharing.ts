// What the page shows of calendar sharing (calendarserver-sharing; README
// "Sharing"): who a calendar is shared with (CS:invite, as the owner's home
// keeps it) with their names from the Directory; how many of the invitations
// waiting (CS:invite-notification, read with the calendars: src/web/calendars.ts)
// it shows; and the calendars shared with the user, each read as the owner's home allows it
// (the same call a PROPFIND Depth 1 of the home makes). A person typed into a
// form is found by src/web/people.ts.
import type { Context } from "hono";
import { hrefs } from "../core/paths.js";
import type { Invite, MountInfo, ShareAccess } from "../core/sharing/model.js";
import { dav } from "../core/xml/names.js";
import { DavContext } from "../dav/context.js";
import { mountedCalendars } from "../dav/shared.js";
import { colorOf, propText } from "./calendars.js";
import type { WebEnv } from "./env.js";
import { peopleByIds, type Person } from "./people.js";

/** Invitations the page lists at most (a home keeps up to 500 notifications). */
export const INVITATIONS_SHOWN = 50;
/** Calendars shared with the user that the page reads at most (one call to each owner's home, six at a time). */
export const SHARED_SHOWN = 100;

/** The two kinds of access, in words. */
export const ACCESS: Record<ShareAccess, string> = { read: "Read only", "read-write": "Read and write" };

export interface Sharee extends Invite {
  person: Person;
}

/** A calendar's sharees with their names and addresses (at most 200 per calendar, one Directory call). */
export async function shareesOf(env: Env, invites: Invite[]): Promise<Sharee[]> {
  const people = await peopleByIds(env, invites.map((i) => i.sharee));
  return invites.map((i) => ({ ...i, person: people.get(i.sharee)! }));
}

export interface SharedCalendar {
  /** Its name in the user's home. */
  name: string;
  href: string;
  displayName: string;
  color: string;
  owner: Person;
  access: ShareAccess;
}

/** The calendars shared with the user that it may still see (a withdrawn one is left out), with their owners. */
export async function sharedWithMe(c: Context<WebEnv>, mounts: MountInfo[]): Promise<SharedCalendar[]> {
  const ctx = new DavContext(c.env, c.var.user, (p) => c.executionCtx.waitUntil(p));
  const found = await mountedCalendars(ctx, mounts.slice(0, SHARED_SHOWN));
  const owners = await peopleByIds(c.env, found.flatMap((r) => (r.kind === "calendar" && r.collection.shared ? [r.collection.shared.owner] : [])));
  return found.flatMap((r) => {
    if (r.kind !== "calendar" || !r.collection.shared) return [];
    const { owner, access } = r.collection.shared;
    return [{
      name: r.collection.name,
      href: hrefs.collection(c.var.user.id, r.collection.name),
      displayName: propText(r.collection.props, dav("displayname")) || r.collection.name,
      color: colorOf(r.collection.props),
      owner: owners.get(owner)!,
      access,
    }];
  });
}
