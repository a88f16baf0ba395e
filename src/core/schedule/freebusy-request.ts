// Busy time requests POSTed to a scheduling Outbox (RFC 6638 §5): a VFREEBUSY
// with METHOD:REQUEST as RFC 5546 §3.3.2 defines it (UID, DTSTAMP, DTSTART,
// DTEND, ORGANIZER, one or more ATTENDEE), checked with the preconditions of
// RFC 6638 §5.2: CALDAV:valid-calendar-data (400), CALDAV:valid-scheduling-
// message (400), CALDAV:valid-organizer (403: the ORGANIZER must be one of
// the Outbox owner's addresses). And the per-recipient VFREEBUSY
// METHOD:REPLY (RFC 5546 §3.3.3) carried in CALDAV:calendar-data (§10.2);
// periods are merged by ../query/freebusy.ts as for free-busy-query.
import ICAL from "ical.js";
import { precondition } from "../errors.js";
import { formatUtc, icalTimeToUtcMs } from "../ical/time.js";
import { mergePeriods, type BusyType } from "../query/freebusy.js";
import { caldav } from "../xml/names.js";
import { clone, keyToJcal, normAddress, propOf, propsOf, serialize, stampOf, wrap, type JComp, type JProp } from "./calendar.js";
import { invalidMessage, readItip } from "./itip.js";
import type { Now } from "./types.js";

export interface FreeBusyRequest {
  uid: string;
  dtstamp: string;
  /** The queried range, ms since the epoch, UTC. */
  start: number;
  end: number;
  organizer: string;
  /** Normalized, without duplicates, in the request's order. */
  attendees: string[];
  /** The ORGANIZER and ATTENDEE properties as sent (jCal), for the replies. */
  organizerProp: JProp;
  attendeeProps: Record<string, JProp>;
}

export interface BusyPeriod {
  /** ms UTC */
  start: number;
  end: number;
  /** Default BUSY. */
  type?: BusyType;
}

export const organizerNotAllowed = (description: string) => precondition(403, caldav("valid-organizer"), description);

/** Parses and checks a busy time request for the Outbox of a user with `ownerAddresses`. */
export function parseFreeBusyRequest(text: string, ownerAddresses: readonly string[]): FreeBusyRequest {
  const cal = readItip(text);
  const method = propOf(cal.top, "method");
  if (!method || String(method[3]).trim().toUpperCase() !== "REQUEST") throw invalidMessage("a busy time request needs METHOD:REQUEST (RFC 6638 §5)");
  const comps = cal.top[2].filter((c) => c[0] !== "vtimezone");
  if (comps.length !== 1 || comps[0]![0] !== "vfreebusy") throw invalidMessage("a busy time request holds exactly one VFREEBUSY (RFC 5546 §3.3.2)");
  const item = cal.items[0]!;
  const times = ["dtstamp", "dtstart", "dtend"].map((n) => item.ev.getFirstPropertyValue(n));
  if (!cal.uid) throw invalidMessage("the VFREEBUSY has no UID (RFC 5546 §3.3.2)");
  const [stamp, start, end] = times;
  if (!(stamp instanceof ICAL.Time) || !(start instanceof ICAL.Time) || !(end instanceof ICAL.Time)) {
    throw invalidMessage("the VFREEBUSY needs DTSTAMP, DTSTART and DTEND (RFC 5546 §3.3.2)");
  }
  const range = { start: icalTimeToUtcMs(start), end: icalTimeToUtcMs(end) };
  if (range.end <= range.start) throw invalidMessage("DTEND of the VFREEBUSY is not after DTSTART");
  const organizers = propsOf(item.raw, "organizer");
  if (organizers.length !== 1) throw invalidMessage("the VFREEBUSY needs exactly one ORGANIZER (RFC 5546 §3.3.2)");
  const organizer = normAddress(organizers[0]![3]);
  if (!ownerAddresses.map(normAddress).includes(organizer)) {
    throw organizerNotAllowed(`ORGANIZER ${organizer} is not an address of the Outbox owner (RFC 6638 §5.2.2)`);
  }
  const attendeeProps: Record<string, JProp> = {};
  for (const p of propsOf(item.raw, "attendee")) attendeeProps[normAddress(p[3])] ??= clone(p);
  const attendees = Object.keys(attendeeProps);
  if (attendees.length === 0) throw invalidMessage("the VFREEBUSY names no ATTENDEE to look up (RFC 5546 §3.3.2)");
  return {
    uid: cal.uid, dtstamp: formatUtc(icalTimeToUtcMs(stamp)), ...range, organizer, attendees,
    organizerProp: clone(organizers[0]!), attendeeProps,
  };
}

const utc = (ms: number) => keyToJcal(formatUtc(ms)).value;

/** The VFREEBUSY METHOD:REPLY for one recipient of a request (RFC 5546 §3.3.3, RFC 6638 Appendix B.5). */
export function freeBusyReply(input: { request: FreeBusyRequest; attendee: string; busy: readonly BusyPeriod[]; now?: Now }): string {
  const r = input.request;
  const address = normAddress(input.attendee);
  const props: JProp[] = [
    ["uid", {}, "text", r.uid],
    ["dtstamp", {}, "date-time", keyToJcal(stampOf(input.now)).value],
    ["dtstart", {}, "date-time", utc(r.start)],
    ["dtend", {}, "date-time", utc(r.end)],
    clone(r.organizerProp),
    clone(r.attendeeProps[address] ?? ["attendee", {}, "cal-address", address]),
  ];
  // Clipped to the range, then merged as for free-busy-query (overlaps go to the more significant type).
  const clipped = input.busy
    .map((b) => ({ start: Math.max(b.start, r.start), end: Math.min(b.end, r.end), type: b.type ?? ("BUSY" as const) }))
    .filter((b) => b.end > b.start);
  for (const p of mergePeriods(clipped)) props.push(["freebusy", { fbtype: p.type }, "period", [utc(p.start), utc(p.end)]]);
  const comp: JComp = ["vfreebusy", props, []];
  return serialize(wrap(null, [comp], "REPLY", []));
}
