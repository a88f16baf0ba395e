// Who may do what (RFC 3744). The model is fixed, so ACLs are read-only:
// a principal owns its calendar home and everything in it; every
// authenticated principal may read the principal collection and principals
// (needed to find attendees); nobody else sees inside a home.
import { DavError } from "./errors.js";
import type { Principal } from "./model.js";
import type { Resource } from "./props/types.js";
import { caldav, dav, type Clark } from "./xml/names.js";
import { el } from "./xml/tree.js";

const OWNER_PRIVILEGES: Clark[] = [
  dav("read"),
  dav("write"),
  dav("write-properties"),
  dav("write-content"),
  dav("bind"),
  dav("unbind"),
  dav("read-acl"),
  dav("read-current-user-privilege-set"),
  caldav("read-free-busy"),
];

const READ_ONLY: Clark[] = [dav("read"), dav("read-current-user-privilege-set")];

export function ownerOf(r: Resource): string | undefined {
  switch (r.kind) {
    case "principal":
      return r.principal.id;
    case "home":
    case "calendar":
    case "inbox":
    case "outbox":
    case "object":
      return r.owner.id;
    default:
      return undefined;
  }
}

/** RFC 6638 §6: delivering into an inbox, sending from an outbox, with their parts. */
export const SCHEDULE_DELIVER: Clark[] = [caldav("schedule-deliver"), caldav("schedule-deliver-invite"), caldav("schedule-deliver-reply"), caldav("schedule-query-freebusy")];
export const SCHEDULE_SEND: Clark[] = [caldav("schedule-send"), caldav("schedule-send-invite"), caldav("schedule-send-reply"), caldav("schedule-send-freebusy")];

/** The privileges `user` holds on `r` (aggregates listed with their parts). */
export function privileges(user: Principal, r: Resource): Clark[] {
  const owner = ownerOf(r);
  if (r.kind === "principal") return owner === user.id ? [...READ_ONLY, dav("write-properties")] : READ_ONLY;
  if (owner === undefined) return READ_ONLY;
  if (owner !== user.id) return r.kind === "inbox" ? SCHEDULE_DELIVER : [];
  if (r.kind === "inbox") return [...OWNER_PRIVILEGES, ...SCHEDULE_DELIVER];
  if (r.kind === "outbox") return [...OWNER_PRIVILEGES, ...SCHEDULE_SEND];
  return OWNER_PRIVILEGES;
}

/** 403 with DAV:need-privileges naming the resource and the missing privilege (RFC 3744 §7.1.1). */
export function needPrivileges(href: string, privilege: Clark): DavError {
  return new DavError(403, {
    condition: el(dav("need-privileges"), [el(dav("resource"), [el(dav("href"), [href]), el(dav("privilege"), [el(privilege)])])]),
    description: `${privilege} is needed on ${href}`,
  });
}

export function requirePrivilege(user: Principal, r: Resource, privilege: Clark): void {
  if (!privileges(user, r).includes(privilege)) throw needPrivileges(r.href, privilege);
}

/** The supported privilege tree (RFC 3744 section 5.3). */
export const PRIVILEGE_TREE: Array<[Clark, Clark[]]> = [
  [dav("read"), [dav("read-acl"), dav("read-current-user-privilege-set"), caldav("read-free-busy")]],
  [dav("write"), [dav("write-properties"), dav("write-content"), dav("bind"), dav("unbind")]],
  [SCHEDULE_DELIVER[0]!, SCHEDULE_DELIVER.slice(1)],
  [SCHEDULE_SEND[0]!, SCHEDULE_SEND.slice(1)],
];
