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

/** The owner of the calendar an invitation notification names (its CS:hosturl), or null for anything else. */
export function notificationHost(body: string): string | null {
  try {
    const invite = child(parseXml(body), cs("invite-notification"));
    const host = invite && child(invite, cs("hosturl"));
    const h = host && child(host, dav("href"));
    const loc = h ? locate(textOf(h).trim()) : null;
    return loc?.kind === "collection" ? loc.user : null;
  } catch {
    return null;
  }
}
