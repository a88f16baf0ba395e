// The state one benchmark run shares between its phases (bench/run.mjs):
// the target's calendar and login, what is stored there as far as the
// benchmark knows (events, ETags), the checks and failures, and the timed
// steps that make the result rows. Comparisons follow what the RFCs make
// comparable between servers: ETags by their opaque-tag (RFC 9110 §8.8.3,
// quotes and W/ aside), hrefs by their decoded path (xml.mjs), and an ETag
// a PUT did not return (RFC 4791 §5.3.4: the server changed the object) is
// read back before it is relied on (settle).
import { FLOOR_OF } from "./floor.mjs";
import { basicAuth } from "./server.mjs";
import { forClients, mapLimit, percentile, round1, sleep } from "./util.mjs";
import { attendeesOf, instances, monthsOf, normAddress, overlaps, prng, spanOf, toIcs, uidOf, icsUtc } from "./workload.mjs";
import { CALDAV, clark, DAV, parseMultistatus, propText } from "./xml.mjs";

export const GETETAG = clark(DAV, "getetag");
export const CALDATA = clark(CALDAV, "calendar-data");
export const XML_HEADERS = { "Content-Type": "application/xml; charset=utf-8" };
export const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

/** An answer that makes the rest of a step meaningless (wrong status); the step and its phase stop. */
export class HttpError extends Error {}

