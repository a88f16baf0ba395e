// Time-range and component candidates for calendar-query and free-busy
// (RFC 4791 sections 7.8, 7.10) straight from the index: the SQL narrows,
// the exact matcher in core/query decides on what remains.
import type { ObjectInfo } from "../core/model.js";
import { decideFromIndex, type QueryPlan } from "../core/query/prefilter.js";
import { busySource, type BusyRow } from "../core/query/busy-index.js";
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
  /** JSON scheduling snapshot (RFC 6638), for scheduling objects. */
  snapshot: string | null;
}

/**
 * Which candidates come with their bodies (within bodies.ts BODY_BUDGET): all, none, or those a calendar-query
 * needs (RFC 4791 §7.8): the ones its index rows cannot decide, and with calendar-data asked for the matches too.
 * So a query is one round trip, and a query the index decides reads no body.
 */
export type BodySelection = boolean | { plan: QueryPlan; withData: boolean } | { busy: { start: number; end: number } };

const wantsBody = (sel: BodySelection, row: ObjectRow): boolean => {
  if (typeof sel === "boolean") return sel;
  if ("busy" in sel) return busySource(busyRow(row), sel.busy) === "body";
  const decided = decideFromIndex(sel.plan, { start: row.start_ms, end: row.end_ms, exact: row.exact === 1 });
  return decided === undefined || (decided && sel.withData);
};

/**
 * The candidates of a query, with the bodies `bodies` selects. `budget` is what is left of BODY_BUDGET for their
 * bodies: one read over several collections (the agenda, reads.ts) shares one, so one answer still carries at most 4 MB.
 */
export function candidates(
  sql: Sql, col: Pick<CollectionRow, "id" | "name">, q: CandidateQuery, bodies: BodySelection = false, budget = { left: BODY_BUDGET },
): Candidate[] {
  const where = ["collection_id = ?"];
  const params: unknown[] = [col.id];
  if (q.components) {
    where.push(`component IN (${q.components.map(() => "?").join(", ")})`);
    params.push(...q.components);
  }
  // Overlap is possible only if the query starts before the object's end and ends after its start.
  if (q.start != null) {
    where.push("(end_ms IS NULL OR end_ms >= ?)");
    params.push(q.start);
  }
  if (q.end != null) {
    where.push("(start_ms IS NULL OR start_ms <= ?)");
    params.push(q.end);
    // A recurring event whose instances are indexed past the range's end needs one instance in it.
    where.push(`(inst_until IS NULL OR inst_until < ? OR EXISTS (SELECT 1 FROM instances i
      WHERE i.collection_id = objects.collection_id AND i.name = objects.name AND i.start_ms <= ? AND i.end_ms >= ?))`);
    params.push(q.end, q.end, q.start ?? -8.64e15);
  }
  const all = q.start != null || q.end != null ? inRange(sql, col.id, where, params) : sql.all<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE ${where.join(" AND ")} ORDER BY name`, ...params);
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
    start: r.start_ms,
    end: r.end_ms,
    recurring: r.recurring === 1,
    exact: r.exact === 1,
    floating: r.floating === 1,
    busy: r.busy,
    instUntil: r.inst_until,
    snapshot: r.snapshot,
  }));
}

/**
 * The rows of a time-range query in two steps: the names from the objects_span index alone (schema v11; SQLite
 * reads no row to test them), then those rows by name. One statement over the table read every row's pages.
 */
function inRange(sql: Sql, collectionId: number, where: string[], params: unknown[]): ObjectRow[] {
  const names = sql.all<{ name: string }>(`SELECT name FROM objects INDEXED BY objects_span WHERE ${where.join(" AND ")}`, ...params).map((r) => r.name);
  if (names.length === 0) return [];
  return sql.all<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name`, collectionId, JSON.stringify(names));
}

/** What busy-index.ts reads of a row. */
export const busyRow = (r: ObjectRow): BusyRow => ({
  component: r.component, start: r.start_ms, end: r.end_ms, recurring: r.recurring === 1, floating: r.floating === 1,
  exact: r.exact === 1, busy: r.busy, instUntil: r.inst_until,
});
