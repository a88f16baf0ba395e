// SCHEDULE-STATUS (RFC 6638 §7.3) on the Organizer's and Attendees' copies:
// the delivery status codes of RFC 6638 §3.2.9 (1.x registered there, 3.7,
// 3.8 and 5.x from RFC 5546 §3.6) and REQUEST-STATUS texts for
// CALDAV:request-status in POST responses (§10.4). The server sets the
// parameter on each ATTENDEE it sent a message to (§3.2.1.1: never on one it
// did not), and on the ORGANIZER of an Attendee's copy after a REPLY
// (§3.2.2.3); it never sends it in a message (§7.3).
import { C, precondition } from "../errors.js";
import { SERVER_PARAMS, normAddress, readCal, serialize, stripParams } from "./calendar.js";

export const SCHEDULE_STATUS = {
  /** The message is pending: still being sent. */
  PENDING: "1.0",
  /** Sent, delivery unknown (e.g. iMIP). */
  SENT: "1.1",
  /** Delivered. */
  DELIVERED: "1.2",
  /** Success (a REPLY without REQUEST-STATUS, RFC 6638 §4.2). */
  SUCCESS: "2.0",
  /** Success, an invalid property parameter was ignored (an unknown SCHEDULE-FORCE-SEND, §7.2). */
  PARAMETER_IGNORED: "2.3",
  /** Not delivered: not a valid calendar user. */
  INVALID_USER: "3.7",
  /** Not delivered: insufficient privileges (Organizer's or Attendee's). */
  NO_AUTHORITY: "3.8",
  /** Not delivered: temporary failure, can be retried. */
  TEMPORARY_FAILURE: "5.1",
  /** Not delivered: no way to deliver to this address; permanent. */
  NO_DELIVERY_METHOD: "5.2",
  /** Not delivered: scheduling with this recipient is not allowed; permanent. */
  REJECTED: "5.3",
} as const;

export type ScheduleStatus = (typeof SCHEDULE_STATUS)[keyof typeof SCHEDULE_STATUS];

const DESCRIPTIONS: Record<string, string> = {
  "1.0": "Pending", "1.1": "Sent", "1.2": "Delivered", "2.0": "Success", "2.3": "Success, invalid property parameter ignored",
  "3.7": "Invalid calendar user", "3.8": "No authority", "5.1": "Service unavailable", "5.2": "Invalid calendar service",
  "5.3": "No scheduling support for user",
};

/**
 * The status each message's recipient will have, known when it is planned: 1.2 (delivered) for an address a
 * principal of this server holds (`holders`: normalized address → principal), and for any other `outside`: 3.7
 * (kept for e-mail) when the deployment sends no mail, 1.1 (sent) when it sends iMIP (RFC 6047).
 */
export function promisedStatuses(
  holders: Readonly<Record<string, string>>,
  messages: readonly { recipient: string }[],
  outside: string = SCHEDULE_STATUS.INVALID_USER,
): Record<string, string> {
  return Object.fromEntries(messages.map((m) => [m.recipient, holders[normAddress(m.recipient)] ? SCHEDULE_STATUS.DELIVERED : outside]));
}

/** A REQUEST-STATUS value, "3.7;Invalid calendar user" (RFC 5545 §3.8.8.3), for CALDAV:request-status. */
export const requestStatusText = (code: string): string => `${code};${DESCRIPTIONS[code] ?? "Unknown status"}`;

const invalid = (d: string) => precondition(403, C.validCalendarData, d);

/**
 * Sets SCHEDULE-STATUS on the ATTENDEE properties of the given addresses, in
 * every component listing them, or only in the instances `recurrenceIds`
 * ("" = master) when given. Addresses are compared normalized.
 */
export function setScheduleStatus(
  text: string,
  statuses: Record<string, string>,
  recurrenceIds?: readonly string[],
  keep: (current: string | undefined, next: string) => boolean = () => false,
): string {
  const cal = readCal(text, invalid);
  const wanted = new Map(Object.entries(statuses).map(([a, s]) => [normAddress(a), s]));
  let changed = false;
  for (const item of cal.items) {
    if (recurrenceIds && !recurrenceIds.includes(item.rid)) continue;
    for (const p of item.raw[1]) {
      const status = p[0] === "attendee" ? wanted.get(normAddress(p[3])) : undefined;
      const current = p[1]["schedule-status"] as string | undefined;
      if (status === undefined || current === status || keep(current, status)) continue;
      p[1]["schedule-status"] = status;
      changed = true;
    }
  }
  return changed ? serialize(cal.top) : text;
}

/**
 * A delivery report must not overwrite what a later step already recorded: once the attendee's
 * reply set 2.x, a late "1.2 delivered" for the request that preceded it changes nothing.
 */
export const keepReplyStatus = (current: string | undefined, next: string): boolean =>
  current !== undefined && current.startsWith("2.") && next.startsWith("1.");

/** Sets SCHEDULE-STATUS on every ORGANIZER of an Attendee's copy (delivery of their REPLY, RFC 6638 §3.2.2.3). */
export function setOrganizerScheduleStatus(text: string, status: string): string {
  const cal = readCal(text, invalid);
  let changed = false;
  for (const item of cal.items) {
    for (const p of item.raw[1]) {
      if (p[0] !== "organizer" || p[1]["schedule-status"] === status) continue;
      p[1]["schedule-status"] = status;
      changed = true;
    }
  }
  return changed ? serialize(cal.top) : text;
}

/** Removes server-owned parameters (by default SCHEDULE-AGENT, SCHEDULE-STATUS, SCHEDULE-FORCE-SEND) from ORGANIZER and ATTENDEE properties. */
export function stripScheduleParams(text: string, names: readonly string[] = SERVER_PARAMS): string {
  const cal = readCal(text, invalid);
  const lower = names.map((n) => n.toLowerCase());
  const before = JSON.stringify(cal.top);
  for (const item of cal.items) stripParams(item.raw, lower);
  return JSON.stringify(cal.top) === before ? text : serialize(cal.top);
}
