// Every request in one round trip to its home (the performance issue's
// rule): each request kind makes one call to the calendar home, reads no R2
// body when the bodies are small (home/bodies.ts), and, logged in on a warm
// isolate, makes no call to the Directory (test/worker/login-cache.test.ts).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { dav, propfindBody } from "../helpers/dav-client.js";
import { cal, ics, mkcalendar, newUser, putOk, r2Ics, rnd } from "../helpers/caldav.js";
import { agenda } from "../../src/web/agenda/agenda.js";
import { invitations } from "../../src/web/agenda/invitations.js";
import { calendarQueryBody, compFilter, multigetBody, syncBody } from "../helpers/reports.js";
import { countHomeCalls, counts, outer, reset } from "../helpers/home-calls.js";

countHomeCalls();

describe("one round trip to the home per request, no R2 read for small bodies", () => {
  it("GET, PUT, DELETE, PROPFIND Depth 0 and 1, multiget, calendar-query, sync-collection, free-busy-query", async () => {
    const u = await newUser("rt");
    const names = Array.from({ length: 12 }, (_, i) => `e${i}.ics`);
    for (const [i, n] of names.entries()) await putOk(u, `${cal(u)}${n}`, ics({ uid: `${n}-${rnd()}@t`, start: `202506${String(10 + i).padStart(2, "0")}T090000Z`, end: `202506${String(10 + i).padStart(2, "0")}T100000Z` }));
    const warm = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: propfindBody(["D:getetag"]) });
    expect(warm.status).toBe(207);
    const requests: Array<[string, () => Promise<Response>]> = [
      ["GET", () => dav("GET", `${cal(u)}e1.ics`, { as: u })],
      ["PUT", () => dav("PUT", `${cal(u)}new.ics`, { as: u, body: ics({ uid: `new-${rnd()}@t` }) })],
      ["DELETE", () => dav("DELETE", `${cal(u)}e2.ics`, { as: u })],
      ["PROPFIND 0", () => dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: propfindBody(["D:getetag", "D:displayname"]) })],
      ["PROPFIND 1", () => dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) })],
      ["multiget", () => dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body: multigetBody(names.slice(3).map((n) => `${cal(u)}${n}`)) })],
      ["calendar-query", () => dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body: calendarQueryBody(compFilter("VEVENT", "20250601T000000Z", "20250701T000000Z"), { prop: "<D:getetag/><C:calendar-data/>" }) })],
      ["sync-collection", () => dav("REPORT", cal(u), { as: u, body: syncBody("", { prop: "<D:getetag/><C:calendar-data/>" }) })],
      ["free-busy-query", () => dav("REPORT", cal(u), { as: u, body: `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20250601T000000Z" end="20250701T000000Z"/></C:free-busy-query>` })],
    ];
    for (const [what, send] of requests) {
      reset();
      const res = await send();
      expect(res.status, `${what}: ${await res.clone().text()}`).toBeLessThan(300);
      expect(outer(counts.homeCalls), `${what}: calls to the home`).toHaveLength(1);
      expect(counts.r2Reads, `${what}: R2 reads`).toBe(0);
    }
    // Not vacuous: a body too large for its row is read from R2.
    await putOk(u, `${cal(u)}large.ics`, r2Ics());
    reset();
    expect((await dav("GET", `${cal(u)}large.ics`, { as: u })).status).toBe(200);
    expect([outer(counts.homeCalls).length, counts.r2Reads]).toEqual([1, 1]);
  });

  it("a read answered before is still one call: kept (the home confirms it) and after a change (the home reads it in that call)", async () => {
    const u = await newUser("rt-kept");
    const names = Array.from({ length: 6 }, (_, i) => `e${i}.ics`);
    const uid0 = `e0-${rnd()}@t`;
    for (const [i, n] of names.entries()) await putOk(u, `${cal(u)}${n}`, ics({ uid: i === 0 ? uid0 : `${n}-${rnd()}@t`, start: `2025061${i}T090000Z`, end: `2025061${i}T100000Z` }));
    let edits = 0;
    const reads: Array<[string, () => Promise<Response>]> = [
      ["PROPFIND 1", () => dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) })],
      ["multiget", () => dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body: multigetBody(names.map((n) => `${cal(u)}${n}`)) })],
      ["calendar-query", () => dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body: calendarQueryBody(compFilter("VEVENT", "20250601T000000Z", "20250701T000000Z"), { prop: "<D:getetag/><C:calendar-data/>" }) })],
      ["sync-collection", () => dav("REPORT", cal(u), { as: u, body: syncBody("", { prop: "<D:getetag/>" }) })],
    ];
    for (const [round, change] of [["made", false], ["kept", false], ["after a change", true]] as const) {
      for (const [what, send] of reads) {
        if (change) await putOk(u, `${cal(u)}e0.ics`, ics({ uid: uid0, summary: `Edit ${++edits}`, start: "20250610T090000Z", end: "20250610T100000Z" }));
        reset();
        const res = await send();
        expect(res.status, `${what}, ${round}`).toBe(207);
        expect(outer(counts.homeCalls), `${what}, ${round}: calls to the home`).toEqual(["view"]);
        // What was read in that one call is what is answered: the latest edit, never a kept answer from before it.
        if (change && what !== "sync-collection" && what !== "PROPFIND 1") expect(await res.text(), what).toContain(`Edit ${edits}`);
      }
    }
  });

  it("the web page's agenda across two calendars and its list of invitations", async () => {
    const u = await newUser("rt-agenda");
    const me = (await env.DIRECTORY.getByName("main").getPrincipal(u.user))!;
    expect((await mkcalendar(u, `/calendars/${u.user}/work/`)).status).toBe(201);
    for (const c of ["calendar", "work"]) {
      for (let i = 0; i < 5; i++) await putOk(u, `${cal(u, c)}e${i}.ics`, ics({ uid: `${c}-${i}-${rnd()}@t`, start: `2025061${i}T090000Z`, end: `2025061${i}T100000Z` }));
    }
    reset();
    const a = await agenda(env, me, { from: "2025-06-09", days: 7 });
    expect(a.days.flatMap((d) => d.items)).toHaveLength(10);
    expect(outer(counts.homeCalls), "agenda: calls to the home").toEqual(["agenda"]);
    counts.homeCalls = [];
    expect(await invitations(env, me, "UTC")).toEqual([]);
    expect(outer(counts.homeCalls), "invitations: calls to the home").toEqual(["invitations"]);
    expect(counts.r2Reads).toBe(0);
  });
});

