// Principal reports end to end: DAV:expand-property (RFC 3253 §3.8) as
// Apple clients use it during discovery, DAV:principal-property-search
// (RFC 3744 §9.4, with the calendarserver test="anyof" extension and
// apply-to-principal-collection-set), DAV:principal-search-property-set
// (§9.5) and DAV:principal-match (§9.3, RFC 4791 §8.4).
import { describe, expect, it } from "vitest";
import { parseXml } from "../../../src/core/xml/parse.js";
import { child, childElements, textOf, type XmlElement } from "../../../src/core/xml/tree.js";
import { CAL, D, cal, home, ics, newUser, principal, propText, putOk, rnd } from "../../helpers/caldav.js";
import { hrefText, parseMultistatus, type Creds, type ResponseResult } from "../../helpers/dav-client.js";
import { multistatusOf, report } from "../../helpers/reports.js";

const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

/** The DAV:response elements inside an expanded property value, parsed like a multistatus. */
function expandedResponses(value: XmlElement): Map<string, ResponseResult> {
  const responses = childElements(value).filter((e) => e.name === D("response"));
  // Re-serialise through a synthetic multistatus so the shared parser can read them.
  const doc = { name: D("multistatus"), attrs: {}, children: responses } as unknown as XmlElement;
  return parseMultistatus(serialize(doc));
}

function serialize(e: XmlElement): string {
  const local = (n: string) => n.replace(/^\{[^}]*\}/, "");
  const ns = (n: string) => /^\{([^}]*)\}/.exec(n)?.[1] ?? "";
  const inner = e.children.map((c) => (typeof c === "string" ? c.replace(/&/g, "&amp;").replace(/</g, "&lt;") : serialize(c))).join("");
  return `<${local(e.name)} xmlns="${ns(e.name)}">${inner}</${local(e.name)}>`;
}

async function searchPrincipals(u: Creds, body: string, path = "/principals/", depth = "0") {
  return (await multistatusOf(await report(u, path, body, depth))).responses;
}

/** Principal searches read an eventually consistent mirror: retry briefly until the expected set shows up. */
async function eventually<T>(f: () => Promise<T>, ok: (v: T) => boolean, tries = 40): Promise<T> {
  let v = await f();
  for (let i = 0; i < tries && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await f();
  }
  return v;
}

const searchBody = (searches: Array<[string, string]>, opts: { test?: string; prop?: string; apply?: boolean } = {}) =>
  `<D:principal-property-search ${NS}${opts.test ? ` test="${opts.test}"` : ""}>` +
  searches.map(([prop, match]) => `<D:property-search><D:prop>${prop}</D:prop><D:match>${match}</D:match></D:property-search>`).join("") +
  `<D:prop>${opts.prop ?? "<D:displayname/><C:calendar-home-set/>"}</D:prop>${opts.apply ? "<D:apply-to-principal-collection-set/>" : ""}</D:principal-property-search>`;

async function people() {
  const tag = rnd();
  const alpha = await newUser("pps", { name: `Quokka-${tag} Alpha`, emails: [`alpha-${tag}@example.com`] });
  const beta = await newUser("pps", { name: `Quokka-${tag} Beta`, emails: [`beta-${tag}@example.org`, `b2-${tag}@example.net`] });
  const gamma = await newUser("pps", { name: `Wombat-${tag} Gamma`, emails: [`gamma-${tag}@example.com`] });
  return { tag, alpha, beta, gamma };
}

