// How real clients find a calendar account: the request sequences of Apple
// Calendar, Thunderbird, DAVx5 and Evolution (research/anchors.md §4), with
// the values each one reads, not only the status codes.
import { describe, expect, it } from "vitest";
import { dav, davNoFollow, hrefText, multistatus, parseMultistatus, propfindBody } from "../helpers/dav-client.js";
import { childElements, textOf } from "../../src/core/xml/tree.js";
import { CAL, CS, D, ICAL, cal, childNames, compsOf, home, newUser, principal, privilegesOf, propText, reportsOf } from "../helpers/caldav.js";

const WWW_BASIC = /^Basic\s+realm="[^"]+"/i;

// Apple Calendar's principal PROPFIND (Depth 0), as logged by servers it talks to.
const APPLE_PRINCIPAL_PROPFIND = `<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <B:calendar-home-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:calendar-user-address-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:current-user-principal/>
    <A:displayname/>
    <C:dropbox-home-URL xmlns:C="http://calendarserver.org/ns/"/>
    <C:email-address-set xmlns:C="http://calendarserver.org/ns/"/>
    <C:notification-URL xmlns:C="http://calendarserver.org/ns/"/>
    <A:principal-collection-set/>
    <A:principal-URL/>
    <A:resource-id/>
    <B:schedule-inbox-URL xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:schedule-outbox-URL xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:supported-report-set/>
  </A:prop>
</A:propfind>`;

// Apple Calendar's calendar-home PROPFIND (Depth 1): 38 properties, most of them extensions.
const APPLE_HOME_PROPS: Array<[string, string]> = [
  ["DAV:", "add-member"],
  ["http://calendarserver.org/ns/", "allowed-sharing-modes"],
  ["http://apple.com/ns/ical/", "autoprovisioned"],
  ["http://me.com/_namespace/", "bulk-requests"],
  ["urn:ietf:params:xml:ns:caldav", "calendar-alarm"],
  ["http://apple.com/ns/ical/", "calendar-color"],
  ["urn:ietf:params:xml:ns:caldav", "calendar-description"],
  ["urn:ietf:params:xml:ns:caldav", "calendar-free-busy-set"],
  ["http://apple.com/ns/ical/", "calendar-order"],
  ["urn:ietf:params:xml:ns:caldav", "calendar-timezone"],
  ["DAV:", "current-user-privilege-set"],
  ["urn:ietf:params:xml:ns:caldav", "default-alarm-vevent-date"],
  ["urn:ietf:params:xml:ns:caldav", "default-alarm-vevent-datetime"],
  ["DAV:", "displayname"],
  ["http://calendarserver.org/ns/", "getctag"],
  ["http://calendarserver.org/ns/", "invite"],
  ["http://apple.com/ns/ical/", "language-code"],
  ["http://apple.com/ns/ical/", "location-code"],
  ["DAV:", "owner"],
  ["http://calendarserver.org/ns/", "pre-publish-url"],
  ["http://calendarserver.org/ns/", "publish-url"],
  ["http://calendarserver.org/ns/", "push-transports"],
  ["http://calendarserver.org/ns/", "pushkey"],
  ["DAV:", "quota-available-bytes"],
  ["DAV:", "quota-used-bytes"],
  ["http://apple.com/ns/ical/", "refreshrate"],
  ["DAV:", "resource-id"],
  ["DAV:", "resourcetype"],
  ["urn:ietf:params:xml:ns:caldav", "schedule-calendar-transp"],
  ["urn:ietf:params:xml:ns:caldav", "schedule-default-calendar-URL"],
  ["http://calendarserver.org/ns/", "source"],
  ["http://calendarserver.org/ns/", "subscribed-strip-alarms"],
  ["http://calendarserver.org/ns/", "subscribed-strip-attachments"],
  ["http://calendarserver.org/ns/", "subscribed-strip-todos"],
  ["urn:ietf:params:xml:ns:caldav", "supported-calendar-component-set"],
  ["urn:ietf:params:xml:ns:caldav", "supported-calendar-component-sets"],
  ["DAV:", "supported-report-set"],
  ["DAV:", "sync-token"],
];

