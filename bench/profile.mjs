// Where a request kind spends its CPU: starts the server like bench/cpu.mjs,
// loads a calendar, and records a V8 CPU profile of the Worker (through
// wrangler's inspector, Chrome DevTools protocol) while sending one kind of
// request; prints the functions with the most self time. A development tool:
// `node bench/profile.mjs --kind put --requests 200 [--events 2000]`.
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { loadedServer, pool } from "./loaded.mjs";

const { values: opt } = parseArgs({
  options: {
    events: { type: "string", default: "2000" },
    requests: { type: "string", default: "200" },
    kind: { type: "string", default: "put" },
    top: { type: "string", default: "40" },
    // Splits the self time of functions of this name by their callers (e.g. "exec": SQL or RegExp?).
    callers: { type: "string" },
    // How many frames of callers to name (2: the caller's caller too, e.g. which code ran a statement through Sql.run).
    depth: { type: "string", default: "1" },
  },
});
const N = Number(opt.events);
const R = Number(opt.requests);

const { srv, auth, base, bodies, send, xml } = await loadedServer({ events: N, tag: "prof" });
try {
  let k = 0;
  const utc = (t) => new Date(t).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const calendarQuery = (a, b, expand = false) =>
    `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/>` +
    (expand ? `<C:calendar-data><C:expand start="${utc(a)}" end="${utc(b)}"/></C:calendar-data>` : "<C:calendar-data/>") + "</D:prop>" +
    `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${utc(a)}" end="${utc(b)}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
  const KINDS = {
    put: () => { const i = k++; return send(`${base}p-${i}.ics`, { method: "PUT", headers: { "content-type": "text/calendar", "if-none-match": "*" }, body: bodies[i % N].replace(/UID:[^\r\n]*/g, `UID:p-${i}@bench`) }); },
    // Meetings only (each with outside attendees): what scheduling adds to a PUT, the Queue's consumer included.
    "put-meeting": () => { const m = bodies.filter((b) => b.includes("ATTENDEE")); const i = k++; return send(`${base}pm-${i}.ics`, { method: "PUT", headers: { "content-type": "text/calendar", "if-none-match": "*" }, body: m[i % m.length].replace(/UID:[^\r\n]*/g, `UID:pm-${i}@bench`) }); },
    // An edit of one of the loaded events (no If-Match: the same work but the ETag comparison), as the bench's If-Match step.
    update: () => { const i = k++ % N; return send(`${base}ev-${i}.ics`, { method: "PUT", headers: { "content-type": "text/calendar" }, body: bodies[i].replace(/SUMMARY:[^\r\n]*/, `SUMMARY:edit ${k}`) }); },
    delete: () => send(`${base}ev-${k++}.ics`, { method: "DELETE" }),
    get: () => send(`${base}ev-5.ics`),
    "propfind-0": () => send(base, { method: "PROPFIND", ...xml("0", `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`) }),
    propfind: () => send(base, { method: "PROPFIND", ...xml("1", `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`) }),
    // A body that differs each time (a comment): never an answer kept before (src/dav/answer-cache.ts).
    "propfind-miss": () => send(base, { method: "PROPFIND", ...xml("1", `<d:propfind xmlns:d="DAV:"><!-- ${k++} --><d:prop><d:getetag/></d:prop></d:propfind>`) }),
    "sync-miss": () => send(base, { method: "REPORT", ...xml("0", `<d:sync-collection xmlns:d="DAV:"><!-- ${k++} --><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`) }),
    "multiget-miss": () => { const i = k++; return send(base, { method: "REPORT", ...xml("1", `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>${Array.from({ length: 100 }, (_, j) => `<d:href>${new URL(base).pathname}ev-${(i * 100 + j * 7) % N}.ics</d:href>`).join("")}</c:calendar-multiget>`) }); },
    "sync-delta": async () => {
      // A change, then the delta from the token before it: what a client's poll after one change costs.
      const r = await fetch(base, { method: "REPORT", headers: { authorization: auth, depth: "0", "content-type": "application/xml" }, body: `<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>` });
      const token = /<[^>]*sync-token>([^<]+)</.exec(await r.text())[1];
      const i = k++;
      await send(`${base}d-${i}.ics`, { method: "PUT", headers: { "content-type": "text/calendar" }, body: bodies[i % N].replace(/UID:[^\r\n]*/g, `UID:d-${i}@bench`) });
      return send(base, { method: "REPORT", ...xml("0", `<d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`) });
    },
    "query-week": () => { const a = Date.UTC(2026, 0, 5) + (k++ % 100) * 7 * 86_400_000; return send(base, { method: "REPORT", ...xml("1", calendarQuery(a, a + 7 * 86_400_000)) }); },
    // A different month each time for the first 24 requests (after that, answers kept before come again).
    "expand-month": () => { const m = k++ % 24; return send(base, { method: "REPORT", ...xml("1", calendarQuery(Date.UTC(2026, m, 1), Date.UTC(2026, m + 1, 1), true)) }); },
    freebusy: () => send(base, { method: "REPORT", ...xml("1", `<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="20260301T000000Z" end="20260401T000000Z"/></c:free-busy-query>`) }),
  };
  const run = KINDS[opt.kind];
  if (!run) throw new Error(`unknown kind; known: ${Object.keys(KINDS).join(",")}`);
  for (let w = 0; w < 5; w++) await run();

  const targets = await (await fetch(`http://127.0.0.1:${srv.inspectorPort}/json`)).json();
  const target = targets[0];
  // wrangler's inspector proxy accepts only local DevTools origins.
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://127.0.0.1" } });
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (m) => { const d = JSON.parse(m.data); if (d.id && pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } };
  const call = (method, params = {}) => new Promise((res) => { const i = ++id; pending.set(i, res); ws.send(JSON.stringify({ id: i, method, params })); });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 100 });
  await call("Profiler.start");
  await pool(R, 4, () => run());
  const { result } = await call("Profiler.stop");
  ws.close();
  const { nodes, samples, timeDeltas } = result.profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < samples.length; i++) {
    const n = byId.get(samples[i]);
    const cf = n.callFrame;
    const key = `${cf.functionName || "(anonymous)"} ${cf.url.split("/").slice(-2).join("/")}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (timeDeltas[i] ?? 0));
  }
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const parent = new Map();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nameOf = (n) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
  const inclusive = new Map();
  for (let i = 0; i < samples.length; i++) {
    const seen = new Set();
    for (let id = samples[i]; id !== undefined; id = parent.get(id)) seen.add(nameOf(byId.get(id)));
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + (timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([k]) => /^\((idle|program|garbage collector)\)/.test(k)).reduce((a, [, v]) => a + v, 0);
  console.log(`${opt.kind}: ${R} requests; sampled ${(total / 1000).toFixed(0)} ms, of which idle/program/gc ${(idle / 1000).toFixed(0)} ms; busy per request ${((total - idle) / 1000 / R).toFixed(2)} ms`);
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top)))
    console.log(`${(v / 1000 / R).toFixed(3).padStart(7)} ms/req  ${k}`);
  console.log("inclusive:");
  for (const [k, v] of [...inclusive.entries()].filter(([k]) => !/^\((root|program|idle)\)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top)))
    console.log(`${(v / 1000 / R).toFixed(3).padStart(7)} ms/req  ${k}`);
  if (opt.callers) {
    const by = new Map();
    for (let i = 0; i < samples.length; i++) {
      const n = byId.get(samples[i]);
      if ((n.callFrame.functionName || "(anonymous)") !== opt.callers) continue;
      const chain = [];
      for (let id = parent.get(n.id); id !== undefined && chain.length < Number(opt.depth); id = parent.get(id)) chain.push(nameOf(byId.get(id)));
      const k = chain.length ? chain.join(" < ") : "(none)";
      by.set(k, (by.get(k) ?? 0) + (timeDeltas[i] ?? 0));
    }
    console.log(`callers of ${opt.callers}:`);
    for (const [k, v] of [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top)))
      console.log(`${(v / 1000 / R).toFixed(3).padStart(7)} ms/req  ${k}`);
  }
} finally {
  await srv.stop();
}