describe("DAV:expand-property (RFC 3253 §3.8)", () => {
  it("answers Apple's discovery request on the principal: addresses as hrefs, principal-URL expanded into a response with displayname", async () => {
    const u = await newUser("expand", { name: "Expanded Person", emails: ["expanded@example.com"] });
    const body = `<D:expand-property ${NS}><D:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/><D:property name="principal-URL"><D:property name="displayname"/></D:property></D:expand-property>`;
    const r = (await multistatusOf(await report(u, principal(u), body, "0"))).responses;
    expect([...r.keys()]).toEqual([principal(u)]);
    const p = r.get(principal(u))!;
    expect(hrefText(p.props.get(CAL("calendar-user-address-set"))!.element)).toContain("mailto:expanded@example.com");
    const url = p.props.get(D("principal-URL"))!;
    expect(url.status).toBe(200);
    const inner = expandedResponses(url.element);
    expect([...inner.keys()]).toEqual([principal(u)]);
    expect(propText(inner.get(principal(u))!, D("displayname"))).toBe("Expanded Person");
  });

  it("expands calendar-home-set into the home's response, and a calendar's owner into the owner's displayname and addresses", async () => {
    const u = await newUser("expand", { name: "Home Owner" });
    const homeBody = `<D:expand-property ${NS}><D:property name="calendar-home-set" namespace="urn:ietf:params:xml:ns:caldav"><D:property name="resourcetype"/><D:property name="displayname"/></D:property></D:expand-property>`;
    const r = (await multistatusOf(await report(u, principal(u), homeBody, "0"))).responses;
    const homeSet = expandedResponses(r.get(principal(u))!.props.get(CAL("calendar-home-set"))!.element);
    expect([...homeSet.keys()]).toEqual([home(u)]);
    expect(homeSet.get(home(u))!.props.get(D("resourcetype"))!.status).toBe(200);

    const ownerBody = `<D:expand-property ${NS}><D:property name="owner"><D:property name="displayname"/><D:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/></D:property></D:expand-property>`;
    const o = (await multistatusOf(await report(u, cal(u), ownerBody, "0"))).responses;
    const owner = expandedResponses(o.get(cal(u))!.props.get(D("owner"))!.element);
    expect([...owner.keys()]).toEqual([principal(u)]);
    expect(propText(owner.get(principal(u))!, D("displayname"))).toBe("Home Owner");
    expect(hrefText(owner.get(principal(u))!.props.get(CAL("calendar-user-address-set"))!.element)).toContain(`mailto:${u.user}@example.com`);
  });

  it("answers a property the resource does not have with a 404 propstat", async () => {
    const u = await newUser("expand");
    const body = `<D:expand-property ${NS}><D:property name="displayname"/><D:property name="no-such-thing" namespace="urn:example:x"/></D:expand-property>`;
    const r = (await multistatusOf(await report(u, principal(u), body, "0"))).responses.get(principal(u))!;
    expect(r.props.get("{urn:example:x}no-such-thing")!.status).toBe(404);
    expect(r.props.get(D("displayname"))!.status).toBe(200);
  });
});

describe("DAV:principal-property-search (RFC 3744 §9.4)", () => {
  it("finds principals by a caseless displayname substring and reports the requested properties", async () => {
    const { tag, alpha, beta } = await people();
    const r = await eventually(() => searchPrincipals(alpha, searchBody([["<D:displayname/>", `QUOKKA-${tag.toUpperCase()}`]])), (m) => m.size >= 2);
    expect([...r.keys()].sort()).toEqual([principal(alpha), principal(beta)].sort());
    expect(propText(r.get(principal(beta))!, D("displayname"))).toBe(`Quokka-${tag} Beta`);
    expect(hrefText(r.get(principal(beta))!.props.get(CAL("calendar-home-set"))!.element)).toEqual([home(beta)]);
    const one = await searchPrincipals(alpha, searchBody([["<D:displayname/>", `${tag} alph`]]));
    expect([...one.keys()]).toEqual([principal(alpha)]);
  });

  it("finds principals by calendar-user-address-set, full address or substring", async () => {
    const { tag, alpha, beta } = await people();
    const r = await eventually(() => searchPrincipals(alpha, searchBody([["<C:calendar-user-address-set/>", `mailto:b2-${tag}@example.net`]])), (m) => m.size >= 1);
    expect([...r.keys()]).toEqual([principal(beta)]);
    const sub = await searchPrincipals(alpha, searchBody([["<C:calendar-user-address-set/>", `alpha-${tag}@`]]));
    expect([...sub.keys()]).toEqual([principal(alpha)]);
  });

  it("combines several property-search elements with AND by default and with OR under test='anyof'", async () => {
    const { tag, alpha, beta, gamma } = await people();
    const searches: Array<[string, string]> = [["<D:displayname/>", `quokka-${tag}`], ["<C:calendar-user-address-set/>", `${tag}@example.org`]];
    await eventually(() => searchPrincipals(alpha, searchBody([["<D:displayname/>", tag]])), (m) => m.size >= 3);
    expect([...(await searchPrincipals(alpha, searchBody(searches))).keys()]).toEqual([principal(beta)]);
    expect([...(await searchPrincipals(alpha, searchBody(searches, { test: "allof" }))).keys()]).toEqual([principal(beta)]);
    const anyof: Array<[string, string]> = [["<D:displayname/>", `quokka-${tag} alpha`], ["<C:calendar-user-address-set/>", `gamma-${tag}@`]];
    expect([...(await searchPrincipals(alpha, searchBody(anyof, { test: "anyof" }))).keys()].sort()).toEqual([principal(alpha), principal(gamma)].sort());
    expect((await searchPrincipals(alpha, searchBody(anyof))).size).toBe(0);
  });

  it("reads several properties inside one DAV:prop as a logical AND (§9.4)", async () => {
    const { tag, alpha } = await people();
    await eventually(() => searchPrincipals(alpha, searchBody([["<D:displayname/>", tag]])), (m) => m.size >= 3);
    // "Wombat-<tag>" is in Gamma's displayname but in nobody's address: AND over both properties matches no one.
    const r = await searchPrincipals(alpha, searchBody([["<D:displayname/><C:calendar-user-address-set/>", `wombat-${tag}`]]));
    expect([...r.keys()]).toEqual([]);
    // "gamma-<tag>" is in Gamma's address but not in the displayname "Wombat-<tag> Gamma": no one either.
    const r2 = await searchPrincipals(alpha, searchBody([["<D:displayname/><C:calendar-user-address-set/>", `gamma-${tag}`]]));
    expect([...r2.keys()]).toEqual([]);
  });

  it("searches the principal collection from any resource with apply-to-principal-collection-set", async () => {
    const { tag, alpha, beta } = await people();
    const r = await eventually(() => searchPrincipals(alpha, searchBody([["<D:displayname/>", `quokka-${tag}`]], { apply: true }), cal(alpha)), (m) => m.size >= 2);
    expect([...r.keys()].sort()).toEqual([principal(alpha), principal(beta)].sort());
  });

  it("matches nobody for a string no principal has, with an empty multistatus", async () => {
    const u = await newUser("pps");
    const r = await searchPrincipals(u, searchBody([["<D:displayname/>", `nobody-is-called-${rnd()}`]]));
    expect(r.size).toBe(0);
  });
});

