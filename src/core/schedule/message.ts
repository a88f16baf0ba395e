// Building iTIP messages (RFC 5546 §3.2) from stored components: REQUEST
// components as stored, minus what the server owns (SCHEDULE-AGENT,
// SCHEDULE-STATUS, SCHEDULE-FORCE-SEND: RFC 6638 §7.1-§7.3) and the sender's
// VALARMs, with DTSTAMP set to the time of sending (§3.2.5); CANCEL and REPLY
// components with the properties RFC 5546 §3.2.3 and §3.2.5 ask for, plus
// times and SUMMARY for context (as in RFC 6638 Appendix B.4 and B.7). Also
// the component of one recurrence instance derived from its master.
import ICAL from "ical.js";
import {
  SERVER_PARAMS, clone, findAttendee, keyToJcal, keyToTime, normAddress, propOf, removeProps, sequenceOf, serialize, setDtstamp,
  setProp, stripParams, wrap, type Cal, type Item, type JComp, type JProp,
} from "./calendar.js";
import type { ItipMethod, OutgoingMessage } from "./types.js";
import { toZone } from "../ical/zone-offset.js";

/** A stored component made fit to send: no server parameters, no VALARMs, DTSTAMP = now. */
export function scrub(c: JComp, stamp: string): JComp {
  const out = clone(c);
  out[2] = out[2].filter((s) => s[0] !== "valarm");
  stripParams(out, SERVER_PARAMS);
  setDtstamp(out, stamp);
  return out;
}

/** A date property for an instance key, in the form of `like` (its TZID and zone) when that is a zoned DATE-TIME. */
function timeProp(name: string, key: string, like: JProp | undefined, zone: ICAL.Timezone | null): { prop: JProp; time: ICAL.Time } {
  const tzid = like?.[1]["tzid"];
  let time = keyToTime(key);
  if (key.endsWith("Z") && typeof tzid === "string" && zone && zone.tzid !== "UTC") {
    time = toZone(time, zone);
    return { prop: [name, { tzid }, "date-time", time.toString()], time };
  }
  const j = keyToJcal(key);
  return { prop: [name, {}, j.type, j.value], time };
}

/** The component of instance `rid` as its master generates it (RFC 5545 §3.8.4.4): no recurrence, RECURRENCE-ID and times of the instance. */
export function deriveInstance(master: Item, rid: string): JComp {
  const c = clone(master.raw);
  removeProps(c, "rrule", "rdate", "exdate", "recurrence-id");
  const evStart = master.ev.getFirstPropertyValue("dtstart");
  const startZone = evStart instanceof ICAL.Time ? (evStart.zone ?? null) : null;
  const { prop, time } = timeProp("dtstart", rid, propOf(master.raw, "dtstart"), startZone);
  setProp(c, prop);
  setProp(c, ["recurrence-id", ...(prop.slice(1) as [Record<string, unknown>, string, ...unknown[]])]);
  for (const name of ["dtend", "due"]) {
    const evEnd = master.ev.getFirstPropertyValue(name);
    const raw = propOf(master.raw, name);
    if (!(evEnd instanceof ICAL.Time) || !(evStart instanceof ICAL.Time) || !raw) continue;
    let end = time.clone();
    end.addDuration(evEnd.subtractDate(evStart));
    if (evEnd.zone && !end.isDate && time.zone) end = toZone(end, evEnd.zone);
    setProp(c, [name, clone(raw[1]), raw[2], end.toString()]);
  }
  return c;
}

/** The raw component of instance `rid`: its override, else derived from the master; null if neither exists. */
export function instanceComponent(cal: Cal, rid: string): JComp | null {
  const item = cal.items.find((i) => i.rid === rid);
  if (item) return item.raw;
  const master = cal.items.find((i) => i.rid === "");
  return master && rid !== "" ? deriveInstance(master, rid) : null;
}

const CONTEXT = ["uid", "sequence", "recurrence-id", "dtstart", "dtend", "duration", "due", "summary"];

