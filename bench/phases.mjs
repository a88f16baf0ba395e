// The benchmark's per-size phases (bench/run.mjs runs them in this order on
// one calendar): load N events, then the reads (each with 1 and with 8
// clients, every answer checked against the ground truth of workload.mjs),
// then the writes that are their own rows (If-Match PUT, DELETE). Only
// CalDAV (RFC 4791), WebDAV sync (RFC 6578) and HTTP conditionals (RFC 9110
// §13) are used, so the phases run against any CalDAV server (--url).
import { spread } from "./util.mjs";
import { CALDATA, GETETAG, NS, XML_HEADERS } from "./context.mjs";
import { covered, freeBusyPeriods, icsUtc, makeCalendar, makeEvent, overlaps, uidOf, union, vevents, weeksOf } from "./workload.mjs";
import { propText } from "./xml.mjs";

const calendarQuery = (a, b, expand) =>
  `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/>` +
  (expand ? `<C:calendar-data><C:expand start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:calendar-data>` : "<C:calendar-data/>") +
  `</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;

/** Writes of the write phases: at most this many, and at most a fifth of the calendar. */
const WRITES = 200;
/**
 * The requests of a repeated PROPFIND or sync step (one client sends them all, eight share them): the first answer is
 * made, the rest are kept (src/dav/answer-cache.ts); with 3 (16 for eight clients) the step measured mostly the making.
 */
const REPEATS = Array.from({ length: 40 }, (_, i) => i);
const DAY = 86_400_000;
/** A range moved by `round` days (readTimed's vary): a different request of the same length, never one answered before. */
const shifted = (a, round) => a + round * DAY;
const shiftedRange = ([a, b], round) => [shifted(a, round), shifted(b, round)];

export const PHASES = [
  {
    name: "put",
    title: "load N events with PUT",
    async run(ctx) {
      const { events, lanes } = makeCalendar(ctx.rng, ctx.size, ctx.eventCtx);
      ctx.nextIndex = ctx.size;
      const counts = { single: 0, recurring: 0, meeting: 0, tz: 0 };
      for (const e of events) {
        counts[e.kind]++;
        if (e.tz) counts.tz++;
      }
      const span = ctx.span;
      ctx.note(
        `mix: ${counts.single} single, ${counts.recurring} recurring (${lanes} lanes), ${counts.meeting} with attendees; ${counts.tz} with TZID; ` +
          `span ${icsUtc(span.start).slice(0, 8)}..${icsUtc(span.end - 1).slice(0, 8)} (${span.days} days, ${((ctx.size / span.days) * 365.2425).toFixed(0)} events/year)`,
      );
      await ctx.timed("put", events, ctx.config.concurrency, async (ev, time) => {
        const r = await time(() => ctx.put(ev, { "If-None-Match": "*" }));
        ctx.expectStatus(r, [201], `PUT ${ev.name}`);
        ctx.stored(ev, r);
      });
      ctx.check(ctx.events.size === ctx.size, `loaded ${ctx.events.size} of ${ctx.size}`);
      await ctx.settle();
    },
  },
  {
    name: "propfind",
    title: "Depth-1 PROPFIND (getetag)",
    async run(ctx) {
      const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:getetag/></D:prop></D:propfind>`;
      await ctx.readTimed("propfind-depth1", REPEATS, async (_, time) => {
        const r = await time(() => ctx.request("PROPFIND", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        return () => {
          ctx.expectStatus(r, [207], "PROPFIND Depth 1");
          const members = ctx.multistatus(r).responses.filter((x) => ctx.nameOf(x.href) !== null);
          const got = new Map(members.map((x) => [ctx.nameOf(x.href), propText(x, GETETAG)]));
          ctx.check(members.length === ctx.events.size, `PROPFIND listed ${members.length} members, expected ${ctx.events.size}`);
          ctx.compareSets("PROPFIND hrefs", [...got.keys()], [...ctx.events.keys()]);
          const wrong = [...ctx.etags].filter(([n]) => got.has(n) && !ctx.etagIs(n, got.get(n)));
          ctx.check(wrong.length === 0, `PROPFIND: ${wrong.length} ETags differ from PUT's, e.g. ${wrong.slice(0, 3).map(([n, e]) => `${n}: ${got.get(n)} vs ${e}`).join("; ")}`);
        };
      });
    },
  },
  {
    name: "query-week",
    title: "calendar-query, one week, 50 weeks",
    async run(ctx) {
      const mondays = weeksOf(ctx.span);
      const weeks = ctx.rng.shuffle(mondays).slice(0, 50);
      const perWeek = new Map();
      await ctx.readTimed("query-week", weeks, async (a, time) => {
        const b = a + 7 * 86_400_000;
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body: calendarQuery(a, b, false) }));
        return () => {
          ctx.expectStatus(r, [207], `calendar-query ${icsUtc(a)}`);
          const uids = [];
          for (const x of ctx.multistatus(r).responses) {
            const data = propText(x, CALDATA);
            const name = ctx.nameOf(x.href);
            const ev = ctx.events.get(name);
            if (data === undefined) {
              ctx.check(false, `calendar-query ${icsUtc(a)}: no calendar-data for ${x.href} (status ${x.status ?? x.props.get(CALDATA)?.status})`);
              continue;
            }
            const uid = uidOf(data);
            ctx.check(ev?.uid === uid, `calendar-query ${icsUtc(a)}: ${x.href} carries UID ${uid}, expected ${ev?.uid ?? "(no such resource)"}`);
            ctx.check(ctx.etagIs(name, propText(x, GETETAG)), `calendar-query ${icsUtc(a)}: ${x.href} has ETag ${propText(x, GETETAG)}, expected ${ctx.etags.get(name)}`);
            uids.push(uid);
          }
          perWeek.set(a, uids.length);
          ctx.compareSets(`calendar-query week ${icsUtc(a)}..${icsUtc(a + 7 * 86_400_000)} UIDs`, uids, ctx.expectedUids(a, b), (uid) => ctx.describe(ctx.byUid.get(uid), a, b));
        };
      }, shifted);
      const counts = [...perWeek.values()];
      const returned = counts.reduce((x, y) => x + y, 0);
      ctx.note(`${returned} objects returned over ${counts.length} one-week ranges (${weeks.length} of ${mondays.length} weeks, then moved by days) (${(returned / counts.length).toFixed(1)} per range, ${spread(counts)})`);
    },
  },
  {
    name: "query-expand",
    title: "calendar-query with <C:expand>, one month, 12 months",
    async run(ctx) {
      const months = ctx.sampleMonths();
      const perMonth = new Map();
      await ctx.readTimed("query-expand-month", months, async ([a, b], time) => {
        const m = icsUtc(a).slice(0, 6);
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body: calendarQuery(a, b, true) }));
        return () => {
          ctx.expectStatus(r, [207], `calendar-query expand month ${m}`);
          const got = [];
          let notUtc = 0;
          let withRrule = 0;
          for (const x of ctx.multistatus(r).responses) {
            const data = propText(x, CALDATA);
            if (data === undefined) {
              ctx.check(false, `expand month ${m}: no calendar-data for ${x.href}`);
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
          perMonth.set(a, got.length);
          ctx.check(got.length === expected.length, `expand month ${m}: ${got.length} instances, expected ${expected.length}`);
          ctx.check(notUtc === 0, `expand month ${m}: ${notUtc} instances with a DTSTART not in UTC (RFC 4791 section 9.6.5)`);
          ctx.check(withRrule === 0, `expand month ${m}: ${withRrule} expanded components still carry an RRULE`);
          ctx.compareSets(`expand month ${m} instances (UID DTSTART)`, got, expected, (key) => ctx.describe(ctx.byUid.get(key.split(" ")[0]), a, b));
        };
      }, shiftedRange);
      const counts = [...perMonth.values()];
      const total = counts.reduce((x, y) => x + y, 0);
      ctx.note(`${total} instances returned over ${counts.length} one-month ranges (${(total / counts.length).toFixed(1)} per range, ${spread(counts)}): ${months.map(([a]) => icsUtc(a).slice(0, 6)).join(" ")}, then moved by days`);
    },
  },
  {
    name: "multiget",
    title: "calendar-multiget of 100 hrefs, 20 times",
    async run(ctx) {
      const reps = Array.from({ length: 20 }, () => ctx.rng.shuffle([...ctx.events.keys()]).slice(0, 100));
      await ctx.readTimed("multiget-100", reps, async (names, time) => {
        const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
          names.map((n) => `<D:href>${ctx.calHref}${n}</D:href>`).join("") + "</C:calendar-multiget>";
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        return () => {
          ctx.expectStatus(r, [207], "calendar-multiget");
          const ms = ctx.multistatus(r);
          let good = 0;
          for (const x of ms.responses) {
            const name = ctx.nameOf(x.href);
            const data = propText(x, CALDATA);
            const ev = ctx.events.get(name);
            if (ev && data !== undefined && uidOf(data) === ev.uid && ctx.etagIs(name, propText(x, GETETAG))) good++;
          }
          ctx.check(ms.responses.length === names.length && good === names.length, `calendar-multiget: ${ms.responses.length} responses, ${good} of ${names.length} with the right body and ETag`);
        };
      }, () => ctx.rng.shuffle([...ctx.events.keys()]).slice(0, 100));
    },
  },
  {
    name: "get",
    title: "GET of single objects, 200",
    async run(ctx) {
      const names = ctx.rng.shuffle([...ctx.events.keys()]).slice(0, 200);
      await ctx.readTimed("get", names, async (name, time) => {
        const r = await time(() => ctx.request("GET", ctx.calHref + name));
        return () => {
          ctx.expectStatus(r, [200], `GET ${name}`);
          const ev = ctx.events.get(name);
          const type = r.headers.get("content-type") ?? "";
          const problems = [
            uidOf(r.text) !== ev.uid && `UID ${uidOf(r.text)}, expected ${ev.uid}`,
            !ctx.etagIs(name, r.headers.get("etag")) && `ETag ${r.headers.get("etag")}, expected ${ctx.etags.get(name)}`,
            !/^text\/calendar\b/i.test(type) && `Content-Type ${type}`,
          ].filter(Boolean);
          ctx.check(problems.length === 0, `GET ${name}: ${problems.join("; ")}`);
        };
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
      // One sync, following the server's pages: a 507 on the collection itself says the answer was truncated and its
      // token continues it (RFC 6578 section 3.6). While timed, the pages are followed by what their text says (the
      // token, a 507); readSync() checks them in full after the clock stops (context.mjs timed()).
      const TOKEN = /<(?:[A-Za-z_][\w.-]*:)?sync-token>([^<]*)<\//;
      const fetchSync = (token, time) =>
        time(async () => {
          const pages = [];
          for (let page = 0; page < 1000; page++) {
            const r = await ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "0" }, body: syncBody(token) });
            pages.push(r);
            const next = TOKEN.exec(r.text)?.[1];
            if (r.status !== 207 || !/HTTP\/1\.[01]\s+507/.test(r.text) || !next || next === token) return { pages, from: token };
            token = next;
          }
          throw new Error("sync-collection: more than 1000 pages");
        });
      const readSync = ({ pages, from }) => {
        const responses = [];
        let syncToken = null;
        for (const r of pages) {
          ctx.expectStatus(r, [207], `sync-collection ${from ? "from token" : "initial"}`);
          const ms = ctx.multistatus(r);
          responses.push(...ms.responses.filter((x) => ctx.nameOf(x.href) !== null));
          syncToken = ms.syncToken;
        }
        return { responses, syncToken, pages: pages.length };
      };

      let token = null;
      await ctx.readTimed("sync-initial", REPEATS, async (_, time) => {
        const fetched = await fetchSync(null, time);
        return () => {
          const ms = readSync(fetched);
          const ok = ms.responses.filter((x) => propText(x, GETETAG) !== undefined);
          ctx.check(ms.responses.length === ctx.events.size && ok.length === ctx.events.size, `initial sync: ${ms.responses.length} responses (${ok.length} with an ETag), expected ${ctx.events.size}`);
          ctx.compareSets("initial sync hrefs", ok.map((x) => ctx.nameOf(x.href)), [...ctx.events.keys()]);
          const stale = ok.filter((x) => !ctx.etagIs(ctx.nameOf(x.href), propText(x, GETETAG)));
          ctx.check(stale.length === 0, `initial sync: ${stale.length} ETags differ from PUT's`);
          ctx.check(Boolean(ms.syncToken), "initial sync: no DAV:sync-token");
          token ??= ms.syncToken;
        };
      });

      // 100 changes: 40 updates, 30 deletes (both with If-Match), 30 creates.
      const picked = ctx.rng.shuffle([...ctx.events.keys()]).slice(0, 70);
      const changes = [
        ...picked.slice(0, 40).map((name) => ({ op: "update", name })),
        ...picked.slice(40, 70).map((name) => ({ op: "delete", name })),
        ...Array.from({ length: 30 }, () => ({ op: "create", ev: makeEvent(ctx.rng, ctx.nextIndex++, ctx.eventCtx) })),
      ];
      await ctx.timed("changes", changes, ctx.config.concurrency, async (c, time) => {
        if (c.op === "create") {
          const r = await time(() => ctx.put(c.ev, { "If-None-Match": "*" }));
          ctx.expectStatus(r, [201], `PUT (create) ${c.ev.name}`);
          ctx.stored(c.ev, r);
        } else if (c.op === "update") await updateIfMatch(ctx, c.name, "updated", time);
        else await deleteIfMatch(ctx, c.name, time);
      });
      await ctx.settle();

      const changed = new Set([...changes.filter((c) => c.op === "update").map((c) => c.name), ...changes.filter((c) => c.op === "create").map((c) => c.ev.name)]);
      const deleted = new Set(changes.filter((c) => c.op === "delete").map((c) => c.name));
      await ctx.readTimed("sync-delta", REPEATS, async (_, time) => {
        if (!token) throw new Error("no sync token from the initial sync");
        const fetched = await fetchSync(token, time);
        return () => {
          const ms = readSync(fetched);
          const got200 = ms.responses.filter((x) => x.status === null && propText(x, GETETAG) !== undefined);
          const got404 = ms.responses.filter((x) => x.status === 404);
          ctx.check(ms.responses.length === 100, `delta sync: ${ms.responses.length} responses, expected exactly 100`);
          ctx.compareSets("delta sync changed hrefs", got200.map((x) => ctx.nameOf(x.href)), [...changed]);
          ctx.compareSets("delta sync deleted hrefs (404)", got404.map((x) => ctx.nameOf(x.href)), [...deleted]);
          const stale = got200.filter((x) => !ctx.etagIs(ctx.nameOf(x.href), propText(x, GETETAG)));
          ctx.check(stale.length === 0, `delta sync: ${stale.length} ETags differ from the current ones (PUT's, or read back after the write), e.g. ${stale.slice(0, 3).map((x) => `${x.href}: ${propText(x, GETETAG)} vs ${ctx.etags.get(ctx.nameOf(x.href))}`).join("; ")}`);
          ctx.check(Boolean(ms.syncToken) && ms.syncToken !== token, `delta sync: the new token ${ms.syncToken} should differ from ${token}`);
        };
      });
    },
  },
  {
    name: "freebusy",
    title: "free-busy-query, one month, 12 months",
    async run(ctx) {
      const months = ctx.sampleMonths();
      const perMonth = new Map();
      await ctx.readTimed("freebusy-month", months, async ([a, b], time) => {
        const m = icsUtc(a).slice(0, 6);
        const body = `<?xml version="1.0" encoding="utf-8"?><C:free-busy-query ${NS}><C:time-range start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:free-busy-query>`;
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        return () => {
          ctx.expectStatus(r, [200], `free-busy-query month ${m}`);
          ctx.check(/BEGIN:VFREEBUSY/.test(r.text), `free-busy month ${m}: no VFREEBUSY in ${r.text.slice(0, 200)}`);
          const periods = freeBusyPeriods(r.text);
          perMonth.set(a, periods.length);
          const bad = periods.filter((p) => !Number.isFinite(p.start) || !Number.isFinite(p.end));
          ctx.check(bad.length === 0, `free-busy month ${m}: unparsable periods ${bad.slice(0, 3).map((p) => p.raw).join(", ")}`);
          const notBusy = periods.filter((p) => p.fbtype !== "BUSY");
          ctx.check(notBusy.length === 0, `free-busy month ${m}: ${notBusy.length} periods not FBTYPE=BUSY, e.g. ${notBusy.slice(0, 3).map((p) => `${p.fbtype} ${p.raw}`).join(", ")}`);
          const expected = [];
          const whole = [];
          for (const ev of ctx.events.values())
            for (const iv of ctx.inst(ev))
              if (overlaps(iv, a, b)) {
                expected.push({ start: Math.max(iv.start, a), end: Math.min(iv.end, b), ev });
                whole.push(iv);
              }
          const busy = union(periods);
          // a period may run past the range where its event does (servers differ in clipping); none may lie outside the events
          const truth = union(whole);
          const uncovered = expected.filter((iv) => !covered(iv, busy));
          const outside = periods.filter((p) => !covered(p, truth));
          ctx.check(uncovered.length === 0, `free-busy month ${m}: ${uncovered.length} of ${expected.length} event instances are not inside a busy period, e.g. ${uncovered.slice(0, 3).map((iv) => `${icsUtc(iv.start)}/${icsUtc(iv.end)} (${ctx.describe(iv.ev, a, b)})`).join("; ")}`);
          ctx.check(outside.length === 0, `free-busy month ${m}: ${outside.length} of ${periods.length} busy periods lie outside the events, e.g. ${outside.slice(0, 3).map((p) => p.raw).join(", ")}`);
        };
      }, shiftedRange);
      const counts = [...perMonth.values()];
      ctx.note(`${counts.reduce((x, y) => x + y, 0)} busy periods over ${counts.length} one-month ranges (${spread(counts)}): ${months.map(([a]) => icsUtc(a).slice(0, 6)).join(" ")}, then moved by days`);
    },
  },
  {
    name: "put-if-match",
    title: "conditional PUT (If-Match) of existing objects",
    async run(ctx) {
      const names = ctx.rng.shuffle([...ctx.events.keys()]).slice(0, Math.min(WRITES, Math.floor(ctx.events.size / 5)));
      await ctx.timed("put-if-match", names, ctx.config.concurrency, (name, time) => updateIfMatch(ctx, name, "changed", time));
      await ctx.settle();
    },
  },
  {
    name: "delete",
    title: "DELETE (If-Match) of existing objects",
    async run(ctx) {
      const names = ctx.rng.shuffle([...ctx.events.keys()]).slice(0, Math.min(WRITES, Math.floor(ctx.events.size / 5)));
      await ctx.timed("delete", names, ctx.config.concurrency, (name, time) => deleteIfMatch(ctx, name, time));
      const r = await ctx.request("GET", ctx.calHref + names[0]);
      ctx.check(names.length === 0 || r.status === 404, `GET ${names[0]} after its DELETE answered ${r.status}, expected 404`);
    },
  },
];

