// Who may do what (RFC 3744). The model is fixed, so ACLs are read-only:
// a principal owns its calendar home and everything in it; every
// authenticated principal may read the principal collection and principals
// (needed to find attendees); nobody else sees inside a home, except a
// sharee, through its own home, a calendar shared with it (calendarserver-
// sharing): read, or read-write, as the owner's invitation says; and a
// delegate (calendar-proxy), at the owner's own URLs: read, or read-write,
// of the owner's calendars, as the owner's proxy groups say.
import { DavError } from "./errors.js";
import type { Principal } from "./model.js";
import type { SharedFrom } from "./sharing/model.js";
import type { ProxyKind } from "./delegation/model.js";
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

/** What a sharee may do: read (with free-busy), plus write for read-write; its own properties of the calendar always. */
const SHAREE_READ: Clark[] = [dav("read"), dav("read-current-user-privilege-set"), caldav("read-free-busy")];
const SHAREE_WRITE: Clark[] = [...SHAREE_READ, dav("write"), dav("write-properties"), dav("write-content"), dav("bind"), dav("unbind")];

/** The sharing of a calendar, or of an object in one, seen through a sharee's home. */
export function sharedOf(r: Resource): SharedFrom | undefined {
  return r.kind === "calendar" || r.kind === "object" ? r.collection.shared : undefined;
}

/** The privileges the sharee of `s` holds on a resource of `kind` there. */
export function shareePrivileges(s: SharedFrom, kind: Resource["kind"]): Clark[] {
  if (s.access === "read-write") return SHAREE_WRITE;
  // A read-only sharee still names and colours the calendar for itself (the mount's own properties).
  return kind === "calendar" ? [...SHAREE_READ, dav("write-properties")] : SHAREE_READ;
}

/** What a delegate may do (calendar-proxy): read everything it sees; a write delegate writes calendars and objects, never the home itself. */
export function proxyPrivileges(access: ProxyKind, kind: Resource["kind"]): Clark[] {
  if (access === "write" && (kind === "calendar" || kind === "object")) return SHAREE_WRITE;
  return SHAREE_READ;
}

/** The access the owner's home gave the requester as a delegate, on a resource seen at the owner's URL. */
export const proxyOf = (r: Resource): ProxyKind | undefined =>
  r.kind === "home" ? r.proxy : r.kind === "calendar" || r.kind === "inbox" || r.kind === "outbox" || r.kind === "object" ? r.collection.proxy : undefined;

/** The principal whose home holds the data: the owner of a shared calendar, not the sharee whose URL names it. */
export function ownerOf(r: Resource): string | undefined {
  const shared = sharedOf(r);
  if (shared) return shared.owner;
  switch (r.kind) {
    case "principal":
    case "proxy-group":
      return r.principal.id;
    case "home":
    case "calendar":
    case "inbox":
    case "outbox":
    case "object":
    case "notifications":
    case "notification":
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
  const shared = sharedOf(r);
  if (shared) return shared.sharee === user.id ? shareePrivileges(shared, r.kind) : [];
  const owner = ownerOf(r);
  if (r.kind === "principal" || r.kind === "proxy-group") return owner === user.id ? [...READ_ONLY, dav("write-properties")] : READ_ONLY;
  if (owner === undefined) return READ_ONLY;
  const proxy = proxyOf(r);
  if (owner !== user.id && proxy) return proxyPrivileges(proxy, r.kind);
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
