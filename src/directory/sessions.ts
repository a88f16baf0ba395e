// The Directory's side of web sessions: one SQLite row per signed-in browser,
// keyed by the SHA-256 of the cookie's secret (the secret itself is never
// stored, so a copy of the database signs nobody in). A session ends when it
// is signed out, when it has not been used for IDLE_MS, SESSION_MS after it
// began, when its principal signs out everywhere, is given a new password or
// is removed. Each principal keeps at most MAX_PER_PRINCIPAL sessions (the
// oldest go first), and expired rows are swept as new ones are made.
import type { Sql } from "../sql.js";

export const SESSIONS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, principal_id TEXT NOT NULL, csrf TEXT NOT NULL,
    created INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sessions_principal ON sessions (principal_id, created);
  CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions (last_seen);`;

/** A session ends this long after it began, however busy. */
export const SESSION_MS = 7 * 24 * 3600_000;
/** A session nobody used for this long has ended. */
export const IDLE_MS = 24 * 3600_000;
/** last_seen is written at most this often per session, so browsing does not write on every page. */
const TOUCH_EVERY_MS = 5 * 60_000;
export const MAX_PER_PRINCIPAL = 20;
const SWEEP_BATCH = 500;

export interface SessionRow {
  principalId: string;
  csrf: string;
  created: number;
}

const alive = (created: number, lastSeen: number, now: number) => now - created < SESSION_MS && now - lastSeen < IDLE_MS;

export function createSession(sql: Sql, key: string, principalId: string, csrf: string, now: number): void {
  sql.run(
    "DELETE FROM sessions WHERE key IN (SELECT key FROM sessions WHERE last_seen < ? OR created < ? LIMIT ?)",
    now - IDLE_MS, now - SESSION_MS, SWEEP_BATCH,
  );
  sql.run("INSERT INTO sessions (key, principal_id, csrf, created, last_seen) VALUES (?, ?, ?, ?, ?)", key, principalId, csrf, now, now);
  sql.run(
    `DELETE FROM sessions WHERE principal_id = ? AND key NOT IN
       (SELECT key FROM sessions WHERE principal_id = ? ORDER BY created DESC LIMIT ?)`,
    principalId, principalId, MAX_PER_PRINCIPAL,
  );
}

/** The live session under this key (its last use noted), or null; an expired one is deleted on sight. */
export function readSession(sql: Sql, key: string, now: number): SessionRow | null {
  const r = sql.one<{ principal_id: string; csrf: string; created: number; last_seen: number }>(
    "SELECT principal_id, csrf, created, last_seen FROM sessions WHERE key = ?", key,
  );
  if (!r) return null;
  if (!alive(r.created, r.last_seen, now)) {
    sql.run("DELETE FROM sessions WHERE key = ?", key);
    return null;
  }
  if (now - r.last_seen > TOUCH_EVERY_MS) sql.run("UPDATE sessions SET last_seen = ? WHERE key = ?", now, key);
  return { principalId: r.principal_id, csrf: r.csrf, created: r.created };
}

export const endSession = (sql: Sql, key: string): number => sql.run("DELETE FROM sessions WHERE key = ?", key);

export const endSessionsOf = (sql: Sql, principalId: string): number => sql.run("DELETE FROM sessions WHERE principal_id = ?", principalId);

export const countSessions = (sql: Sql, principalId: string, now: number): number =>
  sql.one<{ n: number }>(
    "SELECT COUNT(*) AS n FROM sessions WHERE principal_id = ? AND last_seen >= ? AND created >= ?",
    principalId, now - IDLE_MS, now - SESSION_MS,
  )?.n ?? 0;
