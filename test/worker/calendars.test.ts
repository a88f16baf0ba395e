// Calendar collections: extended MKCOL (RFC 5689), MKCALENDAR (RFC 4791
// §5.3.1) through the method table and through the POST override, DELETE of
// a calendar with its objects and the collection of their R2 bodies, and
// MOVE of a calendar.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseXml } from "../../src/core/xml/parse.js";
import { child, childElements, textOf } from "../../src/core/xml/tree.js";
import { dav, errorConditions, multistatus, propfindBody, type Creds } from "../helpers/dav-client.js";
import {
  CAL, CS, D, ICAL, cal, childNames, collectGarbageNow, compsOf, home, homeSql, ics, mkcalendar, mkcalendarBody, mkcalendarOverride,
  mkcolBody, newUser, propText, propfindOne, put, putOk, r2Ics, referencedKeys, rnd,
} from "../helpers/caldav.js";

const VTIMEZONE_TOKYO = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//Example//EN",
  "BEGIN:VTIMEZONE",
  "TZID:Asia/Tokyo",
  "BEGIN:STANDARD",
  "DTSTART:19510908T000000",
  "TZOFFSETFROM:+0900",
  "TZOFFSETTO:+0900",
  "TZNAME:JST",
  "END:STANDARD",
  "END:VTIMEZONE",
  "END:VCALENDAR",
  "",
].join("\r\n");

const FULL_PROPS = [
  "<D:displayname>Work</D:displayname>",
  "<C:calendar-description>Everything about work</C:calendar-description>",
  '<A:calendar-color symbolic-color="custom">#5856D6FF</A:calendar-color>',
  "<A:calendar-order>4</A:calendar-order>",
  `<C:calendar-timezone><![CDATA[${VTIMEZONE_TOKYO}]]></C:calendar-timezone>`,
  '<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>',
].join("");

/** The propstats of an mkcol-response / mkcalendar-response body: property → { status, error }. */
function creationPropstats(xml: string, root: string) {
  const doc = parseXml(xml);
  expect(doc.name).toBe(root);
  const out = new Map<string, { status: number; error: string[] }>();
  for (const ps of childElements(doc).filter((e) => e.name === D("propstat"))) {
    const status = Number(/HTTP\/\d\.\d (\d{3})/.exec(textOf(child(ps, D("status"))!))?.[1]);
    const error = childNames(child(ps, D("error")));
    for (const p of childElements(child(ps, D("prop"))!)) out.set(p.name, { status, error });
  }
  return out;
}

async function exists(c: Creds, path: string): Promise<boolean> {
  const res = await dav("PROPFIND", path, { as: c, headers: { Depth: "0" }, body: propfindBody(["D:resourcetype"]) });
  await res.arrayBuffer();
  if (res.status !== 207 && res.status !== 404) throw new Error(`PROPFIND ${path}: ${res.status}`);
  return res.status === 207;
}

async function expectFullProps(c: Creds, path: string) {
  const r = await propfindOne(c, path, [
    "D:resourcetype", "D:displayname", "C:calendar-description", "A:calendar-color", "A:calendar-order", "C:calendar-timezone",
    "C:supported-calendar-component-set", "CS:getctag", "D:sync-token",
  ]);
  expect(new Set(childNames(r.props.get(D("resourcetype"))!.element))).toEqual(new Set([D("collection"), CAL("calendar")]));
  expect(propText(r, D("displayname"))).toBe("Work");
  expect(propText(r, CAL("calendar-description"))).toBe("Everything about work");
  expect(propText(r, ICAL("calendar-color"))).toBe("#5856D6FF");
  expect(r.props.get(ICAL("calendar-color"))!.element.attrs["symbolic-color"]).toBe("custom");
  expect(propText(r, ICAL("calendar-order"))).toBe("4");
  expect(propText(r, CAL("calendar-timezone"))).toContain("TZID:Asia/Tokyo");
  expect(compsOf(r.props.get(CAL("supported-calendar-component-set"))!.element).sort()).toEqual(["VEVENT", "VTODO"]);
  expect(propText(r, CS("getctag"))).toMatch(/\S/);
  expect(propText(r, D("sync-token"))).toMatch(/\S/);
}

