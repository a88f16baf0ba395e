// Time-range and component candidates for calendar-query and free-busy
// (RFC 4791 sections 7.8, 7.10) straight from the index: the SQL narrows,
// the exact matcher in core/query decides on what remains.
import type { ObjectInfo } from "../core/model.js";
import { decideFromIndex, type IndexFacts, type QueryPlan } from "../core/query/prefilter.js";
import type { BusyRow } from "../core/query/busy-index.js";
import { OBJECT_COLUMNS, readObjectProps, toObject, type CollectionRow, type ObjectRow } from "./rows.js";
import { BODY_BUDGET } from "./bodies.js";
import type { Sql } from "../sql.js";

export interface CandidateQuery {
  /** Component types to keep; undefined = all. */
  components?: string[] | undefined;
  /** A time range the component must be able to overlap (ms UTC; null = unbounded). */
  start?: number | null | undefined;
  end?: number | null | undefined;
}

export interface Candidate extends ObjectInfo {
  start: number | null;
  end: number | null;
  recurring: boolean;
  /** The index span is the instance's exact span: overlap is decidable without the body. */
  exact: boolean;
  floating: boolean;
  /** summary.ts IndexedBusy; null when unknown. */
  busy: number | null;
  /** Instances are indexed up to this instant; null when not indexed. */
  instUntil: number | null;
  /** The instance spans are exact (instance-index.ts InstanceIndex.exact). */
  instExact: boolean;
  /** For a ranged query, whether an exact instance span overlaps the range (§9.9); undefined when not asked. */
  instHit?: boolean | undefined;
  /** JSON scheduling snapshot (RFC 6638), for scheduling objects. */
  snapshot: string | null;
}

/**
 * Which candidates come with their bodies (within bodies.ts BODY_BUDGET): all, none, or those a calendar-query
 * needs (RFC 4791 §7.8): the ones its index rows cannot decide, and with calendar-data asked for the matches too.
 * So a query is one round trip, and a query the index decides reads no body.
 */
export type BodySelection = boolean | { plan: QueryPlan; withData: boolean };

const wantsBody = (sel: BodySelection, row: ObjectRow): boolean => {
  if (typeof sel === "boolean") return sel;
  const decided = decideFromIndex(sel.plan, indexFacts(row));
  return decided === undefined || (decided && sel.withData);
};

/**
 * The candidates of a query, with the bodies `bodies` selects. `budget` is what is left of BODY_BUDGET for their
 * bodies: one read over several collections (the agenda, reads.ts) shares one, so one answer still carries at most 4 MB.
 */
export function candidates(
  sql: Sql, col: Pick<CollectionRow, "id" | "name">, q: CandidateQuery, bodies: BodySelection = false, budget = { left: BODY_BUDGET },
): Candidate[] {
  // Only a calendar-query's selection decides from instance hits (the agenda reads every body anyway).
  const hits = typeof bodies === "object";
  const all = q.start != null || q.end != null ? inRange(sql, col, q, hits) : unranged(sql, col.id, q.components);
  // Only the bodies sent are read from SQLite, up to BODY_BUDGET (the Worker asks for the rest): no answer loads a calendar.
  const sent = new Set<string>();
  for (const r of all) {
    if (r.body_key !== "" || r.size > budget.left || !wantsBody(bodies, r)) continue;
    sent.add(r.name);
    budget.left -= r.size;
  }
  // The chosen bodies in one statement.
  const texts = new Map(
    sent.size === 0
      ? []
      : sql.all<{ name: string; body: string | null }>(
          "SELECT name, body FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?))", col.id, JSON.stringify([...sent]),
        ).map((b) => [b.name, b.body]),
  );
  const rows = all.map((r) => {
    const body = texts.get(r.name);
    return typeof body === "string" ? { ...r, body } : r;
  });
  const props = rows.length ? readObjectProps(sql, col.id) : new Map();
  return rows.map((r) => ({
    ...toObject(col.name, r, props.get(r.name)),
    ...indexFacts(r),
    floating: r.floating === 1,
    busy: r.busy,
    snapshot: r.snapshot,
  }));
}

/** What prefilter.ts decideFromIndex reads of a row (a Candidate carries the same). */
const indexFacts = (r: RangedRow): IndexFacts & { recurring: boolean; instUntil: number | null; instExact: boolean } => ({
  start: r.start_ms, end: r.end_ms, exact: r.exact === 1, recurring: r.recurring === 1, instUntil: r.inst_until, instExact: r.inst_exact === 1,
  instHit: hitOf(r),
});

/** inst_hit as read: asked and answered, or not asked (no range end, not a calendar-query, spans not exact). */
const hitOf = (r: RangedRow): boolean | undefined => (r.inst_hit === undefined || r.inst_hit === null ? undefined : r.inst_hit === 1);

/** A row of a ranged query: `inst_hit` is 1 when one of its exact instance spans overlaps the range (inRange). */
type RangedRow = ObjectRow & { inst_hit?: number | null };

