// What delegates may do at the delegator's own URLs (calendar-proxy with
// RFC 3744): the boss's home decides on every request from its proxy groups.
// A read delegate reads, queries and syncs the boss's calendars and every
// write is 403 DAV:need-privileges; a write delegate also writes objects,
// which move the boss's sync token; neither creates or removes calendars
// nor sees the boss's inbox, outbox or notifications; removal from a group
// is 404 at once; a stranger still sees nothing (README "Delegation").
import { describe, expect, it } from "vitest";
import homePropfind from "../../fixtures/sharing/delegate-home-propfind.xml?raw";
import { dav, errorConditions, hrefText, multistatus, propfindBody, type Creds } from "../../helpers/dav-client.js";
import { D, home, ics, mkcalendar, privilegesOf, propText, propfindOne, proppatchBody, putOk } from "../../helpers/caldav.js";
import { calendarQueryBody, compFilter, multigetBody, report, syncBody } from "../../helpers/reports.js";
import { office, proxyGroup, setMembers } from "../../helpers/delegation.js";

const syncToken = async (who: Creds, url: string) => propText(await propfindOne(who, url, ["D:sync-token"]), D("sync-token"));

async function privileges(who: Creds, url: string): Promise<string[]> {
  const r = await propfindOne(who, url, ["D:current-user-privilege-set"]);
  return privilegesOf(r.props.get(D("current-user-privilege-set"))!.element);
}

describe("a delegate sees the boss's calendars at the boss's URLs", () => {
  it("PROPFIND Depth 1 of the boss's home lists its calendars only, with Apple's properties; the home is read-only to either delegate", async () => {
    const o = await office();
    await putOk(o.boss, `${o.calendar}a.ics`, ics({ summary: "Board meeting" }));
    for (const who of [o.writer, o.reader]) {
      const ms = await multistatus(await dav("PROPFIND", home(o.boss), { as: who, headers: { Depth: "1" }, body: homePropfind }));
      // The calendars (the default calendar and task list), not the inbox, outbox or notifications.
      expect([...ms.keys()].sort(), who.user).toEqual([home(o.boss), o.calendar, `${home(o.boss)}tasks/`].sort());
      const h = ms.get(home(o.boss))!;
      const homePrivs = privilegesOf(h.props.get(D("current-user-privilege-set"))!.element);
      expect(homePrivs).toContain(D("read"));
      expect(homePrivs).not.toContain(D("bind"));
      expect(hrefText(ms.get(o.calendar)!.props.get(D("owner"))!.element)).toEqual([`/principals/${o.boss.user}/`]);
    }
    const listing = await multistatus(await dav("PROPFIND", o.calendar, { as: o.reader, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) }));
    expect(listing.has(`${o.calendar}a.ics`)).toBe(true);
  });

  it("the read delegate reads by GET, calendar-query, multiget and sync-collection", async () => {
    const o = await office();
    const token = await syncToken(o.reader, o.calendar);
    const etag = await putOk(o.boss, `${o.calendar}trip.ics`, ics({ summary: "Trip", start: "20260310T170000Z", end: "20260310T180000Z" }));
    const get = await dav("GET", `${o.calendar}trip.ics`, { as: o.reader });
    expect(get.status).toBe(200);
    expect(get.headers.get("etag")).toBe(etag);
    expect(await get.text()).toContain("SUMMARY:Trip");
    const sync = await multistatus(await report(o.reader, o.calendar, syncBody(token), "0"));
    expect([...sync.keys()]).toEqual([`${o.calendar}trip.ics`]);
    const query = await multistatus(await report(o.reader, o.calendar, calendarQueryBody(compFilter("VEVENT", "20260310T000000Z", "20260311T000000Z"))));
    expect([...query.keys()]).toEqual([`${o.calendar}trip.ics`]);
    const mg = await multistatus(await report(o.reader, o.calendar, multigetBody([`${o.calendar}trip.ics`])));
    expect(mg.get(`${o.calendar}trip.ics`)?.props.get(D("getetag"))?.status).toBe(200);
  });

  it("the boss's inbox, outbox and notifications stay the boss's: 404 to delegates", async () => {
    const o = await office();
    for (const c of ["inbox", "outbox", "notification"])
      expect((await dav("PROPFIND", `${home(o.boss)}${c}/`, { as: o.writer, headers: { Depth: "0" } })).status, c).toBe(404);
  });
});

