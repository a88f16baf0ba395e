// Delegation groups (CalendarServer calendar-proxy, as Apple Calendar's
// Delegation settings use it): each principal's calendar-proxy-read and
// calendar-proxy-write group principals, their DAV:group-member-set set by
// the owner alone with PROPPATCH (RFC 3744 §4.3), and on each delegate's
// principal DAV:group-membership (RFC 3744 §4.4) and
// CS:calendar-proxy-read-for / -write-for, also through expand-property
// (RFC 3253 §3.8) the way Apple sends it (README "Delegation").
import { describe, expect, it } from "vitest";
import forExpand from "../../fixtures/sharing/proxy-for-expand.xml?raw";
import membersExpand from "../../fixtures/sharing/proxy-members-expand.xml?raw";
import groupPropfind from "../../fixtures/sharing/proxy-principal-propfind.xml?raw";
import { dav, errorConditions, hrefText, multistatus, parseMultistatus, propfindBody, type Creds } from "../../helpers/dav-client.js";
import { CAL, CS, D, childNames, propText } from "../../helpers/caldav.js";
import { office, principalHref, proxyGroup, setMembers } from "../../helpers/delegation.js";
import { party } from "../../helpers/scheduling.js";
import { child, childElements, textOf, type XmlElement } from "../../../src/core/xml/tree.js";

/** The responses an expand-property nests in a property (RFC 3253 §3.8), with their 200 properties. */
function nested(prop: XmlElement): Array<{ href: string; props: Map<string, XmlElement> }> {
  return childElements(prop).filter((e) => e.name === D("response")).map((r) => {
    const props = new Map<string, XmlElement>();
    for (const ps of childElements(r).filter((e) => e.name === D("propstat")))
      if (textOf(child(ps, D("status"))!).includes(" 200 ")) for (const p of childElements(child(ps, D("prop"))!)) props.set(p.name, p);
    return { href: textOf(child(r, D("href"))!).trim(), props };
  });
}

async function propfind(as: Creds, path: string, body: string, depth = "0") {
  return multistatus(await dav("PROPFIND", path, { as, body, headers: { Depth: depth } }));
}

async function members(as: Creds, owner: Creds, kind: "read" | "write"): Promise<string[]> {
  const ms = await propfind(as, proxyGroup(owner, kind), groupPropfind);
  return hrefText(ms.get(proxyGroup(owner, kind))!.props.get(D("group-member-set"))!.element);
}

describe("proxy group principals", () => {
  it("are principals under the owner's principal with the CS resourcetype, principal-URL, the members and no membership; Depth 1 of the principal lists them", async () => {
    const o = await office();
    const ms = await propfind(o.stranger, proxyGroup(o.boss, "write"), groupPropfind);
    const g = ms.get(proxyGroup(o.boss, "write"))!;
    expect(childNames(g.props.get(D("resourcetype"))!.element)).toEqual([D("principal"), CS("calendar-proxy-write")]);
    expect(hrefText(g.props.get(D("principal-URL"))!.element)).toEqual([proxyGroup(o.boss, "write")]);
    expect(hrefText(g.props.get(D("group-member-set"))!.element)).toEqual([principalHref(o.writer)]);
    expect(hrefText(g.props.get(D("group-membership"))!.element)).toEqual([]);
    expect(propText(g, D("displayname"))).toContain("calendar-proxy-write");
    expect(await members(o.boss, o.boss, "read")).toEqual([principalHref(o.reader)]);

    const listed = await propfind(o.boss, principalHref(o.boss), groupPropfind, "1");
    expect([...listed.keys()].sort()).toEqual([principalHref(o.boss), proxyGroup(o.boss, "read"), proxyGroup(o.boss, "write")].sort());
    expect(childNames(listed.get(proxyGroup(o.boss, "read"))!.props.get(D("resourcetype"))!.element)).toContain(CS("calendar-proxy-read"));
  });

  it("the owner alone sets group-member-set: a delegate or a stranger gets 403 DAV:need-privileges and nothing changes", async () => {
    const o = await office();
    for (const who of [o.writer, o.reader, o.stranger]) {
      const res = await setMembers(who, o.boss, "write", [who]);
      expect(res.status, who.user).toBe(403);
      expect(await errorConditions(res)).toEqual([D("need-privileges")]);
    }
    expect(await members(o.boss, o.boss, "write")).toEqual([principalHref(o.writer)]);
  });

  it("refuses an href that is no principal of this server (403 DAV:recognized-principal), the owner itself and more than 100 members; nothing is stored", async () => {
    const o = await office();
    const unknown = await multistatus(await setMembers(o.boss, o.boss, "write", [o.reader, "/principals/nobody-at-all/"]));
    const p = unknown.get(proxyGroup(o.boss, "write"))!.props.get(D("group-member-set"))!;
    expect(p.status).toBe(403);
    expect(childNames(p.error)).toEqual([D("recognized-principal")]);
    const self = await multistatus(await setMembers(o.boss, o.boss, "write", [o.boss]));
    expect(self.get(proxyGroup(o.boss, "write"))!.props.get(D("group-member-set"))!.status).toBe(403);
    const many = await multistatus(await setMembers(o.boss, o.boss, "write", Array.from({ length: 101 }, (_, i) => `/principals/x${i}/`)));
    expect(many.get(proxyGroup(o.boss, "write"))!.props.get(D("group-member-set"))!.status).toBe(403);
    expect(await members(o.boss, o.boss, "write")).toEqual([principalHref(o.writer)]);
  });

  it("accepts a calendar-user address as a member, as sabre/dav does for mailto: hrefs", async () => {
    const o = await office();
    const extra = await party("extra");
    expect((await setMembers(o.boss, o.boss, "read", [o.reader, extra.address])).status).toBe(207);
    expect((await members(o.boss, o.boss, "read")).sort()).toEqual([principalHref(o.reader), principalHref(extra)].sort());
  });
});

