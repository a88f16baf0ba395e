// The benchmark's `once` phases (bench/run.mjs): each runs once, after the
// sizes, on a server of its own, and makes its own users with the admin
// CLI, so they run only against a server the benchmark started (not with
// --url). schedule: RFC 6638 implicit scheduling of one meeting with 100
// local attendees (delivery, then replies merged into the organizer's
// copy). expansion-stall: parallel expansions of an endless rule beside
// another user's requests (the bounds of README "Limits").
import { addUser } from "./server.mjs";
import { maxOf, mapLimit, percentile, round1, semaphore, sleep, histogram, histogramObject } from "./util.mjs";
import { attendeesOf, fold, normAddress, parseContentLine, uidOf, unfold, withPartstat } from "./workload.mjs";
import { parseMultistatus } from "./xml.mjs";
import { NS, XML_HEADERS } from "./context.mjs";

export const ONCE_PHASES = [
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
      const uid = `bench-sched-${ctx.config.seed}@bench.example`;
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
      await mapLimit(atts, ctx.config.concurrency, async (a) => {
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

      const gate = semaphore(ctx.config.pollConcurrency);
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
      ctx.row("sched-deliver", { ops: ATTENDEES, concurrency: ctx.config.pollConcurrency, wallMs: tDelivered, latencies: delivered.filter(Boolean).map((d) => d.ms), ok: ctx.failures.length === failuresBefore });
      ctx.note(`organizer PUT ${putMs.toFixed(0)} ms; all ${ATTENDEES - missing.length} homes hold the event ${(tDelivered / 1000).toFixed(2)} s after the PUT started (${deliveryPolls} GET polls, ${ctx.config.pollConcurrency} at a time, each p50 ${percentile(pollMs.sort((x, y) => x - y), 50).toFixed(0)} ms / max ${pollMs.at(-1).toFixed(0)} ms)`);
      if (missing.length) throw new Error("not every attendee got the invitation; replies skipped");

      const before = await ctx.request("GET", orgHref, { as: org });
      ctx.expectStatus(before, [200], "GET the organizer's copy before the replies");
      const tagBefore = before.headers.get("schedule-tag");
      const etagBefore = before.headers.get("etag");
      ctx.note(`organizer's copy after delivery: SCHEDULE-STATUS ${histogram(atts.map((a) => byAddress(before.text).get(a.address)?.["SCHEDULE-STATUS"]))}`);

      // 2. The replies, and their merge into the organizer's copy.
      const sentAt = new Array(ATTENDEES);
      const answeredAt = new Array(ATTENDEES);
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
        await mapLimit(atts, ctx.config.concurrency, async (a, k) => {
          const body = withPartstat(delivered[k].text, a.address, a.expected);
          sentAt[k] = performance.now();
          const r = await ctx.request("PUT", a.href, {
            as: a.user, headers: { "Content-Type": "text/calendar; charset=utf-8", "If-Schedule-Tag-Match": delivered[k].tag ?? '"none"' }, body,
          });
          answeredAt[k] = performance.now();
          replyPut.push(answeredAt[k] - sentAt[k]);
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
      // The issue's measure: from the last reply PUT's answer until every reply shows in the organizer's copy.
      const tAfterLast = Math.max(0, maxOf(mergedAt.filter((x) => x !== undefined)) - maxOf(answeredAt.filter((x) => x !== undefined)));
      const final = byAddress(last.text);
      const wrong = atts.filter((a) => (final.get(a.address)?.PARTSTAT ?? "NEEDS-ACTION").toUpperCase() !== a.expected);
      ctx.check(wrong.length === 0, `replies: the organizer's copy shows ${wrong.length} of ${ATTENDEES} PARTSTATs other than sent, e.g. ${wrong.slice(0, 5).map((a) => `${a.name}: ${final.get(a.address)?.PARTSTAT ?? "(no ATTENDEE)"} instead of ${a.expected}`).join(", ")}`);
      ctx.row("sched-replies", { ops: ATTENDEES, concurrency: ctx.config.concurrency, wallMs: tReplies, latencies: merged.filter((x) => x !== null), ok: ctx.failures.length === failuresBefore });
      replyPut.sort((x, y) => x - y);
      ctx.note(`all ${ATTENDEES - wrong.length} replies merged ${(tReplies / 1000).toFixed(2)} s after the first reply PUT, ${(tAfterLast / 1000).toFixed(2)} s after the last one was answered (reply PUT p50 ${percentile(replyPut, 50).toFixed(0)} ms, p95 ${percentile(replyPut, 95).toFixed(0)} ms; ${orgPolls} GET polls of the organizer's copy, each p50 ${percentile(orgPollMs.sort((x, y) => x - y), 50).toFixed(0)} ms / max ${orgPollMs.at(-1).toFixed(0)} ms)`);

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
        tAfterLastReplyMs: Math.round(tAfterLast),
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
