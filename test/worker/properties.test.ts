// PROPFIND (RFC 4918 §9.1) and PROPPATCH (§9.2) over the property table:
// depth, allprop / include / propname, unknown and dead properties, the
// writable CalDAV and Apple properties, protected ones, atomicity, and the
// values of the live properties clients rely on.
import { describe, expect, it } from "vitest";
import { childElements, textOf, type XmlElement } from "../../src/core/xml/tree.js";
import { dav, errorConditions, hrefText, multistatus, parseMultistatus, propfindBody, type Creds, type ResponseResult } from "../helpers/dav-client.js";
import {
  CAL, CS, D, ICAL, NS_DECL, cal, childNames, compsOf, home, ics, newUser, principal, privilegesOf, propText, propfindOne,
  proppatchBody, putOk, reportsOf, xmlBody,
} from "../helpers/caldav.js";

const BERLIN_VTIMEZONE = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//Apple Inc.//macOS 14.6//EN",
  "CALSCALE:GREGORIAN",
  "BEGIN:VTIMEZONE",
  "TZID:Europe/Berlin",
  "BEGIN:DAYLIGHT",
  "TZOFFSETFROM:+0100",
  "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
  "DTSTART:19810329T020000",
  "TZNAME:CEST",
  "TZOFFSETTO:+0200",
  "END:DAYLIGHT",
  "BEGIN:STANDARD",
  "TZOFFSETFROM:+0200",
  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
  "DTSTART:19961027T030000",
  "TZNAME:CET",
  "TZOFFSETTO:+0100",
  "END:STANDARD",
  "END:VTIMEZONE",
  "END:VCALENDAR",
  "",
].join("\r\n");

async function proppatch(c: Creds, path: string, set: string, remove = ""): Promise<ResponseResult> {
  const res = await dav("PROPPATCH", path, { as: c, body: proppatchBody(set, remove) });
  const ms = await multistatus(res);
  expect([...ms.keys()]).toEqual([path]);
  return ms.get(path)!;
}

const statusOf = (r: ResponseResult, clark: string) => r.props.get(clark)?.status;

async function ctagAndToken(c: Creds, path = cal(c)): Promise<[string, string]> {
  const r = await propfindOne(c, path, ["CS:getctag", "D:sync-token"]);
  return [propText(r, CS("getctag")), propText(r, D("sync-token"))];
}

/** Structural equality of two XML elements: names, attributes, element children and trimmed text. */
function sameXml(a: XmlElement, b: XmlElement): boolean {
  if (a.name !== b.name) return false;
  if (JSON.stringify(Object.entries(a.attrs).sort()) !== JSON.stringify(Object.entries(b.attrs).sort())) return false;
  const ka = childElements(a);
  const kb = childElements(b);
  if (ka.length !== kb.length) return false;
  if (ka.length === 0) return textOf(a).trim() === textOf(b).trim();
  return ka.every((k, i) => sameXml(k, kb[i]!));
}

describe("PROPFIND depth", () => {
  it("answers Depth 0 with the target only and Depth 1 with its members (RFC 4918 §9.1)", async () => {
    const u = await newUser("depth");
    await putOk(u, `${cal(u)}a.ics`, ics());
    await putOk(u, `${cal(u)}b.ics`, ics());
    const d0 = await multistatus(await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: propfindBody(["D:getetag"]) }));
    expect([...d0.keys()]).toEqual([cal(u)]);
    const d1 = await multistatus(await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) }));
    expect([...d1.keys()].sort()).toEqual([cal(u), `${cal(u)}a.ics`, `${cal(u)}b.ics`].sort());
    expect(d1.get(`${cal(u)}a.ics`)!.props.get(D("getetag"))!.status).toBe(200);
    expect(d1.get(cal(u))!.props.get(D("getetag"))!.status).toBe(404);
  });

  it("refuses Depth: infinity with 403 and DAV:propfind-finite-depth (RFC 4918 §9.1, §16)", async () => {
    const u = await newUser("depth");
    for (const path of ["/", home(u), cal(u)]) {
      const res = await dav("PROPFIND", path, { as: u, headers: { Depth: "infinity" }, body: propfindBody(["D:displayname"]) });
      expect(res.status, path).toBe(403);
      expect(await errorConditions(res)).toEqual([D("propfind-finite-depth")]);
    }
  });

  it("treats a PROPFIND without a Depth header as Depth: infinity and refuses it with DAV:propfind-finite-depth (RFC 4918 §9.1, §10.2)", async () => {
    const u = await newUser("depth");
    const res = await dav("PROPFIND", home(u), { as: u, body: propfindBody(["D:displayname"]) });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([D("propfind-finite-depth")]);
  });

  it("answers 404 for a PROPFIND on a resource that does not exist (RFC 4918 §9.1)", async () => {
    const u = await newUser("depth");
    for (const path of [`${cal(u)}missing.ics`, cal(u, "missing"), `/principals/nobody-${u.user}/`]) {
      const res = await dav("PROPFIND", path, { as: u, headers: { Depth: "0" }, body: propfindBody(["D:displayname"]) });
      expect(res.status, path).toBe(404);
    }
  });
});

