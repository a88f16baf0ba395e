// CPU time per request, by kind: the user+system time the server's workerd
// processes spend (from /proc/<pid>/stat) over a fixed number of requests,
// after a calendar of N events is loaded. Unlike operations per second it
// hardly moves with other load on the machine, so two builds can be compared
// on a busy machine: `npm run bench:cpu -- --dir <other checkout>` measures
// that checkout's Worker the same way (its node_modules are this one's).
// Linux only (/proc). See README "Benchmark".
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { descendants, processName } from "./server.mjs";
import { loadedServer, pool } from "./loaded.mjs";
import { FLOOR_VARIANTS, startFloor } from "./floor.mjs";

const { values: opt } = parseArgs({
  options: {
    dir: { type: "string" },
    events: { type: "string", default: "2000" },
    requests: { type: "string", default: "60" },
    kinds: { type: "string", default: "get,propfind-0,propfind,sync,multiget,put" },
    floor: { type: "boolean", default: false },
  },
});
const N = Number(opt.events);
const R = Number(opt.requests);

const ticksPerSecond = 100; // USER_HZ on Linux
/** utime + stime of the given processes, in ticks. */
const ticksOf = (pids) => pids.reduce((n, pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return n + Number(f[11]) + Number(f[12]);
  } catch {
    return n; // gone
  }
}, 0);
/** Busy ticks of the whole machine (every CPU), from /proc/stat: all but idle and iowait. */
const machineTicks = () => {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return f.reduce((a, b) => a + b, 0) - f[3] - f[4];
};
/**
 * CPU per request of `run`, split into workerd and wrangler's own (node) processes, with this client's own CPU and
 * the whole machine's (which also counts anything else running): `R` requests, 4 in flight, after 5 to warm up.
 */
async function measure(server, run) {
  const others = () => [server.pid, ...descendants(server.pid)].filter((p) => !processName(p).includes("workerd"));
  for (let w = 0; w < 5; w++) await run();
  const w0 = ticksOf(server.workerdPids());
  const n0 = ticksOf(others());
  const m0 = machineTicks();
  const c0 = process.cpuUsage();
  await pool(R, 4, () => run());
  const c = process.cpuUsage(c0);
  const per = (t) => ((t * 1000) / ticksPerSecond / R).toFixed(1).padStart(6);
  const client = ((c.user + c.system) / 1000 / R).toFixed(1);
  return `${per(ticksOf(server.workerdPids()) - w0)} ms CPU per request (wrangler's node: ${per(ticksOf(others()) - n0).trim()} ms, client ${client} ms, machine ${per(machineTicks() - m0).trim()} ms)`;
}

// The floor (bench/floor.mjs startFloor): one fetch, one Durable Object call, one SQLite statement; what any request costs at least.
if (opt.floor) {
  const floor = await startFloor();
  try {
    for (const spec of Object.values(FLOOR_VARIANTS)) {
      const init = spec.method ? { method: spec.method, body: spec.body } : undefined;
      console.log(`${("floor" + spec.path).padEnd(12)} ${await measure(floor, async () => (await fetch(floor.url + spec.path, init)).arrayBuffer())}`);
    }
  } finally {
    await floor.stop();
  }
}

