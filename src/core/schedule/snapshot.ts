// The scheduling snapshot of a calendar object resource: who organizes it, who
// attends which instance with which SCHEDULE-AGENT (RFC 6638 §7.1) and
// PARTSTAT, and change keys per component (fingerprint.ts), stored with each
// object row so that later planning compares against it without the old body.
// Also identifies scheduling object resources and the owner's role in them
// (RFC 6638 §3.1) and enforces CALDAV:same-organizer-in-all-components
// (§3.2.4.2): every component has the same ORGANIZER, with the same
// SCHEDULE-AGENT (§7.1).
import ICAL from "ical.js";
import { precondition } from "../errors.js";
import type { CalendarObject } from "../ical/parse.js";
import { caldav } from "../xml/names.js";
import { agentOf, normAddress, ridOf, timeKey, type Cal } from "./calendar.js";
import { instanceKeys } from "./fingerprint.js";
import type { AttendeeSnap, InstanceSnap, ScheduleSnapshot } from "./types.js";

export const sameOrganizerFailed = (description: string) =>
  precondition(403, caldav("same-organizer-in-all-components"), description);

function attendeeOf(p: ICAL.Property): AttendeeSnap {
  const params = p.jCal[1] as Record<string, unknown>;
  const snap: AttendeeSnap = {
    address: normAddress(p.getFirstValue()),
    partstat: String(params["partstat"] ?? "NEEDS-ACTION").toUpperCase(),
    scheduleAgent: agentOf(params),
  };
  if (params["role"] !== undefined) snap.role = String(params["role"]).toUpperCase();
  if (params["rsvp"] !== undefined) snap.rsvp = String(params["rsvp"]).toUpperCase() === "TRUE";
  if (params["cutype"] !== undefined) snap.cutype = String(params["cutype"]).toUpperCase();
  if (params["schedule-force-send"] !== undefined) snap.forceSend = String(params["schedule-force-send"]).toUpperCase();
  return snap;
}

function instanceOf(c: ICAL.Component): InstanceSnap {
  const org = c.getFirstProperty("organizer");
  const k = instanceKeys(c);
  const rid = ridOf(c);
  const stamp = c.getFirstPropertyValue("dtstamp");
  const range = c.getFirstProperty("recurrence-id")?.getParameter("range");
  const seq = Number(c.getFirstPropertyValue("sequence") ?? 0);
  const snap: InstanceSnap = {
    rid,
    organizer: org ? normAddress(org.getFirstValue()) : null,
    organizerAgent: org ? agentOf(org.jCal[1] as Record<string, unknown>) : "SERVER",
    attendees: c.getAllProperties("attendee").map(attendeeOf),
    significant: k.significant,
    timing: k.timing,
    content: k.content,
    start: k.start,
    duration: k.duration,
    sequence: Number.isFinite(seq) ? seq : 0,
    dtstamp: stamp instanceof ICAL.Time ? timeKey(stamp) : "",
    cancelled: k.cancelled,
    exdates: rid === "" ? k.exdates : [],
  };
  if (range !== undefined) snap.thisAndFuture = true;
  return snap;
}

/**
 * The snapshot of hoisted components (master first), or null if no component
 * has an ORGANIZER (not a scheduling object resource). Throws
 * same-organizer-in-all-components.
 */
export function snapshotOfComponents(uid: string, component: string, comps: ICAL.Component[]): ScheduleSnapshot | null {
  const organizers = comps.map((c) => c.getAllProperties("organizer"));
  if (organizers.every((o) => o.length === 0)) return null;
  const where = (c: ICAL.Component) => (ridOf(c) ? `the instance ${ridOf(c)}` : "the master component");
  comps.forEach((c, i) => {
    if (organizers[i]!.length === 0) throw sameOrganizerFailed(`${where(c)} has no ORGANIZER while others have one (RFC 6638 §3.1)`);
    if (organizers[i]!.length > 1) throw sameOrganizerFailed(`${where(c)} has more than one ORGANIZER`);
  });
  const instances = comps.map(instanceOf).sort((a, b) => (a.rid === b.rid ? 0 : a.rid === "" ? -1 : b.rid === "" ? 1 : a.rid < b.rid ? -1 : 1));
  const first = instances[0]!;
  for (const inst of instances) {
    if (inst.organizer !== first.organizer) {
      throw sameOrganizerFailed(`ORGANIZER ${inst.organizer} differs from ${first.organizer}: all components need the same ORGANIZER (RFC 6638 §3.2.4.2)`);
    }
    if (inst.organizerAgent !== first.organizerAgent) {
      throw sameOrganizerFailed("SCHEDULE-AGENT on ORGANIZER must be the same in every component (RFC 6638 §7.1)");
    }
  }
  return { uid, component, organizer: first.organizer, instances };
}

/** The scheduling snapshot of a validated object, or null if it has no ORGANIZER (RFC 6638 §3.1). */
export function snapshotOf(obj: CalendarObject): ScheduleSnapshot | null {
  const comps = [...(obj.master ? [obj.master.comp] : []), ...obj.overrides.map((o) => o.comp)];
  return snapshotOfComponents(obj.uid, obj.component, comps);
}

/** A snapshot as stored beside its row (JSON), or null for none. */
export const parseSnapshot = (s: string | null): ScheduleSnapshot | null => (s ? (JSON.parse(s) as ScheduleSnapshot) : null);

/** The snapshot of a text already read with readCal(). */
export function snapshotOfCal(cal: Cal): ScheduleSnapshot | null {
  return snapshotOfComponents(cal.uid, cal.type.toUpperCase(), cal.items.map((i) => i.ev));
}

/**
 * The owner's role in a scheduling object resource (RFC 6638 §3.1): the
 * ORGANIZER is one of the owner's addresses, or else one ATTENDEE is.
 */
export function roleOf(snap: ScheduleSnapshot | null, ownerAddresses: readonly string[]): "organizer" | "attendee" | "none" {
  if (!snap || !snap.organizer) return "none";
  const mine = new Set(ownerAddresses.map(normAddress));
  if (mine.has(snap.organizer)) return "organizer";
  return snap.instances.some((i) => i.attendees.some((a) => mine.has(a.address))) ? "attendee" : "none";
}

/** The owner's address as listed in the object's ATTENDEE properties (first match), or null. */
export function ownAttendeeAddress(snap: ScheduleSnapshot, ownerAddresses: readonly string[]): string | null {
  const mine = new Set(ownerAddresses.map(normAddress));
  for (const i of snap.instances) for (const a of i.attendees) if (mine.has(a.address)) return a.address;
  return null;
}

export const instanceMap = (snap: ScheduleSnapshot | null): Map<string, InstanceSnap> =>
  new Map((snap?.instances ?? []).map((i) => [i.rid, i]));

export const attendeeIn = (inst: InstanceSnap | undefined, address: string): AttendeeSnap | undefined =>
  inst?.attendees.find((a) => a.address === address);

/** Listed in the instance with SCHEDULE-AGENT=SERVER (the server schedules with them). */
export const serverIn = (inst: InstanceSnap | undefined, address: string): boolean =>
  attendeeIn(inst, address)?.scheduleAgent === "SERVER";

/** An override that carries nothing but what its master generates: same start, duration and content. */
export const derivedSame = (o: InstanceSnap, master: InstanceSnap): boolean =>
  o.start === o.rid && o.duration === master.duration && o.content === master.content;
