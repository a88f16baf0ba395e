// Changes of one collection since a sync token (RFC 6578 section 3): live
// members with a higher revision and tombstones of deleted ones, in
// revision order, at most `limit` of them. Both come from (collection, rev)
// indexes, so the cost follows the number of changes, not the collection.
import { invalidSyncToken, parseSyncToken } from "../core/sync.js";
import type { CollectionInfo, ObjectInfo } from "../core/model.js";
import { LIST_COLUMNS, readObjectProps, syncToken, toCollection, toObject, type CollectionRow, type ObjectRow } from "./rows.js";
import { withinBudget } from "./bodies.js";
import type { Sql } from "../sql.js";

export interface ChangeSet {
  collection: CollectionInfo;
  changed: ObjectInfo[];
  deleted: string[];
  /** The token to hand back: the collection's current one, or a continuation when truncated. */
  token: string;
  truncated: boolean;
}

/** With `withBodies`, the changed members carry the bodies kept in their rows (within bodies.ts BODY_BUDGET). */
/**
 * `listing`: the collection's members as a listing reads them (listing-cache.ts), which an initial sync without
 * bodies may answer from instead of reading every row again.
 */
export function changesSince(
  sql: Sql, epoch: string, col: CollectionRow, token: string, limit: number, withBodies = false, listing?: () => ObjectInfo[],
): ChangeSet {
  let since = 0;
  const initial = token === "";
  if (!initial) {
    const t = parseSyncToken(token);
    if (!t) throw invalidSyncToken("not one of ours");
    if (t.epoch !== epoch || t.collectionId !== col.id) throw invalidSyncToken("it belongs to another collection");
    if (t.rev > col.rev) throw invalidSyncToken("it is newer than the collection");
    if (t.rev < col.sync_floor) throw invalidSyncToken("it has expired; sync again from scratch");
    since = t.rev;
  }
  if (initial && !withBodies && listing) {
    // Every member, in revision order like the statement below, cut at the limit the same way.
    const all = [...listing()].sort((a, b) => a.rev - b.rev);
    const truncated = all.length > limit;
    const changed = truncated ? all.slice(0, limit) : all;
    return {
      collection: toCollection(sql, epoch, col),
      changed,
      deleted: [],
      token: syncToken(epoch, col.id, truncated ? changed[changed.length - 1]!.rev : col.rev),
      truncated,
    };
  }
  const rows = withinBudget(sql.all<ObjectRow>(
    `SELECT ${withBodies ? `${LIST_COLUMNS}, body` : LIST_COLUMNS} FROM objects WHERE collection_id = ? AND rev > ? ORDER BY rev LIMIT ?`,
    col.id, since, limit + 1,
  ));
  const gone = initial
    ? []
    : sql.all<{ name: string; rev: number }>(
        "SELECT name, rev FROM tombstones WHERE collection_id = ? AND rev > ? ORDER BY rev LIMIT ?",
        col.id, since, limit + 1,
      );
  // Merge the two revision-ordered lists and cut at the limit.
  const merged: Array<{ rev: number; row?: ObjectRow; name: string }> = [
    ...rows.map((row) => ({ rev: row.rev, row, name: row.name })),
    ...gone.map((g) => ({ rev: g.rev, name: g.name })),
  ].sort((a, b) => a.rev - b.rev);
  const truncated = merged.length > limit;
  const kept = truncated ? merged.slice(0, limit) : merged;
  const props = kept.some((k) => k.row) ? readObjectProps(sql, col.id) : new Map();
  const collection = toCollection(sql, epoch, col);
  const lastRev = truncated ? kept[kept.length - 1]!.rev : col.rev;
  return {
    collection,
    changed: kept.filter((k) => k.row).map((k) => toObject(col.name, k.row!, props.get(k.name))),
    deleted: kept.filter((k) => !k.row).map((k) => k.name),
    token: syncToken(epoch, col.id, lastRev),
    truncated,
  };
}
