#!/usr/bin/env node
// `npm run bench` — a CalDAV workload over real HTTP against `wrangler dev`,
// started the way the README does (bench/server.mjs: free ports, a random
// ADMIN_TOKEN, fresh --persist-to), with a user created by the documented
// CLI (scripts/user.mjs). Every answer is checked against a ground truth
// computed here (bench/workload.mjs), so a wrong or short answer fails the
// run (exit status 1). For each size (default 1,000 then 10,000 events; a
// fresh server and a new user/home per size, so memory figures compare) the
// phases below run in order; each prints operations per second, p50/p95
// latency and the peak RSS (VmHWM) of the workerd processes so far.
// wrangler runs on a temp copy of the sources (bench/server.mjs), so edits
// made during a run do not restart the Worker; EDGE_CALDAV_SNAPSHOT=0 runs
// it in the repository instead (a restart is then reported as a failure).
//
// Phases (PHASES below; add one by appending { name, title, run(ctx) }):
//   put           load N events with PUT (If-None-Match: *), concurrency 8.
//                 70% single, 20% weekly recurring (COUNT 5-26) with one
//                 EXDATE and one RECURRENCE-ID override (+2 h), 10% with an
//                 ORGANIZER and 3 ATTENDEEs; 30% carry an embedded VTIMEZONE
//                 (Europe/Berlin or America/New_York) and TZID times, the rest
//                 UTC; spread over 2026 by a seeded PRNG (--seed).
//   propfind      Depth-1 PROPFIND of the calendar (DAV:getetag), 3 times;
//                 must list exactly the N loaded hrefs with their PUT ETags.
//   query-week    calendar-query (VEVENT time-range, calendar-data) for 50
//                 different weeks; the UIDs returned must equal the set
//                 computed locally (weekly rules expanded in local time, minus
//                 EXDATE, plus the override).
//   query-expand  calendar-query with <C:expand> for each month of 2026; the
//                 returned instances (UID + UTC DTSTART) must equal the local
//                 expansion, in number and in value.
//   multiget      calendar-multiget of 100 random hrefs, 20 times; 100 bodies
//                 with the right UIDs and ETags each time.
//   sync          sync-collection: initial (empty token, 3 times; exactly the
//                 N hrefs), then 100 changes (40 updates and 30 deletes with
//                 If-Match, 30 creates), then sync from the token (3 times):
//                 exactly those 100 (70 with their new ETags, 30 as 404).
//   freebusy      free-busy-query for each month of 2026; the union of the
//                 busy periods must equal the union of the event instances in
//                 the month (every instance is inside a busy period and no
//                 busy period lies outside the events).
//
// Options: --sizes 1000,10000  --seed 2026  --concurrency 8
//          --phases put,propfind,...  --echo (copy wrangler's output)
// Output: a line per step, a summary table, and a final JSON line.
import { parseArgs } from "node:util";
import { addUser, basicAuth, processName, startServer, statusKb } from "./server.mjs";
import {
  covered, freeBusyPeriods, icsUtc, instances, makeEvent, overlaps, prng, toIcs, uidOf, union, vevents, YEAR,
} from "./workload.mjs";
import { CALDAV, clark, DAV, parseMultistatus, propText } from "./xml.mjs";

const { values: opts } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000" },
    seed: { type: "string", default: "2026" },
    concurrency: { type: "string", default: "8" },
    phases: { type: "string" },
    echo: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (opts.help) {
  console.log("usage: npm run bench -- [--sizes 1000,10000] [--seed 2026] [--concurrency 8] [--phases put,propfind,...] [--echo]");
  process.exit(0);
}
const SIZES = opts.sizes.split(",").map((s) => Number(s.trim())).filter((n) => n > 0);
const SEED = Number(opts.seed);
const CONCURRENCY = Number(opts.concurrency);

