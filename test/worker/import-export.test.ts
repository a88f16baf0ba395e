// Import of an .ics export into a calendar and export of a calendar as one
// .ics (issue 11 items 5 and 6): objects split by UID, stored through the
// validation and store of a client's PUT (RFC 4791 §5.3.2.1) but sending no
// invitation (RFC 6638 scheduling is for new changes, imports are history),
// and read back by calendar-query (RFC 4791 §7.8) and by export.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import google from "../fixtures/ics/import/google-export.ics?raw";
import recurring from "../fixtures/ics/import/recurring-overrides.ics?raw";
import tasks from "../fixtures/ics/import/tasks.ics?raw";
import vcard from "../fixtures/ics/import/not-icalendar.vcf?raw";
import oneBad from "../fixtures/ics/import/one-bad-event.ics?raw";
import { DavError } from "../../src/core/errors.js";
import { importProgress, startImport } from "../../src/transfer/import.js";
import { exportCalendar } from "../../src/transfer/export.js";
import { dav } from "../helpers/dav-client.js";
import { cal, homeSql, newUser, r2Keys, propText, propfindOne, putOk, CS, ics } from "../helpers/caldav.js";
import { compFilter, mkcolCalendar, queryNames } from "../helpers/reports.js";
import { eventSet, generatedIcs } from "../helpers/import-files.js";
import { finishImport, importText, principalOf } from "../helpers/transfer.js";
import { inbox, party, sleep } from "../helpers/scheduling.js";

const utf8 = new TextEncoder();
const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

async function exportText(user: Awaited<ReturnType<typeof principalOf>>, calendar: string): Promise<string> {
  const res = await exportCalendar(env, user, calendar, { download: true });
  expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
  return res.text();
}

