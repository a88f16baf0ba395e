// MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689 §3) whose
// property set fails: every failure path answers a per-property response in
// the element the method calls for — CALDAV:mkcalendar-response with 207
// (RFC 4791 §5.3.1.1), DAV:mkcol-response with 403 (RFC 5689 §3, §3.5) or
// 507 when only space was missing (RFC 4918 §9.3.1) — the failing
// properties with their status and DAV:error, the others 424, and nothing
// is created: no collection, no property row, no quota used. Request-level
// failures keep their own answers. Every answer has Cache-Control: no-cache.
// DAV:displayname must be text, in PROPPATCH too (RFC 4918 §15.2).
import { describe, expect, it } from "vitest";
import { PROP_LIMITS } from "../../src/core/props/limits.js";
import { parseXml } from "../../src/core/xml/parse.js";
import { child, childElements, textOf } from "../../src/core/xml/tree.js";
import { dav, errorConditions, multistatus, type Creds } from "../helpers/dav-client.js";
import {
  CAL, D, cal, childNames, home, homeSql, mkcalendar, mkcalendarBody, mkcalendarOverride, mkcolBody, newUser, propText, propfindOne, proppatchBody,
} from "../helpers/caldav.js";
import tokyo from "../fixtures/ics/calendar-timezone/outlook-tokyo.ics?raw";

type Method = "MKCALENDAR" | "MKCOL";
const X = (local: string) => `{urn:example:notes}${local}`;

/** A dead property any request may carry: fine on its own, 424 when the request fails. */
const NOTE = '<X:note xmlns:X="urn:example:notes">keep me</X:note>';
const NAME = "<D:displayname>Doomed</D:displayname>";
const VEVENT_ONLY = '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>';
const CALENDAR_TYPE = "<D:collection/><C:calendar/>";

/** Sends the method with these properties (and, for MKCOL, this resourcetype; for MKCALENDAR only if given). */
function create(method: Method, u: Creds, path: string, props: string, resourcetype?: string): Promise<Response> {
  if (method === "MKCOL") return dav("MKCOL", path, { as: u, body: mkcolBody(props, resourcetype ?? CALENDAR_TYPE) });
  const rt = resourcetype === undefined ? "" : `<D:resourcetype>${resourcetype}</D:resourcetype>`;
  return mkcalendar(u, path, mkcalendarBody(rt + props));
}

interface Propstat {
  status: number;
  error: string[];
}

/** The status, root element and per-property results of a refused creation. */
async function refusal(res: Response): Promise<{ status: number; root: string; props: Map<string, Propstat> }> {
  const text = await res.text();
  const doc = parseXml(text);
  const props = new Map<string, Propstat>();
  for (const ps of childElements(doc)) {
    expect(ps.name, text).toBe(D("propstat"));
    const status = Number(/HTTP\/1\.1 (\d{3})/.exec(textOf(child(ps, D("status"))!))?.[1]);
    const error = childNames(child(ps, D("error")));
    for (const p of childElements(child(ps, D("prop"))!)) {
      expect(props.has(p.name), `${p.name} answered twice`).toBe(false);
      props.set(p.name, { status, error });
    }
  }
  return { status: res.status, root: doc.name, props };
}

/** What a failed creation must not have changed in the home. */
async function homeState(user: string) {
  const collections = (await homeSql<{ name: string }>(user, "SELECT name FROM collections ORDER BY name")).map((r) => r.name);
  const [props] = await homeSql<{ n: number }>(user, "SELECT count(*) AS n FROM props");
  const [used] = await homeSql<{ value: string }>(user, "SELECT value FROM meta WHERE key = 'used_bytes'");
  return { collections, props: props!.n, used: used?.value };
}

const EXPECTED_ROOT: Record<Method, string> = { MKCALENDAR: CAL("mkcalendar-response"), MKCOL: D("mkcol-response") };

/**
 * Runs one failure path and checks the shape every refusal shares: the
 * status, the method's root element, Cache-Control, exactly these
 * properties with these results, and an unchanged home.
 */
async function expectRefusal(
  method: Method,
  u: Creds,
  send: (path: string) => Promise<Response>,
  status: number,
  expected: Record<string, Propstat>,
): Promise<void> {
  const path = cal(u, `doomed-${method.toLowerCase()}`);
  const before = await homeState(u.user);
  const res = await send(path);
  expect(res.headers.get("cache-control")).toBe("no-cache");
  const got = await refusal(res);
  expect(got.status).toBe(status);
  expect(got.root).toBe(EXPECTED_ROOT[method]);
  // An extended MKCOL always sets DAV:resourcetype; where it is not what failed, it is 424 like the rest.
  const all = method === "MKCOL" && !(D("resourcetype") in expected) ? { ...expected, [D("resourcetype")]: DEPENDENT } : expected;
  expect(Object.fromEntries(got.props)).toEqual(all);
  expect(await homeState(u.user)).toEqual(before);
  expect((await dav("PROPFIND", path, { as: u, headers: { Depth: "0" } })).status).toBe(404);
}

