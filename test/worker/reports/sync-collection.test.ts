// DAV:sync-collection (RFC 6578) end to end on calendars: the initial sync
// with an empty token (§3.4), changes since a token (§3.5: created and
// updated members with their new ETag, removed members as 404 responses,
// each member once), property changes moving the token without listing a
// member, an unchanged collection, DAV:limit truncation with a 507 response
// for the collection and a continuation token (§3.6, §3.7), the
// DAV:valid-sync-token precondition (§3.2), DAV:nresults and Depth
// validation, and CS:getctag moving with DAV:sync-token.
import { describe, expect, it } from "vitest";
import { BASE, dav, errorConditions, type Creds } from "../../helpers/dav-client.js";
import { CS, D, cal, home, ics, newUser, propText, propfindOne, putOk, rnd } from "../../helpers/caldav.js";
import { calendarDataOf, proppatchOk, report, syncBody, syncCollection, type SyncResult } from "../../helpers/reports.js";

/** The calendar's DAV:sync-token and CS:getctag from PROPFIND. */
async function tokenAndCtag(u: Creds, path: string): Promise<{ token: string; ctag: string }> {
  const r = await propfindOne(u, path, ["D:sync-token", "CS:getctag"]);
  return { token: propText(r, D("sync-token")), ctag: propText(r, CS("getctag")) };
}

/** Member name → "etag" for changed members, 404 for removed ones; fails on a duplicate href or any other shape. */
function changes(s: SyncResult, collection: string): Map<string, string | 404> {
  expect(new Set(s.hrefs).size, `duplicate hrefs in ${s.hrefs.join(", ")}`).toBe(s.hrefs.length);
  const out = new Map<string, string | 404>();
  for (const [href, r] of s.responses) {
    if (href === collection) continue; // the 507 truncation marker, checked separately
    expect(href.startsWith(collection), href).toBe(true);
    const name = href.slice(collection.length);
    if (r.status !== undefined) {
      expect(r.status, href).toBe(404);
      expect(r.props.size, `${href}: a removed member has no propstat`).toBe(0);
      out.set(name, 404);
    } else {
      out.set(name, propText(r, D("getetag")));
    }
  }
  return out;
}

/** True when the response carries the 507 truncation response for the collection (§3.6). */
function truncated(s: SyncResult, collection: string): boolean {
  const r = s.responses.get(collection);
  if (!r) return false;
  expect(r.status).toBe(507);
  expect(r.error && r.error.children.some((c) => typeof c !== "string" && c.name === D("number-of-matches-within-limits"))).toBe(true);
  return true;
}

const put = (u: Creds, name: string, summary = name) => putOk(u, `${cal(u)}${name}`, ics({ uid: `${u.user}-${name}@test`, summary }));

describe("initial synchronization (RFC 6578 §3.4, §3.8)", () => {
  it("lists every member with its ETag and returns the collection's current token", async () => {
    const u = await newUser("sync");
    const etags = new Map<string, string>();
    for (const n of ["a.ics", "b.ics", "c.ics"]) etags.set(n, await put(u, n));
    const s = await syncCollection(u, cal(u), "");
    expect(changes(s, cal(u))).toEqual(etags);
    expect(truncated(s, cal(u))).toBe(false);
    expect(s.token).toBe((await tokenAndCtag(u, cal(u))).token);
    expect(() => new URL(s.token)).not.toThrow(); // §3.2: the token is a URI
  });

  it("does not report members removed before the initial sync", async () => {
    const u = await newUser("sync");
    await put(u, "kept.ics");
    await put(u, "gone.ics");
    expect((await dav("DELETE", `${cal(u)}gone.ics`, { as: u })).status).toBe(204);
    const s = await syncCollection(u, cal(u), "");
    expect([...changes(s, cal(u)).keys()]).toEqual(["kept.ics"]);
  });

  it("returns calendar-data when asked for it", async () => {
    const u = await newUser("sync");
    const body = ics({ summary: "with data" });
    await putOk(u, `${cal(u)}a.ics`, body);
    const s = await syncCollection(u, cal(u), "", { prop: "<D:getetag/><C:calendar-data/>" });
    expect(calendarDataOf(s.responses.get(`${cal(u)}a.ics`))).toBe(body);
  });

  it("answers an empty collection with no members and a token", async () => {
    const u = await newUser("sync");
    const s = await syncCollection(u, cal(u), "");
    expect(s.responses.size).toBe(0);
    expect(s.token).toBe((await tokenAndCtag(u, cal(u))).token);
  });
});

