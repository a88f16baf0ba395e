// Shared helpers for the iCalendar tests: fixture loading, tiny calendars,
// and precondition assertions.
import { expect } from "vitest";
import { DavError } from "../../../src/core/errors.js";
import { OBJECT_FIXTURES, TIMEZONE_FIXTURES } from "./fixtures.js";

export function fixture(name: string): string {
  const text = OBJECT_FIXTURES[name];
  if (text === undefined) throw new Error(`no fixture ${name} (list it in fixtures.ts)`);
  return text;
}
export const fixtureNames = (): string[] => Object.keys(OBJECT_FIXTURES).sort();

export function tzFixture(name: string): string {
  const text = TIMEZONE_FIXTURES[name];
  if (text === undefined) throw new Error(`no fixture calendar-timezone/${name} (list it in fixtures.ts)`);
  return text;
}

/** A VCALENDAR (CRLF) around the given component blocks; each block is lines joined by "\n". */
export function cal(...blocks: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//test//EN", ...blocks, "END:VCALENDAR", ""].join("\r\n").replace(/\r?\n/g, "\r\n");
}

/** A VEVENT block with the given extra lines (UID defaults to "u1"). */
export function vevent(...lines: string[]): string {
  const uid = lines.some((l) => l.startsWith("UID")) ? [] : ["UID:u1"];
  return ["BEGIN:VEVENT", ...uid, "DTSTAMP:20250101T000000Z", ...lines, "END:VEVENT"].join("\n");
}

export function vtodo(...lines: string[]): string {
  const uid = lines.some((l) => l.startsWith("UID")) ? [] : ["UID:t1"];
  return ["BEGIN:VTODO", ...uid, "DTSTAMP:20250101T000000Z", ...lines, "END:VTODO"].join("\n");
}

export const CALDAV = "urn:ietf:params:xml:ns:caldav";

/** Asserts that fn throws a DavError with the given status and CalDAV precondition; returns its description. */
export function expectPrecondition(fn: () => unknown, local: string, status = 403): string {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected precondition ${local}`).toBeInstanceOf(DavError);
  const e = error as DavError;
  expect(e.status).toBe(status);
  expect(e.condition?.name).toBe(`{${CALDAV}}${local}`);
  expect(e.message).not.toMatch(/\n\s+at /); // never a stack
  return e.message;
}

export const utc = (s: string): number => Date.parse(s);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
