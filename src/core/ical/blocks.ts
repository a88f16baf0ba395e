// The components of a whole iCalendar stream at text level (RFC 5545 §3.4,
// §3.6): each child of each VCALENDAR as its own slice of text, with the few
// facts splitting and joining need (UID, RECURRENCE-ID, the TZIDs it names).
// No ical.js: a 10 MB export is walked once, character by character, and the
// blocks are parsed one at a time later. Lines may end in CRLF, LF or CR.
import { contentLines, splitLine } from "./content-line.js";

/** One child component of a VCALENDAR, as it was written. */
export interface Block {
  /** Which VCALENDAR of the stream (0-based) holds it. */
  calendar: number;
  /** Upper-case component name (VEVENT, VTIMEZONE, ...). */
  name: string;
  /** Its lines from BEGIN to END, each ended by CRLF. */
  text: string;
  /** The 1-based line of its BEGIN. */
  line: number;
}

/** Physical lines as [start, end) offsets; every iteration consumes at least one character. */
function* physicalLines(text: string): Generator<[number, number]> {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 10 || c === 13) break;
      j++;
    }
    yield [i, j];
    if (j < n && text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) === 10) j++;
    i = j + 1;
  }
}

/** Line breaks as CRLF (RFC 5545 §3.1); a block already written so is kept as it is, not copied. */
const crlfLines = (s: string): string => (/\r(?!\n)|(?<!\r)\n/.test(s) ? s.replace(/\r\n|\r|\n/g, "\r\n") : s);

const BEGIN_END = /^(BEGIN|END):([A-Za-z0-9-]*)\s*$/i;

/**
 * The children of every VCALENDAR in `text`. Throws fail(...) at the first line that breaks the BEGIN/END skeleton:
 * anything outside a VCALENDAR but blank lines, an END that closes nothing or something else, a BEGIN never closed.
 */
export function* calendarBlocks(text: string, fail: (description: string) => Error): Generator<Block> {
  const stack: string[] = [];
  let calendar = -1;
  let lineNo = 0;
  let block: { name: string; start: number; line: number } | null = null;
  for (const [start, end] of physicalLines(text)) {
    lineNo++;
    const first = text.charCodeAt(start);
    if (start === end || first === 32 || first === 9) {
      if (stack.length === 0 && start !== end && text.slice(start, end).trim() !== "") throw fail(`line ${lineNo}: text outside BEGIN:VCALENDAR ... END:VCALENDAR`);
      continue;
    }
    // Only short lines can be BEGIN or END; a long property value is never copied to be looked at.
    const m = end - start <= 80 ? BEGIN_END.exec(text.slice(start, end)) : null;
    if (stack.length === 0) {
      if (!m || m[1]!.toUpperCase() !== "BEGIN" || m[2]!.toUpperCase() !== "VCALENDAR") {
        if (text.slice(start, end).trim() === "") continue;
        throw fail(calendar < 0 ? `line ${lineNo}: expected BEGIN:VCALENDAR` : `line ${lineNo}: text after END:VCALENDAR`);
      }
      calendar++;
      stack.push("VCALENDAR");
      continue;
    }
    if (!m) continue;
    const name = m[2]!.toUpperCase();
    if (m[1]!.toUpperCase() === "BEGIN") {
      if (name === "") throw fail(`line ${lineNo}: BEGIN without a component name`);
      if (stack.length === 1) block = { name, start, line: lineNo };
      stack.push(name);
      continue;
    }
    const open = stack.pop()!;
    if (open !== name) throw fail(`line ${lineNo}: END:${name} does not close BEGIN:${open}`);
    if (stack.length === 1 && block) {
      yield { calendar, name: block.name, text: `${crlfLines(text.slice(block.start, end))}\r\n`, line: block.line };
      block = null;
    }
  }
  if (stack.length) throw fail(`BEGIN:${stack[stack.length - 1]} is never closed`);
  if (calendar < 0) throw fail("no BEGIN:VCALENDAR: the file is empty");
}

/** What splitting and joining read of one block's own properties (not its subcomponents'), and every TZID it uses. */
export interface BlockFacts {
  uid: string | null;
  recurrenceId: boolean;
  /** The TZID property of a VTIMEZONE. */
  tzid: string | null;
  /** TZID parameters anywhere in the block (RFC 5545 §3.2.19), alarms included. */
  uses: Set<string>;
}

export function blockFacts(block: string): BlockFacts {
  const facts: BlockFacts = { uid: null, recurrenceId: false, tzid: null, uses: new Set() };
  let depth = 0;
  for (const line of contentLines(block)) {
    const parts = splitLine(line.text);
    if (!parts) continue;
    const name = parts.name.toUpperCase();
    if (name === "BEGIN") depth++;
    else if (name === "END") depth--;
    const tz = parts.params.get("TZID");
    if (tz !== undefined) facts.uses.add(tz);
    if (depth !== 1) continue;
    const value = line.text.slice(parts.valueAt).trim();
    if (name === "UID") facts.uid ??= value;
    else if (name === "RECURRENCE-ID") facts.recurrenceId = true;
    else if (name === "TZID") facts.tzid ??= value;
  }
  return facts;
}