describe("PROPFIND request types", () => {
  it("treats an empty body as allprop and returns the same properties as DAV:allprop (RFC 4918 §9.1)", async () => {
    const u = await newUser("allprop");
    const path = `${cal(u)}a.ics`;
    const etag = await putOk(u, path, ics());
    const empty = (await multistatus(await dav("PROPFIND", path, { as: u, headers: { Depth: "0" } }))).get(path)!;
    const explicit = (await multistatus(await dav("PROPFIND", path, { as: u, headers: { Depth: "0" }, body: xmlBody("D:propfind", "<D:allprop/>") }))).get(path)!;
    expect([...empty.props.keys()].sort()).toEqual([...explicit.props.keys()].sort());
    // RFC 4918 §9.1: allprop returns the live properties defined by that document.
    for (const name of ["getetag", "getcontenttype", "getcontentlength", "getlastmodified", "creationdate", "resourcetype"])
      expect(empty.props.get(D(name))?.status, name).toBe(200);
    expect(propText(empty, D("getetag"))).toBe(etag);
    expect([...empty.props.values()].every((p) => p.status === 200)).toBe(true);
  });

  it("leaves the CalDAV properties marked SHOULD NOT out of allprop on a calendar and a principal (RFC 4791 §5.2.2-§5.2.9, §6.2.1)", async () => {
    const u = await newUser("allprop");
    await proppatch(u, cal(u), `<C:calendar-timezone><![CDATA[${BERLIN_VTIMEZONE}]]></C:calendar-timezone>`);
    const c = (await multistatus(await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: xmlBody("D:propfind", "<D:allprop/>") }))).get(cal(u))!;
    for (const name of ["calendar-timezone", "supported-calendar-component-set", "supported-calendar-data", "supported-collation-set", "max-resource-size", "min-date-time", "max-date-time", "max-instances", "max-attendees-per-instance"])
      expect(c.props.has(CAL(name)), name).toBe(false);
    expect(c.props.get(D("resourcetype"))?.status).toBe(200);
    const p = (await multistatus(await dav("PROPFIND", principal(u), { as: u, headers: { Depth: "0" }, body: xmlBody("D:propfind", "<D:allprop/>") }))).get(principal(u))!;
    expect(p.props.has(CAL("calendar-home-set"))).toBe(false);
  });

  it("adds the DAV:include properties to allprop (RFC 4918 §9.1, §14.8)", async () => {
    const u = await newUser("allprop");
    const body = xmlBody("D:propfind", "<D:allprop/><D:include><C:supported-calendar-component-set/><C:max-resource-size/><X:nothing xmlns:X=\"urn:example:none\"/></D:include>");
    const r = (await multistatus(await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body }))).get(cal(u))!;
    expect(compsOf(r.props.get(CAL("supported-calendar-component-set"))!.element)).toEqual(["VEVENT"]);
    expect(Number(propText(r, CAL("max-resource-size")))).toBeGreaterThan(0);
    expect(r.props.get(D("displayname"))?.status).toBe(200);
    expect(r.props.get("{urn:example:none}nothing")?.status).toBe(404);
  });

  it("answers DAV:propname with empty elements for every property, dead ones included (RFC 4918 §9.1, §14.20)", async () => {
    const u = await newUser("propname");
    await proppatch(u, cal(u), `<X:tag xmlns:X="urn:example:tags">red</X:tag>`);
    const r = (await multistatus(await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: xmlBody("D:propfind", "<D:propname/>") }))).get(cal(u))!;
    for (const name of [D("resourcetype"), D("displayname"), CS("getctag"), D("sync-token"), CAL("supported-calendar-component-set"), "{urn:example:tags}tag"])
      expect(r.props.get(name)?.status, name).toBe(200);
    for (const [name, p] of r.props) expect(p.element.children, name).toEqual([]);
  });

  it("answers unknown properties with a 404 propstat that keeps their own namespace (RFC 4918 §9.1)", async () => {
    const u = await newUser("unknown");
    const body = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/><Z:mystery xmlns:Z="urn:example:z"/><nons xmlns=""/><D:no-such-dav-prop/></D:prop></D:propfind>`;
    const res = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body });
    const r = (await multistatus(res)).get(cal(u))!;
    expect(r.props.get(D("displayname"))!.status).toBe(200);
    expect(r.props.get("{urn:example:z}mystery")!.status).toBe(404);
    expect(r.props.get("{}nons")!.status).toBe(404); // the project parser names no-namespace elements "{}local"
    expect(r.props.get(D("no-such-dav-prop"))!.status).toBe(404);
  });

  it("keeps a client's prefix for another namespace apart from DAV: (D bound to urn:other) (Namespaces in XML §6)", async () => {
    const u = await newUser("unknown");
    const body = `<?xml version="1.0"?><x:propfind xmlns:x="DAV:"><x:prop><D:displayname xmlns:D="urn:other"/><x:displayname/></x:prop></x:propfind>`;
    const r = (await multistatus(await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body }))).get(cal(u))!;
    expect(r.props.get("{urn:other}displayname")!.status).toBe(404);
    expect(propText(r, D("displayname"))).toBe("Calendar");
  });

  it("drops 404 propstats under Prefer: return=minimal and says so with Preference-Applied (RFC 8144 §2, RFC 7240 §3)", async () => {
    const u = await newUser("minimal");
    const res = await dav("PROPFIND", home(u), {
      as: u,
      headers: { Depth: "1", Prefer: "return=minimal" },
      body: propfindBody(["D:displayname", "CS:getctag", "A:refreshrate"]),
    });
    expect(res.headers.get("preference-applied")).toMatch(/return=minimal/);
    const ms = await multistatus(res);
    for (const [href, r] of ms) {
      expect(r.props.has(ICAL("refreshrate")), href).toBe(false);
      for (const p of r.props.values()) expect(p.status, href).toBe(200);
    }
    expect(ms.get(cal(u))!.props.get(CS("getctag"))!.status).toBe(200);
    expect(ms.get(home(u))!.props.has(CS("getctag"))).toBe(false);
  });
});

describe("PROPPATCH of writable properties", () => {
  it("sets displayname and calendar-description and shows them in PROPFIND (RFC 4918 §15.2, RFC 4791 §5.2.1)", async () => {
    const u = await newUser("pp");
    const r = await proppatch(u, cal(u), "<D:displayname>Work &amp; Life</D:displayname><C:calendar-description>Meetings, 1:1s — and ünïcode</C:calendar-description>");
    expect(statusOf(r, D("displayname"))).toBe(200);
    expect(statusOf(r, CAL("calendar-description"))).toBe(200);
    expect(r.props.get(D("displayname"))!.element.children).toEqual([]);
    const after = await propfindOne(u, cal(u), ["D:displayname", "C:calendar-description"]);
    expect(propText(after, D("displayname"))).toBe("Work & Life");
    expect(propText(after, CAL("calendar-description"))).toBe("Meetings, 1:1s — and ünïcode");
  });

  it("accepts a calendar-timezone holding one valid VTIMEZONE and returns it (RFC 4791 §5.2.2)", async () => {
    const u = await newUser("pp");
    const r = await proppatch(u, cal(u), `<C:calendar-timezone><![CDATA[${BERLIN_VTIMEZONE}]]></C:calendar-timezone>`);
    expect(statusOf(r, CAL("calendar-timezone"))).toBe(200);
    const after = await propfindOne(u, cal(u), ["C:calendar-timezone"]);
    const tz = propText(after, CAL("calendar-timezone"));
    expect(tz).toContain("BEGIN:VTIMEZONE");
    expect(tz).toContain("TZID:Europe/Berlin");
  });

  it("refuses a calendar-timezone that is not one VTIMEZONE in a VCALENDAR, and keeps the old value (RFC 4791 §5.2.2, §5.3.2.1)", async () => {
    const u = await newUser("pp");
    await proppatch(u, cal(u), `<C:calendar-timezone><![CDATA[${BERLIN_VTIMEZONE}]]></C:calendar-timezone>`);
    const junk = [
      "this is not iCalendar",
      BERLIN_VTIMEZONE.replace("END:VCALENDAR", "BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR"),
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n",
      BERLIN_VTIMEZONE.replace("END:VTIMEZONE\r\n", ""),
    ];
    for (const value of junk) {
      const r = await proppatch(u, cal(u), `<C:calendar-timezone><![CDATA[${value}]]></C:calendar-timezone>`);
      const p = r.props.get(CAL("calendar-timezone"))!;
      expect(p.status, value.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect([CAL("valid-calendar-data"), CAL("valid-calendar-timezone")]).toContain(childNames(p.error)[0]);
    }
    expect(propText(await propfindOne(u, cal(u), ["C:calendar-timezone"]), CAL("calendar-timezone"))).toContain("TZID:Europe/Berlin");
  });

  it("round-trips Apple's calendar-color with its symbolic-color attribute, and calendar-order (Apple iCal namespace)", async () => {
    const u = await newUser("apple");
    const r = await proppatch(u, cal(u), '<A:calendar-color symbolic-color="custom">#FF2968FF</A:calendar-color><A:calendar-order>7</A:calendar-order>');
    expect(statusOf(r, ICAL("calendar-color"))).toBe(200);
    expect(statusOf(r, ICAL("calendar-order"))).toBe(200);
    const after = await propfindOne(u, cal(u), ["A:calendar-color", "A:calendar-order"]);
    const color = after.props.get(ICAL("calendar-color"))!;
    expect(textOf(color.element).trim()).toBe("#FF2968FF");
    expect(color.element.attrs["symbolic-color"]).toBe("custom");
    expect(propText(after, ICAL("calendar-order"))).toBe("7");
    // A later value replaces it, attributes included.
    await proppatch(u, cal(u), '<A:calendar-color symbolic-color="blue">#1BADF8</A:calendar-color>');
    const again = (await propfindOne(u, cal(u), ["A:calendar-color"])).props.get(ICAL("calendar-color"))!;
    expect(textOf(again.element).trim()).toBe("#1BADF8");
    expect(again.element.attrs["symbolic-color"]).toBe("blue");
  });

  it("defaults schedule-calendar-transp to opaque and stores transparent (RFC 6638 §9.1)", async () => {
    const u = await newUser("transp");
    const before = (await propfindOne(u, cal(u), ["C:schedule-calendar-transp"])).props.get(CAL("schedule-calendar-transp"))!;
    expect(before.status).toBe(200);
    expect(childNames(before.element)).toEqual([CAL("opaque")]);
    const r = await proppatch(u, cal(u), "<C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>");
    expect(statusOf(r, CAL("schedule-calendar-transp"))).toBe(200);
    const after = (await propfindOne(u, cal(u), ["C:schedule-calendar-transp"])).props.get(CAL("schedule-calendar-transp"))!;
    expect(childNames(after.element)).toEqual([CAL("transparent")]);
    const bad = await proppatch(u, cal(u), "<C:schedule-calendar-transp><C:sometimes/></C:schedule-calendar-transp>");
    expect(statusOf(bad, CAL("schedule-calendar-transp"))).toBeGreaterThanOrEqual(400);
  });

  it("processes set and remove in document order: set then remove leaves the property absent (RFC 4918 §9.2)", async () => {
    const u = await newUser("order");
    const r = await proppatch(u, cal(u), "<C:calendar-description>temporary</C:calendar-description>", "<C:calendar-description/>");
    expect(statusOf(r, CAL("calendar-description"))).toBe(200);
    expect((await propfindOne(u, cal(u), ["C:calendar-description"])).props.get(CAL("calendar-description"))!.status).toBe(404);
  });

  it("answers 200 for removing a property that does not exist (RFC 4918 §14.23)", async () => {
    const u = await newUser("order");
    const r = await proppatch(u, cal(u), "", '<X:never-set xmlns:X="urn:example:x"/>');
    expect(statusOf(r, "{urn:example:x}never-set")).toBe(200);
  });
});

describe("dead properties", () => {
  const DEAD = `<Z:meta xmlns:Z="urn:example:z" xmlns:Y="urn:example:y" Z:version="3" plain="p&amp;q"><Z:item n="1">first</Z:item><Z:item n="2"><Y:deep Y:flag="yes">second &lt;b&gt;</Y:deep></Z:item><Z:empty/></Z:meta>`;

  it("round-trips a dead property with nested elements, attributes and several namespaces on a calendar (RFC 4918 §4.3, §9.2)", async () => {
    const u = await newUser("dead");
    const r = await proppatch(u, cal(u), DEAD);
    expect(statusOf(r, "{urn:example:z}meta")).toBe(200);
    const res = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><q:meta xmlns:q="urn:example:z"/></D:prop></D:propfind>` });
    const got = (await multistatus(res)).get(cal(u))!.props.get("{urn:example:z}meta")!;
    expect(got.status).toBe(200);
    const sent = parseMultistatus(`<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/</D:href><D:propstat><D:prop>${DEAD}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`)
      .get("/")!.props.get("{urn:example:z}meta")!.element;
    expect(sameXml(got.element, sent)).toBe(true);
    expect(got.element.attrs["{urn:example:z}version"]).toBe("3");
    expect(got.element.attrs["plain"]).toBe("p&q");
  });

  it("keeps dead properties on calendar object resources and lists them in allprop (RFC 4918 §9.1, §4.3)", async () => {
    const u = await newUser("dead");
    const path = `${cal(u)}a.ics`;
    await putOk(u, path, ics());
    const r = await proppatch(u, path, '<Z:note xmlns:Z="urn:example:z">remember</Z:note>');
    expect(statusOf(r, "{urn:example:z}note")).toBe(200);
    const all = (await multistatus(await dav("PROPFIND", path, { as: u, headers: { Depth: "0" } }))).get(path)!;
    expect(propText(all, "{urn:example:z}note")).toBe("remember");
  });

  it("preserves xml:lang on a dead property (RFC 4918 §4.3, §4.4)", async () => {
    const u = await newUser("lang");
    const r = await proppatch(u, cal(u), '<Z:greeting xmlns:Z="urn:example:z" xml:lang="de-CH">Grüezi</Z:greeting>');
    expect(statusOf(r, "{urn:example:z}greeting")).toBe(200);
    const res = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: propfindBody(["Z:greeting"], 'xmlns:D="DAV:" xmlns:Z="urn:example:z"') });
    const text = await res.text();
    const got = parseMultistatus(text).get(cal(u))!.props.get("{urn:example:z}greeting")!;
    expect(textOf(got.element)).toBe("Grüezi");
    expect(got.element.attrs["{http://www.w3.org/XML/1998/namespace}lang"]).toBe("de-CH");
  });

  it("removes a dead property with DAV:remove (RFC 4918 §14.23)", async () => {
    const u = await newUser("dead");
    await proppatch(u, cal(u), '<Z:tmp xmlns:Z="urn:example:z">x</Z:tmp>');
    const r = await proppatch(u, cal(u), "", '<Z:tmp xmlns:Z="urn:example:z"/>');
    expect(statusOf(r, "{urn:example:z}tmp")).toBe(200);
    const after = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: propfindBody(["Z:tmp"], 'xmlns:D="DAV:" xmlns:Z="urn:example:z"') });
    expect((await multistatus(after)).get(cal(u))!.props.get("{urn:example:z}tmp")!.status).toBe(404);
  });
});

