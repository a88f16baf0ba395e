// Recurrence expansion is bounded on every path (RFC 5545 §3.8.5.3, RFC 4791
// §7.8, §7.10, §9.6.5, RFC 6638 §5): a rule that never matches is accepted and
// answered with DTSTART as its one instance, within the iteration bound and
// not after a stall; an expansion too long for its bounds answers
// DAV:number-of-matches-within-limits (403) or, per recipient of an outbox
// free-busy POST, 5.1, never a truncated answer. Counts of steps, not wall
// time, show the bounds (src/core/ical/limits.ts): the tests run in the
// Worker's own isolate and read its step counter.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import impossible from "../../fixtures/ics/hostile/impossible-rule.ics?raw";
import secondly from "../../fixtures/ics/hostile/endless-secondly.ics?raw";
import leapDay from "../../fixtures/ics/leap-day-daily.ics?raw";
import { ruleArb, ruleText } from "../../core/ical/hostile-rules.js";
import { LIMITS } from "../../../src/core/ical/limits.js";
import { stepCount } from "../../../src/core/ical/recur-guard.js";
import { parseXml } from "../../../src/core/xml/parse.js";
import { child, childElements, textOf } from "../../../src/core/xml/tree.js";
import { CAL, cal, newUser, putOk, put } from "../../helpers/caldav.js";
import { dav, type Creds } from "../../helpers/dav-client.js";
import { eventually, futureUtc, getCopy, meeting, newUid, party, ps } from "../../helpers/scheduling.js";
import {
  calendarDataOf, calendarQueryBody, compFilter, components, freeBusyBody, freebusyPeriods, lines, multistatusOf, propValue, queryNames, report,
} from "../../helpers/reports.js";

vi.setConfig({ testTimeout: 60_000 });

/** Runs `fn` and returns its result with the recurrence steps the isolate took meanwhile. */
async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; steps: number }> {
  const before = stepCount();
  const value = await fn();
  return { value, steps: stepCount() - before };
}

const expandBody = (start: string, end: string) =>
  calendarQueryBody(compFilter("VEVENT", start, end), { prop: `<C:calendar-data><C:expand start="${start}" end="${end}"/></C:calendar-data>` });

/** The DAV:error condition names of an error answer. */
async function conditions(res: Response): Promise<string[]> {
  const text = await res.text();
  const doc = parseXml(text);
  expect(doc.name, text).toBe("{DAV:}error");
  return childElements(doc).map((e) => e.name);
}

async function outboxFreeBusy(as: Creds, attendee: string, start: string, end: string): Promise<{ status: string; data: string | undefined }> {
  const body = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", "METHOD:REQUEST", "BEGIN:VFREEBUSY",
    `UID:fb-${crypto.randomUUID()}`, "DTSTAMP:20260101T000000Z", `DTSTART:${start}`, `DTEND:${end}`,
    `ORGANIZER:mailto:${as.user}@example.com`, `ATTENDEE:mailto:${attendee}@example.com`, "END:VFREEBUSY", "END:VCALENDAR", "",
  ].join("\r\n");
  const res = await dav("POST", `/calendars/${as.user}/outbox/`, { as, body, headers: { "Content-Type": "text/calendar; charset=utf-8" } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const response = child(parseXml(text), CAL("response"))!;
  const data = child(response, CAL("calendar-data"));
  return { status: textOf(child(response, CAL("request-status"))!).trim(), data: data ? textOf(data) : undefined };
}

const busyOf = (data: string) => freebusyPeriods(components(data, "VFREEBUSY")[0]!).map((p) => `${p.type} ${p.start}/${p.end}`);

describe("a rule that never matches (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30)", () => {
  it("is accepted at once with DTSTART as its one instance (RFC 5545 §3.8.5.3), within one instance's step bound per walk", async () => {
    const u = await newUser("impossible");
    const { value: res, steps } = await counted(() => put(u, `${cal(u)}feb30.ics`, impossible));
    expect(res.status, await res.text()).toBe(201);
    // The index walks the rule once (and the summary once more at most): each walk ends after one instance's bound.
    expect(steps).toBeGreaterThanOrEqual(LIMITS.stepsPerInstance); // the counter sees the Worker's walks
    expect(steps).toBeLessThanOrEqual(3 * (LIMITS.stepsPerInstance + 100));
    const get = await dav("GET", `${cal(u)}feb30.ics`, { as: u });
    expect(await get.text()).toBe(impossible);
  });

  it("answers time-range queries, expand, free-busy-query and outbox free-busy from DTSTART alone", async () => {
    const u = await newUser("impossible");
    const asker = await newUser("asker");
    await putOk(u, `${cal(u)}feb30.ics`, impossible);
    const bound = 4 * (LIMITS.stepsPerInstance + 100);

    const week = await counted(() => queryNames(u, cal(u), compFilter("VEVENT", "20260209T000000Z", "20260216T000000Z")));
    expect(week.value).toEqual(["feb30.ics"]);
    expect(week.steps).toBeLessThanOrEqual(bound);
    const later = await counted(() => queryNames(u, cal(u), compFilter("VEVENT", "20260211T000000Z", "20300101T000000Z")));
    expect(later.value).toEqual([]);
    expect(later.steps).toBeLessThanOrEqual(bound);

    const expanded = await counted(async () => multistatusOf(await report(u, cal(u), expandBody("20260101T000000Z", "20360101T000000Z"))));
    expect(expanded.steps).toBeLessThanOrEqual(bound);
    const data = calendarDataOf([...expanded.value.responses.values()][0]);
    const events = components(data, "VEVENT");
    expect(events.map((e) => [propValue(e, "DTSTART"), propValue(e, "RECURRENCE-ID")])).toEqual([["20260210T090000Z", "20260210T090000Z"]]);
    expect(data).not.toContain("RRULE");

    const fb = await counted(() => report(u, cal(u), freeBusyBody("20260101T000000Z", "20270101T000000Z")));
    expect(fb.value.status).toBe(200);
    expect(busyOf(await fb.value.text())).toEqual(["BUSY 20260210T090000Z/20260210T100000Z"]);
    expect(fb.steps).toBeLessThanOrEqual(bound);

    const post = await counted(() => outboxFreeBusy(asker, u.user, "20260201T000000Z", "20260301T000000Z"));
    expect(post.value.status).toMatch(/^2\.0/);
    expect(busyOf(post.value.data!)).toEqual(["BUSY 20260210T090000Z/20260210T100000Z"]);
    expect(post.steps).toBeLessThanOrEqual(bound);
  });
});

describe("rules that match rarely still find their instances", () => {
  it("a daily rule on 29 February finds every leap day, across 2100 (8 years without one)", async () => {
    const u = await newUser("leap");
    await putOk(u, `${cal(u)}leap.ics`, leapDay);
    const { responses } = await multistatusOf(await report(u, cal(u), expandBody("20900101T000000Z", "21100101T000000Z")));
    const starts = components(calendarDataOf([...responses.values()][0]), "VEVENT").map((e) => propValue(e, "DTSTART"));
    expect(starts).toEqual(["20920229T110000Z", "20960229T110000Z", "21040229T110000Z", "21080229T110000Z"]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "21040229T000000Z", "21040301T000000Z"))).toEqual(["leap.ics"]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT", "21000228T000000Z", "21000302T000000Z"))).toEqual([]);
  });
});

