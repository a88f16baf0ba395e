// One round trip for a request on a collection: what the collection's own
// properties need (the home's snapshot) together with what the request reads
// of its members: the listing of a PROPFIND Depth 1 (RFC 4918 §9.1), the
// objects of a calendar-multiget (RFC 4791 §7.9), the candidates of a
// calendar-query, the busy time of a free-busy-query from the index and the
// candidates it cannot describe (§7.8, §7.10), the changes of a
// sync-collection (RFC 6578 §3). Plain synchronous reads of the home's SQLite;
// a listing of a collection nothing was written to comes from the home's
// memory (listing-cache.ts), and listings, multiget objects and changes cross RPC packed in
// columns (core/wire.ts).
import type { CollectionInfo, HomeInfo, PropMap } from "../core/model.js";
import { changesSince, type ChangeSet } from "./changes.js";
import { candidates, type BodySelection, type Candidate, type CandidateQuery } from "./query.js";
import { listObjects, objectsNamed, type HomeSnapshot } from "./reads.js";
import { collectionRow } from "./rows.js";
import { calendarBusyFromIndex, type IndexedBusy } from "./calendar-busy.js";
import { isTransparent } from "../core/calendar-props.js";
import type { Sql } from "../sql.js";
import { packObjects, type PackedObjects } from "../core/wire.js";
import type { ListingCache } from "./listing-cache.js";
import type { MountInfo } from "./sharing.js";

export type ViewOp =
  | { kind: "none" }
  | { kind: "list" }
  | { kind: "objects"; names: string[]; withBodies: boolean }
  | { kind: "query"; q: CandidateQuery; bodies: BodySelection }
  | { kind: "changes"; token: string; limit: number; withBodies: boolean }
  | { kind: "busy"; range: { start: number; end: number } };

export type ViewResult =
  | { kind: "none" }
  | { kind: "list"; objects: PackedObjects }
  | { kind: "objects"; objects: PackedObjects }
  | { kind: "query"; candidates: Candidate[] }
  | { kind: "changes"; changes: PackedChangeSet }
  | ({ kind: "busy" } & IndexedBusy);

/** A ChangeSet as it crosses RPC: the changed members packed (core/wire.ts). */
export type PackedChangeSet = Omit<ChangeSet, "changed"> & { changed: PackedObjects };

const packChanges = ({ changed, ...rest }: ChangeSet): PackedChangeSet => ({ ...rest, changed: packObjects(changed) });

export interface View {
  home: HomeInfo;
  collections: CollectionInfo[];
  principalProps: PropMap;
  /** Calendars of others shared with this home: a name that is no collection may be one of these. */
  mounts: MountInfo[];
  /** The collection the request names (null: none of that name). */
  collection: CollectionInfo | null;
  result: ViewResult;
}

/**
 * The snapshot (as the home read it last: it is the same while nothing was written) and, when the collection
 * exists, what `op` reads of it; throws the DavError of a bad sync token. `listings`: the home's ListingCache,
 * for a listing of a collection nothing was written to since.
 */
export function view(sql: Sql, epoch: string, snap: HomeSnapshot, name: string, op: ViewOp, listings?: ListingCache): View {
  const collection = snap.collections.find((c) => c.name === name) ?? null;
  const none: ViewResult = { kind: "none" };
  if (!collection || op.kind === "none") return { ...snap, collection, result: none };
  switch (op.kind) {
    // The snapshot's record of the collection serves the member reads: no second read of the collection's row.
    case "list":
      return { ...snap, collection, result: { kind: "list", objects: packObjects(listObjects(sql, collection, listings)) } };
    case "objects":
      return { ...snap, collection, result: { kind: "objects", objects: packObjects(objectsNamed(sql, collection, op.names, op.withBodies)) } };
    case "query":
      return { ...snap, collection, result: { kind: "query", candidates: candidates(sql, collection, op.q, op.bodies) } };
    case "busy": {
      // A transparent calendar holds no busy time (RFC 6638 §9.1); only calendars have any.
      const col = collection.kind === "calendar" && !isTransparent(collection.props) ? collectionRow(sql, name) : undefined;
      return { ...snap, collection, result: { kind: "busy", ...(col ? calendarBusyFromIndex(sql, col, op.range) : { periods: [], rest: [] }) } };
    }
    case "changes":
      return {
        ...snap,
        collection,
        result: { kind: "changes", changes: packChanges(changesSince(sql, epoch, collectionRow(sql, name)!, op.token, op.limit, op.withBodies, () => listObjects(sql, collection, listings))) },
      };
  }
}
