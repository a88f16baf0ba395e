// Reading a received iTIP message (RFC 5546 §1.4, §3.1-§3.2): one VCALENDAR
// with METHOD, components of one type sharing one UID, each with DTSTAMP and
// ORGANIZER, distinct RECURRENCE-IDs, and for a REPLY exactly one ATTENDEE,
// the same in every component (§3.2.3). Also the ordering of messages for one
// calendar component (§2.1.5): higher SEQUENCE wins, then later DTSTAMP.
import ICAL from "ical.js";
import { C, precondition } from "../errors.js";
import { caldav } from "../xml/names.js";
import { normAddress, readCal, timeKey, type Cal } from "./calendar.js";
import { snapshotOfComponents } from "./snapshot.js";
import type { AttendeeSnap } from "./types.js";

export const ITIP_METHODS = ["PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"] as const;
export type AnyItipMethod = (typeof ITIP_METHODS)[number];

export interface ItipComponent {
  /** "" for the master, else the RECURRENCE-ID instance key. */
  rid: string;
  sequence: number;
  dtstamp: string;
  cancelled: boolean;
  attendees: AttendeeSnap[];
  /** Status codes of REQUEST-STATUS properties ("2.0"), in order. */
  requestStatus: string[];
}

/** A parsed iTIP message; plain data (the text is re-read when it is applied). */
export interface ItipMessage {
  method: AnyItipMethod;
  uid: string;
  component: string;
  organizer: string;
  components: ItipComponent[];
  /** Highest SEQUENCE and latest DTSTAMP over the components. */
  sequence: number;
  dtstamp: string;
  text: string;
}

export interface Ordering {
  sequence: number;
  dtstamp: string;
}

/** RFC 5546 §2.1.5: `a` supersedes `b` if its SEQUENCE is higher, or equal with a later DTSTAMP. */
export function isNewer(a: Ordering, b: Ordering): boolean {
  return a.sequence > b.sequence || (a.sequence === b.sequence && a.dtstamp > b.dtstamp);
}

export const invalidMessage = (description: string) => precondition(400, caldav("valid-scheduling-message"), description);
const invalidData = (description: string) => precondition(400, C.validCalendarData, description);

/** Reads the message text as a Cal, with failures as 400 valid-calendar-data. */
export function readItip(text: string): Cal {
  try {
    return readCal(text, invalidData);
  } catch (e) {
    if (e instanceof Error && "status" in e && (e as { status: number }).status === 403) throw invalidData(e.message);
    throw e;
  }
}

/** Parses and checks an iTIP message; throws DavError 400 (valid-calendar-data, valid-scheduling-message). */
export function parseItip(text: string): ItipMessage {
  const cal = readItip(text);
  const methods = cal.top[1].filter((p) => p[0] === "method").map((p) => String(p[3]).trim().toUpperCase());
  if (methods.length !== 1) throw invalidMessage(methods.length ? "more than one METHOD" : "METHOD is missing: not an iTIP message (RFC 5546 §1.4)");
  const method = methods[0] as AnyItipMethod;
  if (!ITIP_METHODS.includes(method)) throw invalidMessage(`unknown METHOD ${methods[0]}`);
  const others = cal.top[2].filter((c) => c[0] !== "vtimezone" && c[0] !== cal.type && !c[0].startsWith("x-"));
  if (others.length) throw invalidMessage(`${others[0]![0].toUpperCase()} next to ${cal.type.toUpperCase()}: one component type per message (RFC 5546 §1.4)`);
  const seen = new Set<string>();
  for (const item of cal.items) {
    const uid = String(item.ev.getFirstPropertyValue("uid") ?? "").trim();
    if (!uid) throw invalidMessage("a component has no UID");
    if (uid !== cal.uid) throw invalidMessage(`components have different UIDs ("${cal.uid}", "${uid}")`);
    if (!(item.ev.getFirstPropertyValue("dtstamp") instanceof ICAL.Time)) throw invalidMessage("a component has no DTSTAMP (RFC 5546 §3.2)");
    if (seen.has(item.rid)) throw invalidMessage(item.rid ? `two components for the instance ${item.rid}` : "two components without RECURRENCE-ID");
    seen.add(item.rid);
  }
  let snap;
  try {
    snap = snapshotOfComponents(cal.uid, cal.type.toUpperCase(), cal.items.map((i) => i.ev));
  } catch (e) {
    throw invalidMessage(e instanceof Error ? e.message : String(e));
  }
  if (!snap?.organizer) throw invalidMessage("ORGANIZER is missing (RFC 5546 §3.2)");
  const components = cal.items.map((item): ItipComponent => {
    const inst = snap.instances.find((s) => s.rid === item.rid)!;
    const stamp = item.ev.getFirstPropertyValue("dtstamp") as ICAL.Time;
    const requestStatus = item.ev.getAllProperties("request-status").map((p) => {
      const v = p.getFirstValue() as unknown;
      return String(Array.isArray(v) ? v[0] : String(v).split(";")[0]).trim();
    });
    return { rid: item.rid, sequence: inst.sequence, dtstamp: timeKey(stamp), cancelled: inst.cancelled, attendees: inst.attendees, requestStatus };
  });
  if (method === "REPLY") {
    const repliers = new Set(components.flatMap((c) => c.attendees.map((a) => a.address)));
    if (repliers.size !== 1 || components.some((c) => c.attendees.length !== 1)) {
      throw invalidMessage("a REPLY must name exactly one ATTENDEE, the same in every component (RFC 5546 §3.2.3)");
    }
  }
  return {
    method,
    uid: cal.uid,
    component: cal.type.toUpperCase(),
    organizer: normAddress(snap.organizer),
    components,
    sequence: Math.max(...components.map((c) => c.sequence)),
    dtstamp: components.map((c) => c.dtstamp).sort().at(-1)!,
    text,
  };
}
