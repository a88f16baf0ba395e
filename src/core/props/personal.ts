// The person's own settings kept as principal properties of this server's
// namespace: their timezone (an IANA name, e.g. "Europe/Berlin"), which the
// web page's agenda shows times in. Writable by PROPPATCH on the principal
// like any property (RFC 4918 §9.2), checked against the zones the server
// knows (ical/timezones.ts); stored with the principal's other properties in
// the calendar home.
import { DavError } from "../errors.js";
import { ianaTimezone, isIanaName } from "../ical/timezones.js";
import type { PropMap } from "../model.js";
import { clark, NS } from "../xml/names.js";
import { el, textOf, type XmlElement } from "../xml/tree.js";
import { textOnly } from "./caldav.js";
import { stored } from "./define.js";
import type { PropertyDef } from "./types.js";

export const PERSONAL_TIMEZONE = clark(NS.EDGE, "timezone");

/** The IANA name if the server knows the zone, else null. */
export function knownZoneName(name: string): string | null {
  const n = name.trim();
  return n.length > 0 && n.length <= 64 && isIanaName(n) && ianaTimezone(n) !== null ? n : null;
}

function validateZone(v: XmlElement): void {
  if (!knownZoneName(textOnly(v, 64))) throw new DavError(409, { description: "timezone takes an IANA zone name this server knows, e.g. Europe/Berlin" });
}

/** The person's timezone from the principal's stored properties; null when unset (or no longer known). */
export function personalZoneName(props: PropMap): string | null {
  const v = props[PERSONAL_TIMEZONE];
  return v ? knownZoneName(textOf(v)) : null;
}

/** The property element for a zone name (validated by the caller, e.g. with planPatch). */
export const personalZoneElement = (name: string): XmlElement => el(PERSONAL_TIMEZONE, [name]);

export const personalProperties: PropertyDef[] = [stored(PERSONAL_TIMEZONE, ["principal"], validateZone, undefined, false)];