const GETETAG = clark(DAV, "getetag");
const CALDATA = clark(CALDAV, "calendar-data");
const XML_HEADERS = { "Content-Type": "application/xml; charset=utf-8" };
const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

// ---- the phases ----------------------------------------------------------------

const PHASES = [
  {
    name: "put",
    title: "load N events with PUT",
    async run(ctx) {
      const events = [];
      for (let i = 0; i < ctx.size; i++) events.push(makeEvent(ctx.rng, i, ctx.eventCtx));
      ctx.nextIndex = ctx.size;
      const counts = { single: 0, recurring: 0, meeting: 0, tz: 0 };
      for (const e of events) {
        counts[e.kind]++;
        if (e.tz) counts.tz++;
      }
      ctx.note(`mix: ${counts.single} single, ${counts.recurring} recurring, ${counts.meeting} with attendees; ${counts.tz} with TZID`);
      await ctx.timed("put", events, CONCURRENCY, async (ev, time) => {
        const r = await time(() => ctx.put(ev, { "If-None-Match": "*" }));
        ctx.expectStatus(r, [201], `PUT ${ev.name}`);
        ctx.store(ev, r.headers.get("etag"));
      });
      ctx.check(ctx.events.size === ctx.size, `loaded ${ctx.events.size} of ${ctx.size}`);
    },
  },
  {
    name: "propfind",
    title: "Depth-1 PROPFIND (getetag)",
    async run(ctx) {
      const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:getetag/></D:prop></D:propfind>`;
      await ctx.timed("propfind-depth1", [1, 2, 3], 1, async (_, time) => {
        const r = await time(() => ctx.request("PROPFIND", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        ctx.expectStatus(r, [207], "PROPFIND Depth 1");
        const ms = parseMultistatus(r.text);
        const members = ms.responses.filter((x) => x.href !== ctx.calHref);
        const got = new Map(members.map((x) => [x.href.slice(ctx.calHref.length), propText(x, GETETAG)]));
        ctx.check(members.length === ctx.events.size, `PROPFIND listed ${members.length} members, expected ${ctx.events.size}`);
        ctx.compareSets("PROPFIND hrefs", [...got.keys()], [...ctx.events.keys()]);
        const wrong = [...ctx.etags].filter(([n, e]) => got.has(n) && got.get(n) !== e);
        ctx.check(wrong.length === 0, `PROPFIND: ${wrong.length} ETags differ from PUT's, e.g. ${wrong.slice(0, 3).map(([n, e]) => `${n}: ${got.get(n)} vs ${e}`).join("; ")}`);
      });
    },
  },
  {
    name: "query-week",
    title: "calendar-query, one week, 50 weeks",
    async run(ctx) {
      const mondays = [];
      for (let t = Date.UTC(YEAR, 0, 5); new Date(t).getUTCFullYear() === YEAR; t += 7 * 86_400_000) mondays.push(t);
      const weeks = ctx.rng.shuffle(mondays).slice(0, 50);
      let returned = 0;
      await ctx.timed("query-week", weeks, 1, async (a, time) => {
        const b = a + 7 * 86_400_000;
        const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
          `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        ctx.expectStatus(r, [207], `calendar-query ${icsUtc(a)}`);
        const ms = parseMultistatus(r.text);
        const uids = [];
        for (const x of ms.responses) {
          const data = propText(x, CALDATA);
          const ev = ctx.events.get(x.href.slice(ctx.calHref.length));
          if (data === undefined) {
            ctx.check(false, `calendar-query ${icsUtc(a)}: no calendar-data for ${x.href} (status ${x.status ?? x.props.get(CALDATA)?.status})`);
            continue;
          }
          const uid = uidOf(data);
          ctx.check(ev?.uid === uid, `calendar-query ${icsUtc(a)}: ${x.href} carries UID ${uid}, expected ${ev?.uid ?? "(no such resource)"}`);
          uids.push(uid);
        }
        returned += uids.length;
        const expected = ctx.expectedUids(a, b);
        ctx.compareSets(`calendar-query week ${icsUtc(a)}..${icsUtc(b)} UIDs`, uids, expected, (uid) => ctx.describe(ctx.byUid.get(uid), a, b));
      });
      ctx.note(`${returned} objects returned over 50 weeks (${(returned / 50).toFixed(1)} per week)`);
    },
  },
  {
    name: "query-expand",
    title: "calendar-query with <C:expand>, one month, 12 months",
    async run(ctx) {
      const months = Array.from({ length: 12 }, (_, m) => m);
      let total = 0;
      await ctx.timed("query-expand-month", months, 1, async (m, time) => {
        const a = Date.UTC(YEAR, m, 1);
        const b = Date.UTC(YEAR, m + 1, 1);
        const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/><C:calendar-data><C:expand start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:calendar-data></D:prop>` +
          `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        ctx.expectStatus(r, [207], `calendar-query expand month ${m + 1}`);
        const ms = parseMultistatus(r.text);
        const got = [];
        let notUtc = 0;
        let withRrule = 0;
        for (const x of ms.responses) {
          const data = propText(x, CALDATA);
          if (data === undefined) {
            ctx.check(false, `expand month ${m + 1}: no calendar-data for ${x.href}`);
            continue;
          }
          for (const v of vevents(data)) {
            if (!/Z$/.test(v.dtstart ?? "") || /TZID=/i.test(v.dtstartParams)) notUtc++;
            if (v.rrule) withRrule++;
            got.push(`${v.uid} ${v.dtstart}`);
          }
        }
        const expected = [];
        for (const ev of ctx.events.values())
          for (const iv of ctx.inst(ev)) if (overlaps(iv, a, b)) expected.push(`${ev.uid} ${icsUtc(iv.start)}`);
        total += got.length;
        ctx.check(got.length === expected.length, `expand month ${m + 1}: ${got.length} instances, expected ${expected.length}`);
        ctx.check(notUtc === 0, `expand month ${m + 1}: ${notUtc} instances with a DTSTART not in UTC (RFC 4791 section 9.6.5)`);
        ctx.check(withRrule === 0, `expand month ${m + 1}: ${withRrule} expanded components still carry an RRULE`);
        ctx.compareSets(`expand month ${m + 1} instances (UID DTSTART)`, got, expected, (key) => ctx.describe(ctx.byUid.get(key.split(" ")[0]), a, b));
      });
      ctx.note(`${total} instances returned over 12 months`);
    },
  },
  {
    name: "multiget",
    title: "calendar-multiget of 100 hrefs, 20 times",
    async run(ctx) {
      const reps = Array.from({ length: 20 }, () => ctx.rng.shuffle([...ctx.events.keys()]).slice(0, 100));
      await ctx.timed("multiget-100", reps, 1, async (names, time) => {
        const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
          names.map((n) => `<D:href>${ctx.calHref}${n}</D:href>`).join("") + "</C:calendar-multiget>";
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        ctx.expectStatus(r, [207], "calendar-multiget");
        const ms = parseMultistatus(r.text);
        let good = 0;
        for (const x of ms.responses) {
          const name = x.href.slice(ctx.calHref.length);
          const data = propText(x, CALDATA);
          const ev = ctx.events.get(name);
          if (ev && data !== undefined && uidOf(data) === ev.uid && propText(x, GETETAG) === ctx.etags.get(name)) good++;
        }
        ctx.check(ms.responses.length === 100 && good === 100, `calendar-multiget: ${ms.responses.length} responses, ${good} of 100 with the right body and ETag`);
      });
    },
  },
  {
    name: "sync",
    title: "sync-collection: initial, 100 changes, delta",
    async run(ctx) {
      const syncBody = (token) =>
        `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">${token ? `<D:sync-token>${token}</D:sync-token>` : "<D:sync-token/>"}` +
        "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>";
      const sync = async (token, time) => {
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "0" }, body: syncBody(token) }));
        ctx.expectStatus(r, [207], `sync-collection ${token ? "from token" : "initial"}`);
        return parseMultistatus(r.text);
      };

      let token = null;
      await ctx.timed("sync-initial", [1, 2, 3], 1, async (_, time) => {
        const ms = await sync(null, time);
        const ok = ms.responses.filter((x) => propText(x, GETETAG) !== undefined);
        ctx.check(ms.responses.length === ctx.events.size && ok.length === ctx.events.size, `initial sync: ${ms.responses.length} responses (${ok.length} with an ETag), expected ${ctx.events.size}`);
        ctx.compareSets("initial sync hrefs", ok.map((x) => x.href.slice(ctx.calHref.length)), [...ctx.events.keys()]);
        ctx.check(Boolean(ms.syncToken), "initial sync: no DAV:sync-token");
        token ??= ms.syncToken;
      });

      // 100 changes: 40 updates, 30 deletes (both with If-Match), 30 creates.
      const picked = ctx.rng.shuffle([...ctx.events.keys()]).slice(0, 70);
      const changes = [
        ...picked.slice(0, 40).map((name) => ({ op: "update", name })),
        ...picked.slice(40, 70).map((name) => ({ op: "delete", name })),
        ...Array.from({ length: 30 }, () => ({ op: "create", ev: makeEvent(ctx.rng, ctx.nextIndex++, ctx.eventCtx) })),
      ];
      let ifMatchRefused = 0;
      await ctx.timed("changes", changes, CONCURRENCY, async (c, time) => {
        if (c.op === "create") {
          const r = await time(() => ctx.put(c.ev, { "If-None-Match": "*" }));
          ctx.expectStatus(r, [201], `PUT (create) ${c.ev.name}`);
          ctx.store(c.ev, r.headers.get("etag"));
          return;
        }
        const etag = ctx.etags.get(c.name);
        if (c.op === "update") {
          const ev = { ...ctx.events.get(c.name), summary: `Event ${ctx.events.get(c.name).i} (updated)`, sequence: 1 };
          let r = await time(() => ctx.put(ev, { "If-Match": etag }));
          if (r.status === 412) {
            ifMatchRefused++;
            ctx.failOnce("if-match", `PUT with If-Match: ${etag} (the current ETag) answered 412: ${r.text.trim()} — retried without If-Match`);
            r = await ctx.put(ev);
          }
          ctx.expectStatus(r, [200, 204], `PUT (update) ${c.name}`);
          ctx.store(ev, r.headers.get("etag"));
        } else {
          let r = await time(() => ctx.request("DELETE", ctx.calHref + c.name, { headers: { "If-Match": etag } }));
          if (r.status === 412) {
            ifMatchRefused++;
            ctx.failOnce("if-match-delete", `DELETE with If-Match: ${etag} (the current ETag) answered 412: ${r.text.trim()} — retried without If-Match`);
            r = await ctx.request("DELETE", ctx.calHref + c.name);
          }
          ctx.expectStatus(r, [200, 204], `DELETE ${c.name}`);
          ctx.forget(c.name);
        }
      });
      if (ifMatchRefused) ctx.note(`${ifMatchRefused} If-Match requests refused with 412 (see failures)`);

      const changed = new Set([...changes.filter((c) => c.op === "update").map((c) => c.name), ...changes.filter((c) => c.op === "create").map((c) => c.ev.name)]);
      const deleted = new Set(changes.filter((c) => c.op === "delete").map((c) => c.name));
      await ctx.timed("sync-delta", [1, 2, 3], 1, async (_, time) => {
        if (!token) throw new Error("no sync token from the initial sync");
        const ms = await sync(token, time);
        const got200 = ms.responses.filter((x) => x.status === null && propText(x, GETETAG) !== undefined);
        const got404 = ms.responses.filter((x) => x.status === 404);
        ctx.check(ms.responses.length === 100, `delta sync: ${ms.responses.length} responses, expected exactly 100`);
        ctx.compareSets("delta sync changed hrefs", got200.map((x) => x.href.slice(ctx.calHref.length)), [...changed]);
        ctx.compareSets("delta sync deleted hrefs (404)", got404.map((x) => x.href.slice(ctx.calHref.length)), [...deleted]);
        const stale = got200.filter((x) => propText(x, GETETAG) !== ctx.etags.get(x.href.slice(ctx.calHref.length)));
        ctx.check(stale.length === 0, `delta sync: ${stale.length} ETags differ from the latest PUT's`);
        ctx.check(Boolean(ms.syncToken) && ms.syncToken !== token, `delta sync: the new token ${ms.syncToken} should differ from ${token}`);
      });
    },
  },
  {
    name: "freebusy",
    title: "free-busy-query, one month, 12 months",
    async run(ctx) {
      const months = Array.from({ length: 12 }, (_, m) => m);
      await ctx.timed("freebusy-month", months, 1, async (m, time) => {
        const a = Date.UTC(YEAR, m, 1);
        const b = Date.UTC(YEAR, m + 1, 1);
        const body = `<?xml version="1.0" encoding="utf-8"?><C:free-busy-query ${NS}><C:time-range start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:free-busy-query>`;
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        ctx.expectStatus(r, [200], `free-busy-query month ${m + 1}`);
        ctx.check(/BEGIN:VFREEBUSY/.test(r.text), `free-busy month ${m + 1}: no VFREEBUSY in ${r.text.slice(0, 200)}`);
        const periods = freeBusyPeriods(r.text);
        const bad = periods.filter((p) => !Number.isFinite(p.start) || !Number.isFinite(p.end));
        ctx.check(bad.length === 0, `free-busy month ${m + 1}: unparsable periods ${bad.slice(0, 3).map((p) => p.raw).join(", ")}`);
        const notBusy = periods.filter((p) => p.fbtype !== "BUSY");
        ctx.check(notBusy.length === 0, `free-busy month ${m + 1}: ${notBusy.length} periods not FBTYPE=BUSY, e.g. ${notBusy.slice(0, 3).map((p) => `${p.fbtype} ${p.raw}`).join(", ")}`);
        const expected = [];
        for (const ev of ctx.events.values())
          for (const iv of ctx.inst(ev))
            if (overlaps(iv, a, b)) expected.push({ start: Math.max(iv.start, a), end: Math.min(iv.end, b), ev });
        const busy = union(periods);
        const truth = union(expected);
        const uncovered = expected.filter((iv) => !covered(iv, busy));
        const outside = periods.filter((p) => !covered(p, truth));
        ctx.check(uncovered.length === 0, `free-busy month ${m + 1}: ${uncovered.length} of ${expected.length} event instances are not inside a busy period, e.g. ${uncovered.slice(0, 3).map((iv) => `${icsUtc(iv.start)}/${icsUtc(iv.end)} (${ctx.describe(iv.ev, a, b)})`).join("; ")}`);
        ctx.check(outside.length === 0, `free-busy month ${m + 1}: ${outside.length} of ${periods.length} busy periods lie outside the events, e.g. ${outside.slice(0, 3).map((p) => p.raw).join(", ")}`);
      });
    },
  },
];

