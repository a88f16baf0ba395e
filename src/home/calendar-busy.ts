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
import { candidates, type Candidate } from "./query.js";
import type { CollectionRow } from "./rows.js";
import type { Sql } from "../sql.js";

export interface IndexedBusy {
  /** Busy periods found from the index, clipped to the range, not merged. */
  periods: Period[];
  /** Candidates only their bodies can tell about (with the bodies kept in rows, within the budget). */
  rest: Candidate[];
}

export function calendarBusyFromIndex(
  sql: Sql,
  col: CollectionRow,
  range: { start: number; end: number },
  keep: (c: Candidate) => boolean = () => true,
): IndexedBusy {
  const periods: Period[] = [];
  const rest: Candidate[] = [];
  const found = candidates(sql, col, { components: ["VEVENT", "VFREEBUSY"], start: range.start, end: range.end }, { busy: range }).filter(keep);
  // The indexed instances in the range of the recurring events found, in one statement: looked up by name (the
  // index is by object), not a scan of every instance of the calendar.
  let spans: Map<string, InstanceSpan[]> | undefined;
  const instancesOf = (name: string): InstanceSpan[] => {
    spans ??= instancesInRange(sql, col.id, found.filter((c) => c.recurring && c.instUntil !== null).map((c) => c.name), range);
    return spans.get(name) ?? [];
  };
  for (const c of found) {
    const known = busyFromIndex(c, range, () => instancesOf(c.name));
    if (known) periods.push(...known);
    else rest.push(c);
  }
  return { periods, rest };
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
