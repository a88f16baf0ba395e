// The home's iTIP outbox: messages are written in the same transaction as
// the change that caused them, then handed to the Queue right after the
// commit and again by the alarm until the Queue has them (RFC 6638 §3.2
// delivery without losing a message when the Queue is briefly unavailable).
// Bodies too big for a queue message, or shared by many messages, are staged
// in R2 once before the transaction (stageBodies) and referenced by key; the
// home keeps those keys in itip_bodies, counts them toward its quota and
// deletes them when they expire (gc.ts), unless a kept message still needs one.
import { INLINE_BODY_LIMIT, SHARED_INLINE_LIMIT, type ItipJob } from "../core/itip-job.js";
import type { Sql } from "../sql.js";

const BATCH_MESSAGES = 100;
const BATCH_BYTES = 200 * 1024;

/** How long a staged body outlives its messages' delivery: the Queue's retries and the outbox's own take minutes. */
export const ITIP_BODY_TTL_MS = 3 * 86_400_000;

const utf8 = new TextEncoder();

/** Bodies put in R2 for a batch of jobs: registered in the transaction that enqueues the jobs (commitStaged). */
export interface Staged {
  jobs: ItipJob[];
  keys: Array<{ key: string; size: number }>;
  /** Octets the staged bodies add to the home. */
  bytes: number;
}

/** Which bodies go to R2 (each distinct body once) and which stay inline: a pure decision, made before any I/O. */
export function planStaging(jobs: readonly ItipJob[]): Map<string, number> {
  const uses = new Map<string, number>();
  for (const j of jobs) if (j.body !== undefined) uses.set(j.body, (uses.get(j.body) ?? 0) + 1);
  const spill = new Map<string, number>();
  for (const [body, n] of uses) {
    const size = utf8.encode(body).byteLength;
    if (size > INLINE_BODY_LIMIT || n * size > SHARED_INLINE_LIMIT) spill.set(body, size);
  }
  return spill;
}

/**
 * Puts the bodies planStaging chose into R2 under fresh keys (noted in pending_bodies first, so an upload whose
 * commit never comes is collected) and returns the jobs referring to them. Before the transaction.
 */
export async function stageBodies(sql: Sql, r2: R2Bucket, epoch: string, jobs: readonly ItipJob[], now: number): Promise<Staged> {
  const spill = planStaging(jobs);
  const keyOf = new Map<string, string>();
  const keys: Staged["keys"] = [];
  for (const [body, size] of spill) {
    const key = `itip/${epoch}/${crypto.randomUUID()}`;
    sql.run("INSERT INTO pending_bodies (key, created) VALUES (?, ?)", key, now);
    keyOf.set(body, key);
    keys.push({ key, size });
  }
  await Promise.all([...spill.keys()].map((body) => r2.put(keyOf.get(body)!, body, { httpMetadata: { contentType: "text/calendar; charset=utf-8" } })));
  const staged = jobs.map((j) => {
    const key = j.body === undefined ? undefined : keyOf.get(j.body);
    if (key === undefined) return j;
    const { body: _, ...rest } = j;
    return { ...rest, bodyKey: key };
  });
  return { jobs: staged, keys, bytes: keys.reduce((n, k) => n + k.size, 0) };
}

/** In the transaction: the staged bodies belong to the home now (and count toward its quota, see writes.ts). */
export function commitStaged(sql: Sql, staged: Staged, now: number, addUsed: (delta: number) => void): void {
  for (const { key, size } of staged.keys) {
    sql.run("DELETE FROM pending_bodies WHERE key = ?", key);
    sql.run("INSERT OR REPLACE INTO itip_bodies (key, size, expires) VALUES (?, ?, ?)", key, size, now + ITIP_BODY_TTL_MS);
  }
  addUsed(staged.bytes);
  enqueue(sql, staged.jobs, now);
}

/** Writes jobs in the current transaction. Large bodies must already be in R2 (see stageBodies). */
export function enqueue(sql: Sql, jobs: ItipJob[], now: number): void {
  for (const j of jobs) sql.run("INSERT OR REPLACE INTO outbox (id, created, payload) VALUES (?, ?, ?)", j.id, now, JSON.stringify(j));
}

/**
 * Hands the outbox to the Queue, one sender per home instance: a commit while a send is under way joins it (the
 * running loop reads the outbox again after each batch, so it also sends what was committed meanwhile) instead of
 * reading the same rows and sending them a second time. Joining stops in the same synchronous step in which the
 * loop finds the outbox empty, so no commit joins a loop that will not see its rows.
 */
export class OutboxSender {
  private current: { done: boolean; promise: Promise<boolean> } | null = null;

  /** `queue` is read at each send: the binding is the instance's env's (tests swap it). */
  constructor(private readonly sql: Sql, private readonly queue: () => Queue) {}

  /** Sends what the outbox holds; true when it is empty afterwards, false when the Queue refused (the alarm retries). */
  send(): Promise<boolean> {
    if (this.current && !this.current.done) return this.current.promise;
    const state = { done: false, promise: Promise.resolve(true) };
    this.current = state;
    state.promise = this.drain(state);
    return state.promise;
  }

  private async drain(state: { done: boolean }): Promise<boolean> {
    try {
      for (;;) {
        const rows = this.sql.all<{ id: string; payload: string }>("SELECT id, payload FROM outbox ORDER BY created LIMIT ?", BATCH_MESSAGES);
        if (rows.length === 0) {
          state.done = true;
          return true;
        }
        const batch: { id: string; payload: string }[] = [];
        let bytes = 0;
        for (const r of rows) {
          if (batch.length > 0 && bytes + r.payload.length > BATCH_BYTES) break;
          batch.push(r);
          bytes += r.payload.length;
        }
        try {
          await this.queue().sendBatch(batch.map((r) => ({ body: JSON.parse(r.payload) as ItipJob, contentType: "json" as const })));
        } catch (e) {
          console.warn(`iTIP outbox: queue send failed, the alarm will retry: ${(e as Error).message}`);
          state.done = true;
          return false;
        }
        // One statement for the batch (up to 100 messages: a big meeting's), not one per message.
        this.sql.run("DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(batch.map((r) => r.id)));
      }
    } finally {
      state.done = true;
    }
  }
}

export const outboxSize = (sql: Sql): number => sql.one<{ n: number }>("SELECT COUNT(*) AS n FROM outbox")?.n ?? 0;