describe("DAV:principal-search-property-set (RFC 3744 §9.5)", () => {
  it("lists displayname and calendar-user-address-set as searchable, each with an xml:lang description", async () => {
    const u = await newUser("psps");
    const res = await report(u, "/principals/", `<D:principal-search-property-set xmlns:D="DAV:"/>`, "0");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/xml/);
    const doc = parseXml(await res.text());
    expect(doc.name).toBe(D("principal-search-property-set"));
    const props = childElements(doc).map((psp) => {
      expect(psp.name).toBe(D("principal-search-property"));
      const desc = child(psp, D("description"))!;
      expect(textOf(desc).trim().length).toBeGreaterThan(0);
      expect(desc.attrs["{http://www.w3.org/XML/1998/namespace}lang"] ?? desc.attrs["xml:lang"]).toBeTruthy();
      const names = childElements(child(psp, D("prop"))!).map((p) => p.name);
      expect(names).toHaveLength(1);
      return names[0];
    });
    expect(props).toContain(D("displayname"));
    expect(props).toContain(CAL("calendar-user-address-set"));
  });
});

describe("DAV:principal-match (RFC 3744 §9.3, RFC 4791 §8.4)", () => {
  it("finds the current user's principal with DAV:self on the principal collection, with calendar-home-set", async () => {
    const u = await newUser("pmatch");
    const body = `<D:principal-match ${NS}><D:self/><D:prop><C:calendar-home-set/><D:displayname/></D:prop></D:principal-match>`;
    const r = (await multistatusOf(await report(u, "/principals/", body, "0"))).responses;
    expect([...r.keys()]).toEqual([principal(u)]);
    expect(hrefText(r.get(principal(u))!.props.get(CAL("calendar-home-set"))!.element)).toEqual([home(u)]);
  });

  it("finds the resources of a collection owned by the current user with principal-property DAV:owner", async () => {
    const u = await newUser("pmatch");
    const body = `<D:principal-match ${NS}><D:principal-property><D:owner/></D:principal-property><D:prop><D:displayname/></D:prop></D:principal-match>`;
    const r = (await multistatusOf(await report(u, home(u), body, "0"))).responses;
    expect([...r.keys()]).toEqual(expect.arrayContaining([cal(u), cal(u, "tasks")]));
    for (const href of r.keys()) expect(href.startsWith(home(u)), href).toBe(true);
  });

  it("reports owned members at any depth: calendar objects inside the home's calendars too (§9.3)", async () => {
    const u = await newUser("pmatch");
    await putOk(u, `${cal(u)}mine.ics`, ics());
    const body = `<D:principal-match ${NS}><D:principal-property><D:owner/></D:principal-property></D:principal-match>`;
    const r = (await multistatusOf(await report(u, home(u), body, "0"))).responses;
    expect([...r.keys()]).toEqual(expect.arrayContaining([cal(u), `${cal(u)}mine.ics`]));
  });
});

describe("Depth on principal reports (RFC 3744 §9.3-§9.5: only Depth 0 is defined)", () => {
  it("answers 400 to principal-match, principal-property-search and principal-search-property-set with Depth 1", async () => {
    const u = await newUser("pdepth");
    const bodies = [
      `<D:principal-match ${NS}><D:self/></D:principal-match>`,
      searchBody([["<D:displayname/>", u.user]]),
      `<D:principal-search-property-set xmlns:D="DAV:"/>`,
    ];
    for (const body of bodies) {
      const res = await report(u, "/principals/", body, "1");
      expect(res.status, body.slice(0, 40)).toBe(400);
    }
  });
});
