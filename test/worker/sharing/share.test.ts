// Calendar sharing as Apple Calendar and DAVx5 speak it (calendarserver-sharing):
// the owner's CS:share, the sharee's notification and CS:invite-reply, the
// shared calendar in the sharee's home with its properties, the owner's
// CS:invite, change and removal of an invitation. Owner, read-write sharee,
// read-only sharee and a stranger.
import { describe, expect, it } from "vitest";
import sharedPropfind from "../../fixtures/sharing/shared-calendar-propfind.xml?raw";
import { dav, multistatus, hrefText } from "../../helpers/dav-client.js";
import { CS, D, ICAL, CAL, childNames, privilegesOf, propText, propfindOne } from "../../helpers/caldav.js";
import { accept, answer, family, makeReadOnly, notifications, readInvite, shareBoth, sharedFamily, unshare } from "../../helpers/sharing.js";
import { childElements } from "../../../src/core/xml/tree.js";

describe("CS:share and the sharee's notification", () => {
  it("the owner's CS:share puts a CS:invite-notification in each sharee's notification collection (CS:notification-URL), listable and readable", async () => {
    const f = await family();
    const res = await shareBoth(f);
    expect(res.status, await res.clone().text()).toBe(200);

    const p = await propfindOne(f.rw, `/principals/${f.rw.user}/`, ["CS:notification-URL"]);
    expect(hrefText(p.props.get(CS("notification-URL"))!.element)).toEqual([`/calendars/${f.rw.user}/notification/`]);

    for (const [who, access] of [[f.rw, CS("read-write")], [f.ro, CS("read")]] as const) {
      const list = await notifications(who);
      expect(list).toHaveLength(1);
      expect(list[0]!.type).toEqual([CS("invite-notification")]);
      const inv = await readInvite(who, list[0]!.href);
      expect(inv.hosturl).toBe(f.calendar);
      expect(inv.access).toBe(access);
      expect(inv.body).toContain("<CS:invite-noresponse/>");
      expect(inv.body).toContain("Olga Owner");
    }
    expect(await notifications(f.owner)).toEqual([]);
    // Nobody reads another's notifications.
    expect((await dav("PROPFIND", `/calendars/${f.rw.user}/notification/`, { as: f.ro, headers: { Depth: "1" } })).status).toBe(404);
  });

  it("CS:invite on the owner's calendar lists the sharees with their access and answer; CS:allowed-sharing-modes says it can be shared", async () => {
    const f = await family();
    await shareBoth(f);
    await accept(f.rw);
    const r = await propfindOne(f.owner, f.calendar, ["CS:invite", "CS:allowed-sharing-modes", "D:resourcetype"]);
    const users = childElements(r.props.get(CS("invite"))!.element);
    const byHref = new Map(users.map((u) => [hrefText(u)[0], childNames(u)]));
    expect(byHref.get(`/principals/${f.rw.user}/`)).toEqual(expect.arrayContaining([CS("invite-accepted"), CS("access")]));
    expect(byHref.get(`/principals/${f.ro.user}/`)).toEqual(expect.arrayContaining([CS("invite-noresponse")]));
    expect(childNames(r.props.get(CS("allowed-sharing-modes"))!.element)).toEqual([CS("can-be-shared")]);
    expect(childNames(r.props.get(D("resourcetype"))!.element)).toEqual(expect.arrayContaining([CAL("calendar"), CS("shared-owner")]));
  });
});

