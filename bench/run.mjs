#!/usr/bin/env node
// `npm run bench` — a CalDAV workload over real HTTP, every answer checked
// against a ground truth computed here (bench/workload.mjs), so a wrong or
// short answer fails the run (exit status 1).
//
// By default it starts the server the way the README does (bench/server.mjs:
// `wrangler dev` on free ports, a random ADMIN_TOKEN, fresh --persist-to, on a
// temp copy of the sources so edits during a run do not restart it;
// EDGE_CALDAV_SNAPSHOT=0 runs in the repository instead) with a user made by
// the documented CLI (scripts/user.mjs), a fresh server and user per size
// (default 1,000 then 10,000 events), and prints per step operations per
// second, p50/p95 latency and the peak RSS (VmHWM) of the workerd processes.
//
// The floor (bench/floor.mjs, bench/floor/): before the first size, between
// sizes and after the last, a minimal Worker started the same way (one
// fetch, one Durable Object RPC, one SQLite read of one row, or of 100 rows
// for the multiget's floor, the rows holding calendar bodies of the
// workload; or for the writing steps a PUT of one such body stored as one
// row) is driven closed-loop for --floor-seconds at every concurrency the
// steps use (the write at the writes' --concurrency). Each step's ops/s is also printed as a
// fraction of the floor at its concurrency ("x floor"; the mean of the two
// floors around its size): that ratio is what compares across machines. The
// summary prints how far those two floors differ: other load on the machine
// moves the ratios about that much.
//
// Any CalDAV server (bench/target.mjs): with --url, --user, --password and
// --home (the account's calendar-home path) nothing is started and no admin
// CLI is used: each size gets a new calendar in that home, made with
// MKCALENDAR or else extended MKCOL (RFC 5689), deleted afterwards (--keep
// keeps it), or an existing empty calendar is given with --calendar (the
// objects the run made are deleted afterwards). The organizer address of
// the meetings is the account's calendar-user-address-set (or --email).
// Every answer is checked as for our server, comparing what the RFCs make
// comparable (ETags by opaque-tag, hrefs by decoded path whether absolute,
// relative or percent-encoded, a PUT answered without ETag read back, a
// truncated sync followed page by page); the `once` phases need our admin
// API and are skipped with a note. The floor is still measured here.
//
// Constant density: N events are spread over N/1,000 years from 2026-01-01
// (1,000: 2026; 10,000: 2026-2035), so a one-week query, a month of
// expansion or free-busy and a sync delta return about as much at both
// sizes, and the query windows are sampled across the whole span.
//
// Phases (bench/phases.mjs, in this order; "read" steps run once per
// --read-concurrency, default with 1 and then 8 clients, the same requests
// repeated so each client sends at least eight (util.mjs ROUNDS_PER_CLIENT);
// writes use --concurrency):
//   put           load N events with PUT (If-None-Match: *), --concurrency.
//                 Of every 10: 7 single, 2 weekly recurring (COUNT 8-26, one
//                 EXDATE, one RECURRENCE-ID override +2 h), 1 with ORGANIZER
//                 (the user) and 3 ATTENDEEs; 30% carry an embedded VTIMEZONE
//                 (Europe/Berlin or America/New_York) and TZID times, the rest
//                 UTC. Singles and meetings fall on a random day of the span;
//                 the series tile it in ~65 "lanes" (back-to-back series, see
//                 workload.mjs lanePlan), so every week has about the same
//                 number of instances. Seeded PRNG (--seed).
//                 The meetings' attendees are bench-guest-N@example.invalid,
//                 addresses no principal holds: our server still schedules
//                 (implicit scheduling, RFC 6638), keeps the messages for
//                 e-mail and marks each ATTENDEE SCHEDULE-STATUS=3.7 in the
//                 stored copy (decided when the PUT is planned). The phase
//                 then "settles" (context.mjs): it reads the meetings back
//                 (multiget) until all 3 attendees say 3.7 (on another
//                 server: until two reads agree) and takes their ETags from
//                 there (not timed; the time is printed). So does every
//                 write phase. Every later check compares ETags against these.
//   propfind      read: Depth-1 PROPFIND of the calendar (DAV:getetag), 3
//                 times; exactly the N hrefs with their ETags.
//   query-week    read: calendar-query (VEVENT time-range, calendar-data) for
//                 50 different weeks (Monday 00:00 UTC, sampled across the
//                 span); the UIDs returned must equal the set computed locally
//                 (weekly rules expanded in local time, minus EXDATE, plus the
//                 override), each with its ETag.
//   query-expand  read: calendar-query with <C:expand> for 12 months sampled
//                 across the span; the returned instances (UID + UTC DTSTART)
//                 must equal the local expansion, in number and in value.
//   multiget      read: calendar-multiget of 100 random hrefs, 20 times; 100
//                 bodies with the right UIDs and ETags each time.
//   get           read: GET of 200 random objects, one each; UID, ETag and
//                 Content-Type text/calendar checked.
//   sync          read: sync-collection initial (empty token, 3 times;
//                 exactly the N hrefs and ETags; a truncated answer, 507 on
//                 the collection, is followed to the end, RFC 6578 §3.6),
//                 then "changes": 100 writes (40 updates and 30 deletes with
//                 If-Match, 30 creates, --concurrency), settle, then read: the
//                 delta from the first token (3 times): exactly those 100 (70
//                 with their current ETags, 30 as 404).
//   freebusy      read: free-busy-query for 12 months sampled across the
//                 span; the union of the busy periods must cover every event
//                 instance in the month and no busy period may lie outside
//                 the events.
//   put-if-match  PUT with If-Match (the current ETag) of 200 objects (at
//                 most a fifth of the calendar), new SUMMARY and SEQUENCE;
//                 200 or 204, then settle.
//   delete        DELETE with If-Match of 200 other objects; 200 or 204, and
//                 a GET of one of them answers 404.
// A 412 to an If-Match with the current ETag is a failure (and retried
// without, so the run goes on).
//
// Once phases (bench/phases-once.mjs; after the sizes, each run on a server
// of its own, only with a server started here):
//   schedule      an organizer and 100 attendees (made with the CLI); the
//                 organizer PUTs one VEVENT inviting the 100: sched-deliver is
//                 the time until every attendee's calendar holds it (GET
//                 polled, --poll-concurrency in flight); sched-replies the
//                 time from the first reply PUT (ACCEPTED/DECLINED/TENTATIVE,
//                 If-Schedule-Tag-Match, --concurrency) until the organizer's
//                 copy shows every PARTSTAT; SCHEDULE-STATUS 1.2/2.0 and the
//                 organizer's unchanged Schedule-Tag and changed ETag checked.
//   expansion-stall  8 and then 16 clients expand an endless FREQ=SECONDLY
//                 event over ten years while another user's PROPFIND/OPTIONS
//                 are timed: every expansion 403 number-of-matches-within-
//                 limits, the other user's slowest request under 1 s; then
//                 16 clients on a rule with BYxxx parts (printed, not checked).
//
// Options:
//   --sizes 1000,10000        events per size (a fresh calendar each)
//   --seed 2026               the PRNG seed of the data and the samples
//   --concurrency 8           clients of the write steps (put, changes, put-if-match, delete, replies)
//   --read-concurrency 1,8    the client counts every read step runs with, in turn
//   --poll-concurrency 4      GETs in flight while the schedule phase polls the 100 homes
//   --phases put,propfind,... which phases (the default is all; without put the calendar is empty)
//   --floor-seconds 3         seconds per floor variant and concurrency; 0: no floor
//   --echo                    copy wrangler's output
//   --url <base> --user <name> --password <pw> --home <calendar-home path>
//                             run against that server instead (see above);
//   --calendar <path>         an existing empty calendar to use instead of making one;
//   --email <address>         the organizer address for meetings (default: discovered);
//   --keep                    leave the calendar the run made
// Output: a line per step, a summary table with "x floor", and a final JSON line.
import { parseArgs } from "node:util";
import { HttpError, makeContext } from "./context.mjs";
import { combineFloors, measureFloor } from "./floor.mjs";
import { PHASES } from "./phases.mjs";
import { LOCAL_OBSERVABILITY } from "./server.mjs";
import { ONCE_PHASES } from "./phases-once.mjs";
import { printSummary } from "./report.mjs";
import { localOnceTarget, localTarget, remoteTarget, workerdMemory } from "./target.mjs";

