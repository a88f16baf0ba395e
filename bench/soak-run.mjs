// One soak run against a server that is up: users made with the documented
// CLI, 12 clients (8 on one home, 4 on four other homes) running the mix of
// soak-ops.mjs for a bounded time, then settle and the model check
// (soak-check.mjs). Returns everything the report prints; never throws for
// what the server answers (that is what the result says), only when the
// server cannot be used at all.
import { randomBytes } from "node:crypto";
import { addUser, runUserCliOn } from "./server.mjs";
import { Stats, describeExchange, httpClient, percentile } from "./soak-http.mjs";
import { Model } from "./soak-model.mjs";
import { COLLECTIONS, finalCheck, settle } from "./soak-check.mjs";
import { makeOps } from "./soak-ops.mjs";
import { prng } from "./workload.mjs";
import { parseMultistatus } from "./xml.mjs";

const round1 = (x) => Math.round(x * 10) / 10;

/**
 * options: { url, adminToken, seconds = 120, shared = 8, others = 4, seed,
 * settleSeconds = 90, requestTimeoutMs = 60000, keepUsers = true, log = console.log }
 */
export async function runSoak(options) {
  const seconds = options.seconds ?? 120;
  const shared = options.shared ?? 8;
  const others = options.others ?? 4;
  const seed = options.seed ?? (Date.now() % 2 ** 31);
  const log = options.log ?? console.log;
  const tag = randomBytes(3).toString("hex");
  const server = { url: options.url, adminToken: options.adminToken };
  const stats = new Stats();
  const checkStats = new Stats();
  const model = new Model();
  let id = 0;

  // Users: one home shared by `shared` clients, `others` homes with one client each.
  const names = [`soak${tag}h`, ...Array.from({ length: others }, (_, k) => `soak${tag}${String.fromCharCode(97 + k)}`)];
  const tSetup = performance.now();
  const users = [];
  for (const name of names) {
    const u = await addUser(server, name, { password: `soak-${randomBytes(9).toString("base64url")}`, emails: [`${name}@soak.example`], name: `Soak ${name}` });
    users.push({ username: u.username, password: u.password, address: `mailto:${name}@soak.example`, name: `Soak ${name}` });
  }
  const t0 = performance.now();
  const ctx = {
    model, users, tag, stats, checkStats, t0,
    http: httpClient({ url: options.url, stats, timeoutMs: options.requestTimeoutMs ?? 60_000, t0 }),
    nextId: () => ++id,
    clientsPerUser: new Map(users.map((u, k) => [u.username, k === 0 ? shared : 1])),
  };

  // Before the run (not timed): each user logs in once and takes a sync token of each calendar.
  const startTokens = new Map();
  for (const user of users) {
    for (const coll of COLLECTIONS) {
      const body = '<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>';
      const r = await ctx.http.request(user, "setup-sync", "REPORT", `/calendars/${user.username}/${coll}/`, { headers: { "Content-Type": "application/xml; charset=utf-8", Depth: "0" }, body, stats: checkStats });
      if (r.status !== 207) throw new Error(`setup: sync-collection of ${user.username}/${coll} answered ${r.status || r.error}: ${r.text.slice(0, 300)}`);
      startTokens.set(`${user.username}/${coll}`, parseMultistatus(r.text).syncToken);
    }
  }
  log(`soak ${tag}: ${users.length} users added with the CLI in ${((performance.now() - tSetup) / 1000).toFixed(1)} s: ${users[0].username} (${shared} clients), ${users.slice(1).map((u) => u.username).join(", ")} (1 client each); seed ${seed}; ${seconds} s`);

  const ops = makeOps(ctx);
  const clients = [
    ...Array.from({ length: shared }, () => users[0]),
    ...users.slice(1),
  ].map((user, k) => ({ id: k, user, rng: prng(seed + 7919 * (k + 1)), tokens: new Map() }));
  const opCounts = {};
  const crashes = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const progress = setInterval(() => {
    const s = (performance.now() - start) / 1000;
    const bad = Object.values(model.anomalies).reduce((n, a) => n + a.count, 0);
    log(`  +${s.toFixed(0).padStart(4)} s  ${String(stats.total).padStart(6)} requests  ${(stats.total / s).toFixed(1).padStart(6)}/s  5xx ${stats.fiveXXCount}  no answer ${stats.noAnswerCount}  anomalies ${bad}`);
  }, options.progressMs ?? 10_000);
  await Promise.all(clients.map(async (client) => {
    while (performance.now() < deadline) {
      const op = ops.pickOp(client);
      opCounts[op] = (opCounts[op] ?? 0) + 1;
      try {
        await ops.run(client, op);
      } catch (e) {
        // An answer the soak cannot read (e.g. malformed XML) is a finding, not the end of the run.
        model.flag("status", `client ${client.id} (${client.user.username}) ${op}: ${e?.stack ?? e}`);
        if (crashes.length < 5) crashes.push(String(e?.stack ?? e));
      }
    }
  }));
  clearInterval(progress);
  const runMs = performance.now() - start;

  log(`  run over after ${(runMs / 1000).toFixed(1)} s; settling scheduling (at most ${options.settleSeconds ?? 90} s)…`);
  const settled = await settle(ctx, (options.settleSeconds ?? 90) * 1000);
  log(`  settled: ${settled.settled ? "yes" : "NO"} after ${(settled.ms / 1000).toFixed(1)} s (${settled.rounds} rounds); checking the model…`);
  const seen = await finalCheck(ctx, startTokens);

  if (!options.keepUsers) {
    let removed = 0;
    for (const u of users) {
      const r = await runUserCliOn(server, ["remove", u.username]);
      if (r.code !== 0) log(`  note: could not remove ${u.username}: ${r.stdout}${r.stderr}`);
      else removed++;
    }
    log(`  removed ${removed} of ${users.length} soak users and their data with the CLI`);
  }
  return summarize({ ctx, seconds, runMs, seed, opCounts, settled, seen, shared, others });
}

