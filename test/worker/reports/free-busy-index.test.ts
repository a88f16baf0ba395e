// Free-busy from the index (RFC 4791 §7.10; RFC 6638 §5 outbox requests):
// the home answers the busy time of zoned events from its rows and instance
// rows (TRANSP, STATUS, per instance) and reads a body only for what the
// index cannot describe exactly: floating and all-day times (they depend on
// the calendar's time zone), VFREEBUSY components, rows indexed before the
// index kept busy time. Shown by changing stored bodies behind the server's
// back: an answer that does not change was not read from the body.
import { describe, expect, it, vi } from "vitest";
import ICAL from "ical.js";
import { dav } from "../../helpers/dav-client.js";
import { cal, homeSql, newUser, overwriteStoredBody, putOk, rnd } from "../../helpers/caldav.js";
import { components, freeBusyBody, freebusyPeriods, report } from "../../helpers/reports.js";
import { cast } from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

function event(uid: string, start: string, end: string, extra: string[] = [], more: string[] = []): string {
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN",
    "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
    "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20250101T000000Z", `DTSTART${start}`, `DTEND${end}`, "SUMMARY:busy?", ...extra, "END:VEVENT",
    ...more, "END:VCALENDAR", "",
  ].join("\r\n");
}

/** The FREEBUSY lines of a free-busy-query answer, as "TYPE start/end". */
async function busy(u: Awaited<ReturnType<typeof newUser>>, start: string, end: string): Promise<string[]> {
  const res = await report(u, cal(u), freeBusyBody(start, end));
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return freebusyPeriods(components(text, "VFREEBUSY")[0]!).map((p) => `${p.type} ${p.start}/${p.end}`);
}

/** An event the index knows nothing of: what a body changed behind the server's back would say instead. */
const elsewhere = (uid: string) => event(uid, ":20250620T000000Z", ":20250620T010000Z");

describe("free-busy-query answers from the index (RFC 4791 §7.10)", () => {
  it("zoned events, recurring ones with a cancelled, a tentative and a transparent instance, read no body", async () => {
    const u = await newUser("fbi");
    const weekly = `w-${rnd()}`;
    await putOk(u, `${cal(u)}single.ics`, event(`s-${rnd()}`, ":20250610T090000Z", ":20250610T100000Z"));
    await putOk(u, `${cal(u)}tentative.ics`, event(`t-${rnd()}`, ":20250610T120000Z", ":20250610T130000Z", ["STATUS:TENTATIVE"]));
    await putOk(u, `${cal(u)}free.ics`, event(`f-${rnd()}`, ":20250610T140000Z", ":20250610T150000Z", ["TRANSP:TRANSPARENT"]));
    // Weekly on Wednesdays 09:00 Berlin (07:00Z in summer); the 2nd cancelled, the 3rd tentative and moved, the 4th transparent.
    await putOk(u, `${cal(u)}weekly.ics`, event(weekly, ";TZID=Europe/Berlin:20250604T090000", ";TZID=Europe/Berlin:20250604T100000", ["RRULE:FREQ=WEEKLY;COUNT=5"], [
      "BEGIN:VEVENT", `UID:${weekly}`, "DTSTAMP:20250101T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20250611T090000",
      "DTSTART;TZID=Europe/Berlin:20250611T090000", "DTEND;TZID=Europe/Berlin:20250611T100000", "STATUS:CANCELLED", "END:VEVENT",
      "BEGIN:VEVENT", `UID:${weekly}`, "DTSTAMP:20250101T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20250618T090000",
      "DTSTART;TZID=Europe/Berlin:20250618T140000", "DTEND;TZID=Europe/Berlin:20250618T150000", "STATUS:TENTATIVE", "END:VEVENT",
      "BEGIN:VEVENT", `UID:${weekly}`, "DTSTAMP:20250101T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20250625T090000",
      "DTSTART;TZID=Europe/Berlin:20250625T090000", "DTEND;TZID=Europe/Berlin:20250625T100000", "TRANSP:TRANSPARENT", "END:VEVENT",
    ]));
    const want = [
      "BUSY 20250604T070000Z/20250604T080000Z",
      "BUSY 20250610T090000Z/20250610T100000Z",
      "BUSY-TENTATIVE 20250610T120000Z/20250610T130000Z",
      "BUSY-TENTATIVE 20250618T120000Z/20250618T130000Z",
      "BUSY 20250702T070000Z/20250702T080000Z",
    ];
    expect(await busy(u, "20250601T000000Z", "20250801T000000Z")).toEqual(want);
    for (const name of ["single.ics", "tentative.ics", "free.ics", "weekly.ics"]) await overwriteStoredBody(u.user, name, elsewhere(`x-${rnd()}`));
    expect(await busy(u, "20250601T000000Z", "20250801T000000Z"), "the same answer: no body was read").toEqual(want);
    // A range cutting instances clips them, from the instance rows alone.
    expect(await busy(u, "20250604T073000Z", "20250618T123000Z")).toEqual([
      "BUSY 20250604T073000Z/20250604T080000Z",
      "BUSY 20250610T090000Z/20250610T100000Z",
      "BUSY-TENTATIVE 20250610T120000Z/20250610T130000Z",
      "BUSY-TENTATIVE 20250618T120000Z/20250618T123000Z",
    ]);
  });

  it("floating and all-day events are read from their bodies", async () => {
    const u = await newUser("fbb");
    await putOk(u, `${cal(u)}floating.ics`, event(`fl-${rnd()}`, ":20250610T090000", ":20250610T100000"));
    await putOk(u, `${cal(u)}allday.ics`, event(`ad-${rnd()}`, ";VALUE=DATE:20250612", ";VALUE=DATE:20250613"));
    // A transparent floating event holds no busy time whatever the time zone: decided from its row.
    await putOk(u, `${cal(u)}free-floating.ics`, event(`ff-${rnd()}`, ":20250611T090000", ":20250611T100000", ["TRANSP:TRANSPARENT"]));
    const range = ["20250601T000000Z", "20250701T000000Z"] as const;
    expect(await busy(u, ...range)).toEqual(["BUSY 20250610T090000Z/20250610T100000Z", "BUSY 20250612T000000Z/20250613T000000Z"]);
    await overwriteStoredBody(u.user, "floating.ics", event(`fl2-${rnd()}`, ":20250615T090000", ":20250615T100000"));
    await overwriteStoredBody(u.user, "free-floating.ics", elsewhere(`x-${rnd()}`));
    expect(await busy(u, ...range), "the floating event's new body is read; the transparent one's is not").toEqual([
      "BUSY 20250612T000000Z/20250613T000000Z", "BUSY 20250615T090000Z/20250615T100000Z",
    ]);
  });

  it("rows indexed before busy time was kept (schema v7) are answered from their bodies", async () => {
    const u = await newUser("fbo");
    await putOk(u, `${cal(u)}single.ics`, event(`s-${rnd()}`, ":20250610T090000Z", ":20250610T100000Z"));
    const daily = `d-${rnd()}`;
    await putOk(u, `${cal(u)}daily.ics`, event(daily, ":20250611T090000Z", ":20250611T093000Z", ["RRULE:FREQ=DAILY;COUNT=2"]));
    await homeSql(u.user, "UPDATE objects SET busy = NULL");
    await homeSql(u.user, "UPDATE instances SET busy = NULL");
    const range = ["20250601T000000Z", "20250701T000000Z"] as const;
    expect(await busy(u, ...range)).toEqual([
      "BUSY 20250610T090000Z/20250610T100000Z", "BUSY 20250611T090000Z/20250611T093000Z", "BUSY 20250612T090000Z/20250612T093000Z",
    ]);
    await overwriteStoredBody(u.user, "single.ics", event(`s2-${rnd()}`, ":20250620T090000Z", ":20250620T100000Z"));
    expect(await busy(u, ...range), "the body is what answers").toContain("BUSY 20250620T090000Z/20250620T100000Z");
    // Written again, the row keeps its busy time.
    await putOk(u, `${cal(u)}daily.ics`, event(daily, ":20250611T090000Z", ":20250611T093000Z", ["RRULE:FREQ=DAILY;COUNT=2"]));
    const rows = await homeSql<{ busy: number | null }>(u.user, "SELECT busy FROM objects WHERE name = 'daily.ics'");
    expect(rows[0]?.busy).toBe(2);
  });
});

