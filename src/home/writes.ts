// Synchronous write steps of a calendar home. Each runs inside one
// transactionSync of the Durable Object, so a check and the write it guards
// can never interleave with another request (RFC 4791 section 5.3.2.1
// preconditions, RFC 6578 revisions, R2 body bookkeeping).
import { checkConditions, checkScheduleTag, type EtagCondition } from "../core/conditional.js";
import { C, DavError, notFound, precondition, preconditionFailed } from "../core/errors.js";
import type { ObjectWrite, ShareeRef } from "../core/model.js";
import type { IndexSummary } from "../core/ical/parse.js";
import type { InstanceIndex } from "../core/query/instance-index.js";
import { hrefs } from "../core/paths.js";
import { caldav, dav } from "../core/xml/names.js";
import { el } from "../core/xml/tree.js";
import { collectionRow, meta, OBJECT_COLUMNS, objectMeta, putTarget, scopes, spanOf, type CollectionRow, type ObjectRow } from "./rows.js";
import type { Sql } from "../sql.js";
import { mountNamed, requireShare } from "./sharing.js";
import { requireProxy } from "./delegation.js";

/** Grace period before an unreferenced body is deleted, so in-flight GETs of the old version still succeed. */
export const GARBAGE_GRACE_MS = 60_000;

/**
 * nextRev and addUsed(delta) in one statement (a member's write does both): the new revision. Both meta rows are
 * written, used_bytes by `delta` (0 leaves it as it was).
 */
export function nextRevUsing(sql: Sql, delta: number): number {
  const rows = sql.all<{ key: string; value: string | number }>(
    `INSERT INTO meta (key, value) VALUES ('rev', '1'), ('used_bytes', max(0, ?1))
     ON CONFLICT (key) DO UPDATE SET value = CASE key WHEN 'rev' THEN CAST(value AS INTEGER) + 1 ELSE max(0, CAST(value AS INTEGER) + ?1) END
     RETURNING key, value`,
    delta,
  );
  return Number(rows.find((r) => r.key === "rev")!.value);
}

/** The home's next revision, counted and read in one statement. */
export function nextRev(sql: Sql): number {
  const row = sql.one<{ value: string | number }>(
    `INSERT INTO meta (key, value) VALUES ('rev', '1')
     ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value`,
  );
  return Number(row!.value);
}

/**
 * The home's used octets (RFC 4331 quota-used-bytes) move by `delta`. They cover everything a user can make the
 * server keep: object bodies with their scheduling state (stateBytes), inbox items, staged iTIP bodies and
 * messages kept for e-mail (outbox.ts, calendar-home.ts), dead properties.
 */
export function addUsed(sql: Sql, delta: number): void {
  if (delta === 0) return;
  sql.run(
    `INSERT INTO meta (key, value) VALUES ('used_bytes', max(0, ?1))
     ON CONFLICT (key) DO UPDATE SET value = max(0, CAST(value AS INTEGER) + ?1)`,
    delta,
  );
}

/** Octets of an object's index beside its body: the scheduling snapshot and the instance spans. */
export function stateBytes(snapshot: string | null, instances: InstanceIndex | null | undefined): number {
  return (snapshot?.length ?? 0) + 16 * (instances?.spans.length ?? 0);
}

/** Whether `delta` more octets fit in the home's quota (a change that frees space always fits). */
export function fitsQuota(sql: Sql, delta: number, quota: number, used?: number): boolean {
  return delta <= 0 || (used ?? Number(meta(sql, "used_bytes") ?? 0)) + delta <= quota;
}

/** Throws 507 DAV:quota-not-exceeded (RFC 4331 §6) unless `delta` more octets fit in the home (`used`: as just read). */
export function checkQuota(sql: Sql, delta: number, quota: number, used?: number): void {
  if (!fitsQuota(sql, delta, quota, used)) throw new DavError(507, { condition: el(C.quotaNotExceeded), description: "calendar home quota exceeded" });
}

/** The octets a stored row accounts for. */
export const footprint = (row: ObjectRow | undefined): number => (row ? row.size + row.state_bytes : 0);

/** Moves the collection to `rev`; `span` (rows.ts spanOf) widens its max_span when a member is written. */
export function touchCollection(sql: Sql, id: number, rev: number, now: number, span = 0): void {
  sql.run("UPDATE collections SET rev = ?, modified = ?, max_span = max(max_span, ?) WHERE id = ?", rev, now, span, id);
}

/** Queues a body key for deletion once no row points at it any more ('' is a body in its row: nothing to do). */
export function discardBody(sql: Sql, key: string, now: number): void {
  if (!key || sql.one("SELECT 1 AS x FROM objects WHERE body_key = ? AND body_key != '' LIMIT 1", key)) return;
  sql.run("INSERT OR REPLACE INTO garbage (key, due) VALUES (?, ?)", key, now + GARBAGE_GRACE_MS);
}

