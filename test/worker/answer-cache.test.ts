// Answers to PROPFIND and REPORT kept in the isolate (src/dav/answer-cache.ts)
// are reused only when the home confirms that nothing was written since
// (RFC 4918 §9.1, RFC 4791 §7.8-7.9, RFC 6578 §3: every answer is what the
// home holds now): after a PUT, a DELETE, a PROPPATCH, a scheduling delivery
// from the queue, a share being withdrawn, the next answer is new. Nobody
// gets another principal's kept answer; a client that does not take gzip
// (RFC 9110 §12.5.3) gets the same answer uncompressed.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exports } from "cloudflare:workers";
import { CalendarHome } from "../../src/home/calendar-home.js";
import { acceptsGzip, AnswerCache } from "../../src/dav/answer-cache.js";
import { basic, dav, multistatus, propfindBody } from "../helpers/dav-client.js";
import { cal, ics, mkcalendar, newUser, proppatchBody, putOk, rnd } from "../helpers/caldav.js";
import { calendarQueryBody, compFilter, multigetBody, syncBody } from "../helpers/reports.js";
import { cast, copyPath, eventually, meeting, newUid } from "../helpers/scheduling.js";
import { sharedFamily, unshare } from "../helpers/sharing.js";

/**
 * How the home answered each view: "kept" when it confirmed the kept answer, "read" when it read afresh (a kept
 * answer found stale is read in that same call: one round trip either way).
 */
let answers: string[] = [];
let restore: (() => void) | undefined;
beforeEach(() => {
  answers = [];
  const proto = CalendarHome.prototype as unknown as { view: (...a: unknown[]) => unknown };
  const view = proto.view;
  proto.view = function (this: unknown, ...args: unknown[]) {
    const r = view.apply(this, args) as { ok: boolean; value?: object };
    answers.push(r.ok && r.value && "stillValid" in r.value ? "kept" : "read");
    return r;
  };
  restore = () => (proto.view = view);
});
afterEach(() => restore?.());

