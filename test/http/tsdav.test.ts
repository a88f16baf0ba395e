// A real CalDAV client (tsdav) against the real server over real HTTP:
// `wrangler dev` as the README starts it, a user made with the documented
// CLI, then discovery, calendar listing, extended MKCOL, object CRUD,
// time-range fetches and WebDAV sync, all through tsdav's own API; and
// python-caldav's requests as it shapes them (Depth: 1 sync, Depth-less query).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAVClient, type DAVCalendar, type DAVCalendarObject } from "tsdav";
import { addUser, basic, startServer, type Credentials, type TestServer } from "./server.js";

const USER = "alice";

function ics(uid: string, summary: string, start = "20260610T090000Z", end = "20260610T100000Z"): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//edge-caldav http tests//EN",
    "BEGIN:VEVENT",
    `UID:${uid}`,
    "DTSTAMP:20260101T000000Z",
    `DTSTART:${start}`,
    `DTEND:${end}`,
    `SUMMARY:${summary}`,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

function todo(uid: string, summary: string): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//edge-caldav http tests//EN",
    "BEGIN:VTODO",
    `UID:${uid}`,
    "DTSTAMP:20260101T000000Z",
    "DUE:20260615T170000Z",
    `SUMMARY:${summary}`,
    "END:VTODO",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

const MKCOL_WORK =
  '<?xml version="1.0" encoding="utf-8"?>' +
  '<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>' +
  "<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>" +
  "<D:displayname>Work</D:displayname>" +
  '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>' +
  "</D:prop></D:set></D:mkcol>";