describe("CS:invite-reply and the shared calendar in the sharee's home", () => {
  it("accepting answers CS:shared-as; the calendar appears in the sharee's home with the owner's name and colour, CS:shared-url and the sharee's privileges", async () => {
    const f = await sharedFamily();
    expect(f.rwUrl).toMatch(new RegExp(`^/calendars/${f.rw.user}/[^/]+/$`));
    expect(await notifications(f.rw), "the answered invitation is gone").toEqual([]);

    const res = await dav("PROPFIND", `/calendars/${f.rw.user}/`, { as: f.rw, headers: { Depth: "1" }, body: sharedPropfind });
    const ms = await multistatus(res);
    const r = ms.get(f.rwUrl)!;
    expect(r, `listed: ${[...ms.keys()].join(", ")}`).toBeDefined();
    expect(propText(r, D("displayname"))).toBe("Family");
    expect(propText(r, ICAL("calendar-color"))).toBe("#FF9500FF");
    expect(childNames(r.props.get(D("resourcetype"))!.element)).toEqual(expect.arrayContaining([D("collection"), CAL("calendar"), CS("shared")]));
    expect(hrefText(r.props.get(D("owner"))!.element)).toEqual([`/principals/${f.owner.user}/`]);
    expect(hrefText(r.props.get(CS("shared-url"))!.element)).toEqual([f.calendar]);
    expect(childNames(r.props.get(CS("allowed-sharing-modes"))!.element), "a sharee cannot share further").toEqual([]);
    expect(r.props.get(CS("invite"))!.status, "the sharees are the owner's business").toBe(404);
    expect(privilegesOf(r.props.get(D("current-user-privilege-set"))!.element)).toEqual(expect.arrayContaining([D("read"), D("write"), D("write-content"), D("bind")]));
    expect(ms.has(`/calendars/${f.rw.user}/notification/`), "the notification collection is listed too").toBe(true);

    const ro = await propfindOne(f.ro, f.roUrl, ["D:current-user-privilege-set", "D:acl"]);
    const roPrivs = privilegesOf(ro.props.get(D("current-user-privilege-set"))!.element);
    expect(roPrivs).toEqual(expect.arrayContaining([D("read"), CAL("read-free-busy")]));
    expect(roPrivs).not.toContain(D("write-content"));
    expect(roPrivs).not.toContain(D("bind"));

    // The owner's client sees the sync token and ctag it sees on its own calendar: it is one calendar.
    const own = await propfindOne(f.owner, f.calendar, ["D:sync-token", "CS:getctag"]);
    expect(propText(r, D("sync-token"))).toBe(propText(own, D("sync-token")));
    expect(propText(r, CS("getctag"))).toBe(propText(own, CS("getctag")));
  });

  it("a sharee's own displayname and colour override the owner's for itself only", async () => {
    const f = await sharedFamily();
    const patch = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Home</D:displayname><A:calendar-color>#00FF00FF</A:calendar-color></D:prop></D:set></D:propertyupdate>`;
    for (const [who, url] of [[f.ro, f.roUrl], [f.rw, f.rwUrl]] as const) {
      const res = await dav("PROPPATCH", url, { as: who, body: patch });
      expect(res.status).toBe(207);
      expect(await res.text()).toContain("200 OK");
    }
    const ro = await propfindOne(f.ro, f.roUrl, ["D:displayname", "A:calendar-color"]);
    expect(propText(ro, D("displayname"))).toBe("Home");
    expect(propText(ro, ICAL("calendar-color"))).toBe("#00FF00FF");
    const own = await propfindOne(f.owner, f.calendar, ["D:displayname", "A:calendar-color"]);
    expect(propText(own, D("displayname"))).toBe("Family");
    expect(propText(own, ICAL("calendar-color"))).toBe("#FF9500FF");
  });

  it("declining removes the notification and shows nothing in the sharee's home; the owner's CS:invite says declined", async () => {
    const f = await family();
    await shareBoth(f);
    expect((await answer(f.ro, false)).status).toBe(200);
    expect(await notifications(f.ro)).toEqual([]);
    const ms = await multistatus(await dav("PROPFIND", `/calendars/${f.ro.user}/`, { as: f.ro, headers: { Depth: "1" } }));
    expect([...ms.keys()].filter((h) => !/\/(calendar|tasks|inbox|outbox|notification)\/$/.test(h) && h !== `/calendars/${f.ro.user}/`)).toEqual([]);
    const r = await propfindOne(f.owner, f.calendar, ["CS:invite"]);
    expect(JSON.stringify(r.props.get(CS("invite"))!.element)).toContain("invite-declined");
  });

  it("sharing again with a sharee who declined invites it again: a new notification, no answer until it gives one, and it can accept", async () => {
    const f = await family();
    await shareBoth(f);
    expect((await answer(f.ro, false)).status).toBe(200);
    expect(await notifications(f.ro)).toEqual([]);
    expect((await shareBoth(f)).status).toBe(200);
    const again = await notifications(f.ro);
    expect(again, "invited again").toHaveLength(1);
    expect((await readInvite(f.ro, again[0]!.href)).body).toContain("<CS:invite-noresponse/>");
    const r = await propfindOne(f.owner, f.calendar, ["CS:invite"]);
    const invite = JSON.stringify(r.props.get(CS("invite"))!.element);
    expect(invite).not.toContain("invite-declined");
    expect(invite).toContain("invite-noresponse");
    const sharedAs = await accept(f.ro);
    expect((await dav("PROPFIND", sharedAs, { as: f.ro, headers: { Depth: "0" } })).status).toBe(207);
  });

  it("an answer to an invitation that does not exist is 404; an answer for another's calendar by a stranger is 404", async () => {
    const f = await family();
    await shareBoth(f);
    const [n] = await notifications(f.rw);
    const inv = await readInvite(f.rw, n!.href);
    const body = (await import("../../fixtures/sharing/invite-reply-accept.xml?raw")).default
      .replace("{{HOSTURL}}", inv.hosturl).replace("{{UID}}", inv.uid).replace("{{SHAREE}}", "x@example.com");
    const res = await dav("POST", `/calendars/${f.stranger.user}/`, { as: f.stranger, body, headers: { "Content-Type": "application/xml" } });
    expect(res.status).toBe(404);
    const wrongUid = await dav("POST", `/calendars/${f.rw.user}/`, { as: f.rw, body: body.replace(inv.uid, "nope"), headers: { "Content-Type": "application/xml" } });
    expect(wrongUid.status).toBe(404);
  });
});

