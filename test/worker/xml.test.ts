// XML request bodies and responses: malformed XML, DTDs and entities
// (RFC 4918 §20.6), the body size cap, unknown REPORTs (RFC 3253 §3.6),
// lenient Content-Type, and namespace-correct responses parsed back with the
// project's own parser.
import { describe, expect, it } from "vitest";
import { XML_BODY_CAP } from "../../src/app.js";
import { parseXml } from "../../src/core/xml/parse.js";
import { childElements, textOf } from "../../src/core/xml/tree.js";
import { BASE, basic, dav, errorConditions, multistatus, parseMultistatus, propfindBody } from "../helpers/dav-client.js";
import { CAL, D, cal, home, ics, newUser, propText, propfindOne, proppatchBody, putOk, xmlBody } from "../helpers/caldav.js";

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>&lol9;</D:displayname></D:prop></D:set></D:propertyupdate>`;

const EXTERNAL_ENTITY = `<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY remote SYSTEM "http://attacker.example/x"> ]>
<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>&xxe;&remote;</D:displayname></D:prop></D:set></D:propertyupdate>`;

describe("malformed and hostile XML", () => {
  it("answers 400 to malformed XML bodies on PROPFIND, PROPPATCH, REPORT and MKCOL (RFC 4918 §8.2)", async () => {
    const u = await newUser("xml");
    const bad = [
      `<D:propfind xmlns:D="DAV:"><D:prop><D:displayname></D:prop></D:propfind>`,
      `<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop>`,
      `<D:propfind><D:prop/></D:propfind>`,
      `<?xml version="1.0"?><a/><b/>`,
      `not xml at all`,
    ];
    for (const body of bad) {
      for (const [method, path] of [["PROPFIND", cal(u)], ["PROPPATCH", cal(u)], ["REPORT", cal(u)], ["MKCOL", cal(u, "new")]] as const) {
        const res = await dav(method, path, { as: u, headers: { Depth: "0" }, body });
        expect(res.status, `${method} ${body}`).toBe(400);
      }
    }
    const res = await dav("PROPFIND", cal(u, "new"), { as: u, headers: { Depth: "0" }, body: propfindBody(["D:displayname"]) });
    expect(res.status).toBe(404);
  });

  it("refuses a DOCTYPE with nested entities (billion laughs) with 400 and expands nothing (RFC 4918 §20.6)", async () => {
    const u = await newUser("xml");
    const res = await dav("PROPPATCH", cal(u), { as: u, body: BILLION_LAUGHS });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(4096);
    expect(text).not.toContain("lollollol");
    expect(propText(await propfindOne(u, cal(u), ["D:displayname"]), D("displayname"))).toBe("Calendar");
    const pf = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: BILLION_LAUGHS.replace(/<D:propertyupdate[\s\S]*$/, `<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>`) });
    expect(pf.status).toBe(400);
  });

  it("refuses external entities with 400 and never resolves them (RFC 4918 §20.6)", async () => {
    const u = await newUser("xml");
    const res = await dav("PROPPATCH", cal(u), { as: u, body: EXTERNAL_ENTITY });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain("root:");
    expect(propText(await propfindOne(u, cal(u), ["D:displayname"]), D("displayname"))).toBe("Calendar");
  });

  it("refuses a DOCTYPE even without entities with 400 (RFC 4918 §20.6)", async () => {
    const u = await newUser("xml");
    const body = `<?xml version="1.0"?><!DOCTYPE propfind SYSTEM "http://example.com/dav.dtd"><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>`;
    expect((await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body })).status).toBe(400);
  });

  it("refuses a body that is not UTF-8 with 400 (RFC 4918 §8.2, XML 1.0 §4.3.3)", async () => {
    const u = await newUser("xml");
    const bytes = new TextEncoder().encode(`<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Caf__</D:displayname></D:prop></D:set></D:propertyupdate>`);
    const i = bytes.indexOf("_".charCodeAt(0));
    bytes[i] = 0xe9;
    bytes[i + 1] = 0x20;
    expect((await dav("PROPPATCH", cal(u), { as: u, body: bytes, headers: { "Content-Type": "application/xml" } })).status).toBe(400);
  });

  it("refuses absurdly deep nesting with a 4xx, not a crash", async () => {
    const u = await newUser("xml");
    const depth = 5000;
    const body = `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><X:deep xmlns:X="urn:x">${"<X:n>".repeat(depth)}${"</X:n>".repeat(depth)}</X:deep></D:prop></D:set></D:propertyupdate>`;
    const res = await dav("PROPPATCH", cal(u), { as: u, body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("answers 400 to a PROPFIND whose root element is not DAV:propfind (RFC 4918 §9.1)", async () => {
    const u = await newUser("xml");
    const res = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: `<D:propertyupdate xmlns:D="DAV:"/>` });
    expect(res.status).toBe(400);
  });
});

describe("XML body size cap", () => {
  const padded = (size: number) => {
    const head = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop>`;
    const tail = `</D:propfind>`;
    return head + " ".repeat(size - head.length - tail.length) + tail;
  };

  it("accepts an XML body of exactly the cap and refuses one byte more with 413 (RFC 9110 §15.5.14)", async () => {
    const u = await newUser("cap");
    expect(XML_BODY_CAP).toBe(2 * 1024 * 1024);
    const ok = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: padded(XML_BODY_CAP) });
    expect(ok.status).toBe(207);
    const over = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: padded(XML_BODY_CAP + 1) });
    expect(over.status).toBe(413);
  });

  it("refuses an oversized PROPPATCH and changes nothing (RFC 9110 §15.5.14)", async () => {
    const u = await newUser("cap");
    const body = proppatchBody(`<D:displayname>huge</D:displayname><X:blob xmlns:X="urn:x">${"a".repeat(XML_BODY_CAP)}</X:blob>`);
    const res = await dav("PROPPATCH", cal(u), { as: u, body });
    expect(res.status).toBe(413);
    expect(propText(await propfindOne(u, cal(u), ["D:displayname"]), D("displayname"))).toBe("Calendar");
  });

  it("refuses an oversized XML body sent without Content-Length (chunked) with 413 (RFC 9110 §15.5.14)", async () => {
    const u = await newUser("cap");
    const bytes = new TextEncoder().encode(padded(XML_BODY_CAP + 64 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) c.enqueue(bytes.slice(i, i + 64 * 1024));
        c.close();
      },
    });
    const { exports } = await import("cloudflare:workers");
    const res = await exports.default.fetch(
      new Request(new URL(cal(u), BASE), { method: "PROPFIND", headers: { Authorization: basic(u), Depth: "0", "Content-Type": "application/xml" }, body: stream }),
    );
    expect(res.status).toBe(413);
  });
});