const failed = (status: number, error?: string): Propstat => ({ status, error: error ? [error] : [] });
const DEPENDENT = failed(424);

/** The overall status of a property failure, by method: RFC 4791 §5.3.1.1 and RFC 5689 §3.5. */
const REFUSED: Record<Method, number> = { MKCALENDAR: 207, MKCOL: 403 };

for (const method of ["MKCALENDAR", "MKCOL"] as const) {
  describe(`${method} whose property set fails (${method === "MKCALENDAR" ? "RFC 4791 §5.3.1.1" : "RFC 5689 §3, §3.5"})`, () => {
    it(`refuses a protected property (DAV:getetag) with 403 DAV:cannot-modify-protected-property, the rest 424, nothing created (RFC 4918 §9.2.1, §16)`, async () => {
      const u = await newUser("mkf");
      await expectRefusal(method, u, (p) => create(method, u, p, NAME + "<D:getetag>\"mine\"</D:getetag>" + NOTE + VEVENT_ONLY), REFUSED[method], {
        [D("getetag")]: failed(403, D("cannot-modify-protected-property")),
        [D("displayname")]: DEPENDENT,
        [X("note")]: DEPENDENT,
        [CAL("supported-calendar-component-set")]: DEPENDENT,
      });
    });

    it(`refuses a DAV:resourcetype that is no calendar collection with 403 DAV:valid-resourcetype inside its propstat (RFC 5689 §3.3, §3.5)`, async () => {
      const u = await newUser("mkf");
      const rt = `${CALENDAR_TYPE}<E:special-resource xmlns:E="http://example.com/ns/"/>`;
      await expectRefusal(method, u, (p) => create(method, u, p, NAME + NOTE, rt), REFUSED[method], {
        [D("resourcetype")]: failed(403, D("valid-resourcetype")),
        [D("displayname")]: DEPENDENT,
        [X("note")]: DEPENDENT,
      });
    });

    it(`refuses an invalid CALDAV:calendar-timezone with 403 CALDAV:valid-calendar-data (RFC 4791 §5.3.1 precondition)`, async () => {
      const u = await newUser("mkf");
      const tz = "<C:calendar-timezone>BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR</C:calendar-timezone>";
      await expectRefusal(method, u, (p) => create(method, u, p, NAME + tz + NOTE), REFUSED[method], {
        [CAL("calendar-timezone")]: failed(403, CAL("valid-calendar-data")),
        [D("displayname")]: DEPENDENT,
        [X("note")]: DEPENDENT,
      });
    });

    it(`refuses a supported-calendar-component-set with an unknown component with 403 CALDAV:supported-calendar-component (RFC 4791 §5.2.3)`, async () => {
      const u = await newUser("mkf");
      const comps = '<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VCARD"/></C:supported-calendar-component-set>';
      await expectRefusal(method, u, (p) => create(method, u, p, NAME + comps + NOTE), REFUSED[method], {
        [CAL("supported-calendar-component-set")]: failed(403, CAL("supported-calendar-component")),
        [D("displayname")]: DEPENDENT,
        [X("note")]: DEPENDENT,
      });
    });

    it(`refuses a DAV:displayname that is not text with 409 Conflict (RFC 4918 §15.2, §9.2.1; RFC 4791 §5.3.1.1)`, async () => {
      const u = await newUser("mkf");
      const name = '<D:displayname><H:b xmlns:H="http://www.w3.org/1999/xhtml">Bold</H:b> name</D:displayname>';
      await expectRefusal(method, u, (p) => create(method, u, p, name + NOTE + VEVENT_ONLY), REFUSED[method], {
        [D("displayname")]: failed(409),
        [X("note")]: DEPENDENT,
        [CAL("supported-calendar-component-set")]: DEPENDENT,
      });
    });

    it(`refuses a property past the per-value cap with 507, the rest 424 (RFC 4918 §9.2.1; README "Properties")`, async () => {
      const u = await newUser("mkf");
      const big = `<X:big xmlns:X="urn:example:notes">${"b".repeat(PROP_LIMITS.bytesPerValue)}</X:big>`;
      await expectRefusal(method, u, (p) => create(method, u, p, NAME + big + NOTE), method === "MKCOL" ? 507 : 207, {
        [X("big")]: failed(507),
        [D("displayname")]: DEPENDENT,
        [X("note")]: DEPENDENT,
      });
    });

    it(`refuses the properties past the per-resource count cap with 507, the rest 424`, async () => {
      const u = await newUser("mkf");
      const many = Array.from({ length: PROP_LIMITS.perResource }, (_, i) => `<X:n${i} xmlns:X="urn:example:notes">v</X:n${i}>`).join("");
      // Which properties are "past" the count is not the client's to guess: every new one is blamed (limits.ts).
      const expected: Record<string, Propstat> = { [D("displayname")]: failed(507) };
      for (let i = 0; i < PROP_LIMITS.perResource; i++) expected[X(`n${i}`)] = failed(507);
      await expectRefusal(method, u, (p) => create(method, u, p, NAME + many), method === "MKCOL" ? 507 : 207, expected);
    });

    it(`refuses properties that would pass the home's quota with 507 DAV:quota-not-exceeded in their propstats, the rest 424 (RFC 4331 §6)`, async () => {
      const u = await newUser("mkf");
      // The home is almost full: 300 octets left (white box: filling 1 GiB would prove nothing more).
      const [meta] = await homeSql<{ used: string }>(u.user, "SELECT value AS used FROM meta WHERE key = 'used_bytes'");
      const available = Number(propText(await propfindOne(u, home(u), ["D:quota-available-bytes"]), D("quota-available-bytes")));
      await homeSql(u.user, "UPDATE meta SET value = ? WHERE key = 'used_bytes'", String(Number(meta!.used) + available - 300));
      const name = `<D:displayname>${"m".repeat(400)}</D:displayname>`;
      await expectRefusal(method, u, (p) => create(method, u, p, name + NOTE + VEVENT_ONLY), method === "MKCOL" ? 507 : 207, {
        [D("displayname")]: failed(507, D("quota-not-exceeded")),
        [X("note")]: failed(507, D("quota-not-exceeded")),
        [CAL("supported-calendar-component-set")]: DEPENDENT,
      });
      // What fits still fits.
      const small = await create(method, u, cal(u, "small"), "<D:displayname>S</D:displayname>");
      expect(small.status).toBe(201);
    });

    it(`names every failing property with its own status and error in one response, and only the others 424`, async () => {
      const u = await newUser("mkf");
      const comps = '<C:supported-calendar-component-set><C:comp name="VADDRESS"/></C:supported-calendar-component-set>';
      await expectRefusal(method, u, (p) => create(method, u, p, NAME + "<CS:getctag xmlns:CS=\"http://calendarserver.org/ns/\">x</CS:getctag>" + comps + NOTE), REFUSED[method], {
        ["{http://calendarserver.org/ns/}getctag"]: failed(403, D("cannot-modify-protected-property")),
        [CAL("supported-calendar-component-set")]: failed(403, CAL("supported-calendar-component")),
        [D("displayname")]: DEPENDENT,
        [X("note")]: DEPENDENT,
      });
    });

    it(`creates the calendar when every property is fine: 201, Cache-Control: no-cache, the properties and component set kept (RFC 4791 §5.3.1, RFC 5689 §3.4)`, async () => {
      const u = await newUser("mkf");
      const tz = `<C:calendar-timezone><![CDATA[${tokyo}]]></C:calendar-timezone>`;
      const res = await create(method, u, cal(u, "fine"), NAME + NOTE + VEVENT_ONLY + tz);
      expect(res.status).toBe(201);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      const r = await propfindOne(u, cal(u, "fine"), ["D:displayname", "C:supported-calendar-component-set", "C:calendar-timezone"]);
      expect(propText(r, D("displayname"))).toBe("Doomed");
      expect(childElements(r.props.get(CAL("supported-calendar-component-set"))!.element).map((c) => c.attrs["name"])).toEqual(["VEVENT"]);
      expect(propText(r, CAL("calendar-timezone"))).toContain("BEGIN:VTIMEZONE");
    });
  });
}

