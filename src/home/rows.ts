// Reading the home's rows into the plain records of core/model.ts.
import type { CollectionInfo, CollectionKind, HomeInfo, ObjectInfo, PropMap } from "../core/model.js";
import type { XmlElement } from "../core/xml/tree.js";
import type { Sql } from "../sql.js";
import { formatSyncToken } from "../core/sync.js";

/** collections.max_span for a member with a start and no end: longer than any real span (the largest Date, in ms). */
export const INFINITE_SPAN = 8_640_000_000_000_000;

/** What a member adds to its collection's max_span: its span if it is not recurring and has a start, else nothing. */
export function spanOf(index: { start: number | null; end: number | null; recurring: boolean }): number {
  if (index.recurring || index.start === null) return 0;
  return index.end === null ? INFINITE_SPAN : Math.max(0, index.end - index.start);
}

export interface CollectionRow extends Record<string, SqlStorageValue> {
  id: number;
  name: string;
  kind: string;
  components: string;
  rev: number;
  sync_floor: number;
  created: number;
  modified: number;
  /**
   * At least the longest span (end - start, ms) of a non-recurring member with a start (schema v12; infinite for one
   * without an end): a time-range query looks for those starting no earlier than this before its range (query.ts).
   */
  max_span: number;
}

export interface ObjectRow extends Record<string, SqlStorageValue | undefined> {
  collection_id: number;
  name: string;
  uid: string;
  component: string;
  etag: string;
  schedule_tag: string | null;
  size: number;
  body_key: string;
  rev: number;
  created: number;
  modified: number;
  start_ms: number | null;
  end_ms: number | null;
  recurring: number;
  floating: number;
  exact: number;
  /** The event's busy time (summary.ts IndexedBusy); NULL: not an event, or indexed before schema v7. */
  busy: number | null;
  snapshot: string | null;
  inst_until: number | null;
  /** 1 when the instance spans are exact (schema v16, instance-index.ts InstanceIndex.exact). */
  inst_exact: number;
  /** Octets of the snapshot and instance spans, counted toward the quota beside `size` (writes.ts stateBytes). */
  state_bytes: number;
  /** The body, when it lives in the row (bodies.ts; body_key is then ''); null in R2; not selected by listings. */
  body?: string | null;
}

/** Every column of an object row but its body: what listings read (a PROPFIND of 10,000 members reads no body). */
export const OBJECT_COLUMNS = `collection_id, name, uid, component, etag, schedule_tag, size, body_key, rev, created, modified,
  start_ms, end_ms, recurring, floating, exact, busy, snapshot, inst_until, inst_exact, state_bytes`;

/** What an ObjectInfo is made of (toObject): a listing or a multiget reads no index or scheduling state. */
export const LIST_COLUMNS = "collection_id, name, uid, component, etag, schedule_tag, size, body_key, rev, created, modified";

export const scopes = {
  home: "home",
  principal: "principal",
  collection: (id: number) => `c:${id}`,
  object: (id: number, name: string) => `o:${id}:${name}`,
  /** A sharee's own properties of a calendar shared with it (home/sharing.ts). */
  mount: (name: string) => `m:${name}`,
};

export function meta(sql: Sql, key: string): string | undefined {
  return sql.one<{ value: string }>("SELECT value FROM meta WHERE key = ?", key)?.value;
}

export function setMeta(sql: Sql, key: string, value: string | number): void {
  sql.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, String(value));
}

export function readProps(sql: Sql, scope: string): PropMap {
  const props: PropMap = {};
  for (const r of sql.all<{ name: string; value: string }>("SELECT name, value FROM props WHERE scope = ?", scope))
    props[r.name] = JSON.parse(r.value) as XmlElement;
  return props;
}

/** The properties of several scopes in one statement, by scope (a scope without any is absent). */
export function readPropsOf(sql: Sql, scopeList: string[]): Map<string, PropMap> {
  const byScope = new Map<string, PropMap>();
  if (scopeList.length === 0) return byScope;
  for (const r of sql.all<{ scope: string; name: string; value: string }>(
    "SELECT scope, name, value FROM props WHERE scope IN (SELECT value FROM json_each(?))",
    JSON.stringify(scopeList),
  )) {
    const map = byScope.get(r.scope) ?? {};
    map[r.name] = JSON.parse(r.value) as XmlElement;
    byScope.set(r.scope, map);
  }
  return byScope;
}