describe("a delegate's principal", () => {
  it("lists the groups it is in (DAV:group-membership) and whom it is a delegate of (CS:calendar-proxy-write-for / -read-for)", async () => {
    const o = await office();
    const body = propfindBody(["D:group-membership", "CS:calendar-proxy-write-for", "CS:calendar-proxy-read-for"]);
    const w = (await propfind(o.writer, principalHref(o.writer), body)).get(principalHref(o.writer))!;
    expect(hrefText(w.props.get(D("group-membership"))!.element)).toEqual([proxyGroup(o.boss, "write")]);
    expect(hrefText(w.props.get(CS("calendar-proxy-write-for"))!.element)).toEqual([principalHref(o.boss)]);
    expect(hrefText(w.props.get(CS("calendar-proxy-read-for"))!.element)).toEqual([]);
    // Anyone may read a principal's delegation (principals are readable by every authenticated user, RFC 3744 §5.8).
    const r = (await propfind(o.stranger, principalHref(o.reader), body)).get(principalHref(o.reader))!;
    expect(hrefText(r.props.get(CS("calendar-proxy-read-for"))!.element)).toEqual([principalHref(o.boss)]);
    expect(hrefText(r.props.get(D("group-membership"))!.element)).toEqual([proxyGroup(o.boss, "read")]);
  });

  it("expand-property as Apple Calendar sends it names the boss with its displayname, addresses and principal-URL", async () => {
    const o = await office();
    const res = await dav("REPORT", principalHref(o.writer), { as: o.writer, body: forExpand, headers: { Depth: "0" } });
    const text = await res.text();
    expect(res.status, text).toBe(207);
    const me = parseMultistatus(text).get(principalHref(o.writer))!;
    const [b, ...more] = nested(me.props.get(CS("calendar-proxy-write-for"))!.element);
    expect(more).toEqual([]);
    expect(b!.href).toBe(principalHref(o.boss));
    expect(textOf(b!.props.get(D("displayname"))!).trim()).toBe(o.boss.user);
    expect(hrefText(b!.props.get(CAL("calendar-user-address-set")))).toContain(o.boss.address);
    expect(hrefText(b!.props.get(D("principal-URL")))).toEqual([principalHref(o.boss)]);
    expect(b!.props.get(CS("email-address-set"))).toBeDefined();
    expect(me.props.get(CS("calendar-proxy-read-for"))!.status).toBe(200);
  });

  it("expand-property of the group's group-member-set names each delegate", async () => {
    const o = await office();
    const res = await dav("REPORT", proxyGroup(o.boss, "write"), { as: o.boss, body: membersExpand, headers: { Depth: "0" } });
    const text = await res.text();
    expect(res.status, text).toBe(207);
    expect(text).toContain(`<D:href>${principalHref(o.writer)}</D:href>`);
    expect(text).toContain(o.writer.address);
  });

  it("loses the -for entry and the membership when the owner removes it", async () => {
    const o = await office();
    expect((await setMembers(o.boss, o.boss, "write", [])).status).toBe(207);
    const body = propfindBody(["D:group-membership", "CS:calendar-proxy-write-for"]);
    const w = (await propfind(o.writer, principalHref(o.writer), body)).get(principalHref(o.writer))!;
    expect(hrefText(w.props.get(CS("calendar-proxy-write-for"))!.element)).toEqual([]);
    expect(hrefText(w.props.get(D("group-membership"))!.element)).toEqual([]);
  });
});