describe("a read delegate cannot write (RFC 3744 §7.1.1)", () => {
  it("PUT, overwrite, DELETE and PROPPATCH are 403 DAV:need-privileges, and the boss's calendar does not change", async () => {
    const o = await office();
    await putOk(o.boss, `${o.calendar}keep.ics`, ics({ summary: "Keep" }));
    const token = await syncToken(o.boss, o.calendar);
    for (const res of [
      await dav("PUT", `${o.calendar}new.ics`, { as: o.reader, body: ics() }),
      await dav("PUT", `${o.calendar}keep.ics`, { as: o.reader, body: ics({ summary: "Changed" }) }),
      await dav("DELETE", `${o.calendar}keep.ics`, { as: o.reader }),
      await dav("PROPPATCH", `${o.calendar}keep.ics`, { as: o.reader, body: proppatchBody("<D:displayname>x</D:displayname>") }),
    ]) {
      expect(res.status).toBe(403);
      expect(await errorConditions(res)).toEqual([D("need-privileges")]);
    }
    expect(await syncToken(o.boss, o.calendar)).toBe(token);
    expect(await privileges(o.reader, o.calendar)).not.toContain(D("write"));
  });
});

describe("a write delegate writes through the boss's home", () => {
  it("its PUT is in the boss's calendar and moves the boss's sync token; it overwrites, PROPPATCHes and deletes objects", async () => {
    const o = await office();
    const before = await syncToken(o.boss, o.calendar);
    const etag = await putOk(o.writer, `${o.calendar}lunch.ics`, ics({ uid: "lunch@office.test", summary: "Lunch" }));
    expect(await syncToken(o.boss, o.calendar)).not.toBe(before);
    const get = await dav("GET", `${o.calendar}lunch.ics`, { as: o.boss });
    expect(get.headers.get("etag")).toBe(etag);
    const again = await dav("PUT", `${o.calendar}lunch.ics`, { as: o.writer, body: ics({ uid: "lunch@office.test", summary: "Lunch moved" }), headers: { "If-Match": etag } });
    expect(again.status, await again.clone().text()).toBe(204);
    const patch = await dav("PROPPATCH", `${o.calendar}lunch.ics`, { as: o.writer, body: proppatchBody("<D:displayname>Lunch</D:displayname>") });
    expect(patch.status).toBe(207);
    expect(propText(await propfindOne(o.boss, `${o.calendar}lunch.ics`, ["D:displayname"]), D("displayname"))).toBe("Lunch");
    expect((await dav("DELETE", `${o.calendar}lunch.ics`, { as: o.writer })).status).toBe(204);
    expect((await dav("GET", `${o.calendar}lunch.ics`, { as: o.boss })).status).toBe(404);
    expect(await privileges(o.writer, o.calendar)).toEqual(expect.arrayContaining([D("read"), D("write"), D("write-content"), D("bind"), D("unbind")]));
  });

  it("creates, deletes, copies or moves no calendar of the boss's (403), and nothing of its own changes", async () => {
    const o = await office();
    expect((await mkcalendar(o.writer, `${home(o.boss)}extra/`)).status).toBe(403);
    const del = await dav("DELETE", o.calendar, { as: o.writer });
    expect(del.status).toBe(403);
    expect(await errorConditions(del)).toEqual([D("need-privileges")]);
    expect((await dav("PROPFIND", o.calendar, { as: o.boss, headers: { Depth: "0" } })).status).toBe(207);
    expect((await dav("PROPFIND", `/calendars/${o.writer.user}/calendar/`, { as: o.writer, headers: { Depth: "0" } })).status, "the delegate's own calendar of that name stays").toBe(207);
    await putOk(o.boss, `${o.calendar}m.ics`, ics());
    const move = await dav("MOVE", `${o.calendar}m.ics`, { as: o.writer, headers: { Destination: `/calendars/${o.writer.user}/calendar/m.ics` } });
    expect(move.status).toBe(403);
  });
});

