// Deletes R2 bodies that no row points at: replaced or deleted versions
// after a grace period, uploads whose commit never happened, and staged iTIP
// bodies past their time; forgets old tombstones, applied-message ids and
// used RSVP links past their lifetime.
import type { Sql } from "../sql.js";
import { addUsed } from "./writes.js";
import { TOKEN_TTL_MS } from "../core/imip/token.js";

/** Uploads older than this without a commit are abandoned (the request died). */
const PENDING_TTL_MS = 3_600_000;

/** Deletions are remembered this long for sync-collection; older tokens become invalid (RFC 6578 §3.2). */
export const TOMBSTONE_TTL_MS = 90 * 86_400_000;

/** Forgets old tombstones, raising each collection's sync floor past them. */
export function pruneTombstones(sql: Sql, now: number): void {
  const cutoff = now - TOMBSTONE_TTL_MS;
  const floors = sql.all<{ collection_id: number; rev: number }>(
    "SELECT collection_id, MAX(rev) AS rev FROM tombstones WHERE deleted_at < ? GROUP BY collection_id",
    cutoff,
  );
  for (const f of floors) sql.run("UPDATE collections SET sync_floor = MAX(sync_floor, ?) WHERE id = ?", f.rev, f.collection_id);
  if (floors.length) sql.run("DELETE FROM tombstones WHERE deleted_at < ?", cutoff);
}

/** Ids of applied iTIP messages are remembered this long: the Queue redelivers within minutes, not weeks. */
export const APPLIED_TTL_MS = 30 * 86_400_000;

/**
 * Staged iTIP bodies (outbox.ts) whose time is up and that no kept message (email_outbox) needs any more:
 * deleted from R2, their octets given back to the quota.
 */
async function expireItipBodies(sql: Sql, bodies: R2Bucket, now: number): Promise<void> {
  const expired = sql.all<{ key: string; size: number }>(
    `SELECT key, size FROM itip_bodies b WHERE expires <= ?
     AND NOT EXISTS (SELECT 1 FROM email_outbox e WHERE e.body_key = b.key) LIMIT 1000`,
    now,
  );
  if (expired.length === 0) return;
  await bodies.delete(expired.map((r) => r.key));
  for (const r of expired) sql.run("DELETE FROM itip_bodies WHERE key = ?", r.key);
  addUsed(sql, -expired.reduce((n, r) => n + r.size, 0));
}

/** Returns when the alarm should fire next, or null when nothing is left. */
export async function collectGarbage(sql: Sql, bodies: R2Bucket, now: number): Promise<number | null> {
  pruneTombstones(sql, now);
  sql.run("DELETE FROM itip_applied WHERE at < ?", now - APPLIED_TTL_MS);
  // An RSVP link is refused once expired (core/imip/rsvp.ts), so whether it was used no longer matters.
  sql.run("DELETE FROM imip_rsvp_used WHERE at < ?", now - TOKEN_TTL_MS);
  await expireItipBodies(sql, bodies, now);
  const due = sql.all<{ key: string }>("SELECT key FROM garbage WHERE due <= ? LIMIT 1000", now).map((r) => r.key);
  const stale = sql.all<{ key: string }>("SELECT key FROM pending_bodies WHERE created <= ? LIMIT 1000", now - PENDING_TTL_MS).map((r) => r.key);
  // A key may have been re-referenced (never, with fresh keys; but be safe): keep referenced ones.
  const victims = [...due, ...stale].filter((k) => !sql.one("SELECT 1 AS x FROM objects WHERE body_key = ? AND body_key != '' LIMIT 1", k));
  if (victims.length > 0) await bodies.delete(victims);
  for (const k of due) sql.run("DELETE FROM garbage WHERE key = ?", k);
  for (const k of stale) sql.run("DELETE FROM pending_bodies WHERE key = ?", k);
  const nextGarbage = sql.one<{ due: number | null }>("SELECT MIN(due) AS due FROM garbage")?.due ?? null;
  const nextPending = sql.one<{ created: number | null }>("SELECT MIN(created) AS created FROM pending_bodies")?.created ?? null;
  const nextExpiry = sql.one<{ expires: number | null }>(
    "SELECT MIN(expires) AS expires FROM itip_bodies b WHERE NOT EXISTS (SELECT 1 FROM email_outbox e WHERE e.body_key = b.key)",
  )?.expires ?? null;
  const candidates = [nextGarbage, nextExpiry, nextPending === null ? null : nextPending + PENDING_TTL_MS].filter((x): x is number => x !== null);
  return candidates.length ? Math.max(now + 1000, Math.min(...candidates)) : null;
}