describe("statements per write (each is a crossing into SQLite; the performance issue's budget)", () => {
  // 6 for a PUT: its target row and the rest of what it checks are read apart, which workerd runs faster than the one
  // statement that joined them (src/home/rows.ts putTarget).
  it("a plain PUT of a new event and its replacement with If-Match run at most 6 statements, its DELETE at most 8", async () => {
    const { Sql } = await import("../../src/sql.js");
    const u = await newUser("rt-sql");
    // Warm: what an instance reads once and keeps (its epoch) is not what each write costs.
    await putOk(u, `${cal(u)}warm.ics`, ics({ uid: `warm-${rnd()}@t` }));
    expect((await dav("DELETE", `${cal(u)}warm.ics`, { as: u })).status).toBe(204);
    const proto = Sql.prototype as unknown as Record<"all" | "one" | "run", (...a: unknown[]) => unknown>;
    const seen: string[] = [];
    const originals = { all: proto.all, one: proto.one, run: proto.run };
    for (const m of ["all", "one", "run"] as const)
      proto[m] = function (this: unknown, ...args: unknown[]) {
        seen.push(String(args[0]).replace(/\s+/g, " ").slice(0, 60));
        return originals[m].apply(this, args);
      };
    try {
      const counted = async (what: string, send: () => Promise<Response>, most = 6) => {
        seen.length = 0;
        const res = await send();
        expect(res.status, what).toBeLessThan(300);
        expect(seen.length, `${what}: ${seen.join(" | ")}`).toBeLessThanOrEqual(most);
        return res;
      };
      const uid = `one-${rnd()}@t`;
      const created = await counted("PUT (new)", () => dav("PUT", `${cal(u)}one.ics`, { as: u, body: ics({ uid }), headers: { "If-None-Match": "*" } }));
      await counted("PUT (If-Match)", () => dav("PUT", `${cal(u)}one.ics`, { as: u, body: ics({ uid, summary: "changed" }), headers: { "If-Match": created.headers.get("etag")! } }));
      await counted("DELETE", () => dav("DELETE", `${cal(u)}one.ics`, { as: u }), 8);
    } finally {
      Object.assign(proto, originals);
    }
  });
});
