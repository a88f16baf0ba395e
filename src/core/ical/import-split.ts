// Splits one uploaded iCalendar file (an export from another calendar) into
// calendar object resources (RFC 4791 §4.1): the components of one UID go
// together, a master with its overrides (RECURRENCE-ID, RFC 5545 §3.8.4.4),
// and each VTIMEZONE goes with every object whose TZID parameters name it
// (RFC 5545 §3.6.5). A file that is no iCalendar at all is refused as a whole;
// what is wrong with one object only skips that object. Each object is then
// validated like a client's PUT (prepare.ts) when it is stored.
import { calendarBlocks, blockFacts, type Block } from "./blocks.js";
import { COMPONENT_TYPES } from "./component.js";

/** The bounds of one import (README "Import and export"). */
export const IMPORT_LIMITS = {
  /** Octets of the uploaded file. */
  maxBytes: 16 * 1024 * 1024,
  /** Calendar objects (UIDs) it may hold. */
  maxObjects: 25_000,
  /** Components of every kind (events, overrides, time zones, ...). */
  maxComponents: 100_000,
};

/** The file as a whole cannot be imported; nothing was changed. */
export class ImportRefused extends Error {}

export interface SplitObject {
  uid: string;
  component: string;
  /** One VCALENDAR with VERSION, PRODID, the VTIMEZONEs its TZIDs name, and the UID's components. */
  text: string;
}

export interface Skip {
  uid: string;
  reason: string;
}

export interface Split {
  /** How many objects objects() yields. */
  count: number;
  /** What could not become an object, with the reason. */
  skipped: Skip[];
  /** The objects, built one at a time so the whole set is never held at once. */
  objects(): Generator<SplitObject>;
}

export const IMPORT_PRODID = "-//edge-caldav//import//EN";
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const KNOWN = new Set<string>(COMPONENT_TYPES);

/** Splits the bytes of an uploaded file; throws ImportRefused with the reason when it is no iCalendar file. */
export function splitCalendarFile(bytes: Uint8Array): Split {
  if (bytes.byteLength > IMPORT_LIMITS.maxBytes)
    throw new ImportRefused(`the file has ${bytes.byteLength} octets; at most ${IMPORT_LIMITS.maxBytes} can be imported at once`);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new ImportRefused("not an iCalendar file: it is not UTF-8 text (RFC 5545 §3.1)");
  }
  return splitCalendarText(text);
}

interface Group {
  component: string;
  blocks: Block[];
  /** The block's TZIDs, per block. */
  uses: Set<string>[];
  mixed: Set<string> | null;
}

export function splitCalendarText(input: string): Split {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const refuse = (d: string) => new ImportRefused(`not an iCalendar file: ${d}`);
  // VTIMEZONEs by VCALENDAR and TZID: a file concatenating several calendars keeps each one's definitions.
  const zones = new Map<string, string>();
  const groups = new Map<string, Group>();
  const skipped: Skip[] = [];
  let components = 0;
  for (const block of calendarBlocks(text, refuse)) {
    if (++components > IMPORT_LIMITS.maxComponents)
      throw new ImportRefused(`the file has more than ${IMPORT_LIMITS.maxComponents} components; split it and import the parts`);
    const facts = blockFacts(block.text);
    if (block.name === "VTIMEZONE") {
      if (facts.tzid) {
        const key = `${block.calendar}\u0000${facts.tzid}`;
        if (!zones.has(key)) zones.set(key, block.text);
      }
      continue;
    }
    if (!KNOWN.has(block.name)) {
      if (!block.name.startsWith("X-")) skipped.push({ uid: facts.uid ?? "", reason: `line ${block.line}: ${block.name} components are not calendar data this server stores` });
      continue;
    }
    if (!facts.uid) {
      skipped.push({ uid: "", reason: `line ${block.line}: ${block.name} without UID (RFC 5545 §3.8.4.7)` });
      continue;
    }
    let g = groups.get(facts.uid);
    if (!g) {
      if (groups.size >= IMPORT_LIMITS.maxObjects)
        throw new ImportRefused(`the file has more than ${IMPORT_LIMITS.maxObjects} calendar objects; split it and import the parts`);
      g = { component: block.name, blocks: [], uses: [], mixed: null };
      groups.set(facts.uid, g);
    }
    if (block.name !== g.component) (g.mixed ??= new Set([g.component])).add(block.name);
    g.blocks.push(block);
    g.uses.push(facts.uses);
  }
  if (groups.size === 0 && skipped.length === 0) throw refuse("it holds no events, to-dos or journal entries");
  for (const [uid, g] of groups) {
    if (!g.mixed) continue;
    skipped.push({ uid, reason: `components of one UID have different types (${[...g.mixed].join(", ")}); a calendar object holds one type (RFC 4791 §4.1)` });
    groups.delete(uid);
  }
  return {
    count: groups.size,
    skipped,
    *objects() {
      for (const [uid, g] of groups) yield { uid, component: g.component, text: objectText(g, zones) };
    },
  };
}

/** One object's VCALENDAR: each VTIMEZONE it names once, then its components, in file order. */
function objectText(g: Group, zones: Map<string, string>): string {
  const parts = ["BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", `PRODID:${IMPORT_PRODID}\r\n`];
  const added = new Set<string>();
  g.blocks.forEach((b, i) => {
    for (const tzid of g.uses[i]!) {
      const key = `${b.calendar}\u0000${tzid}`;
      const zone = zones.get(key);
      if (zone === undefined || added.has(key)) continue;
      added.add(key);
      parts.push(zone);
    }
  });
  for (const b of g.blocks) parts.push(b.text);
  parts.push("END:VCALENDAR\r\n");
  return parts.join("");
}
