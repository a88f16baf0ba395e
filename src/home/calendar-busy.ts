// The busy time of one calendar in a range from its index (RFC 4791 §7.10):
// events the index describes exactly give their periods here, from their row
// or their instance rows (core/query/busy-index.ts), and the rest come back
// with their bodies (those kept in rows, within the body budget) for the
// caller to expand. So a free-busy-query, an outbox free-busy request (RFC
// 6638 §5) or a room deciding on an invitation reads bodies only for
// floating or all-day events, VFREEBUSY components and instances past the
// index horizon.
import { busyFromIndex } from "../core/query/busy-index.js";
import type { Period } from "../core/query/freebusy.js";
import type { ObjectInfo } from "../core/model.js";
import { busyRow, rangedNames } from "./query.js";
import { objectsNamed } from "./reads.js";
import type { CollectionRow, ObjectRow } from "./rows.js";
import type { Sql } from "../sql.js";

export interface IndexedBusy {
  /** Busy periods found from the index, clipped to the range, not merged. */
  periods: Period[];
  /** Members only their bodies can tell about (with the bodies kept in rows, within the budget). */
  rest: ObjectInfo[];
}

/** What the busy time needs of a row: its index facts, and what the caller's `keep` looks at. */
const BUSY_COLUMNS = "name, uid, component, start_ms, end_ms, recurring, floating, exact, busy, inst_until, snapshot";
type BusyIndexRow = Pick<ObjectRow, "name" | "uid" | "component" | "start_ms" | "end_ms" | "recurring" | "floating" | "exact" | "busy" | "inst_until" | "snapshot">;

export function calendarBusyFromIndex(
  sql: Sql,
  col: CollectionRow,
  range: { start: number; end: number },
  keep: (c: { uid: string; snapshot: string | null }) => boolean = () => true,
): IndexedBusy {
  const periods: Period[] = [];
  const names = rangedNames(sql, col, { components: ["VEVENT", "VFREEBUSY"], start: range.start, end: range.end });
  if (names.length === 0) return { periods, rest: [] };
  // Only the index columns of the members in range (a month's few hundred): whole rows, with their bodies, are read
  // for the few the index cannot describe.
  const found = sql.all<BusyIndexRow>(
    `SELECT ${BUSY_COLUMNS} FROM objects WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?))`, col.id, JSON.stringify(names),
  ).filter(keep);
  // The indexed instances in the range of the recurring events found, in one statement: looked up by name (the
  // index is by object), not a scan of every instance of the calendar.
  let spans: Map<string, InstanceSpan[]> | undefined;
  const instancesOf = (name: string): InstanceSpan[] => {
    spans ??= instancesInRange(sql, col.id, found.filter((c) => c.recurring === 1 && c.inst_until !== null).map((c) => c.name), range);
    return spans.get(name) ?? [];
  };
  const rest: string[] = [];
  for (const c of found) {
    const known = busyFromIndex(busyRow(c), range, () => instancesOf(c.name));
    if (known) periods.push(...known);
    else rest.push(c.name);
  }
  return { periods, rest: rest.length === 0 ? [] : objectsNamed(sql, col, rest, true) };
}

type InstanceSpan = { start: number; end: number; busy: number | null };

function instancesInRange(sql: Sql, collectionId: number, names: string[], range: { start: number; end: number }): Map<string, InstanceSpan[]> {
  const byName = new Map<string, InstanceSpan[]>();
  if (names.length === 0) return byName;
  for (const r of sql.all<InstanceSpan & { name: string }>(
    `SELECT name, start_ms AS start, end_ms AS end, busy FROM instances
     WHERE collection_id = ? AND name IN (SELECT value FROM json_each(?)) AND start_ms < ? AND end_ms > ?`,
    collectionId, JSON.stringify(names), range.end, range.start,
  )) {
    let list = byName.get(r.name);
    if (!list) byName.set(r.name, (list = []));
    list.push({ start: r.start, end: r.end, busy: r.busy });
  }
  return byName;
}
