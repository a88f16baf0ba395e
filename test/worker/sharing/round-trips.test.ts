// Round trips of a sharee's requests (README "Sharing"): a request on a
// calendar shared with the user is two calls — its own home, which names the
// owner's calendar, and the owner's home, which checks the invitation and
// reads or writes — and reads no R2 body when the bodies are small.
import { describe, expect, it } from "vitest";
import { dav, propfindBody } from "../../helpers/dav-client.js";
import { ics, putOk, rnd } from "../../helpers/caldav.js";
import { calendarQueryBody, compFilter, multigetBody, syncBody } from "../../helpers/reports.js";
import { countHomeCalls, counts, outer, reset } from "../../helpers/home-calls.js";
import { sharedFamily } from "../../helpers/sharing.js";

countHomeCalls();

describe("a sharee's request on a shared calendar", () => {
  it("GET, PUT, DELETE, PROPFIND Depth 0 and 1, multiget, calendar-query, sync-collection, free-busy-query: two calls each", async () => {
    const f = await sharedFamily();
    const names = ["a.ics", "b.ics", "c.ics"];
    for (const n of names) await putOk(f.owner, `${f.calendar}${n}`, ics({ uid: `${n}-${rnd()}@t` }));
    const u = f.rw;
    const at = f.rwUrl;
    const requests: Array<[string, () => Promise<Response>]> = [
      ["GET", () => dav("GET", `${at}a.ics`, { as: u })],
      ["PUT", () => dav("PUT", `${at}new.ics`, { as: u, body: ics({ uid: `new-${rnd()}@t` }) })],
      ["DELETE", () => dav("DELETE", `${at}b.ics`, { as: u })],
      ["PROPFIND 0", () => dav("PROPFIND", at, { as: u, headers: { Depth: "0" }, body: propfindBody(["D:getetag", "D:displayname"]) })],
      ["PROPFIND 1", () => dav("PROPFIND", at, { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) })],
      ["multiget", () => dav("REPORT", at, { as: u, headers: { Depth: "1" }, body: multigetBody([`${at}a.ics`, `${at}c.ics`]) })],
      ["calendar-query", () => dav("REPORT", at, { as: u, headers: { Depth: "1" }, body: calendarQueryBody(compFilter("VEVENT", "20250601T000000Z", "20250701T000000Z"), { prop: "<D:getetag/><C:calendar-data/>" }) })],
      ["sync-collection", () => dav("REPORT", at, { as: u, body: syncBody("", { prop: "<D:getetag/><C:calendar-data/>" }) })],
      ["free-busy-query", () => dav("REPORT", at, { as: u, body: `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20250601T000000Z" end="20250701T000000Z"/></C:free-busy-query>` })],
    ];
    for (const [what, send] of requests) {
      reset();
      const res = await send();
      expect(res.status, `${what}: ${await res.clone().text()}`).toBeLessThan(300);
      expect(outer(counts.homeCalls), `${what}: calls to the homes`).toHaveLength(2);
      expect(counts.r2Reads, `${what}: R2 reads`).toBe(0);
    }
  });
});
