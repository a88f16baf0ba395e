// Applying an Organizer's REQUEST or CANCEL to the recipient's copy (RFC 6638
// §4.1, RFC 5546 §3.2.2 and §3.2.5). A REQUEST creates the copy or updates
// it: the Organizer's data replaces the old, while the Attendee keeps their
// own data (VALARMs, TRANSP, PERCENT-COMPLETE, COMPLETED, CATEGORIES, X-MOZ-*
// and X-APPLE-* per-user properties) and their PARTSTAT, unless the instance
// changed significantly (then the Organizer's value, NEEDS-ACTION after a
// reschedule, wins: RFC 6638 §3.2.8). A REQUEST with overrides only updates
// those instances. A CANCEL marks the event or instance STATUS:CANCELLED;
// the resource stays so the user sees it. Messages that do not supersede
// what the copy holds are ignored (RFC 5546 §2.1.5).
import ICAL from "ical.js";
import { C, precondition } from "../errors.js";
import {
  SERVER_PARAMS, clone, findAttendee, itemAt, masterOf, normAddress, propOf, propsOf, readCal, serialize, setProp, stripParams,
  timeKey, timezonesFor, type Cal, type Item, type JComp, type JProp,
} from "./calendar.js";
import { exdateKeys, fingerprint, instanceKeys } from "./fingerprint.js";
import { isNewer, readItip, type ItipMessage, type Ordering } from "./itip.js";
import { deriveInstance } from "./message.js";
import type { Now } from "./types.js";

export interface ApplyInput {
  /** The recipient's current copy, null if they have none. */
  existing: string | null;
  message: ItipMessage;
  /** The recipient's address as the message lists it. */
  recipient: string;
  now?: Now;
}

export interface ApplyResult {
  text: string;
  created: boolean;
  /** Only the participation status of Attendees changed: the Schedule-Tag stays (RFC 6638 §3.2.10). */
  partstatOnly: boolean;
  /** The instances the message changed ("" = master). */
  recurrenceIds: string[];
}

const invalid = (d: string) => precondition(403, C.validCalendarData, d);
const PER_USER = new Set(["transp", "percent-complete", "completed", "categories"]);
const perUser = (name: string) =>
  PER_USER.has(name) || name.startsWith("x-moz-") || (name.startsWith("x-apple-") && name !== "x-apple-structured-location");

export const orderOf = (item: Item): Ordering => {
  const seq = Number(item.ev.getFirstPropertyValue("sequence") ?? 0);
  const stamp = propOf(item.raw, "dtstamp")?.[3];
  return { sequence: Number.isFinite(seq) ? seq : 0, dtstamp: typeof stamp === "string" ? stamp.replace(/[-:]/g, "") : "" };
};

/** The EXDATE values of a master, each with its raw property and instance key. */
function exdateValues(master: Item): { prop: JProp; value: unknown; key: string }[] {
  const evs = master.ev.getAllProperties("exdate");
  return propsOf(master.raw, "exdate").flatMap((p, i) =>
    p.slice(3).map((value, j) => ({ prop: p, value, key: timeKey(evs[i]!.getValues()[j] as ICAL.Time) })),
  );
}

/** A master component with its EXDATE values rebuilt, one per property, from `values`. */
function withExdates(c: JComp, values: { prop: JProp; value: unknown }[]): void {
  c[1] = [...c[1].filter((p) => p[0] !== "exdate"), ...values.map((v): JProp => ["exdate", clone(v.prop[1]), v.prop[2], v.value])];
}

const partstatIn = (c: JComp | undefined, me: string) => {
  const p = c && findAttendee(c, me);
  return p ? String(p[1]["partstat"] ?? "NEEDS-ACTION").toUpperCase() : undefined;
};

/** Whether component `m` shows the instance as `old` does (`old` being its own override, or the master generating it). */
function sameInstance(m: Item, old: Item): boolean {
  const a = instanceKeys(m.ev);
  const b = instanceKeys(old.ev);
  if (old.rid === m.rid) return a.significant === b.significant;
  return a.start === m.rid && a.duration === b.duration && a.content === b.content;
}

/** The message component with the recipient's own data from `old` carried over. */
function merge(m: Item, old: Item | undefined, me: string): JComp {
  const c = clone(m.raw);
  c[2] = c[2].filter((s) => s[0] !== "valarm");
  stripParams(c, SERVER_PARAMS);
  if (!old) return c;
  c[2].push(...old.raw[2].filter((s) => s[0] === "valarm").map(clone));
  const names = new Set(old.raw[1].filter((p) => perUser(p[0])).map((p) => p[0]));
  c[1] = [...c[1].filter((p) => !names.has(p[0])), ...old.raw[1].filter((p) => names.has(p[0])).map(clone)];
  const mine = findAttendee(c, me);
  const before = partstatIn(old.raw, me);
  if (mine && before && sameInstance(m, old)) {
    // The Attendee's own answer stands, and with it whether a reply is still awaited.
    mine[1]["partstat"] = before;
    const rsvp = findAttendee(old.raw, me)?.[1]["rsvp"];
    if (rsvp === undefined) delete mine[1]["rsvp"];
    else mine[1]["rsvp"] = rsvp;
  }
  return c;
}

/** The copy's VCALENDAR with new components and the VTIMEZONEs they need. */
function compose(ex: Cal, msg: Cal, comps: JComp[]): string {
  const props = ex.top[1].filter((p) => p[0] !== "method").map(clone);
  return serialize(["vcalendar", props, [...timezonesFor(comps, [...msg.timezones, ...ex.timezones]), ...comps]]);
}