describe("revocation and strangers", () => {
  it("removing the delegate from the group takes effect at once: 404 on the next read, its write refused", async () => {
    const o = await office();
    await putOk(o.boss, `${o.calendar}x.ics`, ics());
    // Read twice first: nothing a delegate was answered is kept and replayed (dav/answer-cache.ts keeps owners' answers only).
    for (let i = 0; i < 2; i++) expect((await dav("PROPFIND", o.calendar, { as: o.writer, headers: { Depth: "1" } })).status).toBe(207);
    expect((await setMembers(o.boss, o.boss, "write", [])).status).toBe(207);
    expect((await dav("PROPFIND", o.calendar, { as: o.writer, headers: { Depth: "1" } })).status).toBe(404);
    expect((await dav("PROPFIND", home(o.boss), { as: o.writer, headers: { Depth: "0" } })).status).toBe(404);
    expect((await dav("GET", `${o.calendar}x.ics`, { as: o.writer })).status).toBe(404);
    expect((await dav("DELETE", `${o.calendar}x.ics`, { as: o.writer })).status).toBe(404);
    expect((await dav("PUT", `${o.calendar}y.ics`, { as: o.writer, body: ics() })).status).toBe(403);
    expect((await dav("GET", `${o.calendar}x.ics`, { as: o.boss })).status).toBe(200);
  });

  it("a stranger gets 404 on the boss's home, calendar, objects and reports, and 403 on PUT as before", async () => {
    const o = await office();
    await putOk(o.boss, `${o.calendar}x.ics`, ics());
    expect((await dav("PROPFIND", home(o.boss), { as: o.stranger, headers: { Depth: "1" } })).status).toBe(404);
    expect((await dav("PROPFIND", o.calendar, { as: o.stranger, headers: { Depth: "1" } })).status).toBe(404);
    expect((await dav("GET", `${o.calendar}x.ics`, { as: o.stranger })).status).toBe(404);
    expect((await dav("DELETE", `${o.calendar}x.ics`, { as: o.stranger })).status).toBe(404);
    expect((await report(o.stranger, o.calendar, syncBody(""), "0")).status).toBe(404);
    const put = await dav("PUT", `${o.calendar}y.ics`, { as: o.stranger, body: ics() });
    expect(put.status).toBe(403);
    expect(await errorConditions(put)).toEqual([D("need-privileges")]);
    expect((await dav("GET", `${o.calendar}y.ics`, { as: o.boss })).status).toBe(404);
  });
});

describe("ACLs tell the truth (RFC 3744 §5.4, §5.5)", () => {
  it("current-user-privilege-set for the boss, each delegate and a stranger; DAV:acl grants the proxy groups", async () => {
    const o = await office();
    await putOk(o.boss, `${o.calendar}x.ics`, ics());
    const obj = `${o.calendar}x.ics`;
    expect(await privileges(o.boss, o.calendar)).toContain(D("bind"));
    expect(await privileges(o.writer, obj)).toEqual(expect.arrayContaining([D("read"), D("write-content")]));
    expect(await privileges(o.reader, obj)).toEqual(expect.arrayContaining([D("read")]));
    expect(await privileges(o.reader, obj)).not.toContain(D("write-content"));
    expect((await dav("PROPFIND", obj, { as: o.stranger, headers: { Depth: "0" }, body: propfindBody(["D:current-user-privilege-set"]) })).status).toBe(404);

    for (const url of [home(o.boss), o.calendar, obj]) {
      const r = await propfindOne(o.boss, url, ["D:acl"]);
      const text = JSON.stringify(r.props.get(D("acl"))!.element);
      expect(text, url).toContain(proxyGroup(o.boss, "read"));
      expect(text, url).toContain(proxyGroup(o.boss, "write"));
    }
    const calAcl = (await propfindOne(o.writer, o.calendar, ["D:acl"])).props.get(D("acl"))!.element;
    const aces = calAcl.children.filter((c) => typeof c !== "string" && c.name === D("ace")) as Array<import("../../../src/core/xml/tree.js").XmlElement>;
    const grantOf = (group: string) => {
      const ace = aces.find((a) => JSON.stringify(a).includes(group))!;
      const grant = ace.children.find((c) => typeof c !== "string" && c.name === D("grant")) as import("../../../src/core/xml/tree.js").XmlElement;
      return privilegesOf(grant);
    };
    expect(grantOf(proxyGroup(o.boss, "write")).sort()).toEqual([D("read"), D("write")].sort());
    expect(grantOf(proxyGroup(o.boss, "read"))).toEqual([D("read")]);
  });
});
