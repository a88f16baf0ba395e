// The XML the sharing extension answers with (calendarserver-sharing): the
// CS:notification body with its CS:invite-notification (and
// CS:invite-reply after an answer), the CS:invite property listing a
// calendar's sharees, and CS:shared-as after an accepted invitation.
import { hrefs, locate } from "../paths.js";
import { parseXml } from "../xml/parse.js";
import { caldav, cs, dav } from "../xml/names.js";
import { child, el, textOf, type XmlElement } from "../xml/tree.js";
import { writeXml } from "../xml/write.js";
import type { Invite, InviteStatus, ShareAccess } from "./model.js";

const href = (h: string) => el(dav("href"), [h]);
const access = (a: ShareAccess) => el(cs("access"), [el(cs(a))]);
const STATUS: Record<InviteStatus, string> = { pending: "invite-noresponse", accepted: "invite-accepted", declined: "invite-declined" };

/** A compact UTC stamp as CalendarServer writes CS:dtstamp. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");

export interface InviteNotice {
  uid: string;
  sharee: string;
  owner: { id: string; displayName: string };
  calendar: string;
  access: ShareAccess;
  summary: string;
  components: string[];
  /** true: the owner withdrew the invitation (CS:invite-deleted). */
  deleted?: boolean;
}

/** The body of the invitation a sharee finds in its notification collection. */
export function inviteNotification(n: InviteNotice, now: number): string {
  return writeXml(
    el(cs("notification"), [
      el(cs("dtstamp"), [stamp(now)]),
      el(cs("invite-notification"), [
        el(cs("uid"), [n.uid]),
        href(hrefs.principal(n.sharee)),
        el(cs(n.deleted ? "invite-deleted" : "invite-noresponse")),
        access(n.access),
        el(cs("hosturl"), [href(hrefs.collection(n.owner.id, n.calendar))]),
        el(cs("organizer"), [href(hrefs.principal(n.owner.id)), el(cs("common-name"), [n.owner.displayName])]),
        el(cs("summary"), [n.summary]),
        el(caldav("supported-calendar-component-set"), n.components.map((c) => el(caldav("comp"), [], { name: c }))),
      ], { "shared-type": "calendar" }),
    ]),
  );
}

/** CS:invite on the owner's calendar: each sharee with its access and answer. */
export function inviteProperty(invites: Invite[]): XmlElement[] {
  return invites.map((i) =>
    el(cs("user"), [href(hrefs.principal(i.sharee)), el(cs(STATUS[i.status])), access(i.access), ...(i.summary ? [el(cs("summary"), [i.summary])] : [])]),
  );
}

/** The answer to an accepted CS:invite-reply: where the calendar now is in the sharee's home. */
export const sharedAs = (url: string): XmlElement => el(cs("shared-as"), [href(url)]);

/** An invitation notification as read back (the web page's list of invitations waiting). */
export interface InviteNotificationInfo {
  uid: string;
  /** The owner's calendar, CS:hosturl. */
  hostUrl: string;
  /** The owner, from the hosturl (the stored body is the server's own; the hosturl is what an answer names). */
  owner: string;
  ownerName: string;
  access: ShareAccess;
  summary: string;
}

const textIn = (e: XmlElement | undefined, ...path: string[]): string => {
  let at = e;
  for (const name of path) at = at && child(at, name);
  return at ? textOf(at).trim() : "";
};

/** The invitation a notification body holds, or null for any other notification (or one that is not XML). */
export function parseInviteNotification(body: string): InviteNotificationInfo | null {
  try {
    const invite = child(parseXml(body), cs("invite-notification"));
    const hostUrl = textIn(invite, cs("hosturl"), dav("href"));
    const loc = hostUrl ? locate(hostUrl) : null;
    if (!invite || loc?.kind !== "collection") return null;
    const access = child(invite, cs("access"));
    return {
      uid: textIn(invite, cs("uid")),
      hostUrl,
      owner: loc.user,
      ownerName: textIn(invite, cs("organizer"), cs("common-name")) || loc.user,
      access: access && child(access, cs("read-write")) ? "read-write" : "read",
      summary: textIn(invite, cs("summary")),
    };
  } catch {
    return null;
  }
}

/** The owner of the calendar an invitation notification names (its CS:hosturl), or null for anything else. */
export const notificationHost = (body: string): string | null => parseInviteNotification(body)?.owner ?? null;