const USAGE = `usage: npm run bench -- [--sizes 1000,10000] [--seed 2026] [--concurrency 8] [--read-concurrency 1,8] [--poll-concurrency 4]
                        [--phases put,propfind,query-week,query-expand,multiget,get,sync,freebusy,put-if-match,delete,schedule,expansion-stall]
                        [--floor-seconds 3] [--echo]
                        [--url <base> --user <name> --password <pw> (--home <calendar-home path> | --calendar <path>) [--email <addr>] [--keep]]`;

const { values: opts } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000" },
    seed: { type: "string", default: "2026" },
    concurrency: { type: "string", default: "8" },
    "read-concurrency": { type: "string", default: "1,8" },
    "poll-concurrency": { type: "string", default: "4" },
    phases: { type: "string" },
    "floor-seconds": { type: "string", default: "3" },
    echo: { type: "boolean", default: false },
    url: { type: "string" },
    user: { type: "string" },
    password: { type: "string" },
    home: { type: "string" },
    calendar: { type: "string" },
    email: { type: "string" },
    keep: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const numbers = (s) => s.split(",").map((x) => Number(x.trim())).filter((n) => Number.isInteger(n) && n > 0);
const SIZES = numbers(opts.sizes);
const config = {
  seed: Number(opts.seed),
  concurrency: Number(opts.concurrency),
  readConcurrency: numbers(opts["read-concurrency"]),
  pollConcurrency: Number(opts["poll-concurrency"]),
};
const FLOOR_SECONDS = Number(opts["floor-seconds"]);
const remote = opts.url ? { url: opts.url, user: opts.user, password: opts.password, home: opts.home, calendar: opts.calendar, email: opts.email, keep: opts.keep } : null;
if (remote && (!remote.user || remote.password === undefined || !(remote.home || remote.calendar))) {
  console.error(`--url needs --user, --password and --home (or --calendar)\n${USAGE}`);
  process.exit(2);
}
if (!config.readConcurrency.length || !(config.concurrency > 0)) {
  console.error(USAGE);
  process.exit(2);
}

