// Read verbs of the calendar home: records for PROPFIND, GET, reports and
// planning. Plain synchronous reads of the home's SQLite.
import type { CollectionInfo, HomeInfo, ObjectInfo, PropMap } from "../core/model.js";
import { candidates, type BodySelection, type Candidate, type CandidateQuery } from "./query.js";
import { collectionRow, homeInfo, LIST_COLUMNS, objectRow, readObjectProps, readProps, readPropsOf, scopes, toCollection, toObject, type CollectionRow, type ObjectRow } from "./rows.js";
import type { Sql } from "../sql.js";
import { withinBudget } from "./bodies.js";
import type { ListingCache } from "./listing-cache.js";
import { invitesByCollection, mountsOf, type MountInfo } from "./sharing.js";
import { delegationOf } from "./delegation.js";
import type { Delegation } from "../core/delegation/model.js";

/** What every request on a home reads first: the home, its collections and the principal's properties. */
export interface HomeSnapshot {
  home: HomeInfo;
  collections: CollectionInfo[];
  principalProps: PropMap;
  /** Calendars of others shared with this home (home/sharing.ts). */
  mounts: MountInfo[];
  /** The principal's proxy groups and whom it is a delegate of (home/delegation.ts). */
  delegation: Delegation;
}

/** The home, its collections and the principal's properties: three statements whatever the number of collections. */
export function homeSnapshot(sql: Sql, epoch: string): HomeSnapshot {
  const rows = sql.all<CollectionRow>("SELECT * FROM collections ORDER BY id");
  const props = readPropsOf(sql, [scopes.home, scopes.principal, ...rows.map((r) => scopes.collection(r.id))]);
  const invites = invitesByCollection(sql);
  return {
    home: homeInfo(sql, props.get(scopes.home) ?? {}),
    collections: rows.map((r) => {
      const c = toCollection(sql, epoch, r, props.get(scopes.collection(r.id)) ?? {});
      const i = invites.get(r.id);
      return i ? { ...c, invites: i } : c;
    }),
    principalProps: props.get(scopes.principal) ?? {},
    mounts: mountsOf(sql),
    delegation: delegationOf(sql),
  };
}

/** How many objects each collection holds, by name (the web page's list of calendars): one statement. */
export function objectCounts(sql: Sql): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of sql.all<{ name: string; n: number }>(
    "SELECT c.name AS name, COUNT(o.name) AS n FROM collections c LEFT JOIN objects o ON o.collection_id = c.id GROUP BY c.id",
  ))
    out[r.name] = r.n;
  return out;
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
  return { collection: toCollection(sql, epoch, c), objects: objectsNamed(sql, c, names, withBodies) };
}

/** The named objects that exist, in the order first named: two statements whatever their number (a multiget of 100 is not 200 reads). */
export function objectsNamed(sql: Sql, c: Pick<CollectionRow, "id" | "name">, names: string[], withBodies: boolean): ObjectInfo[] {
  const unique = [...new Set(names)];
  if (unique.length === 0) return [];
  const columns = withBodies ? `${LIST_COLUMNS}, body` : LIST_COLUMNS;
  const found = new Map(
    sql.all<ObjectRow>(`SELECT ${columns} FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?))`, c.id, JSON.stringify(unique))
      .map((o) => [o.name, o]),
  );
  const rows = unique.flatMap((n) => found.get(n) ?? []);
  const props = readPropsOf(sql, rows.map((o) => scopes.object(c.id, o.name)));
  return withinBudget(rows).map((o) => toObject(c.name, o, props.get(scopes.object(c.id, o.name))));
}

export function allObjects(sql: Sql, epoch: string, collection: string, cache?: ListingCache): { collection: CollectionInfo; objects: ObjectInfo[] } | null {
  const c = collectionRow(sql, collection);
  if (!c) return null;
  return { collection: toCollection(sql, epoch, c), objects: listObjects(sql, c, cache) };
}

/** Every member of a collection without bodies, by name: one statement for the rows and one for their properties (or none, from `cache`). */
export function listObjects(sql: Sql, c: Pick<CollectionRow, "id" | "name">, cache?: ListingCache): ObjectInfo[] {
  const read = () => {
    const props = readObjectProps(sql, c.id);
    const rows = sql.all<ObjectRow>(`SELECT ${LIST_COLUMNS} FROM objects WHERE collection_id = ? ORDER BY name`, c.id);
    return rows.map((o) => toObject(c.name, o, props.get(o.name)));
  };
  return cache ? cache.get(sql, c.id, read) : read();
}

export function queryCandidates(sql: Sql, epoch: string, collection: string, q: CandidateQuery, bodies: BodySelection = false): { collection: CollectionInfo; candidates: Candidate[] } | null {
  const c = collectionRow(sql, collection);
  if (!c) return null;
  return { collection: toCollection(sql, epoch, c), candidates: candidates(sql, c, q, bodies) };
}
