// A calendar-query with a time range (RFC 4791 §7.8, §9.9) and a free-busy-query
// (§7.10) find their candidates from the objects_span index alone (schema v11),
// then read just those rows: the statement that tests the range never reads a
// row, whose pages hold its body (src/home/query.ts). Checked on the statement
// the server runs, with SQLite's own query plan.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Sql } from "../../../src/sql.js";
import { dav } from "../../helpers/dav-client.js";
import { cal, homeSql, ics, newUser, putOk, rnd } from "../../helpers/caldav.js";
import { calendarQueryBody, compFilter } from "../../helpers/reports.js";

let seen: Array<{ query: string; params: unknown[] }> = [];
let restore: (() => void) | undefined;
beforeEach(() => {
  seen = [];
  const proto = Sql.prototype as unknown as { all: (q: string, ...p: unknown[]) => unknown };
  const all = proto.all;
  proto.all = function (this: unknown, q: string, ...p: unknown[]) {
    if (/INDEXED BY objects_span/.test(q)) seen.push({ query: q, params: p });
    return all.call(this, q, ...p);
  };
  restore = () => (proto.all = all);
});
afterEach(() => restore?.());

describe("time-range candidates come from the index alone (RFC 4791 §9.9)", () => {
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
      expect(plan[0], plan.join("; ")).toMatch(/^SEARCH objects USING COVERING INDEX objects_span/);
    }
  });
});
