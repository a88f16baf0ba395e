// Searching principals (RFC 3744 section 9.4 principal-property-search and
// 9.5 principal-search-property-set): which properties can be searched, and
// caseless substring matching of their values, so clients can find
// attendees by name or address.
import type { Principal } from "./model.js";
import { caldav, cs, dav, type Clark } from "./xml/names.js";

/** Searchable properties, their description (RFC 3744 §9.5), and the strings a principal offers for each. */
export const SEARCHABLE: ReadonlyMap<Clark, { description: string; values: (p: Principal) => string[] }> = new Map([
  [dav("displayname"), { description: "Display name", values: (p: Principal) => [p.displayName] }],
  [caldav("calendar-user-address-set"), { description: "Calendar user addresses", values: (p: Principal) => p.addresses }],
  [cs("email-address-set"), { description: "Email addresses", values: (p: Principal) => p.addresses.map((a) => a.replace(/^mailto:/i, "")) }],
  [caldav("calendar-user-type"), { description: "Calendar user type", values: (p: Principal) => [p.type] }],
]);

export interface PropertySearch {
  props: Clark[];
  match: string;
  matchType: "contains" | "starts-with" | "ends-with" | "equals";
}

const fold = (s: string) => s.normalize("NFKC").toLocaleLowerCase("und");

function matchValue(value: string, s: PropertySearch): boolean {
  const v = fold(value);
  const m = fold(s.match);
  switch (s.matchType) {
    case "equals":
      return v === m;
    case "starts-with":
      return v.startsWith(m);
    case "ends-with":
      return v.endsWith(m);
    default:
      return v.includes(m);
  }
}

/** One property matches when any of its values does. */
const propertyMatches = (p: Principal, name: Clark, s: PropertySearch) => (SEARCHABLE.get(name)?.values(p) ?? []).some((v) => matchValue(v, s));

/**
 * Every (property, match) pair of every property-search is one condition; the
 * report's test attribute combines them, allof by default (RFC 3744 §9.4, with
 * the test attribute of draft-daboo-caldav-extensions that clients send).
 */
export function searchPrincipals(all: Principal[], searches: PropertySearch[], test: "anyof" | "allof"): Principal[] {
  const conditions = searches.flatMap((s) => s.props.map((name) => (p: Principal) => propertyMatches(p, name, s)));
  if (conditions.length === 0) return [];
  return all.filter((p) => (test === "anyof" ? conditions.some((c) => c(p)) : conditions.every((c) => c(p))));
}