/** Runs phases in order on ctx; a phase that throws is recorded as a failure and the next one runs. */
async function runPhases(ctx, phases) {
  for (const phase of phases) {
    ctx.phase = phase.name;
    const before = ctx.failures.length;
    const rowsBefore = ctx.steps.length;
    try {
      await phase.run(ctx);
    } catch (e) {
      ctx.failures.push({ phase: phase.name, message: `aborted: ${e instanceof HttpError ? e.message : (e?.stack ?? e)}` });
    }
    // a failure recorded outside a timed step (e.g. while settling) marks the phase's last row
    if (ctx.failures.length > before && ctx.steps.length > rowsBefore && ctx.steps.slice(rowsBefore).every((r) => r.ok)) ctx.steps.at(-1).ok = false;
    for (const f of ctx.failures.slice(before)) console.log(`  [${ctx.label}] FAIL ${f.phase}: ${f.message}`);
  }
}

/** The floor (floor.mjs) at every concurrency a step uses, printed as it goes; null with --floor-seconds 0. */
async function floorRun(when) {
  if (!(FLOOR_SECONDS > 0)) return null;
  console.log(`\n== floor ${when}: bench/floor under wrangler dev, ${FLOOR_SECONDS} s per variant and concurrency`);
  const floor = await measureFloor({ concurrencies: [...config.readConcurrency, config.concurrency], writeConcurrency: config.concurrency, seconds: FLOOR_SECONDS, echo: opts.echo });
  for (const r of floor.rows) console.log(`  [floor] ${`floor-${r.variant}`.padEnd(20)} ${String(r.ops).padStart(6)} ops ${String(r.concurrency).padStart(2)} clients ${String(r.opsPerSec).padStart(8)} ops/s  p50 ${String(r.p50Ms).padStart(7)} ms  p95 ${String(r.p95Ms).padStart(7)} ms`);
  return floor;
}

