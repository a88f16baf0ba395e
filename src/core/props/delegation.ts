// Properties of delegation (CalendarServer calendar-proxy): on a principal,
// CS:calendar-proxy-read-for and CS:calendar-proxy-write-for, the principals
// it is a delegate of (from its home's pointers; they never decide access).
// The groups' own properties (group-member-set, group-membership,
// principal-URL) are in acl.ts, their resourcetype in dav.ts. All protected.
import type { ProxyKind } from "../delegation/model.js";
import { hrefs } from "../paths.js";
import { cs } from "../xml/names.js";
import { hrefEl, live } from "./define.js";
import type { PropertyDef, Resource } from "./types.js";

const proxyFor = (kind: ProxyKind) => (r: Resource) =>
  r.kind === "principal" && r.delegation ? r.delegation.proxyFor[kind].map((id) => hrefEl(hrefs.principal(id))) : undefined;

export const delegationProperties: PropertyDef[] = [
  live(cs("calendar-proxy-read-for"), ["principal"], proxyFor("read")),
  live(cs("calendar-proxy-write-for"), ["principal"], proxyFor("write")),
];