/**
 * A write named a calendar shared with this home (a mount, home/sharing.ts): the data lives in the owner's home,
 * so the caller is told where (never seen by clients) and writes there as a sharee.
 */
export const MOUNT_HEADER = "X-Edge-Mount";

export function noCollection(sql: Sql, name: string): DavError {
  const m = mountNamed(sql, name);
  if (m) return new DavError(409, { description: "a calendar shared with this home", headers: { [MOUNT_HEADER]: JSON.stringify({ owner: m.owner, calendar: m.calendar }) } });
  return new DavError(409, { description: `no collection ${name}` });
}

export function calendarOrThrow(sql: Sql, owner: string, name: string): CollectionRow {
  const col = collectionRow(sql, name);
  if (!col) throw noCollection(sql, name);
  if (col.kind !== "calendar")
    throw precondition(403, C.calendarCollectionLocationOk, `${hrefs.collection(owner, name)} is not a calendar collection`);
  return col;
}

/**
 * A write delegate's calendar, checked in the write's transaction (home/delegation.ts): a calendar shared with this
 * home's principal, the inbox and the outbox are not the delegate's to write (404, as for anything it cannot see).
 */
function delegateCalendar(sql: Sql, name: string, who: ShareeRef, stranger?: { href: string }): CollectionRow {
  requireProxy(sql, who.id, true, who.href, stranger);
  const col = collectionRow(sql, name);
  if (!col || col.kind !== "calendar") throw notFound();
  return col;
}

/** The caller planned against a state that changed meanwhile; it re-plans (never seen by clients). */
export const RETRY_HEADER = "X-Edge-Replan";
export const changedUnderfoot = () => new DavError(409, { description: "the resource changed concurrently", headers: { [RETRY_HEADER]: "1" } });

/** One scheduling object resource per UID in a home (RFC 6638 §3.2.4.1 unique-scheduling-object-resource). */
export function checkUniqueScheduling(sql: Sql, owner: string, uid: string, collectionId: number, name: string): void {
  const other = sql.one<{ name: string; cname: string }>(
    `SELECT o.name AS name, c.name AS cname FROM objects o JOIN collections c ON c.id = o.collection_id
     WHERE o.uid = ? AND o.snapshot IS NOT NULL AND c.kind = 'calendar' AND NOT (o.collection_id = ? AND o.name = ?) LIMIT 1`,
    uid, collectionId, name,
  );
  if (other)
    throw precondition(403, caldav("unique-scheduling-object-resource"), `UID ${uid} is already scheduled in another calendar`, [
      el(dav("href"), [hrefs.object(owner, other.cname, other.name)]),
    ]);
}

export interface PutPlan {
  col: CollectionRow;
  existing: ObjectRow | undefined;
  /** The name has a tombstone to drop (rows.ts putTarget). */
  tombstone: boolean;
}

/** Checks every precondition of storing `w` (and `extraBytes` beside it: staged message bodies) against the current state. */
export function checkPut(sql: Sql, owner: string, w: ObjectWrite, quota: number, extraBytes = 0): PutPlan {
  // A sharee writes only with an accepted read-write invitation, checked in this transaction (home/sharing.ts).
  const col = w.asSharee ? requireShare(sql, w.collection, w.asSharee.id, true, w.asSharee.href).col
    : w.asDelegate ? delegateCalendar(sql, w.collection, w.asDelegate, { href: hrefs.collection(owner, w.collection) })
    : calendarOrThrow(sql, owner, w.collection);
  const { existing, sameUid, tombstone, used } = putTarget(sql, col.id, w.name, w.index.uid);
  if (w.expectEtag !== undefined && (existing?.etag ?? null) !== w.expectEtag) throw changedUnderfoot();
  if (w.plainOnly && existing?.snapshot) throw changedUnderfoot();
  checkConditions(existing?.etag ?? null, { ifMatch: w.ifMatch, ifNoneMatch: w.ifNoneMatch });
  checkScheduleTag(existing?.schedule_tag ?? null, w.ifScheduleTagMatch);
  const components = JSON.parse(col.components) as string[];
  if (!components.includes(w.index.component))
    throw precondition(403, C.supportedCalendarComponent, `${w.index.component} is not supported in this calendar`);
  // Another member (putTarget looks only past this name) holds the UID.
  if (sameUid !== undefined)
    throw precondition(403, C.noUidConflict, `UID ${w.index.uid} is already in use`, [
      el(dav("href"), [hrefs.object(owner, w.collection, sameUid)]),
    ]);
  if (existing && existing.uid !== w.index.uid)
    throw precondition(403, C.noUidConflict, "a resource may not change its UID", [
      el(dav("href"), [hrefs.object(owner, w.collection, w.name)]),
    ]);
  if (w.schedule?.snapshot) checkUniqueScheduling(sql, owner, w.index.uid, col.id, w.name);
  const snapshot = w.schedule ? w.schedule.snapshot : null;
  checkQuota(sql, w.size + stateBytes(snapshot, w.instances) + extraBytes - footprint(existing), quota, used);
  return { col, existing, tombstone };
}

