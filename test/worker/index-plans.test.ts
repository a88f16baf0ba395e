// Every statement a client's requests run finds its rows of `objects` through
// an index, never by reading the table through (schema v15 dropped two of its
// indexes: each index is one more B-tree written by every PUT and DELETE).
// The statements are the server's own, caught as the home runs them while
// real requests go through the Worker: a plain PUT, a body too large for its
// row (R2) and its replacement, GET, DELETE, COPY and MOVE into another
// calendar (RFC 4791 §5.3.2.1 no-uid-conflict is looked up by UID), an
// organizer's PUT delivered to an attendee (RFC 6638 §3.2, looked up by UID in
// both homes), and the garbage collection of the R2 body.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Sql } from "../../src/sql.js";
import { dav } from "../helpers/dav-client.js";
import { cal, collectGarbageNow, homeSql, ics, mkcalendar, putOk, r2Ics, rnd } from "../helpers/caldav.js";
import { copyPath, meeting, newUid, party, waitCopy } from "../helpers/scheduling.js";

type Caught = { query: string; params: unknown[] };
let caught: Caught[] = [];
let restore: (() => void) | undefined;
beforeEach(() => {
  caught = [];
  const proto = Sql.prototype as unknown as Record<"all" | "one" | "run", (q: string, ...p: unknown[]) => unknown>;
  const originals = { all: proto.all, one: proto.one, run: proto.run };
  for (const m of ["all", "one", "run"] as const) {
    proto[m] = function (this: unknown, q: string, ...p: unknown[]) {
      if (/\bobjects\b/.test(q) && !/^\s*EXPLAIN/i.test(q)) caught.push({ query: q, params: p });
      return originals[m].call(this, q, ...p);
    };
  }
  restore = () => Object.assign(proto, originals);
});
afterEach(() => restore?.());

describe("rows of objects are found by index (schema v15)", () => {
  it("keeps four indexes on objects besides its key, objects_body only for bodies kept in R2", async () => {
    const u = await party("ix");
    await putOk(u, `${cal(u)}a.ics`, ics({ uid: `a-${rnd()}@t` }));
    const indexes = await homeSql<{ name: string; sql: string }>(u.user, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'objects' AND sql IS NOT NULL ORDER BY name");
    expect(indexes.map((i) => i.name)).toEqual(["objects_body", "objects_home_uid", "objects_range", "objects_rev"]);
    expect(indexes.find((i) => i.name === "objects_body")!.sql).toMatch(/WHERE body_key != ''/);
  });

  it("no statement of PUT, GET, DELETE, COPY, MOVE, scheduling or garbage collection reads objects through", async () => {
    const org = await party("ix-org");
    const att = await party("ix-att");
    expect((await mkcalendar(org, `/calendars/${org.user}/work/`)).status).toBe(201);
    const uid = `plain-${rnd()}@t`;
    await putOk(org, `${cal(org)}plain.ics`, ics({ uid }));
    const large = `large-${rnd()}@t`;
    await putOk(org, `${cal(org)}large.ics`, r2Ics({ uid: large }));
    await putOk(org, `${cal(org)}large.ics`, ics({ uid: large })); // its R2 body is let go
    expect((await dav("GET", `${cal(org)}plain.ics`, { as: org })).status).toBe(200);
    const copy = await dav("COPY", `${cal(org)}plain.ics`, { as: org, headers: { Destination: `${cal(org, "work")}copy.ics` } });
    expect(copy.status).toBe(201);
    const conflict = await dav("COPY", `${cal(org)}plain.ics`, { as: org, headers: { Destination: `${cal(org, "work")}again.ics` } });
    expect(conflict.status).toBe(403); // the same UID in the same calendar
    const move = await dav("MOVE", `${cal(org)}large.ics`, { as: org, headers: { Destination: `${cal(org, "work")}moved.ics` } });
    expect(move.status).toBe(201);
    const uidMeet = newUid("ix");
    await putOk(org, `${cal(org)}meet.ics`, meeting({ uid: uidMeet, organizer: org, attendees: [{ who: att }], start: "20270105T100000Z", end: "20270105T110000Z" }));
    await waitCopy(att, copyPath(att, uidMeet), () => true, "the attendee's copy"); // delivered by the queue
    expect((await dav("DELETE", `${cal(org)}plain.ics`, { as: org })).status).toBe(204);
    await collectGarbageNow(org.user);

    const statements = new Map<string, Caught>();
    for (const c of caught) if (!statements.has(c.query)) statements.set(c.query, c);
    restore?.();
    // Not vacuous: the lookups this test is about were run.
    const ran = [...statements.keys()];
    expect(ran.some((q) => /uid = \?/.test(q)), "a lookup by UID").toBe(true);
    expect(ran.some((q) => /body_key = \?/.test(q)), "a lookup by body key").toBe(true);
    expect(ran.some((q) => /o\.uid = \? AND c\.kind = 'calendar'/.test(q)), "the attendee's home looking for the meeting").toBe(true);
    for (const { query, params } of statements.values()) {
      // One statement that reads (a migration's script is run once, and EXPLAIN would run all but its first).
      if (query.trim().replace(/;$/, "").includes(";") || !/^\s*(SELECT|UPDATE|DELETE|WITH|INSERT[^;]*\bSELECT)\b/i.test(query)) continue;
      // Every home has the same schema: the plan is the same in the organizer's.
      const plan = (await homeSql<{ detail: string }>(org.user, `EXPLAIN QUERY PLAN ${query}`, ...params)).map((r) => r.detail);
      const through = plan.filter((d) => /^SCAN objects\b/.test(d) && !/USING (COVERING )?INDEX objects_body\b/.test(d));
      expect(through, `${query}\n${plan.join("; ")}`).toEqual([]);
    }
  });
});
