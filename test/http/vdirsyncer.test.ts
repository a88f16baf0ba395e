// A third real client over real HTTP: vdirsyncer (Debian's package, as
// `.ci/run` installs it), which keeps a folder of .ics files and a CalDAV
// calendar in step with PROPFIND listings, calendar-multiget, PUTs
// and DELETEs. Each change on either side reaches the other with one sync.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser, basic, startServer, type Credentials, type TestServer } from "./server.js";
import { vdirsyncerSetup, type Vdirsyncer } from "./clients/run.mjs";

function event(uid: string, summary: string, start: string): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//vdirsyncer test//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20260101T000000Z",
    `DTSTART:${start}`, "DURATION:PT1H", `SUMMARY:${summary}`, "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
}

describe("vdirsyncer against wrangler dev", () => {
  let server: TestServer;
  let creds: Credentials;
  let v: Vdirsyncer;
  const calendarUrl = () => `${server.url}/calendars/${creds.username}/calendar/`;

  const dav = (method: string, url: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(url, { method, body, headers: { authorization: basic(creds), ...headers } });
  const serverNames = async (): Promise<string[]> => {
    const text = await (await dav("PROPFIND", calendarUrl(), `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`, { depth: "1" })).text();
    return [...text.matchAll(/<D:href>([^<]*\.ics)<\/D:href>/g)].map((m) => m[1]!.split("/").at(-1)!);
  };
  const serverText = async (name: string) => (await dav("GET", `${calendarUrl()}${name}`)).text();

  beforeAll(async () => {
    server = await startServer();
    creds = await addUser(server, "vera", { password: "secret", emails: ["vera@example.com"] });
    v = vdirsyncerSetup(`${server.url}/`, creds.username, creds.password);
    await v.run("discover");
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    v?.dispose();
  });

  it("uploads a file of the folder to the calendar", async () => {
    v.write("local-1.ics", event("local-1@example.com", "From disk", "20260610T090000Z"));
    await v.run("sync");
    const names = await serverNames();
    expect(names).toHaveLength(1);
    expect(await serverText(names[0]!)).toContain("SUMMARY:From disk");
  });

  it("downloads an event made on the server", async () => {
    expect((await dav("PUT", `${calendarUrl()}server-1.ics`, event("server-1@example.com", "From the server", "20260611T100000Z"), { "content-type": "text/calendar" })).status).toBe(201);
    await v.run("sync");
    const files = v.files();
    expect(files).toHaveLength(2);
    expect(files.map(v.read).some((t) => t.includes("SUMMARY:From the server"))).toBe(true);
  });

  it("uploads a local edit, and a local deletion deletes on the server", async () => {
    v.write("local-1.ics", v.read("local-1.ics").replace("From disk", "From disk, edited"));
    v.remove(v.files().find((f) => v.read(f).includes("server-1@example.com"))!);
    await v.run("sync");
    const names = await serverNames();
    expect(names).toHaveLength(1);
    expect(await serverText(names[0]!)).toContain("SUMMARY:From disk, edited");
    expect((await dav("GET", `${calendarUrl()}server-1.ics`)).status).toBe(404);
  });

  it("a change on both sides: the server's wins, as configured (conflict_resolution = \"b wins\")", async () => {
    const [name] = await serverNames();
    const etag = (await dav("HEAD", `${calendarUrl()}${name}`)).headers.get("etag")!;
    // The server's change carries its If-Match, as any client's edit would.
    const put = await dav("PUT", `${calendarUrl()}${name}`, event("local-1@example.com", "Changed on the server", "20260610T090000Z"), { "content-type": "text/calendar", "if-match": etag });
    expect(put.status).toBe(204);
    const local = v.files()[0]!;
    v.write(local, v.read(local).replace("From disk, edited", "Changed locally"));
    await v.run("sync");
    expect(v.read(local)).toContain("SUMMARY:Changed on the server");
    expect(await serverText(name!)).toContain("SUMMARY:Changed on the server");
  });
});
