// RFC 5545 §3.3.11: in a TEXT value a backslash starts one of the escapes
// "\\", "\;", "\,", "\N" or "\n" and nothing else ("\"", "\:", "\t" and a
// lone backslash at the end are invalid). Only TEXT values count: the value
// type comes from value-types.ts (VALUE= first, X- and unknown names TEXT);
// URI, CAL-ADDRESS, RECUR, dates and parameter values (RFC 6868 uses "^")
// never use backslash escapes. Multi-valued (CATEGORIES) and structured
// (REQUEST-STATUS) TEXT values follow the same rule. Checked on the way in
// (PUT, outbox POST) like control.ts, not in the parser, so bodies stored
// before this check still parse when queries and deliveries read them back.
import { contentLines, splitLine } from "./content-line.js";
import type { Fail } from "./scan.js";
import { valueType } from "./value-types.js";

/** The characters a backslash may escape in TEXT. */
const ESCAPABLE = new Set(["\\", ";", ",", "N", "n"]);

/** BEGIN and END name components; they are not properties with values. */
const NOT_PROPERTIES = new Set(["BEGIN", "END"]);

/** Offset of the first backslash from `from` on that starts no valid escape, or -1. */
export function invalidEscapeAt(s: string, from = 0): number {
  for (let i = s.indexOf("\\", from); i >= 0; i = s.indexOf("\\", i + 2)) {
    if (!ESCAPABLE.has(s[i + 1] ?? "")) return i;
  }
  return -1;
}

function shown(s: string, at: number): string {
  const next = s.codePointAt(at + 1);
  if (next === undefined) return "a backslash at the end of the value";
  return `"\\${String.fromCodePoint(next)}"`;
}

/** Throws fail("line N: ...") at the first invalid escape in a TEXT value. */
export function checkTextEscapes(text: string, fail: Fail): void {
  if (!text.includes("\\")) return;
  for (const line of contentLines(text)) {
    if (!line.text.includes("\\")) continue;
    const parts = splitLine(line.text);
    if (!parts || NOT_PROPERTIES.has(parts.name.toUpperCase())) continue;
    if (valueType(parts.name, parts.params.get("VALUE")) !== "TEXT") continue;
    const at = invalidEscapeAt(line.text, parts.valueAt);
    if (at < 0) continue;
    throw fail(
      `line ${line.lineOf(at)}: invalid escape ${shown(line.text, at)} in ${parts.name.toUpperCase()} ` +
        `(RFC 5545 §3.3.11 allows only \\\\, \\;, \\, and \\n in TEXT values)`,
    );
  }
}
