// Calendar sharing over real HTTP (calendarserver-sharing), with the request
// bodies Apple Calendar sends (test/fixtures/sharing): `wrangler dev` as the
// README starts it, users made with the documented CLI; the owner shares,
// the sharees read their notification and accept, the read-write sharee's
// event shows up for the owner, the read-only sharee is refused, unsharing
// takes the calendar away. (tsdav has no sharing API, so this one is raw.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import shareSet from "../fixtures/sharing/share-set.xml?raw";
import shareRemove from "../fixtures/sharing/share-remove.xml?raw";
import acceptReply from "../fixtures/sharing/invite-reply-accept.xml?raw";
import notificationPropfind from "../fixtures/sharing/notification-propfind.xml?raw";
import { parseXml } from "../../src/core/xml/parse.js";
import { child, childElements, textOf, type XmlElement } from "../../src/core/xml/tree.js";
import { addUser, basic, startServer, type Credentials, type TestServer } from "./server.js";

const D = (l: string) => `{DAV:}${l}`;
const CS = (l: string) => `{http://calendarserver.org/ns/}${l}`;
const fill = (t: string, v: Record<string, string>) => t.replace(/\{\{(\w+)\}\}/g, (_, k: string) => v[k] ?? "");

const EVENT = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav http tests//EN", "BEGIN:VEVENT", "UID:family-dinner@http.test",
  "DTSTAMP:20260101T000000Z", "DTSTART:20260610T180000Z", "DTEND:20260610T190000Z", "SUMMARY:Dinner", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");

describe("sharing over HTTP, as Apple Calendar sends it", () => {
  let server: TestServer;
  let owner: Credentials;
  let rw: Credentials;
  let ro: Credentials;
  const req = (who: Credentials, method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, server.url), { method, headers: { Authorization: basic(who), ...headers }, ...(body !== undefined ? { body } : {}) });
  const hrefsIn = (ms: XmlElement) => childElements(ms).filter((e) => e.name === D("response")).map((r) => textOf(child(r, D("href"))!));

  beforeAll(async () => {
    server = await startServer();
    [owner, rw, ro] = await Promise.all([
      addUser(server, "olga", { password: "pw-olga", emails: ["olga@example.com"], name: "Olga" }),
      addUser(server, "rafa", { password: "pw-rafa", emails: ["rafa@example.com"] }),
      addUser(server, "kid", { password: "pw-kid", emails: ["kid@example.com"] }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("share, notify, accept, write through the owner's home, refuse the read-only sharee, unshare", async () => {
    const cal = "/calendars/olga/calendar/";
    const xml = { "Content-Type": "application/xml; charset=utf-8" };
    const shared = await req(owner, "POST", cal, fill(shareSet, { READ_WRITE: "rafa@example.com", READ_ONLY: "kid@example.com" }), xml);
    expect(shared.status).toBe(200);

    const urls: Record<string, string> = {};
    for (const who of [rw, ro]) {
      const list = await req(who, "PROPFIND", `/calendars/${who.username}/notification/`, notificationPropfind, { ...xml, Depth: "1" });
      expect(list.status).toBe(207);
      const item = hrefsIn(parseXml(await list.text())).find((h) => h.endsWith(".xml"))!;
      const notice = await req(who, "GET", item);
      expect(notice.headers.get("content-type")).toMatch(/xml/);
      const invite = child(parseXml(await notice.text()), CS("invite-notification"))!;
      const uid = textOf(child(invite, CS("uid"))!);
      const host = textOf(child(child(invite, CS("hosturl"))!, D("href"))!);
      const reply = await req(who, "POST", `/calendars/${who.username}/`, fill(acceptReply, { SHAREE: `${who.username}@example.com`, HOSTURL: host, UID: uid }), xml);
      expect(reply.status).toBe(200);
      urls[who.username] = textOf(child(parseXml(await reply.text()), D("href"))!);
      const home = await req(who, "PROPFIND", `/calendars/${who.username}/`, undefined, { Depth: "1" });
      expect(hrefsIn(parseXml(await home.text()))).toContain(urls[who.username]);
    }

    const put = await req(rw, "PUT", `${urls.rafa}dinner.ics`, EVENT, { "Content-Type": "text/calendar; charset=utf-8" });
    expect(put.status).toBe(201);
    const seen = await req(owner, "GET", `${cal}dinner.ics`);
    expect(seen.status).toBe(200);
    expect(seen.headers.get("etag")).toBe(put.headers.get("etag"));
    expect(await (await req(ro, "GET", `${urls.kid}dinner.ics`)).text()).toContain("SUMMARY:Dinner");

    const refused = await req(ro, "PUT", `${urls.kid}dinner.ics`, EVENT.replace("Dinner", "Pizza"), { "Content-Type": "text/calendar; charset=utf-8" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("need-privileges");

    expect((await req(owner, "POST", cal, fill(shareRemove, { SHAREE: "kid@example.com" }), xml)).status).toBe(200);
    expect((await req(ro, "PROPFIND", urls.kid!, undefined, { Depth: "0" })).status).toBe(404);
    expect((await req(rw, "PROPFIND", urls.rafa!, undefined, { Depth: "0" })).status).toBe(207);
  });
});
