// Caps on outgoing iMIP (issue 12 item 5): messages per hour for the whole
// deployment, counted in the one Directory object, and per sending
// principal, counted in their home from the messages it sent. A message over
// a cap is not sent; its recipient's SCHEDULE-STATUS says 5.1 (RFC 6638
// §3.2.9, service unavailable) and the refusal is logged.
import type { Sql } from "../sql.js";

const HOUR_MS = 3_600_000;

/** Takes one message from the deployment's budget for the current hour; false when the cap is reached. In a transaction. */
export function takeFromBudget(sql: Sql, now: number, cap: number): boolean {
  sql.run("CREATE TABLE IF NOT EXISTS imip_hourly (hour INTEGER PRIMARY KEY, sent INTEGER NOT NULL)");
  const hour = Math.floor(now / HOUR_MS);
  sql.run("DELETE FROM imip_hourly WHERE hour < ?", hour - 24);
  const sent = sql.one<{ sent: number }>("SELECT sent FROM imip_hourly WHERE hour = ?", hour)?.sent ?? 0;
  if (sent >= cap) return false;
  sql.run("INSERT INTO imip_hourly (hour, sent) VALUES (?, 1) ON CONFLICT (hour) DO UPDATE SET sent = sent + 1", hour);
  return true;
}

/** Whether a home that sent the messages of `imip_sent` may send one more within the last hour. */
export function underUserCap(sql: Sql, now: number, cap: number): boolean {
  const n = sql.one<{ n: number }>("SELECT COUNT(*) AS n FROM (SELECT 1 FROM imip_sent WHERE at > ? LIMIT ?)", now - HOUR_MS, cap)?.n ?? 0;
  return n < cap;
}
