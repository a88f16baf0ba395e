// Text-level checks ical.js does not make (RFC 5545 §3.1 content lines, §3.4
// and §3.6 BEGIN/END nesting), so that malformed bodies fail with a line
// number instead of being silently repaired: a mismatched END, text after
// END:VCALENDAR, more than one VCALENDAR. Also turns ical.js parse failures
// into "line N: ..." descriptions. Accepts CRLF, LF and CR line endings.
import ICAL from "ical.js";
import type { DavError } from "../errors.js";
// Rules are read whatever the case of their values (RFC 5545 §3.3.10 with RFC 5234 §2.3), wherever bodies are parsed.
import "./recur-case.js";

export type Fail = (description: string) => DavError;

function physicalLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** Checks the BEGIN/END skeleton: exactly one VCALENDAR, properly nested. Throws fail(...). */
export function checkStructure(text: string, fail: Fail): void {
  const lines = physicalLines(text);
  const stack: { name: string; line: number }[] = [];
  let calendars = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "" || line[0] === " " || line[0] === "\t") continue;
    const m = /^(BEGIN|END):(.*)$/i.exec(line.trimEnd());
    const n = i + 1;
    if (stack.length === 0) {
      if (line.trim() === "") continue;
      if (!m || m[1]!.toUpperCase() !== "BEGIN" || m[2]!.toUpperCase() !== "VCALENDAR") {
        throw fail(calendars === 0 ? `line ${n}: expected BEGIN:VCALENDAR` : `line ${n}: content after END:VCALENDAR`);
      }
      if (++calendars > 1) throw fail(`line ${n}: more than one VCALENDAR (RFC 4791 §4.1 allows exactly one)`);
    }
    if (!m) continue;
    const name = m[2]!.trim().toUpperCase();
    if (m[1]!.toUpperCase() === "BEGIN") {
      if (name === "") throw fail(`line ${n}: BEGIN without a component name`);
      stack.push({ name, line: n });
    } else {
      const open = stack.pop();
      if (!open) throw fail(`line ${n}: END:${name} without BEGIN`);
      if (open.name !== name) throw fail(`line ${n}: END:${name} does not close BEGIN:${open.name} of line ${open.line}`);
    }
  }
  const open = stack.pop();
  if (open) throw fail(`line ${open.line}: BEGIN:${open.name} is never closed`);
  if (calendars === 0) throw fail("the body is empty: expected a VCALENDAR");
}

/** ical.js parse with failures reported as fail("line N: ..."). */
export function parseText(text: string, fail: Fail): unknown[] {
  try {
    return ICAL.parse(text) as unknown[];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw fail(`${locate(text) ?? "not parseable iCalendar"}: ${message}`);
  }
}

/** Finds the first content line ical.js cannot parse on its own (error path only). */
function locate(text: string): string | null {
  const lines = physicalLines(text);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const first = i + 1;
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) line += lines[++i]!.slice(1);
    if (line.trim() === "" || /^(BEGIN|END):/i.test(line)) continue;
    try {
      ICAL.parse.property(line);
    } catch {
      return `line ${first}`;
    }
  }
  return null;
}
