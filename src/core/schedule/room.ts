// Automatic replies for ROOM and RESOURCE principals (RFC 6638 §2.4.2
// calendar-user-type; the behaviour itself is not in the RFC, Apple's
// CalendarServer has it): an invitation is ACCEPTED if every instance the
// resource is invited to, from now up to a horizon (two years by default), is
// free, else DECLINED. autoSchedule() then applies the REQUEST to the
// resource's copy (RFC 6638 §4.1), records that PARTSTAT and plans the REPLY
// to the Organizer as an Attendee's change would (RFC 6638 §3.2.2.3).
// The instances checked are bounded (ical/limits.ts): LIMITS.roomInstances
// from now on, within LIMITS.stepsPerWalk steps of expansion; an invitation
// whose instances cannot be walked within them is DECLINED, as is one the
// resource's busy time cannot be found for (src/home/busy.ts).
import ICAL from "ical.js";
import { LIMITS } from "../ical/limits.js";
import { metered, spend, StepLimit } from "../ical/recur-guard.js";
import { parseCalendarObject } from "../ical/parse.js";
import { icalTimeToUtcMs } from "../ical/time.js";
import { findAttendee, masterOf, normAddress, nowMs, readCal, serialize, timeKey, type Item } from "./calendar.js";
import { planAttendee } from "./attendee.js";
import { C, precondition } from "../errors.js";
import { applyRequest } from "./inbound-request.js";
import { readItip, type ItipMessage } from "./itip.js";
import type { Now, OutgoingMessage } from "./types.js";

/** Busy time of the resource, excluding the event being scheduled (same UID): a test, or periods in ms UTC. */
export type BusyCheck = ((start: number, end: number) => boolean) | readonly { start: number; end: number }[];

export interface AutoReplyInput {
  request: ItipMessage;
  busy: BusyCheck;
  /** Only instances listing this address count (default: all). */
  recipient?: string;
  now?: Now;
  /** How far ahead recurring instances are checked, ms (default two years). */
  horizonMs?: number;
}

const DAY = ICAL.Duration.fromData({ days: 1 });
const cancelled = (i: Item) => String(i.ev.getFirstPropertyValue("status") ?? "").toUpperCase() === "CANCELLED";

/** [start, end) in ms of an instance starting at `start` with the component's length. */
function span(c: ICAL.Component, start: ICAL.Time): [number, number] {
  const s = c.getFirstPropertyValue("dtstart") as ICAL.Time;
  const endProp = c.getFirstPropertyValue("dtend") ?? c.getFirstPropertyValue("due");
  const dur = c.getFirstPropertyValue("duration");
  const end = start.clone();
  if (endProp instanceof ICAL.Time) end.addDuration(endProp.subtractDate(s));
  else if (dur instanceof ICAL.Duration) end.addDuration(dur);
  else if (start.isDate) end.addDuration(DAY);
  const a = icalTimeToUtcMs(start);
  return [a, Math.max(icalTimeToUtcMs(end), a + 1)];
}

/** The instances to check: [start, end) in ms, from now to the horizon, bounded; null when they could not be walked. */
function instances(items: Item[], overridden: ReadonlySet<string>, from: number, to: number): [number, number][] | null {
  return metered(LIMITS.stepsPerWalk, () => walkInstances(items, overridden, from, to))?.value ?? null;
}

function walkInstances(items: Item[], overridden: ReadonlySet<string>, from: number, to: number): [number, number][] | null {
  const out: [number, number][] = [];
  for (const item of items) {
    const start = item.ev.getFirstPropertyValue("dtstart");
    if (!(start instanceof ICAL.Time) || cancelled(item)) continue;
    const recurring = item.rid === "" && (item.ev.hasProperty("rrule") || item.ev.hasProperty("rdate"));
    if (!recurring) {
      const s = span(item.ev, start);
      if (s[1] > from) out.push(s);
      continue;
    }
    try {
      const it = new ICAL.RecurExpansion({ component: item.ev, dtstart: start });
      for (let next = it.next(), n = 0; next && n < LIMITS.roomInstances; next = it.next()) {
        spend(LIMITS.stepsPerOccurrence);
        if (icalTimeToUtcMs(next) > to) break;
        if (overridden.has(timeKey(next))) continue;
        const s = span(item.ev, next);
        if (s[1] > from) {
          out.push(s);
          n++;
        }
      }
    } catch (e) {
      if (e instanceof StepLimit) throw e;
      return null; // ical.js gave up (500 excluded dates in a row): the instances are unknown
    }
  }
  return out;
}

/** ACCEPTED if every instance the resource is invited to is free, else DECLINED. */
export function autoReply(input: AutoReplyInput): "ACCEPTED" | "DECLINED" {
  const cal = readItip(input.request.text);
  const me = input.recipient ? normAddress(input.recipient) : null;
  const mine = cal.items.filter((i) => !me || findAttendee(i.raw, me));
  const master = masterOf(cal);
  if (master && cancelled(master)) return "DECLINED";
  const from = nowMs(input.now);
  const busy = input.busy;
  const isBusy = typeof busy === "function" ? busy : (s: number, e: number) => busy.some((b) => b.start < e && b.end > s);
  // An override replaces its instance of the master even when it does not list the resource.
  const overridden = new Set(cal.items.filter((i) => i.rid).map((i) => i.rid));
  const checked = instances(mine, overridden, from, from + (input.horizonMs ?? LIMITS.roomHorizonMs));
  if (!checked) return "DECLINED";
  return checked.some(([s, e]) => isBusy(s, e)) ? "DECLINED" : "ACCEPTED";
}

export interface AutoScheduleResult {
  text: string;
  created: boolean;
  partstat: "ACCEPTED" | "DECLINED";
  messages: OutgoingMessage[];
}

const invalid = (d: string) => precondition(403, C.validCalendarData, d);

/** Applies a REQUEST to a resource's copy, answers it, and plans the REPLY; null if the REQUEST was not newer. */
export function autoSchedule(input: { existing: string | null; message: ItipMessage; recipient: string; busy: BusyCheck; now?: Now; horizonMs?: number }): AutoScheduleResult | null {
  const applied = applyRequest(input);
  if (!applied) return null;
  const partstat = autoReply({ request: input.message, busy: input.busy, recipient: input.recipient, ...(input.now !== undefined ? { now: input.now } : {}), ...(input.horizonMs !== undefined ? { horizonMs: input.horizonMs } : {}) });
  const cal = readCal(applied.text, invalid);
  const me = normAddress(input.recipient);
  for (const item of cal.items) {
    const p = findAttendee(item.raw, me);
    if (p && !cancelled(item)) p[1]["partstat"] = partstat;
  }
  const text = serialize(cal.top);
  const plan = planAttendee({
    old: { text: applied.text }, next: { obj: parseCalendarObject(text), text }, attendeeAddress: me,
    ...(input.now !== undefined ? { now: input.now } : {}),
  });
  return { text: plan.text ?? text, created: applied.created, partstat, messages: plan.messages };
}