const appleHomePropfind = () => {
  const prefixes: Record<string, string> = {
    "DAV:": "A",
    "urn:ietf:params:xml:ns:caldav": "B",
    "http://calendarserver.org/ns/": "C",
    "http://apple.com/ns/ical/": "D",
    "http://me.com/_namespace/": "E",
  };
  const props = APPLE_HOME_PROPS.map(([ns, local]) =>
    ns === "DAV:" ? `<A:${local}/>` : `<${prefixes[ns]}:${local} xmlns:${prefixes[ns]}="${ns}"/>`,
  ).join("\n    ");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:">\n  <A:prop>\n    ${props}\n  </A:prop>\n</A:propfind>`;
};

/** RFC 4918 §9.1: every requested property appears in exactly one propstat of the response. */
function expectEveryPropAnswered(props: Map<string, unknown>, requested: string[]) {
  for (const name of requested) expect(props.has(name), `${name} answered`).toBe(true);
}

describe("discovery: Apple Calendar", () => {
  it("challenges the unauthenticated first request with 401 and WWW-Authenticate Basic realm (RFC 7617 §2, RFC 4918 §9.1)", async () => {
    const res = await dav("PROPFIND", "/", { headers: { Depth: "0" }, body: propfindBody(["D:current-user-principal"]) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate") ?? "").toMatch(WWW_BASIC);
  });

  it("redirects PROPFIND on /.well-known/caldav to the context path / with 301 (RFC 6764 §5)", async () => {
    const alice = await newUser("apple");
    for (const as of [null, alice]) {
      for (const path of ["/.well-known/caldav", "/.well-known/caldav/"]) {
        const res = await davNoFollow("PROPFIND", path, {
          as,
          headers: { Depth: "0" },
          body: propfindBody(["D:current-user-principal", "D:principal-URL", "D:resourcetype"]),
        });
        expect(res.status, path).toBe(301);
        expect(new URL(res.headers.get("location") ?? "", "http://caldav.test").pathname).toBe("/");
      }
    }
  });

  it("answers PROPFIND on / and /principals/ with current-user-principal (RFC 5397 §3)", async () => {
    const alice = await newUser("apple");
    for (const path of ["/", "/principals/"]) {
      const res = await dav("PROPFIND", path, {
        as: alice,
        headers: { Depth: "0", Prefer: "return=minimal", Brief: "t" },
        body: propfindBody(["D:current-user-principal", "D:principal-URL", "D:resourcetype"]),
      });
      const ms = await multistatus(res);
      expect([...ms.keys()]).toEqual([path]);
      const r = ms.get(path)!;
      expect(hrefText(r.props.get(D("current-user-principal"))!.element)).toEqual([principal(alice)]);
      expect(childNames(r.props.get(D("resourcetype"))!.element)).toContain(D("collection"));
    }
  });

  it("answers Apple's principal PROPFIND with the home, addresses and 404 for unknown properties (RFC 4791 §6.2.1, RFC 6638 §2.4.1, RFC 4918 §9.1)", async () => {
    const alice = await newUser("apple", { name: "Alice Appleseed" });
    const res = await dav("PROPFIND", principal(alice), { as: alice, headers: { Depth: "0" }, body: APPLE_PRINCIPAL_PROPFIND });
    const ms = await multistatus(res);
    expect([...ms.keys()]).toEqual([principal(alice)]);
    const r = ms.get(principal(alice))!;
    expectEveryPropAnswered(r.props, [
      CAL("calendar-home-set"), CAL("calendar-user-address-set"), D("current-user-principal"), D("displayname"),
      CS("dropbox-home-URL"), CS("email-address-set"), CS("notification-URL"), D("principal-collection-set"),
      D("principal-URL"), D("resource-id"), CAL("schedule-inbox-URL"), CAL("schedule-outbox-URL"), D("supported-report-set"),
    ]);
    expect(hrefText(r.props.get(CAL("calendar-home-set"))!.element)).toEqual([home(alice)]);
    expect(hrefText(r.props.get(CAL("calendar-user-address-set"))!.element)).toContain(`mailto:${alice.user}@example.com`);
    expect(hrefText(r.props.get(D("current-user-principal"))!.element)).toEqual([principal(alice)]);
    expect(hrefText(r.props.get(D("principal-URL"))!.element)).toEqual([principal(alice)]);
    expect(hrefText(r.props.get(D("principal-collection-set"))!.element)).toEqual(["/principals/"]);
    expect(propText(r, D("displayname"))).toBe("Alice Appleseed");
    const emails = r.props.get(CS("email-address-set"))!;
    expect(emails.status).toBe(200);
    expect(childNames(emails.element).every((n) => n === CS("email-address"))).toBe(true);
    expect(childElements(emails.element).map((e) => textOf(e).trim())).toContain(`${alice.user}@example.com`);
    expect(r.props.get(CS("dropbox-home-URL"))!.status).toBe(404);
    // calendarserver-sharing: the principal's notification collection (README "Sharing").
    expect(hrefText(r.props.get(CS("notification-URL"))!.element)).toEqual([`${home(alice)}notification/`]);
  });

  it("drops the 404 propstats under Prefer: return=minimal and Brief: t (RFC 8144 §2, RFC 7240)", async () => {
    const alice = await newUser("apple");
    for (const headers of [{ Prefer: "return=minimal" }, { Brief: "t" }] as Array<Record<string, string>>) {
      const res = await dav("PROPFIND", principal(alice), { as: alice, headers: { Depth: "0", ...headers }, body: APPLE_PRINCIPAL_PROPFIND });
      const r = (await multistatus(res)).get(principal(alice))!;
      expect(r.props.has(CS("dropbox-home-URL"))).toBe(false);
      expect([...r.props.values()].every((p) => p.status === 200)).toBe(true);
      expect(hrefText(r.props.get(CAL("calendar-home-set"))!.element)).toEqual([home(alice)]);
    }
  });

  it("answers Apple's 38-property Depth 1 PROPFIND on the home with every collection and real values (RFC 4791 §5.2, §6.2.1)", async () => {
    const alice = await newUser("apple");
    const res = await dav("PROPFIND", home(alice), { as: alice, headers: { Depth: "1" }, body: appleHomePropfind() });
    const ms = await multistatus(res);
    const requested = APPLE_HOME_PROPS.map(([ns, l]) => `{${ns}}${l}`);
    for (const path of [home(alice), cal(alice), cal(alice, "tasks"), cal(alice, "inbox"), cal(alice, "outbox")]) {
      expect(ms.has(path), path).toBe(true);
      expectEveryPropAnswered(ms.get(path)!.props, requested);
    }
    // The home itself: a plain collection owned by alice.
    const h = ms.get(home(alice))!;
    expect(childNames(h.props.get(D("resourcetype"))!.element)).toEqual([D("collection")]);
    expect(hrefText(h.props.get(D("owner"))!.element)).toEqual([principal(alice)]);
    expect(Number(propText(h, D("quota-available-bytes")))).toBeGreaterThan(0);

    const c = ms.get(cal(alice))!;
    expect(new Set(childNames(c.props.get(D("resourcetype"))!.element))).toEqual(new Set([D("collection"), CAL("calendar")]));
    expect(propText(c, CS("getctag"))).not.toBe("");
    expect(propText(c, D("sync-token"))).not.toBe("");
    expect(compsOf(c.props.get(CAL("supported-calendar-component-set"))!.element)).toEqual(["VEVENT"]);
    expect(privilegesOf(c.props.get(D("current-user-privilege-set"))!.element)).toContain(D("write"));
    expect(propText(c, D("displayname"))).toBe("Calendar");
    expect(c.props.get(CS("invite"))!.status).toBe(404);
    expect(c.props.get(ICAL("refreshrate"))!.status).toBe(404);

    const t = ms.get(cal(alice, "tasks"))!;
    expect(compsOf(t.props.get(CAL("supported-calendar-component-set"))!.element)).toEqual(["VTODO"]);
    expect(childNames(ms.get(cal(alice, "inbox"))!.props.get(D("resourcetype"))!.element)).toContain(CAL("schedule-inbox"));
    expect(childNames(ms.get(cal(alice, "outbox"))!.props.get(D("resourcetype"))!.element)).toContain(CAL("schedule-outbox"));
  });
});

describe("discovery: Thunderbird", () => {
  const THUNDERBIRD_PROPS = ["D:resourcetype", "D:owner", "D:displayname", "D:current-user-principal", "D:current-user-privilege-set", "A:calendar-color", "C:calendar-home-set"];

  it("answers Thunderbird's PROPFIND on / and then on the principal with calendar-home-set (RFC 4791 §6.2.1, RFC 5397)", async () => {
    const tb = await newUser("tb");
    const root = await multistatus(await dav("PROPFIND", "/", { as: tb, headers: { Depth: "0" }, body: propfindBody(THUNDERBIRD_PROPS) }));
    const r = root.get("/")!;
    expectEveryPropAnswered(r.props, [D("resourcetype"), D("owner"), D("displayname"), D("current-user-principal"), D("current-user-privilege-set"), ICAL("calendar-color"), CAL("calendar-home-set")]);
    const cup = hrefText(r.props.get(D("current-user-principal"))!.element);
    expect(cup).toEqual([principal(tb)]);

    const p = await multistatus(await dav("PROPFIND", cup[0]!, { as: tb, headers: { Depth: "0" }, body: propfindBody(THUNDERBIRD_PROPS) }));
    const pr = p.get(principal(tb))!;
    expect(hrefText(pr.props.get(CAL("calendar-home-set"))!.element)).toEqual([home(tb)]);
    expect(new Set(childNames(pr.props.get(D("resourcetype"))!.element))).toEqual(new Set([D("collection"), D("principal")]));
  });

  it("answers OPTIONS on the home with the DAV compliance classes Thunderbird reads (RFC 4791 §5.1)", async () => {
    const tb = await newUser("tb");
    const res = await dav("OPTIONS", home(tb), { as: tb });
    expect(res.status).toBe(200);
    const classes = (res.headers.get("dav") ?? "").split(",").map((s) => s.trim());
    expect(classes).toContain("calendar-access");
    expect(classes).toContain("1");
  });

  it("answers the per-calendar Depth 0 PROPFIND with report set, component set, ctag and DAV:write for the owner (RFC 3744 §5.4, RFC 3253 §3.1.5)", async () => {
    const tb = await newUser("tb");
    const res = await dav("PROPFIND", cal(tb), {
      as: tb,
      headers: { Depth: "0" },
      body: propfindBody(["D:resourcetype", "D:owner", "D:current-user-principal", "D:current-user-privilege-set", "D:supported-report-set", "C:supported-calendar-component-set", "CS:getctag"]),
    });
    const r = (await multistatus(res)).get(cal(tb))!;
    expect(hrefText(r.props.get(D("owner"))!.element)).toEqual([principal(tb)]);
    const privs = privilegesOf(r.props.get(D("current-user-privilege-set"))!.element);
    expect(privs).toContain(D("read"));
    expect(privs).toContain(D("write"));
    const reports = r.props.get(D("supported-report-set"))!;
    expect(reports.status).toBe(200);
    expect(reportsOf(reports.element)).toContain(CAL("calendar-multiget"));
    expect(r.props.get(CAL("supported-calendar-component-set"))!.status).toBe(200);
    expect(propText(r, CS("getctag"))).toMatch(/\S/);
  });
});

describe("discovery: DAVx5", () => {
  it("follows the well-known redirect, current-user-principal and calendar-home-set, then lists the home at Depth 1 with sync properties (RFC 6764, RFC 6578 §4, RFC 4791 §5.2.5)", async () => {
    const dx = await newUser("davx5");
    const wk = await davNoFollow("PROPFIND", "/.well-known/caldav", { as: dx, headers: { Depth: "0" }, body: propfindBody(["D:current-user-principal"]) });
    expect(wk.status).toBe(301);
    const target = new URL(wk.headers.get("location")!, "http://caldav.test").pathname;
    const root = (await multistatus(await dav("PROPFIND", target, { as: dx, headers: { Depth: "0" }, body: propfindBody(["D:current-user-principal"]) }))).get(target)!;
    const principalHref = hrefText(root.props.get(D("current-user-principal"))!.element)[0]!;
    const p = (await multistatus(await dav("PROPFIND", principalHref, { as: dx, headers: { Depth: "0" }, body: propfindBody(["C:calendar-home-set", "C:calendar-user-address-set", "D:displayname"]) }))).get(principalHref)!;
    const homeHref = hrefText(p.props.get(CAL("calendar-home-set"))!.element)[0]!;
    expect(homeHref).toBe(home(dx));

    const listing = await multistatus(
      await dav("PROPFIND", homeHref, {
        as: dx,
        headers: { Depth: "1" },
        body: propfindBody([
          "D:resourcetype", "D:displayname", "D:owner", "D:current-user-privilege-set", "C:calendar-description", "A:calendar-color",
          "C:max-resource-size", "D:supported-report-set", "CS:getctag", "D:sync-token", "C:supported-calendar-component-set", "CS:source",
        ]),
      }),
    );
    const calendars = [...listing.values()].filter((r) => childNames(r.props.get(D("resourcetype"))?.element).includes(CAL("calendar")));
    expect(calendars.map((r) => r.href).sort()).toEqual([cal(dx), cal(dx, "tasks")].sort());
    for (const c of calendars) {
      expect(Number(propText(c, CAL("max-resource-size")))).toBeGreaterThan(0);
      expect(propText(c, CS("getctag"))).toMatch(/\S/);
      // RFC 6578 §4: the sync-token is a URI.
      expect(propText(c, D("sync-token"))).toMatch(/^[a-z][a-z0-9+.-]*:\S+$/i);
      expect(c.props.get(CAL("supported-calendar-component-set"))!.status).toBe(200);
      expect(c.props.get(D("supported-report-set"))!.status).toBe(200);
      expect(c.props.get(CS("source"))!.status).toBe(404);
    }
  });
});

describe("discovery: Evolution", () => {
  it("answers Evolution's Depth 0 probe on a given URL and then its Depth 1 listing of the home (RFC 4791 §6.2.1, RFC 6638 §2.4.1)", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const ev = await newUser("evo", { emails: [`evo-${tag}@example.org`, `evo.second-${tag}@example.net`] });
    const probe = ["D:resourcetype", "D:current-user-principal", "D:principal-URL", "C:calendar-home-set", "C:calendar-user-address-set"];
    // The user typed the home URL; principal-URL is not defined there but current-user-principal is.
    const carddavNs = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:X="urn:ietf:params:xml:ns:carddav"';
    const firstRes = await dav("PROPFIND", home(ev), { as: ev, headers: { Depth: "0" }, body: propfindBody([...probe, "X:addressbook-home-set"], carddavNs) });
    const first = (await multistatus(firstRes)).get(home(ev))!;
    expect(first.props.get("{urn:ietf:params:xml:ns:carddav}addressbook-home-set")!.status).toBe(404);
    const principalHref = hrefText(first.props.get(D("current-user-principal"))!.element)[0]!;
    expect(principalHref).toBe(principal(ev));

    const p = (await multistatus(await dav("PROPFIND", principalHref, { as: ev, headers: { Depth: "0" }, body: propfindBody(probe) }))).get(principalHref)!;
    expect(hrefText(p.props.get(D("principal-URL"))!.element)).toEqual([principal(ev)]);
    expect(hrefText(p.props.get(CAL("calendar-home-set"))!.element)).toEqual([home(ev)]);
    const addresses = hrefText(p.props.get(CAL("calendar-user-address-set"))!.element);
    expect(addresses.filter((a) => a.startsWith("mailto:"))).toHaveLength(2);

    const listing = await multistatus(
      await dav("PROPFIND", home(ev), {
        as: ev,
        headers: { Depth: "1" },
        body: propfindBody(["D:resourcetype", "D:displayname", "C:calendar-description", "A:calendar-color", "C:supported-calendar-component-set", "CS:getctag"]),
      }),
    );
    expect(listing.get(cal(ev))!.props.get(D("displayname"))!.status).toBe(200);
    expect(listing.get(cal(ev, "tasks"))!.props.get(D("displayname"))!.status).toBe(200);
  });
});

describe("OPTIONS", () => {
  it("answers without authentication, with DAV: 1, 3, access-control, calendar-access, extended-mkcol and no class 2 (RFC 4918 §10.1, §18, RFC 4791 §5.1, RFC 5689 §3.1)", async () => {
    const alice = await newUser("opt");
    for (const path of ["/", "/principals/", home(alice), cal(alice), `${cal(alice)}x.ics`]) {
      const res = await dav("OPTIONS", path);
      expect(res.status, path).toBe(200);
      const classes = (res.headers.get("dav") ?? "").split(",").map((s) => s.trim());
      for (const c of ["1", "3", "access-control", "calendar-access", "extended-mkcol"]) expect(classes, `${path}: ${c}`).toContain(c);
      expect(classes).not.toContain("2");
    }
  });

  it("lists the methods in Allow, including MKCALENDAR and REPORT but not LOCK without class 2 (RFC 9110 §10.2.1, RFC 4791 §5.1)", async () => {
    const res = await dav("OPTIONS", "/");
    const allow = (res.headers.get("allow") ?? "").split(",").map((s) => s.trim().toUpperCase());
    for (const m of ["OPTIONS", "GET", "HEAD", "PUT", "DELETE", "PROPFIND", "PROPPATCH", "REPORT", "MKCOL", "MKCALENDAR", "COPY", "MOVE"]) expect(allow).toContain(m);
    expect(allow).not.toContain("LOCK");
    expect(allow).not.toContain("UNLOCK");
  });
});

describe("principals", () => {
  it("lists principals at Depth 1 on /principals/ with their hrefs (RFC 3744 §5.8)", async () => {
    const a = await newUser("pc");
    const b = await newUser("pc");
    const ms = await multistatus(await dav("PROPFIND", "/principals/", { as: a, headers: { Depth: "1" }, body: propfindBody(["D:resourcetype", "D:displayname"]) }));
    expect(ms.has(principal(a))).toBe(true);
    expect(ms.has(principal(b))).toBe(true);
    expect(childNames(ms.get(principal(b))!.props.get(D("resourcetype"))!.element)).toContain(D("principal"));
  });

  it("parses a multistatus body produced by the server with a foreign prefix for DAV: (RFC 4918 §14.16)", async () => {
    const a = await newUser("ns");
    const res = await dav("PROPFIND", "/", { as: a, headers: { Depth: "0" }, body: `<?xml version="1.0"?><x:propfind xmlns:x="DAV:"><x:prop><x:current-user-principal/></x:prop></x:propfind>` });
    expect(res.status).toBe(207);
    const ms = parseMultistatus(await res.text());
    expect(hrefText(ms.get("/")!.props.get(D("current-user-principal"))!.element)).toEqual([principal(a)]);
  });
});