describe("import of an .ics file (issue 11 item 5)", () => {
  it("imports 500 events (series with overrides, embedded time zones) and calendar-query finds every one", async () => {
    const u = await newUser("imp");
    const file = generatedIcs(500, `i500-${u.user}`);
    const seen: Awaited<ReturnType<typeof finishImport>>[] = [];
    const { jobId, total } = await startImport(env, await principalOf(u), "calendar", utf8.encode(file.text), "skip");
    expect(total).toBe(500);
    const done = await finishImport(u, jobId, seen);
    expect(done).toMatchObject({ done: 500, total: 500, finished: true, imported: 500, replaced: 0, skippedCount: 0, skipped: [] });
    // Progress moved in steps the page can show, never backwards.
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    const names = await queryNames(u, cal(u), compFilter("VEVENT"));
    expect(names).toEqual(file.uids.map((id) => `${id}.ics`).sort());
    // A moved instance is found where it was moved to, in Berlin time (2026-01-15 15:00 CET = 14:00Z).
    const moved = await queryNames(u, cal(u), compFilter("VEVENT", "20260115T140000Z", "20260115T143000Z"));
    expect(moved).toContain(`${file.series[0]}.ics`);
    // Each object carries the VTIMEZONE it uses, and only that.
    const body = await (await dav("GET", `${cal(u)}${file.uids[1]}.ics`, { as: u })).text();
    expect(body).toContain("TZID:W. Europe Standard Time (custom)");
    expect(body).not.toContain("TZID:Europe/Berlin");
    const series = await (await dav("GET", `${cal(u)}${file.series[0]}.ics`, { as: u })).text();
    expect(series.match(/BEGIN:VEVENT/g)).toHaveLength(2);
  }, 120_000);

  it("imports a Google export and a task list, each object valid on its own; to-dos into an events calendar are skipped with the reason", async () => {
    const u = await newUser("impg");
    const g = await importText(u, "calendar", google);
    expect(g).toMatchObject({ imported: 4, skippedCount: 0, finished: true });
    const t = await importText(u, "tasks", tasks);
    expect(t).toMatchObject({ imported: 3, skippedCount: 0 });
    expect(await queryNames(u, cal(u, "tasks"), compFilter("VTODO"))).toHaveLength(3);
    const wrong = await importText(u, "calendar", tasks);
    expect(wrong.imported).toBe(0);
    expect(wrong.skipped).toHaveLength(3);
    for (const s of wrong.skipped) expect(s.reason).toMatch(/VTODO is not supported in this calendar/);
  });

  it("skips or replaces objects whose UID the calendar holds, as chosen", async () => {
    const u = await newUser("impr");
    // A client already stored one of the UIDs under a name of its own.
    const clientUid = "A1B2C3D4-0000-4000-8000-000000000002";
    await putOk(u, `${cal(u)}client-made.ics`, ics({ uid: clientUid, summary: "Made by a client" }));
    const first = await importText(u, "calendar", recurring, "skip");
    expect(first).toMatchObject({ imported: 1, replaced: 0, skipped: [{ uid: clientUid, reason: "the UID is already in this calendar (kept as it was)" }] });
    const changed = recurring.replaceAll("Choir rehearsal", "Choir practice").replace("Anna's birthday", "Anna's birthday!");
    const skip = await importText(u, "calendar", changed, "skip");
    expect(skip).toMatchObject({ imported: 0, replaced: 0, skippedCount: 2 });
    expect(await (await dav("GET", `${cal(u)}A1B2C3D4-0000-4000-8000-000000000001.ics`, { as: u })).text()).toContain("SUMMARY:Choir rehearsal\r\n");
    const replace = await importText(u, "calendar", changed, "replace");
    expect(replace).toMatchObject({ imported: 0, replaced: 2, skippedCount: 0 });
    expect(await (await dav("GET", `${cal(u)}A1B2C3D4-0000-4000-8000-000000000001.ics`, { as: u })).text()).toContain("SUMMARY:Choir practice\r\n");
    // The client's object is replaced where it is: one href per UID (RFC 4791 §5.3.2.1 no-uid-conflict).
    expect(await (await dav("GET", `${cal(u)}client-made.ics`, { as: u })).text()).toContain("SUMMARY:Anna's birthday!");
    const rows = await homeSql<{ n: number }>(u.user, "SELECT COUNT(*) AS n FROM objects WHERE uid = ?", clientUid);
    expect(rows[0]!.n).toBe(1);
  });

  it("refuses a file that is not iCalendar with its reason, and changes nothing", async () => {
    const u = await newUser("impn");
    await putOk(u, `${cal(u)}kept.ics`, ics({ summary: "kept" }));
    const before = propText(await propfindOne(u, cal(u), ["CS:getctag"]), CS("getctag"));
    for (const bad of [vcard, "<!doctype html><title>Sign in</title>", ""]) {
      const err = await startImport(env, await principalOf(u), "calendar", utf8.encode(bad), "replace").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DavError);
      expect((err as DavError).status).toBe(400);
      expect((err as DavError).message).toMatch(/^not an iCalendar file: /);
    }
    expect(propText(await propfindOne(u, cal(u), ["CS:getctag"]), CS("getctag"))).toBe(before);
    expect(await homeSql(u.user, "SELECT id FROM import_jobs")).toEqual([]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT"))).toEqual(["kept.ics"]);
  });

  it("imports the good events of a file with one bad event, and names the bad one with the reason", async () => {
    const u = await newUser("impb");
    const r = await importText(u, "calendar", oneBad);
    expect(r).toMatchObject({ imported: 3, done: 4, total: 4 });
    expect(r.skipped).toEqual([{ uid: expect.stringMatching(/AABBCCDF$/), reason: expect.stringMatching(/^invalid data: unknown TZID "Pacific Mars Time"/) }]);
    expect(await queryNames(u, cal(u), compFilter("VEVENT"))).toHaveLength(3);
  });

  it("sends no invitation for an imported meeting: no job, nothing in the attendee's inbox or calendar", async () => {
    const org = await party("impo");
    const guest = await party("impa");
    const uid = `imported-meeting-${org.user}`;
    const text = crlf([
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Old//EN", "METHOD:PUBLISH",
      "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20250101T000000Z", "DTSTART:20250301T100000Z", "DTEND:20250301T110000Z", "SUMMARY:Old meeting",
      `ORGANIZER:${org.address}`, `ATTENDEE;PARTSTAT=ACCEPTED:${org.address}`, `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${guest.address}`,
      "END:VEVENT", "END:VCALENDAR", "",
    ].join("\n"));
    const r = await importText(org, "calendar", text);
    expect(r.imported).toBe(1);
    expect(await homeSql(org.user, "SELECT id FROM outbox")).toEqual([]);
    expect(await homeSql(org.user, "SELECT id FROM email_outbox")).toEqual([]);
    await sleep(300);
    expect(await inbox(guest)).toEqual(new Map());
    expect((await dav("GET", `${cal(guest)}${uid}.ics`, { as: guest })).status).toBe(404);
    // Stored as imported, with nothing added (no SCHEDULE-STATUS), and still a scheduling object for later changes.
    const stored = await dav("GET", `${cal(org)}${uid}.ics`, { as: org });
    expect(await stored.text()).not.toContain("SCHEDULE-STATUS");
    expect(stored.headers.get("schedule-tag")).toBeTruthy();
  });

  it("skips a meeting whose UID is scheduled in another calendar of the home, as a PUT would be refused", async () => {
    const u = await party("impu");
    await mkcolCalendar(u, "other", { components: ["VEVENT"] });
    const uid = `twice-${u.user}`;
    const meeting = (summary: string) => crlf([
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Old//EN",
      "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20250101T000000Z", "DTSTART:20250301T100000Z", "DTEND:20250301T110000Z", `SUMMARY:${summary}`,
      `ORGANIZER:${u.address}`, `ATTENDEE:${u.address}`, "ATTENDEE:mailto:someone@elsewhere.example",
      "END:VEVENT", "END:VCALENDAR", "",
    ].join("\n"));
    expect((await importText(u, "other", meeting("first"))).imported).toBe(1);
    const r = await importText(u, "calendar", meeting("second"));
    expect(r.skipped).toEqual([{ uid, reason: expect.stringMatching(/already scheduled in another calendar/) }]);
  });
});