/** PUT with If-Match: <the current ETag> of a changed SUMMARY and SEQUENCE; a 412 is a failure (then retried without). */
async function updateIfMatch(ctx, name, word, time) {
  const old = ctx.events.get(name);
  const etag = ctx.etags.get(name);
  const ev = { ...old, summary: `Event ${old.i} (${word})`, sequence: old.sequence + 1, _inst: undefined };
  let r = await time(() => ctx.put(ev, { "If-Match": etag }));
  if (r.status === 412) {
    ctx.failOnce(`if-match-${ctx.phase}`, `PUT with If-Match: ${etag} (the current ETag) answered 412: ${r.text.trim().slice(0, 300)} — retried without If-Match`);
    r = await ctx.put(ev);
  }
  ctx.expectStatus(r, [200, 204], `PUT (update, If-Match) ${name}`);
  ctx.stored(ev, r);
}

/** DELETE with If-Match: <the current ETag>; a 412 is a failure (then retried without). */
async function deleteIfMatch(ctx, name, time) {
  const etag = ctx.etags.get(name);
  let r = await time(() => ctx.request("DELETE", ctx.calHref + name, { headers: { "If-Match": etag } }));
  if (r.status === 412) {
    ctx.failOnce(`if-match-delete-${ctx.phase}`, `DELETE with If-Match: ${etag} (the current ETag) answered 412: ${r.text.trim().slice(0, 300)} — retried without If-Match`);
    r = await ctx.request("DELETE", ctx.calHref + name);
  }
  ctx.expectStatus(r, [200, 204], `DELETE ${name}`);
  ctx.forget(name);
}

