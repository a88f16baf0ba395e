// The benchmark's floor: what this machine gives a minimal Worker started
// the same way as the server (bench/floor: `wrangler dev` through
// bench/server.mjs, one fetch, one Durable Object RPC, one SQLite statement),
// measured in the same run with the same number of clients as a phase. Each
// phase's ops/s divided by the floor's at its concurrency ("x floor") is
// what compares across machines, where the absolute numbers do not. It is
// measured before and after each size and the mean of the two is used; how
// far they differ says how much the machine's capacity moved meanwhile.
import { join } from "node:path";
import { ROOT, startServer } from "./server.mjs";
import { percentile, round1 } from "./util.mjs";
import { makeCalendar, prng, spanOf, toIcs } from "./workload.mjs";

/**
 * What the floor's rows hold: 100 calendar bodies of the benchmark's own
 * workload (bench/workload.mjs, its own seed), so that the floor reads,
 * sends and compresses what a GET or a multiget of ours does. Filler rows
 * of one repeated character compressed to a 770th of their size, which no
 * calendar does, and made the multiget's floor look cheaper than reading
 * 100 real bodies can be.
 */
export const FLOOR_BODIES = makeCalendar(prng(7), 100, { tag: "floor", email: "floor@example.com", span: spanOf(1000) }).events.map((e) => toIcs(e));

/**
 * The floor's variants: `one` reads one row (the reference for every read
 * phase but multiget), `rows100` reads all 100 in the same one RPC (the
 * reference for a multiget of 100), `write` PUTs one such body, which the
 * Durable Object stores as one row, committed before the answer (the
 * reference for the phases that write: PUT, If-Match PUT, DELETE).
 * FLOOR_OF names the variant a step is compared with; a step not named
 * uses `one`.
 */
export const FLOOR_VARIANTS = {
  one: { path: "/one", bytes: FLOOR_BODIES[0].length },
  rows100: { path: "/rows100", bytes: FLOOR_BODIES.reduce((n, b) => n + b.length + 1, -1) },
  write: { path: "/write", bytes: 0, method: "PUT", body: FLOOR_BODIES[1], status: 201 },
};
export const FLOOR_OF = { "multiget-100": "rows100", put: "write", "put-if-match": "write", delete: "write", changes: "write" };

/**
 * Starts the floor Worker, warms it (1 s at the highest concurrency), then
 * runs each variant at each concurrency for `seconds` (the write only at
 * `writeConcurrency`, the writing phases' own, when given), closed-loop: c
 * clients each send the next request when the last one answered. Every
 * answer must have the variant's status (200, or 201 for a write) and its
 * whole body (the bodies put in the rows), or the run fails.
 * Returns { startupMs, seconds, rows: [{ variant, concurrency, ops, wallMs, opsPerSec, p50Ms, p95Ms }], opsPerSec(variant, c) }.
 */
export async function measureFloor({ concurrencies, writeConcurrency, seconds = 3, echo = false }) {
  const t0 = performance.now();
  const server = await startFloor({ echo });
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

/** Starts the floor Worker the way the server is started, its rows holding FLOOR_BODIES. */
export async function startFloor(options = {}) {
  const server = await startServer({ dir: join(ROOT, "bench", "floor"), admin: false, ...options });
  try {
    const res = await fetch(`${server.url}/rows`, { method: "PUT", body: JSON.stringify(FLOOR_BODIES) });
    if (res.status !== 204 || res.headers.get("x-rows") !== String(FLOOR_BODIES.length)) throw new Error(`floor: PUT /rows answered ${res.status}`);
    return server;
  } catch (e) {
    await server.stop();
    throw e;
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
      if (res.status !== (spec.status ?? 200) || text.length !== spec.bytes) throw new Error(`floor ${spec.path}: ${res.status}, ${text.length} characters: ${text.slice(0, 200)}`);
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
