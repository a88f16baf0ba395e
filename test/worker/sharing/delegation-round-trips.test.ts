// Round trips of a delegate's requests (README "Delegation"): the boss's home
// checks the proxy groups and reads or writes in the same call, so a request
// is one call to a home, as the boss's own is, and reads no R2 body when the
// bodies are small.
import { describe, expect, it } from "vitest";
import { dav, propfindBody } from "../../helpers/dav-client.js";
import { home, ics, putOk, rnd } from "../../helpers/caldav.js";
import { calendarQueryBody, compFilter, multigetBody, syncBody } from "../../helpers/reports.js";
import { countHomeCalls, counts, outer, reset } from "../../helpers/home-calls.js";
import { office } from "../../helpers/delegation.js";

countHomeCalls();

describe("a delegate's request at the boss's URL", () => {
  it("GET, DELETE, PROPFIND of the home and the calendar, multiget, calendar-query, sync-collection, free-busy-query: PUT: one call each", async () => {
    const o = await office();
    const names = ["a.ics", "b.ics", "c.ics"];
    for (const n of names) await putOk(o.boss, `${o.calendar}${n}`, ics({ uid: `${n}-${rnd()}@t` }));
    const u = o.writer;
    const at = o.calendar;
    const requests: Array<[string, () => Promise<Response>, number]> = [
      ["GET", () => dav("GET", `${at}a.ics`, { as: u }), 1],
      ["PUT", () => dav("PUT", `${at}new.ics`, { as: u, body: ics({ uid: `new-${rnd()}@t` }) }), 1],
      ["DELETE", () => dav("DELETE", `${at}b.ics`, { as: u }), 1],
      ["PROPFIND home 1", () => dav("PROPFIND", home(o.boss), { as: u, headers: { Depth: "1" }, body: propfindBody(["D:displayname"]) }), 1],
      ["PROPFIND 0", () => dav("PROPFIND", at, { as: u, headers: { Depth: "0" }, body: propfindBody(["D:getetag", "D:displayname"]) }), 1],
      ["PROPFIND 1", () => dav("PROPFIND", at, { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) }), 1],
      ["multiget", () => dav("REPORT", at, { as: u, headers: { Depth: "1" }, body: multigetBody([`${at}a.ics`, `${at}c.ics`]) }), 1],
      ["calendar-query", () => dav("REPORT", at, { as: u, headers: { Depth: "1" }, body: calendarQueryBody(compFilter("VEVENT", "20250601T000000Z", "20250701T000000Z"), { prop: "<D:getetag/><C:calendar-data/>" }) }), 1],
      ["sync-collection", () => dav("REPORT", at, { as: u, body: syncBody("", { prop: "<D:getetag/><C:calendar-data/>" }) }), 1],
      ["free-busy-query", () => dav("REPORT", at, { as: u, body: `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20250601T000000Z" end="20250701T000000Z"/></C:free-busy-query>` }), 1],
    ];
    for (const [what, send, calls] of requests) {
      reset();
      const res = await send();
      expect(res.status, `${what}: ${await res.clone().text()}`).toBeLessThan(300);
      expect(outer(counts.homeCalls), `${what}: calls to the homes`).toHaveLength(calls);
      expect(counts.r2Reads, `${what}: R2 reads`).toBe(0);
    }
  });
});
