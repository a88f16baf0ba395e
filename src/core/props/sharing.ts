// Properties of calendarserver-sharing: CS:notification-URL on a principal,
// CS:notificationtype on a notification, and on calendars CS:invite (the
// owner's view of its sharees), CS:allowed-sharing-modes and CS:shared-url
// (a sharee's view: the owner's calendar it shows). All protected.
import { hrefs } from "../paths.js";
import { NOTIFICATIONS } from "../sharing/model.js";
import { inviteProperty } from "../sharing/xml.js";
import { cs } from "../xml/names.js";
import { el } from "../xml/tree.js";
import { hrefEl, live } from "./define.js";
import type { PropertyDef } from "./types.js";

export const sharingProperties: PropertyDef[] = [
  live(cs("notification-URL"), ["principal"], (r, ctx) =>
    r.kind === "principal" && r.principal.id === ctx.user.id ? [hrefEl(hrefs.collection(r.principal.id, NOTIFICATIONS))] : undefined,
  ),
  live(cs("notificationtype"), ["notification"], (r) => (r.kind === "notification" ? [el(cs(r.item.type))] : undefined)),
  // Only on a calendar its owner shares (as CalendarServer answers): 404 on one never shared.
  live(cs("invite"), ["calendar"], (r) => (r.kind === "calendar" && !r.collection.shared && r.collection.invites?.length ? inviteProperty(r.collection.invites) : undefined)),
  // Only the owner shares (a sharee cannot share further).
  live(cs("allowed-sharing-modes"), ["calendar"], (r) => (r.kind === "calendar" ? (r.collection.shared ? [] : [el(cs("can-be-shared"))]) : undefined)),
  live(cs("shared-url"), ["calendar"], (r) =>
    r.kind === "calendar" && r.collection.shared ? [hrefEl(hrefs.collection(r.collection.shared.owner, r.collection.shared.calendar))] : undefined,
  ),
];