describe("protected properties", () => {
  const expectProtected = (r: ResponseResult, clark: string) => {
    const p = r.props.get(clark);
    expect(p?.status, clark).toBe(403);
    expect(childNames(p?.error), clark).toContain(D("cannot-modify-protected-property"));
  };

  it("refuses to set getetag, resourcetype, supported-calendar-component-set, getctag and sync-token on a calendar with DAV:cannot-modify-protected-property (RFC 4918 §15.6, §15.9, §16, RFC 6578 §4)", async () => {
    const u = await newUser("prot");
    const props: Array<[string, string]> = [
      [D("getetag"), '<D:getetag>"forged"</D:getetag>'],
      [D("resourcetype"), "<D:resourcetype><D:collection/></D:resourcetype>"],
      [CAL("supported-calendar-component-set"), '<C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>'],
      [CS("getctag"), "<CS:getctag>forged</CS:getctag>"],
      [D("sync-token"), "<D:sync-token>urn:forged</D:sync-token>"],
    ];
    for (const [clark, xml] of props) {
      const r = await proppatch(u, cal(u), xml);
      expectProtected(r, clark);
    }
    const after = await propfindOne(u, cal(u), ["D:getetag", "D:resourcetype", "C:supported-calendar-component-set", "CS:getctag", "D:sync-token"]);
    expect(after.props.get(D("getetag"))!.status).toBe(404);
    expect(childNames(after.props.get(D("resourcetype"))!.element)).toContain(CAL("calendar"));
    expect(compsOf(after.props.get(CAL("supported-calendar-component-set"))!.element)).toEqual(["VEVENT"]);
    expect(propText(after, CS("getctag"))).not.toBe("forged");
    expect(propText(after, D("sync-token"))).not.toBe("urn:forged");
  });

  it("refuses to set getetag, getcontentlength and resourcetype on a calendar object resource (RFC 4918 §15.4, §15.6, §15.9)", async () => {
    const u = await newUser("prot");
    const path = `${cal(u)}a.ics`;
    const etag = await putOk(u, path, ics());
    for (const [clark, xml] of [
      [D("getetag"), '<D:getetag>"forged"</D:getetag>'],
      [D("getcontentlength"), "<D:getcontentlength>1</D:getcontentlength>"],
      [D("resourcetype"), "<D:resourcetype><D:collection/></D:resourcetype>"],
    ] as const) {
      expectProtected(await proppatch(u, path, xml), clark);
    }
    expect(propText(await propfindOne(u, path, ["D:getetag"]), D("getetag"))).toBe(etag);
  });

  it("refuses to set the access-control and quota properties (RFC 3744 §5, RFC 4331 §3, §4)", async () => {
    const u = await newUser("prot");
    for (const [clark, xml] of [
      [D("current-user-privilege-set"), "<D:current-user-privilege-set><D:privilege><D:all/></D:privilege></D:current-user-privilege-set>"],
      [D("owner"), `<D:owner><D:href>/principals/someone-else/</D:href></D:owner>`],
      [D("acl"), "<D:acl/>"],
      [D("supported-report-set"), "<D:supported-report-set/>"],
      [D("quota-used-bytes"), "<D:quota-used-bytes>0</D:quota-used-bytes>"],
      [D("quota-available-bytes"), "<D:quota-available-bytes>99999999999</D:quota-available-bytes>"],
    ] as const) {
      const r = await proppatch(u, cal(u), xml);
      expect(r.props.get(clark)?.status, clark).toBe(403);
    }
    expect(hrefText((await propfindOne(u, cal(u), ["D:owner"])).props.get(D("owner"))!.element)).toEqual([principal(u)]);
  });
});

