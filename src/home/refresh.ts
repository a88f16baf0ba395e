// Telling the other attendees about merged replies (RFC 6638 §4.2 SHOULD):
// after a REPLY changes participation in the organizer's copy, the other
// attendees get a participation-only REQUEST so their copies show who is
// coming. Replies arriving close together are batched into one round, so a
// meeting of a hundred people answering at once costs one update per
// attendee, not a hundred each.
import { jobOf } from "../core/itip-job.js";
import { planRefresh } from "../core/schedule/index.js";
import { findByUid } from "./deliver.js";
import { rowBody } from "./bodies.js";
import { commitStaged, stageBodies } from "./outbox.js";
import { addUsed } from "./writes.js";
import { mayHost } from "./hosted.js";
import type { Sql } from "../sql.js";

/** How long replies are gathered before the other attendees are updated. */
export const REFRESH_DELAY_MS = 3_000;

/**
 * Notes that `uid` needs a refresh for `rids`; the first note of a round fixes when it goes out. `sharee`: the copy is
 * a meeting that read-write sharee organizes here (hosted.ts), checked by the caller in this transaction.
 */
export function scheduleRefresh(sql: Sql, uid: string, rids: string[], now: number, sharee?: string): void {
  const row = sql.one<{ due: number; rids: string }>("SELECT due, rids FROM refresh_pending WHERE uid = ?", uid);
  const all = [...new Set([...(row ? (JSON.parse(row.rids) as string[]) : []), ...rids])];
  sql.run(
    "INSERT OR REPLACE INTO refresh_pending (uid, due, rids, sharee) VALUES (?, ?, ?, ?)",
    uid, row?.due ?? now + REFRESH_DELAY_MS, JSON.stringify(all), sharee ?? null,
  );
}

export const nextRefresh = (sql: Sql): number | null => sql.one<{ due: number | null }>("SELECT MIN(due) AS due FROM refresh_pending")?.due ?? null;

/** Plans and enqueues the refreshes that are due (the caller flushes the outbox). */
export async function runRefreshes(
  sql: Sql,
  bodies: R2Bucket,
  home: { owner: string; epoch: string },
  transact: <T>(fn: () => T) => T,
  now: number,
): Promise<void> {
  const due = sql.all<{ uid: string; rids: string; sharee: string | null }>("SELECT uid, rids, sharee FROM refresh_pending WHERE due <= ?", now);
  for (const r of due) {
    const found = findByUid(sql, r.uid);
    const text = found ? await rowBody(bodies, found.row) : null;
    const messages = text ? planRefresh({ text, replier: "", recurrenceIds: JSON.parse(r.rids) as string[], ownerAddresses: [], now }) : [];
    // Every other Attendee of a big meeting gets the same body: staged once (outbox.ts).
    const sharee = r.sharee ?? undefined;
    const staged = await stageBodies(sql, bodies, home.epoch, messages.map((m) => jobOf(m, home.owner, now, undefined, sharee)), now);
    transact(() => {
      // A newer round may have been noted meanwhile; it keeps its own row.
      sql.run("DELETE FROM refresh_pending WHERE uid = ? AND rids = ?", r.uid, r.rids);
      // A sharee's meeting is refreshed as the sharee's only while it may still write the calendar holding it.
      const copy = sharee === undefined ? undefined : findByUid(sql, r.uid);
      if (sharee !== undefined && !(copy && mayHost(sql, copy.col.id, sharee))) staged.jobs = [];
      commitStaged(sql, staged, now, (delta) => addUsed(sql, delta));
    });
  }
}
