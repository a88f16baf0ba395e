// Sharing rows of a calendar home (calendarserver-sharing). As an owner's
// home: each calendar's sharees, their access and answer — the one authority
// every sharee request is checked against, inside the home's transaction.
// As a sharee's home: pointers ("mounts") to calendars shared with it, with
// the sharee's own properties, and its notification collection.
import { needPrivileges } from "../core/acl.js";
import { DavError, notFound } from "../core/errors.js";
import { SHARING_LIMITS, type Invite, type InviteStatus, type Mount, type MountInfo, type NotificationInfo, type ShareAccess } from "../core/sharing/model.js";
import { dav } from "../core/xml/names.js";
import type { Sql } from "../sql.js";
export type { MountInfo };
import { collectionRow, readPropsOf, scopes, type CollectionRow } from "./rows.js";
import { notificationHost } from "../core/sharing/xml.js";

interface ShareRow extends Record<string, SqlStorageValue> {
  collection_id: number;
  sharee: string;
  access: string;
  status: string;
  uid: string;
  summary: string;
}

const toInvite = (r: ShareRow): Invite => ({ sharee: r.sharee, access: r.access as ShareAccess, status: r.status as InviteStatus, uid: r.uid, summary: r.summary });

export type ShareOp = { op: "set"; sharee: string; access: ShareAccess; summary: string } | { op: "remove"; sharee: string };

/** Every calendar's sharees, by collection id, for the home's snapshot (CS:invite). */
export function invitesByCollection(sql: Sql): Map<number, Invite[]> {
  const out = new Map<number, Invite[]>();
  for (const r of sql.all<ShareRow>("SELECT * FROM shares ORDER BY sharee")) {
    const list = out.get(r.collection_id) ?? [];
    list.push(toInvite(r));
    out.set(r.collection_id, list);
  }
  return out;
}

/** Sets or removes invitations to the calendar `name`; returns each invitation as it now is (or was, if removed). */
export function applyShares(sql: Sql, name: string, ops: ShareOp[], now: number): { col: CollectionRow; set: Invite[]; removed: Invite[] } {
  const col = collectionRow(sql, name);
  if (!col) throw notFound();
  if (col.kind !== "calendar") throw new DavError(403, { description: "only calendars can be shared" });
  const set: Invite[] = [];
  const removed: Invite[] = [];
  for (const op of ops) {
    const row = sql.one<ShareRow>("SELECT * FROM shares WHERE collection_id = ? AND sharee = ?", col.id, op.sharee);
    if (op.op === "remove") {
      if (!row) continue;
      sql.run("DELETE FROM shares WHERE collection_id = ? AND sharee = ?", col.id, op.sharee);
      removed.push(toInvite(row));
      continue;
    }
    if (row) {
      // Sharing again with someone who declined invites them again (as a new CS:share does): the answer is asked anew.
      sql.run(
        "UPDATE shares SET access = ?, summary = ?, status = CASE status WHEN 'declined' THEN 'pending' ELSE status END WHERE collection_id = ? AND sharee = ?",
        op.access, op.summary, col.id, op.sharee,
      );
    } else {
      const count = sql.one<{ n: number }>("SELECT COUNT(*) AS n FROM shares WHERE collection_id = ?", col.id)!.n;
      if (count >= SHARING_LIMITS.perCalendar) throw new DavError(403, { description: `a calendar has at most ${SHARING_LIMITS.perCalendar} sharees` });
      const uid = crypto.randomUUID().replaceAll("-", "").slice(0, 20);
      sql.run("INSERT INTO shares (collection_id, sharee, access, status, uid, summary, created) VALUES (?, ?, ?, 'pending', ?, ?, ?)", col.id, op.sharee, op.access, uid, op.summary, now);
    }
    set.push(toInvite(sql.one<ShareRow>("SELECT * FROM shares WHERE collection_id = ? AND sharee = ?", col.id, op.sharee)!));
  }
  return { col, set, removed };
}

/** The sharee's answer to invitation `uid` to calendar `name`; the invitation must be the current one. */
export function answerInvite(sql: Sql, name: string, sharee: string, uid: string, accept: boolean): { col: CollectionRow; invite: Invite } {
  const col = collectionRow(sql, name);
  const row = col && sql.one<ShareRow>("SELECT * FROM shares WHERE collection_id = ? AND sharee = ?", col.id, sharee);
  // Not invited (or the invitation was withdrawn or replaced): nothing to answer, and nothing is confirmed to exist.
  if (!col || !row || (uid && row.uid !== uid)) throw notFound("no such invitation");
  const status: InviteStatus = accept ? "accepted" : "declined";
  sql.run("UPDATE shares SET status = ? WHERE collection_id = ? AND sharee = ?", status, col.id, sharee);
  return { col, invite: { ...toInvite(row), status } };
}

/**
 * The calendar `name` as `sharee` may see it: 404 unless it accepted an invitation to it (nothing is confirmed to
 * exist), 403 DAV:need-privileges (naming `href`, the sharee's URL) for a write without read-write access.
 */
export function requireShare(sql: Sql, name: string, sharee: string, write: boolean, href: string): { col: CollectionRow; access: ShareAccess } {
  const col = collectionRow(sql, name);
  const row = col && sql.one<ShareRow>("SELECT * FROM shares WHERE collection_id = ? AND sharee = ? AND status = 'accepted'", col.id, sharee);
  if (!col || !row) throw notFound();
  if (write && row.access !== "read-write") throw needPrivileges(href, dav("write-content"));
  return { col, access: row.access as ShareAccess };
}

