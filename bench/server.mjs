// Starts the server the way the README does (`wrangler dev` with an admin
// token) on free ports with fresh local state, and runs the documented user
// CLI against it. Shared by `npm run bench` (bench/run.mjs) and the HTTP
// tests (test/http/server.ts wraps this file; there is one implementation).
//
// Plain JavaScript on purpose: the benchmark runs with node directly, and the
// types for the tests live in bench/server.d.mts.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (bench/..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");

/**
 * The environment for child processes: node_modules/.bin first, so that
 * `#!/usr/bin/env node` in node_modules/.bin/wrangler finds the project's
 * Node 22 (the `node` package) rather than the system one. The CLI's own
 * defaults ($CALDAV_URL, $ADMIN_TOKEN) are removed so every call is explicit.
 */
/**
 * Whether `wrangler dev` records its local traces (every request and SQLite statement, for its dashboard): off, as
 * the project's .env sets it for `npm start`, unless X_LOCAL_OBSERVABILITY says otherwise. Every server started
 * here, the benchmark's floor included, runs the same way, so ratios compare like with like.
 */
export const LOCAL_OBSERVABILITY = process.env.X_LOCAL_OBSERVABILITY ?? "false";

function childEnv(extra = {}) {
  const env = {
    ...process.env, PATH: `${BIN}:${process.env.PATH ?? ""}`, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0",
    X_LOCAL_OBSERVABILITY: LOCAL_OBSERVABILITY,
  };
  delete env.CALDAV_URL;
  delete env.ADMIN_TOKEN;
  return { ...env, ...extra };
}

/** A TCP port that was free a moment ago (listen on 0, read it, close). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

/** Not part of the Worker's build; everything else at the top level is copied into a snapshot. */
const SNAPSHOT_SKIP = new Set(["node_modules", ".git", ".wrangler", "test", "bench", "coverage", "dist"]);

/**
 * A copy of the project (src/, wrangler.toml, package.json, ...) in a temp
 * dir, with node_modules symlinked. `wrangler dev` watches its sources and
 * restarts the Worker when they change ("Your worker restarted
 * mid-request", 503); running it on a snapshot keeps a test or benchmark
 * run on one build even while someone edits src/. `root` is another Worker
 * directory to copy instead (the benchmark's floor, bench/floor); the
 * project's node_modules is linked into it all the same.
 */
export function snapshotProject(root = ROOT) {
  const dir = mkdtempSync(join(tmpdir(), "edge-caldav-src-"));
  for (const entry of readdirSync(root)) {
    if (SNAPSHOT_SKIP.has(entry)) continue;
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "");

/**
 * Spawns `wrangler dev --ip 127.0.0.1 --port P --inspector-port I
 * [--var ADMIN_TOKEN:T] --persist-to <fresh temp dir>` in its own process
 * group and resolves when it prints "Ready on http://127.0.0.1:P".
 *
 * options: { admin = true, adminToken, readyTimeoutMs = 90000, echo = false,
 *            snapshot = true (run on a copy of the sources, see snapshotProject;
 *            EDGE_CALDAV_SNAPSHOT=0 runs in the repository itself, like `npm start`),
 *            vars = {} (more --var NAME:VALUE, e.g. IMIP_FROM for e-mail),
 *            dir = ROOT (the Worker directory with its wrangler.toml: another
 *            Worker, such as the benchmark's floor, starts the same way) }
 */
export async function startServer(options = {}) {
  // A free port can be taken by another process between freePort() and
  // wrangler's listen (other test runs on the machine): try again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(options);
    } catch (e) {
      if (attempt >= 3 || !/Address already in use/.test(String(e?.message))) throw e;
    }
  }
}

async function startServerOnce(options) {
  const admin = options.admin ?? true;
  const adminToken = admin ? (options.adminToken ?? `tok-${randomBytes(16).toString("hex")}`) : null;
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  const port = await freePort();
  let inspectorPort = await freePort();
  while (inspectorPort === port) inspectorPort = await freePort();
  const persistDir = mkdtempSync(join(tmpdir(), "edge-caldav-http-"));
  const snapshot = options.snapshot ?? process.env.EDGE_CALDAV_SNAPSHOT !== "0";
  const dir = options.dir ?? ROOT;
  const cwd = snapshot ? snapshotProject(dir) : dir;
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)];
  if (admin) args.push("--var", `ADMIN_TOKEN:${adminToken}`);
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push("--var", `${name}:${value}`);
  args.push("--persist-to", persistDir, "--show-interactive-dev-session=false");

  const child = spawn(join(BIN, "wrangler"), args, {
    cwd,
    detached: true, // its own process group, so stop() reaches workerd too
    stdio: ["ignore", "pipe", "pipe"],
    env: childEnv(),
  });
  let output = "";
  let reloads = 0;
  const MAX_OUTPUT = 200_000;
  const onData = (d) => {
    const s = d.toString();
    reloads += s.split("Reloading local server").length - 1;
    if (options.echo) process.stderr.write(s);
    output = (output + s).slice(-MAX_OUTPUT);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise((res) => child.once("exit", (code, signal) => res({ code, signal })));
  let alive = true;
  exited.then(() => (alive = false));

  const command = `(cd ${cwd} && node_modules/.bin/wrangler ${args.join(" ")})`;
  const url = `http://127.0.0.1:${port}`;
  const ready = new RegExp(`Ready on http://127\\.0\\.0\\.1:${port}\\b`);

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (alive && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }, 5_000);
      await exited;
      clearTimeout(t);
    }
    // workerd may outlive wrangler briefly; the group kill above reaches it.
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* the group is empty */
    }
    rmSync(persistDir, { recursive: true, force: true });
    if (cwd !== dir) rmSync(cwd, { recursive: true, force: true });
  }

  try {
    await new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`wrangler dev was not ready within ${readyTimeoutMs} ms`)), readyTimeoutMs);
      const check = () => {
        const text = stripAnsi(output);
        if (ready.test(text)) {
          clearTimeout(timer);
          res();
        } else if (/\[ERROR\] Build failed/.test(text)) {
          // wrangler keeps running, waiting for a fix; give up at once (after the error is printed in full)
          clearTimeout(timer);
          setTimeout(() => rej(new Error("wrangler dev could not build the Worker")), 500);
        }
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        rej(new Error(`wrangler dev exited (code ${code}, signal ${signal}) before it was ready`));
      });
    });
    await waitForHttp(url, Math.min(30_000, readyTimeoutMs));
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\ncommand: ${command}\n--- output ---\n${stripAnsi(output)}`);
  }

  return {
    url,
    port,
    inspectorPort,
    adminToken,
    persistDir,
    cwd,
    pid: child.pid,
    command,
    output: () => stripAnsi(output),
    /** How often wrangler rebuilt and restarted the Worker because its sources changed. */
    reloads: () => reloads,
    /** pids of the workerd processes under this server. */
    workerdPids: () => descendants(child.pid).filter((p) => processName(p).includes("workerd")),
    stop,
  };
}

/** "Ready" is printed slightly before requests are served on some versions; wait until one is answered. */
async function waitForHttp(url, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${url}/.well-known/caldav`, { redirect: "manual" });
      await res.arrayBuffer();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`no HTTP answer from ${url}: ${last?.cause?.message ?? last?.message}`);
}

