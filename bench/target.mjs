// The server a benchmark run talks to, per size: either one the benchmark
// starts (`wrangler dev` through bench/server.mjs, a user made with the
// admin CLI, its default calendar) or any CalDAV server given by URL and an
// account (--url/--user/--password/--home): there a calendar is made for the
// run with MKCALENDAR (RFC 4791 §5.3.1) or, where that is refused, extended
// MKCOL (RFC 5689 §3), or an existing empty one is used (--calendar), and it
// is left as found afterwards. The organizer address for the meetings is the
// account's first mailto: in CALDAV:calendar-user-address-set (RFC 6638
// §2.4.1), found from DAV:current-user-principal (RFC 5397).
import { randomBytes } from "node:crypto";
import { addUser, basicAuth, processName, startServer, statusKb } from "./server.mjs";
import { mapLimit } from "./util.mjs";
import { CALDAV, DAV, childrenNamed, clark, parseMultistatus, textOf } from "./xml.mjs";

const XML = { "Content-Type": "application/xml; charset=utf-8" };
const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

/** A server started here for one size: a user `bench<size>` and its default calendar. */
export async function localTarget(size, { echo }) {
  const { server, startupMs } = await startTimed(`${size} events`, echo);
  try {
    const name = `bench${size}`;
    const user = await addUser(server, name, { password: `bench-${size}-password`, emails: [`${name}@bench.example`], name: `Bench ${size}` });
    const target = local(server, startupMs, { username: name, password: user.password }, `/calendars/${name}/calendar/`, user.emails[0]);
    const idle = target.memory();
    console.log(`  user ${name} added with the CLI; workerd RSS at start ${idle.workerRssMB} MB (worker), ${idle.processes} workerd processes`);
    return target;
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** A server started here for the `once` phases, which make their own users. */
export async function localOnceTarget(what, { echo }) {
  const { server, startupMs } = await startTimed(what, echo);
  return local(server, startupMs, null, null, null);
}

function local(server, startupMs, user, calHref, email) {
  return {
    ours: true,
    url: server.url,
    server,
    startupMs,
    user,
    calHref,
    email,
    memory: () => memSummary(workerdMemory(server)),
    problems: () =>
      server.reloads() > 0 ? [`wrangler rebuilt and restarted the Worker ${server.reloads()} time(s) during the run (its sources changed); the numbers are not from one build`] : [],
    async stop() {
      await server.stop();
    },
  };
}

async function startTimed(what, echo) {
  console.log(`\n== ${what}: starting wrangler dev`);
  const t0 = performance.now();
  const server = await startServer({ echo });
  const startupMs = Math.round(performance.now() - t0);
  console.log(`  ${server.url} ready in ${startupMs} ms (sources ${server.cwd}, persist-to ${server.persistDir})`);
  return { server, startupMs };
}

/**
 * Any CalDAV server: `remote` = { url, user, password, home, calendar?, email?, keep? }.
 * Makes (or checks) the calendar for this size; stop(ctx) removes what the run made.
 */
export async function remoteTarget(size, remote, seed) {
  console.log(`\n== ${size} events: ${remote.url} as ${remote.user}`);
  const auth = basicAuth(remote.user, remote.password);
  const req = async (method, path, headers = {}, body) => {
    const res = await fetch(new URL(path, remote.url), { method, headers: { Authorization: auth, ...headers }, body });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  let calHref;
  let made = false;
  if (remote.calendar) {
    calHref = withSlash(remote.calendar);
    await expectEmptyCalendar(req, calHref);
    console.log(`  using the existing calendar ${calHref} (empty)`);
  } else {
    calHref = withSlash(`${withSlash(remote.home)}bench-${seed}-${size}-${randomBytes(3).toString("hex")}`);
    const how = await makeCalendar(req, calHref, `edge-caldav bench, ${size} events`);
    made = true;
    await expectEmptyCalendar(req, calHref);
    console.log(`  made the calendar ${calHref} with ${how}`);
  }
  const email = remote.email ? `mailto:${remote.email.replace(/^mailto:/i, "")}` : await discoverAddress(req, remote.home);
  console.log(`  organizer address for the meetings: ${email ?? "none found (give --email)"}`);
  return {
    ours: false,
    url: remote.url,
    server: null,
    startupMs: 0,
    user: { username: remote.user, password: remote.password },
    calHref,
    email: (email ?? `mailto:${remote.user}@example.invalid`).replace(/^mailto:/i, ""),
    memory: () => null,
    problems: () => [],
    /** Deletes the calendar the run made (unless --keep), or the objects it left in a given one. */
    async stop(ctx) {
      if (remote.keep) return;
      if (made) {
        const r = await req("DELETE", calHref);
        if (![200, 204].includes(r.status)) console.log(`  could not delete ${calHref}: ${r.status} ${r.text.slice(0, 200)}`);
        return;
      }
      await mapLimit([...(ctx?.events.keys() ?? [])], 8, (name) => req("DELETE", calHref + name));
    },
  };
}

const withSlash = (p) => (p.endsWith("/") ? p : `${p}/`);

/** MKCALENDAR, else extended MKCOL (some servers, `wrangler dev` among them, refuse the method). */
async function makeCalendar(req, path, displayname) {
  const props = `<D:displayname>${displayname}</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>`;
  const a = await req("MKCALENDAR", path, XML, `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar ${NS}><D:set><D:prop>${props}</D:prop></D:set></C:mkcalendar>`);
  if (a.status === 201) return "MKCALENDAR";
  const b = await req("MKCOL", path, XML,
    `<?xml version="1.0" encoding="utf-8"?><D:mkcol ${NS}><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>${props}</D:prop></D:set></D:mkcol>`);
  if (b.status === 201) return `extended MKCOL (MKCALENDAR answered ${a.status})`;
  throw new Error(`cannot make the calendar ${path}: MKCALENDAR answered ${a.status} ${a.text.slice(0, 300)}\nMKCOL answered ${b.status} ${b.text.slice(0, 300)}`);
}

/** The collection must be a calendar (DAV:resourcetype) with no members, so every answer can be checked. */
async function expectEmptyCalendar(req, path) {
  const r = await req("PROPFIND", path, { ...XML, Depth: "1" }, `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:resourcetype/></D:prop></D:propfind>`);
  if (r.status !== 207) throw new Error(`PROPFIND ${path} answered ${r.status}: ${r.text.slice(0, 300)}`);
  const ms = parseMultistatus(r.text, new URL(path, "http://host").href);
  const self = decodeURIComponent(new URL(path, "http://host").pathname);
  const me = ms.responses.find((x) => withSlash(x.href) === self);
  const isCalendar = me && me.props.get(clark(DAV, "resourcetype"))?.el.children.some((c) => typeof c !== "string" && c.name === clark(CALDAV, "calendar"));
  if (!isCalendar) throw new Error(`${path} is not a calendar collection`);
  const members = ms.responses.filter((x) => withSlash(x.href) !== self);
  if (members.length) throw new Error(`${path} is not empty (${members.length} members, e.g. ${members[0].href}); the checks need an empty calendar`);
}

/** The first mailto: of the account's calendar-user-address-set, or null. */
async function discoverAddress(req, home) {
  const prop = (name) => `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop>${name}</D:prop></D:propfind>`;
  const hrefsOf = (text, base, name) => {
    if (!text.includes("multistatus")) return [];
    const ms = parseMultistatus(text, base);
    return ms.responses.flatMap((x) => {
      const p = x.props.get(name);
      return p && p.status === 200 ? childrenNamed(p.el, clark(DAV, "href")).map((h) => textOf(h).trim()) : [];
    });
  };
  for (const start of [home, "/"]) {
    const base = new URL(start, "http://host").href;
    const r = await req("PROPFIND", start, { ...XML, Depth: "0" }, prop("<D:current-user-principal/><D:owner/>"));
    const principals = [...hrefsOf(r.text, base, clark(DAV, "current-user-principal")), ...hrefsOf(r.text, base, clark(DAV, "owner"))];
    for (const principal of principals) {
      const p = await req("PROPFIND", principal, { ...XML, Depth: "0" }, prop("<C:calendar-user-address-set/>"));
      const mailto = hrefsOf(p.text, new URL(principal, base).href, clark(CALDAV, "calendar-user-address-set")).find((h) => /^mailto:/i.test(h));
      if (mailto) return mailto;
    }
  }
  return null;
}

// ---- memory of a local server (Linux /proc) ------------------------------------

const mb = (kb) => (kb == null ? null : Math.round(kb / 102.4) / 10);

/** VmHWM / VmRSS of the workerd processes under the server, by role: "worker" runs the Worker, "proxy" is wrangler's front proxy on the public port. */
export function workerdMemory(server) {
  const out = [];
  for (const pid of server.workerdPids()) {
    const role = processName(pid).includes(`--socket-addr=entry=127.0.0.1:${server.port} `) ? "proxy" : "worker";
    out.push({ pid, role, peakKb: statusKb(pid, "VmHWM"), rssKb: statusKb(pid, "VmRSS") });
  }
  return out;
}

function memSummary(mem) {
  const worker = mem.filter((m) => m.role === "worker");
  const proxy = mem.filter((m) => m.role === "proxy");
  const sum = (xs, k) => xs.reduce((s, m) => s + (m[k] ?? 0), 0);
  return {
    workerPeakMB: mb(sum(worker, "peakKb")),
    proxyPeakMB: mb(sum(proxy, "peakKb")),
    totalPeakMB: mb(sum(mem, "peakKb")),
    workerRssMB: mb(sum(worker, "rssKb")),
    processes: mem.length,
  };
}