describe("extended MKCOL", () => {
  it("creates a calendar with its initial properties and answers 201 (RFC 5689 §3, §5.1)", async () => {
    const u = await newUser("mkcol");
    const res = await dav("MKCOL", cal(u, "work"), { as: u, body: mkcolBody(FULL_PROPS) });
    expect(res.status).toBe(201);
    await expectFullProps(u, cal(u, "work"));
    // The component set is honoured: both events and tasks go in.
    expect((await put(u, `${cal(u, "work")}e.ics`, ics())).status).toBe(201);
    expect((await put(u, `${cal(u, "work")}t.ics`, ics({ component: "VTODO" }))).status).toBe(201);
    const listing = await multistatus(await dav("PROPFIND", home(u), { as: u, headers: { Depth: "1" }, body: propfindBody(["D:resourcetype"]) }));
    expect(listing.has(cal(u, "work"))).toBe(true);
  });

  it("refuses MKCOL on a URL that is already mapped with 405 (RFC 4918 §9.3.1)", async () => {
    const u = await newUser("mkcol");
    expect((await dav("MKCOL", cal(u, "work"), { as: u, body: mkcolBody("<D:displayname>One</D:displayname>") })).status).toBe(201);
    for (const name of ["work", "calendar", "tasks", "inbox", "outbox"]) {
      const res = await dav("MKCOL", cal(u, name), { as: u, body: mkcolBody("<D:displayname>Two</D:displayname>") });
      expect(res.status, name).toBe(405);
    }
    expect(propText(await propfindOne(u, cal(u, "work"), ["D:displayname"]), D("displayname"))).toBe("One");
  });

  it("fails the whole MKCOL with 403 and a mkcol-response when one property cannot be set: the bad one with its status, the rest 424, nothing created (RFC 5689 §3, §5.2)", async () => {
    const u = await newUser("mkcol");
    const body = mkcolBody(
      "<D:displayname>Doomed</D:displayname><C:calendar-timezone>not a timezone</C:calendar-timezone><A:calendar-order>1</A:calendar-order>",
    );
    const res = await dav("MKCOL", cal(u, "doomed"), { as: u, body });
    expect(res.status).toBe(403);
    const ps = creationPropstats(await res.text(), D("mkcol-response"));
    const tz = ps.get(CAL("calendar-timezone"))!;
    expect(tz.status).toBe(403);
    expect(tz.error.some((e) => e === CAL("valid-calendar-data") || e === CAL("valid-calendar-timezone"))).toBe(true);
    expect(ps.get(D("displayname"))!.status).toBe(424);
    expect(ps.get(ICAL("calendar-order"))!.status).toBe(424);
    expect(await exists(u, cal(u, "doomed"))).toBe(false);
  });

  it("fails MKCOL that sets a protected property, with cannot-modify-protected-property and nothing created (RFC 5689 §3, RFC 4918 §16)", async () => {
    const u = await newUser("mkcol");
    const res = await dav("MKCOL", cal(u, "doomed"), { as: u, body: mkcolBody("<D:displayname>Doomed</D:displayname><CS:getctag>mine</CS:getctag>") });
    expect(res.status).toBe(403);
    const ps = creationPropstats(await res.text(), D("mkcol-response"));
    expect(ps.get(CS("getctag"))!.status).toBe(403);
    expect(ps.get(CS("getctag"))!.error).toContain(D("cannot-modify-protected-property"));
    expect(ps.get(D("displayname"))!.status).toBe(424);
    expect(await exists(u, cal(u, "doomed"))).toBe(false);
  });

  it("refuses an unsupported resourcetype with 403 and DAV:valid-resourcetype in its propstat, the rest 424, and creates nothing (RFC 5689 §3.3, §3.5)", async () => {
    const u = await newUser("mkcol");
    for (const rt of ["<D:collection/>", '<D:collection/><X:addressbook xmlns:X="urn:ietf:params:xml:ns:carddav"/>', '<D:collection/><C:calendar/><X:weird xmlns:X="urn:example:x"/>']) {
      const name = `bad-${rnd()}`;
      const res = await dav("MKCOL", cal(u, name), { as: u, body: mkcolBody("<D:displayname>x</D:displayname>", rt) });
      expect(res.status, rt).toBe(403);
      const ps = creationPropstats(await res.text(), D("mkcol-response"));
      expect(ps.get(D("resourcetype")), rt).toEqual({ status: 403, error: [D("valid-resourcetype")] });
      expect(ps.get(D("displayname")), rt).toEqual({ status: 424, error: [] });
      expect(await exists(u, cal(u, name))).toBe(false);
    }
  });
});