const depth1 = (u: Parameters<typeof cal>[0], path = cal(u)) => dav("PROPFIND", path, { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag", "D:displayname"]) });
const hrefs = async (res: Response) => [...(await multistatus(res)).keys()].sort();

describe("kept answers are reused only while the home is unchanged (RFC 4918 §9.1)", () => {
  it("a PROPFIND asked again is kept, and confirmed, not read, from then on; each kind of write makes the next one read", async () => {
    const u = await newUser("ac");
    const a = `${cal(u)}a.ics`;
    await putOk(u, a, ics({ uid: `a-${rnd()}@t` }));
    const first = await (await depth1(u)).text();
    const second = await (await depth1(u)).text();
    const third = await (await depth1(u)).text();
    expect([second, third]).toEqual([first, first]);
    // Asked once, an answer is not kept (most multigets never come again); asked again, it is.
    expect(answers).toEqual(["read", "read", "kept"]);

    // PUT: the new member is listed.
    const b = `${cal(u)}b.ics`;
    await putOk(u, b, ics({ uid: `b-${rnd()}@t` }));
    answers = [];
    expect(await hrefs(await depth1(u))).toEqual([cal(u), a, b].sort());
    expect(answers).toEqual(["read"]);

    // PROPPATCH of the collection: its new name.
    const patched = await dav("PROPPATCH", cal(u), { as: u, body: proppatchBody("<D:displayname>Renamed</D:displayname>") });
    expect(patched.status).toBe(207);
    expect(await (await depth1(u)).text()).toContain("Renamed");

    // DELETE: gone from the listing.
    expect((await dav("DELETE", b, { as: u })).status).toBe(204);
    answers = [];
    expect(await hrefs(await depth1(u))).toEqual([cal(u), a].sort());
    expect(await hrefs(await depth1(u))).toEqual([cal(u), a].sort());
    expect(answers).toEqual(["read", "kept"]);
  });

  it("eight identical requests at once build the answer once; the others wait for it and have the home confirm it", async () => {
    const u = await newUser("ac-flight");
    for (let i = 0; i < 20; i++) await putOk(u, `${cal(u)}e${i}.ics`, ics({ uid: `e${i}-${rnd()}@t` }));
    answers = [];
    const texts = await Promise.all(Array.from({ length: 8 }, async () => (await depth1(u)).text()));
    expect(new Set(texts).size).toBe(1);
    expect(answers.filter((a) => a === "read")).toHaveLength(1);
    expect(answers.filter((a) => a === "kept")).toHaveLength(7);
  });

  it("REPORTs: multiget, calendar-query, sync-collection and free-busy-query are kept per body, and follow a PUT", async () => {
    const u = await newUser("ac-rep");
    const a = `${cal(u)}a.ics`;
    const uid = `a-${rnd()}@t`;
    await putOk(u, a, ics({ uid, summary: "First" }));
    const reports = [
      multigetBody([a], "<D:getetag/><C:calendar-data/>"),
      calendarQueryBody(compFilter("VEVENT", "20250601T000000Z", "20250701T000000Z"), { prop: "<D:getetag/><C:calendar-data/>" }),
      syncBody("", { prop: "<D:getetag/><C:calendar-data/>" }),
    ];
    const send = (body: string) => dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body });
    for (const body of reports) {
      answers = [];
      const one = await (await send(body)).text();
      expect(await (await send(body)).text()).toBe(one);
      expect(await (await send(body)).text()).toBe(one);
      expect(one).toContain("SUMMARY:First");
      expect(answers).toEqual(["read", "read", "kept"]);
    }
    // A free-busy-query's VFREEBUSY (RFC 4791 §7.10) too: its busy time moves with the event.
    const busy = `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20250601T000000Z" end="20250701T000000Z"/></C:free-busy-query>`;
    answers = [];
    const fb = await (await send(busy)).text();
    expect(fb).toContain("FREEBUSY:20250610T090000Z/20250610T100000Z");
    // Made twice (its DTSTAMP may move between the two), then kept.
    const again = await (await send(busy)).text();
    expect(again).toContain("FREEBUSY:20250610T090000Z/20250610T100000Z");
    expect(await (await send(busy)).text()).toBe(again);
    expect(answers).toEqual(["read", "read", "kept"]);

    await putOk(u, a, ics({ uid, summary: "Second", start: "20250611T090000Z", end: "20250611T100000Z" }));
    answers = [];
    expect(await (await send(busy)).text()).toContain("FREEBUSY:20250611T090000Z/20250611T100000Z");
    expect(answers).toEqual(["read"]);
    for (const body of reports) {
      answers = [];
      const text = await (await send(body)).text();
      expect(text).toContain("SUMMARY:Second");
      expect(text).not.toContain("SUMMARY:First");
      expect(answers).toEqual(["read"]);
    }
  });

  it("a calendar asked for before it exists (404) has its answers kept once it is made", async () => {
    const u = await newUser("ac-later");
    const path = `/calendars/${u.user}/later/`;
    const ask = () => dav("PROPFIND", path, { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) });
    expect((await ask()).status).toBe(404);
    expect((await ask()).status).toBe(404);
    expect((await mkcalendar(u, path)).status).toBe(201);
    answers = [];
    for (let i = 0; i < 3; i++) expect((await ask()).status).toBe(207);
    // Asked for before (as 404s), so its first answer is kept at once.
    expect(answers).toEqual(["read", "kept", "kept"]);
  });

  it("an invitation delivered from the queue (RFC 6638 §3.2) shows in the attendee's next answer", async () => {
    const { org, att } = await cast("org", "att");
    const kept = await hrefs(await depth1(att));
    expect(await hrefs(await depth1(att))).toEqual(kept);
    const uid = newUid("ac");
    await putOk(org, `${cal(org)}m.ics`, meeting({ uid, organizer: org, attendees: [{ who: att }], start: "20261210T100000Z", end: "20261210T110000Z" }));
    await eventually(async () => hrefs(await depth1(att)), (h) => h.includes(copyPath(att, uid)), "the invitation in the attendee's listing");
  });

  it("another principal never gets a kept answer: 404 for another's calendar, as before", async () => {
    const alice = await newUser("ac-alice");
    const bob = await newUser("ac-bob");
    await putOk(alice, `${cal(alice)}x.ics`, ics());
    expect((await depth1(alice)).status).toBe(207);
    expect((await depth1(alice)).status).toBe(207);
    expect((await depth1(bob, cal(alice))).status).toBe(404);
    expect((await dav("PROPFIND", cal(alice), { as: null, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) })).status).toBe(401);
  });

  it("a shared calendar is answered afresh each time: a withdrawn share is 404 at once", async () => {
    const f = await sharedFamily();
    const asSharee = () => dav("PROPFIND", f.roUrl, { as: f.ro, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) });
    expect((await asSharee()).status).toBe(207);
    expect((await asSharee()).status).toBe(207);
    expect((await unshare(f, f.ro)).status).toBe(200);
    expect((await asSharee()).status).toBe(404);
  });

  it("a client without gzip gets the same answer uncompressed; one with gzip gets it gzipped (RFC 9110 §12.5.3)", async () => {
    const u = await newUser("ac-gz");
    await putOk(u, `${cal(u)}a.ics`, ics());
    const send = (encoding: string) =>
      exports.default.fetch(new Request(`http://caldav.test${cal(u)}`, {
        method: "PROPFIND",
        headers: { Authorization: basic(u), Depth: "1", "Accept-Encoding": encoding, "Content-Type": "application/xml" },
        body: propfindBody(["D:getetag"]),
      }));
    const plain = await send("identity");
    expect(plain.headers.get("content-encoding")).toBeNull();
    const text = await plain.text();
    expect(text).toContain("<D:multistatus");
    for (const encoding of ["gzip", "br;q=1, gzip;q=0.5", "identity", "gzip;q=0"]) {
      const res = await send(encoding);
      const gz = acceptsGzip(encoding);
      expect(res.headers.get("content-encoding"), encoding).toBe(gz ? "gzip" : null);
      // The runtime's fetch inflates a gzipped body as any HTTP client does.
      expect(await res.text(), encoding).toBe(text);
    }
  });

  it("an answer depends on the origin it was asked at: absolute hrefs name resources only there (RFC 3986 §5.2)", async () => {
    const u = await newUser("ac-origin");
    await putOk(u, `${cal(u)}a.ics`, ics());
    const body = multigetBody([`http://caldav.test${cal(u)}a.ics`], "<D:getetag/>");
    const ask = async (origin: string) => multistatus(await exports.default.fetch(new Request(`${origin}${cal(u)}`, {
      method: "REPORT", headers: { Authorization: basic(u), Depth: "1", "Content-Type": "application/xml" }, body,
    })));
    const etagStatus = (ms: Awaited<ReturnType<typeof ask>>) => [...ms.values()].map((r) => r.status ?? r.props.get("{DAV:}getetag")?.status);
    expect(etagStatus(await ask("http://caldav.test"))).toEqual([200]);
    expect(etagStatus(await ask("http://caldav.test"))).toEqual([200]);
    expect(etagStatus(await ask("http://other.test"))).toEqual([404]);
  });

  it("a conditional request is not answered from what was kept", async () => {
    const u = await newUser("ac-cond");
    await putOk(u, `${cal(u)}a.ics`, ics());
    const send = () => dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1", "If-None-Match": '"nope"' }, body: propfindBody(["D:getetag"]) });
    expect((await send()).status).toBe(207);
    expect((await send()).status).toBe(207);
    // Each is read afresh (the precondition's own look-up of the collection reads too: src/dav/if-header.ts).
    expect(answers.length).toBeGreaterThanOrEqual(2);
    expect(answers.filter((a) => a === "kept")).toEqual([]);
  });
});