/** Calendar data as tsdav hands it over (a string, or {_cdata} for CDATA sections). */
const dataOf = (o: DAVCalendarObject): string => {
  const d = o.data as unknown;
  return typeof d === "string" ? d : ((d as { _cdata?: string } | undefined)?._cdata ?? "");
};
const unq = (etag: string | null | undefined) => (etag ?? "").replace(/^W\//, "").replace(/^"|"$/g, "");

describe("tsdav against wrangler dev", () => {
  let server: TestServer;
  let creds: Credentials;
  let client: DAVClient;
  let url: string;
  let calendarsBeforeMkcol: DAVCalendar[];
  let work: DAVCalendar;
  let eventUrl: string;
  let firstEtag: string;
  let syncCollectionState: DAVCalendar & { objects: DAVCalendarObject[] };

  beforeAll(async () => {
    server = await startServer();
    url = server.url;
    creds = await addUser(server, USER, { password: "secret", emails: ["alice@example.com"], name: "Alice Example" });
    client = new DAVClient({
      serverUrl: url,
      credentials: { username: creds.username, password: creds.password },
      authMethod: "Basic",
      defaultAccountType: "caldav",
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("discovers the account (well-known → principal → calendar home)", async () => {
    await client.login();
    const account = client.account!;
    expect(account).toBeDefined();
    expect(account.rootUrl).toBe(`${url}/`);
    expect(account.principalUrl).toBe(`${url}/principals/${USER}/`);
    expect(account.homeUrl).toBe(`${url}/calendars/${USER}/`);
  });

  it("lists the default calendar and task list with their names and components", async () => {
    const calendars = await client.fetchCalendars();
    calendarsBeforeMkcol = calendars;
    const byUrl = new Map(calendars.map((c) => [c.url, c]));
    const cal = byUrl.get(`${url}/calendars/${USER}/calendar/`);
    const tasks = byUrl.get(`${url}/calendars/${USER}/tasks/`);
    expect(cal, `calendars: ${calendars.map((c) => c.url).join(", ")}`).toBeDefined();
    expect(tasks).toBeDefined();
    expect(cal!.displayName).toBe("Calendar");
    expect(cal!.components).toEqual(["VEVENT"]);
    expect(tasks!.displayName).toBe("Tasks");
    expect(tasks!.components).toEqual(["VTODO"]);
    // inbox and outbox are not calendars (RFC 6638 schedule-inbox/outbox)
    expect(calendars.map((c) => c.url).sort()).toEqual([cal!.url, tasks!.url].sort());
    for (const c of [cal!, tasks!]) {
      expect(c.syncToken, `${c.url} sync-token`).toBeTruthy();
      expect(c.ctag, `${c.url} getctag`).toBeTruthy();
      expect(c.reports).toEqual(expect.arrayContaining(["calendarQuery", "calendarMultiget", "syncCollection"]));
    }
  });

  it("creates a calendar with extended MKCOL (RFC 5689) through davRequest", async () => {
    const target = `${url}/calendars/${USER}/work/`;
    const res = await client.davRequest({
      url: target,
      init: { method: "MKCOL", headers: { "Content-Type": "application/xml; charset=utf-8" }, body: MKCOL_WORK },
      convertIncoming: false,
      parseOutgoing: false,
    });
    expect(res[0]?.status, JSON.stringify(res[0])).toBe(201);

    const calendars = await client.fetchCalendars();
    const found = calendars.find((c) => c.url === target);
    expect(found, `calendars: ${calendars.map((c) => c.url).join(", ")}`).toBeDefined();
    expect(found!.displayName).toBe("Work");
    expect(found!.components).toEqual(["VEVENT"]);
    work = found!;

    // tsdav's calendar-level sync sees the new calendar as created
    const synced = await client.syncCalendarsDetailed({ oldCalendars: calendarsBeforeMkcol, account: client.account });
    expect(synced.created.map((c) => c.url)).toEqual([target]);
    expect(synced.deleted).toEqual([]);

    // a second MKCOL on the same URL is refused
    const again = await client.davRequest({
      url: target,
      init: { method: "MKCOL", headers: { "Content-Type": "application/xml; charset=utf-8" }, body: MKCOL_WORK },
      convertIncoming: false,
      parseOutgoing: false,
    });
    expect(again[0]?.status).toBe(405);
  });

  it("creates an event and fetches it, with and without a time range", async () => {
    const res = await client.createCalendarObject({
      calendar: work,
      filename: "standup.ics",
      iCalString: ics("standup-1@example.com", "Standup"),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    firstEtag = res.headers.get("etag") ?? "";
    expect(firstEtag).toMatch(/^"[^"]+"$/);
    eventUrl = `${work.url}standup.ics`;

    // creating it again is refused (tsdav sends If-None-Match: *)
    const dup = await client.createCalendarObject({ calendar: work, filename: "standup.ics", iCalString: ics("standup-1@example.com", "Standup") });
    expect(dup.status).toBe(412);

    const all = await client.fetchCalendarObjects({ calendar: work });
    expect(all.map((o) => o.url)).toEqual([eventUrl]);
    expect(unq(all[0]!.etag)).toBe(unq(firstEtag));
    expect(dataOf(all[0]!)).toContain("UID:standup-1@example.com");
    expect(dataOf(all[0]!)).toContain("SUMMARY:Standup");

    const inside = await client.fetchCalendarObjects({
      calendar: work,
      timeRange: { start: "2026-06-10T00:00:00Z", end: "2026-06-11T00:00:00Z" },
    });
    expect(inside.map((o) => o.url)).toEqual([eventUrl]);

    const outside = await client.fetchCalendarObjects({
      calendar: work,
      timeRange: { start: "2026-06-11T00:00:00Z", end: "2026-06-12T00:00:00Z" },
    });
    expect(outside).toEqual([]);

    // the edge: the event ends at 10:00, so a range starting then does not overlap
    const edge = await client.fetchCalendarObjects({
      calendar: work,
      timeRange: { start: "2026-06-10T10:00:00Z", end: "2026-06-10T11:00:00Z" },
    });
    expect(edge).toEqual([]);

    const expanded = await client.fetchCalendarObjects({
      calendar: work,
      timeRange: { start: "2026-06-01T00:00:00Z", end: "2026-07-01T00:00:00Z" },
      expand: true,
    });
    expect(expanded.map((o) => o.url)).toEqual([eventUrl]);
    expect(dataOf(expanded[0]!)).toContain("DTSTART:20260610T090000Z");

    const calendars = await client.fetchCalendars();
    syncCollectionState = { ...calendars.find((c) => c.url === work.url)!, objects: all };
  });

  it("updates the event with its etag: new data, new etag; a stale etag is refused", async () => {
    const res = await client.updateCalendarObject({
      calendarObject: { url: eventUrl, data: ics("standup-1@example.com", "Standup (moved)", "20260610T100000Z", "20260610T110000Z"), etag: firstEtag },
    });
    expect([200, 204], await res.clone().text()).toContain(res.status);
    const newEtag = res.headers.get("etag");
    expect(newEtag).toBeTruthy();
    expect(unq(newEtag)).not.toBe(unq(firstEtag));

    const stale = await client.updateCalendarObject({
      calendarObject: { url: eventUrl, data: ics("standup-1@example.com", "Lost update"), etag: firstEtag },
    });
    expect(stale.status).toBe(412);

    const objs = await client.fetchCalendarObjects({ calendar: work });
    expect(objs).toHaveLength(1);
    expect(unq(objs[0]!.etag)).toBe(unq(newEtag));
    expect(dataOf(objs[0]!)).toContain("SUMMARY:Standup (moved)");
    expect(dataOf(objs[0]!)).toContain("DTSTART:20260610T100000Z");

    const multi = await client.fetchCalendarObjects({ calendar: work, objectUrls: [eventUrl] });
    expect(multi.map((o) => unq(o.etag))).toEqual([unq(newEtag)]);

    // WebDAV sync (RFC 6578) from the token taken after the create reports exactly this update
    const synced = await client.smartCollectionSyncDetailed({
      collection: { ...syncCollectionState, objectMultiGet: client.calendarMultiGet.bind(client) },
      method: "webdav",
      account: client.account,
    });
    expect(synced.objects.created).toEqual([]);
    expect(synced.objects.deleted).toEqual([]);
    expect(synced.objects.updated.map((o) => o.url)).toEqual([eventUrl]);
    expect(unq(synced.objects.updated[0]!.etag)).toBe(unq(newEtag));
    expect(synced.syncToken).toBeTruthy();
    expect(synced.syncToken).not.toBe(syncCollectionState.syncToken);
    syncCollectionState = { ...syncCollectionState, syncToken: synced.syncToken, objects: objs };
  });

  it("deletes the event; it is gone from fetches and sync reports it deleted", async () => {
    const [obj] = await client.fetchCalendarObjects({ calendar: work });
    const res = await client.deleteCalendarObject({ calendarObject: { url: obj!.url, etag: obj!.etag } });
    expect([200, 204]).toContain(res.status);

    expect(await client.fetchCalendarObjects({ calendar: work })).toEqual([]);
    const get = await fetch(eventUrl, { headers: { Authorization: `Basic ${btoa(`${creds.username}:${creds.password}`)}` } });
    expect(get.status).toBe(404);

    const synced = await client.smartCollectionSyncDetailed({
      collection: { ...syncCollectionState, objectMultiGet: client.calendarMultiGet.bind(client) },
      method: "webdav",
      account: client.account,
    });
    expect(synced.objects.created).toEqual([]);
    expect(synced.objects.updated).toEqual([]);
    expect(synced.objects.deleted.map((o) => o.url)).toEqual([eventUrl]);
  });

  it("stores a task in the task list and finds it with a VTODO filter", async () => {
    const tasks = (await client.fetchCalendars()).find((c) => c.url === `${url}/calendars/${USER}/tasks/`)!;
    const res = await client.createCalendarObject({ calendar: tasks, filename: "buy-milk.ics", iCalString: todo("milk@example.com", "Buy milk") });
    expect(res.status).toBe(201);
    // an event does not belong in a VTODO-only list
    const wrong = await client.createCalendarObject({ calendar: tasks, filename: "ev.ics", iCalString: ics("ev@example.com", "Nope") });
    expect(wrong.status).toBe(403);

    const found = await client.fetchCalendarObjects({
      calendar: tasks,
      filters: { "comp-filter": { _attributes: { name: "VCALENDAR" }, "comp-filter": { _attributes: { name: "VTODO" } } } },
    });
    expect(found.map((o) => o.url)).toEqual([`${tasks.url}buy-milk.ics`]);
    expect(dataOf(found[0]!)).toContain("SUMMARY:Buy milk");
  });

  // python-caldav (Home Assistant's CalDAV integration and many scripts) shapes its requests its own way; these are
  // its requests as it sends them, over real HTTP (RFC 6578 §3.2 with Depth: 1; RFC 4791 §7.8 without Depth).
  it("answers python-caldav's sync-collection with Depth: 1, initial and incremental", async () => {
    const py = await addUser(server, "pycaldav", { password: "py-secret", emails: ["py@example.com"] });
    const auth = { Authorization: basic(py), "Content-Type": "application/xml; charset=utf-8" };
    const calUrl = `${url}/calendars/pycaldav/calendar/`;
    const putEvent = (name: string) =>
      fetch(`${calUrl}${name}.ics`, { method: "PUT", headers: { Authorization: basic(py), "Content-Type": "text/calendar; charset=utf-8" }, body: ics(`${name}@py.example`, name) });
    expect((await putEvent("first")).status).toBe(201);
    const sync = (token: string) =>
      fetch(calUrl, {
        method: "REPORT",
        headers: { ...auth, Depth: "1" },
        body: `<?xml version='1.0' encoding='utf-8'?>\n<D:sync-collection xmlns:D="DAV:">${token ? `<D:sync-token>${token}</D:sync-token>` : "<D:sync-token/>"}<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
      });
    const initial = await sync("");
    expect(initial.status).toBe(207);
    const text = await initial.text();
    expect(text).toContain(`/calendars/pycaldav/calendar/first.ics`);
    const token = /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(text)?.[1];
    expect(token).toBeTruthy();
    expect((await putEvent("second")).status).toBe(201);
    const delta = await sync(token!);
    expect(delta.status).toBe(207);
    const deltaText = await delta.text();
    expect(deltaText).toContain("/calendars/pycaldav/calendar/second.ics");
    expect(deltaText).not.toContain("/calendars/pycaldav/calendar/first.ics");
  });

  it("answers a calendar-query sent without a Depth header with the calendar's matching objects", async () => {
    const py = { username: "pycaldav", password: "py-secret" };
    const res = await fetch(`${url}/calendars/pycaldav/calendar/`, {
      method: "REPORT",
      headers: { Authorization: basic(py), "Content-Type": "application/xml; charset=utf-8" },
      body: '<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:D="DAV:"><D:prop><D:getetag/><C:calendar-data/></D:prop>' +
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20260601T000000Z" end="20260701T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>',
    });
    expect(res.status).toBe(207);
    const text = await res.text();
    expect(text).toContain("/calendars/pycaldav/calendar/first.ics");
    expect(text).toContain("/calendars/pycaldav/calendar/second.ics");
    expect(text).toContain("BEGIN:VCALENDAR");
  });
});