describe("synchronization with a token (RFC 6578 §3.5, §3.9)", () => {
  it("reports created and updated members with their new ETags and removed ones as 404, leaving unchanged ones out", async () => {
    const u = await newUser("sync");
    await put(u, "unchanged.ics");
    const oldEtag = await put(u, "updated.ics", "v1");
    await put(u, "deleted.ics");
    const s0 = await syncCollection(u, cal(u), "");

    const created = await put(u, "created.ics");
    const newEtag = await put(u, "updated.ics", "v2");
    expect(newEtag).not.toBe(oldEtag);
    expect((await dav("DELETE", `${cal(u)}deleted.ics`, { as: u })).status).toBe(204);

    const s1 = await syncCollection(u, cal(u), s0.token);
    expect(changes(s1, cal(u))).toEqual(new Map<string, string | 404>([["created.ics", created], ["updated.ics", newEtag], ["deleted.ics", 404]]));
    expect(s1.token).not.toBe(s0.token);
    expect(s1.token).toBe((await tokenAndCtag(u, cal(u))).token);
  });

  it("lists a member changed several times once, with its latest ETag", async () => {
    const u = await newUser("sync");
    await put(u, "a.ics", "v0");
    const s0 = await syncCollection(u, cal(u), "");
    await put(u, "a.ics", "v1");
    await put(u, "a.ics", "v2");
    const last = await put(u, "a.ics", "v3");
    expect(changes(await syncCollection(u, cal(u), s0.token), cal(u))).toEqual(new Map([["a.ics", last]]));
  });

  it("reports a member removed and re-created under the same URL as changed, not removed (§3.5.1)", async () => {
    const u = await newUser("sync");
    await put(u, "again.ics", "v1");
    const s0 = await syncCollection(u, cal(u), "");
    expect((await dav("DELETE", `${cal(u)}again.ics`, { as: u })).status).toBe(204);
    const etag = await put(u, "again.ics", "v2");
    expect(changes(await syncCollection(u, cal(u), s0.token), cal(u))).toEqual(new Map([["again.ics", etag]]));
  });

  it("reports a member added and removed between two syncs as removed (§3.5.2)", async () => {
    const u = await newUser("sync");
    const s0 = await syncCollection(u, cal(u), "");
    await put(u, "brief.ics");
    expect((await dav("DELETE", `${cal(u)}brief.ics`, { as: u })).status).toBe(204);
    expect(changes(await syncCollection(u, cal(u), s0.token), cal(u))).toEqual(new Map([["brief.ics", 404]]));
  });

  it("reports a MOVE as a removal in the source calendar and a new member in the destination (§3.5.1, §3.5.2)", async () => {
    const u = await newUser("sync");
    const other = cal(u);
    await put(u, "mover.ics");
    const src0 = await syncCollection(u, other, "");
    const dstPath = `${home(u)}second-${rnd()}/`;
    const mk = await dav("MKCOL", dstPath, {
      as: u,
      body: `<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype></D:prop></D:set></D:mkcol>`,
    });
    expect(mk.status).toBe(201);
    const dst0 = await syncCollection(u, dstPath, "");
    const mv = await dav("MOVE", `${other}mover.ics`, { as: u, headers: { Destination: `${BASE}${dstPath}moved.ics` } });
    expect(mv.status).toBe(201);
    expect(changes(await syncCollection(u, other, src0.token), other)).toEqual(new Map([["mover.ics", 404]]));
    const dst1 = changes(await syncCollection(u, dstPath, dst0.token), dstPath);
    expect([...dst1.keys()]).toEqual(["moved.ics"]);
    expect(dst1.get("moved.ics")).not.toBe(404);
  });

  it("moves the token for a PROPPATCH of displayname but lists no member", async () => {
    const u = await newUser("sync");
    await put(u, "a.ics");
    const s0 = await syncCollection(u, cal(u), "");
    await proppatchOk(u, cal(u), `<D:displayname>Renamed ${rnd()}</D:displayname>`);
    const s1 = await syncCollection(u, cal(u), s0.token);
    expect(s1.responses.size).toBe(0);
    expect(s1.token).not.toBe(s0.token);
    expect(s1.token).toBe((await tokenAndCtag(u, cal(u))).token);
  });

  it("answers an unchanged collection with no members and the same token, as often as asked", async () => {
    const u = await newUser("sync");
    await put(u, "a.ics");
    const s0 = await syncCollection(u, cal(u), "");
    for (let i = 0; i < 3; i++) {
      const s = await syncCollection(u, cal(u), s0.token);
      expect(s.responses.size).toBe(0);
      expect(s.token).toBe(s0.token);
    }
  });

  it("accepts sync-level infinite on a calendar, which has no child collections (§3.3)", async () => {
    const u = await newUser("sync");
    const etag = await put(u, "a.ics");
    const s = await syncCollection(u, cal(u), "", { level: "infinite" });
    expect(changes(s, cal(u))).toEqual(new Map([["a.ics", etag]]));
  });

  it("keeps changes of another calendar of the same home out", async () => {
    const u = await newUser("sync");
    const s0 = await syncCollection(u, cal(u), "");
    await putOk(u, `${cal(u, "tasks")}t.ics`, ics({ component: "VTODO" }));
    const s1 = await syncCollection(u, cal(u), s0.token);
    expect(s1.responses.size).toBe(0);
  });
});

