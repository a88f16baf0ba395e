// The If request header on calendar objects (RFC 4918 §10.4): a PUT or
// DELETE whose If header does not hold is 412 and changes nothing; one that
// holds goes through; a tagged list names its resource; a header that does
// not parse is 400; no state token is ever held (no locks), so a lock token
// alone fails and "Not <DAV:no-lock>" holds. And the dates: If-Modified-Since
// and If-Unmodified-Since on GET, If-Unmodified-Since on PUT and DELETE
// (RFC 9110 §13.1.3, §13.1.4, in the order of §13.2.2); and If-Match,
// If-None-Match and If-Unmodified-Since on PROPPATCH, PROPFIND, REPORT and
// MKCOL, whose handlers do not judge them (§13.1.1, §13.1.2).
import { describe, expect, it } from "vitest";
import { BASE, dav, propfindBody, type Creds } from "../helpers/dav-client.js";
import { cal, mkcolBody, newUser, proppatchBody, put, putOk } from "../helpers/caldav.js";
import event from "../fixtures/ics/rfc4791-b-event1.ics?raw";
import { MAX_IF_RESOURCES } from "../../src/dav/if-header.js";

const edited = event.replace(/SUMMARY:[^\r\n]*/, "SUMMARY:edited");

describe("If header on PUT and DELETE (RFC 4918 §10.4)", () => {
  it("a PUT whose If names another entity tag is 412 and leaves the object as it was", async () => {
    const u = await newUser("ifput");
    const path = `${cal(u)}if.ics`;
    const etag = await putOk(u, path, event);
    const res = await put(u, path, edited, { If: '(["not-the-etag"])' });
    expect(res.status).toBe(412);
    const now = await dav("GET", path, { as: u });
    expect(now.headers.get("etag")).toBe(etag);
    expect(await now.text()).not.toContain("SUMMARY:edited");
  });

  it("a PUT whose If names the current entity tag is stored", async () => {
    const u = await newUser("ifput2");
    const path = `${cal(u)}if.ics`;
    const etag = await putOk(u, path, event);
    const res = await put(u, path, edited, { If: `([${etag}])` });
    expect(res.status).toBe(204);
    expect(await (await dav("GET", path, { as: u })).text()).toContain("SUMMARY:edited");
  });

  it("any list may hold: a lock token (never held here) fails its list, Not <DAV:no-lock> holds", async () => {
    const u = await newUser("iftok");
    const path = `${cal(u)}if.ics`;
    const etag = await putOk(u, path, event);
    expect((await put(u, path, edited, { If: "(<opaquelocktoken:e71d4fae-5dec-22d6-fea5-00a0c91e6be4>)" })).status).toBe(412);
    expect((await put(u, path, edited, { If: `(<opaquelocktoken:e71d4fae-5dec-22d6-fea5-00a0c91e6be4> [${etag}]) (Not <DAV:no-lock> [${etag}])` })).status).toBe(204);
    expect((await put(u, `${cal(u)}new.ics`, event.replace(/UID:[^\r\n]*/, "UID:if-new@test"), { If: "(Not <DAV:no-lock>)" })).status).toBe(201);
  });

  it("(Not [etag]) on an absent resource holds, and the PUT creates it; on the resource with that tag it fails", async () => {
    const u = await newUser("ifnot");
    const path = `${cal(u)}if.ics`;
    expect((await put(u, path, event, { If: '(Not ["anything"])' })).status).toBe(201);
    const etag = (await dav("GET", path, { as: u })).headers.get("etag")!;
    expect((await put(u, path, edited, { If: `(Not [${etag}])` })).status).toBe(412);
  });

  it("a tagged list about the request-URI is judged on it; about an absent resource, on no entity tag", async () => {
    const u = await newUser("iftag");
    const path = `${cal(u)}if.ics`;
    const etag = await putOk(u, path, event);
    expect((await put(u, path, edited, { If: `<${BASE}${path}> (["stale"])` })).status).toBe(412);
    expect((await put(u, path, edited, { If: `<${path}> ([${etag}])` })).status).toBe(204);
    expect((await put(u, path, event, { If: `<${BASE}${cal(u)}absent.ics> ([${etag}])` })).status).toBe(412);
  });

  it("a DELETE whose If does not hold is 412 and deletes nothing; with the current tag it deletes", async () => {
    const u = await newUser("ifdel");
    const path = `${cal(u)}if.ics`;
    const etag = await putOk(u, path, event);
    expect((await dav("DELETE", path, { as: u, headers: { If: '(["stale"])' } })).status).toBe(412);
    expect((await dav("GET", path, { as: u })).status).toBe(200);
    expect((await dav("DELETE", path, { as: u, headers: { If: `([${etag}])` } })).status).toBe(204);
    expect((await dav("GET", path, { as: u })).status).toBe(404);
  });

  it("an If header that does not parse is 400 and changes nothing", async () => {
    const u = await newUser("ifbad");
    const path = `${cal(u)}if.ics`;
    const etag = await putOk(u, path, event);
    for (const bad of ["((", "(Not)", "<", '["x"]', "x".repeat(500)]) {
      const res = await put(u, path, edited, { If: bad });
      expect(res.status, bad.slice(0, 20)).toBe(400);
    }
    expect((await dav("GET", path, { as: u })).headers.get("etag")).toBe(etag);
  });

  it("an If header naming more than MAX_IF_RESOURCES other resources is 400 (each is a look-up)", async () => {
    const u = await newUser("ifmany");
    const path = `${cal(u)}if.ics`;
    await putOk(u, path, event);
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `<${cal(u)}other-${i}.ics> (["x"])`).join(" ");
    expect((await put(u, path, edited, { If: tags(MAX_IF_RESOURCES) })).status).toBe(412);
    expect((await put(u, path, edited, { If: tags(MAX_IF_RESOURCES + 1) })).status).toBe(400);
  });

  it("applies to reads too: a GET or PROPFIND whose If does not hold is 412", async () => {
    const u = await newUser("ifread");
    const path = `${cal(u)}if.ics`;
    const etag = await putOk(u, path, event);
    expect((await dav("GET", path, { as: u, headers: { If: '(["stale"])' } })).status).toBe(412);
    expect((await dav("GET", path, { as: u, headers: { If: `([${etag}])` } })).status).toBe(200);
    expect((await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1", If: "(<urn:uuid:no-such-lock>)" } })).status).toBe(412);
  });
});

describe("If-Modified-Since and If-Unmodified-Since (RFC 9110 §13.1.3, §13.1.4, §13.2.2)", () => {
  const DAY = 86_400_000;
  const date = (ms: number) => new Date(ms).toUTCString();

  it("a GET not modified since the date is 304; modified since, or with a date that is not one, 200", async () => {
    const u = await newUser("ims");
    const path = `${cal(u)}d.ics`;
    await putOk(u, path, event);
    const lm = (await dav("GET", path, { as: u })).headers.get("last-modified")!;
    const same = await dav("GET", path, { as: u, headers: { "If-Modified-Since": lm } });
    expect(same.status).toBe(304);
    expect(same.headers.get("etag")).toBeTruthy();
    expect((await dav("GET", path, { as: u, headers: { "If-Modified-Since": date(Date.parse(lm) - DAY) } })).status).toBe(200);
    expect((await dav("GET", path, { as: u, headers: { "If-Modified-Since": "yesterday" } })).status).toBe(200);
    // The obsolete forms a recipient must still read (RFC 9110 §5.6.7): RFC 850's and asctime's.
    const d = new Date(Date.parse(lm));
    const day = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][d.getUTCDay()]!;
    const mon = lm.slice(8, 11);
    const two = (n: number) => String(n).padStart(2, "0");
    const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
    const rfc850 = `${day}, ${two(d.getUTCDate())}-${mon}-${String(d.getUTCFullYear()).slice(2)} ${time} GMT`;
    const asctime = `${day.slice(0, 3)} ${mon} ${String(d.getUTCDate()).padStart(2, " ")} ${time} ${d.getUTCFullYear()}`;
    for (const form of [rfc850, asctime]) expect((await dav("GET", path, { as: u, headers: { "If-Modified-Since": form } })).status, form).toBe(304);
    // If-None-Match is evaluated instead when present (§13.1.3): a tag that does not match is a 200 whatever the date.
    expect((await dav("GET", path, { as: u, headers: { "If-Modified-Since": lm, "If-None-Match": '"other"' } })).status).toBe(200);
  });

  it("a GET modified since an If-Unmodified-Since date is 412, unless If-Match is there (§13.1.4)", async () => {
    const u = await newUser("ius");
    const path = `${cal(u)}d.ics`;
    const etag = await putOk(u, path, event);
    const lm = (await dav("GET", path, { as: u })).headers.get("last-modified")!;
    expect((await dav("GET", path, { as: u, headers: { "If-Unmodified-Since": date(Date.parse(lm) - DAY) } })).status).toBe(412);
    expect((await dav("GET", path, { as: u, headers: { "If-Unmodified-Since": lm } })).status).toBe(200);
    expect((await dav("GET", path, { as: u, headers: { "If-Unmodified-Since": date(Date.parse(lm) - DAY), "If-Match": etag } })).status).toBe(200);
  });

  it("a PUT or DELETE modified since an If-Unmodified-Since date is 412 and changes nothing; a later date lets it through", async () => {
    const u = await newUser("iusw");
    const path = `${cal(u)}d.ics`;
    const etag = await putOk(u, path, event);
    const lm = Date.parse((await dav("GET", path, { as: u })).headers.get("last-modified")!);
    expect((await put(u, path, edited, { "If-Unmodified-Since": date(lm - DAY) })).status).toBe(412);
    expect((await dav("DELETE", path, { as: u, headers: { "If-Unmodified-Since": date(lm - DAY) } })).status).toBe(412);
    expect((await dav("GET", path, { as: u })).headers.get("etag")).toBe(etag);
    expect((await put(u, path, edited, { "If-Unmodified-Since": date(lm + DAY) })).status).toBe(204);
    expect((await dav("DELETE", path, { as: u, headers: { "If-Unmodified-Since": date(lm + DAY) } })).status).toBe(204);
  });
});