const SHARED_IGNORE: ReadonlySet<string> = new Set(["dtstamp", "last-modified", "created", "exdate", ...PER_USER]);
function organizerView(cal: Cal): string {
  const fp = cal.items.map((i) => fingerprint(i.ev, i.rid, { instance: false, ignore: SHARED_IGNORE }).join("\n"));
  return [...fp.sort(), masterOf(cal) ? exdateKeys(masterOf(cal)!.ev).join(",") : ""].join("\n--\n");
}

/** Applies a REQUEST; null if the message is not newer than the copy (or changes nothing). */
export function applyRequest(input: ApplyInput): ApplyResult | null {
  const msg = readItip(input.message.text);
  const me = normAddress(input.recipient);
  if (!input.existing) {
    const comps = msg.items.map((m) => merge(m, undefined, me));
    const top: JComp = ["vcalendar", [], []];
    top[1] = msg.top[1].filter((p) => p[0] !== "method").map(clone);
    top[2] = [...timezonesFor(comps, msg.timezones), ...comps];
    return { text: serialize(top), created: true, partstatOnly: false, recurrenceIds: msg.items.map((i) => i.rid) };
  }
  const ex = readCal(input.existing, invalid);
  const exM = masterOf(ex);
  const msgM = masterOf(msg);
  let comps: JComp[];
  let applied: string[];
  if (msgM) {
    const base = exM ?? ex.items[0]!;
    if (!isNewer(orderOf(msgM), orderOf(base))) return null;
    comps = msg.items.map((m) => merge(m, itemAt(ex, m.rid) ?? (m.rid ? exM : undefined), me));
    applied = msg.items.map((m) => m.rid);
    const unchanged = !!exM && instanceKeys(exM.ev).significant === instanceKeys(msgM.ev).significant;
    const newEx = exdateKeys(msgM.ev);
    if (unchanged && exM) {
      // The series is the same: keep the Attendee's own overrides and EXDATEs (RFC 6638 §3.2.2.1 items 8, 11).
      // Only overrides that carry the master's data: one the Organizer dropped (a moved instance reverted) goes.
      for (const e of ex.items) {
        if (e.rid && !itemAt(msg, e.rid) && !newEx.includes(e.rid) && sameInstance(e, msgM)) comps.push(clone(e.raw));
      }
      const master = comps[msg.items.indexOf(msgM)]!;
      const own = exdateValues(exM).filter((v) => !newEx.includes(v.key) && !itemAt(msg, v.key));
      master[1].push(...own.map((v): JProp => ["exdate", clone(v.prop[1]), v.prop[2], v.value]));
    }
  } else {
    const taken = msg.items.filter((m) => {
      const base = itemAt(ex, m.rid) ?? exM;
      return !base || isNewer(orderOf(m), orderOf(base));
    });
    comps = ex.items.map((e) => clone(e.raw));
    applied = [];
    const masterComp = exM ? comps[ex.items.indexOf(exM)]! : undefined;
    for (const m of taken) {
      const removed = exM && exdateKeys(exM.ev).includes(m.rid);
      // An instance the Attendee removed stays removed unless the Organizer moved or changed it.
      if (removed && sameInstance(m, exM!)) continue;
      if (removed && masterComp) withExdates(masterComp, exdateValues(exM!).filter((v) => v.key !== m.rid));
      const at = ex.items.findIndex((e) => e.rid === m.rid);
      const merged = merge(m, at >= 0 ? ex.items[at] : exM, me);
      if (at >= 0) comps[at] = merged;
      else comps.push(merged);
      applied.push(m.rid);
    }
  }
  if (applied.length === 0) return null;
  const text = compose(ex, msg, comps);
  const after = readCal(text, invalid);
  return { text, created: false, partstatOnly: organizerView(after) === organizerView(ex), recurrenceIds: applied };
}

/** Marks a component cancelled with the ordering data of the CANCEL component `m`. */
function markCancelled(c: JComp, m: Item): void {
  setProp(c, ["status", {}, "text", "CANCELLED"]);
  setProp(c, ["sequence", {}, "integer", orderOf(m).sequence]);
  const stamp = propOf(m.raw, "dtstamp");
  if (stamp) setProp(c, clone(stamp));
}

/**
 * Applies a CANCEL: without RECURRENCE-ID the whole copy becomes
 * STATUS:CANCELLED; for an instance, its override is marked cancelled, or
 * created from the master as a cancelled override (rather than an EXDATE, so
 * the user still sees it, and its SEQUENCE/DTSTAMP keep older REQUESTs for it
 * out). Null if nothing was newer than the copy.
 */
export function applyCancel(input: ApplyInput): ApplyResult | null {
  if (!input.existing) return null;
  const msg = readItip(input.message.text);
  const ex = readCal(input.existing, invalid);
  const exM = masterOf(ex);
  const applied: string[] = [];
  for (const m of msg.items) {
    if (m.rid === "") {
      if (!isNewer(orderOf(m), orderOf(exM ?? ex.items[0]!))) continue;
      for (const e of ex.items) markCancelled(e.raw, m);
    } else {
      const e = itemAt(ex, m.rid);
      if (e) {
        if (!isNewer(orderOf(m), orderOf(e))) continue;
        markCancelled(e.raw, m);
      } else {
        if (!exM || exdateKeys(exM.ev).includes(m.rid) || !isNewer(orderOf(m), orderOf(exM))) continue;
        const c = deriveInstance(exM, m.rid);
        markCancelled(c, m);
        ex.top[2].push(c);
      }
    }
    applied.push(m.rid);
  }
  if (applied.length === 0) return null;
  return { text: serialize(ex.top), created: false, partstatOnly: false, recurrenceIds: applied };
}
