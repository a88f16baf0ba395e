// What sharees may do, enforced on every path they can reach (RFC 3744 with
// calendarserver-sharing): a read-write sharee's writes land in the owner's
// home (its ETags and sync tokens: one calendar for every member); a
// read-only sharee reads, queries and syncs but every write is 403
// DAV:need-privileges; a stranger sees nothing (404); a sharee cannot share
// further; nothing is copied or moved across homes.
import { describe, expect, it } from "vitest";
import { dav, errorConditions, multistatus } from "../../helpers/dav-client.js";
import { CS, D, ics, propText, propfindOne, putOk } from "../../helpers/caldav.js";
import { calendarQueryBody, compFilter, report } from "../../helpers/reports.js";
import { email, fill, postXml, sharedFamily } from "../../helpers/sharing.js";
import shareSet from "../../fixtures/sharing/share-set.xml?raw";

const syncBody = (token: string) =>
  `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;

async function syncToken(who: Parameters<typeof propfindOne>[0], url: string): Promise<string> {
  return propText(await propfindOne(who, url, ["D:sync-token"]), D("sync-token"));
}

describe("a read-write sharee writes through the owner's home", () => {
  it("a PUT by the sharee is in the owner's calendar with the same ETag; the owner's sync token moves and its sync-collection reports it", async () => {
    const f = await sharedFamily();
    const before = await syncToken(f.owner, f.calendar);
    const etag = await putOk(f.rw, `${f.rwUrl}dinner.ics`, ics({ summary: "Dinner" }));
    const after = await syncToken(f.owner, f.calendar);
    expect(after).not.toBe(before);
    const get = await dav("GET", `${f.calendar}dinner.ics`, { as: f.owner });
    expect(get.status).toBe(200);
    expect(get.headers.get("etag")).toBe(etag);
    expect(await get.text()).toContain("SUMMARY:Dinner");

    const sync = await report(f.owner, f.calendar, syncBody(before), "0");
    const ms = await multistatus(sync);
    expect(ms.get(`${f.calendar}dinner.ics`)?.props.get(D("getetag"))?.status).toBe(200);
    // Every member's client sees the same token.
    expect(await syncToken(f.ro, f.roUrl)).toBe(after);
  });

  it("the owner's write is seen by the sharees at their own URLs: GET, PROPFIND Depth 1, sync-collection, calendar-query, multiget", async () => {
    const f = await sharedFamily();
    const token = await syncToken(f.ro, f.roUrl);
    const etag = await putOk(f.owner, `${f.calendar}school.ics`, ics({ summary: "School play", start: "20260310T170000Z", end: "20260310T180000Z" }));
    const get = await dav("GET", `${f.roUrl}school.ics`, { as: f.ro });
    expect(get.status).toBe(200);
    expect(get.headers.get("etag")).toBe(etag);

    const listing = await multistatus(await dav("PROPFIND", f.roUrl, { as: f.ro, headers: { Depth: "1" } }));
    expect(listing.has(`${f.roUrl}school.ics`)).toBe(true);

    const sync = await multistatus(await report(f.ro, f.roUrl, syncBody(token), "0"));
    expect([...sync.keys()]).toEqual([`${f.roUrl}school.ics`]);

    const query = await multistatus(await report(f.ro, f.roUrl, calendarQueryBody(compFilter("VEVENT", "20260310T000000Z", "20260311T000000Z"))));
    expect([...query.keys()]).toEqual([`${f.roUrl}school.ics`]);

    const multiget = `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>${f.roUrl}school.ics</D:href></C:calendar-multiget>`;
    const mg = await multistatus(await report(f.ro, f.roUrl, multiget));
    expect(mg.get(`${f.roUrl}school.ics`)?.props.get(D("getetag"))?.status).toBe(200);
  });

  it("a DELETE by the read-write sharee removes the owner's object", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}gone.ics`, ics());
    expect((await dav("DELETE", `${f.rwUrl}gone.ics`, { as: f.rw })).status).toBe(204);
    expect((await dav("GET", `${f.calendar}gone.ics`, { as: f.owner })).status).toBe(404);
  });
});

describe("a read-only sharee reads but cannot write (RFC 3744 §7.1.1)", () => {
  it("PUT, overwrite and DELETE are 403 DAV:need-privileges, and nothing changes in the owner's home", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}keep.ics`, ics({ summary: "Keep" }));
    const token = await syncToken(f.owner, f.calendar);
    for (const res of [
      await dav("PUT", `${f.roUrl}new.ics`, { as: f.ro, body: ics() }),
      await dav("PUT", `${f.roUrl}keep.ics`, { as: f.ro, body: ics({ summary: "Changed" }) }),
      await dav("DELETE", `${f.roUrl}keep.ics`, { as: f.ro }),
    ]) {
      expect(res.status).toBe(403);
      expect(await errorConditions(res)).toEqual([D("need-privileges")]);
    }
    expect(await syncToken(f.owner, f.calendar)).toBe(token);
    expect(await (await dav("GET", `${f.calendar}keep.ics`, { as: f.owner })).text()).toContain("SUMMARY:Keep");
  });

  it("a PROPPATCH of an object's properties is 403 DAV:need-privileges for a read-only sharee, 207 for a read-write one", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}p.ics`, ics());
    const body = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x"><D:set><D:prop><X:note>hi</X:note></D:prop></D:set></D:propertyupdate>`;
    const ro = await dav("PROPPATCH", `${f.roUrl}p.ics`, { as: f.ro, body });
    expect(ro.status).toBe(403);
    expect(await errorConditions(ro)).toEqual([D("need-privileges")]);
    expect((await dav("PROPPATCH", `${f.rwUrl}p.ics`, { as: f.rw, body })).status).toBe(207);
    const own = await propfindOne(f.owner, `${f.calendar}p.ics`, ["D:getetag"]);
    expect(own.props.get(D("getetag"))!.status).toBe(200);
  });

  it("free-busy-query on the shared calendar is allowed (read-free-busy)", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}busy.ics`, ics({ start: "20260401T100000Z", end: "20260401T110000Z" }));
    const body = `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20260401T000000Z" end="20260402T000000Z"/></C:free-busy-query>`;
    const res = await report(f.ro, f.roUrl, body);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("FREEBUSY");
  });
});