describe("If-Match, If-None-Match and If-Unmodified-Since on the other methods (RFC 9110 §13.1.1, §13.1.2, §13.1.4)", () => {
  const dead = (v: string) => proppatchBody(`<X:note xmlns:X="urn:example:note">${v}</X:note>`);
  const noteOf = async (u: Creds, path: string) => (await dav("PROPFIND", path, { as: u, headers: { Depth: "0" }, body: propfindBody([]).replace("<D:prop></D:prop>", '<D:prop><X:note xmlns:X="urn:example:note"/></D:prop>') })).text();

  it("a PROPPATCH of an object under a stale If-Match is 412 and sets nothing; under the current one it sets", async () => {
    const u = await newUser("ifpp");
    const path = `${cal(u)}pp.ics`;
    const etag = await putOk(u, path, event);
    expect((await dav("PROPPATCH", path, { as: u, body: dead("stale"), headers: { "If-Match": '"stale"' } })).status).toBe(412);
    expect(await noteOf(u, path)).not.toContain("stale");
    expect((await dav("PROPPATCH", path, { as: u, body: dead("fresh"), headers: { "If-Match": etag } })).status).toBe(207);
    expect(await noteOf(u, path)).toContain("fresh");
  });

  it("a PROPPATCH of an object modified since its If-Unmodified-Since date is 412", async () => {
    const u = await newUser("ifppd");
    const path = `${cal(u)}pp.ics`;
    await putOk(u, path, event);
    const lm = Date.parse((await dav("GET", path, { as: u })).headers.get("last-modified")!);
    expect((await dav("PROPPATCH", path, { as: u, body: dead("x"), headers: { "If-Unmodified-Since": new Date(lm - 86_400_000).toUTCString() } })).status).toBe(412);
  });

  it("on a collection, If-Match: * holds and a tag does not (it has no entity tag); If-None-Match: * does not hold", async () => {
    const u = await newUser("ifcol");
    expect((await dav("PROPPATCH", cal(u), { as: u, body: dead("a"), headers: { "If-Match": "*" } })).status).toBe(207);
    expect((await dav("PROPPATCH", cal(u), { as: u, body: dead("b"), headers: { "If-Match": '"x"' } })).status).toBe(412);
    expect((await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1", "If-None-Match": "*" } })).status).toBe(412);
    expect((await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1", "If-Match": "*" } })).status).toBe(207);
  });

  it("a REPORT on an object whose ETag its If-None-Match names is 412 (not 304: that is for GET and HEAD)", async () => {
    const u = await newUser("ifrep");
    const path = `${cal(u)}r.ics`;
    const etag = await putOk(u, path, event);
    const body = `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><D:href>${path}</D:href></C:calendar-multiget>`;
    expect((await dav("REPORT", path, { as: u, body, headers: { Depth: "0", "If-None-Match": etag } })).status).toBe(412);
    expect((await dav("REPORT", path, { as: u, body, headers: { Depth: "0", "If-None-Match": '"other"' } })).status).toBe(207);
  });

  it("MKCOL with If-None-Match: * where a calendar already is, is 412; where none is, it creates", async () => {
    const u = await newUser("ifmk");
    expect((await dav("MKCOL", cal(u), { as: u, body: mkcolBody(""), headers: { "If-None-Match": "*" } })).status).toBe(412);
    expect((await dav("MKCOL", cal(u, "fresh"), { as: u, body: mkcolBody(""), headers: { "If-None-Match": "*" } })).status).toBe(201);
  });
});