describe("an endless FREQ=SECONDLY event", () => {
  it("is found by a one-week time-range query, and its ten-year expansion answers 403 DAV:number-of-matches-within-limits (RFC 4791 §7.8), not a truncated 207", async () => {
    const u = await newUser("secondly");
    await putOk(u, `${cal(u)}secondly.ics`, secondly);
    const week = await counted(() => queryNames(u, cal(u), compFilter("VEVENT", "20270301T235900Z", "20270308T000000Z")));
    expect(week.value).toEqual(["secondly.ics"]);
    expect(week.steps).toBeLessThanOrEqual(LIMITS.stepsPerObject);

    const expand = await counted(() => report(u, cal(u), expandBody("20260101T000000Z", "20360101T000000Z")));
    expect(expand.value.status).toBe(403);
    expect(await conditions(expand.value)).toEqual(["{DAV:}number-of-matches-within-limits"]);
    expect(expand.steps).toBeLessThanOrEqual(LIMITS.stepsPerRequest);

    const limited = await report(u, cal(u), calendarQueryBody(compFilter("VEVENT", "20260101T000000Z", "20360101T000000Z"), {
      prop: `<C:calendar-data><C:limit-recurrence-set start="20260101T000000Z" end="20360101T000000Z"/></C:calendar-data>`,
    }));
    // No override to choose: the stored object as it is, no walk needed.
    expect(limited.status).toBe(207);
  });

  it("answers free-busy-query with 403 DAV:number-of-matches-within-limits (RFC 4791 §7.10), and an outbox POST with 5.1 for that recipient (RFC 6638 §5)", async () => {
    const u = await newUser("secondly");
    const asker = await newUser("asker");
    await putOk(u, `${cal(u)}secondly.ics`, secondly);
    const fb = await counted(() => report(u, cal(u), freeBusyBody("20270301T000000Z", "20270401T000000Z")));
    expect(fb.value.status).toBe(403);
    expect(await conditions(fb.value)).toEqual(["{DAV:}number-of-matches-within-limits"]);
    expect(fb.steps).toBeLessThanOrEqual(LIMITS.stepsPerRequest);

    const post = await counted(() => outboxFreeBusy(asker, u.user, "20270301T000000Z", "20270401T000000Z"));
    expect(post.value.status).toMatch(/^5\.1/);
    expect(post.value.data).toBeUndefined();
    expect(post.steps).toBeLessThanOrEqual(LIMITS.stepsPerRequest);
  });

  it("expanded by several clients at once: each refused within its budget, while another user's PROPFIND is served", async () => {
    const u = await newUser("secondly");
    const other = await newUser("bystander");
    await putOk(u, `${cal(u)}secondly.ics`, secondly);
    await putOk(other, `${cal(other)}a.ics`, impossible);
    const before = stepCount();
    const expansions = Array.from({ length: 4 }, () => report(u, cal(u), expandBody("20260101T000000Z", "20360101T000000Z")));
    const propfind = dav("PROPFIND", cal(other), { as: other, headers: { Depth: "1" }, body: `<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>` });
    const [p, ...answers] = await Promise.all([propfind, ...expansions]);
    expect(p.status).toBe(207);
    expect(answers.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(stepCount() - before).toBeLessThanOrEqual(4 * LIMITS.stepsPerRequest);
    expect(lines(await p.text()).length).toBeGreaterThan(0);
  });
});

describe("rules that never or rarely match, generated", () => {
  it("every PUT, calendar-query (time-range and expand) and free-busy-query answers 2xx or 4xx, within the iteration bound", async () => {
    const u = await newUser("rules");
    const walks = 3 * (LIMITS.stepsPerWalk + 1); // a PUT walks the rule for its summary and its instance index, and once more to schedule
    let n = 0;
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(ruleArb, async (r) => {
        const rule = ruleText(r);
        const body = impossible.replace("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", `RRULE:${rule}`).replace("impossible-rule@", `gen-${n}@`);
        const path = `${cal(u)}gen-${n++}.ics`;
        const putting = await counted(() => put(u, path, body));
        const putText = await putting.value.text();
        expect([201, 403], `${rule}: ${putText}`).toContain(putting.value.status);
        expect(putting.steps, `PUT ${rule}`).toBeLessThanOrEqual(walks);
        const q = await counted(() => report(u, cal(u), expandBody("20260201T000000Z", "20260301T000000Z")));
        expect([207, 403], `${rule}: ${await q.value.clone().text()}`).toContain(q.value.status);
        if (q.value.status === 403) expect(await conditions(q.value)).toEqual(["{DAV:}number-of-matches-within-limits"]);
        expect(q.steps, `calendar-query ${rule}`).toBeLessThanOrEqual(LIMITS.stepsPerRequest + 1);
        const fb = await counted(() => report(u, cal(u), freeBusyBody("20260201T000000Z", "20260301T000000Z")));
        expect([200, 403], rule).toContain(fb.value.status);
        expect(fb.steps, `free-busy-query ${rule}`).toBeLessThanOrEqual(LIMITS.stepsPerRequest + 1);
        await fb.value.body?.cancel();
        for (const [k, v] of [["PUT", putting.value.status], ["query", q.value.status], ["free-busy", fb.value.status]] as const) statuses.set(`${k} ${v}`, (statuses.get(`${k} ${v}`) ?? 0) + 1);
        // Each object is answered on its own: remove it, so that a refused one does not decide the next query.
        await dav("DELETE", path, { as: u });
      }),
      { numRuns: 30, seed: 20261127 },
    );
    console.log(`generated rules end to end: ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(", ")}`);
  }, 240_000);
});

