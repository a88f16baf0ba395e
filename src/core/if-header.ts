// The WebDAV If request header (RFC 4918 §10.4): parsed, and evaluated
// against the entity tags of the resources it names. This server offers no
// locks, so no state token is ever held: a state token is false and
// "Not <token>" is true (§10.4.8), and the header's verdict turns on its
// entity tags alone. A header is true when any of its lists is; a list when
// all of its conditions are (§10.4.3); false is 412 (§10.4.1), a header that
// does not parse is 400. Entity tags are compared weakly.
import { opaqueTag } from "./conditional.js";

/** One condition of a list: a state token (never held here) or an entity tag, possibly negated. */
export type IfCondition = { not: boolean } & ({ kind: "token"; uri: string } | { kind: "etag"; tag: string });

/** A list of conditions, about the request-URI (`resource` null) or the resource its tag names. */
export interface IfList {
  resource: string | null;
  conditions: IfCondition[];
}

/** At most this many conditions in one header: each may cost a look-up of a resource. */
export const MAX_IF_CONDITIONS = 64;

const WS = /^[ \t]*/;

/** The lists of an If header value; null when it does not follow the grammar of RFC 4918 §10.4.2. */
export function parseIfHeader(value: string): IfList[] | null {
  let s = value;
  const skip = () => {
    s = s.slice(WS.exec(s)![0].length);
  };
  /** `<...>` at the head of s: its text, or null. */
  const angle = (): string | null => {
    const m = /^<([^<>\s]*)>/.exec(s);
    if (!m || m[1] === "") return null;
    s = s.slice(m[0].length);
    return m[1]!;
  };
  const lists: IfList[] = [];
  let tagged: boolean | null = null;
  let resource: string | null = null;
  let count = 0;
  skip();
  if (s === "") return null;
  while (s !== "") {
    if (s.startsWith("<")) {
      // A Resource-Tag: the lists after it are about that resource (a Tagged-list needs at least one).
      if (tagged === false) return null;
      tagged = true;
      resource = angle();
      if (resource === null) return null;
      skip();
      if (!s.startsWith("(")) return null;
      continue;
    }
    if (!s.startsWith("(")) return null;
    if (tagged === null) tagged = false;
    s = s.slice(1);
    const conditions: IfCondition[] = [];
    for (;;) {
      skip();
      if (s.startsWith(")")) {
        s = s.slice(1);
        break;
      }
      let not = false;
      const word = /^not(?=[\s<[])/i.exec(s);
      if (word) {
        not = true;
        s = s.slice(word[0].length);
        skip();
      }
      if (s.startsWith("<")) {
        const uri = angle();
        if (uri === null) return null;
        conditions.push({ not, kind: "token", uri });
      } else if (s.startsWith("[")) {
        const m = /^\[\s*((?:W\/)?"[^"]*")\s*\]/.exec(s);
        if (!m) return null;
        s = s.slice(m[0].length);
        conditions.push({ not, kind: "etag", tag: m[1]! });
      } else return null;
      if (++count > MAX_IF_CONDITIONS) return null;
    }
    if (conditions.length === 0) return null;
    lists.push({ resource: tagged ? resource : null, conditions });
    skip();
  }
  return lists;
}

/**
 * Whether the header holds, given each named resource's current entity tag (quoted; null when it has none or does
 * not exist). `etags` is keyed by the lists' `resource` (null: the request-URI).
 */
export function ifHeaderHolds(lists: readonly IfList[], etags: ReadonlyMap<string | null, string | null>): boolean {
  return lists.some((list) => {
    const current = etags.get(list.resource) ?? null;
    return list.conditions.every((c) => {
      // No lock is ever held here, so no state token is the resource's (RFC 4918 §10.4.8, DAV:no-lock included).
      const held = c.kind === "token" ? false : current !== null && opaqueTag(c.tag) === opaqueTag(current);
      return held !== c.not;
    });
  });
}

/** The resources whose entity tags the verdict needs (null: the request-URI); none when no list names an entity tag. */
export function resourcesToLookUp(lists: readonly IfList[]): Array<string | null> {
  return [...new Set(lists.filter((l) => l.conditions.some((c) => c.kind === "etag")).map((l) => l.resource))];
}
