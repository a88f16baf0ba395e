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
// Constant density: N events are spread over N/1,000 years from 2026-01-01
// (1,000: 2026; 10,000: 2026-2035), so a one-week query, a month of
// expansion or free-busy and a sync delta return about as much at both
// sizes, and the query windows are sampled across the whole span.
//
// Phases (PHASES below; add one by appending { name, title, run(ctx) }; a
// phase with `once: true` runs once, after the sizes, on its own server):
//   put           load N events with PUT (If-None-Match: *), concurrency 8.
//                 Of every 10: 7 single, 2 weekly recurring (COUNT 8-26, one
//                 EXDATE, one RECURRENCE-ID override +2 h), 1 with ORGANIZER
//                 (the user) and 3 ATTENDEEs; 30% carry an embedded VTIMEZONE
//                 (Europe/Berlin or America/New_York) and TZID times, the rest
//                 UTC. Singles and meetings fall on a random day of the span;
//                 the series tile it in ~65 "lanes" (back-to-back series, see
//                 workload.mjs lanePlan), so every week has about the same
//                 number of instances. Seeded PRNG (--seed).
//                 The meetings' attendees are bench-guest-N@example.invalid,
//                 addresses no principal holds: the server still schedules
//                 (implicit scheduling, RFC 6638), keeps the messages for
//                 e-mail and marks each ATTENDEE SCHEDULE-STATUS=3.7 in the
//                 stored copy (decided when the PUT is planned, so the copy
//                 the PUT answered is final). The phase still "settles": it
//                 polls those copies (multiget) until all 3 attendees say 3.7
//                 and takes their ETags from there (not timed; the time is
//                 printed). Every later check compares ETags of all events,
//                 meetings included, against these.
//   propfind      Depth-1 PROPFIND of the calendar (DAV:getetag), 3 times;
//                 must list exactly the N loaded hrefs with their ETags.
//   query-week    calendar-query (VEVENT time-range, calendar-data) for 50
//                 different weeks (Monday 00:00 UTC, sampled across the span);
//                 the UIDs returned must equal the set computed locally
//                 (weekly rules expanded in local time, minus EXDATE, plus the
//                 override).
//   query-expand  calendar-query with <C:expand> for 12 months sampled across
//                 the span; the returned instances (UID + UTC DTSTART) must
//                 equal the local expansion, in number and in value.
//   multiget      calendar-multiget of 100 random hrefs, 20 times; 100 bodies
//                 with the right UIDs and ETags each time.
//   sync          sync-collection: initial (empty token, 3 times; exactly the
//                 N hrefs), then 100 changes (40 updates and 30 deletes with
//                 If-Match, 30 creates), settle the meetings among them (as
//                 in put), then sync from the token (3 times): exactly those
//                 100 (70 with their current ETags, 30 as 404).
//   freebusy      free-busy-query for 12 months sampled across the span; the
//                 union of the busy periods must equal the union of the event
//                 instances in the month (every instance is inside a busy
//                 period and no busy period lies outside the events).
//   schedule      (once, own server) an organizer and 100 attendees, all
//                 created with the CLI (8 at a time, not timed); the organizer
//                 PUTs one VEVENT inviting the 100 (PARTSTAT=NEEDS-ACTION,
//                 RSVP=TRUE). sched-deliver: time until every attendee's
//                 default calendar holds <UID>.ics, each polled with GET
//                 (--poll-concurrency requests in flight, 50-100 ms apart);
//                 per attendee: its first 200, from the start of the PUT.
//                 Before the PUT (untimed) every attendee asks once (404), so
//                 its Basic login is memoized as for a connected client. The
//                 polls share the workerd with the deliveries, so they slow
//                 them a little, and a latency is only as exact as one polling
//                 round (GET time x pending / concurrency; printed). Each copy
//                 is checked (UID, ORGANIZER, own ATTENDEE NEEDS-ACTION, a
//                 Schedule-Tag). sched-replies: each attendee PUTs its copy
//                 back with PARTSTAT ACCEPTED, DECLINED or TENTATIVE (3:1:1 by
//                 index) and If-Schedule-Tag-Match, --concurrency at a time;
//                 time from the first reply PUT until the organizer's copy
//                 (GET, polled) shows every attendee's PARTSTAT as sent (per
//                 reply: from its PUT to the first GET showing it). Every
//                 PARTSTAT is checked; also that each attendee's
//                 SCHEDULE-STATUS in the organizer's copy is 1.2 or 2.0
//                 (histogram printed) and that the organizer's Schedule-Tag
//                 stayed the same through delivery and merges while its ETag
//                 changed.
//   expansion-stall (once, own server) one user holds an endless FREQ=SECONDLY
//                 event; 8 and then 16 clients at once ask for its instances
//                 over ten years (calendar-query with <C:expand>), 4 requests
//                 each, back to back. Meanwhile another user, on another home,
//                 alternates a Depth-1 PROPFIND of a small calendar and an
//                 OPTIONS, one at a time, and each is timed. Every expansion
//                 must answer 403 DAV:number-of-matches-within-limits (the
//                 bound, not a stall nor a truncated 207) and the other user's
//                 slowest request must stay under 1 s (STALL_LIMIT_MS); the
//                 expansions' status codes, the other user's p50/p95/max and
//                 the workerd peak memory are printed. Then, printed and not
//                 checked: 16 clients expanding (calendar-multiget) a rule
//                 whose instances cannot be counted without walking
//                 (FREQ=SECONDLY;BYMONTH=1,...,12), each refusal spending one
//                 object's step budget.
//
// Options: --sizes 1000,10000  --seed 2026  --concurrency 8  --poll-concurrency 4
//          --phases put,propfind,...,schedule,expansion-stall  --echo (copy wrangler's output)
// Output: a line per step, a summary table, and a final JSON line.
import { parseArgs } from "node:util";
import { addUser, basicAuth, processName, startServer, statusKb } from "./server.mjs";
import {
  attendeesOf, covered, fold, freeBusyPeriods, icsUtc, instances, makeCalendar, makeEvent, monthsOf, normAddress, overlaps, parseContentLine,
  prng, spanOf, toIcs, uidOf, unfold, union, vevents, weeksOf, withPartstat,
} from "./workload.mjs";
import { CALDAV, clark, DAV, parseMultistatus, propText } from "./xml.mjs";