describe("the isolate's store of answers", () => {
  const kept = (n: number) => ({ view: { home: "h", collection: "c", op: { kind: "none" as const }, stamp: "s" }, status: 207, headers: [], gzipped: new Uint8Array(n) });

  it("holds at most its budget, dropping the least recently used first", () => {
    const c = new AnswerCache(1000);
    c.set("a", kept(400));
    c.set("b", kept(400));
    expect(c.get("a")).toBeDefined(); // a is now the most recent
    c.set("c", kept(400));
    expect([c.get("a") !== undefined, c.get("b") !== undefined, c.get("c") !== undefined]).toEqual([true, false, true]);
    c.set("huge", kept(3 * 1024 * 1024));
    expect(c.get("huge")).toBeUndefined();
  });

  it("counts a request as asked again only when the same key comes twice", () => {
    const c = new AnswerCache(1000);
    const a = c.sight("a");
    expect(c.askedAgain(a)).toBe(false);
    const b = c.sight("b");
    expect([c.askedAgain(a), c.askedAgain(b)]).toEqual([false, false]);
    expect(c.sight("a")).toBe(a);
    expect([c.askedAgain(a), c.askedAgain(b)]).toEqual([true, false]);
  });

  it("forgets an answer after ten minutes even if its home never changed", () => {
    let now = 0;
    const c = new AnswerCache(1000, () => now);
    c.set("a", kept(10));
    now = 9 * 60 * 1000;
    expect(c.get("a")).toBeDefined();
    now = 11 * 60 * 1000;
    expect(c.get("a")).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it("remembers keys whose answers are never kept (nobody waits for them), within a bound", () => {
    const c = new AnswerCache(1000);
    c.markNeverKept("shared");
    expect(c.neverKept("shared")).toBe(true);
    expect(c.neverKept("other")).toBe(false);
    for (let i = 0; i < 20; i++) c.markNeverKept(`${i}`.padEnd(64 * 1024, "x"));
    expect(c.neverKept("shared")).toBe(false); // forgotten whole when full
  });

  it("reads Accept-Encoding by coding and q-value", () => {
    const ok = (v: string) => acceptsGzip(v);
    expect([ok("gzip"), ok("gzip, deflate"), ok("x-gzip"), ok("deflate, gzip;q=0.3"), ok("gzip;q=0"), ok("gzip; q=0.000"), ok("identity"), ok("")]).toEqual([true, true, true, true, false, false, false, false]);
  });
});
