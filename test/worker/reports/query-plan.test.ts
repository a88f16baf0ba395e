// A calendar-query with a time range (RFC 4791 §7.8, §9.9) and a free-busy-query
// (§7.10) find their candidates from the objects_range index alone (schema
// v12), then read just those rows: the statement that tests the range never
// reads a row, whose pages hold its body (src/home/query.ts). Non-recurring
// members are searched between the range's start less the collection's
// longest span and its end, so a range costs what lies near it. Checked on
// the statement the server runs, with SQLite's own query plan; and the
// members that bound must not lose (long events, a home migrated to v12).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { Sql } from "../../../src/sql.js";
import { migrate } from "../../../src/home/schema.js";
import type { CalendarHome } from "../../../src/home/calendar-home.js";
import { dav } from "../../helpers/dav-client.js";
import { cal, homeSql, homeStub, ics, newUser, putOk, rnd } from "../../helpers/caldav.js";
import { calendarQueryBody, compFilter } from "../../helpers/reports.js";

let seen: Array<{ query: string; params: unknown[] }> = [];
let restore: (() => void) | undefined;
beforeEach(() => {
  seen = [];
  const proto = Sql.prototype as unknown as { all: (q: string, ...p: unknown[]) => unknown };
  const all = proto.all;
  proto.all = function (this: unknown, q: string, ...p: unknown[]) {
    if (/INDEXED BY objects_range/.test(q)) seen.push({ query: q, params: p });
    return all.call(this, q, ...p);
  };
  restore = () => (proto.all = all);
});
afterEach(() => restore?.());

describe("time-range candidates come from the index alone, near the range (RFC 4791 §9.9)", () => {
  it("calendar-query and free-busy-query test the range on a covering index, and find the right objects", async () => {
    const u = await newUser("qp");
    for (let d = 1; d <= 20; d++) {
      const day = `202506${String(d).padStart(2, "0")}`;
      await putOk(u, `${cal(u)}e${d}.ics`, ics({ uid: `e${d}-${rnd()}@t`, start: `${day}T090000Z`, end: `${day}T100000Z` }));
    }
    await putOk(u, `${cal(u)}weekly.ics`, ics({ uid: `w-${rnd()}@t`, start: "20250101T120000Z", end: "20250101T130000Z", extra: ["RRULE:FREQ=WEEKLY;COUNT=30"] }));
    const res = await dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body: calendarQueryBody(compFilter("VEVENT", "20250610T000000Z", "20250613T000000Z"), { prop: "<D:getetag/>" }) });
    const text = await res.text();
    expect(res.status).toBe(207);
    const found = [...text.matchAll(/<D:href>[^<]*\/([^/<]+\.ics)<\/D:href>/g)].map((m) => m[1]).sort();
    // 2025-06-11 is a Wednesday, like 2025-01-01: the weekly series has an instance in the range.
    expect(found).toEqual(["e10.ics", "e11.ics", "e12.ics", "weekly.ics"]);
    const fb = await dav("REPORT", cal(u), { as: u, body: `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20250610T000000Z" end="20250613T000000Z"/></C:free-busy-query>` });
    expect(fb.status).toBe(200);
    const captured = [...seen];
    restore?.();
    expect(captured).toHaveLength(2);
    for (const { query, params } of captured) {
      const plan = (await homeSql<{ detail: string }>(u.user, `EXPLAIN QUERY PLAN ${query}`, ...params)).map((r) => r.detail);
      const searches = plan.filter((d) => /objects/.test(d) && !/^(CORRELATED|SCALAR)/.test(d) && !/instances|collections/.test(d));
      expect(searches.length, plan.join("; ")).toBeGreaterThanOrEqual(3);
      for (const d of searches) expect(d, plan.join("; ")).toMatch(/^SEARCH objects USING COVERING INDEX objects_range/);
      // The non-recurring part is a range of starts bounded on both sides.
      expect(plan.some((d) => /recurring=\? AND start_ms>\? AND start_ms<\?/.test(d)), plan.join("; ")).toBe(true);
    }
  });
});