describe("REPORT dispatch", () => {
  it("refuses a REPORT with an unknown root element with 403 DAV:supported-report (RFC 3253 §3.6)", async () => {
    const u = await newUser("rep");
    for (const path of [cal(u), home(u)]) {
      const res = await dav("REPORT", path, { as: u, headers: { Depth: "1" }, body: `<?xml version="1.0"?><X:frobnicate xmlns:X="urn:example:reports"><X:now/></X:frobnicate>` });
      expect(res.status, path).toBe(403);
      expect(await errorConditions(res)).toEqual([D("supported-report")]);
    }
  });

  it("refuses a known report on a resource that does not support it with 403 DAV:supported-report (RFC 3253 §3.6)", async () => {
    const u = await newUser("rep");
    const res = await dav("REPORT", home(u), {
      as: u,
      headers: { Depth: "1" },
      body: `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><D:href>${cal(u)}a.ics</D:href></C:calendar-multiget>`,
    });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([D("supported-report")]);
  });

  it("answers calendar-multiget with calendar-data for present hrefs and 404 for missing ones (RFC 4791 §7.9)", async () => {
    const u = await newUser("rep");
    const body = ics({ summary: "Multiget me" });
    const etag = await putOk(u, `${cal(u)}a.ics`, body);
    const res = await dav("REPORT", cal(u), {
      as: u,
      headers: { Depth: "1" },
      body: `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>${cal(u)}a.ics</D:href><D:href>${cal(u)}missing.ics</D:href></C:calendar-multiget>`,
    });
    const ms = await multistatus(res);
    const a = ms.get(`${cal(u)}a.ics`)!;
    expect(propText(a, D("getetag"))).toBe(etag);
    expect(textOf(a.props.get(CAL("calendar-data"))!.element)).toBe(body);
    expect(ms.get(`${cal(u)}missing.ics`)!.status).toBe(404);
  });
});

