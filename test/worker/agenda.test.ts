// The web page's agenda (issue 11 item 7; src/web/agenda/agenda.ts): the
// coming days across all of a person's calendars, recurrences expanded
// (RFC 5545 §3.8.5, overlap as RFC 4791 §9.9), in the person's timezone
// (a principal property, props/personal.ts), across daylight-saving changes;
// every expansion bounded by the query budgets (core/ical/limits.ts).
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import berlinWeekly from "../fixtures/ics/berlin-weekly-dst.ics?raw";
import allDay from "../fixtures/ics/apple-allday.ics?raw";
import floating from "../fixtures/ics/floating.ics?raw";
import secondly from "../fixtures/ics/hostile/endless-secondly.ics?raw";
import impossible from "../fixtures/ics/hostile/impossible-rule.ics?raw";
import twiceAMinute from "../fixtures/ics/agenda/minutely-with-bysecond.ics?raw";
import everyTwoHours from "../fixtures/ics/agenda/every-two-hours.ics?raw";
import { agenda } from "../../src/web/agenda/agenda.js";
import { getTimezone, setTimezone } from "../../src/web/agenda/timezone.js";
import { LIMITS } from "../../src/core/ical/limits.js";
import { stepCount } from "../../src/core/ical/recur-guard.js";
import { MAX_ITEMS, type Agenda } from "../../src/core/agenda/agenda.js";
import { cal, crlf, mkcalendar, mkcalendarBody, newUser, principal, propText, proppatchBody, putOk } from "../helpers/caldav.js";
import { dav, multistatus } from "../helpers/dav-client.js";
import { principalOf } from "../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

/** "date time summary" for every item, day by day. */
const lines = (a: Agenda) => a.days.flatMap((d) => d.items.map((i) => `${d.date} ${i.allDay ? "all-day" : i.startLocal.slice(11)} ${i.summary}`));

