// The calendar home's reads for the web page's agenda and invitations, each
// one round trip: every calendar's candidates for a time range (home/query.ts,
// the index narrowing as for a calendar-query, RFC 4791 §7.8) with their
// bodies under one shared BODY_BUDGET, beside the home's snapshot (the
// principal's properties hold the person's timezone); and the scheduling
// copies that wait for the person's answer (core/agenda/answer.ts), found
// from the scheduling snapshots stored with the rows, not from bodies.
import { pendingIn, type Pending } from "../core/agenda/answer.js";
import type { CollectionInfo, ObjectInfo, PropMap } from "../core/model.js";
import { parseSnapshot } from "../core/schedule/snapshot.js";
import type { Sql } from "../sql.js";
import { BODY_BUDGET } from "./bodies.js";
import { candidates, type Candidate, type CandidateQuery } from "./query.js";
import { homeSnapshot } from "./reads.js";
import { OBJECT_COLUMNS, readObjectProps, toObject, type ObjectRow } from "./rows.js";

export interface HomeCandidates {
  collections: CollectionInfo[];
  principalProps: PropMap;
  /** Per calendar holding one of the components asked for, its candidates (bodies while the budget lasts). */
  found: Array<{ collection: CollectionInfo; candidates: Candidate[] }>;
}

/** The candidates of every calendar for `q`, with bodies up to one BODY_BUDGET in all. */
export function homeCandidates(sql: Sql, epoch: string, q: CandidateQuery): HomeCandidates {
  const snap = homeSnapshot(sql, epoch);
  const budget = { left: BODY_BUDGET };
  const calendars = snap.collections.filter((c) => c.kind === "calendar" && (!q.components || c.components.some((x) => q.components!.includes(x))));
  return {
    collections: snap.collections,
    principalProps: snap.principalProps,
    found: calendars.map((collection) => ({ collection, candidates: candidates(sql, collection, q, true, budget) })),
  };
}

export interface PendingCopy {
  object: ObjectInfo;
  /** The index's start of the object (ms UTC; for a recurring one, its first instance), null when unknown. */
  start: number | null;
  pending: Pending;
}

/** Rows looked at for pending answers at most (the SQL keeps only copies whose snapshot mentions NEEDS-ACTION). */
const SCAN_LIMIT = 2_000;

/**
 * The scheduling copies in the home's calendars that wait for an answer from the person with `addresses` and have
 * not ended before `after`, soonest first, at most `limit`, with their bodies while BODY_BUDGET lasts.
 */
export function pendingCopies(sql: Sql, addresses: readonly string[], after: number, limit: number): PendingCopy[] {
  const rows = sql.all<ObjectRow & { collection: string }>(
    `SELECT ${OBJECT_COLUMNS.replace(/(^|,\s*)/g, "$1o.")}, c.name AS collection FROM objects o JOIN collections c ON c.id = o.collection_id
     WHERE c.kind = 'calendar' AND o.snapshot LIKE '%NEEDS-ACTION%' AND (o.end_ms IS NULL OR o.end_ms >= ?)
     ORDER BY o.start_ms, o.name LIMIT ?`,
    after, SCAN_LIMIT,
  );
  const chosen = rows.flatMap((r) => {
    const pending = pendingIn(parseSnapshot(r.snapshot), addresses);
    return pending ? [{ r, pending }] : [];
  }).slice(0, limit);
  let left = BODY_BUDGET;
  const byCollection = new Map<number, ObjectRow[]>();
  for (const { r } of chosen) {
    if (r.body_key !== "" || r.size > left) continue;
    left -= r.size;
    byCollection.set(r.collection_id, [...(byCollection.get(r.collection_id) ?? []), r]);
  }
  const bodies = new Map<string, string>();
  const props = new Map<number, Map<string, PropMap>>();
  for (const [id, list] of byCollection) {
    for (const b of sql.all<{ name: string; body: string | null }>(
      "SELECT name, body FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?))", id, JSON.stringify(list.map((r) => r.name)),
    )) if (typeof b.body === "string") bodies.set(`${id}/${b.name}`, b.body);
  }
  for (const { r } of chosen) if (!props.has(r.collection_id)) props.set(r.collection_id, readObjectProps(sql, r.collection_id));
  return chosen.map(({ r, pending }) => {
    const body = bodies.get(`${r.collection_id}/${r.name}`);
    const row = body === undefined ? r : { ...r, body };
    return { object: toObject(r.collection, row, props.get(r.collection_id)?.get(r.name)), start: r.start_ms, pending };
  });
}