describe("MKCALENDAR", () => {
  for (const [via, make] of [
    ["the method table", mkcalendar],
    ["POST with X-HTTP-Method-Override", mkcalendarOverride],
  ] as const) {
    it(`creates a calendar with initial properties through ${via} and answers 201 (RFC 4791 §5.3.1)`, async () => {
      const u = await newUser("mkcal");
      const res = await make(u, cal(u, "work"), mkcalendarBody(FULL_PROPS));
      expect(res.status).toBe(201);
      await expectFullProps(u, cal(u, "work"));
      expect((await put(u, `${cal(u, "work")}t.ics`, ics({ component: "VTODO" }))).status).toBe(201);
    });

    it(`creates a usable calendar from an empty body through ${via} (RFC 4791 §5.3.1)`, async () => {
      const u = await newUser("mkcal");
      const res = await make(u, cal(u, "plain"));
      expect(res.status).toBe(201);
      const r = await propfindOne(u, cal(u, "plain"), ["D:resourcetype", "C:supported-calendar-component-set"]);
      expect(childNames(r.props.get(D("resourcetype"))!.element)).toContain(CAL("calendar"));
      expect(compsOf(r.props.get(CAL("supported-calendar-component-set"))!.element)).toContain("VEVENT");
      expect((await put(u, `${cal(u, "plain")}e.ics`, ics())).status).toBe(201);
    });

    it(`refuses MKCALENDAR on an existing URL with 403 DAV:resource-must-be-null through ${via} (RFC 4791 §5.3.1.1)`, async () => {
      const u = await newUser("mkcal");
      expect((await make(u, cal(u, "work"), mkcalendarBody("<D:displayname>First</D:displayname>"))).status).toBe(201);
      for (const name of ["work", "calendar", "tasks", "inbox", "outbox"]) {
        const res = await make(u, cal(u, name), mkcalendarBody("<D:displayname>Second</D:displayname>"));
        expect(res.status, name).toBe(403);
        expect(await errorConditions(res), name).toContain(D("resource-must-be-null"));
      }
      expect(propText(await propfindOne(u, cal(u, "work"), ["D:displayname"]), D("displayname"))).toBe("First");
      expect(propText(await propfindOne(u, cal(u), ["D:displayname"]), D("displayname"))).toBe("Calendar");
    });

    it(`restricts a calendar created with a VTODO-only component set through ${via} (RFC 4791 §5.2.3, §5.3.2.1)`, async () => {
      const u = await newUser("mkcal");
      const res = await make(u, cal(u, "todo"), mkcalendarBody('<C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>'));
      expect(res.status).toBe(201);
      const ev = await put(u, `${cal(u, "todo")}e.ics`, ics());
      expect(ev.status).toBe(403);
      expect(await errorConditions(ev)).toContain(CAL("supported-calendar-component"));
      expect((await put(u, `${cal(u, "todo")}t.ics`, ics({ component: "VTODO" }))).status).toBe(201);
    });
  }

  it("fails MKCALENDAR with an invalid calendar-timezone with 207 and CALDAV:valid-calendar-data in a mkcalendar-response, and restores the previous state (RFC 4791 §5.3.1, §5.3.1.1)", async () => {
    const u = await newUser("mkcal");
    const res = await mkcalendar(u, cal(u, "bad"), mkcalendarBody("<D:displayname>Bad</D:displayname><C:calendar-timezone>BEGIN:VCALENDAR garbage</C:calendar-timezone>"));
    expect(res.status).toBe(207);
    const ps = creationPropstats(await res.text(), CAL("mkcalendar-response"));
    expect(ps.get(CAL("calendar-timezone"))).toEqual({ status: 403, error: [CAL("valid-calendar-data")] });
    expect(ps.get(D("displayname"))).toEqual({ status: 424, error: [] });
    expect(await exists(u, cal(u, "bad"))).toBe(false);
  });

  it("fails MKCALENDAR with an unknown component in supported-calendar-component-set with 207 and creates nothing (RFC 4791 §5.2.3, §5.3.1.1)", async () => {
    const u = await newUser("mkcal");
    const res = await mkcalendar(u, cal(u, "vcard"), mkcalendarBody('<C:supported-calendar-component-set><C:comp name="VCARD"/></C:supported-calendar-component-set>'));
    expect(res.status).toBe(207);
    const ps = creationPropstats(await res.text(), CAL("mkcalendar-response"));
    expect(ps.get(CAL("supported-calendar-component-set"))).toEqual({ status: 403, error: [CAL("supported-calendar-component")] });
    expect(await exists(u, cal(u, "vcard"))).toBe(false);
  });

  it("refuses MKCALENDAR inside a calendar collection with 403 CALDAV:calendar-collection-location-ok (RFC 4791 §4.2, §5.3.1.1)", async () => {
    const u = await newUser("mkcal");
    const res = await mkcalendar(u, `${cal(u)}nested/`);
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toContain(CAL("calendar-collection-location-ok"));
    expect(await exists(u, `${cal(u)}nested/`)).toBe(false);
  });

  it("refuses MKCALENDAR in another principal's home (RFC 3744 §3.2, RFC 4791 §5.3.1.1)", async () => {
    const a = await newUser("mkcal");
    const b = await newUser("mkcal");
    const res = await mkcalendarOverride(b, cal(a, "intruder"));
    expect([403, 404]).toContain(res.status);
    expect(await exists(a, cal(a, "intruder"))).toBe(false);
  });
});