describe("truncation and DAV:limit (RFC 6578 §3.6, §3.7, §3.10, §3.11)", () => {
  it("pages an initial sync of 7 members 3 at a time: 507 for the collection with number-of-matches-within-limits, a continuation token, no duplicates or losses", async () => {
    const u = await newUser("sync-limit");
    const etags = new Map<string, string>();
    for (let i = 0; i < 7; i++) etags.set(`m${i}.ics`, await put(u, `m${i}.ics`));
    const seen = new Map<string, string | 404>();
    let token = "";
    const pages: number[] = [];
    for (let round = 0; round < 5; round++) {
      const s = await syncCollection(u, cal(u), token, { limit: "3" });
      const page = changes(s, cal(u));
      expect(page.size).toBeLessThanOrEqual(3);
      for (const [k, v] of page) {
        expect(seen.has(k), `${k} reported twice`).toBe(false);
        seen.set(k, v);
      }
      pages.push(page.size);
      token = s.token;
      if (!truncated(s, cal(u))) break;
    }
    expect(pages).toEqual([3, 3, 1]);
    expect(seen).toEqual(etags);
    expect(token).toBe((await tokenAndCtag(u, cal(u))).token);
    const after = await syncCollection(u, cal(u), token, { limit: "3" });
    expect(after.responses.size).toBe(0);
  });

  it("pages changes since a token (creates, updates, deletes interleaved) 2 at a time and ends with the current token", async () => {
    const u = await newUser("sync-limit");
    for (const n of ["a.ics", "b.ics", "c.ics", "d.ics"]) await put(u, n, "v1");
    const s0 = await syncCollection(u, cal(u), "");
    const expected = new Map<string, string | 404>();
    expected.set("b.ics", await put(u, "b.ics", "v2"));
    expect((await dav("DELETE", `${cal(u)}c.ics`, { as: u })).status).toBe(204);
    expected.set("c.ics", 404);
    expected.set("e.ics", await put(u, "e.ics"));
    expect((await dav("DELETE", `${cal(u)}a.ics`, { as: u })).status).toBe(204);
    expected.set("a.ics", 404);
    expected.set("f.ics", await put(u, "f.ics"));
    const seen = new Map<string, string | 404>();
    let token = s0.token;
    for (let round = 0; round < 6; round++) {
      const s = await syncCollection(u, cal(u), token, { limit: "2" });
      for (const [k, v] of changes(s, cal(u))) {
        expect(seen.has(k), `${k} reported twice`).toBe(false);
        seen.set(k, v);
      }
      token = s.token;
      if (!truncated(s, cal(u))) break;
    }
    expect(seen).toEqual(expected);
    expect(token).toBe((await tokenAndCtag(u, cal(u))).token);
  });

  it("does not truncate when the changes fit the limit exactly", async () => {
    const u = await newUser("sync-limit");
    for (const n of ["a.ics", "b.ics"]) await put(u, n);
    const s = await syncCollection(u, cal(u), "", { limit: "2" });
    expect(changes(s, cal(u)).size).toBe(2);
    expect(truncated(s, cal(u))).toBe(false);
  });

  it("accepts a huge DAV:nresults and answers without truncation (RFC 5323 §5.17: any positive integer)", async () => {
    const u = await newUser("sync-limit");
    await put(u, "a.ics");
    for (const n of ["1000000", "999999999999", "100000000000000000000"]) {
      const s = await syncCollection(u, cal(u), "", { limit: n });
      expect(changes(s, cal(u)).size, n).toBe(1);
      expect(truncated(s, cal(u)), n).toBe(false);
    }
  });

  it("refuses a DAV:nresults that is not a positive integer with 400", async () => {
    const u = await newUser("sync-limit");
    for (const n of ["0", "abc", "-1", "1.5", ""]) {
      const res = await report(u, cal(u), syncBody("", { limit: n }), "0");
      expect(res.status, JSON.stringify(n)).toBe(400);
    }
  });
});