const { srv, auth, base, bodies, send, xml } = await loadedServer({ events: N, tag: "cpu", dir: opt.dir, echo: !!process.env.ECHO });
try {
  const hrefs = Array.from({ length: 100 }, (_, k) => `<d:href>${new URL(base).pathname}ev-${(k * 7) % N}.ics</d:href>`).join("");
  let created = 0;
  let deleted = 0;
  let weeks = 0;
  let deltaToken;
  const syncBody = (token) => `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
  const utc = (t) => new Date(t).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const calendarQuery = (a, b, expand) =>
    `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/>` +
    (expand ? `<C:calendar-data><C:expand start="${utc(a)}" end="${utc(b)}"/></C:calendar-data>` : "<C:calendar-data/>") +
    `</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${utc(a)}" end="${utc(b)}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
  // A different month each time (the answers of repeated identical requests may be kept: src/dav/answer-cache.ts).
  let months = 0;
  const fbMonth = () => {
    const m = months++;
    const start = new Date(Date.UTC(2026, m % 24, 1));
    const end = new Date(Date.UTC(2026, (m % 24) + 1, 1));
    const f = (d) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    return `${f(start)}" end="${f(end)}`;
  };
  const KINDS = {
    get: () => send(`${base}ev-5.ics`),
    "propfind-0": () => send(base, { method: "PROPFIND", ...xml("0", `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:displayname/></d:prop></d:propfind>`) }),
    propfind: () => send(base, { method: "PROPFIND", ...xml("1", `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`) }),
    sync: () => send(base, { method: "REPORT", ...xml("0", syncBody("")) }),
    multiget: () => send(base, { method: "REPORT", ...xml("1", `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>${hrefs}</c:calendar-multiget>`) }),
    "put-if-match": async () => {
      // Replaces one of the loaded events under its current ETag, as a client's edit does.
      const k = created++ % N;
      const url = `${base}ev-${k}.ics`;
      const head = await fetch(url, { method: "HEAD", headers: { authorization: auth } });
      await head.arrayBuffer();
      return send(url, { method: "PUT", headers: { "content-type": "text/calendar", "if-match": head.headers.get("etag") }, body: bodies[k].replace(/SUMMARY:[^\r\n]*/, `SUMMARY:edit ${created}`) });
    },
    // A different week or month each time: never an answer kept before.
    "query-week": () => { const a = Date.UTC(2026, 0, 5) + (weeks++ % 100) * 7 * 86_400_000; return send(base, { method: "REPORT", ...xml("1", calendarQuery(a, a + 7 * 86_400_000, false)) }); },
    "expand-month": () => { const a = Date.UTC(2026, months % 24, 1); const b = Date.UTC(2026, (months++ % 24) + 1, 1); return send(base, { method: "REPORT", ...xml("1", calendarQuery(a, b, true)) }); },
    "multiget-miss": () => { const i = created++; return send(base, { method: "REPORT", ...xml("1", `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>${Array.from({ length: 100 }, (_, j) => `<d:href>${new URL(base).pathname}ev-${(i * 131 + j * 7) % N}.ics</d:href>`).join("")}</c:calendar-multiget>`) }); },
    delete: () => send(`${base}ev-${N - 1 - deleted++}.ics`, { method: "DELETE" }),
    // A sync-collection from a token taken before 100 changes (the same request each time, as clients repeat it).
    "sync-delta": async () => {
      if (!deltaToken) {
        const initial = xml("0", syncBody(""));
        const r = await fetch(base, { method: "REPORT", body: initial.body, headers: { ...initial.headers, authorization: auth } });
        deltaToken = /<[^>]*sync-token>([^<]+)</.exec(await r.text())?.[1];
        if (!deltaToken) throw new Error(`no sync-token in the initial sync: ${r.status}`);
        await pool(100, 4, (j) => send(`${base}delta-${j}.ics`, { method: "PUT", headers: { "content-type": "text/calendar", "if-none-match": "*" }, body: bodies[j % N].replace(/UID:[^\r\n]*/g, `UID:delta-${j}@bench`) }));
      }
      return send(base, { method: "REPORT", ...xml("0", syncBody(deltaToken)) });
    },
    freebusy: () => send(base, { method: "REPORT", ...xml("1", `<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="${fbMonth()}"/></c:free-busy-query>`) }),
    // The same events without their ORGANIZER and ATTENDEEs: what a PUT costs without any scheduling.
    "put-plain": () => {
      const k = created++;
      const body = bodies[k % N].replace(/UID:[^\r\n]*/g, `UID:cpu-${k}@bench`).replace(/^(ORGANIZER|ATTENDEE)[^\r\n]*\r\n( [^\r\n]*\r\n)*/gm, "");
      return send(`${base}cpu-${k}.ics`, { method: "PUT", headers: { "content-type": "text/calendar", "if-none-match": "*" }, body });
    },
    put: () => {
      const k = created++;
      return send(`${base}cpu-${k}.ics`, { method: "PUT", headers: { "content-type": "text/calendar", "if-none-match": "*" }, body: bodies[k % N].replace(/UID:[^\r\n]*/g, `UID:cpu-${k}@bench`) });
    },
  };
  const cpuTicks = () => ticksOf(srv.workerdPids());
  console.log(`${N} events, ${R} requests per kind, 4 in flight, CPU of the server's workerd processes`);
  for (const kind of opt.kinds.split(",")) {
    const run = KINDS[kind];
    if (!run) throw new Error(`unknown kind ${kind}; known: ${Object.keys(KINDS).join(",")}`);
    console.log(`${kind.padEnd(12)} ${await measure(srv, run)}`);
  }
} finally {
  await srv.stop();
}