describe("content types and namespaces", () => {
  it("accepts a PROPFIND whose XML body is labelled text/plain or not labelled at all (RFC 4918 §8.2 robustness)", async () => {
    const u = await newUser("ct");
    for (const ct of ["text/plain", "application/octet-stream", "text/xml; charset=utf-8"]) {
      const res = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0", "Content-Type": ct }, body: propfindBody(["D:displayname"]) });
      expect(res.status, ct).toBe(207);
    }
    const { exports } = await import("cloudflare:workers");
    const res = await exports.default.fetch(
      new Request(new URL(cal(u), BASE), { method: "PROPFIND", headers: { Authorization: basic(u), Depth: "0" }, body: new TextEncoder().encode(propfindBody(["D:displayname"])) }),
    );
    expect(res.status).toBe(207);
  });

  it("declares every namespace it uses, so responses with DAV:, CalDAV, Apple, CalendarServer and custom names parse back to the same Clark names (Namespaces in XML §3, RFC 4918 §14)", async () => {
    const u = await newUser("ns");
    await dav("PROPPATCH", cal(u), {
      as: u,
      body: proppatchBody('<X:one xmlns:X="urn:example:one">1</X:one><A:calendar-color>#112233</A:calendar-color><Y:two xmlns:Y="http://example.com/ns?a=1&amp;b=2">2</Y:two>'),
    });
    const body = `<?xml version="1.0"?><p:propfind xmlns:p="DAV:" xmlns:q="urn:ietf:params:xml:ns:caldav" xmlns:r="http://calendarserver.org/ns/" xmlns:s="http://apple.com/ns/ical/" xmlns:t="urn:example:one" xmlns:v="http://example.com/ns?a=1&amp;b=2" xmlns:w="urn:example:absent"><p:prop><p:displayname/><q:supported-calendar-component-set/><r:getctag/><s:calendar-color/><t:one/><v:two/><w:none/></p:prop></p:propfind>`;
    const res = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body });
    const text = await res.text();
    expect(res.status).toBe(207);
    expect(res.headers.get("content-type")).toMatch(/^(application|text)\/xml\b/);
    const r = parseMultistatus(text).get(cal(u))!;
    expect(r.props.get(D("displayname"))!.status).toBe(200);
    expect(r.props.get(CAL("supported-calendar-component-set"))!.status).toBe(200);
    expect(r.props.get("{http://calendarserver.org/ns/}getctag")!.status).toBe(200);
    expect(r.props.get("{http://apple.com/ns/ical/}calendar-color")!.status).toBe(200);
    expect(textOf(r.props.get("{urn:example:one}one")!.element)).toBe("1");
    expect(textOf(r.props.get("{http://example.com/ns?a=1&b=2}two")!.element)).toBe("2");
    expect(r.props.get("{urn:example:absent}none")!.status).toBe(404);
    // Every comp child is in the CalDAV namespace.
    for (const c of childElements(r.props.get(CAL("supported-calendar-component-set"))!.element)) expect(c.name).toBe(CAL("comp"));
  });

  it("round-trips a dead property written with a default namespace and keeps its children in it (Namespaces in XML §6.2)", async () => {
    const u = await newUser("ns");
    await dav("PROPPATCH", cal(u), { as: u, body: proppatchBody('<meta xmlns="urn:example:default"><child k="v">x</child><other xmlns="urn:example:second"/></meta>') });
    const res = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><meta xmlns="urn:example:default" /></D:prop></D:propfind>` });
    const el = parseMultistatus(await res.text()).get(cal(u))!.props.get("{urn:example:default}meta")!.element;
    expect(childElements(el).map((c) => c.name)).toEqual(["{urn:example:default}child", "{urn:example:second}other"]);
    expect(childElements(el)[0]!.attrs["k"]).toBe("v");
  });

  it("escapes markup characters in values and keeps a carriage return sent as &#13; (XML 1.0 §2.4, §2.11, RFC 4918 §4.3)", async () => {
    const u = await newUser("esc");
    const res = await dav("PROPPATCH", cal(u), { as: u, body: proppatchBody("<D:displayname>a &lt;b&gt; &amp; ]]&gt; &quot;q&quot;</D:displayname><C:calendar-description>line1&#13;&#10;line2</C:calendar-description>") });
    expect(res.status).toBe(207);
    const raw = await (await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" }, body: propfindBody(["D:displayname", "C:calendar-description"]) })).text();
    const doc = parseXml(raw);
    expect(doc.name).toBe(D("multistatus"));
    const r = parseMultistatus(raw).get(cal(u))!;
    expect(textOf(r.props.get(D("displayname"))!.element)).toBe('a <b> & ]]> "q"');
    expect(textOf(r.props.get(CAL("calendar-description"))!.element)).toBe("line1\r\nline2");
  });
});

describe("methods", () => {
  it("answers LOCK and UNLOCK with 405 and an Allow header, as a server without class 2 (RFC 4918 §18.1, RFC 9110 §15.5.6)", async () => {
    const u = await newUser("lock");
    await putOk(u, `${cal(u)}a.ics`, ics());
    for (const m of ["LOCK", "UNLOCK"]) {
      const res = await dav(m, `${cal(u)}a.ics`, { as: u, headers: { "Lock-Token": "<urn:uuid:x>" } });
      expect([405, 501], m).toContain(res.status);
      if (res.status === 405) expect(res.headers.get("allow") ?? "").toMatch(/PROPFIND/);
    }
  });

  it("refuses ACL with 403 since ACLs are fixed (RFC 3744 §8.1)", async () => {
    const u = await newUser("acl");
    const res = await dav("ACL", cal(u), { as: u, body: xmlBody("D:acl", "<D:ace><D:principal><D:all/></D:principal><D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace>") });
    expect(res.status).toBe(403);
    const again = await propfindOne(u, cal(u), ["D:acl"]);
    expect(again.props.get(D("acl"))!.status).toBe(200);
  });
});