function summarize({ ctx, runMs, seed, opCounts, settled, seen, shared, others }) {
  const { stats, model } = ctx;
  const kinds = [...stats.kinds].sort(([a], [b]) => a.localeCompare(b)).map(([kind, k]) => {
    const lat = [...k.latencies].sort((x, y) => x - y);
    return { kind, count: k.count, perSecond: round1((k.count / runMs) * 1000), p50Ms: round1(percentile(lat, 50)), p95Ms: round1(percentile(lat, 95)), maxMs: round1(lat.at(-1) ?? NaN), statuses: k.statuses };
  });
  const meetings = [...model.meetings.values()];
  const objects = [...model.objects.values()];
  const acked = objects.reduce((n, o) => n + (o.createState === "acked" ? 1 : 0) + o.edges.size, 0);
  const conflicts = (stats.kinds.get("update")?.statuses[412] ?? 0) + (stats.kinds.get("delete")?.statuses[412] ?? 0);
  return {
    soak: "edge-caldav",
    ok: model.ok && stats.fiveXXCount === 0 && stats.noAnswerCount === 0 && settled.settled,
    tag: ctx.tag,
    seed,
    clients: { shared, others, total: shared + others },
    users: ctx.users.map((u) => u.username),
    seconds: round1(runMs / 1000),
    requests: stats.total,
    perSecond: round1((stats.total / runMs) * 1000),
    statuses: stats.statuses,
    fiveXX: stats.fiveXXCount,
    noAnswer: stats.noAnswerCount,
    kinds,
    ops: opCounts,
    model: {
      objectsCreated: objects.filter((o) => o.createState === "acked").length,
      objectsLive: objects.filter((o) => model.tip(o).state === "alive").length,
      writesAcknowledged: acked,
      ifMatchConflicts: conflicts,
      meetingsCreated: meetings.filter((m) => m.state !== "refused" && m.state !== "pending").length,
      meetingsAlive: meetings.filter((m) => m.state === "alive").length,
      meetingsCancelled: meetings.filter((m) => m.state === "cancelled").length,
      invitations: meetings.reduce((n, m) => n + (m.state === "refused" ? 0 : m.attendees.size), 0),
      deferred: model.deferred,
      checked: seen,
    },
    settle: { settled: settled.settled, seconds: round1(settled.ms / 1000), rounds: settled.rounds },
    check: Object.fromEntries(Object.entries(model.anomalies).map(([k, a]) => [k, a.count])),
    examples: Object.fromEntries(Object.entries(model.anomalies).filter(([, a]) => a.count).map(([k, a]) => [k, a.examples])),
    fiveXXExamples: stats.fiveXX.map(describeExchange),
    noAnswerExamples: stats.noAnswer.map(describeExchange),
  };
}
