// Concurrent writes to one calendar home: conditional updates race and
// exactly one wins, UID uniqueness holds under contention, many creates all
// land, and afterwards the SQLite index and R2 bodies agree: no row points at
// a missing body, and once garbage is collected no body is unreferenced.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dav, errorConditions, multistatus, propfindBody, type Creds } from "../helpers/dav-client.js";
import { CAL, D, cal, collectGarbageNow, home, homeEpoch, homeSql, ics, newUser, propText, propfindOne, put, putOk, r2Keys, referencedKeys, rnd, rowsWithoutBody } from "../helpers/caldav.js";

const count = (xs: number[], v: number) => xs.filter((x) => x === v).length;

async function listing(u: Creds, path: string) {
  const ms = await multistatus(await dav("PROPFIND", path, { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag", "D:getcontentlength"]) }));
  ms.delete(path);
  return ms;
}

/** No row without its body; after collection, no body without its row; nothing left pending. */
async function expectConsistent(u: Creds) {
  const referenced = await referencedKeys(u.user);
  for (const key of referenced) expect(await env.BODIES.head(key), `body of a row: ${key}`).not.toBeNull();
  expect(await rowsWithoutBody(u.user), "every row has its body, in the row or in R2").toEqual([]);
  await collectGarbageNow(u.user);
  const stored = await r2Keys(`${await homeEpoch(u.user)}/`);
  expect(new Set(stored)).toEqual(new Set(referenced));
  expect(await homeSql(u.user, "SELECT key FROM pending_bodies")).toEqual([]);
  expect(await homeSql(u.user, "SELECT key FROM garbage")).toEqual([]);
}

describe("concurrent writes", () => {
  it("lets exactly one of 20 concurrent PUTs with the same If-Match win; 19 get 412 and GET serves the winner (RFC 9110 §13.1.1)", async () => {
    const u = await newUser("race");
    const path = `${cal(u)}contested.ics`;
    const uid = `${rnd()}@race`;
    const etag0 = await putOk(u, path, ics({ uid, summary: "original" }));
    const bodies = Array.from({ length: 20 }, (_, i) => ics({ uid, summary: `writer ${i}` }));
    const results = await Promise.all(bodies.map((b) => put(u, path, b, { "If-Match": etag0 })));
    const statuses = results.map((r) => r.status);
    expect(count(statuses, 204), statuses.join(",")).toBe(1);
    expect(count(statuses, 412), statuses.join(",")).toBe(19);
    const winner = statuses.indexOf(204);
    const got = await dav("GET", path, { as: u });
    expect(got.headers.get("etag")).toBe(results[winner]!.headers.get("etag"));
    expect(await got.text()).toBe(bodies[winner]);
    await expectConsistent(u);
  });

  it("lets exactly one of 20 concurrent creates with If-None-Match: * on one URL win; 19 get 412 (RFC 9110 §13.1.2)", async () => {
    const u = await newUser("race");
    const path = `${cal(u)}new.ics`;
    const uid = `${rnd()}@race`;
    const bodies = Array.from({ length: 20 }, (_, i) => ics({ uid, summary: `creator ${i}` }));
    const results = await Promise.all(bodies.map((b) => put(u, path, b, { "If-None-Match": "*" })));
    const statuses = results.map((r) => r.status);
    expect(count(statuses, 201), statuses.join(",")).toBe(1);
    expect(count(statuses, 412), statuses.join(",")).toBe(19);
    const winner = statuses.indexOf(201);
    const got = await dav("GET", path, { as: u });
    expect(got.headers.get("etag")).toBe(results[winner]!.headers.get("etag"));
    expect(await got.text()).toBe(bodies[winner]);
    await expectConsistent(u);
  });

  it("lets exactly one of 20 concurrent PUTs of new resources with the same UID succeed; the rest get CALDAV:no-uid-conflict (RFC 4791 §5.3.2.1)", async () => {
    const u = await newUser("uid");
    const uid = `${rnd()}@race`;
    const names = Array.from({ length: 20 }, (_, i) => `same-uid-${i}.ics`);
    const results = await Promise.all(names.map((n) => put(u, `${cal(u)}${n}`, ics({ uid, summary: n }))));
    const statuses = results.map((r) => r.status);
    expect(count(statuses, 201), statuses.join(",")).toBe(1);
    expect(count(statuses, 403), statuses.join(",")).toBe(19);
    for (const r of results.filter((x) => x.status === 403)) expect(await errorConditions(r)).toContain(CAL("no-uid-conflict"));
    const members = await listing(u, cal(u));
    expect([...members.keys()]).toEqual([`${cal(u)}${names[statuses.indexOf(201)]}`]);
    await expectConsistent(u);
  });

  it("stores all of 50 concurrent PUTs of distinct objects and lists each under the ETag its PUT returned (RFC 4918 §9.1, RFC 4791 §5.3.4)", async () => {
    const u = await newUser("many");
    const names = Array.from({ length: 50 }, (_, i) => `obj-${i}.ics`);
    const results = await Promise.all(names.map((n) => put(u, `${cal(u)}${n}`, ics({ summary: n }))));
    expect(results.map((r) => r.status)).toEqual(names.map(() => 201));
    const members = await listing(u, cal(u));
    expect([...members.keys()].sort()).toEqual(names.map((n) => `${cal(u)}${n}`).sort());
    names.forEach((n, i) => {
      expect(propText(members.get(`${cal(u)}${n}`)!, D("getetag")), n).toBe(results[i]!.headers.get("etag"));
    });
    await expectConsistent(u);
  });

  it("keeps index, R2 bodies and quota consistent after a mixed burst of overwrites, creates, deletes and conflicts in two calendars", async () => {
    const u = await newUser("mixed");
    // What a new home uses before any object: its default collections' properties (RFC 4331 counts them too).
    const baseline = Number(propText(await propfindOne(u, home(u), ["D:quota-used-bytes"]), D("quota-used-bytes")));
    const seedUid = (i: number) => `seed-${i}@mixed`;
    for (let i = 0; i < 10; i++) await putOk(u, `${cal(u)}seed-${i}.ics`, ics({ uid: seedUid(i), summary: `seed ${i}` }));
    const contested = `${cal(u)}contested.ics`;
    await putOk(u, contested, ics({ uid: "contested@mixed" }));
    const ops: Array<Promise<Response>> = [];
    // Unconditional overwrites of one resource: all succeed, last writer wins.
    for (let i = 0; i < 15; i++) ops.push(put(u, contested, ics({ uid: "contested@mixed", summary: `overwrite ${i} ${"z".repeat(i * 37)}` })));
    // Deletes of half the seeds, racing with overwrites of the other half.
    for (let i = 0; i < 5; i++) ops.push(dav("DELETE", `${cal(u)}seed-${i}.ics`, { as: u }));
    for (let i = 5; i < 10; i++) ops.push(put(u, `${cal(u)}seed-${i}.ics`, ics({ uid: seedUid(i), summary: `seed ${i} v2` })));
    // Creates in both calendars, and same-UID conflicts.
    for (let i = 0; i < 15; i++) ops.push(put(u, `${cal(u)}new-${i}.ics`, ics({ summary: `new ${i}` })));
    for (let i = 0; i < 10; i++) ops.push(put(u, `${cal(u, "tasks")}t-${i}.ics`, ics({ component: "VTODO", summary: `task ${i}` })));
    for (let i = 0; i < 10; i++) ops.push(put(u, `${cal(u, "tasks")}dup-${i}.ics`, ics({ component: "VTODO", uid: "dup@mixed" })));
    const statuses = (await Promise.all(ops)).map((r) => r.status);
    expect(statuses.filter((s) => s >= 500), statuses.join(",")).toEqual([]);
    expect(statuses.slice(0, 15).every((s) => s === 204)).toBe(true);
    expect(statuses.slice(15, 20).every((s) => s === 204)).toBe(true);
    expect(statuses.slice(20, 25).every((s) => s === 204)).toBe(true);
    expect(statuses.slice(25, 50).every((s) => s === 201)).toBe(true);
    expect(count(statuses.slice(50), 201)).toBe(1);

    const events = await listing(u, cal(u));
    const tasks = await listing(u, cal(u, "tasks"));
    expect(events.size).toBe(1 + 5 + 15);
    expect(tasks.size).toBe(10 + 1);
    // quota-used-bytes is the sum of the stored objects (RFC 4331 §4) on top of the new home's properties.
    const total = [...events.values(), ...tasks.values()].reduce((s, r) => s + Number(propText(r, D("getcontentlength"))), 0);
    expect(Number(propText(await propfindOne(u, home(u), ["D:quota-used-bytes"]), D("quota-used-bytes")))).toBe(baseline + total);
    await expectConsistent(u);
  });
});