function attendeeLine(source: JComp | null, address: string): JProp {
  const p = source && findAttendee(source, address);
  const out: JProp = p ? clone(p) : ["attendee", {}, "cal-address", address];
  for (const n of SERVER_PARAMS) delete out[1][n];
  return out;
}

/**
 * A CANCEL component (RFC 5546 §3.2.5) for one instance ("" = the whole
 * event) addressed to one Attendee, from the instance's stored component; a
 * minimal one (UID, RECURRENCE-ID, ORGANIZER) when none is known.
 */
export function cancelComponent(source: JComp | null, fallback: { uid: string; organizer: string; sequence: number; rid: string }, attendee: string, stamp: string): JComp {
  const props: JProp[] = [];
  if (source) {
    for (const p of source[1]) if ([...CONTEXT, "location", "organizer"].includes(p[0])) props.push(clone(p));
  } else {
    props.push(["uid", {}, "text", fallback.uid], ["sequence", {}, "integer", fallback.sequence], ["organizer", {}, "cal-address", fallback.organizer]);
    if (fallback.rid) {
      const j = keyToJcal(fallback.rid);
      props.push(["recurrence-id", {}, j.type, j.value]);
    }
  }
  const c: JComp = [source?.[0] ?? "vevent", props, []];
  if (sequenceOf(c) < fallback.sequence) setProp(c, ["sequence", {}, "integer", fallback.sequence]);
  // The stored copy may have lost its ORGANIZER (the organizer turned scheduling off); a CANCEL still needs one.
  if (!propOf(c, "organizer")) c[1].push(["organizer", {}, "cal-address", fallback.organizer]);
  c[1].push(attendeeLine(source, attendee), ["status", {}, "text", "CANCELLED"]);
  stripParams(c, SERVER_PARAMS);
  setDtstamp(c, stamp);
  return c;
}

/** A REPLY component (RFC 5546 §3.2.3): ORGANIZER, only the replying ATTENDEE with its PARTSTAT, times for context. */
export function replyComponent(source: JComp, attendee: string, partstat: string, stamp: string): JComp {
  const props = source[1].filter((p) => [...CONTEXT, "organizer"].includes(p[0])).map((p) => clone(p));
  const me = attendeeLine(source, attendee);
  me[1]["partstat"] = partstat;
  const c: JComp = [source[0], [...props, me, ["request-status", {}, "text", ["2.0", "Success"]]], []];
  stripParams(c, SERVER_PARAMS);
  setDtstamp(c, stamp);
  return c;
}

export interface MessageInput {
  method: ItipMethod;
  originator: string;
  recipient: string;
  uid: string;
  comps: JComp[];
  /** The VCALENDAR whose VERSION/PRODID/CALSCALE the message takes. */
  from: JComp | null;
  tzSources: JComp[];
  stamp: string;
  recurrenceIds: string[];
}

/** A message body once built: shared by every recipient that gets the same components. */
export interface BuiltBody {
  body: string;
  sequence: number;
}

export function buildBody(m: Omit<MessageInput, "recipient" | "originator" | "uid" | "recurrenceIds">): BuiltBody {
  return { body: serialize(wrap(m.from, m.comps, m.method, m.tzSources)), sequence: Math.max(0, ...m.comps.map(sequenceOf)) };
}

/** The message to one recipient around a body built by buildBody (the same string for all who share it). */
export function addressMessage(m: Pick<MessageInput, "method" | "originator" | "recipient" | "uid" | "stamp" | "recurrenceIds">, built: BuiltBody): OutgoingMessage {
  return {
    method: m.method,
    originator: normAddress(m.originator),
    recipient: normAddress(m.recipient),
    uid: m.uid,
    sequence: built.sequence,
    dtstamp: m.stamp,
    body: built.body,
    recurrenceIds: m.recurrenceIds,
  };
}

export function buildMessage(m: MessageInput): OutgoingMessage {
  return addressMessage(m, buildBody(m));
}
