// COPY and MOVE inside one calendar home (RFC 4918 sections 9.8, 9.9 with
// the CalDAV preconditions of RFC 4791 section 5.3.2.1). Bodies are
// immutable, so a copy shares the source's R2 key instead of duplicating it.
import { checkConditions, checkScheduleTag, type EtagCondition } from "../core/conditional.js";
import { C, forbidden, notFound, precondition, preconditionFailed } from "../core/errors.js";
import { hrefs } from "../core/paths.js";
import { caldav, dav } from "../core/xml/names.js";
import { el } from "../core/xml/tree.js";
import type { IndexSummary } from "../core/ical/parse.js";
import type { BusyCode } from "../core/ical/component.js";
import type { IndexedBusy } from "../core/ical/summary.js";
import { collectionRow, objectMeta, objectRow, scopes, type CollectionRow, type ObjectRow } from "./rows.js";
import type { Sql } from "../sql.js";
import { mountNamed } from "./sharing.js";
import { noCollection, calendarOrThrow, checkQuota, deleteCollection, footprint, newScheduleTag, removeObject, writeRow } from "./writes.js";

export interface CopyMoveRequest {
  from: { collection: string; name?: string | undefined };
  to: { collection: string; name?: string | undefined };
  move: boolean;
  overwrite: boolean;
  ifMatch?: EtagCondition | undefined;
  /** RFC 6638 §8.3, on the source. */
  ifScheduleTagMatch?: EtagCondition | undefined;
}

/** Returns true when the destination was created, false when it was replaced. */
export interface CopyMoveResult {
  created: boolean;
  /** The destination's Schedule-Tag, for scheduling objects (RFC 6638 §3.2.10). */
  scheduleTag: string | null;
}

export function copyMove(sql: Sql, owner: string, req: CopyMoveRequest, quota: number, now: number): CopyMoveResult {
  if (req.from.name === undefined || req.to.name === undefined) return { created: moveCollection(sql, req, now), scheduleTag: null };
  const src = collectionRow(sql, req.from.collection);
  const row = src && objectRow(sql, src.id, req.from.name);
  if (!src && mountNamed(sql, req.from.collection)) throw noCollection(sql, req.from.collection);
  if (!src || !row) throw notFound();
  checkConditions(row.etag, { ifMatch: req.ifMatch });
  checkScheduleTag(row.schedule_tag, req.ifScheduleTagMatch);
  if (req.from.collection === req.to.collection && req.from.name === req.to.name)
    throw forbidden("source and destination are the same");

  // A home holds one scheduling object per UID (RFC 6638 §3.2.4.1): a copy of one would be a second.
  if (!req.move && row.snapshot !== null)
    throw precondition(403, caldav("unique-scheduling-object-resource"), "a scheduling object cannot be copied within its home", [
      el(dav("href"), [hrefs.object(owner, req.from.collection, row.name)]),
    ]);
  const dst = calendarOrThrow(sql, owner, req.to.collection);
  const existing = objectMeta(sql, dst.id, req.to.name);
  if (existing && !req.overwrite) throw preconditionFailed("destination exists and Overwrite is F");
  // RFC 4791 §5.3.2.1 no-uid-conflict: a COPY or MOVE may not overwrite an object with one of another UID.
  if (existing && existing.uid !== row.uid)
    throw precondition(403, C.noUidConflict, `the destination holds UID ${existing.uid}, not ${row.uid}`, [
      el(dav("href"), [hrefs.object(owner, req.to.collection, existing.name)]),
    ]);
  if (!(JSON.parse(dst.components) as string[]).includes(row.component))
    throw precondition(403, C.supportedCalendarComponent, `${row.component} is not supported in the destination`);
  const sameUid = sql.one<{ name: string }>("SELECT name FROM objects WHERE collection_id = ? AND uid = ?", dst.id, row.uid);
  const isSource = sameUid && req.move && dst.id === src.id && sameUid.name === row.name;
  if (sameUid && sameUid.name !== req.to.name && !isSource)
    throw precondition(403, C.noUidConflict, `UID ${row.uid} is already in use in the destination`, [
      el(dav("href"), [hrefs.object(owner, req.to.collection, sameUid.name)]),
    ]);
  if (!req.move) checkQuota(sql, footprint(row) - footprint(existing), quota);

  const props = sql.all<{ name: string; value: string }>("SELECT name, value FROM props WHERE scope = ?", scopes.object(src.id, row.name));
  if (existing) removeObject(sql, dst, existing, now);
  // The source goes first, so a rename inside one calendar never holds its UID twice.
  // The instance index goes with the row; read it before a move removes the source.
  // Instance busy codes are NULL only in rows indexed before schema v7, whose object busy is NULL too (never read).
  const spans = sql.all<{ start_ms: number; end_ms: number; busy: BusyCode }>("SELECT start_ms, end_ms, busy FROM instances WHERE collection_id = ? AND name = ?", src.id, row.name)
    .map((r): [number, number, BusyCode] => [r.start_ms, r.end_ms, r.busy]);
  if (req.move) removeObject(sql, src, row, now);
  // A move by an HTTP request gives a scheduling object a new Schedule-Tag (RFC 6638 §3.2.10); it sends nothing.
  const scheduleTag = row.snapshot !== null ? newScheduleTag() : row.schedule_tag;
  insertCopy(sql, dst, req.to.name, { ...row, schedule_tag: scheduleTag }, spans, now);
  for (const p of props)
    sql.run("INSERT OR REPLACE INTO props (scope, name, value) VALUES (?, ?, ?)", scopes.object(dst.id, req.to.name), p.name, p.value);
  return { created: !existing, scheduleTag };
}