// ---- process tree and memory (Linux /proc) ---------------------------------

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return "";
  }
}

/** The command name and the command line of a pid, for matching. */
export function processName(pid) {
  return `${readProc(pid, "comm").trim()} ${readProc(pid, "cmdline").replaceAll("\0", " ")}`;
}

/** All descendant pids of `root` (children via /proc/<pid>/stat's ppid). */
export function descendants(root) {
  const parent = new Map();
  let pids = [];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [];
  }
  for (const pid of pids) {
    const stat = readProc(pid, "stat");
    const m = /\) \S+ (\d+)/.exec(stat); // after "(comm)": state, ppid
    if (m) parent.set(pid, Number(m[1]));
  }
  const out = [];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop();
    for (const [pid, pp] of parent) {
      if (pp === p) {
        out.push(pid);
        frontier.push(pid);
      }
    }
  }
  return out;
}

/** A /proc/<pid>/status field in KiB (VmHWM = peak RSS, VmRSS = current RSS), or null. */
export function statusKb(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readProc(pid, "status"));
  return m ? Number(m[1]) : null;
}

// ---- the user CLI ------------------------------------------------------------

/**
 * Runs a script of the project, `node <ROOT>/<script> <args...>`, with the
 * project's Node (node_modules/.bin/node) and the child environment above.
 * Resolves { code, stdout, stderr }; never rejects on a non-zero exit.
 */
export function runScript(script, args, { timeoutMs = 60_000 } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(join(BIN, "node"), [join(ROOT, script), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: childEnv(),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error(`${script} timed out after ${timeoutMs} ms: ${args.join(" ")}\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      res({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Runs the documented user command, `node scripts/user.mjs <args...>`, with
 * the project's Node (node_modules/.bin/node). Pass --url/--token in `args`
 * or use runUserCliOn(). Resolves { code, stdout, stderr }; never rejects on
 * a non-zero exit.
 */
export function runUserCli(args, opts = {}) {
  return runScript(join("scripts", "user.mjs"), args, opts);
}

/** runUserCli against a started server: appends --url and --token (unless `token` overrides it). */
export function runUserCliOn(server, args, opts = {}) {
  const token = opts.token ?? server.adminToken ?? "";
  return runUserCli([...args, "--url", server.url, "--token", token], opts);
}

/**
 * `user add <name> --password <pw> [--email <addr>]... [--name <n>] [--type <t>]`
 * through the CLI; throws with its output if it fails. Returns Basic credentials.
 */
export async function addUser(server, name, opts = {}) {
  const password = opts.password ?? `pw-${randomBytes(9).toString("base64url")}`;
  const emails = opts.emails ?? [`${name}@example.com`];
  const args = ["add", name, "--password", password];
  for (const e of emails) args.push("--email", e);
  if (opts.name !== undefined) args.push("--name", opts.name);
  if (opts.type !== undefined) args.push("--type", opts.type);
  const r = await runUserCliOn(server, args);
  if (r.code !== 0) throw new Error(`user ${args.slice(0, 2).join(" ")} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  return { username: name, password, emails, output: r.stdout };
}

/** The Authorization header value for Basic credentials. */
export function basicAuth(username, password) {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/**
 * The messages the simulated send_email binding wrote (README "E-mail (iMIP)"): wrangler dev keeps each raw
 * message as a .eml under .wrangler/tmp/email/ of the directory it runs in (not under --persist-to).
 */
export function sentEmails(server) {
  const out = [];
  const walk = (dir, depth) => {
    if (depth > 8) return;
    let names;
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of names) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p, depth + 1);
      else if (d.name.endsWith(".eml")) out.push({ path: p, text: readFileSync(p, "utf8") });
    }
  };
  walk(join(server.cwd, ".wrangler", "tmp", "email"), 0);
  return out;
}