describe("agenda across calendars in the person's timezone", () => {
  it("shows a weekly Berlin meeting at the right New York time on both sides of both daylight-saving changes", async () => {
    const who = await newUser("agenda-dst");
    await putOk(who, `${cal(who)}weekly.ics`, crlf(berlinWeekly));
    const me = await principalOf(who);
    // New York changed on 9 March 2025, Berlin on 30 March: 10:00 in Berlin is 05:00 in New York, then 04:00.
    const ny = await agenda(env, me, { from: "2025-03-17", days: 28, zone: "America/New_York" });
    expect(ny.zone).toBe("America/New_York");
    expect(ny.days).toHaveLength(28);
    expect(lines(ny).filter((l) => l.includes("Weekly"))).toEqual([
      "2025-03-17 05:00 Weekly across the March 2025 change to summer time",
      "2025-03-24 05:00 Weekly across the March 2025 change to summer time",
      "2025-03-31 04:00 Weekly across the March 2025 change to summer time",
      "2025-04-07 04:00 Weekly across the March 2025 change to summer time",
    ]);
    const item = ny.days[14]!.items[0]!;
    expect(item).toMatchObject({ startLocal: "2025-03-31T04:00", endLocal: "2025-03-31T05:00", allDay: false, href: `${cal(who)}weekly.ics` });
    expect(item.calendar.name).toBe("calendar");
    expect(new Date(item.start).toISOString()).toBe("2025-03-31T08:00:00.000Z");
    expect(item.recurrenceId).toBe(item.start);

    // In Berlin it stays at 10:00 while its UTC instant moves by an hour.
    const berlin = await agenda(env, me, { from: "2025-03-17", days: 28, zone: "Europe/Berlin" });
    const weekly = berlin.days.flatMap((d) => d.items);
    expect(weekly.map((i) => i.startLocal)).toEqual(["2025-03-17T10:00", "2025-03-24T10:00", "2025-03-31T10:00", "2025-04-07T10:00"]);
    expect(weekly.map((i) => new Date(i.start).toISOString().slice(11, 16))).toEqual(["09:00", "09:00", "08:00", "08:00"]);
  });

  it("uses the timezone the person set (a principal property, also settable by PROPPATCH) and refuses unknown zones", async () => {
    const who = await newUser("agenda-tz");
    const me = await principalOf(who);
    await putOk(who, `${cal(who)}weekly.ics`, crlf(berlinWeekly));
    expect(await getTimezone(env, me)).toBeNull();
    expect(lines(await agenda(env, me, { from: "2025-03-17", days: 1 }))).toEqual(["2025-03-17 09:00 Weekly across the March 2025 change to summer time"]);

    await setTimezone(env, me, "Asia/Tokyo");
    expect(await getTimezone(env, me)).toBe("Asia/Tokyo");
    const tokyo = await agenda(env, me, { from: "2025-03-17", days: 1 });
    expect(tokyo.zone).toBe("Asia/Tokyo");
    expect(lines(tokyo)).toEqual(["2025-03-17 18:00 Weekly across the March 2025 change to summer time"]);
    const found = await dav("PROPFIND", principal(who), {
      as: who, headers: { Depth: "0" }, body: `<D:propfind xmlns:D="DAV:" xmlns:E="urn:x-edge-caldav:"><D:prop><E:timezone/></D:prop></D:propfind>`,
    });
    expect(propText((await multistatus(found)).get(principal(who))!, "{urn:x-edge-caldav:}timezone")).toBe("Asia/Tokyo");

    await expect(setTimezone(env, me, "Mars/Olympus_Mons")).rejects.toMatchObject({ status: 409 });
    const bad = await dav("PROPPATCH", principal(who), { as: who, body: proppatchBody(`<E:timezone xmlns:E="urn:x-edge-caldav:">Not/AZone</E:timezone>`) });
    expect(bad.status).toBe(207);
    expect(await bad.text()).toContain("409");
    const ok = await dav("PROPPATCH", principal(who), { as: who, body: proppatchBody(`<E:timezone xmlns:E="urn:x-edge-caldav:">America/New_York</E:timezone>`) });
    expect(ok.status).toBe(207);
    expect(await getTimezone(env, me)).toBe("America/New_York");
    await setTimezone(env, me, null);
    expect(await getTimezone(env, me)).toBeNull();
  });

  it("merges every calendar, puts all-day events on each of their dates and floating times at their wall-clock time", async () => {
    const who = await newUser("agenda-all");
    const me = await principalOf(who);
    const work = `/calendars/${who.user}/work/`;
    const made = await mkcalendar(who, work, mkcalendarBody(
      `<D:displayname>Work</D:displayname><A:calendar-color xmlns:A="http://apple.com/ns/ical/">#3366CCFF</A:calendar-color>`,
    ));
    expect(made.status).toBe(201);
    await putOk(who, `${cal(who)}allday.ics`, crlf(allDay));
    await putOk(who, `${work}floating.ics`, crlf(floating));
    await putOk(who, `${work}weekly.ics`, crlf(berlinWeekly).replace("berlin-weekly-across-dst@", "work-weekly@"));
    for (const zone of ["Pacific/Auckland", "America/Los_Angeles"]) {
      const a = await agenda(env, me, { from: "2025-03-01", days: 17, zone });
      const shown = lines(a);
      expect(shown.filter((l) => l.includes("Conference")), zone).toEqual(["2025-03-15 all-day Conference", "2025-03-16 all-day Conference", "2025-03-17 all-day Conference"]);
      expect(shown.filter((l) => l.includes("Breakfast")), zone).toEqual(["2025-03-01 08:00 Breakfast (wherever I am)"]);
      const weekly = a.days.flatMap((d) => d.items).find((i) => i.summary.startsWith("Weekly"))!;
      expect(weekly.calendar).toEqual({ name: "work", displayName: "Work", color: "#3366CCFF" });
      expect(a.days[16]!.items[0]!.allDay, "all-day items come first in their day").toBe(true);
    }
    // Pageable: the next page starts where this one ended.
    const next = await agenda(env, me, { from: "2025-03-18", days: 14, zone: "Europe/Berlin" });
    expect(next.days[0]!.date).toBe("2025-03-18");
    expect(lines(next)).toEqual(["2025-03-24 10:00 Weekly across the March 2025 change to summer time", "2025-03-31 10:00 Weekly across the March 2025 change to summer time"]);
    await expect(agenda(env, me, { from: "2025-02-30" })).rejects.toMatchObject({ status: 400 });
  });

  it("stays within the expansion bounds: an endless or huge rule is listed as skipped, a never-matching one shows its DTSTART", async () => {
    const who = await newUser("agenda-hostile");
    const me = await principalOf(who);
    await putOk(who, `${cal(who)}secondly.ics`, crlf(secondly));
    await putOk(who, `${cal(who)}impossible.ics`, crlf(impossible));
    await putOk(who, `${cal(who)}twice.ics`, crlf(twiceAMinute));
    const before = stepCount();
    const started = Date.now();
    const a = await agenda(env, me, { from: "2026-02-08", days: 14, zone: "Europe/Berlin" });
    const steps = stepCount() - before;
    expect(steps, "one request's budget at most").toBeLessThanOrEqual(LIMITS.stepsPerRequest);
    expect(Date.now() - started, "no stall").toBeLessThan(10_000);
    expect(lines(a)).toEqual(["2026-02-10 10:00 Every 30 February"]);
    expect(a.skipped.map((s) => s.summary).sort()).toEqual(["Every second forever", "Twice a minute forever"]);
    expect(a.skipped.map((s) => s.href).sort()).toEqual([`${cal(who)}secondly.ics`, `${cal(who)}twice.ics`]);
    expect(a.truncated).toBe(false);
  });

  it("shows at most MAX_ITEMS items and says that it left some out", async () => {
    const who = await newUser("agenda-full");
    const me = await principalOf(who);
    // 7 series of 336 instances in 28 days: each within the per-object bound, together past MAX_ITEMS.
    for (let i = 0; i < 7; i++) await putOk(who, `${cal(who)}busy-${i}.ics`, crlf(everyTwoHours).replace("every-two-hours@", `every-two-hours-${i}@`));
    const a = await agenda(env, me, { from: "2026-02-01", days: 28, zone: "UTC" });
    const shown = a.days.flatMap((d) => d.items);
    expect(a.truncated).toBe(true);
    expect(shown.length).toBeLessThanOrEqual(MAX_ITEMS);
    expect(shown.length).toBe(336 * Math.floor(MAX_ITEMS / 336));
    expect(a.skipped).toEqual([]);
    const full = await agenda(env, me, { from: "2026-02-01", days: 7, zone: "UTC" });
    expect([full.truncated, full.days.flatMap((d) => d.items).length]).toEqual([false, 7 * 84]);
  });
});