const componentTest = (components: string[] | undefined): { sql: string; params: unknown[] } =>
  components ? { sql: ` AND component IN (${components.map(() => "?").join(", ")})`, params: components } : { sql: "", params: [] };

function unranged(sql: Sql, collectionId: number, components: string[] | undefined): ObjectRow[] {
  const c = componentTest(components);
  return sql.all<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = ?${c.sql} ORDER BY name`, collectionId, ...c.params);
}

/**
 * The rows of a time-range query in two steps: the names from the objects_range index alone (SQLite reads no row to
 * test them), then those rows by name. One statement over the table read every row's pages.
 *
 * Overlap is possible only if the query starts before the object's end and ends after its start. The index alone
 * can find "starts before the range ends" only by reading every member that starts earlier, so the members are
 * looked for in three parts, each a range of the index: the non-recurring ones that start at most max_span (the
 * collection's longest such span) before the range, so a range costs what lies near it; the recurring ones (their
 * span is the whole series); and those without a start. Both bounds are required for the first part; with one, all
 * members that may overlap are tested as before.
 */
function inRange(sql: Sql, col: Pick<CollectionRow, "id">, q: CandidateQuery, hits = false): RangedRow[] {
  const names = rangedNames(sql, col, q);
  if (names.length === 0) return [];
  const start = q.start ?? null;
  const end = q.end ?? null;
  // With an end, an object whose instance spans are exact is told whether one overlaps the range (RFC 4791 §9.9:
  // start < qEnd && end > qStart), so the query need not read its body to decide (prefilter.ts decideFromIndex).
  const hit = end === null || !hits ? "" : `, CASE WHEN inst_exact = 1 THEN EXISTS (SELECT 1 FROM instances i
      WHERE i.collection_id = objects.collection_id AND i.name = objects.name AND i.start_ms < ? AND i.end_ms > ?) END AS inst_hit`;
  const hitParams = end === null || !hits ? [] : [end, start ?? -8.64e15];
  return sql.all<RangedRow>(`SELECT ${OBJECT_COLUMNS}${hit} FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`, ...hitParams, col.id, JSON.stringify(names));
}

/** The names of the members that may overlap a time range, from the objects_range index alone (inRange above). */
export function rangedNames(sql: Sql, col: Pick<CollectionRow, "id">, q: CandidateQuery): string[] {
  const c = componentTest(q.components);
  const start = q.start ?? null;
  const end = q.end ?? null;
  // A recurring event whose instances are indexed past the range's end needs one instance in it.
  const instances = end === null ? { sql: "", params: [] as unknown[] } : {
    sql: ` AND (inst_until IS NULL OR inst_until < ? OR EXISTS (SELECT 1 FROM instances i
      WHERE i.collection_id = objects.collection_id AND i.name = objects.name AND i.start_ms <= ? AND i.end_ms >= ?))`,
    params: [end, end, start ?? -8.64e15],
  };
  const endsAfter = start === null ? { sql: "", params: [] as unknown[] } : { sql: " AND (end_ms IS NULL OR end_ms >= ?)", params: [start] };
  const startsBefore = end === null ? { sql: "", params: [] as unknown[] } : { sql: " AND (start_ms IS NULL OR start_ms <= ?)", params: [end] };
  const head = `SELECT name FROM objects INDEXED BY objects_range WHERE collection_id = ?${c.sql}`;
  const parts: Array<{ sql: string; params: unknown[] }> = [];
  if (start !== null && end !== null) {
    // The collection's max_span is read in the statement (a constant SQLite evaluates once): no other round trip.
    const from = "max(-8640000000000000, ? - (SELECT max_span FROM collections WHERE id = ?))";
    parts.push({ sql: `${head} AND recurring = 0 AND start_ms >= ${from} AND start_ms <= ?${endsAfter.sql}`, params: [col.id, ...c.params, start, col.id, end, ...endsAfter.params] });
    parts.push({ sql: `${head} AND recurring = 1${startsBefore.sql}${endsAfter.sql}${instances.sql}`, params: [col.id, ...c.params, ...startsBefore.params, ...endsAfter.params, ...instances.params] });
    parts.push({ sql: `${head} AND recurring = 0 AND start_ms IS NULL${endsAfter.sql}`, params: [col.id, ...c.params, ...endsAfter.params] });
  } else {
    parts.push({ sql: `${head}${startsBefore.sql}${endsAfter.sql}${instances.sql}`, params: [col.id, ...c.params, ...startsBefore.params, ...endsAfter.params, ...instances.params] });
  }
  return sql.all<{ name: string }>(parts.map((p) => p.sql).join(" UNION ALL "), ...parts.flatMap((p) => p.params)).map((r) => r.name);
}

/** What busy-index.ts reads of a row. */
export const busyRow = (r: Pick<ObjectRow, "component" | "start_ms" | "end_ms" | "recurring" | "floating" | "exact" | "busy" | "inst_until">): BusyRow => ({
  component: r.component, start: r.start_ms, end: r.end_ms, recurring: r.recurring === 1, floating: r.floating === 1,
  exact: r.exact === 1, busy: r.busy, instUntil: r.inst_until,
});
