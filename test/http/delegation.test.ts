// Delegation over real HTTP (CalendarServer calendar-proxy), with the request
// bodies Apple Calendar sends (test/fixtures/sharing): `wrangler dev` as the
// README starts it, users made with the documented CLI; the boss names a
// write and a read delegate by PROPPATCH of the proxy groups, the write
// delegate finds the boss through expand-property, lists the boss's home and
// writes an event the boss sees; the read delegate reads and is refused a
// write; a stranger sees nothing; removal takes effect at once. (Raw
// requests: tsdav has no delegation API.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import setMembers from "../fixtures/sharing/proxy-set-members.xml?raw";
import forExpand from "../fixtures/sharing/proxy-for-expand.xml?raw";
import homePropfind from "../fixtures/sharing/delegate-home-propfind.xml?raw";
import { parseXml } from "../../src/core/xml/parse.js";
import { child, childElements, textOf, type XmlElement } from "../../src/core/xml/tree.js";
import { addUser, basic, startServer, type Credentials, type TestServer } from "./server.js";

const D = (l: string) => `{DAV:}${l}`;
const fill = (t: string, v: Record<string, string>) => t.replace(/\{\{(\w+)\}\}/g, (_, k: string) => v[k] ?? "");

const EVENT = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav http tests//EN", "BEGIN:VEVENT", "UID:board-lunch@http.test",
  "DTSTAMP:20260101T000000Z", "DTSTART:20260610T120000Z", "DTEND:20260610T130000Z", "SUMMARY:Board lunch", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");

describe("delegation over HTTP, as Apple Calendar sends it", () => {
  let server: TestServer;
  let boss: Credentials;
  let writer: Credentials;
  let reader: Credentials;
  let stranger: Credentials;
  const req = (who: Credentials, method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, server.url), { method, headers: { Authorization: basic(who), ...headers }, ...(body !== undefined ? { body } : {}) });
  const hrefsIn = (ms: XmlElement) => childElements(ms).filter((e) => e.name === D("response")).map((r) => textOf(child(r, D("href"))!));
  const xml = { "Content-Type": "application/xml; charset=utf-8" };
  const members = (...who: string[]) => fill(setMembers, { MEMBERS: who.map((u) => `<A:href>/principals/${u}/</A:href>`).join("") });

  beforeAll(async () => {
    server = await startServer();
    [boss, writer, reader, stranger] = await Promise.all([
      addUser(server, "bess", { password: "pw-bess", emails: ["bess@example.com"], name: "Bess Boss" }),
      addUser(server, "will", { password: "pw-will", emails: ["will@example.com"] }),
      addUser(server, "reed", { password: "pw-reed", emails: ["reed@example.com"] }),
      addUser(server, "stan", { password: "pw-stan", emails: ["stan@example.com"] }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("delegate, discover, read and write the boss's calendar, refuse the read delegate and the stranger, revoke", async () => {
    const options = await req(boss, "OPTIONS", "/");
    expect(options.headers.get("dav")).toContain("calendar-proxy");
    expect((await req(boss, "PROPPATCH", "/principals/bess/calendar-proxy-write/", members("will"), xml)).status).toBe(207);
    expect((await req(boss, "PROPPATCH", "/principals/bess/calendar-proxy-read/", members("reed"), xml)).status).toBe(207);

    const found = await req(writer, "REPORT", "/principals/will/", forExpand, { ...xml, Depth: "0" });
    expect(found.status).toBe(207);
    const text = await found.text();
    expect(text).toContain("<D:href>/principals/bess/</D:href>");
    expect(text).toContain("Bess Boss");

    const home = await req(writer, "PROPFIND", "/calendars/bess/", homePropfind, { ...xml, Depth: "1" });
    expect(home.status).toBe(207);
    expect(hrefsIn(parseXml(await home.text()))).toContain("/calendars/bess/calendar/");

    const put = await req(writer, "PUT", "/calendars/bess/calendar/lunch.ics", EVENT, { "Content-Type": "text/calendar; charset=utf-8" });
    expect(put.status).toBe(201);
    const seen = await req(boss, "GET", "/calendars/bess/calendar/lunch.ics");
    expect(seen.headers.get("etag")).toBe(put.headers.get("etag"));
    expect(await (await req(reader, "GET", "/calendars/bess/calendar/lunch.ics")).text()).toContain("SUMMARY:Board lunch");

    const refused = await req(reader, "PUT", "/calendars/bess/calendar/lunch.ics", EVENT.replace("Board lunch", "Pizza"), { "Content-Type": "text/calendar; charset=utf-8" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("need-privileges");
    expect((await req(stranger, "PROPFIND", "/calendars/bess/", undefined, { Depth: "1" })).status).toBe(404);

    expect((await req(boss, "PROPPATCH", "/principals/bess/calendar-proxy-write/", members(), xml)).status).toBe(207);
    expect((await req(writer, "PROPFIND", "/calendars/bess/calendar/", undefined, { Depth: "0" })).status).toBe(404);
    expect((await req(reader, "PROPFIND", "/calendars/bess/calendar/", undefined, { Depth: "0" })).status).toBe(207);
  });
});
