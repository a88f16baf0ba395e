// Delegation rows of a calendar home (calendar-proxy). As a delegator's home:
// the members of its calendar-proxy-read and -write groups — the one
// authority every delegate request is checked against, inside the home's
// transaction. As a delegate's home: pointers to the principals it is a
// delegate of, shown as calendar-proxy-*-for (never used to decide access).
import { needPrivileges } from "../core/acl.js";
import { DELEGATION_LIMITS, type Delegation, type ProxyKind } from "../core/delegation/model.js";
import { DavError, notFound } from "../core/errors.js";
import type { CollectionInfo } from "../core/model.js";
import { dav } from "../core/xml/names.js";
import type { Sql } from "../sql.js";

interface ProxyRow extends Record<string, SqlStorageValue> {
  kind: string;
  member: string;
}

interface PointerRow extends Record<string, SqlStorageValue> {
  delegator: string;
  kind: string;
}

export function delegationOf(sql: Sql): Delegation {
  const out: Delegation = { groups: { read: [], write: [] }, proxyFor: { read: [], write: [] } };
  for (const r of sql.all<ProxyRow>("SELECT kind, member FROM proxies ORDER BY member")) out.groups[r.kind as ProxyKind].push(r.member);
  for (const r of sql.all<PointerRow>("SELECT delegator, kind FROM proxy_for ORDER BY delegator")) out.proxyFor[r.kind as ProxyKind].push(r.delegator);
  return out;
}

/** Replaces the members of group `kind` (DAV:group-member-set is set whole); returns who joined and who left. */
export function setGroup(sql: Sql, owner: string, kind: ProxyKind, members: string[], now: number): { added: string[]; removed: string[] } {
  const wanted = [...new Set(members)];
  if (wanted.length > DELEGATION_LIMITS.perGroup) throw new DavError(403, { description: `a proxy group has at most ${DELEGATION_LIMITS.perGroup} members` });
  if (wanted.includes(owner)) throw new DavError(403, { description: "a principal cannot be its own delegate" });
  const current = sql.all<ProxyRow>("SELECT kind, member FROM proxies WHERE kind = ?", kind).map((r) => r.member);
  const removed = current.filter((m) => !wanted.includes(m));
  const added = wanted.filter((m) => !current.includes(m));
  for (const m of removed) sql.run("DELETE FROM proxies WHERE kind = ? AND member = ?", kind, m);
  for (const m of added) sql.run("INSERT INTO proxies (kind, member, created) VALUES (?, ?, ?)", kind, m, now);
  return { added, removed };
}

/** What `delegate` may do in this home: write if it is in the write group, read if only in the read group. */
export function proxyAccess(sql: Sql, delegate: string): ProxyKind | undefined {
  const rows = sql.all<ProxyRow>("SELECT kind, member FROM proxies WHERE member = ?", delegate);
  if (rows.some((r) => r.kind === "write")) return "write";
  return rows.length > 0 ? "read" : undefined;
}

/**
 * The delegate's access, checked now: 404 for anyone who is none (nothing is confirmed to exist; or `stranger`, as a
 * PUT into another's calendar has always been refused), 403 DAV:need-privileges (naming `href`) for a write by a
 * read delegate.
 */
export function requireProxy(sql: Sql, delegate: string, write: boolean, href: string, stranger?: { href: string }): ProxyKind {
  const access = proxyAccess(sql, delegate);
  if (!access) throw stranger ? needPrivileges(stranger.href, dav("bind")) : notFound();
  if (write && access !== "write") throw needPrivileges(href, dav("write-content"));
  return access;
}

/** Notes (or forgets) that this home's principal is a `kind` delegate of `delegator`. */
export function setPointer(sql: Sql, delegator: string, kind: ProxyKind, member: boolean, now: number): void {
  if (member) sql.run("INSERT OR IGNORE INTO proxy_for (delegator, kind, created) VALUES (?, ?, ?)", delegator, kind, now);
  else sql.run("DELETE FROM proxy_for WHERE delegator = ? AND kind = ?", delegator, kind);
}

/** What a delegate with `access` sees of a collection of this home: the calendars, without their sharees (README "Delegation"). */
export function seenByDelegate(c: CollectionInfo | null, access: ProxyKind): CollectionInfo | null {
  if (!c || c.kind !== "calendar") return null;
  const { invites: _hidden, ...rest } = c;
  return { ...rest, proxy: access };
}

/** Principals whose homes hold delegation rows naming this home's principal: its delegates and its delegators. */
export function delegationTies(sql: Sql): string[] {
  return sql.all<{ id: string }>("SELECT member AS id FROM proxies UNION SELECT delegator AS id FROM proxy_for").map((r) => r.id);
}

/** Forgets a removed principal: as a member of this home's proxy groups, and as a delegator of this home's principal. */
export function forgetInDelegation(sql: Sql, id: string): void {
  sql.run("DELETE FROM proxies WHERE member = ?", id);
  sql.run("DELETE FROM proxy_for WHERE delegator = ?", id);
}
