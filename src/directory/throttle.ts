// The Directory's side of login throttling: one SQLite row per bucket
// (account or client address), read and written with the pure steps of
// src/core/auth/throttle.ts inside the caller's transaction, so checking a
// bucket and counting an attempt never interleave with another login. The
// table is bounded: expired rows go, and past MAX_ROWS the stalest go first.
import {
  admit, expiresAt, fail, FRESH, POLICY, release, succeed, type BucketKind, type BucketPolicy, type BucketState,
} from "../core/auth/throttle.js";
import type { Sql } from "../sql.js";

export const THROTTLE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS login_throttle (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, window_start INTEGER NOT NULL,
    locked_until INTEGER NOT NULL, strikes INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS login_throttle_expires ON login_throttle (expires);`;

/** Rows kept at most; beyond, the ones that expire soonest are dropped (a lock in force last). */
export const MAX_ROWS = 100_000;
/** Rows deleted per pruning pass, so no login waits on a large delete. */
const PRUNE_BATCH = 1_000;

export interface BucketRef {
  kind: BucketKind;
  key: string;
}

/** What a login attempt carries from its check to its outcome. */
export interface LoginTicket {
  buckets: Array<BucketRef & { reserved: boolean }>;
}

const policy = (b: BucketRef): BucketPolicy => POLICY[b.kind];
const rowKey = (b: BucketRef) => `${b.kind}:${b.key}`;

function read(sql: Sql, b: BucketRef): BucketState {
  const r = sql.one<{ failures: number; window_start: number; locked_until: number; strikes: number }>(
    "SELECT failures, window_start, locked_until, strikes FROM login_throttle WHERE key = ?", rowKey(b),
  );
  return r ? { failures: r.failures, windowStart: r.window_start, lockedUntil: r.locked_until, strikes: r.strikes } : FRESH;
}

function write(sql: Sql, b: BucketRef, s: BucketState): void {
  sql.run(
    `INSERT INTO login_throttle (key, failures, window_start, locked_until, strikes, expires) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
       locked_until = excluded.locked_until, strikes = excluded.strikes, expires = excluded.expires`,
    rowKey(b), s.failures, s.windowStart, s.lockedUntil, s.strikes, expiresAt(s, policy(b)),
  );
}

/** Only a change in what is counted is written: a login with nothing against it writes nothing. */
const changed = (a: BucketState, b: BucketState) => a.failures !== b.failures || a.lockedUntil !== b.lockedUntil || a.strikes !== b.strikes;

/** A locked bucket, by kind: the Worker's login cache refuses cached logins under it too (src/core/auth/login-cache.ts). */
export interface LockedBucket {
  kind: BucketKind;
  retryAfterMs: number;
}

export type Check = { locked: true; retryAfterMs: number; locks: LockedBucket[] } | { locked: false; excess: number; ticket: LoginTicket };

/** Admits an attempt against every bucket: locked if any is, else the largest wait and what was reserved. */
export function checkBuckets(sql: Sql, buckets: BucketRef[], now: number): Check {
  let retryAfterMs = 0;
  let excess = 0;
  const ticket: LoginTicket = { buckets: [] };
  const locks: LockedBucket[] = [];
  for (const b of buckets) {
    const before = read(sql, b);
    const a = admit(before, now, policy(b));
    if (changed(before, a.state)) write(sql, b, a.state);
    if (a.locked) {
      retryAfterMs = Math.max(retryAfterMs, a.retryAfterMs);
      locks.push({ kind: b.kind, retryAfterMs: a.retryAfterMs });
    } else {
      excess = Math.max(excess, a.excess);
      ticket.buckets.push({ ...b, reserved: a.reserved });
    }
  }
  if (retryAfterMs > 0) {
    // A refused attempt is not an attempt: give back what the open buckets reserved for it.
    for (const t of ticket.buckets) if (t.reserved) write(sql, t, release(read(sql, t)));
    return { locked: true, retryAfterMs, locks };
  }
  return { locked: false, excess, ticket };
}

/** The attempt failed: count it where it was not counted in advance. */
export function recordFailure(sql: Sql, ticket: LoginTicket, now: number): void {
  for (const b of ticket.buckets) if (!b.reserved) write(sql, b, fail(read(sql, b), now, policy(b)));
}

/** The attempt succeeded: the account's count is cleared; an address only gets back this attempt. */
export function recordSuccess(sql: Sql, ticket: LoginTicket): void {
  for (const b of ticket.buckets) {
    if (b.kind === "account") {
      const s = read(sql, b);
      if (s.failures > 0) write(sql, b, succeed(s));
    } else if (b.reserved) write(sql, b, release(read(sql, b)));
  }
}

/** Deletes expired rows, and the stalest beyond MAX_ROWS, a batch at a time. */
export function pruneBuckets(sql: Sql, now: number, maxRows = MAX_ROWS): void {
  sql.run("DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle WHERE expires < ? LIMIT ?)", now, PRUNE_BATCH);
  const n = sql.one<{ n: number }>("SELECT COUNT(*) AS n FROM login_throttle")?.n ?? 0;
  if (n > maxRows)
    sql.run(
      "DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle ORDER BY locked_until > ?, expires LIMIT ?)",
      now, Math.min(n - maxRows, PRUNE_BATCH),
    );
}