/** Object-scope props for a whole collection at once, keyed by object name. */
export function readObjectProps(sql: Sql, collectionId: number): Map<string, PropMap> {
  const prefix = `o:${collectionId}:`;
  const byName = new Map<string, PropMap>();
  for (const r of sql.all<{ scope: string; name: string; value: string }>(
    "SELECT scope, name, value FROM props WHERE scope >= ? AND scope < ?",
    prefix,
    `o:${collectionId};`,
  )) {
    const objectName = r.scope.slice(prefix.length);
    const map = byName.get(objectName) ?? {};
    map[r.name] = JSON.parse(r.value) as XmlElement;
    byName.set(objectName, map);
  }
  return byName;
}

export const syncToken = formatSyncToken;

/** `props`: the collection's properties when already read (readPropsOf); otherwise read here. */
export function toCollection(sql: Sql, epoch: string, r: CollectionRow, props?: PropMap): CollectionInfo {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as CollectionKind,
    components: JSON.parse(r.components) as string[],
    props: props ?? readProps(sql, scopes.collection(r.id)),
    rev: r.rev,
    syncToken: syncToken(epoch, r.id, r.rev),
    ctag: `${epoch}-${r.id}-${r.rev}`,
    created: r.created,
    modified: r.modified,
  };
}

export function toObject(collection: string, r: ObjectRow, props: PropMap = {}): ObjectInfo {
  return {
    ...(typeof r.body === "string" ? { body: r.body } : {}),
    collection,
    name: r.name,
    uid: r.uid,
    component: r.component,
    etag: r.etag,
    scheduleTag: r.schedule_tag,
    size: r.size,
    bodyKey: r.body_key,
    rev: r.rev,
    created: r.created,
    modified: r.modified,
    props,
  };
}

export function homeInfo(sql: Sql, props?: PropMap): HomeInfo {
  const m = new Map(
    sql.all<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key IN ('used_bytes', 'created')").map((r) => [r.key, r.value]),
  );
  return {
    usedBytes: Number(m.get("used_bytes") ?? 0),
    props: props ?? readProps(sql, scopes.home),
    created: Number(m.get("created") ?? 0),
  };
}

export function collectionRow(sql: Sql, name: string): CollectionRow | undefined {
  return sql.one<CollectionRow>("SELECT * FROM collections WHERE name = ?", name);
}

/** What a PUT must know of its target and the home before it writes, in two statements (writes.ts checkPut). */
export interface PutTarget {
  existing: ObjectRow | undefined;
  /** Another member of the collection with the same UID (RFC 4791 §5.3.2.1 no-uid-conflict), if any. */
  sameUid: string | undefined;
  /** Whether the name has a tombstone (removed earlier), which the write must drop. */
  tombstone: boolean;
  /** The home's used octets (meta used_bytes), for the quota check. */
  used: number;
}

export function putTarget(sql: Sql, collectionId: number, name: string, uid: string): PutTarget {
  // Two statements: the row by its key, then the rest, each part a lookup on its own index (an OR of name and uid
  // would read the whole collection). One statement that LEFT JOINed the row to the rest cost workerd 0.13-0.27 ms
  // per PUT where these two cost about 0.04 (timed in the home, 2026-12-07).
  const existing = objectMeta(sql, collectionId, name);
  const rest = sql.one<{ same_uid: string | null; tombstone: number; used_bytes: string | number | null }>(
    `SELECT (SELECT name FROM objects WHERE collection_id = ?1 AND uid = ?3 AND name != ?2 LIMIT 1) AS same_uid,
       EXISTS (SELECT 1 FROM tombstones WHERE collection_id = ?1 AND name = ?2) AS tombstone,
       (SELECT value FROM meta WHERE key = 'used_bytes') AS used_bytes`,
    collectionId, name, uid,
  )!;
  return { existing, sameUid: rest.same_uid ?? undefined, tombstone: rest.tombstone === 1, used: Number(rest.used_bytes ?? 0) };
}

/** An object's row without its body: what a precondition check or a delete reads (a replaced body is never read). */
export function objectMeta(sql: Sql, collectionId: number, name: string): ObjectRow | undefined {
  return sql.one<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = ? AND name = ?`, collectionId, name);
}

export function objectRow(sql: Sql, collectionId: number, name: string): ObjectRow | undefined {
  return sql.one<ObjectRow>("SELECT * FROM objects WHERE collection_id = ? AND name = ?", collectionId, name);
}
