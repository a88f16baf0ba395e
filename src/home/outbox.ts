// The home's iTIP outbox: messages are written in the same transaction as
// the change that caused them, then handed to the Queue right after the
// commit and again by the alarm until the Queue has them (RFC 6638 §3.2
// delivery without losing a message when the Queue is briefly unavailable).
import { INLINE_BODY_LIMIT, type ItipJob } from "../core/itip-job.js";
import type { Sql } from "./sql.js";

const BATCH_MESSAGES = 100;
const BATCH_BYTES = 200 * 1024;

/** Writes jobs in the current transaction. Large bodies must already be in R2 (see spillBodies). */
export function enqueue(sql: Sql, jobs: ItipJob[], now: number): void {
  for (const j of jobs) sql.run("INSERT OR REPLACE INTO outbox (id, created, payload) VALUES (?, ?, ?)", j.id, now, JSON.stringify(j));
}

/** Moves bodies too big for a queue message to R2 (before the transaction). */
export async function spillBodies(jobs: ItipJob[], bodies: R2Bucket): Promise<void> {
  for (const j of jobs) {
    if (j.body !== undefined && j.body.length > INLINE_BODY_LIMIT) {
      j.bodyKey = `itip/${j.id}`;
      await bodies.put(j.bodyKey, j.body);
      delete j.body;
    }
  }
}

/** Sends what the outbox holds; returns true when it is empty afterwards. */
export async function flushOutbox(sql: Sql, queue: Queue): Promise<boolean> {
  for (;;) {
    const rows = sql.all<{ id: string; payload: string }>("SELECT id, payload FROM outbox ORDER BY created LIMIT ?", BATCH_MESSAGES);
    if (rows.length === 0) return true;
    const batch: { id: string; payload: string }[] = [];
    let bytes = 0;
    for (const r of rows) {
      if (batch.length > 0 && bytes + r.payload.length > BATCH_BYTES) break;
      batch.push(r);
      bytes += r.payload.length;
    }
    try {
      await queue.sendBatch(batch.map((r) => ({ body: JSON.parse(r.payload) as ItipJob, contentType: "json" as const })));
    } catch (e) {
      console.warn(`iTIP outbox: queue send failed, the alarm will retry: ${(e as Error).message}`);
      return false;
    }
    for (const r of batch) sql.run("DELETE FROM outbox WHERE id = ?", r.id);
  }
}

export const outboxSize = (sql: Sql): number => sql.one<{ n: number }>("SELECT COUNT(*) AS n FROM outbox")?.n ?? 0;