// ---- the harness ---------------------------------------------------------------

class HttpError extends Error {}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

async function mapLimit(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const mb = (kb) => (kb == null ? null : Math.round(kb / 102.4) / 10);

/** VmHWM / VmRSS of the workerd processes under the server, by role: "worker" runs the Worker, "proxy" is wrangler's front proxy on the public port. */
function workerdMemory(server) {
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

function makeContext(server, size, user) {
  const calHref = `/calendars/${user.username}/calendar/`;
  const auth = basicAuth(user.username, user.password);
  const ctx = {
    server,
    size,
    user,
    calHref,
    rng: prng(SEED + size),
    eventCtx: { tag: `${size}`, email: user.emails[0] },
    events: new Map(), // name → event, as currently stored
    etags: new Map(), // name → ETag from the last PUT
    byUid: new Map(),
    steps: [],
    failures: [],
    notes: [],
    phase: "",
    nextIndex: 0,
    _once: new Set(),

    async request(method, path, { headers = {}, body } = {}) {
      const res = await fetch(server.url + path, { method, headers: { Authorization: auth, ...headers }, body });
      const text = await res.text();
      return { method, path, status: res.status, headers: res.headers, text, requestBody: body };
    },
    put(ev, headers = {}) {
      return ctx.request("PUT", calHref + ev.name, { headers: { "Content-Type": "text/calendar; charset=utf-8", ...headers }, body: toIcs(ev) });
    },
    store(ev, etag) {
      ctx.events.set(ev.name, ev);
      ctx.etags.set(ev.name, etag);
      ctx.byUid.set(ev.uid, ev);
    },
    forget(name) {
      const ev = ctx.events.get(name);
      ctx.events.delete(name);
      ctx.etags.delete(name);
      if (ev) ctx.byUid.delete(ev.uid);
    },
    inst(ev) {
      ev._inst ??= instances(ev);
      return ev._inst;
    },
    expectedUids(a, b) {
      const out = [];
      for (const ev of ctx.events.values()) if (ctx.inst(ev).some((iv) => overlaps(iv, a, b))) out.push(ev.uid);
      return out;
    },
    /** An event in a few words, with its instances near [a, b). */
    describe(ev, a, b) {
      if (!ev) return "not a loaded event";
      const near = ctx.inst(ev).filter((iv) => iv.end > a - 86_400_000 && iv.start < b + 86_400_000).map((iv) => `${icsUtc(iv.start)}-${icsUtc(iv.end).slice(9)}`);
      return `${ev.name} ${ev.kind}${ev.tz ? ` TZID=${ev.tz}` : " UTC"}${ev.kind === "recurring" ? ` COUNT=${ev.count} EXDATE#${ev.exIndex} override#${ev.ovIndex}` : ""}; instances near: ${near.join(", ") || "none"}`;
    },
    expectStatus(r, ok, what) {
      if (ok.includes(r.status)) return;
      const reqBody = typeof r.requestBody === "string" ? r.requestBody.slice(0, 600) : "";
      throw new HttpError(`${what}: expected ${ok.join("/")}, got ${r.status}\n  request: ${r.method} ${r.path}\n  ${reqBody.replace(/\r?\n/g, "\n  ")}\n  response: ${r.text.slice(0, 800).replace(/\r?\n/g, "\n  ")}`);
    },
    check(cond, message) {
      if (!cond) ctx.failures.push({ phase: ctx.phase, message });
      return cond;
    },
    failOnce(key, message) {
      if (ctx._once.has(key)) return;
      ctx._once.add(key);
      ctx.failures.push({ phase: ctx.phase, message });
    },
    /** Compares two lists as sets (and for duplicates); records a failure with examples. */
    compareSets(what, got, expected, explain = () => "") {
      const g = new Set(got);
      const e = new Set(expected);
      const missing = [...e].filter((x) => !g.has(x));
      const extra = [...g].filter((x) => !e.has(x));
      const dups = got.length - g.size;
      if (missing.length === 0 && extra.length === 0 && dups === 0) return true;
      const ex = (xs) => xs.slice(0, 3).map((x) => `\n      ${x}${explain(x) ? ` — ${explain(x)}` : ""}`).join("");
      ctx.failures.push({
        phase: ctx.phase,
        message: `${what}: got ${got.length}, expected ${expected.length}; ${missing.length} missing${ex(missing)}\n    ${extra.length} unexpected${ex(extra)}${dups ? `\n    ${dups} duplicates` : ""}`,
      });
      return false;
    },
    /** Samples workerd memory; keeps the maximum seen, in case wrangler replaced a process. */
    peak: { worker: 0, proxy: 0, total: 0 },
    sampleMemory() {
      const mem = memSummary(workerdMemory(server));
      ctx.peak.worker = Math.max(ctx.peak.worker, mem.workerPeakMB ?? 0);
      ctx.peak.proxy = Math.max(ctx.peak.proxy, mem.proxyPeakMB ?? 0);
      ctx.peak.total = Math.max(ctx.peak.total, mem.totalPeakMB ?? 0);
      return { ...mem, workerPeakMB: ctx.peak.worker, proxyPeakMB: ctx.peak.proxy, totalPeakMB: ctx.peak.total };
    },
    note(text) {
      ctx.notes.push(`[${size}] ${ctx.phase}: ${text}`);
      console.log(`  [${size}] ${ctx.phase}: ${text}`);
    },
    /** Runs fn over items with a concurrency limit, timing each request via time(); records one result row. */
    async timed(step, items, concurrency, fn) {
      const lat = [];
      const failuresBefore = ctx.failures.length;
      const time = async (f) => {
        const t = performance.now();
        try {
          return await f();
        } finally {
          lat.push(performance.now() - t);
        }
      };
      const t0 = performance.now();
      let error;
      try {
        await mapLimit(items, concurrency, (item) => fn(item, time));
      } catch (e) {
        error = e;
      }
      const wallMs = performance.now() - t0;
      lat.sort((x, y) => x - y);
      const mem = ctx.sampleMemory();
      const row = {
        size,
        phase: ctx.phase,
        step,
        ops: lat.length,
        concurrency,
        wallMs: Math.round(wallMs),
        opsPerSec: lat.length ? Math.round((lat.length / wallMs) * 1000 * 10) / 10 : 0,
        p50Ms: Math.round(percentile(lat, 50) * 10) / 10,
        p95Ms: Math.round(percentile(lat, 95) * 10) / 10,
        maxMs: Math.round((lat.at(-1) ?? NaN) * 10) / 10,
        workerdPeakMB: mem.totalPeakMB,
        workerPeakMB: mem.workerPeakMB,
        ok: !error && ctx.failures.length === failuresBefore,
      };
      ctx.steps.push(row);
      console.log(
        `  [${size}] ${step.padEnd(20)} ${String(row.ops).padStart(6)} ops ${String(row.opsPerSec).padStart(8)} ops/s  p50 ${String(row.p50Ms).padStart(7)} ms  p95 ${String(row.p95Ms).padStart(7)} ms` +
          `  workerd peak ${mem.workerPeakMB} MB (+proxy ${mem.proxyPeakMB} MB)  ${row.ok ? "ok" : "FAIL"}`,
      );
      if (error) throw error;
      return row;
    },
  };
  return ctx;
}

async function runSize(size, phases) {
  console.log(`\n== ${size} events: starting wrangler dev`);
  const t0 = performance.now();
  const server = await startServer({ echo: opts.echo });
  const startupMs = Math.round(performance.now() - t0);
  console.log(`  ${server.url} ready in ${startupMs} ms (sources ${server.cwd}, persist-to ${server.persistDir})`);
  try {
    const name = `bench${size}`;
    const user = await addUser(server, name, { password: `bench-${size}-password`, emails: [`${name}@bench.example`], name: `Bench ${size}` });
    const ctx = makeContext(server, size, user);
    const idle = ctx.sampleMemory();
    console.log(`  user ${name} added with the CLI; workerd RSS at start ${idle.workerRssMB} MB (worker), ${idle.processes} workerd processes`);
    for (const phase of phases) {
      ctx.phase = phase.name;
      const before = ctx.failures.length;
      try {
        await phase.run(ctx);
      } catch (e) {
        ctx.failures.push({ phase: phase.name, message: `aborted: ${e instanceof HttpError ? e.message : (e?.stack ?? e)}` });
      }
      for (const f of ctx.failures.slice(before)) console.log(`  [${size}] FAIL ${f.phase}: ${f.message}`);
    }
    if (server.reloads() > 0)
      ctx.failures.push({ phase: "server", message: `wrangler rebuilt and restarted the Worker ${server.reloads()} time(s) during the run (its sources changed); the numbers are not from one build` });
    const mem = workerdMemory(server);
    return { size, startupMs, steps: ctx.steps, failures: ctx.failures, notes: ctx.notes, memory: { ...ctx.sampleMemory(), processes: mem } };
  } finally {
    await server.stop();
  }
}

function table(rows, cols) {
  const widths = cols.map((c) => Math.max(c.title.length, ...rows.map((r) => String(c.get(r)).length)));
  const line = (cells) => cells.map((s, i) => (cols[i].left ? String(s).padEnd(widths[i]) : String(s).padStart(widths[i]))).join("  ");
  return [line(cols.map((c) => c.title)), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map((r) => line(cols.map((c) => c.get(r))))].join("\n");
}

async function main() {
  const selected = opts.phases ? opts.phases.split(",").map((s) => s.trim()) : null;
  const phases = selected ? PHASES.filter((p) => selected.includes(p.name)) : PHASES;
  if (selected && !selected.includes("put")) console.log("note: without the put phase the calendar is empty");
  console.log(`edge-caldav benchmark: sizes ${SIZES.join(", ")}, seed ${SEED}, PUT concurrency ${CONCURRENCY}, phases ${phases.map((p) => p.name).join(", ")}`);
  const t0 = performance.now();
  const results = [];
  for (const size of SIZES) results.push(await runSize(size, phases));
  const totalS = Math.round((performance.now() - t0) / 100) / 10;

  console.log("\n== summary");
  const rows = results.flatMap((r) => r.steps);
  console.log(
    table(rows, [
      { title: "events", get: (r) => r.size },
      { title: "step", get: (r) => r.step, left: true },
      { title: "ops", get: (r) => r.ops },
      { title: "conc", get: (r) => r.concurrency },
      { title: "wall s", get: (r) => (r.wallMs / 1000).toFixed(1) },
      { title: "ops/s", get: (r) => r.opsPerSec },
      { title: "p50 ms", get: (r) => r.p50Ms },
      { title: "p95 ms", get: (r) => r.p95Ms },
      { title: "workerd peak MB", get: (r) => r.workerPeakMB },
      { title: "check", get: (r) => (r.ok ? "ok" : "FAIL"), left: true },
    ]),
  );
  console.log("");
  for (const r of results)
    console.log(`${String(r.size).padStart(6)} events: workerd peak RSS (VmHWM) ${r.memory.workerPeakMB} MB worker + ${r.memory.proxyPeakMB} MB proxy = ${r.memory.totalPeakMB} MB; startup ${(r.startupMs / 1000).toFixed(1)} s`);
  const failures = results.flatMap((r) => r.failures.map((f) => ({ size: r.size, ...f })));
  console.log(`\ntotal ${totalS} s; ${failures.length ? `${failures.length} check(s) FAILED` : "all checks passed"}`);
  for (const f of failures) console.log(`  FAIL [${f.size}] ${f.phase}: ${f.message.split("\n")[0]}`);
  console.log(
    JSON.stringify({
      bench: "edge-caldav",
      seed: SEED,
      concurrency: CONCURRENCY,
      totalSeconds: totalS,
      ok: failures.length === 0,
      sizes: results.map((r) => ({
        events: r.size,
        startupMs: r.startupMs,
        workerdPeakMB: { worker: r.memory.workerPeakMB, proxy: r.memory.proxyPeakMB, total: r.memory.totalPeakMB },
        steps: r.steps.map(({ size, ...s }) => s),
        failures: r.failures.map((f) => `${f.phase}: ${f.message.split("\n")[0]}`),
      })),
    }),
  );
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(2);
});
