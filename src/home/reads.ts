// Read verbs of the calendar home: records for PROPFIND, GET, reports and
// planning. Plain synchronous reads of the home's SQLite.
import type { CollectionInfo, HomeInfo, ObjectInfo, PropMap } from "../core/model.js";
import { candidates, type BodySelection, type Candidate, type CandidateQuery } from "./query.js";
import { collectionRow, homeInfo, objectRow, OBJECT_COLUMNS, readObjectProps, readProps, scopes, toCollection, toObject, type CollectionRow, type ObjectRow } from "./rows.js";
import type { Sql } from "../sql.js";
import { withinBudget } from "./bodies.js";

export function homeSnapshot(sql: Sql, epoch: string): { home: HomeInfo; collections: CollectionInfo[]; principalProps: PropMap } {
  const rows = sql.all<CollectionRow>("SELECT * FROM collections ORDER BY id");
  return {
    home: homeInfo(sql),
    collections: rows.map((r) => toCollection(sql, epoch, r)),
    principalProps: readProps(sql, scopes.principal),
  };
}

export function oneObject(sql: Sql, epoch: string, collection: string, name: string): { collection: CollectionInfo; object: ObjectInfo; snapshot: string | null } | null {
  const c = collectionRow(sql, collection);
  const o = c && objectRow(sql, c.id, name);
  if (!c || !o) return null;
  return { collection: toCollection(sql, epoch, c), object: toObject(c.name, o, readProps(sql, scopes.object(c.id, name))), snapshot: o.snapshot };
}

/** Several objects of one collection, with the bodies kept in their rows when `withBodies` (up to BODY_BUDGET). */
export function someObjects(sql: Sql, epoch: string, collection: string, names: string[], withBodies = false): { collection: CollectionInfo; objects: ObjectInfo[] } | null {
  const c = collectionRow(sql, collection);
  if (!c) return null;
  const rows: ObjectRow[] = [];
  const columns = withBodies ? "*" : OBJECT_COLUMNS;
  for (const name of new Set(names)) {
    const o = sql.one<ObjectRow>(`SELECT ${columns} FROM objects WHERE collection_id = ? AND name = ?`, c.id, name);
    if (o) rows.push(o);
  }
  return { collection: toCollection(sql, epoch, c), objects: withinBudget(rows).map((o) => toObject(c.name, o, readProps(sql, scopes.object(c.id, o.name)))) };
}

export function allObjects(sql: Sql, epoch: string, collection: string): { collection: CollectionInfo; objects: ObjectInfo[] } | null {
  const c = collectionRow(sql, collection);
  if (!c) return null;
  const props = readObjectProps(sql, c.id);
  const rows = sql.all<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = ? ORDER BY name`, c.id);
  return { collection: toCollection(sql, epoch, c), objects: rows.map((o) => toObject(c.name, o, props.get(o.name))) };
}

export function queryCandidates(sql: Sql, epoch: string, collection: string, q: CandidateQuery, bodies: BodySelection = false): { collection: CollectionInfo; candidates: Candidate[] } | null {
  const c = collectionRow(sql, collection);
  if (!c) return null;
  return { collection: toCollection(sql, epoch, c), candidates: candidates(sql, c, q, bodies) };
}