/** What an object row holds, however it was produced (client PUT, server delivery). */
export interface RowData {
  uid: string;
  component: string;
  etag: string;
  scheduleTag: string | null;
  size: number;
  /** The R2 key of the body, or '' when the body is `body`, kept in the row (bodies.ts). */
  bodyKey: string;
  body?: string | null | undefined;
  index: IndexSummary;
  snapshot: string | null;
  instances?: InstanceIndex | null | undefined;
}

/** Replaces the instance spans of one object (none when `index` is null); the row's inst_until is writeRow's. */
function writeInstances(sql: Sql, collectionId: number, name: string, index: InstanceIndex | null | undefined, replacing: boolean): void {
  // A new row has no spans to replace: instances go with their row (removeObject, collection deletes).
  if (replacing) sql.run("DELETE FROM instances WHERE collection_id = ? AND name = ?", collectionId, name);
  if (!index || index.spans.length === 0) return;
  // One statement for all of them (at most LIMITS.instancesIndexed): [start, end, busy] triples as JSON.
  sql.run(
    `INSERT INTO instances (collection_id, name, start_ms, end_ms, busy)
     SELECT ?, ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)`,
    collectionId, name, JSON.stringify(index.spans),
  );
}

/**
 * Inserts or replaces the row `name` of `col`; the old body (if another) becomes garbage. `tombstone`: whether the
 * name may have one to drop (false only when the caller just read that it has none).
 */
export function writeRow(sql: Sql, col: CollectionRow, name: string, d: RowData, existing: ObjectRow | undefined, now: number, tombstone = true): void {
  const i = d.index;
  // Only a scheduling object resource has a Schedule-Tag: it goes when the resource stops being one (RFC 6638 §3.2.10).
  const scheduleTag = d.snapshot ? d.scheduleTag : null;
  const state = stateBytes(d.snapshot, d.instances);
  const rev = nextRevUsing(sql, d.size + state - footprint(existing));
  // The row with everything kept beside it (instance horizon, state octets) in one statement.
  sql.run(
    `INSERT INTO objects (collection_id, name, uid, component, etag, schedule_tag, size, body_key, body, rev, created, modified,
       start_ms, end_ms, recurring, floating, exact, busy, snapshot, inst_until, inst_exact, state_bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (collection_id, name) DO UPDATE SET uid = excluded.uid, component = excluded.component,
       etag = excluded.etag, schedule_tag = excluded.schedule_tag, size = excluded.size, body_key = excluded.body_key, body = excluded.body,
       rev = excluded.rev, modified = excluded.modified, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
       recurring = excluded.recurring, floating = excluded.floating, exact = excluded.exact, busy = excluded.busy,
       snapshot = excluded.snapshot, inst_until = excluded.inst_until, inst_exact = excluded.inst_exact, state_bytes = excluded.state_bytes`,
    col.id, name, d.uid, d.component, d.etag, scheduleTag, d.size, d.bodyKey, d.bodyKey ? null : (d.body ?? null), rev, now, now,
    i.start, i.end, i.recurring ? 1 : 0, i.floating ? 1 : 0, i.exact ? 1 : 0, i.busy, d.snapshot, d.instances ? d.instances.until : null, d.instances?.exact ? 1 : 0, state,
  );
  // A row without an instance horizon has no instance rows (they are written only with one, below).
  writeInstances(sql, col.id, name, d.instances, existing !== undefined && existing.inst_until !== null);
  // A name with a row has no tombstone (removeObject leaves one, and the write that makes the row again drops it).
  if (!existing && tombstone) sql.run("DELETE FROM tombstones WHERE collection_id = ? AND name = ?", col.id, name);
  if (d.bodyKey) sql.run("DELETE FROM pending_bodies WHERE key = ?", d.bodyKey);
  if (existing && existing.body_key !== d.bodyKey) discardBody(sql, existing.body_key, now);
  touchCollection(sql, col.id, rev, now, spanOf(i));
}

