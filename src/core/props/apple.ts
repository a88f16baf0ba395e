// Apple and CalendarServer extensions that clients rely on: getctag
// (calendarserver.org caldav-ctag), email-address-set, and the writable
// calendar-color / calendar-order (kept with their attributes, such as
// Apple's symbolic-color).
import { DavError } from "../errors.js";
import { cs, ical } from "../xml/names.js";
import { el } from "../xml/tree.js";
import { textOnly } from "./caldav.js";
import { live, stored } from "./define.js";
import type { PropertyDef } from "./types.js";

export const appleProperties: PropertyDef[] = [
  live(cs("getctag"), ["calendar", "inbox"], (r) =>
    r.kind === "calendar" || r.kind === "inbox" ? [r.collection.ctag] : undefined,
  ),
  live(cs("email-address-set"), ["principal"], (r) =>
    r.kind === "principal" ? r.principal.addresses.map((a) => el(cs("email-address"), [a.replace(/^mailto:/, "")])) : undefined,
  ),
  stored(ical("calendar-color"), ["calendar"], (v) => {
    const t = textOnly(v, 64).trim();
    if (!/^#?[0-9A-Fa-f]{3,8}$/.test(t) && !/^[a-z]+$/i.test(t)) throw new DavError(409, { description: "calendar-color takes a #RRGGBB[AA] value" });
  }),
  stored(ical("calendar-order"), ["calendar"], (v) => {
    if (!/^-?\d{1,9}$/.test(textOnly(v, 16).trim())) throw new DavError(409, { description: "calendar-order takes an integer" });
  }),
];
