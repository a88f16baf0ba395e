#!/usr/bin/env node
// `npm run soak` — a soak any user can run: 12 CalDAV clients (8 on one
// calendar home, 4 on four others) doing mixed reads, writes, deletes,
// conditional updates and invitations for a bounded time (default two
// minutes), with a model of every acknowledged write that is checked against
// the server's state at the end: zero lost or duplicated objects, zero 5xx,
// every invitation delivered. See soak-ops.mjs for the mix, soak-model.mjs for
// why the model is exact under concurrency, soak-check.mjs for the check.
//
// By default it starts the server the README's way (bench/server.mjs:
// `wrangler dev` on free ports with fresh state, on a copy of the sources) and
// adds its users with the documented CLI; with --url it drives a server that
// is already running (admin token from --token or $ADMIN_TOKEN, like
// `npm run user`), and removes its users afterwards unless --keep-users.
//
// Prints progress every 10 s, then requests per second (overall and per
// kind), p50/p95 latency per kind, status codes and the model check, and a
// final JSON line. Exit status: 0 when the check passed with no 5xx, 1 when
// it failed, 2 when the soak itself could not run.
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "./server.mjs";
import { formatReport } from "./soak-report.mjs";
import { runSoak } from "./soak-run.mjs";

const LOCAL_TOKEN = "local-dev-admin-token"; // what `npm start` sets, as scripts/user.mjs assumes

const USAGE = `usage: npm run soak -- [--seconds 120] [--url http://127.0.0.1:8787 [--token T] [--keep-users]]
                        [--seed N] [--settle-seconds 90] [--shared 8] [--others 4] [--request-timeout 60] [--echo]

  --seconds N          how long the clients run (default 120)
  --url URL            drive a running server instead of starting one (admin token: --token, $ADMIN_TOKEN,
                       or the local development token of \`npm start\`); its users are removed afterwards
                       unless --keep-users
  --seed N             the clients' random choices (default: from the clock; printed)
  --settle-seconds N   how long scheduling may take to settle after the run (default 90)
  --shared N           clients on the one shared home (default 8); --others N: homes with one client each (default 4)
  --request-timeout N  seconds before a request counts as unanswered (default 60)
  --echo               copy wrangler's output to stderr`;

const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "120" },
    url: { type: "string" },
    token: { type: "string" },
    "keep-users": { type: "boolean", default: false },
    seed: { type: "string" },
    "settle-seconds": { type: "string", default: "90" },
    shared: { type: "string", default: "8" },
    others: { type: "string", default: "4" },
    "request-timeout": { type: "string", default: "60" },
    echo: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const num = (name, min) => {
  const n = Number(opts[name]);
  if (!Number.isFinite(n) || n < min) {
    console.error(`soak: --${name} must be a number >= ${min}\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const options = {
  seconds: num("seconds", 1),
  settleSeconds: num("settle-seconds", 0),
  shared: num("shared", 1),
  others: num("others", 1),
  requestTimeoutMs: num("request-timeout", 1) * 1000,
  ...(opts.seed !== undefined ? { seed: num("seed", 0) } : {}),
};

async function main() {
  let server = null;
  const stop = async () => {
    if (server) await server.stop();
    server = null;
  };
  process.once("SIGINT", () => stop().finally(() => process.exit(130)));
  try {
    const cpu = cpus();
    console.log(`soak: ${new Date().toISOString()}, ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
    let url = opts.url?.replace(/\/+$/, "");
    let adminToken = opts.token ?? process.env.ADMIN_TOKEN ?? LOCAL_TOKEN;
    if (!url) {
      console.log("soak: starting wrangler dev (the README's way, on free ports with fresh state)…");
      const t = performance.now();
      server = await startServer({ echo: opts.echo });
      url = server.url;
      adminToken = server.adminToken;
      console.log(`soak: ${url} ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } else console.log(`soak: driving ${url}`);
    const result = await runSoak({ ...options, url, adminToken, keepUsers: server ? true : opts["keep-users"] });
    if (server && server.reloads() > 0) {
      result.ok = false;
      result.reloads = server.reloads();
    }
    console.log(`\n${formatReport(result)}`);
    if (result.reloads) console.log(`FAIL: wrangler restarted the Worker ${result.reloads} time(s) during the run`);
    console.log(JSON.stringify(result));
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error(`soak: ${e?.stack ?? e}`);
  process.exit(2);
});