describe("invalid requests (RFC 6578 §3.2)", () => {
  it("refuses unknown, malformed, future and other collections' tokens with 403 DAV:valid-sync-token", async () => {
    const u = await newUser("sync-bad");
    const other = await newUser("sync-bad-other");
    await put(u, "a.ics");
    const mine = (await syncCollection(u, cal(u), "")).token;
    const tasks = (await syncCollection(u, cal(u, "tasks"), "")).token;
    const theirs = (await syncCollection(other, cal(other), "")).token;
    const future = mine.replace(/\d+$/, (n) => String(Number(n) + 1000));
    expect(future).not.toBe(mine);
    const bad = [
      "http://example.com/ns/sync/1234",
      "not a token at all",
      `${mine}x`,
      mine.replace(/:\d+:(\d+)$/, ":abc:$1"),
      "urn:x-edge-caldav:sync:",
      tasks,
      theirs,
      future,
    ];
    for (const token of bad) {
      const res = await report(u, cal(u), syncBody(token), "0");
      expect(res.status, token).toBe(403);
      expect(await errorConditions(res), token).toEqual([D("valid-sync-token")]);
    }
  });

  it("reads Depth: 1 or infinity as absent: DAV:sync-level decides (RFC 6578 §3.2; python-caldav sends Depth: 1)", async () => {
    const u = await newUser("sync-depth");
    await put(u, "a.ics");
    const first = await syncCollection(u, cal(u), "");
    for (const depth of ["1", "infinity", null]) {
      const res = await report(u, cal(u), syncBody(""), depth);
      expect(res.status, String(depth)).toBe(207);
      expect(await res.text(), String(depth)).toContain(`${cal(u)}a.ics`);
      const delta = await report(u, cal(u), syncBody(first.token), depth);
      expect(delta.status, `delta, ${depth}`).toBe(207);
    }
    expect((await report(u, cal(u), syncBody(""), "2")).status, "a Depth that is no Depth").toBe(400);
    expect((await report(u, cal(u), syncBody("", { level: "2" }), "1")).status, "a sync-level the server does not support").toBe(400);
  });

  it("answers a changed member with a propstat even when DAV:prop is empty (RFC 6578 §3.2, RFC 4918 §14.24)", async () => {
    const u = await newUser("sync-noprop");
    await put(u, "a.ics");
    const text = await (await report(u, cal(u), syncBody("", { prop: "" }), "0")).text();
    const r = text.split("<D:response>").find((x) => x.includes(`${cal(u)}a.ics`));
    expect(r, text).toBeDefined();
    expect(r!).toMatch(/<D:propstat><D:prop\/><D:status>HTTP\/1.1 200 OK<\/D:status><\/D:propstat>/);
  });

  it("offers DAV:sync-token on the scheduling inbox, where sync-collection is offered (RFC 6578 §4)", async () => {
    const u = await newUser("sync-inbox");
    const inboxPath = `/calendars/${u.user}/inbox/`;
    const r = await propfindOne(u, inboxPath, ["D:sync-token", "D:supported-report-set"]);
    const token = propText(r, D("sync-token"));
    expect(token).toMatch(/^urn:/);
    expect((await syncCollection(u, inboxPath, token)).responses.size).toBe(0);
  });

  it("refuses sync-collection on the calendar home, where it is not offered, with 403 DAV:supported-report (RFC 3253 §3.6)", async () => {
    const u = await newUser("sync-bad");
    const res = await report(u, home(u), syncBody(""), "0");
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([D("supported-report")]);
  });

  it("answers 400 for a sync-collection without DAV:sync-token or with a bad sync-level", async () => {
    const u = await newUser("sync-bad");
    const noToken = `<D:sync-collection xmlns:D="DAV:"><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;
    expect((await report(u, cal(u), noToken, "0")).status).toBe(400);
    expect((await report(u, cal(u), syncBody("", { level: "2" }), "0")).status).toBe(400);
  });
});

describe("CS:getctag and DAV:sync-token move together (calendarserver ctag, RFC 6578 §4)", () => {
  it("changes both after every create, update, delete and PROPPATCH, and neither after reads and reports", async () => {
    const u = await newUser("ctag");
    const states: Array<{ token: string; ctag: string }> = [await tokenAndCtag(u, cal(u))];
    const expectSame = async () => expect(await tokenAndCtag(u, cal(u))).toEqual(states[states.length - 1]);
    const expectMoved = async (what: string) => {
      const now = await tokenAndCtag(u, cal(u));
      for (const s of states) {
        expect(now.token, `${what}: sync-token`).not.toBe(s.token);
        expect(now.ctag, `${what}: getctag`).not.toBe(s.ctag);
      }
      states.push(now);
      // The sync report hands out the same token the property has.
      expect((await syncCollection(u, cal(u), "")).token).toBe(now.token);
    };
    await put(u, "a.ics", "v1");
    await expectMoved("create");
    await dav("GET", `${cal(u)}a.ics`, { as: u });
    await syncCollection(u, cal(u), "");
    await expectSame();
    await put(u, "a.ics", "v2");
    await expectMoved("update");
    await proppatchOk(u, cal(u), `<D:displayname>Named ${rnd()}</D:displayname>`);
    await expectMoved("PROPPATCH");
    expect((await dav("DELETE", `${cal(u)}a.ics`, { as: u })).status).toBe(204);
    await expectMoved("delete");
    await expectSame();
  });
});