describe("import jobs", () => {
  it("skip what does not fit the quota with the reason (RFC 4331), and store the rest", async () => {
    const u = await newUser("impq");
    const quota = Number(env.QUOTA_BYTES);
    // The home is nearly full: room for one of the small objects (about 400 octets each).
    await homeSql(u.user, "UPDATE meta SET value = ? WHERE key = 'used_bytes'", quota - 600);
    const r = await importText(u, "calendar", oneBad);
    expect(r.imported).toBeGreaterThanOrEqual(1);
    expect(r.skipped.filter((s) => s.reason === "calendar home quota exceeded").length).toBeGreaterThanOrEqual(1);
    expect(r.imported + r.skippedCount).toBe(4);
  });

  it("run one at a time in a home, and leave nothing staged in R2 when done", async () => {
    const u = await newUser("impj");
    const me = await principalOf(u);
    const first = await startImport(env, me, "calendar", utf8.encode(generatedIcs(60, `j-${u.user}`).text), "skip");
    const second = await startImport(env, me, "calendar", utf8.encode(google), "skip").catch((e: unknown) => e);
    expect((second as DavError).status).toBe(409);
    await finishImport(u, first.jobId);
    expect(await r2Keys(`imports/${u.user}/`)).toEqual([]);
    expect((await importText(u, "calendar", google)).imported).toBe(4);
    const unknown = await importProgress(env, me, crypto.randomUUID()).catch((e: unknown) => e);
    expect((unknown as DavError).status).toBe(404);
  });
});

describe("export of a calendar (issue 11 item 6)", () => {
  it("exports one VCALENDAR with each VTIMEZONE once; re-imported elsewhere it gives the same event set", async () => {
    const u = await newUser("exp");
    const file = generatedIcs(120, `exp-${u.user}`);
    await importText(u, "calendar", file.text);
    await importText(u, "calendar", google);
    const text = await exportText(await principalOf(u), "calendar");
    expect(text.match(/^BEGIN:VCALENDAR/gm)).toHaveLength(1);
    expect(text.match(/^TZID:Europe\/Berlin/gm)).toHaveLength(1);
    expect(text.match(/^TZID:America\/New_York/gm)).toHaveLength(1);
    expect(text.match(/^TZID:W\. Europe Standard Time \(custom\)/gm)).toHaveLength(1);
    expect(text).toMatch(/^X-WR-CALNAME/m);
    expect(eventSet(text)).toEqual(eventSet(file.text).concat(eventSet(google)).sort());
    // Round trip: the export imports into another person's calendar as the same objects. (Into another calendar of
    // the same home its meetings would be skipped: one scheduling object per UID in a home, RFC 6638 §3.2.4.1.)
    const other = await newUser("expo");
    const again = await importText(other, "calendar", text);
    expect(again).toMatchObject({ imported: 124, skippedCount: 0 });
    expect(eventSet(await exportText(await principalOf(other), "calendar"))).toEqual(eventSet(text));
  }, 60_000);

  it("answers 404 for a calendar the principal does not have", async () => {
    const u = await newUser("expn");
    const err = await exportCalendar(env, await principalOf(u), "nope").catch((e: unknown) => e);
    expect((err as DavError).status).toBe(404);
  });
});