const { values: opts } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000" },
    seed: { type: "string", default: "2026" },
    concurrency: { type: "string", default: "8" },
    "poll-concurrency": { type: "string", default: "4" },
    phases: { type: "string" },
    echo: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (opts.help) {
  console.log("usage: npm run bench -- [--sizes 1000,10000] [--seed 2026] [--concurrency 8] [--poll-concurrency 4] [--phases put,propfind,...,schedule] [--echo]");
  process.exit(0);
}
const SIZES = opts.sizes.split(",").map((s) => Number(s.trim())).filter((n) => n > 0);
const SEED = Number(opts.seed);
const CONCURRENCY = Number(opts.concurrency);
/** Requests in flight while the schedule phase polls the 100 homes (see the note there). */
const POLL_CONCURRENCY = Number(opts["poll-concurrency"]);

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
      await ctx.timed("put", events, CONCURRENCY, async (ev, time) => {
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
      const mondays = weeksOf(ctx.span);
      const weeks = ctx.rng.shuffle(mondays).slice(0, 50);
      let returned = 0;
      const perWeek = [];
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
        perWeek.push(uids.length);
        const expected = ctx.expectedUids(a, b);
        ctx.compareSets(`calendar-query week ${icsUtc(a)}..${icsUtc(b)} UIDs`, uids, expected, (uid) => ctx.describe(ctx.byUid.get(uid), a, b));
      });
      ctx.note(`${returned} objects returned over ${weeks.length} of ${mondays.length} weeks (${(returned / weeks.length).toFixed(1)} per week, ${spread(perWeek)})`);
    },
  },
  {
    name: "query-expand",
    title: "calendar-query with <C:expand>, one month, 12 months",
    async run(ctx) {
      const months = ctx.sampleMonths();
      let total = 0;
      const perMonth = [];
      await ctx.timed("query-expand-month", months, 1, async ([a, b], time) => {
        const m = icsUtc(a).slice(0, 6);
        const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/><C:calendar-data><C:expand start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:calendar-data></D:prop>` +
          `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        ctx.expectStatus(r, [207], `calendar-query expand month ${m}`);
        const ms = parseMultistatus(r.text);
        const got = [];
        let notUtc = 0;
        let withRrule = 0;
        for (const x of ms.responses) {
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
        total += got.length;
        perMonth.push(got.length);
        ctx.check(got.length === expected.length, `expand month ${m}: ${got.length} instances, expected ${expected.length}`);
        ctx.check(notUtc === 0, `expand month ${m}: ${notUtc} instances with a DTSTART not in UTC (RFC 4791 section 9.6.5)`);
        ctx.check(withRrule === 0, `expand month ${m}: ${withRrule} expanded components still carry an RRULE`);
        ctx.compareSets(`expand month ${m} instances (UID DTSTART)`, got, expected, (key) => ctx.describe(ctx.byUid.get(key.split(" ")[0]), a, b));
      });
      ctx.note(`${total} instances returned over ${months.length} months (${(total / months.length).toFixed(1)} per month, ${spread(perMonth)}): ${months.map(([a]) => icsUtc(a).slice(0, 6)).join(" ")}`);
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
          ctx.stored(c.ev, r);
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
          ctx.stored(ev, r);
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
      await ctx.settle();

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
        ctx.check(stale.length === 0, `delta sync: ${stale.length} ETags differ from the current ones (PUT's, or after the meetings settled), e.g. ${stale.slice(0, 3).map((x) => `${x.href}: ${propText(x, GETETAG)} vs ${ctx.etags.get(x.href.slice(ctx.calHref.length))}`).join("; ")}`);
        ctx.check(Boolean(ms.syncToken) && ms.syncToken !== token, `delta sync: the new token ${ms.syncToken} should differ from ${token}`);
      });
    },
  },
  {
    name: "freebusy",
    title: "free-busy-query, one month, 12 months",
    async run(ctx) {
      const months = ctx.sampleMonths();
      const perMonth = [];
      await ctx.timed("freebusy-month", months, 1, async ([a, b], time) => {
        const m = icsUtc(a).slice(0, 6);
        const body = `<?xml version="1.0" encoding="utf-8"?><C:free-busy-query ${NS}><C:time-range start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:free-busy-query>`;
        const r = await time(() => ctx.request("REPORT", ctx.calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body }));
        ctx.expectStatus(r, [200], `free-busy-query month ${m}`);
        ctx.check(/BEGIN:VFREEBUSY/.test(r.text), `free-busy month ${m}: no VFREEBUSY in ${r.text.slice(0, 200)}`);
        const periods = freeBusyPeriods(r.text);
        perMonth.push(periods.length);
        const bad = periods.filter((p) => !Number.isFinite(p.start) || !Number.isFinite(p.end));
        ctx.check(bad.length === 0, `free-busy month ${m}: unparsable periods ${bad.slice(0, 3).map((p) => p.raw).join(", ")}`);
        const notBusy = periods.filter((p) => p.fbtype !== "BUSY");
        ctx.check(notBusy.length === 0, `free-busy month ${m}: ${notBusy.length} periods not FBTYPE=BUSY, e.g. ${notBusy.slice(0, 3).map((p) => `${p.fbtype} ${p.raw}`).join(", ")}`);
        const expected = [];
        for (const ev of ctx.events.values())
          for (const iv of ctx.inst(ev))
            if (overlaps(iv, a, b)) expected.push({ start: Math.max(iv.start, a), end: Math.min(iv.end, b), ev });
        const busy = union(periods);
        const truth = union(expected);
        const uncovered = expected.filter((iv) => !covered(iv, busy));
        const outside = periods.filter((p) => !covered(p, truth));
        ctx.check(uncovered.length === 0, `free-busy month ${m}: ${uncovered.length} of ${expected.length} event instances are not inside a busy period, e.g. ${uncovered.slice(0, 3).map((iv) => `${icsUtc(iv.start)}/${icsUtc(iv.end)} (${ctx.describe(iv.ev, a, b)})`).join("; ")}`);
        ctx.check(outside.length === 0, `free-busy month ${m}: ${outside.length} of ${periods.length} busy periods lie outside the events, e.g. ${outside.slice(0, 3).map((p) => p.raw).join(", ")}`);
      });
      ctx.note(`${perMonth.reduce((x, y) => x + y, 0)} busy periods over ${months.length} months (${spread(perMonth)}): ${months.map(([a]) => icsUtc(a).slice(0, 6)).join(" ")}`);
    },
  },
  {
    name: "schedule",
    once: true,
    label: "sched",
    title: "one meeting, 100 local attendees: delivery and replies",
    async run(ctx) {
      const ATTENDEES = 100;
      const failuresBefore = ctx.failures.length;
      const REPLIES = ["ACCEPTED", "ACCEPTED", "DECLINED", "ACCEPTED", "TENTATIVE"]; // by index: 60/20/20
      const POLL_TIMEOUT_MS = 180_000;
      const pollWait = (n) => [50, 75][n] ?? 100; // ms between one attendee's polls, then 100 ms

      // Setup (not timed): the users, with the CLI, 8 at a time.
      const tUsers = performance.now();
      const names = ["schedorg", ...Array.from({ length: ATTENDEES }, (_, k) => `att${String(k + 1).padStart(3, "0")}`)];
      const users = new Map();
      await mapLimit(names, 8, async (name) => {
        users.set(name, await addUser(ctx.server, name, { password: `bench-${name}-password`, emails: [`${name}@bench.example`], name: name === "schedorg" ? "Bench Organizer" : `Attendee ${name}` }));
      });
      ctx.note(`${names.length} users added with the CLI, 8 at a time, in ${((performance.now() - tUsers) / 1000).toFixed(1)} s (not timed)`);

      const org = users.get("schedorg");
      const orgAddress = "mailto:schedorg@bench.example";
      const orgHref = "/calendars/schedorg/calendar/meeting.ics";
      const uid = `bench-sched-${SEED}@bench.example`;
      const copyName = `${uid}.ics`; // the server names a delivered copy by its UID
      const atts = names.slice(1).map((name, k) => ({
        name, user: users.get(name), address: `mailto:${name}@bench.example`, expected: REPLIES[k % REPLIES.length], href: `/calendars/${name}/calendar/${copyName}`,
      }));
      const invite = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav//bench//EN", "CALSCALE:GREGORIAN", "BEGIN:VEVENT",
        `UID:${uid}`, "DTSTAMP:20261101T000000Z", "SEQUENCE:0", "DTSTART:20261210T150000Z", "DTEND:20261210T160000Z", "SUMMARY:Bench all-hands",
        `ORGANIZER;CN=Bench Organizer:${orgAddress}`,
        ...atts.map((a) => `ATTENDEE;CN=Attendee ${a.name};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:${a.address}`),
        "END:VEVENT", "END:VCALENDAR", "",
      ].map(fold).join("\r\n");
      const byAddress = (text) => new Map(attendeesOf(text).map((x) => [x.address, x.params]));

      // Warm-up (not timed): every attendee asks for the copy once (404), as a client that is already
      // connected would have: the server memoizes a verified Basic password per isolate (PBKDF2, 100,000
      // iterations, is slow on purpose), and the first request also wakes the attendee's home.
      const tWarm = performance.now();
      await mapLimit(atts, CONCURRENCY, async (a) => {
        const r = await ctx.request("GET", a.href, { as: a.user });
        ctx.expectStatus(r, [404], `GET ${a.href} before the invitation`);
      });
      ctx.note(`warm-up: each attendee GET ${copyName} once (404) in ${((performance.now() - tWarm) / 1000).toFixed(1)} s (not timed)`);

      // 1. The invitation, and its delivery to the 100 homes.
      const t0 = performance.now();
      const put = await ctx.request("PUT", orgHref, { as: org, headers: { "Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*" }, body: invite });
      const putMs = performance.now() - t0;
      ctx.expectStatus(put, [201], "organizer PUT (100 attendees)");
      const tagAtPut = put.headers.get("schedule-tag");
      ctx.check(Boolean(tagAtPut), "organizer PUT: no Schedule-Tag in the answer (RFC 6638 section 3.2.10)");

      const gate = semaphore(POLL_CONCURRENCY);
      const delivered = new Array(ATTENDEES);
      let deliveryPolls = 0;
      const pollMs = [];
      await Promise.all(atts.map(async (a, k) => {
        for (let n = 0; ; n++) {
          const r = await gate(async () => {
            const t = performance.now();
            const res = await ctx.request("GET", a.href, { as: a.user });
            pollMs.push(performance.now() - t);
            return res;
          });
          deliveryPolls++;
          if (r.status === 200) {
            delivered[k] = { ms: performance.now() - t0, text: r.text, etag: r.headers.get("etag"), tag: r.headers.get("schedule-tag") };
            return;
          }
          ctx.expectStatus(r, [200, 404], `GET ${a.href} (attendee ${a.name}'s copy)`);
          if (performance.now() - t0 > POLL_TIMEOUT_MS) return;
          await sleep(pollWait(n));
        }
      }));
      const missing = atts.filter((_, k) => !delivered[k]);
      ctx.check(missing.length === 0, `delivery: ${missing.length} of ${ATTENDEES} homes have no ${copyName} after ${POLL_TIMEOUT_MS / 1000} s, e.g. ${missing.slice(0, 5).map((a) => a.href).join(", ")}`);
      for (const [k, a] of atts.entries()) {
        const d = delivered[k];
        if (!d) continue;
        const mine = byAddress(d.text).get(a.address);
        const organizer = unfold(d.text).find((l) => /^ORGANIZER[;:]/i.test(l));
        const problems = [
          uidOf(d.text) !== uid && `UID ${uidOf(d.text)}`,
          !organizer && "no ORGANIZER",
          organizer && normAddress(parseContentLine(organizer).value) !== orgAddress && `ORGANIZER ${parseContentLine(organizer).value}`,
          !mine && "no ATTENDEE line for the attendee",
          mine && (mine.PARTSTAT ?? "NEEDS-ACTION").toUpperCase() !== "NEEDS-ACTION" && `own PARTSTAT ${mine.PARTSTAT}`,
          !d.tag && "no Schedule-Tag header",
        ].filter(Boolean);
        ctx.check(problems.length === 0, `delivered copy ${a.href}: ${problems.join(", ")}\n${d.text.slice(0, 600)}`);
      }
      const tDelivered = maxOf(delivered.filter(Boolean).map((d) => d.ms));
      ctx.row("sched-deliver", { ops: ATTENDEES, concurrency: POLL_CONCURRENCY, wallMs: tDelivered, latencies: delivered.filter(Boolean).map((d) => d.ms), ok: ctx.failures.length === failuresBefore });
      ctx.note(`organizer PUT ${putMs.toFixed(0)} ms; all ${ATTENDEES - missing.length} homes hold the event ${(tDelivered / 1000).toFixed(2)} s after the PUT started (${deliveryPolls} GET polls, ${POLL_CONCURRENCY} at a time, each p50 ${percentile(pollMs.sort((x, y) => x - y), 50).toFixed(0)} ms / max ${pollMs.at(-1).toFixed(0)} ms)`);
      if (missing.length) throw new Error("not every attendee got the invitation; replies skipped");

      const before = await ctx.request("GET", orgHref, { as: org });
      ctx.expectStatus(before, [200], "GET the organizer's copy before the replies");
      const tagBefore = before.headers.get("schedule-tag");
      const etagBefore = before.headers.get("etag");
      ctx.note(`organizer's copy after delivery: SCHEDULE-STATUS ${histogram(atts.map((a) => byAddress(before.text).get(a.address)?.["SCHEDULE-STATUS"]))}`);

      // 2. The replies, and their merge into the organizer's copy.
      const sentAt = new Array(ATTENDEES);
      const mergedAt = new Array(ATTENDEES);
      const replyPut = [];
      let last = before;
      let orgPolls = 0;
      const orgPollMs = [];
      let repliesDone = false;
      const refused = new Set();
      const tR = performance.now();
      const watcher = (async () => {
        for (;;) {
          const t = performance.now();
          const r = await ctx.request("GET", orgHref, { as: org });
          const now = performance.now();
          orgPollMs.push(now - t);
          orgPolls++;
          ctx.expectStatus(r, [200], "GET the organizer's copy");
          last = r;
          const seen = byAddress(r.text);
          for (const [k, a] of atts.entries())
            if (mergedAt[k] === undefined && sentAt[k] !== undefined && (seen.get(a.address)?.PARTSTAT ?? "").toUpperCase() === a.expected) mergedAt[k] = now;
          if (repliesDone && mergedAt.filter((x) => x !== undefined).length + refused.size >= ATTENDEES) return;
          if (repliesDone && now - tR > POLL_TIMEOUT_MS) return;
          await sleep(50);
        }
      })();
      try {
        await mapLimit(atts, CONCURRENCY, async (a, k) => {
          const body = withPartstat(delivered[k].text, a.address, a.expected);
          sentAt[k] = performance.now();
          const r = await ctx.request("PUT", a.href, {
            as: a.user, headers: { "Content-Type": "text/calendar; charset=utf-8", "If-Schedule-Tag-Match": delivered[k].tag ?? '"none"' }, body,
          });
          replyPut.push(performance.now() - sentAt[k]);
          const problem = ctx.statusProblem(r, [200, 204], `reply PUT by ${a.name} (PARTSTAT=${a.expected}, If-Schedule-Tag-Match: ${delivered[k].tag})`);
          if (problem) {
            refused.add(k);
            ctx.check(false, problem);
          }
        });
      } finally {
        repliesDone = true;
      }
      await watcher;
      const merged = atts.map((a, k) => (mergedAt[k] === undefined ? null : mergedAt[k] - sentAt[k]));
      const tReplies = maxOf(mergedAt.filter((x) => x !== undefined)) - tR;
      const final = byAddress(last.text);
      const wrong = atts.filter((a) => (final.get(a.address)?.PARTSTAT ?? "NEEDS-ACTION").toUpperCase() !== a.expected);
      ctx.check(wrong.length === 0, `replies: the organizer's copy shows ${wrong.length} of ${ATTENDEES} PARTSTATs other than sent, e.g. ${wrong.slice(0, 5).map((a) => `${a.name}: ${final.get(a.address)?.PARTSTAT ?? "(no ATTENDEE)"} instead of ${a.expected}`).join(", ")}`);
      ctx.row("sched-replies", { ops: ATTENDEES, concurrency: CONCURRENCY, wallMs: tReplies, latencies: merged.filter((x) => x !== null), ok: ctx.failures.length === failuresBefore });
      replyPut.sort((x, y) => x - y);
      ctx.note(`all ${ATTENDEES - wrong.length} replies merged ${(tReplies / 1000).toFixed(2)} s after the first reply PUT (reply PUT p50 ${percentile(replyPut, 50).toFixed(0)} ms, p95 ${percentile(replyPut, 95).toFixed(0)} ms; ${orgPolls} GET polls of the organizer's copy, each p50 ${percentile(orgPollMs.sort((x, y) => x - y), 50).toFixed(0)} ms / max ${orgPollMs.at(-1).toFixed(0)} ms)`);

      // 3. SCHEDULE-STATUS, Schedule-Tag and ETag of the organizer's copy.
      const statuses = () => atts.map((a) => final.get(a.address)?.["SCHEDULE-STATUS"]);
      const ok = (st) => st === "1.2" || st === "2.0";
      ctx.note(`organizer's copy after the merges: SCHEDULE-STATUS ${histogram(statuses())}`);
      let after = last;
      if (!statuses().every(ok)) {
        // the delivery reports may still be on their way: look again for a while, and say what was seen first
        for (let t = performance.now(); performance.now() - t < 15_000; ) {
          await sleep(250);
          after = await ctx.request("GET", orgHref, { as: org });
          const again = byAddress(after.text);
          for (const [k, v] of again) final.set(k, v);
          if (statuses().every(ok)) break;
        }
        ctx.note(`  ... after waiting up to 15 s: SCHEDULE-STATUS ${histogram(statuses())}`);
      }
      const bad = atts.filter((a) => !ok(final.get(a.address)?.["SCHEDULE-STATUS"]));
      ctx.check(bad.length === 0, `organizer's copy: ${bad.length} attendees with a SCHEDULE-STATUS other than 1.2/2.0, e.g. ${bad.slice(0, 5).map((a) => `${a.name}: ${final.get(a.address)?.["SCHEDULE-STATUS"]}`).join(", ")}`);
      const tagAfter = after.headers.get("schedule-tag");
      const etagAfter = after.headers.get("etag");
      ctx.check(tagBefore === tagAfter, `organizer's Schedule-Tag changed through the reply merges: ${tagBefore} -> ${tagAfter} (RFC 6638 section 3.2.10)`);
      ctx.check(tagAtPut === tagBefore, `organizer's Schedule-Tag changed during delivery (SCHEDULE-STATUS updates): ${tagAtPut} at PUT -> ${tagBefore}`);
      ctx.check(Boolean(etagBefore) && etagBefore !== etagAfter, `organizer's ETag did not change through the reply merges: ${etagBefore} -> ${etagAfter}`);
      ctx.note(`organizer's Schedule-Tag ${tagAtPut} (PUT) / ${tagBefore} (before replies) / ${tagAfter} (after): ${tagAtPut === tagBefore && tagBefore === tagAfter ? "unchanged" : "CHANGED"}; ETag ${etagBefore} -> ${etagAfter}: ${etagBefore !== etagAfter ? "changed" : "UNCHANGED"}`);
      ctx.extra.schedule = {
        attendees: ATTENDEES,
        organizerPutMs: Math.round(putMs),
        tDeliveredMs: Math.round(tDelivered),
        tRepliesMs: Math.round(tReplies),
        deliveryP50Ms: round1(percentile(delivered.map((d) => d.ms).sort((x, y) => x - y), 50)),
        deliveryP95Ms: round1(percentile(delivered.map((d) => d.ms).sort((x, y) => x - y), 95)),
        mergeP50Ms: round1(percentile(merged.filter((x) => x !== null).sort((x, y) => x - y), 50)),
        mergeP95Ms: round1(percentile(merged.filter((x) => x !== null).sort((x, y) => x - y), 95)),
        replyPutP50Ms: round1(percentile(replyPut, 50)),
        scheduleStatus: histogramObject(statuses()),
        scheduleTagUnchanged: tagAtPut === tagBefore && tagBefore === tagAfter,
        etagChanged: etagBefore !== etagAfter,
      };
    },
  },
  {
    name: "expansion-stall",
    once: true,
    label: "stall",
    title: "8 and 16 parallel ten-year expansions of an endless SECONDLY event beside another user's PROPFIND and OPTIONS",
    async run(ctx) {
      const STALL_LIMIT_MS = 1000;
      const ROUNDS = 4;
      const heavy = await addUser(ctx.server, "stallheavy", { password: "bench-stallheavy-password", emails: ["stallheavy@bench.example"] });
      const other = await addUser(ctx.server, "stallother", { password: "bench-stallother-password", emails: ["stallother@bench.example"] });
      const heavyCal = "/calendars/stallheavy/calendar/";
      const otherCal = "/calendars/stallother/calendar/";
      const ics = (uid, lines) => ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav//bench//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20260101T000000Z", ...lines, "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
      const putIcs = async (as, path, body) => {
        const r = await ctx.request("PUT", path, { as, headers: { "Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*" }, body });
        ctx.expectStatus(r, [201], `PUT ${path}`);
      };
      await putIcs(heavy, `${heavyCal}secondly.ics`, ics("stall-secondly@bench.example", ["DTSTART:20260101T000000Z", "DURATION:PT1S", "SUMMARY:Every second forever", "RRULE:FREQ=SECONDLY"]));
      for (let k = 0; k < 20; k++)
        await putIcs(other, `${otherCal}e${k}.ics`, ics(`stall-other-${k}@bench.example`, [`DTSTART:202603${String(k + 1).padStart(2, "0")}T090000Z`, "DURATION:PT1H", `SUMMARY:Other user's event ${k}`]));

      const expandBody = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/><C:calendar-data><C:expand start="20260101T000000Z" end="20360101T000000Z"/></C:calendar-data></D:prop>` +
        `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20260101T000000Z" end="20360101T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
      const propfindBody = `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:getetag/><D:displayname/></D:prop></D:propfind>`;
      const expand = () => ctx.request("REPORT", heavyCal, { as: heavy, headers: { ...XML_HEADERS, Depth: "1" }, body: expandBody });
      const bystander = async (k) => {
        const r = k % 2 === 0
          ? await ctx.request("PROPFIND", otherCal, { as: other, headers: { ...XML_HEADERS, Depth: "1" }, body: propfindBody })
          : await ctx.request("OPTIONS", otherCal);
        ctx.expectStatus(r, k % 2 === 0 ? [207] : [200, 204], k % 2 === 0 ? "the other user's PROPFIND" : "OPTIONS");
        if (k % 2 === 0) ctx.check(parseMultistatus(r.text).responses.length === 21, `the other user's PROPFIND listed ${parseMultistatus(r.text).responses.length} responses, expected 21`);
      };
      // Warm-up (not timed): both logins are memoized by then (PBKDF2 is slow on purpose), both homes awake.
      await bystander(0);
      await bystander(1);
      const first = await expand();
      ctx.note(`warm-up expansion: ${first.status} ${/number-of-matches-within-limits/.test(first.text) ? "DAV:number-of-matches-within-limits" : first.text.slice(0, 200)}`);

      // Last, the same with a rule the server cannot count without walking (a contracting part that always
      // matches): each refusal then walks one object's budget. Printed, not checked (see README, Limits).
      const partsEvent = ics("stall-secondly-parts@bench.example", ["DTSTART:20260101T000000Z", "DURATION:PT1S", "SUMMARY:Every second, every month", "RRULE:FREQ=SECONDLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12"]);
      const expandOne = (name) => ctx.request("REPORT", heavyCal, { as: heavy, headers: { ...XML_HEADERS, Depth: "1" }, body: multigetExpand(name) });
      const multigetExpand = (name) => `<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data><C:expand start="20260101T000000Z" end="20360101T000000Z"/></C:calendar-data></D:prop><D:href>${heavyCal}${name}</D:href></C:calendar-multiget>`;
      const runs = [
        { parallel: 8, key: "stall8", label: "", checked: true, go: expand },
        { parallel: 16, key: "stall16", label: "", checked: true, go: expand },
        { parallel: 16, key: "stall16parts", label: "-parts", checked: false, go: () => expandOne("secondly-parts.ics") },
      ];
      for (const { parallel, key, label, checked, go } of runs) {
        if (!checked) await putIcs(heavy, `${heavyCal}secondly-parts.ics`, partsEvent);
        const statuses = {};
        const expansionMs = [];
        const otherMs = [];
        let done = false;
        const t0 = performance.now();
        const watcher = (async () => {
          for (let k = 0; !done || k < 4; k++) {
            const t = performance.now();
            await bystander(k);
            otherMs.push(performance.now() - t);
          }
        })();
        await mapLimit(Array.from({ length: parallel * ROUNDS }, (_, i) => i), parallel, async () => {
          const t = performance.now();
          const r = await go();
          expansionMs.push(performance.now() - t);
          const refusedHere = r.status === 403 && /number-of-matches-within-limits/.test(r.text);
          const inMultistatus = r.status === 207 && /number-of-matches-within-limits/.test(r.text);
          const k = `${r.status}${refusedHere || inMultistatus ? " number-of-matches-within-limits" : ""}`;
          statuses[k] = (statuses[k] ?? 0) + 1;
        });
        const wallMs = performance.now() - t0;
        done = true;
        await watcher;
        const sorted = [...otherMs].sort((x, y) => x - y);
        const refused = Object.entries(statuses).filter(([k]) => k.endsWith("number-of-matches-within-limits")).reduce((n, [, v]) => n + v, 0);
        const what = `${parallel} parallel expansions${label ? ` (${label.slice(1)}, not checked)` : ""}`;
        ctx.check(refused === parallel * ROUNDS, `${what}: status codes ${JSON.stringify(statuses)}, expected ${parallel * ROUNDS} refusals with number-of-matches-within-limits`);
        if (checked) ctx.check(sorted.at(-1) < STALL_LIMIT_MS, `${what}: the other user's slowest request took ${sorted.at(-1).toFixed(0)} ms (limit ${STALL_LIMIT_MS} ms)`);
        const expRow = ctx.row(`stall-${parallel}${label}-expand`, { ops: expansionMs.length, concurrency: parallel, wallMs, latencies: expansionMs, ok: refused === parallel * ROUNDS });
        const otherRow = ctx.row(`stall-${parallel}${label}-other`, { ops: otherMs.length, concurrency: 1, wallMs, latencies: otherMs, ok: !checked || sorted.at(-1) < STALL_LIMIT_MS });
        ctx.note(`${what} x ${ROUNDS}: status ${Object.entries(statuses).map(([k, n]) => `${k}: ${n}`).join(", ")}; expansion p50 ${expRow.p50Ms} / p95 ${expRow.p95Ms} / max ${expRow.maxMs} ms; ` +
          `other user (PROPFIND + OPTIONS, ${otherMs.length} requests) p50 ${otherRow.p50Ms} / p95 ${otherRow.p95Ms} / max ${otherRow.maxMs} ms; workerd peak ${otherRow.workerdPeakMB} MB`);
        ctx.extra[key] = { parallel, checked, statuses, otherP50Ms: otherRow.p50Ms, otherP95Ms: otherRow.p95Ms, otherMaxMs: otherRow.maxMs, expandP50Ms: expRow.p50Ms, workerdPeakMB: otherRow.workerdPeakMB };
      }
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

const round1 = (x) => Math.round(x * 10) / 10;
const maxOf = (xs) => (xs.length ? Math.max(...xs) : NaN);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

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

/** At most `limit` calls of gate(fn) run at a time; the others wait in order. */
function semaphore(limit) {
  let active = 0;
  const waiting = [];
  return async (fn) => {
    if (active >= limit) await new Promise((res) => waiting.push(res));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

function histogramObject(values) {
  const h = {};
  for (const v of values) h[v ?? "(none)"] = (h[v ?? "(none)"] ?? 0) + 1;
  return h;
}
const histogram = (values) => Object.entries(histogramObject(values)).sort(([x], [y]) => x.localeCompare(y)).map(([k, n]) => `${k}: ${n}`).join(", ");
/** "min 12, p50 20, max 31" of a list of counts. */
function spread(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? `min ${s[0]}, median ${percentile(s, 50)}, max ${s.at(-1)}` : "none";
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

/**
 * The state a run shares between its phases. `label` names the run in the
 * output (the size, or "sched"); `user` (may be null) is the default login
 * and owns `calHref`; `size` (0 for a once-run) sets the span of the data.
 */
function makeContext(server, label, user, size) {
  const calHref = user ? `/calendars/${user.username}/calendar/` : null;
  const auth = user ? basicAuth(user.username, user.password) : null;
  const span = spanOf(size || 1000);
  const ctx = {
    server,
    size,
    label,
    user,
    calHref,
    span,
    rng: prng(SEED + size),
    eventCtx: { tag: `${size}`, email: user?.emails[0], span },
    events: new Map(), // name → event, as currently stored
    etags: new Map(), // name → its current ETag (from PUT, or read back once it settled; see settle)
    byUid: new Map(),
    awaiting: new Map(), // name → meeting whose stored copy the server has yet to mark SCHEDULE-STATUS=3.7
    steps: [],
    failures: [],
    notes: [],
    extra: {},
    phase: "",
    nextIndex: 0,
    _once: new Set(),

    /** An HTTP request as `as` (Basic credentials; default: the run's user). */
    async request(method, path, { headers = {}, body, as } = {}) {
      const authorization = as ? basicAuth(as.username, as.password) : auth;
      const res = await fetch(server.url + path, { method, headers: { ...(authorization ? { Authorization: authorization } : {}), ...headers }, body });
      const text = await res.text();
      return { method, path, status: res.status, headers: res.headers, text, requestBody: body, requestHeaders: headers };
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
     * Records a successful PUT. A meeting's stored copy is rewritten by the
     * server after the PUT (SCHEDULE-STATUS 1.0 at once, so the PUT has no
     * ETag; 3.7 once the queue has run): its ETag is read by settle().
     */
    stored(ev, r) {
      ctx.store(ev, r.headers.get("etag"));
      if (ev.kind === "meeting") ctx.awaiting.set(ev.name, ev);
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
     * Waits until every meeting written since the last call carries
     * SCHEDULE-STATUS=3.7 on all of its (non-local) attendees, reading them
     * with calendar-multiget (100 a request, 4 requests at a time, every
     * 200 ms), checks UID and PARTSTAT, and takes their ETags from there.
     * Not timed; prints how long it took.
     */
    async settle(timeoutMs = 300_000) {
      if (ctx.awaiting.size === 0) return;
      const n = ctx.awaiting.size;
      const t0 = performance.now();
      const last = new Map();
      let rounds = 0;
      while (ctx.awaiting.size > 0 && performance.now() - t0 < timeoutMs) {
        if (rounds++ > 0) await sleep(200);
        const names = [...ctx.awaiting.keys()];
        const chunks = [];
        for (let i = 0; i < names.length; i += 100) chunks.push(names.slice(i, i + 100));
        await mapLimit(chunks, 4, async (chunk) => {
          const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
            chunk.map((x) => `<D:href>${calHref}${x}</D:href>`).join("") + "</C:calendar-multiget>";
          const r = await ctx.request("REPORT", calHref, { headers: { ...XML_HEADERS, Depth: "1" }, body });
          ctx.expectStatus(r, [207], "calendar-multiget (settle)");
          for (const x of parseMultistatus(r.text).responses) {
            const name = x.href.slice(calHref.length);
            const ev = ctx.awaiting.get(name);
            const data = propText(x, CALDATA);
            if (!ev || data === undefined) continue;
            const att = new Map(attendeesOf(data).map((a) => [a.address, a.params]));
            const st = ev.attendees.map((a) => att.get(normAddress(`mailto:${a}`))?.["SCHEDULE-STATUS"] ?? "(none)");
            last.set(name, st.join(","));
            if (!st.every((v) => v === "3.7")) continue;
            ctx.awaiting.delete(name);
            ctx.check(uidOf(data) === ev.uid, `settle: ${name} carries UID ${uidOf(data)}, expected ${ev.uid}`);
            const ps = ev.attendees.map((a) => att.get(normAddress(`mailto:${a}`))?.PARTSTAT);
            ctx.check(ps.every((v) => v === "NEEDS-ACTION"), `settle: ${name}: attendee PARTSTATs ${ps.join(",")}, expected NEEDS-ACTION`);
            ctx.etags.set(name, propText(x, GETETAG));
          }
        });
      }
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      const left = [...ctx.awaiting.keys()];
      ctx.check(left.length === 0, `settle: ${left.length} of ${n} meeting copies still without SCHEDULE-STATUS=3.7 on every attendee after ${s} s, e.g. ${left.slice(0, 3).map((x) => `${x}: ${last.get(x) ?? "not returned"}`).join("; ")}`);
      ctx.note(`settle: ${n - left.length} of ${n} meeting copies marked SCHEDULE-STATUS=3.7 (3 attendees each, kept for e-mail) ${s} s after the last write (${rounds} multiget rounds; not timed)`);
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
      ctx.notes.push(`[${label}] ${ctx.phase}: ${text}`);
      console.log(`  [${label}] ${ctx.phase}: ${text}`);
    },
    /** Records and prints one result row: `latencies` (ms) give p50/p95, `wallMs` the ops/s. */
    row(step, { ops, concurrency, wallMs, latencies, ok }) {
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
        workerdPeakMB: mem.totalPeakMB,
        workerPeakMB: mem.workerPeakMB,
        ok,
      };
      ctx.steps.push(row);
      console.log(
        `  [${label}] ${step.padEnd(20)} ${String(row.ops).padStart(6)} ops ${String(row.opsPerSec).padStart(8)} ops/s  p50 ${String(row.p50Ms).padStart(7)} ms  p95 ${String(row.p95Ms).padStart(7)} ms` +
          `  workerd peak ${mem.workerPeakMB} MB (+proxy ${mem.proxyPeakMB} MB)  ${row.ok ? "ok" : "FAIL"}`,
      );
      return row;
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
      const row = ctx.row(step, { ops: lat.length, concurrency, wallMs: performance.now() - t0, latencies: lat, ok: !error && ctx.failures.length === failuresBefore });
      if (error) throw error;
      return row;
    },
  };
  return ctx;
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

async function startTimed(what) {
  console.log(`\n== ${what}: starting wrangler dev`);
  const t0 = performance.now();
  const server = await startServer({ echo: opts.echo });
  const startupMs = Math.round(performance.now() - t0);
  console.log(`  ${server.url} ready in ${startupMs} ms (sources ${server.cwd}, persist-to ${server.persistDir})`);
  return { server, startupMs };
}

function finish(ctx, server, startupMs) {
  if (server.reloads() > 0)
    ctx.failures.push({ phase: "server", message: `wrangler rebuilt and restarted the Worker ${server.reloads()} time(s) during the run (its sources changed); the numbers are not from one build` });
  const mem = workerdMemory(server);
  return { size: ctx.label, startupMs, steps: ctx.steps, failures: ctx.failures, notes: ctx.notes, extra: ctx.extra, memory: { ...ctx.sampleMemory(), processes: mem } };
}

async function runSize(size, phases) {
  const { server, startupMs } = await startTimed(`${size} events`);
  try {
    const name = `bench${size}`;
    const user = await addUser(server, name, { password: `bench-${size}-password`, emails: [`${name}@bench.example`], name: `Bench ${size}` });
    const ctx = makeContext(server, size, user, size);
    const idle = ctx.sampleMemory();
    console.log(`  user ${name} added with the CLI; workerd RSS at start ${idle.workerRssMB} MB (worker), ${idle.processes} workerd processes`);
    await runPhases(ctx, phases);
    return finish(ctx, server, startupMs);
  } finally {
    await server.stop();
  }
}

/** The `once` phases, after the sizes, on a fresh server of their own (they create their own users). */
async function runOnce(phases) {
  const { server, startupMs } = await startTimed(`once: ${phases.map((p) => p.name).join(", ")}`);
  try {
    const ctx = makeContext(server, phases.map((p) => p.label ?? p.name).join("+"), null, 0);
    await runPhases(ctx, phases);
    return finish(ctx, server, startupMs);
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
  const perSize = phases.filter((p) => !p.once);
  const once = phases.filter((p) => p.once);
  if (selected && perSize.length && !selected.includes("put")) console.log("note: without the put phase the calendar is empty");
  console.log(
    `edge-caldav benchmark: sizes ${perSize.length ? SIZES.join(", ") : "(none)"}, seed ${SEED}, concurrency ${CONCURRENCY}, phases ${perSize.map((p) => p.name).join(", ") || "(none)"}` +
      `${once.length ? `; once after them: ${once.map((p) => p.name).join(", ")}` : ""}`,
  );
  const t0 = performance.now();
  const results = [];
  if (perSize.length) for (const size of SIZES) results.push(await runSize(size, perSize));
  if (once.length) results.push(await runOnce(once));
  const totalS = Math.round((performance.now() - t0) / 100) / 10;

  console.log("\n== summary");
  const rows = results.flatMap((r) => r.steps);
  console.log(
    table(rows, [
      { title: "events", get: (r) => r.size },
      { title: "step", get: (r) => r.step, left: true },
      { title: "ops", get: (r) => r.ops },
      { title: "conc", get: (r) => r.concurrency },
      { title: "wall s", get: (r) => (r.wallMs / 1000).toFixed(r.wallMs < 10_000 ? 2 : 1) },
      { title: "ops/s", get: (r) => r.opsPerSec },
      { title: "p50 ms", get: (r) => r.p50Ms },
      { title: "p95 ms", get: (r) => r.p95Ms },
      { title: "workerd peak MB", get: (r) => r.workerPeakMB },
      { title: "check", get: (r) => (r.ok ? "ok" : "FAIL"), left: true },
    ]),
  );
  console.log("");
  for (const r of results)
    console.log(`${String(r.size).padStart(6)}${typeof r.size === "number" ? " events" : " run   "}: workerd peak RSS (VmHWM) ${r.memory.workerPeakMB} MB worker + ${r.memory.proxyPeakMB} MB proxy = ${r.memory.totalPeakMB} MB; startup ${(r.startupMs / 1000).toFixed(1)} s`);
  const sched = results.find((r) => r.extra.schedule)?.extra.schedule;
  if (sched)
    console.log(
      `  sched: ${sched.attendees} attendees; organizer PUT ${sched.organizerPutMs} ms; t_delivered ${(sched.tDeliveredMs / 1000).toFixed(2)} s (per attendee p50 ${sched.deliveryP50Ms} / p95 ${sched.deliveryP95Ms} ms);` +
        ` t_replies ${(sched.tRepliesMs / 1000).toFixed(2)} s (per reply p50 ${sched.mergeP50Ms} / p95 ${sched.mergeP95Ms} ms); SCHEDULE-STATUS ${histogram(Object.entries(sched.scheduleStatus).flatMap(([k, n]) => Array(n).fill(k)))};` +
        ` Schedule-Tag ${sched.scheduleTagUnchanged ? "unchanged" : "CHANGED"}, ETag ${sched.etagChanged ? "changed" : "UNCHANGED"}`,
    );
  for (const key of ["stall8", "stall16", "stall16parts"]) {
    const st = results.find((r) => r.extra[key])?.extra[key];
    if (st)
      console.log(
        `  stall: ${st.parallel} parallel ten-year expansions${key.endsWith("parts") ? " of the rule with parts (not checked)" : ""}: ${Object.entries(st.statuses).map(([k, n]) => `${k} x${n}`).join(", ")}; ` +
          `the other user's PROPFIND/OPTIONS p50 ${st.otherP50Ms} / p95 ${st.otherP95Ms} / max ${st.otherMaxMs} ms; workerd peak ${st.workerdPeakMB} MB`,
      );
  }
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
      sizes: results.filter((r) => typeof r.size === "number").map((r) => ({
        events: r.size,
        startupMs: r.startupMs,
        workerdPeakMB: { worker: r.memory.workerPeakMB, proxy: r.memory.proxyPeakMB, total: r.memory.totalPeakMB },
        steps: r.steps.map(({ size, ...s }) => s),
        failures: r.failures.map((f) => `${f.phase}: ${f.message.split("\n")[0]}`),
      })),
      once: results.filter((r) => typeof r.size !== "number").map((r) => ({
        run: r.size,
        startupMs: r.startupMs,
        workerdPeakMB: { worker: r.memory.workerPeakMB, proxy: r.memory.proxyPeakMB, total: r.memory.totalPeakMB },
        steps: r.steps.map(({ size, ...s }) => s),
        ...r.extra,
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
