// Where bodies live (home/bodies.ts): in their row, beside the index, unless
// large; bodies stored in R2 by an earlier version are still served, move in
// on their row's next write or by the home's alarm, and nothing is lost
// either way.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import type { CalendarHome } from "../../src/home/calendar-home.js";
import { dav } from "../helpers/dav-client.js";
import { cal, collectGarbageNow, homeEpoch, homeSql, homeStub, ics, newUser, putOk, r2Ics, r2Keys, rnd, rowsWithoutBody } from "../helpers/caldav.js";

/** What an earlier version stored: the body in R2 under a key of its own, none in the row. */
async function asBeforeV6(user: string, name: string): Promise<string> {
  const [row] = await homeSql<{ body: string; collection_id: number }>(user, "SELECT body, collection_id FROM objects WHERE name = ?", name);
  const key = `${await homeEpoch(user)}/${row!.collection_id}/${crypto.randomUUID()}`;
  await env.BODIES.put(key, row!.body);
  await homeSql(user, "UPDATE objects SET body = NULL, body_key = ? WHERE name = ?", key, name);
  return key;
}

const runAlarm = (user: string) =>
  runInDurableObject(homeStub(user), async (instance: CalendarHome) => {
    await instance.alarm();
  });

describe("bodies in their rows (RFC 4791 §5.3.2 PUT, served as stored)", () => {
  it("keeps a usual body in its row and nothing in R2; a large one in R2", async () => {
    const u = await newUser("rows");
    const small = ics({ summary: "small" });
    await putOk(u, `${cal(u)}small.ics`, small);
    await putOk(u, `${cal(u)}large.ics`, r2Ics({ summary: "large" }));
    const rows = await homeSql<{ name: string; body_key: string; inline: number }>(u.user, "SELECT name, body_key, body IS NOT NULL AS inline FROM objects ORDER BY name");
    expect(rows.map((r) => [r.name, r.body_key === "", r.inline])).toEqual([["large.ics", false, 0], ["small.ics", true, 1]]);
    expect(await r2Keys(`${await homeEpoch(u.user)}/`)).toHaveLength(1);
    expect(await (await dav("GET", `${cal(u)}small.ics`, { as: u })).text()).toBe(small);
    expect(await rowsWithoutBody(u.user)).toEqual([]);
  });
});

describe("bodies written before schema v6 (in R2)", () => {
  it("are served, and move into their rows when the home's alarm runs, same bytes and ETag, the R2 copy collected", async () => {
    const u = await newUser("move");
    const names = ["a.ics", "b.ics", "c.ics"];
    const texts = Object.fromEntries(names.map((n) => [n, ics({ uid: `${n}-${rnd()}@t`, summary: n })]));
    const etags: Record<string, string> = {};
    for (const n of names) etags[n] = await putOk(u, `${cal(u)}${n}`, texts[n]!);
    const keys = [];
    for (const n of names) keys.push(await asBeforeV6(u.user, n));
    for (const n of names) {
      const r = await dav("GET", `${cal(u)}${n}`, { as: u });
      expect(await r.text(), `${n} from R2`).toBe(texts[n]);
    }
    await runAlarm(u.user);
    const rows = await homeSql<{ name: string; body: string | null; body_key: string; etag: string }>(u.user, "SELECT name, body, body_key, etag FROM objects ORDER BY name");
    for (const r of rows) {
      expect(r.body, r.name).toBe(texts[r.name]);
      expect(r.body_key, r.name).toBe("");
      expect(`"${r.etag}"`, r.name).toBe(etags[r.name]);
    }
    await collectGarbageNow(u.user);
    for (const k of keys) expect(await env.BODIES.head(k), k).toBeNull();
    for (const n of names) expect(await (await dav("GET", `${cal(u)}${n}`, { as: u })).text()).toBe(texts[n]);
    expect(await rowsWithoutBody(u.user)).toEqual([]);
  });

  it("move in on their row's next write, and the old R2 copy is collected", async () => {
    const u = await newUser("rewrite");
    const uid = `w-${rnd()}@t`;
    await putOk(u, `${cal(u)}w.ics`, ics({ uid, summary: "one" }));
    const key = await asBeforeV6(u.user, "w.ics");
    const next = ics({ uid, summary: "two" });
    await putOk(u, `${cal(u)}w.ics`, next);
    const [row] = await homeSql<{ body: string; body_key: string }>(u.user, "SELECT body, body_key FROM objects WHERE name = 'w.ics'");
    expect([row!.body, row!.body_key]).toEqual([next, ""]);
    await collectGarbageNow(u.user);
    expect(await env.BODIES.head(key)).toBeNull();
  });
});