describe("PROPPATCH atomicity", () => {
  it("applies nothing when one property fails: the failing one answers its error, the rest 424 (RFC 4918 §9.2, §11.4)", async () => {
    const u = await newUser("atomic");
    await proppatch(u, cal(u), "<D:displayname>Before</D:displayname>");
    const [ctag] = await ctagAndToken(u);
    const r = await proppatch(
      u,
      cal(u),
      '<D:displayname>After</D:displayname><C:calendar-description>new</C:calendar-description><CS:getctag>forged</CS:getctag><Z:x xmlns:Z="urn:example:z">dead</Z:x>',
    );
    expect(statusOf(r, CS("getctag"))).toBe(403);
    expect(statusOf(r, D("displayname"))).toBe(424);
    expect(statusOf(r, CAL("calendar-description"))).toBe(424);
    expect(statusOf(r, "{urn:example:z}x")).toBe(424);
    const after = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: propfindBody(["D:displayname", "C:calendar-description", "Z:x", "CS:getctag"], `${NS_DECL} xmlns:Z="urn:example:z"`) });
    const a = (await multistatus(after)).get(cal(u))!;
    expect(propText(a, D("displayname"))).toBe("Before");
    expect(statusOf(a, CAL("calendar-description"))).toBe(404);
    expect(statusOf(a, "{urn:example:z}x")).toBe(404);
    expect(propText(a, CS("getctag"))).toBe(ctag);
  });

  it("rolls back a remove that came before a failing set (RFC 4918 §9.2)", async () => {
    const u = await newUser("atomic");
    await proppatch(u, cal(u), "<C:calendar-description>keep me</C:calendar-description>");
    const body = xmlBody("D:propertyupdate", "<D:remove><D:prop><C:calendar-description/></D:prop></D:remove><D:set><D:prop><D:resourcetype/></D:prop></D:set>");
    const r = (await multistatus(await dav("PROPPATCH", cal(u), { as: u, body }))).get(cal(u))!;
    expect(statusOf(r, CAL("calendar-description"))).toBe(424);
    expect(propText(await propfindOne(u, cal(u), ["C:calendar-description"]), CAL("calendar-description"))).toBe("keep me");
  });
});

