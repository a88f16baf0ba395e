// Access-control properties (RFC 3744 sections 4, 5): principal-URL,
// owner, current-user-privilege-set, acl, supported-privilege-set and the
// principal's group and alternate-URI sets. All protected.
import { ownerOf, privileges, PRIVILEGE_TREE, sharedOf } from "../acl.js";
import { hrefs } from "../paths.js";
import type { Delegation } from "../delegation/model.js";
import { caldav, dav, type Clark } from "../xml/names.js";
import { el, type XmlElement } from "../xml/tree.js";
import { ALL, hrefEl, live } from "./define.js";
import type { PropertyDef, Resource } from "./types.js";

const privilege = (p: Clark) => el(dav("privilege"), [el(p)]);

function ace(principal: XmlElement, granted: Clark[]): XmlElement {
  return el(dav("ace"), [el(dav("principal"), [principal]), el(dav("grant"), granted.map(privilege)), el(dav("protected"))]);
}

function acl(r: Resource): XmlElement[] {
  const owner = ownerOf(r);
  const aces: XmlElement[] = [];
  if (owner !== undefined) aces.push(ace(hrefEl(hrefs.principal(owner)), [dav("all")]));
  // The sharees of a calendar (calendarserver-sharing): to its owner every accepted one, to a sharee itself.
  const shared = sharedOf(r);
  const sharees = shared ? [{ sharee: shared.sharee, access: shared.access }]
    : r.kind === "calendar" ? (r.collection.invites ?? []).filter((i) => i.status === "accepted") : [];
  for (const s of sharees) aces.push(ace(hrefEl(hrefs.principal(s.sharee)), s.access === "read-write" ? [dav("read"), dav("write")] : [dav("read")]));
  // The owner's proxy groups (calendar-proxy) on its home, its calendars and their objects, as they are seen at the owner's URLs.
  if (!shared && owner !== undefined && (r.kind === "home" || r.kind === "calendar" || r.kind === "object")) {
    aces.push(ace(hrefEl(hrefs.proxyGroup(owner, "read")), [dav("read")]));
    aces.push(ace(hrefEl(hrefs.proxyGroup(owner, "write")), r.kind === "home" ? [dav("read")] : [dav("read"), dav("write")]));
  }
  if (r.kind === "principal" || r.kind === "proxy-group" || owner === undefined) aces.push(ace(el(dav("authenticated")), [dav("read")]));
  // Anyone may deliver scheduling messages into an inbox (RFC 6638 §6.1.1).
  if (r.kind === "inbox") aces.push(ace(el(dav("authenticated")), [caldav("schedule-deliver")]));
  return aces;
}

/** The proxy groups of others that hold this principal (its pointers). */
const groupsOf = (d: Delegation): string[] => [
  ...d.proxyFor.read.map((id) => hrefs.proxyGroup(id, "read")),
  ...d.proxyFor.write.map((id) => hrefs.proxyGroup(id, "write")),
];

function supportedPrivilege(name: Clark, parts: Clark[] = []): XmlElement {
  return el(dav("supported-privilege"), [privilege(name), ...parts.map((p) => supportedPrivilege(p))]);
}

export const aclProperties: PropertyDef[] = [
  live(dav("owner"), ALL, (r) => {
    const owner = ownerOf(r);
    return owner === undefined ? [] : [hrefEl(hrefs.principal(owner))];
  }),
  live(dav("principal-URL"), ["principal", "proxy-group"], (r) => (r.kind === "principal" || r.kind === "proxy-group" ? [hrefEl(r.href)] : undefined)),
  live(dav("alternate-URI-set"), ["principal"], (r) => (r.kind === "principal" ? r.principal.addresses.map(hrefEl) : undefined)),
  // The proxy groups a principal is in (calendar-proxy, core/delegation): from its home's pointers, when read.
  live(dav("group-membership"), ["principal", "proxy-group"], (r) =>
    r.kind === "principal" ? (r.delegation ? groupsOf(r.delegation).map(hrefEl) : undefined) : [],
  ),
  // A proxy group's delegates; the owner sets it by PROPPATCH (dav/delegation.ts), so it is not protected there.
  live(dav("group-member-set"), ["principal", "proxy-group"], (r) => (r.kind === "proxy-group" ? r.members.map((m) => hrefEl(hrefs.principal(m))) : [])),
  live(dav("current-user-privilege-set"), ALL, (r, ctx) => privileges(ctx.user, r).map(privilege)),
  live(dav("acl"), ALL, (r) => acl(r)),
  live(dav("acl-restrictions"), ALL, () => [el(dav("grant-only")), el(dav("no-invert"))]),
  live(dav("supported-privilege-set"), ALL, () => [
    el(dav("supported-privilege"), [
      privilege(dav("all")),
      ...PRIVILEGE_TREE.map(([p, parts]) => supportedPrivilege(p, parts)),
    ]),
  ]),
];