describe("a ROOM deciding on an invitation (RFC 6638 §2.4.2) walks it within its bounds", () => {
  const book = async (alice: Awaited<ReturnType<typeof party>>, room: Awaited<ReturnType<typeof party>>, tag: string, start: string, end: string, extra: string[] = []) => {
    const path = `/calendars/${alice.user}/calendar/${tag}.ics`;
    const r = await dav("PUT", path, { as: alice, body: meeting({ uid: newUid(tag), organizer: alice, attendees: [{ who: room, params: ";CUTYPE=ROOM" }], start, end, summary: tag, extra }) });
    expect(r.status, await r.text()).toBe(201);
    return ps((await eventually(() => getCopy(alice, path), (c) => ps(c.text, room) !== "NEEDS-ACTION", `the room's answer to ${tag}`)).text, room);
  };

  it("accepts a rule that never matches by its DTSTART alone, and holds that slot", async () => {
    const alice = await party("alice");
    const room = await party("room", { type: "ROOM" });
    const before = stepCount();
    expect(await book(alice, room, "feb30", futureUtc(30, 10), futureUtc(30, 11), ["RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"])).toBe("ACCEPTED");
    expect(await book(alice, room, "clash", futureUtc(30, 10, 30), futureUtc(30, 11, 30))).toBe("DECLINED");
    expect(await book(alice, room, "next-day", futureUtc(31, 10), futureUtc(31, 11))).toBe("ACCEPTED");
    // Each walk of the rule (PUT, delivery, the room's checks, busy time, replies) ends after one instance's bound.
    expect(stepCount() - before).toBeLessThanOrEqual(40 * (LIMITS.stepsPerInstance + 100));
  });

  it("declines an invitation whose instances it cannot walk within its bounds (an endless SECONDLY event begun a day ago)", async () => {
    const alice = await party("alice");
    const room = await party("room", { type: "ROOM" });
    expect(await book(alice, room, "secondly", futureUtc(-1, 10), futureUtc(-1, 10, 1), ["RRULE:FREQ=SECONDLY"])).toBe("DECLINED");
  });
});