describe("change tracking", () => {
  it("changes getctag and sync-token after a PUT, a PROPPATCH and a DELETE, and not after reads (calendarserver ctag, RFC 6578 §4)", async () => {
    const u = await newUser("ctag");
    const seen = new Set<string>();
    const s0 = await ctagAndToken(u);
    seen.add(s0.join(" "));
    await dav("GET", cal(u), { as: u });
    expect(await ctagAndToken(u)).toEqual(s0);

    await putOk(u, `${cal(u)}a.ics`, ics());
    const s1 = await ctagAndToken(u);
    expect(s1[0]).not.toBe(s0[0]);
    expect(s1[1]).not.toBe(s0[1]);

    await proppatch(u, cal(u), "<D:displayname>Renamed</D:displayname>");
    const s2 = await ctagAndToken(u);
    expect(s2[0]).not.toBe(s1[0]);
    expect(s2[1]).not.toBe(s1[1]);

    expect((await dav("DELETE", `${cal(u)}a.ics`, { as: u })).status).toBe(204);
    const s3 = await ctagAndToken(u);
    expect(s3[0]).not.toBe(s2[0]);
    expect(s3[1]).not.toBe(s2[1]);
    for (const s of [s1, s2, s3]) {
      expect(seen.has(s.join(" "))).toBe(false);
      seen.add(s.join(" "));
    }
  });

  it("changes a calendar's getctag only for changes to that calendar (calendarserver ctag)", async () => {
    const u = await newUser("ctag");
    const [tasksBefore] = await ctagAndToken(u, cal(u, "tasks"));
    await putOk(u, `${cal(u)}a.ics`, ics());
    const [tasksAfter] = await ctagAndToken(u, cal(u, "tasks"));
    expect(tasksAfter).toBe(tasksBefore);
  });
});

