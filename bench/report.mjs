// The benchmark's summary (bench/run.mjs): one table of every step with its
// throughput as a fraction of the floor measured around its size at the same
// concurrency ("x floor", floor.mjs; each size's floor rows first), the
// memory and scheduling lines, the failures, and one JSON line with all of
// it for scripts.
import { histogram, table } from "./util.mjs";

/** "0.27" of ops/s over the floor's ops/s at the row's concurrency, "-" without a floor there. */
function xFloor(floor, row) {
  const f = floor?.opsPerSec(row.floor, row.concurrency);
  return f ? row.opsPerSec / f : null;
}
const fmtX = (x) => (x == null ? "-" : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toFixed(3));

export function printSummary({ results, config, target, totalS }) {
  console.log("\n== summary");
  const floorRows = (r) =>
    (r.floor?.rows ?? []).map((f) => ({
      size: r.size, step: `floor-${f.variant}`, ops: f.ops, concurrency: f.concurrency, wallMs: f.wallMs, opsPerSec: f.opsPerSec, p50Ms: f.p50Ms, p95Ms: f.p95Ms, floor: f.variant, ok: true, workerPeakMB: null, result: r,
    }));
  const rows = results.flatMap((r) => [...floorRows(r), ...r.steps.map((s) => ({ ...s, result: r }))]);
  console.log(
    table(rows, [
      { title: "events", get: (r) => r.size },
      { title: "step", get: (r) => r.step, left: true },
      { title: "ops", get: (r) => r.ops },
      { title: "conc", get: (r) => r.concurrency },
      { title: "wall s", get: (r) => (r.wallMs / 1000).toFixed(r.wallMs < 10_000 ? 2 : 1) },
      { title: "ops/s", get: (r) => r.opsPerSec },
      { title: "x floor", get: (r) => fmtX(xFloor(r.result.floor, r)) },
      { title: "p50 ms", get: (r) => r.p50Ms },
      { title: "p95 ms", get: (r) => r.p95Ms },
      { title: "workerd peak MB", get: (r) => r.workerPeakMB ?? "-" },
      { title: "check", get: (r) => (r.ok ? "ok" : "FAIL"), left: true },
    ]),
  );
  const floored = results.filter((r) => r.floor);
  console.log(
    floored.length
      ? `\nx floor: ops/s over the floor's at the same concurrency (bench/floor: one Durable Object RPC with one SQLite statement, ${floored[0].floor.seconds} s per level, started like the server; ` +
          "the mean of the floors measured before and after the size); multiget-100 against the 100-row read, the writing steps (put, changes, put-if-match, delete) against the one-row write, every other step against the one-row read. The once phases measure times, not throughput: no floor."
      : "\nno floor measured (--floor-seconds 0, or no phase that runs per size)",
  );
  for (const r of floored) {
    const moved = r.floor.rows.map((f) => `${f.variant}@${f.concurrency} ${f.before} -> ${f.after}`).join(", ");
    const d = r.floor.drift;
    console.log(`floor before -> after ${r.size} events (ops/s): ${moved}; largest change ${(d * 100).toFixed(0)}%${Math.abs(d) > 0.25 ? " (more than 25%: other load moved the machine's capacity meanwhile; these ratios are uncertain by about that much)" : ""}`);
  }
  console.log(`target: ${target}`);
  for (const r of results)
    if (r.memory?.workerPeakMB != null)
      console.log(`${String(r.size).padStart(6)}${typeof r.size === "number" ? " events" : " run   "}: workerd peak RSS (VmHWM) ${r.memory.workerPeakMB} MB worker + ${r.memory.proxyPeakMB} MB proxy = ${r.memory.totalPeakMB} MB; startup ${(r.startupMs / 1000).toFixed(1)} s`);
  const sched = results.find((r) => r.extra.schedule)?.extra.schedule;
  if (sched)
    console.log(
      `  sched: ${sched.attendees} attendees; organizer PUT ${sched.organizerPutMs} ms; t_delivered ${(sched.tDeliveredMs / 1000).toFixed(2)} s (per attendee p50 ${sched.deliveryP50Ms} / p95 ${sched.deliveryP95Ms} ms);` +
        ` t_replies ${(sched.tRepliesMs / 1000).toFixed(2)} s, ${((sched.tAfterLastReplyMs ?? 0) / 1000).toFixed(2)} s after the last (per reply p50 ${sched.mergeP50Ms} / p95 ${sched.mergeP95Ms} ms); SCHEDULE-STATUS ${histogram(Object.entries(sched.scheduleStatus).flatMap(([k, n]) => Array(n).fill(k)))};` +
        ` Schedule-Tag ${sched.scheduleTagUnchanged ? "unchanged" : "CHANGED"}, ETag ${sched.etagChanged ? "changed" : "UNCHANGED"}`,
    );
  for (const key of ["stall8", "stall16", "stall16parts"]) {
    const st = results.find((r) => r.extra[key])?.extra[key];
    if (st)
      console.log(
        `  stall: ${st.parallel} parallel ten-year expansions${key.endsWith("parts") ? " of the rule with parts (not checked)" : ""}: ${Object.entries(st.statuses).map(([k, n]) => `${k} x${n}`).join(", ")}; ` +
          `the other user's PROPFIND/OPTIONS p50 ${st.otherP50Ms} / p95 ${st.otherP95Ms} / max ${st.otherMaxMs} ms; workerd peak ${st.workerdPeakMB} MB`,
      );
  }
  const failures = results.flatMap((r) => r.failures.map((f) => ({ size: r.size, ...f })));
  console.log(`\ntotal ${totalS} s; ${failures.length ? `${failures.length} check(s) FAILED` : "all checks passed"}`);
  for (const f of failures) console.log(`  FAIL [${f.size}] ${f.phase}: ${f.message.split("\n")[0]}`);
  const withX = (r) => r.steps.map(({ size, ...s }) => ({ ...s, xFloor: xFloor(r.floor, s) == null ? null : Math.round(xFloor(r.floor, s) * 1000) / 1000 }));
  const memOf = (r) => (r.memory?.workerPeakMB != null ? { worker: r.memory.workerPeakMB, proxy: r.memory.proxyPeakMB, total: r.memory.totalPeakMB } : null);
  console.log(
    JSON.stringify({
      bench: "edge-caldav",
      target,
      seed: config.seed,
      concurrency: config.concurrency,
      readConcurrency: config.readConcurrency,
      totalSeconds: totalS,
      ok: failures.length === 0,
      sizes: results.filter((r) => typeof r.size === "number").map((r) => ({
        events: r.size,
        startupMs: r.startupMs,
        workerdPeakMB: memOf(r),
        floor: r.floor ? { seconds: r.floor.seconds, drift: r.floor.drift, rows: r.floor.rows } : null,
        steps: withX(r),
        failures: r.failures.map((f) => `${f.phase}: ${f.message.split("\n")[0]}`),
      })),
      once: results.filter((r) => typeof r.size !== "number").map((r) => ({
        run: r.size,
        startupMs: r.startupMs,
        workerdPeakMB: memOf(r),
        steps: r.steps.map(({ size, ...s }) => s),
        ...r.extra,
        failures: r.failures.map((f) => `${f.phase}: ${f.message.split("\n")[0]}`),
      })),
    }),
  );
  return failures.length;
}