// ---- as a sharee's home ----

interface MountRow extends Record<string, SqlStorageValue> {
  name: string;
  owner: string;
  calendar: string;
  uid: string;
}


/** The calendars shared with this home, with the sharee's own properties of each. */
export function mountsOf(sql: Sql): MountInfo[] {
  const rows = sql.all<MountRow>("SELECT name, owner, calendar, uid FROM mounts ORDER BY name");
  if (rows.length === 0) return [];
  const props = readPropsOf(sql, rows.map((r) => scopes.mount(r.name)));
  return rows.map((r) => ({ name: r.name, owner: r.owner, calendar: r.calendar, uid: r.uid, props: props.get(scopes.mount(r.name)) ?? {} }));
}

export function mountNamed(sql: Sql, name: string): Mount | undefined {
  return sql.one<MountRow>("SELECT name, owner, calendar, uid FROM mounts WHERE name = ?", name);
}

/** Mounts the accepted calendar (once per owner calendar) and drops its invitation from the notifications; returns its name here. */
export function addMount(sql: Sql, owner: string, calendar: string, uid: string, now: number): string {
  sql.run("DELETE FROM notifications WHERE uid = ?", uid);
  const existing = sql.one<MountRow>("SELECT name FROM mounts WHERE owner = ? AND calendar = ?", owner, calendar);
  if (existing) return existing.name;
  // The invitation's uid names it; a calendar of the sharee's own by that name keeps its name.
  const name = collectionRow(sql, uid) ? `${uid}-shared` : uid;
  sql.run("INSERT INTO mounts (name, owner, calendar, uid, created) VALUES (?, ?, ?, ?, ?)", name, owner, calendar, uid, now);
  return name;
}

/** Removes the mount of owner's calendar (unshared, or left by the sharee) and the invitation's notification. */
export function dropMount(sql: Sql, owner: string, calendar: string, uid: string): void {
  for (const r of sql.all<MountRow>("SELECT name FROM mounts WHERE owner = ? AND calendar = ?", owner, calendar))
    sql.run("DELETE FROM props WHERE scope = ?", scopes.mount(r.name));
  sql.run("DELETE FROM mounts WHERE owner = ? AND calendar = ?", owner, calendar);
  sql.run("DELETE FROM notifications WHERE uid = ?", uid);
}

interface NotificationRow extends Record<string, SqlStorageValue> {
  name: string;
  uid: string;
  type: string;
  body: string;
  etag: string;
  created: number;
}

const utf8 = new TextEncoder();
const toNotification = (r: NotificationRow, withBody: boolean): NotificationInfo => ({
  name: r.name, uid: r.uid, type: r.type, etag: r.etag, size: utf8.encode(r.body).byteLength, created: r.created, ...(withBody ? { body: r.body } : {}),
});

/** Keeps (or replaces, for the same invitation) a notification; the oldest go past the home's bound. */
export function putNotification(sql: Sql, n: { uid: string; type: string; body: string }, now: number): void {
  const etag = `${now.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  sql.run(
    `INSERT INTO notifications (name, uid, type, body, etag, created) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (uid) DO UPDATE SET type = excluded.type, body = excluded.body, etag = excluded.etag, created = excluded.created`,
    `${n.uid}.xml`, n.uid, n.type, n.body, etag, now,
  );
  sql.run(`DELETE FROM notifications WHERE name IN (SELECT name FROM notifications ORDER BY created DESC LIMIT -1 OFFSET ?)`, SHARING_LIMITS.notifications);
}

export function listNotifications(sql: Sql): NotificationInfo[] {
  return sql.all<NotificationRow>("SELECT * FROM notifications ORDER BY created, name").map((r) => toNotification(r, false));
}

/** The newest `limit` notifications of one type with their bodies (the web page's invitations waiting), oldest first. */
export function notificationsOfType(sql: Sql, type: string, limit: number): NotificationInfo[] {
  return sql
    .all<NotificationRow>("SELECT * FROM (SELECT * FROM notifications WHERE type = ? ORDER BY created DESC, name LIMIT ?) ORDER BY created, name", type, limit)
    .map((r) => toNotification(r, true));
}

export function notificationNamed(sql: Sql, name: string): NotificationInfo | null {
  const r = sql.one<NotificationRow>("SELECT * FROM notifications WHERE name = ?", name);
  return r ? toNotification(r, true) : null;
}

export function deleteNotification(sql: Sql, name: string): boolean {
  return sql.run("DELETE FROM notifications WHERE name = ?", name) > 0;
}

// ---- a principal removed from the server ----

/** Principals whose homes hold sharing rows naming this home's principal: its sharees, and the owners of its mounts and invitations. */
export function sharingTies(sql: Sql): string[] {
  const ids = new Set<string>();
  for (const r of sql.all<{ id: string }>("SELECT sharee AS id FROM shares UNION SELECT owner AS id FROM mounts")) ids.add(r.id);
  for (const r of sql.all<{ body: string }>("SELECT body FROM notifications")) {
    const host = notificationHost(r.body);
    if (host) ids.add(host);
  }
  return [...ids];
}

/** Forgets a removed principal: its invitations to this home's calendars (CS:invite), and its calendars mounted here. */
export function forgetInSharing(sql: Sql, id: string): void {
  sql.run("DELETE FROM shares WHERE sharee = ?", id);
  for (const r of sql.all<MountRow>("SELECT name, owner, calendar, uid FROM mounts WHERE owner = ?", id)) dropMount(sql, r.owner, r.calendar, r.uid);
}
