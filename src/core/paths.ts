// The URL layout of the server, in one place: request paths become typed
// locators, and hrefs are built from them with one canonical encoding so
// every response names a resource with the same bytes (RFC 4918 section 8.3).
//
//   /                                   DAV root
//   /principals/                        principal collection (RFC 3744 section 5.8)
//   /principals/<user>/                 a principal
//   /principals/<user>/calendar-proxy-read/   its proxy groups (calendar-proxy, core/delegation)
//   /principals/<user>/calendar-proxy-write/
//   /calendars/                         collection of calendar homes
//   /calendars/<user>/                  calendar home (RFC 4791 section 6.2.1)
//   /calendars/<user>/<collection>/     calendar, schedule inbox or outbox
//   /calendars/<user>/<collection>/<name>  calendar object resource

import { PROXY_GROUPS, proxyKindOf, type ProxyKind } from "./delegation/model.js";

export type Locator =
  | { kind: "root" }
  | { kind: "principals" }
  | { kind: "principal"; user: string }
  | { kind: "proxy-group"; user: string; group: ProxyKind }
  | { kind: "calendars" }
  | { kind: "home"; user: string }
  | { kind: "collection"; user: string; collection: string }
  | { kind: "object"; user: string; collection: string; name: string }
  | { kind: "none" };

/** Percent-encodes one path segment, keeping RFC 3986 pchar characters. */
export function encodeSegment(s: string): string {
  // Most names (UUIDs, "calendar") need no escaping at all: skip the work.
  if (/^[A-Za-z0-9._~@:!$&'()*+,;=-]*$/.test(s)) return s;
  return encodeURIComponent(s).replace(/%(40|3A|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (_, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
}

function decodeSegment(s: string): string | undefined {
  // Without a percent sign there is nothing to decode (and nothing malformed): most segments, hundreds per multiget.
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

const utf8 = new TextEncoder();

/** At most 255 octets of UTF-8: a segment of 85 UTF-16 units or fewer always is (3 octets each at most), so only longer ones are encoded. */
const shortEnough = (s: string): boolean => s.length <= 85 || utf8.encode(s).length <= 255;

const validSegment = (s: string | undefined): s is string =>
  s !== undefined && s !== "" && s !== "." && s !== ".." && !s.includes("/") && shortEnough(s);

/** Maps a request path (or an href's path) to a locator. */
export function locate(pathname: string): Locator {
  const raw = pathname.split("/").filter((s) => s !== "");
  const parts = raw.map(decodeSegment);
  if (!parts.every(validSegment)) return { kind: "none" };
  const [top, user, collection, name, ...rest] = parts as string[];
  if (top === undefined) return { kind: "root" };
  if (top === "principals") {
    if (user === undefined) return { kind: "principals" };
    if (collection === undefined) return { kind: "principal", user };
    const group = proxyKindOf(collection);
    return group && name === undefined ? { kind: "proxy-group", user, group } : { kind: "none" };
  }
  if (top === "calendars") {
    if (user === undefined) return { kind: "calendars" };
    if (collection === undefined) return { kind: "home", user };
    if (name === undefined) return { kind: "collection", user, collection };
    return rest.length === 0 ? { kind: "object", user, collection, name } : { kind: "none" };
  }
  return { kind: "none" };
}

/** A path of pchar and "/" only, not "//" (that would name a host): the URL parser returns it unchanged, dot segments aside. */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9._~@:!$&'()*+,;=%/-]*$/;
/** "." or ".." as a segment, also percent-encoded, which the URL parser resolves (RFC 3986 §5.2.4). */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/** Locates an href from a request body or header, absolute or path-only. */
export function locateHref(href: string, base: URL): Locator {
  // Most hrefs are plain paths that URL parsing would leave as they are: skip it (a multiget names hundreds).
  if (PLAIN_PATH.test(href) && !DOT_SEGMENT.test(href)) return locate(href);
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return { kind: "none" };
  }
  if (url.origin !== base.origin) return { kind: "none" };
  return locate(url.pathname);
}

export const hrefs = {
  root: () => "/",
  principals: () => "/principals/",
  principal: (user: string) => `/principals/${encodeSegment(user)}/`,
  proxyGroup: (user: string, group: ProxyKind) => `/principals/${encodeSegment(user)}/${PROXY_GROUPS[group]}/`,
  calendars: () => "/calendars/",
  home: (user: string) => `/calendars/${encodeSegment(user)}/`,
  collection: (user: string, collection: string) => `/calendars/${encodeSegment(user)}/${encodeSegment(collection)}/`,
  object: (user: string, collection: string, name: string) =>
    `/calendars/${encodeSegment(user)}/${encodeSegment(collection)}/${encodeSegment(name)}`,
};

/** A member name the canonical encoding leaves as it is: pchar without "%" (nothing to decode), not a dot segment. */
const PLAIN_NAME = /^[A-Za-z0-9._~@:!$&'()*+,;=-]{1,85}$/;

/**
 * The name of the member `href` names in the collection whose href (as hrefs.collection writes it) is
 * `collectionHref`, when the href is that path and a plain name: what locateHref would find, without its work (a
 * multiget names hundreds). Undefined for anything else, which locateHref then decides.
 */
export function plainMember(href: string, collectionHref: string): string | undefined {
  if (!href.startsWith(collectionHref)) return undefined;
  const name = href.slice(collectionHref.length);
  return PLAIN_NAME.test(name) && name !== "." && name !== ".." ? name : undefined;
}

/** hrefs.object for the members of one collection: its part of the path encoded once, not once per member. */
export function memberHref(user: string, collection: string): (name: string) => string {
  const base = hrefs.collection(user, collection);
  return (name) => base + encodeSegment(name);
}

export function hrefOf(loc: Locator): string {
  switch (loc.kind) {
    case "root":
      return hrefs.root();
    case "principals":
      return hrefs.principals();
    case "principal":
      return hrefs.principal(loc.user);
    case "proxy-group":
      return hrefs.proxyGroup(loc.user, loc.group);
    case "calendars":
      return hrefs.calendars();
    case "home":
      return hrefs.home(loc.user);
    case "collection":
      return hrefs.collection(loc.user, loc.collection);
    case "object":
      return hrefs.object(loc.user, loc.collection, loc.name);
    case "none":
      return "/";
  }
}