describe("outbox busy time requests answer from the index (RFC 6638 §5)", () => {
  it("a recipient's zoned events give busy time without their bodies", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const bcal = `/calendars/${bob.user}/calendar/`;
    await putOk(bob, `${bcal}one.ics`, event(`b1-${rnd()}`, ":20270201T100000Z", ":20270201T110000Z"));
    await putOk(bob, `${bcal}daily.ics`, event(`b2-${rnd()}`, ";TZID=Europe/Berlin:20270130T090000", ";TZID=Europe/Berlin:20270130T093000", ["RRULE:FREQ=DAILY;COUNT=5"]));
    const ask = async () => {
      const body = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", "METHOD:REQUEST", "BEGIN:VFREEBUSY", `UID:fb-${rnd()}`,
        "DTSTAMP:20261126T000000Z", "DTSTART:20270201T000000Z", "DTEND:20270202T000000Z", `ORGANIZER:${alice.address}`, `ATTENDEE:${bob.address}`,
        "END:VFREEBUSY", "END:VCALENDAR", "",
      ].join("\r\n");
      const res = await dav("POST", `/calendars/${alice.user}/outbox/`, { as: alice, body, headers: { "Content-Type": "text/calendar; charset=utf-8" } });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const data = /<[^>]*calendar-data[^>]*>([\s\S]*?)<\//.exec(text)![1]!.replace(/&#13;|&#xD;/g, "\r");
      const fb = new ICAL.Component(ICAL.parse(data) as unknown[]).getFirstSubcomponent("vfreebusy")!;
      return fb.getAllProperties("freebusy").map((p) => {
        const v = p.getFirstValue() as ICAL.Period;
        return `${v.start.toICALString()}/${v.getEnd().toICALString()}`;
      });
    };
    const want = ["20270201T080000Z/20270201T083000Z", "20270201T100000Z/20270201T110000Z"];
    expect(await ask()).toEqual(want);
    for (const name of ["one.ics", "daily.ics"]) await overwriteStoredBody(bob.user, name, elsewhere(`x-${rnd()}`));
    expect(await ask(), "the same answer: no body was read").toEqual(want);
  });
});