describe("DELETE of a calendar", () => {
  it("removes the calendar and all its objects, and garbage collection removes their R2 bodies (RFC 4918 §9.6.1)", async () => {
    const u = await newUser("delcal");
    expect((await mkcalendar(u, cal(u, "trip"))).status).toBe(201);
    const names = ["a.ics", "b.ics", "c.ics"];
    // Bodies this large are kept in R2 (home/bodies.ts): the collection's go, the other calendar's stays.
    for (const n of names) await putOk(u, `${cal(u, "trip")}${n}`, r2Ics({ summary: n }));
    await putOk(u, `${cal(u)}keep.ics`, r2Ics({ summary: "keep" }));
    const before = new Set(await referencedKeys(u.user));
    expect(before.size).toBe(4);
    const keepKey = (await homeSql<{ body_key: string }>(u.user, "SELECT o.body_key FROM objects o JOIN collections c ON c.id = o.collection_id WHERE c.name = 'calendar'"))[0]!.body_key;
    const tripKeys = [...before].filter((k) => k !== keepKey);

    const del = await dav("DELETE", cal(u, "trip"), { as: u });
    expect(del.status).toBe(204);
    expect(await exists(u, cal(u, "trip"))).toBe(false);
    for (const n of names) expect((await dav("GET", `${cal(u, "trip")}${n}`, { as: u })).status, n).toBe(404);

    await collectGarbageNow(u.user);
    for (const k of tripKeys) expect(await env.BODIES.head(k), k).toBeNull();
    expect(await env.BODIES.head(keepKey)).not.toBeNull();
    const keep = await dav("GET", `${cal(u)}keep.ics`, { as: u });
    expect(keep.status).toBe(200);
    expect(await keep.text()).toContain("SUMMARY:keep");
    expect(await homeSql(u.user, "SELECT key FROM garbage")).toEqual([]);
  });

  it("gives a calendar re-created at a deleted URL new sync-token and getctag values, and no old members (RFC 6578 §4, §3.2)", async () => {
    const u = await newUser("delcal");
    expect((await mkcalendar(u, cal(u, "again"))).status).toBe(201);
    await putOk(u, `${cal(u, "again")}a.ics`, ics());
    const old = await propfindOne(u, cal(u, "again"), ["CS:getctag", "D:sync-token"]);
    expect((await dav("DELETE", cal(u, "again"), { as: u })).status).toBe(204);
    expect((await mkcalendar(u, cal(u, "again"))).status).toBe(201);
    const fresh = await propfindOne(u, cal(u, "again"), ["CS:getctag", "D:sync-token"]);
    expect(propText(fresh, CS("getctag"))).not.toBe(propText(old, CS("getctag")));
    expect(propText(fresh, D("sync-token"))).not.toBe(propText(old, D("sync-token")));
    expect((await dav("GET", `${cal(u, "again")}a.ics`, { as: u })).status).toBe(404);
  });

  it("gives back the quota of a deleted calendar's objects (RFC 4331 §3)", async () => {
    const u = await newUser("delcal");
    const used = async () => Number(propText(await propfindOne(u, home(u), ["D:quota-used-bytes"]), D("quota-used-bytes")));
    // The default collections' properties (their display names) count too, so start from what a new home uses.
    const before = await used();
    expect((await mkcalendar(u, cal(u, "big"))).status).toBe(201);
    await putOk(u, `${cal(u, "big")}a.ics`, ics({ summary: "y".repeat(2000) }));
    expect(await used()).toBeGreaterThan(before + 2000);
    await dav("DELETE", cal(u, "big"), { as: u });
    expect(await used()).toBe(before);
  });
});