/** Writes the row for a client's PUT, its body in the row ('' key) or at `bodyKey` in R2; returns whether it was created, and its Schedule-Tag. */
export function commitPut(sql: Sql, plan: PutPlan, w: ObjectWrite, bodyKey: string, now: number): { created: boolean; scheduleTag: string | null } {
  const s = w.schedule;
  const scheduleTag = s ? (s.newTag || !plan.existing?.schedule_tag ? newScheduleTag() : plan.existing.schedule_tag) : null;
  writeRow(sql, plan.col, w.name, {
    uid: w.index.uid, component: w.index.component, etag: w.etag, scheduleTag, size: w.size, bodyKey, body: bodyKey ? null : w.body,
    index: w.index, snapshot: s?.snapshot ?? null, instances: w.instances,
  }, plan.existing, now, plan.tombstone);
  // As writeRow stores it: only a scheduling object resource has one.
  return { created: !plan.existing, scheduleTag: s?.snapshot ? scheduleTag : null };
}

export const newScheduleTag = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);

/** Removes an object row, leaving a tombstone for sync-collection. */
export function removeObject(sql: Sql, col: CollectionRow, row: ObjectRow, now: number): void {
  const rev = nextRevUsing(sql, -footprint(row));
  sql.run("DELETE FROM objects WHERE collection_id = ? AND name = ?", col.id, row.name);
  // Instance rows exist only with an instance horizon (writeRow).
  if (row.inst_until !== null) sql.run("DELETE FROM instances WHERE collection_id = ? AND name = ?", col.id, row.name);
  sql.run("DELETE FROM props WHERE scope = ?", scopes.object(col.id, row.name));
  sql.run("INSERT OR REPLACE INTO tombstones (collection_id, name, rev, deleted_at) VALUES (?, ?, ?, ?)", col.id, row.name, rev, now);
  discardBody(sql, row.body_key, now);
  touchCollection(sql, col.id, rev, now);
  sql.run("DELETE FROM reply_stamps WHERE uid = ? AND NOT EXISTS (SELECT 1 FROM objects WHERE uid = ?)", row.uid, row.uid);
}

export interface DeleteRequest {
  collection: string;
  name: string;
  ifMatch?: EtagCondition | undefined;
  ifScheduleTagMatch?: EtagCondition | undefined;
  expectEtag?: string | null | undefined;
  /** The caller assumed no scheduling object is deleted; if one is, it is asked to plan (CANCEL or REPLY). */
  plainOnly?: boolean | undefined;
  /** A sharee deleting from this (the owner's) home. */
  asSharee?: ShareeRef | undefined;
  /** A delegate deleting from this (the delegator's) home. */
  asDelegate?: ShareeRef | undefined;
}

export function deleteObject(sql: Sql, d: DeleteRequest, now: number): void {
  const col = d.asSharee ? requireShare(sql, d.collection, d.asSharee.id, true, d.asSharee.href).col
    : d.asDelegate ? delegateCalendar(sql, d.collection, d.asDelegate)
    : collectionRow(sql, d.collection);
  if (!col && mountNamed(sql, d.collection)) throw noCollection(sql, d.collection);
  const row = col && objectMeta(sql, col.id, d.name);
  if (d.expectEtag !== undefined && (row?.etag ?? null) !== d.expectEtag) throw changedUnderfoot();
  if (d.plainOnly && row?.snapshot && col?.kind === "calendar") throw changedUnderfoot();
  if (!col || !row) {
    if (d.ifMatch !== undefined || d.ifScheduleTagMatch !== undefined) throw preconditionFailed("conditional DELETE of a missing resource");
    throw notFound();
  }
  checkConditions(row.etag, { ifMatch: d.ifMatch });
  checkScheduleTag(row.schedule_tag, d.ifScheduleTagMatch);
  removeObject(sql, col, row, now);
}

export function deleteCollection(sql: Sql, name: string, now: number): void {
  const col = collectionRow(sql, name);
  if (!col) throw notFound();
  const rows = sql.all<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = ?`, col.id);
  let freed = 0;
  sql.run("DELETE FROM objects WHERE collection_id = ?", col.id);
  sql.run("DELETE FROM instances WHERE collection_id = ?", col.id);
  for (const r of rows) {
    discardBody(sql, r.body_key, now);
    freed += footprint(r);
  }
  addUsed(sql, -freed);
  sql.run("DELETE FROM tombstones WHERE collection_id = ?", col.id);
  sql.run("DELETE FROM props WHERE scope = ? OR (scope >= ? AND scope < ?)", scopes.collection(col.id), `o:${col.id}:`, `o:${col.id};`);
  sql.run("DELETE FROM collections WHERE id = ?", col.id);
  // Its sharees lose it: their mounts resolve to nothing from now on (home/sharing.ts requireShare).
  sql.run("DELETE FROM shares WHERE collection_id = ?", col.id);
  // Reply stamps (deliver.ts) of UIDs no object holds any more.
  sql.run("DELETE FROM reply_stamps WHERE uid NOT IN (SELECT uid FROM objects)");
  nextRev(sql);
}
