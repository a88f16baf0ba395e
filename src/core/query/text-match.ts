// CALDAV:text-match (RFC 4791 §9.7.5) with the collations of RFC 4790 §9:
// i;ascii-casemap (only a-z/A-Z are folded), i;octet (exact code units,
// hence exact UTF-8 octets), and i;unicode-casemap (RFC 5051: case folded and
// NFKD-decomposed). RFC 4791 defines substring matching; the match-type
// attribute (draft-daboo-caldav-extensions) adds equals, starts-with and
// ends-with. negate-condition inverts the result for the whole property or
// parameter: "no value matches".
import type { Collation, TextMatch } from "./filter.js";

function asciiUpper(s: string): string {
  return /[a-z]/.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s;
}

/** RFC 5051 approximated with the full Unicode case mappings of JavaScript; applied the same way to both sides. */
function unicodeFold(s: string): string {
  return s.normalize("NFKD").toUpperCase().toLowerCase().normalize("NFKD");
}

export function fold(s: string, collation: Collation): string {
  switch (collation) {
    case "i;ascii-casemap":
      return asciiUpper(s);
    case "i;unicode-casemap":
      return unicodeFold(s);
    case "i;octet":
      return s;
  }
}

const needles = new WeakMap<TextMatch, string>();

/** Does any of the values match? Inverted by negate-condition. */
export function textMatches(tm: TextMatch, values: readonly string[]): boolean {
  let needle = needles.get(tm);
  if (needle === undefined) {
    needle = fold(tm.text, tm.collation);
    needles.set(tm, needle);
  }
  let hit = false;
  for (const v of values) {
    const s = fold(v, tm.collation);
    if (
      tm.matchType === "equals" ? s === needle
      : tm.matchType === "starts-with" ? s.startsWith(needle)
      : tm.matchType === "ends-with" ? s.endsWith(needle)
      : s.includes(needle)
    ) {
      hit = true;
      break;
    }
  }
  return tm.negate ? !hit : hit;
}
