// Where a calendar object's body lives. Most bodies (1 to 10 KB) live in
// their own row beside the index, written in the same transaction, so a
// report, a GET or a PUT is one round trip to the home and never an R2 read
// per object (a multiget of 100 was 17 rounds of R2 reads). A body above
// INLINE_BODY_MAX, or one whose row would pass ROW_BUDGET with its scheduling
// snapshot, goes to R2 under a fresh immutable key, as every body did before
// schema v6 (rows.ts LIST_COLUMNS, OBJECT_COLUMNS: listings never read the body column).
// Bodies written before v6 stay in R2 until their row is written again, or
// until the home's alarm moves them in, MOVE_BATCH at a time (moveBodiesIn).
import type { Sql } from "../sql.js";
import type { ObjectRow } from "./rows.js";
import { discardBody } from "./writes.js";

/**
 * The largest body kept in a row. SQLite rows of a Durable Object are limited to 2 MB in production (locally
 * workerd does not enforce it); a body is at most max-resource-size (1 MB by default) and its snapshot can be as
 * large, so the row budget below keeps every row well under the limit whatever the configuration.
 */
export const INLINE_BODY_MAX = 512 * 1024;
/** Body and snapshot of one row together stay under this (UTF-16 length approximates octets from above for ASCII). */
export const ROW_BUDGET = 1536 * 1024;
/** Bodies moved from R2 into their rows per alarm run. */
export const MOVE_BATCH = 100;

/** Whether a body of `size` octets, beside a snapshot of `snapshotLength`, lives in its row. */
export const inRow = (size: number, snapshotLength: number): boolean => size <= INLINE_BODY_MAX && size + 2 * snapshotLength <= ROW_BUDGET;

/** A stored row's body: from the row, or from R2 for bodies kept there. Null if R2 has lost it (never, by design). */
export async function rowBody(r2: R2Bucket, row: Pick<ObjectRow, "body_key" | "body">): Promise<string | null> {
  if (typeof row.body === "string") return row.body;
  if (!row.body_key) return null;
  const stored = await r2.get(row.body_key);
  return stored ? stored.text() : null;
}

/**
 * Moves up to MOVE_BATCH bodies written before schema v6 from R2 into their rows (the R2 objects become garbage,
 * deleted after the grace period like any replaced body). A row written meanwhile keeps what it has now: each move
 * compares the body key it read. Returns how many bodies are left to move.
 */
export async function moveBodiesIn(sql: Sql, r2: R2Bucket, transact: <T>(fn: () => T) => T, now: number): Promise<number> {
  const rows = sql.all<{ collection_id: number; name: string; body_key: string; size: number; snapshot_len: number }>(
    `SELECT collection_id, name, body_key, size, COALESCE(LENGTH(snapshot), 0) AS snapshot_len FROM objects
     WHERE body IS NULL AND body_key != '' AND size <= ? LIMIT ?`, INLINE_BODY_MAX, MOVE_BATCH,
  ).filter((r) => inRow(r.size, r.snapshot_len));
  const texts = await Promise.all(rows.map(async (r) => (await r2.get(r.body_key))?.text() ?? null));
  transact(() => {
    rows.forEach((r, i) => {
      const text = texts[i];
      if (text === null || text === undefined) return;
      const moved = sql.run("UPDATE objects SET body = ?, body_key = '' WHERE collection_id = ? AND name = ? AND body_key = ?", text, r.collection_id, r.name, r.body_key);
      if (moved > 0) discardBody(sql, r.body_key, now);
    });
  });
  return sql.one<{ n: number }>(
    "SELECT COUNT(*) AS n FROM objects WHERE body IS NULL AND body_key != '' AND size <= ?", INLINE_BODY_MAX,
  )?.n ?? 0;
}

/**
 * Octets of bodies one answer carries: past it the rest go without theirs, and the Worker asks for them in
 * batches (dav/get.ts readBodies). So a report is one round trip for what clients usually ask, and no answer
 * holds a whole large calendar.
 */
export const BODY_BUDGET = 4 * 1024 * 1024;

/** The rows with their bodies while they fit in BODY_BUDGET; the others without. */
export function withinBudget<T extends { body?: string | null | undefined }>(rows: T[]): T[] {
  let left = BODY_BUDGET;
  return rows.map((r) => {
    if (typeof r.body !== "string") return r;
    left -= r.body.length;
    if (left >= 0) return r;
    const { body: _, ...rest } = r;
    return rest as T;
  });
}
