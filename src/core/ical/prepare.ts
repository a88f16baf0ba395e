// The validation every stored calendar object goes through, whoever sends it
// (a client's PUT, RFC 4791 §5.3.2; an imported .ics file): UTF-8 text with no
// control character but HTAB (RFC 5545 §3.1) and only the TEXT escapes of
// §3.3.11, then the structure and preconditions of RFC 4791 §4.1 and §5.3.2.1
// under the collection's limits, and the index a write stores beside the body.
import { C, precondition } from "../errors.js";
import type { Limits } from "../props/types.js";
import { instanceIndex, type InstanceIndex } from "../query/instance-index.js";
import { snapshotOf, type ScheduleSnapshot } from "../schedule/index.js";
import { invalidData } from "./component.js";
import { checkControlCharacters } from "./control.js";
import { checkTextEscapes } from "./escapes.js";
import { parseCalendarObject, type CalendarObject } from "./parse.js";

/** One decoder for every call (each decode starts afresh without `stream`). */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * An iCalendar body as text: UTF-8 with no control character but HTAB (RFC 5545 §3.1)
 * and no escape in a TEXT value but \\ \; \, \N \n (§3.3.11). Only here, on the way in.
 */
export function decodeCalendar(bytes: Uint8Array): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw precondition(403, C.validCalendarData, "iCalendar data must be UTF-8");
  }
  checkControlCharacters(text, invalidData);
  checkTextEscapes(text, invalidData);
  return text;
}

/** A calendar object checked and indexed, ready for the home's putObject. */
export interface PreparedObject {
  text: string;
  parsed: CalendarObject;
  /** The RFC 6638 scheduling snapshot when the object has an ORGANIZER, else null. */
  snapshot: ScheduleSnapshot | null;
  instances: InstanceIndex | null;
}

/** Decodes, validates and indexes one calendar object resource; throws DavError 403 with the RFC 4791 precondition. */
export function prepareObject(bytes: Uint8Array, limits: Limits, now: number): PreparedObject {
  const text = decodeCalendar(bytes);
  const parsed = parseCalendarObject(text, {
    minDateTime: limits.minDateTime,
    maxDateTime: limits.maxDateTime,
    maxInstances: limits.maxInstances,
    maxAttendeesPerInstance: limits.maxAttendeesPerInstance,
  });
  return { text, parsed, snapshot: snapshotOf(parsed), instances: instanceIndex(parsed, now) };
}