describe("MKCALENDAR's own resourcetype", () => {
  it("accepts a DAV:resourcetype in the set that names exactly what MKCALENDAR creates (lenient: nothing is at risk)", async () => {
    const u = await newUser("mkf");
    const res = await create("MKCALENDAR", u, cal(u, "typed"), NAME, CALENDAR_TYPE);
    expect(res.status).toBe(201);
    const r = await propfindOne(u, cal(u, "typed"), ["D:resourcetype"]);
    expect(new Set(childNames(r.props.get(D("resourcetype"))!.element))).toEqual(new Set([D("collection"), CAL("calendar")]));
  });

  it("refuses a resourcetype of a plain collection in MKCALENDAR with valid-resourcetype in a 207 mkcalendar-response", async () => {
    const u = await newUser("mkf");
    await expectRefusal("MKCALENDAR", u, (p) => create("MKCALENDAR", u, p, NAME, "<D:collection/>"), 207, {
      [D("resourcetype")]: failed(403, D("valid-resourcetype")),
      [D("displayname")]: DEPENDENT,
    });
  });

  it("answers the same through POST with X-HTTP-Method-Override: MKCALENDAR", async () => {
    const u = await newUser("mkf");
    await expectRefusal("MKCALENDAR", u, (p) => mkcalendarOverride(u, p, mkcalendarBody(NAME + "<D:getetag>\"x\"</D:getetag>")), 207, {
      [D("getetag")]: failed(403, D("cannot-modify-protected-property")),
      [D("displayname")]: DEPENDENT,
    });
  });
});

