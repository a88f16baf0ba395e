// The benchmark's floor: what this machine gives a minimal Worker started
// the same way as the server (bench/floor: `wrangler dev` through
// bench/server.mjs, one fetch, one Durable Object RPC, one SQLite read),
// measured in the same run with the same number of clients as a phase. Each
// phase's ops/s divided by the floor's at its concurrency ("x floor") is
// what compares across machines, where the absolute numbers do not. It is
// measured before and after each size and the mean of the two is used; how
// far they differ says how much the machine's capacity moved meanwhile.
import { join } from "node:path";
import { ROOT, startServer } from "./server.mjs";
import { percentile, round1 } from "./util.mjs";

/**
 * The floor's variants: `one` reads one ~1 KB row (the reference for
 * every read phase but multiget), `rows100` reads 100 of them in the same
 * one RPC (the reference for a multiget of 100), `write` PUTs a ~1 KB body
 * that the Durable Object stores as one row, committed before the answer
 * (the reference for the phases that write: PUT, If-Match PUT, DELETE).
 * FLOOR_OF names the variant a step is compared with; a step not named
 * uses `one`.
 */
export const FLOOR_VARIANTS = {
  one: { path: "/one", minBytes: 1000 },
  rows100: { path: "/rows100", minBytes: 100_000 },
  write: { path: "/write", minBytes: 0, method: "PUT", body: "x".repeat(1024), status: 201 },
};
export const FLOOR_OF = { "multiget-100": "rows100", put: "write", "put-if-match": "write", delete: "write", changes: "write" };

/**
 * Starts the floor Worker, warms it (1 s at the highest concurrency), then
 * runs each variant at each concurrency for `seconds` (the write only at
 * `writeConcurrency`, the writing phases' own, when given), closed-loop: c
 * clients each send the next request when the last one answered. Every
 * answer must have the variant's status (200, or 201 for a write) and its
 * whole body, or the run fails.
 * Returns { startupMs, seconds, rows: [{ variant, concurrency, ops, wallMs, opsPerSec, p50Ms, p95Ms }], opsPerSec(variant, c) }.
 */
export async function measureFloor({ concurrencies, writeConcurrency, seconds = 3, echo = false }) {
  const t0 = performance.now();
  const server = await startServer({ dir: join(ROOT, "bench", "floor"), admin: false, echo });
  const startupMs = Math.round(performance.now() - t0);
  try {
    const levels = [...new Set(concurrencies)].sort((a, b) => a - b);
    await closedLoop(server.url, FLOOR_VARIANTS.one, Math.max(...levels), 1);
    const rows = [];
    for (const [variant, spec] of Object.entries(FLOOR_VARIANTS))
      for (const c of spec.method && writeConcurrency ? [writeConcurrency] : levels) rows.push({ variant, concurrency: c, ...(await closedLoop(server.url, spec, c, seconds)) });
    return {
      startupMs,
      seconds,
      rows,
      opsPerSec(variant, c) {
        return rows.find((r) => r.variant === variant && r.concurrency === c)?.opsPerSec ?? null;
      },
    };
  } finally {
    await server.stop();
  }
}

/** `c` clients requesting `spec.path` back to back for `seconds`; ops/s over the wall time until the last answer. */
async function closedLoop(url, spec, c, seconds) {
  const lat = [];
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const client = async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const res = await fetch(url + spec.path, spec.method ? { method: spec.method, body: spec.body } : undefined);
      const text = await res.text();
      lat.push(performance.now() - t);
      if (res.status !== (spec.status ?? 200) || text.length < spec.minBytes) throw new Error(`floor ${spec.path}: ${res.status}, ${text.length} characters: ${text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: c }, client));
  const wallMs = performance.now() - t0;
  lat.sort((a, b) => a - b);
  return { ops: lat.length, wallMs: Math.round(wallMs), opsPerSec: round1((lat.length / wallMs) * 1000), p50Ms: round1(percentile(lat, 50)), p95Ms: round1(percentile(lat, 95)) };
}

/**
 * One floor from the measurements before and after a size: each row's
 * ops/s is their mean, `before`/`after` keep both, `drift` is the largest
 * relative difference (after - before) / before over the rows.
 */
export function combineFloors(before, after) {
  if (!after) return { ...before, drift: null };
  const rows = before.rows.map((b) => {
    const a = after.rows.find((r) => r.variant === b.variant && r.concurrency === b.concurrency);
    if (!a) return b;
    const ops = b.ops + a.ops;
    const wallMs = b.wallMs + a.wallMs;
    return { ...b, ops, wallMs, opsPerSec: round1((b.opsPerSec + a.opsPerSec) / 2), p50Ms: round1((b.p50Ms + a.p50Ms) / 2), p95Ms: round1((b.p95Ms + a.p95Ms) / 2), before: b.opsPerSec, after: a.opsPerSec };
  });
  const drifts = rows.filter((r) => r.before).map((r) => (r.after - r.before) / r.before);
  const drift = drifts.reduce((m, d) => (Math.abs(d) > Math.abs(m) ? d : m), 0);
  return {
    startupMs: before.startupMs,
    seconds: before.seconds,
    rows,
    drift,
    opsPerSec(variant, c) {
      return rows.find((r) => r.variant === variant && r.concurrency === c)?.opsPerSec ?? null;
    },
  };
}