/** One run on a target: its phases, then what the summary needs; the target is stopped (and cleaned up) in any case. */
async function runOn(target, label, size, phases) {
  const ctx = makeContext({ target, label, size, config });
  try {
    await runPhases(ctx, phases);
    for (const message of target.problems()) ctx.failures.push({ phase: "server", message });
    const memory = ctx.sampleMemory();
    return { size: label, startupMs: target.startupMs, steps: ctx.steps, failures: ctx.failures, notes: ctx.notes, extra: ctx.extra, memory: memory && { ...memory, processes: workerdMemory(target.server) } };
  } finally {
    await target.stop(ctx);
  }
}

async function main() {
  const all = [...PHASES, ...ONCE_PHASES];
  const selected = opts.phases ? opts.phases.split(",").map((s) => s.trim()) : null;
  const unknown = (selected ?? []).filter((n) => !all.some((p) => p.name === n));
  if (unknown.length) throw new Error(`unknown phase(s) ${unknown.join(", ")}; phases: ${all.map((p) => p.name).join(", ")}`);
  const phases = selected ? all.filter((p) => selected.includes(p.name)) : all;
  const perSize = phases.filter((p) => !p.once);
  let once = phases.filter((p) => p.once);
  if (selected && perSize.length && !selected.includes("put")) console.log("note: without the put phase the calendar is empty");
  if (remote && once.length) {
    console.log(`note: ${once.map((p) => p.name).join(", ")} skipped: they make their users with our admin CLI, which a server given by --url does not offer`);
    once = [];
  }
  const target = remote ? `${remote.url} as ${remote.user} (${remote.calendar ? `calendar ${remote.calendar}` : `new calendars in ${remote.home}`})` : `edge-caldav under wrangler dev, started here (wrangler's local traces ${LOCAL_OBSERVABILITY === "false" ? "off, as npm start runs" : "on"}, the floor's too)`;
  console.log(
    `edge-caldav benchmark: ${target}; sizes ${perSize.length ? SIZES.join(", ") : "(none)"}, seed ${config.seed}, concurrency ${config.concurrency} (writes), ${config.readConcurrency.join(" and ")} (reads), ` +
      `phases ${perSize.map((p) => p.name).join(", ") || "(none)"}${once.length ? `; once after them: ${once.map((p) => p.name).join(", ")}` : ""}`,
  );
  const t0 = performance.now();
  const results = [];
  if (perSize.length) {
    let before = await floorRun(`before ${SIZES[0]} events`);
    for (const [k, size] of SIZES.entries()) {
      const t = remote ? await remoteTarget(size, remote, config.seed) : await localTarget(size, { echo: opts.echo });
      const result = await runOn(t, size, size, perSize);
      const after = await floorRun(k + 1 < SIZES.length ? `between ${size} and ${SIZES[k + 1]} events` : `after ${size} events`);
      result.floor = before && combineFloors(before, after);
      results.push(result);
      before = after;
    }
  }
  // Each once phase on a server of its own: what one leaves running (queued deliveries, alarms) must not time the next.
  for (const phase of once) {
    const t = await localOnceTarget(`once: ${phase.name}`, { echo: opts.echo });
    results.push(await runOn(t, phase.label ?? phase.name, 0, [phase]));
  }
  const totalS = Math.round((performance.now() - t0) / 100) / 10;
  const failed = printSummary({ results, config, target, totalS });
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(2);
});