describe("request-level failures keep their own answers (RFC 4791 §5.3.1, RFC 4918 §9.3.1)", () => {
  it("answers a malformed body with 400 and creates nothing", async () => {
    const u = await newUser("mkf");
    const before = await homeState(u.user);
    for (const [method, send] of [
      ["MKCALENDAR", (p: string) => mkcalendar(u, p, "<C:mkcalendar xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><unclosed>")],
      ["MKCALENDAR", (p: string) => mkcalendar(u, p, '<D:mkcol xmlns:D="DAV:"/>')],
      ["MKCOL", (p: string) => dav("MKCOL", p, { as: u, body: "<D:mkcol xmlns:D=\"DAV:\"><D:set>" })],
      ["MKCOL", (p: string) => dav("MKCOL", p, { as: u, body: '<D:mkcol xmlns:D="DAV:"><D:remove><D:prop><D:displayname/></D:prop></D:remove></D:mkcol>' })],
    ] as const) {
      const res = await send(cal(u, "bad-body"));
      expect(res.status, method).toBe(400);
      expect(res.headers.get("cache-control"), method).toBe("no-cache");
      await res.arrayBuffer();
    }
    expect(await homeState(u.user)).toEqual(before);
  });

  it("answers an existing URL with 403 DAV:resource-must-be-null (MKCALENDAR) and 405 (MKCOL), also when properties would fail", async () => {
    const u = await newUser("mkf");
    const bad = NAME + "<D:getetag>\"x\"</D:getetag>";
    const mk = await mkcalendar(u, cal(u), mkcalendarBody(bad));
    expect(mk.status).toBe(403);
    expect(await errorConditions(mk)).toEqual([D("resource-must-be-null")]);
    const col = await dav("MKCOL", cal(u), { as: u, body: mkcolBody(bad) });
    expect(col.status).toBe(405);
    await col.arrayBuffer();
  });

  it("answers a location inside a calendar with 403 CALDAV:calendar-collection-location-ok, before looking at properties", async () => {
    const u = await newUser("mkf");
    const res = await mkcalendar(u, `${cal(u)}nested/`, mkcalendarBody("<D:getetag>\"x\"</D:getetag>"));
    expect(res.status).toBe(403);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await errorConditions(res)).toEqual([CAL("calendar-collection-location-ok")]);
  });

  it("answers an extended MKCOL that names no resourcetype (a plain collection) with 403 DAV:valid-resourcetype: no property to blame", async () => {
    const u = await newUser("mkf");
    const before = await homeState(u.user);
    const body = `<D:mkcol xmlns:D="DAV:"><D:set><D:prop>${NAME}</D:prop></D:set></D:mkcol>`;
    for (const res of [await dav("MKCOL", cal(u, "plain"), { as: u, body }), await dav("MKCOL", cal(u, "plain"), { as: u })]) {
      expect(res.status).toBe(403);
      expect(await errorConditions(res)).toEqual([D("valid-resourcetype")]);
    }
    expect(await homeState(u.user)).toEqual(before);
  });
});

describe("DAV:displayname is text wherever it is set (RFC 4918 §15.2)", () => {
  it("answers a PROPPATCH of a displayname with child elements 409 in its propstat and keeps the old name (RFC 4918 §9.2.1)", async () => {
    const u = await newUser("mkf");
    const res = await dav("PROPPATCH", cal(u), { as: u, body: proppatchBody('<D:displayname><H:b xmlns:H="http://www.w3.org/1999/xhtml">Bold</H:b></D:displayname>') });
    expect(res.status).toBe(207);
    const ms = await multistatus(res);
    expect(ms.get(cal(u))!.props.get(D("displayname"))!.status).toBe(409);
    expect(propText(await propfindOne(u, cal(u), ["D:displayname"]), D("displayname"))).toBe("Calendar");
  });
});
