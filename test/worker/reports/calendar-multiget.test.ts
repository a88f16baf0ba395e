// CALDAV:calendar-multiget (RFC 4791 §7.9) end to end: many hrefs with some
// missing (each its own 404 response), hrefs outside the collection,
// absolute and percent-encoded hrefs, the report on an object resource,
// calendar-data with comp/prop selection, expand and limit-recurrence-set
// exactly as in calendar-query, and the Depth header being ignored.
import { describe, expect, it } from "vitest";
import appleBerlin from "../../fixtures/ics/apple-recurring-berlin.ics?raw";
import { APPENDIX_B, appendixB } from "../../helpers/appendix-b.js";
import { BASE, type Creds } from "../../helpers/dav-client.js";
import { CAL, D, cal, ics, newUser, propText, putOk } from "../../helpers/caldav.js";
import { calendarDataOf, components, crlfText, lines, multigetBody, multistatusOf, propValue, report } from "../../helpers/reports.js";

async function multiget(u: Creds, path: string, hrefs: string[], prop?: string, depth: string | null = null) {
  return (await multistatusOf(await report(u, path, multigetBody(hrefs, prop), depth))).responses;
}

describe("calendar-multiget (RFC 4791 §7.9)", () => {
  it("answers one response per href: 200 with ETag and data for the 30 present objects, 404 for each of the 20 missing ones", async () => {
    const u = await newUser("multiget");
    const etags = new Map<string, string>();
    const bodies = new Map<string, string>();
    for (let i = 0; i < 30; i++) {
      const name = `ev-${i}.ics`;
      const body = ics({ summary: `Event ${i}`, start: `202506${String(1 + (i % 28)).padStart(2, "0")}T090000Z`, end: `202506${String(1 + (i % 28)).padStart(2, "0")}T100000Z` });
      bodies.set(name, body);
      etags.set(name, await putOk(u, `${cal(u)}${name}`, body));
    }
    const present = [...etags.keys()].map((n) => `${cal(u)}${n}`);
    const missing = Array.from({ length: 20 }, (_, i) => `${cal(u)}missing-${i}.ics`);
    const hrefs = present.flatMap((p, i) => (i < missing.length ? [p, missing[i]!] : [p]));
    const r = await multiget(u, cal(u), hrefs);
    expect(r.size).toBe(50);
    for (const href of present) {
      const resp = r.get(href)!;
      expect(resp.status, href).toBeUndefined();
      const name = href.split("/").pop()!;
      expect(propText(resp, D("getetag"))).toBe(etags.get(name));
      expect(calendarDataOf(resp)).toBe(bodies.get(name));
    }
    for (const href of missing) {
      expect(r.get(href)!.status, href).toBe(404);
      expect(r.get(href)!.props.size).toBe(0);
    }
  });

  it("answers 404 (never another user's data) for hrefs outside the target collection: another calendar, another user, the collection itself", async () => {
    const u = await newUser("multiget");
    const other = await newUser("multiget-other");
    await putOk(u, `${cal(u)}a.ics`, ics({ summary: "mine" }));
    await putOk(u, `${cal(u, "tasks")}t.ics`, ics({ component: "VTODO", summary: "a task" }));
    await putOk(other, `${cal(other)}secret.ics`, ics({ summary: "Top secret body" }));
    const hrefs = [`${cal(u)}a.ics`, `${cal(u, "tasks")}t.ics`, `${cal(other)}secret.ics`, cal(u)];
    const res = await report(u, cal(u), multigetBody(hrefs));
    const text = await res.clone().text();
    expect(text).not.toContain("Top secret body");
    const r = (await multistatusOf(res)).responses;
    expect(r.get(`${cal(u)}a.ics`)!.props.get(CAL("calendar-data"))!.status).toBe(200);
    for (const h of hrefs.slice(1)) {
      const status = r.get(h)?.status;
      expect(status, h).toBeGreaterThanOrEqual(400);
      expect(status, h).toBeLessThan(500);
    }
  });

  it("accepts absolute hrefs and percent-encoded names, answering under the href as sent or its canonical form", async () => {
    const u = await newUser("multiget");
    const body = ics({ summary: "spaced" });
    await putOk(u, `${cal(u)}with%20space.ics`, body);
    const r = await multiget(u, cal(u), [`${BASE}${cal(u)}with%20space.ics`]);
    expect(r.size).toBe(1);
    const [href, resp] = [...r][0]!;
    expect([`${BASE}${cal(u)}with%20space.ics`, `${cal(u)}with%20space.ics`]).toContain(href);
    expect(calendarDataOf(resp)).toBe(body);
  });

  it("runs on a calendar object resource with the single href equal to the Request-URI (§7.9)", async () => {
    const u = await newUser("multiget");
    const body = ics({ summary: "solo" });
    const etag = await putOk(u, `${cal(u)}solo.ics`, body);
    const r = await multiget(u, `${cal(u)}solo.ics`, [`${cal(u)}solo.ics`]);
    expect([...r.keys()]).toEqual([`${cal(u)}solo.ics`]);
    expect(propText(r.get(`${cal(u)}solo.ics`)!, D("getetag"))).toBe(etag);
    expect(calendarDataOf(r.get(`${cal(u)}solo.ics`))).toBe(body);
  });

  it("ignores the Depth header: Depth 0, 1 and none give the same answer (§7.9)", async () => {
    const u = await newUser("multiget");
    await putOk(u, `${cal(u)}a.ics`, ics());
    const hrefs = [`${cal(u)}a.ics`, `${cal(u)}gone.ics`];
    const answers = [];
    for (const depth of [null, "0", "1"]) {
      const r = await multiget(u, cal(u), hrefs, "<D:getetag/>", depth);
      answers.push([...r].map(([h, v]) => [h, v.status ?? propText(v, D("getetag"))]).sort());
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it("selects components and properties in calendar-data as calendar-query does (§9.6.1-§9.6.4)", async () => {
    const { u, path } = await appendixB("multiget-b");
    const prop = `<D:getetag/><C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/>
      <C:comp name="VEVENT"><C:prop name="SUMMARY"/><C:prop name="UID"/></C:comp></C:comp></C:calendar-data>`;
    const r = await multiget(u, path, [`${path}abcd2.ics`, `${path}abcd3.ics`, `${path}abcd4.ics`], prop);
    const abcd2 = calendarDataOf(r.get(`${path}abcd2.ics`));
    expect(abcd2).not.toContain("VTIMEZONE");
    expect(components(abcd2, "VEVENT").map((e) => [...e].sort())).toEqual([
      ["SUMMARY:Event #2", "UID:00959BC664CA650E933C892C@example.com"],
      ["SUMMARY:Event #2 bis", "UID:00959BC664CA650E933C892C@example.com"],
      ["SUMMARY:Event #2 bis bis", "UID:00959BC664CA650E933C892C@example.com"],
    ]);
    expect(lines(abcd2)).toContain("VERSION:2.0");
    // abcd4.ics is a VTODO: the selection keeps no component of it.
    const abcd4 = calendarDataOf(r.get(`${path}abcd4.ics`));
    expect(abcd4).not.toContain("BEGIN:VTODO");
    expect(lines(abcd4)[0]).toBe("BEGIN:VCALENDAR");
  });

  it("expands and limits recurrence sets in calendar-data as calendar-query does (§9.6.5, §9.6.6)", async () => {
    const { u, path } = await appendixB("multiget-b");
    const exp = await multiget(u, path, [`${path}abcd2.ics`], `<C:calendar-data><C:expand start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data>`);
    const instances = components(calendarDataOf(exp.get(`${path}abcd2.ics`)), "VEVENT");
    expect(instances.map((e) => [propValue(e, "DTSTART"), propValue(e, "RECURRENCE-ID")])).toEqual([
      ["20060103T170000Z", "20060103T170000Z"],
      ["20060104T190000Z", "20060104T170000Z"],
    ]);
    const lim = await multiget(u, path, [`${path}abcd2.ics`], `<C:calendar-data><C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data>`);
    expect(components(calendarDataOf(lim.get(`${path}abcd2.ics`)), "VEVENT").map((e) => propValue(e, "SUMMARY"))).toEqual(["Event #2", "Event #2 bis"]);
    const whole = await multiget(u, path, [`${path}abcd2.ics`]);
    expect(calendarDataOf(whole.get(`${path}abcd2.ics`))).toBe(crlfText(APPENDIX_B["abcd2.ics"]!));
  });

  it("expands a recurring event with an EXDATE and an override, all in UTC (§9.6.5)", async () => {
    const u = await newUser("multiget");
    await putOk(u, `${cal(u)}standup.ics`, crlfText(appleBerlin));
    const r = await multiget(u, cal(u), [`${cal(u)}standup.ics`], `<C:calendar-data><C:expand start="20250113T000000Z" end="20250211T000000Z"/></C:calendar-data>`);
    const data = calendarDataOf(r.get(`${cal(u)}standup.ics`));
    expect(data).not.toContain("TZID");
    expect(components(data, "VEVENT").map((e) => propValue(e, "DTSTART"))).toEqual([
      "20250113T090000Z", "20250127T090000Z", "20250203T090000Z", "20250210T153000Z",
    ]);
  });

  it("answers 400 for a multiget without any DAV:href", async () => {
    const u = await newUser("multiget");
    const res = await report(u, cal(u), `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop></C:calendar-multiget>`);
    expect(res.status).toBe(400);
  });
});