describe("the start bound loses no member (RFC 4791 §9.9)", () => {
  const names = async (u: { user: string; password: string }, start: string, end: string) => {
    const res = await dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body: calendarQueryBody(compFilter("VEVENT", start, end), { prop: "<D:getetag/>" }) });
    expect(res.status).toBe(207);
    return [...(await res.text()).matchAll(/<D:href>[^<]*\/([^/<]+\.ics)<\/D:href>/g)].map((m) => m[1]).sort();
  };
  const busy = async (u: { user: string; password: string }, start: string, end: string) => {
    const fb = await dav("REPORT", cal(u), { as: u, body: `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="${start}" end="${end}"/></C:free-busy-query>` });
    expect(fb.status).toBe(200);
    return [...(await fb.text()).matchAll(/^FREEBUSY[^:]*:(.*)$/gm)].map((m) => m[1]!.trim());
  };

  it("an event that began long before the range and lasts into it is found, by query and by free-busy", async () => {
    const u = await newUser("qp-long");
    await putOk(u, `${cal(u)}short.ics`, ics({ uid: `s-${rnd()}@t`, start: "20250611T090000Z", end: "20250611T100000Z" }));
    await putOk(u, `${cal(u)}long.ics`, ics({ uid: `l-${rnd()}@t`, start: "20250101T000000Z", end: "20250701T000000Z" }));
    await putOk(u, `${cal(u)}early.ics`, ics({ uid: `e-${rnd()}@t`, start: "20250102T000000Z", end: "20250103T000000Z" }));
    expect(await names(u, "20250610T000000Z", "20250613T000000Z")).toEqual(["long.ics", "short.ics"]);
    expect(await names(u, "20250102T120000Z", "20250102T130000Z")).toEqual(["early.ics", "long.ics"]);
    expect(await busy(u, "20250610T000000Z", "20250613T000000Z")).toEqual(["20250610T000000Z/20250613T000000Z"]);
  });

  it("a home from before schema v12 learns each calendar's longest span when it migrates", async () => {
    const u = await newUser("qp-migrate");
    await putOk(u, `${cal(u)}long.ics`, ics({ uid: `l-${rnd()}@t`, start: "20250101T000000Z", end: "20250701T000000Z" }));
    await putOk(u, `${cal(u)}weekly.ics`, ics({ uid: `w-${rnd()}@t`, start: "20240101T120000Z", end: "20240101T130000Z", extra: ["RRULE:FREQ=WEEKLY"] }));
    // Back to v11 as it was (no max_span, the old index), then migrate as a home does when it starts.
    await runInDurableObject(homeStub(u.user), (instance: CalendarHome) => {
      const sql = (instance as unknown as { sql: Sql }).sql;
      sql.run("DROP INDEX objects_range");
      sql.run("ALTER TABLE collections DROP COLUMN max_span");
      sql.run("CREATE INDEX objects_span ON objects (collection_id, component, start_ms, end_ms, inst_until)");
      sql.run("ALTER TABLE refresh_pending DROP COLUMN sharee"); // v13's, applied again below
      // v15's, applied again below: the two indexes it drops or narrows, as they were.
      sql.run("DROP INDEX objects_body");
      sql.run("CREATE INDEX objects_body ON objects (body_key)");
      sql.run("CREATE INDEX objects_uid ON objects (collection_id, uid)");
      sql.run("ALTER TABLE objects DROP COLUMN inst_exact"); // v16's, applied again below
      sql.run("UPDATE schema_version SET version = 11");
      migrate(sql);
    });
    const [row] = await homeSql<{ max_span: number }>(u.user, "SELECT max_span FROM collections WHERE name = 'calendar'");
    expect(row!.max_span, "the non-recurring event's span; the endless series counts no span").toBe(Date.UTC(2025, 6, 1) - Date.UTC(2025, 0, 1));
    // 2025-06-09 is a Monday, like 2024-01-01: the weekly series has an instance in the range.
    expect(await names(u, "20250609T000000Z", "20250613T000000Z")).toEqual(["long.ics", "weekly.ics"]);
  });
});
