// Delegation records (CalendarServer "calendar-proxy", as Apple Calendar's
// Delegation settings, sabre/dav and Cyrus speak it): each principal has two
// group principals, calendar-proxy-read and calendar-proxy-write, whose
// members are its delegates. The delegator's home keeps the members (the
// authority on access); a delegate's home keeps pointers for its
// calendar-proxy-*-for properties. Plain records: they cross DO RPC.

export type ProxyKind = "read" | "write";

/** The segment under /principals/<user>/ that names each group, and the CS resourcetype element it carries. */
export const PROXY_GROUPS: Record<ProxyKind, string> = { read: "calendar-proxy-read", write: "calendar-proxy-write" };

export const proxyKindOf = (segment: string): ProxyKind | undefined =>
  segment === PROXY_GROUPS.read ? "read" : segment === PROXY_GROUPS.write ? "write" : undefined;

/** A principal's delegation as its own home knows it: its groups' members, and whom it is a delegate of (pointers). */
export interface Delegation {
  groups: Record<ProxyKind, string[]>;
  /** Principals this one is a delegate of, by kind (pointers, never used to decide access). */
  proxyFor: Record<ProxyKind, string[]>;
}

export const NO_DELEGATION: Delegation = { groups: { read: [], write: [] }, proxyFor: { read: [], write: [] } };

/** Bound on the members of one group (and so on the hrefs one PROPPATCH may name). */
export const DELEGATION_LIMITS = { perGroup: 100 } as const;