describe("MOVE of a calendar", () => {
  it("renames a calendar collection with its objects (RFC 4918 §9.9)", async () => {
    const u = await newUser("mvcal");
    expect((await mkcalendar(u, cal(u, "old"), mkcalendarBody("<D:displayname>Old name</D:displayname>"))).status).toBe(201);
    const etag = await putOk(u, `${cal(u, "old")}a.ics`, ics({ summary: "moved along" }));
    const res = await dav("MOVE", cal(u, "old"), { as: u, headers: { Destination: `http://caldav.test${cal(u, "new")}` } });
    expect(res.status).toBe(201);
    expect(await exists(u, cal(u, "old"))).toBe(false);
    expect(propText(await propfindOne(u, cal(u, "new"), ["D:displayname"]), D("displayname"))).toBe("Old name");
    const got = await dav("GET", `${cal(u, "new")}a.ics`, { as: u });
    expect(got.status).toBe(200);
    expect(got.headers.get("etag")).toBe(etag);
  });

  it("refuses to MOVE a calendar to where a calendar cannot be created with CALDAV:calendar-collection-location-ok (RFC 4791 §5.3.2.1)", async () => {
    const u = await newUser("mvcal");
    expect((await mkcalendar(u, cal(u, "src"))).status).toBe(201);
    const res = await dav("MOVE", cal(u, "src"), { as: u, headers: { Destination: `http://caldav.test${cal(u)}inside/` } });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toContain(CAL("calendar-collection-location-ok"));
    expect(await exists(u, cal(u, "src"))).toBe(true);
  });

  it("refuses to MOVE a calendar over an existing one with Overwrite: F (RFC 4918 §9.9.4, §10.6)", async () => {
    const u = await newUser("mvcal");
    expect((await mkcalendar(u, cal(u, "src"))).status).toBe(201);
    const res = await dav("MOVE", cal(u, "src"), { as: u, headers: { Destination: cal(u, "tasks"), Overwrite: "F" } });
    expect(res.status).toBe(412);
    expect(await exists(u, cal(u, "src"))).toBe(true);
    expect(await exists(u, cal(u, "tasks"))).toBe(true);
  });
});