/** The destination row: the source's data, index and instance spans, under the new name. */
function insertCopy(sql: Sql, dst: CollectionRow, name: string, row: ObjectRow, spans: Array<[number, number, BusyCode]>, now: number): void {
  const index: IndexSummary = {
    uid: row.uid, component: row.component as IndexSummary["component"], start: row.start_ms, end: row.end_ms,
    recurring: row.recurring === 1, floating: row.floating === 1, exact: row.exact === 1, busy: row.busy as IndexedBusy | null,
  };
  writeRow(sql, dst, name, {
    uid: row.uid, component: row.component, etag: row.etag, scheduleTag: row.schedule_tag, size: row.size, bodyKey: row.body_key, body: row.body,
    index, snapshot: row.snapshot, instances: row.inst_until === null ? null : { spans, until: row.inst_until, exact: row.inst_exact === 1 },
  }, undefined, now);
  // A moved body was queued as garbage when its source row went; it is referenced again.
  if (row.body_key) sql.run("DELETE FROM garbage WHERE key = ?", row.body_key);
}

/** MOVE of a whole calendar collection renames it; COPY of collections is refused. */
function moveCollection(sql: Sql, req: CopyMoveRequest, now: number): boolean {
  if (req.from.name !== undefined || req.to.name !== undefined) throw forbidden("cannot copy between objects and collections");
  if (!req.move) throw forbidden("COPY of a calendar collection is not supported");
  const src = collectionRow(sql, req.from.collection);
  if (!src) throw notFound();
  if (src.kind !== "calendar") throw forbidden("the scheduling inbox and outbox cannot be moved");
  if (req.from.collection === req.to.collection) throw forbidden("source and destination are the same");
  const existing = collectionRow(sql, req.to.collection);
  if (existing && !req.overwrite) throw preconditionFailed("destination exists and Overwrite is F");
  if (existing && existing.kind !== "calendar") throw forbidden("cannot replace the scheduling inbox or outbox");
  if (existing) deleteCollection(sql, req.to.collection, now);
  sql.run("UPDATE collections SET name = ?, modified = ? WHERE id = ?", req.to.collection, now, src.id);
  return !existing;
}