describe("nobody else, and nothing further", () => {
  it("a stranger gets 404 for the owner's calendar, its objects and the sharee's shared calendar", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}e.ics`, ics());
    for (const path of [f.calendar, `${f.calendar}e.ics`, f.rwUrl, `${f.rwUrl}e.ics`]) {
      expect((await dav("PROPFIND", path, { as: f.stranger, headers: { Depth: "0" } })).status, path).toBe(404);
      expect((await dav("GET", path, { as: f.stranger })).status, path).toBe(404);
    }
    // A stranger naming the mount's name in its own home finds nothing either.
    const name = f.rwUrl.split("/")[3]!;
    expect((await dav("PROPFIND", `/calendars/${f.stranger.user}/${name}/`, { as: f.stranger, headers: { Depth: "0" } })).status).toBe(404);
    expect((await dav("PUT", `/calendars/${f.stranger.user}/${name}/x.ics`, { as: f.stranger, body: ics() })).status).toBe(409);
    // A sharee reaches the data only through its own home: the owner's URL stays the owner's.
    expect((await dav("PROPFIND", f.calendar, { as: f.rw, headers: { Depth: "0" } })).status).toBe(404);
  });

  it("a sharee cannot share the calendar further (403 DAV:need-privileges)", async () => {
    const f = await sharedFamily();
    const res = await postXml(f.rw, f.rwUrl, fill(shareSet, { READ_WRITE: email(f.stranger), READ_ONLY: email(f.stranger) }));
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([D("need-privileges")]);
    const invites = await propfindOne(f.owner, f.calendar, ["CS:invite"]);
    expect(JSON.stringify(invites.props.get(CS("invite"))!.element)).not.toContain(f.stranger.user);
  });

  it("COPY and MOVE into or out of a shared calendar are refused (403); the data stays", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}c.ics`, ics());
    await putOk(f.rw, `/calendars/${f.rw.user}/calendar/mine.ics`, ics());
    const copyOut = await dav("COPY", `${f.rwUrl}c.ics`, { as: f.rw, headers: { Destination: `/calendars/${f.rw.user}/calendar/c.ics` } });
    expect(copyOut.status).toBe(403);
    const moveIn = await dav("MOVE", `/calendars/${f.rw.user}/calendar/mine.ics`, { as: f.rw, headers: { Destination: `${f.rwUrl}mine.ics` } });
    expect(moveIn.status).toBe(403);
    expect((await dav("GET", `/calendars/${f.rw.user}/calendar/mine.ics`, { as: f.rw })).status).toBe(200);
    expect((await dav("GET", `${f.calendar}c.ics`, { as: f.owner })).status).toBe(200);
  });

  it("when the owner deletes the calendar, it is gone from every sharee's home (404, not listed)", async () => {
    const f = await sharedFamily();
    expect((await dav("DELETE", f.calendar, { as: f.owner })).status).toBe(204);
    expect((await dav("PROPFIND", f.rwUrl, { as: f.rw, headers: { Depth: "0" } })).status).toBe(404);
    const ms = await multistatus(await dav("PROPFIND", `/calendars/${f.ro.user}/`, { as: f.ro, headers: { Depth: "1" } }));
    expect(ms.has(f.roUrl)).toBe(false);
    // A calendar of the sharee's own cannot take the shared one's name meanwhile.
    expect((await dav("PUT", `${f.rwUrl}x.ics`, { as: f.rw, body: ics() })).status).toBe(404);
  });

  it("a malformed sharing request is 400 and changes nothing", async () => {
    const f = await sharedFamily();
    expect((await postXml(f.owner, f.calendar, "<not xml")).status).toBe(400);
    expect((await postXml(f.owner, f.calendar, `<A:share xmlns:A="http://calendarserver.org/ns/"/>`)).status).toBe(400);
    expect((await postXml(f.owner, f.calendar, `<A:unknown xmlns:A="http://calendarserver.org/ns/"/>`)).status).toBe(400);
    expect((await dav("PROPFIND", f.rwUrl, { as: f.rw, headers: { Depth: "0" } })).status).toBe(207);
  });

  it("DAV:acl and DAV:owner tell the truth: the owner has all, accepted sharees their grants", async () => {
    const f = await sharedFamily();
    const own = await propfindOne(f.owner, f.calendar, ["D:acl", "D:owner"]);
    const acl = JSON.stringify(own.props.get(D("acl"))!.element);
    expect(acl).toContain(`/principals/${f.rw.user}/`);
    expect(acl).toContain(`/principals/${f.ro.user}/`);
    expect(acl).not.toContain(f.stranger.user);
    const seen = await propfindOne(f.ro, f.roUrl, ["D:owner"]);
    expect(JSON.stringify(seen.props.get(D("owner"))!.element)).toContain(`/principals/${f.owner.user}/`);
  });
});