describe("live property values", () => {
  it("reports sane CalDAV limits and data types on a calendar (RFC 4791 §5.2.3-§5.2.9)", async () => {
    const u = await newUser("live");
    const r = await propfindOne(u, cal(u), [
      "C:supported-calendar-component-set", "C:supported-calendar-data", "C:max-resource-size", "C:min-date-time", "C:max-date-time",
      "C:max-instances", "C:max-attendees-per-instance", "CS:getctag", "D:sync-token",
    ]);
    expect(compsOf(r.props.get(CAL("supported-calendar-component-set"))!.element)).toEqual(["VEVENT"]);
    const data = childElements(r.props.get(CAL("supported-calendar-data"))!.element);
    expect(data.map((e) => e.name)).toContain(CAL("calendar-data"));
    const ical = data.find((e) => e.attrs["content-type"] === "text/calendar");
    expect(ical?.attrs["version"]).toBe("2.0");
    expect(propText(r, CAL("max-resource-size"))).toMatch(/^[1-9]\d*$/);
    const utc = /^\d{8}T\d{6}Z$/;
    expect(propText(r, CAL("min-date-time"))).toMatch(utc);
    expect(propText(r, CAL("max-date-time"))).toMatch(utc);
    expect(propText(r, CAL("min-date-time")) < propText(r, CAL("max-date-time"))).toBe(true);
    expect(propText(r, CAL("max-instances"))).toMatch(/^[1-9]\d*$/);
    expect(propText(r, CAL("max-attendees-per-instance"))).toMatch(/^[1-9]\d*$/);
    expect(propText(r, CS("getctag"))).toMatch(/\S/);
    expect(propText(r, D("sync-token"))).toMatch(/^[a-z][a-z0-9+.-]*:\S+$/i);
  });

  it("names the collations text-match takes, the two RFC 4791 requires among them (§7.5.1)", async () => {
    const u = await newUser("collations");
    const r = await propfindOne(u, cal(u), ["C:supported-collation-set"]);
    const names = childElements(r.props.get(CAL("supported-collation-set"))!.element).map((e) => [e.name, textOf(e)]);
    expect(names.map(([n]) => n).every((n) => n === CAL("supported-collation"))).toBe(true);
    expect(names.map(([, t]) => t)).toEqual(expect.arrayContaining(["i;ascii-casemap", "i;octet"]));
    // Each one named is taken by a text-match.
    for (const [, collation] of names) {
      const body = xmlBody("C:calendar-query", `<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="${collation}">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter>`);
      expect((await dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body })).status, collation).toBe(207);
    }
  });

  it("reports getcontentlength on every collection, equal to the body GET answers there (RFC 4918 §15.4)", async () => {
    const u = await newUser("len");
    for (const path of ["/", "/principals/", principal(u), "/calendars/", home(u), cal(u), `/calendars/${u.user}/inbox/`, `/calendars/${u.user}/outbox/`]) {
      const r = await propfindOne(u, path, ["D:getcontentlength"]);
      const got = await dav("GET", path, { as: u });
      expect(got.status, path).toBe(200);
      const bytes = new Uint8Array(await got.arrayBuffer()).byteLength;
      expect(bytes, path).toBeGreaterThan(0);
      expect(Number(propText(r, D("getcontentlength"))), path).toBe(bytes);
      expect(got.headers.get("content-length"), path).toBe(String(bytes));
    }
  });

  it("reports getetag, getcontenttype, getcontentlength, getlastmodified and creationdate on an object (RFC 4918 §15, RFC 4791 §5.3.4)", async () => {
    const u = await newUser("live");
    const path = `${cal(u)}a.ics`;
    const body = ics({ summary: "Größe zählt" });
    const etag = await putOk(u, path, body);
    const r = await propfindOne(u, path, ["D:getetag", "D:getcontenttype", "D:getcontentlength", "D:getlastmodified", "D:creationdate", "D:resourcetype"]);
    expect(propText(r, D("getetag"))).toBe(etag);
    expect(propText(r, D("getetag"))).toMatch(/^"[^"]+"$/);
    expect(propText(r, D("getcontenttype"))).toMatch(/^text\/calendar\b/);
    expect(Number(propText(r, D("getcontentlength")))).toBe(new TextEncoder().encode(body).byteLength);
    const lm = propText(r, D("getlastmodified"));
    expect(lm).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Math.abs(Date.parse(lm) - Date.now())).toBeLessThan(10 * 60_000);
    const cd = propText(r, D("creationdate"));
    expect(cd).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    expect(childNames(r.props.get(D("resourcetype"))!.element)).toEqual([]);
  });

  it("grows quota-used-bytes by the size of a PUT and shrinks quota-available-bytes (RFC 4331 §3, §4)", async () => {
    const u = await newUser("quota");
    const read = async (path: string) => {
      const r = await propfindOne(u, path, ["D:quota-used-bytes", "D:quota-available-bytes"]);
      return [Number(propText(r, D("quota-used-bytes"))), Number(propText(r, D("quota-available-bytes")))] as const;
    };
    const [used0, avail0] = await read(home(u));
    expect(avail0).toBeGreaterThan(0);
    const body = ics({ summary: "x".repeat(500) });
    await putOk(u, `${cal(u)}a.ics`, body);
    const size = new TextEncoder().encode(body).byteLength;
    const [used1, avail1] = await read(home(u));
    expect(used1 - used0).toBe(size);
    expect(avail0 - avail1).toBe(size);
    const [calUsed] = await read(cal(u));
    expect(calUsed).toBeGreaterThanOrEqual(size);
    await dav("DELETE", `${cal(u)}a.ics`, { as: u });
    expect((await read(home(u)))[0]).toBe(used0);
  });

  it("reports owner, acl, current-user-privilege-set and principal-collection-set for the owner (RFC 3744 §5.1, §5.4, §5.5, §5.8)", async () => {
    const u = await newUser("acl");
    const r = await propfindOne(u, cal(u), ["D:owner", "D:acl", "D:current-user-privilege-set", "D:principal-collection-set"]);
    expect(hrefText(r.props.get(D("owner"))!.element)).toEqual([principal(u)]);
    expect(hrefText(r.props.get(D("principal-collection-set"))!.element)).toEqual(["/principals/"]);
    const privs = privilegesOf(r.props.get(D("current-user-privilege-set"))!.element);
    for (const p of ["read", "write", "write-properties", "write-content", "bind", "unbind", "read-current-user-privilege-set"]) expect(privs, p).toContain(D(p));
    const aces = childElements(r.props.get(D("acl"))!.element).filter((e) => e.name === D("ace"));
    expect(aces.length).toBeGreaterThan(0);
    const ownerAce = aces.find((a) => hrefText(childElements(a).find((e) => e.name === D("principal"))).includes(principal(u)));
    expect(ownerAce).toBeDefined();
    expect(childNames(ownerAce).includes(D("grant"))).toBe(true);
  });

  it("lists calendar-multiget, calendar-query and free-busy-query in supported-report-set on a calendar (RFC 4791 §7, §7.8, §7.9, §7.10)", async () => {
    const u = await newUser("reports");
    const reports = reportsOf((await propfindOne(u, cal(u), ["D:supported-report-set"])).props.get(D("supported-report-set"))!.element);
    expect(reports).toContain(CAL("calendar-multiget"));
    expect(reports).toContain(CAL("calendar-query"));
    expect(reports).toContain(CAL("free-busy-query"));
  });

  it("accepts every report it advertises in supported-report-set, on a calendar and on the principal collection (RFC 3253 §3.1.5)", async () => {
    const u = await newUser("reports");
    await putOk(u, `${cal(u)}a.ics`, ics());
    // A minimal valid request per report: body, the Depth its RFC asks for, and the success status.
    const requests: Record<string, { body: string; depth: string; status: number }> = {
      [CAL("calendar-multiget")]: { depth: "1", status: 207, body: `<C:calendar-multiget ${NS_DECL}><D:prop><D:getetag/></D:prop><D:href>${cal(u)}a.ics</D:href></C:calendar-multiget>` },
      [CAL("calendar-query")]: { depth: "1", status: 207, body: `<C:calendar-query ${NS_DECL}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>` },
      // RFC 4791 §7.10: the answer is a VFREEBUSY in text/calendar, not a multistatus.
      [CAL("free-busy-query")]: { depth: "1", status: 200, body: `<C:free-busy-query ${NS_DECL}><C:time-range start="20250101T000000Z" end="20260101T000000Z"/></C:free-busy-query>` },
      // RFC 6578 §3.2: Depth 0 only; sync-level says how deep.
      [D("sync-collection")]: { depth: "0", status: 207, body: `<D:sync-collection ${NS_DECL}><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>` },
      [D("expand-property")]: { depth: "0", status: 207, body: `<D:expand-property ${NS_DECL}><D:property name="owner"/></D:expand-property>` },
      // RFC 3744 §9.3, §9.4, §9.5: Depth 0.
      [D("principal-match")]: { depth: "0", status: 207, body: `<D:principal-match ${NS_DECL}><D:self/><D:prop><D:displayname/></D:prop></D:principal-match>` },
      [D("principal-property-search")]: { depth: "0", status: 207, body: `<D:principal-property-search ${NS_DECL}><D:property-search><D:prop><D:displayname/></D:prop><D:match>${u.user}</D:match></D:property-search><D:prop><D:displayname/></D:prop><D:apply-to-principal-collection-set/></D:principal-property-search>` },
      [D("principal-search-property-set")]: { depth: "0", status: 200, body: `<D:principal-search-property-set ${NS_DECL}/>` },
    };
    for (const target of [cal(u), "/principals/"]) {
      const reports = reportsOf((await propfindOne(u, target, ["D:supported-report-set"])).props.get(D("supported-report-set"))!.element);
      expect(reports.length, target).toBeGreaterThan(0);
      for (const name of reports) {
        const req = requests[name];
        expect(req, `a test request for ${name}`).toBeDefined();
        const res = await dav("REPORT", target, { as: u, headers: { Depth: req!.depth }, body: `<?xml version="1.0" encoding="utf-8"?>${req!.body}` });
        expect(res.status, `${name} on ${target}: ${(await res.clone().text()).slice(0, 300)}`).toBe(req!.status);
      }
    }
  });
});
