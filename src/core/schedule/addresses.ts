// How calendar-user addresses are spelled in what the server stores and
// sends (RFC 6638 §2.4.1, RFC 5545 §3.3.3 CAL-ADDRESS): the scheme in lower
// case (RFC 3986 §6.2.2.1: schemes are case-insensitive; several clients
// compare addresses as strings, so "MAILTO:" from one client must not look
// like another person to the next), and for mailto: the domain in lower case
// too (RFC 5321 §2.4); the local part is left as written. Comparisons use
// normAddress (calendar.ts), which ignores case altogether.
import type { Cal, JProp } from "./calendar.js";

/** Parameters whose values are calendar-user addresses (RFC 5545 §3.2.4, §3.2.5, §3.2.11, §3.2.18). */
const ADDRESS_PARAMS = ["delegated-to", "delegated-from", "member", "sent-by"];

/** "MAILTO:Alice@Example.COM" → "mailto:Alice@example.com"; other URIs get a lower-case scheme. */
export function canonicalAddress(raw: string): string {
  const m = /^\s*([A-Za-z][A-Za-z0-9+.-]*):(.*?)\s*$/.exec(raw);
  if (!m) return raw;
  const scheme = m[1]!.toLowerCase();
  let rest = m[2]!;
  if (scheme === "mailto") {
    const at = rest.lastIndexOf("@");
    if (at > 0) rest = rest.slice(0, at + 1) + rest.slice(at + 1).toLowerCase();
  }
  return `${scheme}:${rest}`;
}

function canonicalValue(v: unknown): unknown {
  if (typeof v === "string") return canonicalAddress(v);
  if (Array.isArray(v)) return v.map(canonicalValue);
  return v;
}

/** Rewrites every ORGANIZER and ATTENDEE value and address parameter of the copy in place; whether anything changed. */
export function canonicalizeAddresses(cal: Cal): boolean {
  let changed = false;
  const fix = (p: JProp) => {
    if (p[0] !== "organizer" && p[0] !== "attendee") return;
    for (let k = 3; k < p.length; k++) {
      const v = canonicalValue(p[k]);
      if (v !== p[k]) {
        changed ||= JSON.stringify(v) !== JSON.stringify(p[k]);
        p[k] = v;
      }
    }
    for (const name of ADDRESS_PARAMS) {
      if (p[1][name] === undefined) continue;
      const v = canonicalValue(p[1][name]);
      changed ||= JSON.stringify(v) !== JSON.stringify(p[1][name]);
      p[1][name] = v;
    }
  };
  for (const item of cal.items) item.raw[1].forEach(fix);
  return changed;
}
