// What the page shows of a home's calendars and task lists, read in one call
// to the home (CalendarHome.overview): each calendar's name, colour,
// description, component types, number of objects and sharees, and which one
// receives invitations (RFC 6638 §9.2 schedule-default-calendar-URL, or the
// calendar the server falls back to when none was chosen); with the
// calendars shared with the user and the sharing invitations waiting.
import type { Context } from "hono";
import { homeStub } from "../bindings.js";
import type { PropMap } from "../core/model.js";
import { hrefs } from "../core/paths.js";
import { fallbackDefaultCalendar, INBOX } from "../core/props/schedule.js";
import type { Invite, MountInfo } from "../core/sharing/model.js";
import { parseInviteNotification, type InviteNotificationInfo } from "../core/sharing/xml.js";
import { caldav, dav, ical } from "../core/xml/names.js";
import { textOf } from "../core/xml/tree.js";
import type { WebEnv } from "./env.js";

export interface CalendarEntry {
  /** The collection's name in its URL. */
  name: string;
  href: string;
  displayName: string;
  /** #rrggbb, or "" when none is set. */
  color: string;
  description: string;
  components: string[];
  count: number;
  /** Invitations land here. */
  isDefault: boolean;
  /** Its sharees (CS:invite), as the home keeps them. */
  invites: Invite[];
}

const COLOR = /^#[0-9a-f]{6}/i;

/** A stored property's text, "" when absent. */
export const propText = (props: PropMap, name: string): string => (props[name] ? textOf(props[name]).trim() : "");

/** The #rrggbb of a calendar-color (Apple writes #RRGGBBAA), or "" when none is set. */
export const colorOf = (props: PropMap): string => COLOR.exec(propText(props, ical("calendar-color")))?.[0]?.toLowerCase() ?? "";

export async function calendarsOf(c: Context<WebEnv>): Promise<CalendarEntry[]> {
  return (await homeOverview(c)).calendars;
}

/**
 * The user's own calendars, the calendars shared with it (their pointers; home/sharing.ts) and, when asked for, up
 * to `invitations` sharing invitations waiting (CS:invite-notification), in one call to the home.
 */
export async function homeOverview(c: Context<WebEnv>, invitations = 0): Promise<{ calendars: CalendarEntry[]; mounts: MountInfo[]; invitations: InviteNotificationInfo[] }> {
  const user = c.var.user;
  const { collections, counts, mounts, invitations: waiting } = await homeStub(c.env, user.id).overview(invitations);
  const inbox = collections.find((x) => x.kind === "inbox" && x.name === INBOX);
  const chosen = inbox?.props[caldav("schedule-default-calendar-URL")];
  const chosenName = chosen ? decodeURIComponent(textOf(chosen).trim().replace(/\/+$/, "").split("/").pop() ?? "") : undefined;
  const defaultName = collections.some((x) => x.name === chosenName && x.kind === "calendar" && x.components.includes("VEVENT"))
    ? chosenName
    : fallbackDefaultCalendar(collections)?.name;
  const calendars = collections
    .filter((x) => x.kind === "calendar")
    .map((x) => {
      const text = (name: string) => propText(x.props, name);
      return {
        name: x.name,
        href: hrefs.collection(user.id, x.name),
        displayName: text(dav("displayname")) || x.name,
        color: colorOf(x.props),
        description: text(caldav("calendar-description")),
        components: x.components,
        count: counts[x.name] ?? 0,
        isDefault: x.name === defaultName,
        invites: x.invites ?? [],
      };
    });
  const parsed = waiting.map((n) => (n.body ? parseInviteNotification(n.body) : null)).filter((n): n is InviteNotificationInfo => n !== null && n.uid !== "");
  return { calendars, mounts, invitations: parsed };
}

/** "events", "tasks", "events and tasks": what a calendar holds, in words. */
export function holds(components: string[]): string {
  const words = components.map((k) => ({ VEVENT: "events", VTODO: "tasks", VJOURNAL: "journal entries", VFREEBUSY: "free-busy" })[k] ?? k.toLowerCase());
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
