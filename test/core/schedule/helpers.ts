// Shared helpers for the scheduling tests: validated objects, snapshots,
// message bodies read back as jCal, and precondition assertions.
import ICAL from "ical.js";
import { expect } from "vitest";
import { DavError } from "../../../src/core/errors.js";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { snapshotOf } from "../../../src/core/schedule/snapshot.js";
import type { OutgoingMessage, ScheduleSnapshot } from "../../../src/core/schedule/types.js";

export const CYRUS = "mailto:cyrus@example.com";
export const WILFREDO = "mailto:wilfredo@example.com";
export const BERNARD = "mailto:bernard@example.net";
export const MIKE = "mailto:mike@example.org";
export const NOW = Date.UTC(2025, 0, 2, 12, 0, 0);
export const NOW_STAMP = "20250102T120000Z";

/** A validated object with its text, as the planners take it. */
export const put = (text: string) => ({ obj: parseCalendarObject(text), text });
export const snap = (text: string): ScheduleSnapshot => snapshotOf(parseCalendarObject(text))!;
/** The stored side of a resource: snapshot and text. */
export const stored = (text: string) => ({ snapshot: snap(text), text });

/** Applies line edits to an iCalendar text: each [from, to] replaces the first unfolded line equal to `from` (to = null removes it). */
export function edit(text: string, ...edits: [string, string | null][]): string {
  let lines = text.replace(/\r\n/g, "\n").replace(/\n[ \t]/g, "").split("\n");
  for (const [from, to] of edits) {
    const i = lines.indexOf(from);
    if (i < 0) throw new Error(`no line ${from}`);
    lines = [...lines.slice(0, i), ...(to === null ? [] : to.split("\n")), ...lines.slice(i + 1)];
  }
  return lines.join("\r\n");
}

export const vcalendar = (text: string) => new ICAL.Component(ICAL.parse(text) as unknown[]);
export const methodOf = (text: string) => String(vcalendar(text).getFirstPropertyValue("method"));
export const eventsOf = (text: string) => vcalendar(text).getAllSubcomponents("vevent");
/** RECURRENCE-ID values as written ("2025-01-13T10:00:00"), "" for the master. */
export const ridsOf = (text: string) => eventsOf(text).map((e) => String(e.getFirstProperty("recurrence-id")?.getFirstValue() ?? ""));
export const attendeesOf = (c: ICAL.Component) => c.getAllProperties("attendee").map((p) => String(p.getFirstValue()).toLowerCase());
export const partstatOf = (c: ICAL.Component, address: string) =>
  c.getAllProperties("attendee").find((p) => String(p.getFirstValue()).toLowerCase() === address)?.getParameter("partstat");

/** The text with an Attendee's PARTSTAT set in every component listing them (as a client would write it). */
export function withPartstat(text: string, address: string, partstat: string): string {
  const cal = vcalendar(text);
  for (const e of cal.getAllSubcomponents()) {
    for (const p of e.getAllProperties("attendee")) if (String(p.getFirstValue()).toLowerCase() === address) p.setParameter("partstat", partstat);
  }
  return cal.toString() + "\r\n";
}

/** The messages as [method, recipient] pairs, sorted. */
export const summary = (messages: OutgoingMessage[]) => messages.map((m) => `${m.method} ${m.recipient}`).sort();
export const to = (messages: OutgoingMessage[], recipient: string, method?: string) =>
  messages.filter((m) => m.recipient === recipient && (!method || m.method === method));

/** A body as jCal without DTSTAMP and PRODID, for comparing messages with expected ones. */
export function comparable(text: string): unknown {
  const strip = (c: unknown[]): unknown[] => [
    c[0],
    (c[1] as unknown[][]).filter((p) => p[0] !== "dtstamp" && p[0] !== "prodid"),
    (c[2] as unknown[][]).map(strip),
  ];
  return strip(ICAL.parse(text) as unknown[]);
}

/** Asserts a DavError with the CalDAV precondition and status; returns its description. */
export function expectPrecondition(fn: () => unknown, local: string, status = 403): string {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DavError);
  const e = error as DavError;
  expect(e.status).toBe(status);
  expect(e.condition?.name).toBe(`{urn:ietf:params:xml:ns:caldav}${local}`);
  return e.message;
}