describe("changing and removing an invitation", () => {
  it("unsharing removes the calendar from the sharee's home (404 there, gone from its listing)", async () => {
    const f = await sharedFamily();
    expect((await unshare(f, f.rw)).status).toBe(200);
    expect((await dav("PROPFIND", f.rwUrl, { as: f.rw, headers: { Depth: "0" } })).status).toBe(404);
    const ms = await multistatus(await dav("PROPFIND", `/calendars/${f.rw.user}/`, { as: f.rw, headers: { Depth: "1" } }));
    expect(ms.has(f.rwUrl)).toBe(false);
    const r = await propfindOne(f.owner, f.calendar, ["CS:invite"]);
    expect(hrefText(childElements(r.props.get(CS("invite"))!.element)[0]!)).toEqual([`/principals/${f.ro.user}/`]);
    // The other sharee keeps it.
    expect((await dav("PROPFIND", f.roUrl, { as: f.ro, headers: { Depth: "0" } })).status).toBe(207);
  });

  it("changing read-write to read takes effect at once: the next write is refused", async () => {
    const f = await sharedFamily();
    expect((await makeReadOnly(f, f.rw)).status).toBe(200);
    const res = await dav("PUT", `${f.rwUrl}after-change.ics`, { as: f.rw, body: (await import("../../helpers/caldav.js")).ics() });
    expect(res.status).toBe(403);
  });

  it("a sharee deleting the shared calendar leaves it: the owner's calendar and data stay", async () => {
    const f = await sharedFamily();
    expect((await dav("DELETE", f.rwUrl, { as: f.rw })).status).toBe(204);
    expect((await dav("PROPFIND", f.rwUrl, { as: f.rw, headers: { Depth: "0" } })).status).toBe(404);
    expect((await dav("PROPFIND", f.calendar, { as: f.owner, headers: { Depth: "0" } })).status).toBe(207);
  });
});