/** An entity-tag's opaque-tag: '"x"', 'W/"x"' and a bare x (seen in DAV:getetag) compare equal. */
export const etagKey = (etag) => (etag == null ? null : etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1"));

/**
 * The context of one run. `target` (target.mjs) gives the server's url, the
 * login (`user`, may be null for a once-run), the calendar (`calHref`), the
 * organizer address (`email`), memory() and whether the server is ours (a
 * benchmark-started edge-caldav: then its documented behaviour is checked
 * too). `size` (0 for a once-run) sets the span of the data; `config` holds
 * the options (seed, concurrency, readConcurrency, pollConcurrency).
 */
export function makeContext({ target, label, size, config }) {
  const { calHref, user } = target;
  const calKey = calHref ? decodeURIComponent(new URL(calHref, "http://host").pathname) : null;
  const calBase = calHref ? new URL(calHref, target.url).href : target.url;
  const auth = user ? basicAuth(user.username, user.password) : null;
  const span = spanOf(size || 1000);
  const ctx = {
    target,
    server: target.server,
    config,
    size,
    label,
    user,
    calHref,
    span,
    rng: prng(config.seed + size),
    eventCtx: { tag: `${size}`, email: target.email, span },
    events: new Map(), // name → event, as currently stored
    etags: new Map(), // name → its current ETag (from PUT, or read back once it settled; see settle)
    byUid: new Map(),
    awaiting: new Map(), // name → event whose current ETag is still to be read back (settle)
    steps: [],
    failures: [],
    notes: [],
    extra: {},
    phase: "",
    nextIndex: 0,
    _once: new Set(),

    /** An HTTP request as `as` (Basic credentials; default: the run's user); `path` is absolute or relative to the server's URL. */
    async request(method, path, { headers = {}, body, as } = {}) {
      const authorization = as ? basicAuth(as.username, as.password) : auth;
      const res = await fetch(new URL(path, target.url), { method, headers: { ...(authorization ? { Authorization: authorization } : {}), ...headers }, body });
      const text = await res.text();
      return { method, path, status: res.status, headers: res.headers, text, requestBody: body, requestHeaders: headers };
    },
    /** A multistatus answer to a request on the calendar (relative hrefs resolve against it). */
    multistatus(r) {
      return parseMultistatus(r.text, calBase);
    },
    /** The member name ("ev-000001.ics") of an href in the calendar, null for the calendar itself, the href for anything else. */
    nameOf(href) {
      if (href === calKey || `${href}/` === calKey) return null;
      return href.startsWith(calKey) ? href.slice(calKey.length) : href;
    },
    /** Is `etag` the ETag the benchmark knows for `name`? */
    etagIs(name, etag) {
      return etag != null && etagKey(etag) === etagKey(ctx.etags.get(name));
    },
    put(ev, headers = {}) {
      return ctx.request("PUT", calHref + ev.name, { headers: { "Content-Type": "text/calendar; charset=utf-8", ...headers }, body: toIcs(ev) });
    },
    store(ev, etag) {
      ctx.events.set(ev.name, ev);
      ctx.etags.set(ev.name, etag);
      ctx.byUid.set(ev.uid, ev);
    },
    /**
     * Records a successful PUT. A meeting's stored copy may be rewritten by
     * the server (SCHEDULE-STATUS, RFC 6638 §3.2.9), and a PUT answer without
     * an ETag says the stored object differs from the one sent: either is
     * read back by settle() before its ETag is compared.
     */
    stored(ev, r) {
      const etag = r.headers.get("etag");
      ctx.store(ev, etag);
      if (ev.kind === "meeting" || !etag) ctx.awaiting.set(ev.name, ev);
      else ctx.awaiting.delete(ev.name);
    },
    forget(name) {
      const ev = ctx.events.get(name);
      ctx.events.delete(name);
      ctx.etags.delete(name);
      ctx.awaiting.delete(name);
      if (ev) ctx.byUid.delete(ev.uid);
    },
    /**
     * Reads back every object written since the last call whose ETag is not
     * known to be final, with calendar-multiget (100 a request, 4 requests at
     * a time), checks UID and the attendees' PARTSTAT, and takes its ETag.
     * On our own server a meeting is final once every (outside) attendee
     * carries SCHEDULE-STATUS=3.7, as the README describes; on another
     * server once two reads 300 ms apart agree. Not timed; prints how long.
     */
    async settle(timeoutMs = 300_000) {
      if (ctx.awaiting.size === 0) return;
      const n = ctx.awaiting.size;
      const strict = target.ours;
      const t0 = performance.now();
      const last = new Map();
      const seen = new Map(); // name → opaque-tag read in the previous round
      let rounds = 0;
      while (ctx.awaiting.size > 0 && performance.now() - t0 < timeoutMs) {
        if (rounds++ > 0) await sleep(strict ? 200 : 300);
        const names = [...ctx.awaiting.keys()];
        const chunks = [];
        for (let i = 0; i < names.length; i += 100) chunks.push(names.slice(i, i + 100));
        await mapLimit(chunks, 4, async (chunk) => {
          const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
            chunk.map((x) => `<D:href>${calHref}${x}</D:href>`).join("") + "</C:calendar-multiget>";
          const r = await ctx.request("REPORT", calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body });
          ctx.expectStatus(r, [207], "calendar-multiget (settle)");
          for (const x of ctx.multistatus(r).responses) {
            const name = ctx.nameOf(x.href);
            const ev = ctx.awaiting.get(name);
            const data = propText(x, CALDATA);
            const etag = propText(x, GETETAG);
            if (!ev || data === undefined || !etag) continue;
            const att = new Map(attendeesOf(data).map((a) => [a.address, a.params]));
            if (ev.kind === "meeting") {
              const st = ev.attendees.map((a) => att.get(normAddress(`mailto:${a}`))?.["SCHEDULE-STATUS"] ?? "(none)");
              last.set(name, st.join(","));
              if (strict && !st.every((v) => v === "3.7")) continue;
            }
            if (!strict && seen.get(name) !== etagKey(etag)) {
              seen.set(name, etagKey(etag));
              continue;
            }
            ctx.awaiting.delete(name);
            ctx.check(uidOf(data) === ev.uid, `settle: ${name} carries UID ${uidOf(data)}, expected ${ev.uid}`);
            if (ev.kind === "meeting") {
              const ps = ev.attendees.map((a) => att.has(normAddress(`mailto:${a}`)) ? (att.get(normAddress(`mailto:${a}`)).PARTSTAT ?? "NEEDS-ACTION").toUpperCase() : "(no ATTENDEE)");
              ctx.check(ps.every((v) => v === "NEEDS-ACTION"), `settle: ${name}: attendee PARTSTATs ${ps.join(",")}, expected NEEDS-ACTION`);
            }
            ctx.etags.set(name, etag);
          }
        });
      }
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      const left = [...ctx.awaiting.keys()];
      const what = strict ? "meeting copies still without SCHEDULE-STATUS=3.7 on every attendee" : "objects whose ETag did not settle";
      ctx.check(left.length === 0, `settle: ${left.length} of ${n} ${what} after ${s} s, e.g. ${left.slice(0, 3).map((x) => `${x}: ${last.get(x) ?? "not returned"}`).join("; ")}`);
      ctx.note(strict
        ? `settle: ${n - left.length} of ${n} meeting copies marked SCHEDULE-STATUS=3.7 (3 attendees each, kept for e-mail) ${s} s after the last write (${rounds} multiget rounds; not timed)`
        : `settle: ${n - left.length} of ${n} objects (meetings, or PUT answered without an ETag) read back, ETag stable, ${s} s after the last write (${rounds} multiget rounds; not timed); SCHEDULE-STATUS seen: ${[...new Set(last.values())].slice(0, 4).join(" | ") || "none"}`);
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
    /** 12 calendar months sampled across the span (all of them for 1,000 events), in order. */
    sampleMonths() {
      return ctx.rng.shuffle(monthsOf(span)).slice(0, 12).sort((x, y) => x[0] - y[0]);
    },
    /** An event in a few words, with its instances near [a, b). */
    describe(ev, a, b) {
      if (!ev) return "not a loaded event";
      const near = ctx.inst(ev).filter((iv) => iv.end > a - 86_400_000 && iv.start < b + 86_400_000).map((iv) => `${icsUtc(iv.start)}-${icsUtc(iv.end).slice(9)}`);
      return `${ev.name} ${ev.kind}${ev.tz ? ` TZID=${ev.tz}` : " UTC"}${ev.kind === "recurring" ? ` COUNT=${ev.count} EXDATE#${ev.exIndex} override#${ev.ovIndex}` : ""}; instances near: ${near.join(", ") || "none"}`;
    },
    /** null if r.status is one of `ok`, else a description of the request and the answer. */
    statusProblem(r, ok, what) {
      if (ok.includes(r.status)) return null;
      const reqBody = typeof r.requestBody === "string" ? r.requestBody.slice(0, 600) : "";
      const reqHeaders = Object.entries(r.requestHeaders ?? {}).map(([k, v]) => `${k}: ${v}`).join("\n  ");
      return `${what}: expected ${ok.join("/")}, got ${r.status}\n  request: ${r.method} ${r.path}\n  ${reqHeaders ? `${reqHeaders}\n  ` : ""}${reqBody.replace(/\r?\n/g, "\n  ")}\n  response: ${r.status} ${r.text.slice(0, 800).replace(/\r?\n/g, "\n  ")}`;
    },
    expectStatus(r, ok, what) {
      const problem = ctx.statusProblem(r, ok, what);
      if (problem) throw new HttpError(problem);
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
    /** Samples the local server's memory (null for a server given by URL); keeps the maximum seen, in case wrangler replaced a process. */
    peak: { worker: 0, proxy: 0, total: 0 },
    sampleMemory() {
      const mem = target.memory();
      if (!mem) return null;
      ctx.peak.worker = Math.max(ctx.peak.worker, mem.workerPeakMB ?? 0);
      ctx.peak.proxy = Math.max(ctx.peak.proxy, mem.proxyPeakMB ?? 0);
      ctx.peak.total = Math.max(ctx.peak.total, mem.totalPeakMB ?? 0);
      return { ...mem, workerPeakMB: ctx.peak.worker, proxyPeakMB: ctx.peak.proxy, totalPeakMB: ctx.peak.total };
    },
    note(text) {
      ctx.notes.push(`[${label}] ${ctx.phase}: ${text}`);
      console.log(`  [${label}] ${ctx.phase}: ${text}`);
    },
    /** Records and prints one result row: `latencies` (ms) give p50/p95, `wallMs` the ops/s; `floor` names the floor variant it compares with. */
    row(step, { ops, concurrency, wallMs, latencies, ok, floor = FLOOR_OF[step] ?? "one" }) {
      const lat = [...latencies].sort((x, y) => x - y);
      const mem = ctx.sampleMemory();
      const row = {
        size: label,
        phase: ctx.phase,
        step,
        ops,
        concurrency,
        wallMs: Math.round(wallMs),
        opsPerSec: ops && wallMs > 0 ? round1((ops / wallMs) * 1000) : 0,
        p50Ms: round1(percentile(lat, 50)),
        p95Ms: round1(percentile(lat, 95)),
        maxMs: round1(lat.at(-1) ?? NaN),
        workerdPeakMB: mem?.totalPeakMB ?? null,
        workerPeakMB: mem?.workerPeakMB ?? null,
        floor,
        ok,
      };
      ctx.steps.push(row);
      console.log(
        `  [${label}] ${step.padEnd(20)} ${String(row.ops).padStart(6)} ops ${String(concurrency).padStart(2)} clients ${String(row.opsPerSec).padStart(8)} ops/s  p50 ${String(row.p50Ms).padStart(7)} ms  p95 ${String(row.p95Ms).padStart(7)} ms` +
          `${mem ? `  workerd peak ${mem.workerPeakMB} MB (+proxy ${mem.proxyPeakMB} MB)` : ""}  ${row.ok ? "ok" : "FAIL"}`,
      );
      return row;
    },
    /**
     * Runs fn(item, time) over items with a concurrency limit, timing each request via time(); records one result row.
     * fn may return a function: its checks of the answer, run after the step's clock stops, so that while timed the
     * client only sends requests and reads answers, as the floor's client does (parsing a 2,000-member multistatus
     * costs this client more than the server spends making it).
     */
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
      const checks = [];
      const t0 = performance.now();
      let error;
      try {
        await mapLimit(items, concurrency, async (item) => {
          const later = await fn(item, time);
          if (typeof later === "function") checks.push(later);
        });
      } catch (e) {
        error = e;
      }
      const wallMs = performance.now() - t0;
      try {
        for (const check of checks) await check();
      } catch (e) {
        error ??= e;
      }
      const row = ctx.row(step, { ops: lat.length, concurrency, wallMs, latencies: lat, ok: !error && ctx.failures.length === failuresBefore });
      if (error) throw error;
      return row;
    },
    /**
     * A read step, once for each of config.readConcurrency (1 and 8 clients
     * by default): `items` as given for one client, repeated for more (see
     * forClients). Every answer is checked at every concurrency.
     * `vary(item, round)`, when given, makes each request after the first
     * pass over `items` a different one of the same size (round 1, 2, ...:
     * a range moved by days, another set of hrefs): a server that keeps
     * answers (ours does, src/dav/answer-cache.ts) then makes every one, as
     * for clients that do not repeat themselves. Without it, the passes
     * repeat the same requests, as polling clients do.
     */
    async readTimed(step, items, fn, vary) {
      const rows = [];
      const passes = config.readConcurrency.length;
      for (const [pass, c] of config.readConcurrency.entries()) {
        const list = forClients(items, c).map((item, k) => {
          const round = pass + Math.floor(k / items.length) * passes;
          return vary && round > 0 ? vary(item, round) : item;
        });
        rows.push(await ctx.timed(step, list, c, fn));
      }
      return rows;
    },
  };
  return ctx;
}
