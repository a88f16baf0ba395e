// Busy time requests POSTed to the scheduling Outbox (RFC 6638 §5, §10,
// Appendix B.5): one CALDAV:response per recipient with request-status and
// the recipient's VFREEBUSY (RFC 5546 §3.3.3), busy time from opaque
// calendars only (§9.1 schedule-calendar-transp) and from events that are
// neither TRANSP:TRANSPARENT nor cancelled (RFC 4791 §7.10), 3.7 for an
// unknown address; the preconditions of §5.2.
import ICAL from "ical.js";
import { describe, expect, it, vi } from "vitest";
import b5 from "../../fixtures/itip/b5-freebusy-request.ics?raw";
import { parseXml } from "../../../src/core/xml/parse.js";
import { child, childElements, textOf, type XmlElement } from "../../../src/core/xml/tree.js";
import { dav, multistatus } from "../../helpers/dav-client.js";
import { CAL, D, mkcalendar, proppatchBody, putOk, rnd } from "../../helpers/caldav.js";
import { cast, fromFixture, type Party } from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

interface Answer {
  recipient: string;
  status: string;
  data?: string;
  periods: string[];
  error?: XmlElement | undefined;
}

const outbox = (p: Party) => `/calendars/${p.user}/outbox/`;

async function post(as: Party, path: string, body: string, contentType = "text/calendar; charset=utf-8"): Promise<Response> {
  return dav("POST", path, { as, body, headers: { "Content-Type": contentType } });
}

/** The CALDAV:schedule-response of a POST, by recipient address (lower-cased). */
async function scheduleResponse(res: Response): Promise<Map<string, Answer>> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("content-type") ?? "").toMatch(/xml/);
  const doc = parseXml(text);
  expect(doc.name).toBe(CAL("schedule-response"));
  const out = new Map<string, Answer>();
  for (const r of childElements(doc)) {
    expect(r.name).toBe(CAL("response"));
    const recipient = textOf(child(child(r, CAL("recipient"))!, D("href"))!).trim();
    const status = textOf(child(r, CAL("request-status"))!).trim();
    const dataEl = child(r, CAL("calendar-data"));
    const data = dataEl ? textOf(dataEl) : undefined;
    out.set(recipient.toLowerCase(), { recipient, status, ...(data !== undefined ? { data } : {}), periods: data ? periodsOf(data) : [], error: child(r, D("error")) });
  }
  return out;
}

/** "FBTYPE start/end" for every FREEBUSY period of the VFREEBUSY, sorted. */
function periodsOf(data: string): string[] {
  const cal = new ICAL.Component(ICAL.parse(data) as unknown[]);
  const fb = cal.getFirstSubcomponent("vfreebusy")!;
  return fb
    .getAllProperties("freebusy")
    .flatMap((p) => (p.getValues() as ICAL.Period[]).map((v) => `${String(p.getParameter("fbtype") ?? "BUSY").toUpperCase()} ${v.start.toICALString()}/${v.getEnd().toICALString()}`))
    .sort();
}

function event(uid: string, start: string, end: string, extra: string[] = []): string {
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav scheduling tests//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20261101T000000Z",
    `DTSTART:${start}`, `DTEND:${end}`, "SUMMARY:busy?", ...extra, "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
}

function fbRequest(organizer: string, attendees: string[], start = "20270201T000000Z", end = "20270202T000000Z", uid = `fb-${rnd()}`): string {
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav scheduling tests//EN", "METHOD:REQUEST", "BEGIN:VFREEBUSY", `UID:${uid}`,
    "DTSTAMP:20261126T000000Z", `DTSTART:${start}`, `DTEND:${end}`, `ORGANIZER:${organizer}`, ...attendees.map((a) => `ATTENDEE:${a}`),
    "END:VFREEBUSY", "END:VCALENDAR", "",
  ].join("\r\n");
}

describe("busy time request on the outbox (RFC 6638 §5)", () => {
  it("answers 200 CALDAV:schedule-response with each recipient's busy periods, 2.0 for users and 3.7 for an unknown address", async () => {
    const { alice, bob, carol, dave } = await cast("alice", "bob", "carol", "dave");
    const cal = (p: Party, name = "calendar") => `/calendars/${p.user}/${name}/`;
    await putOk(bob, `${cal(bob)}busy.ics`, event(`b1-${rnd()}`, "20270201T100000Z", "20270201T110000Z"));
    await putOk(bob, `${cal(bob)}transparent.ics`, event(`b2-${rnd()}`, "20270201T120000Z", "20270201T130000Z", ["TRANSP:TRANSPARENT"]));
    await putOk(bob, `${cal(bob)}cancelled.ics`, event(`b3-${rnd()}`, "20270201T140000Z", "20270201T150000Z", ["STATUS:CANCELLED"]));
    await putOk(bob, `${cal(bob)}tentative.ics`, event(`b4-${rnd()}`, "20270201T160000Z", "20270201T170000Z", ["STATUS:TENTATIVE"]));
    await putOk(bob, `${cal(bob)}outside.ics`, event(`b5-${rnd()}`, "20270203T100000Z", "20270203T110000Z"));
    await putOk(bob, `${cal(bob)}straddles.ics`, event(`b6-${rnd()}`, "20270131T230000Z", "20270201T010000Z"));
    await putOk(carol, `${cal(carol)}daily.ics`, event(`c1-${rnd()}`, "20270130T090000Z", "20270130T093000Z", ["RRULE:FREQ=DAILY;COUNT=5"]));
    // Dave's only event is in a calendar that does not count for busy time (§9.1).
    expect((await mkcalendar(dave, cal(dave, "holidays"))).status).toBe(201);
    const transp = await multistatus(await dav("PROPPATCH", cal(dave, "holidays"), {
      as: dave, body: proppatchBody("<C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>"),
    }));
    expect(transp.get(cal(dave, "holidays"))!.props.get(CAL("schedule-calendar-transp"))?.status).toBe(200);
    await putOk(dave, `${cal(dave, "holidays")}trip.ics`, event(`d1-${rnd()}`, "20270201T080000Z", "20270201T180000Z"));

    const unknown = `mailto:nobody-${rnd()}@example.com`;
    const uid = `fb-${rnd()}`;
    const res = await post(alice, outbox(alice), fbRequest(alice.address, [bob.address, carol.address, dave.address, unknown], undefined, undefined, uid));
    const answers = await scheduleResponse(res);
    expect([...answers.keys()].sort()).toEqual([bob.address, carol.address, dave.address, unknown].map((a) => a.toLowerCase()).sort());

    const bobA = answers.get(bob.address.toLowerCase())!;
    expect(bobA.status).toMatch(/^2\.0(;|$)/);
    expect(bobA.periods, "opaque and tentative events, clipped to the range; not transparent, cancelled or outside ones").toEqual([
      "BUSY 20270201T000000Z/20270201T010000Z",
      "BUSY 20270201T100000Z/20270201T110000Z",
      "BUSY-TENTATIVE 20270201T160000Z/20270201T170000Z",
    ]);
    const reply = new ICAL.Component(ICAL.parse(bobA.data!) as unknown[]);
    expect(String(reply.getFirstPropertyValue("method"))).toBe("REPLY");
    const vfb = reply.getFirstSubcomponent("vfreebusy")!;
    expect(String(vfb.getFirstPropertyValue("uid")), "the reply carries the request's UID (RFC 5546 §3.3.3)").toBe(uid);
    expect(String(vfb.getFirstPropertyValue("organizer")).toLowerCase()).toBe(alice.address.toLowerCase());
    expect(vfb.getAllProperties("attendee").map((p) => String(p.getFirstValue()).toLowerCase())).toEqual([bob.address.toLowerCase()]);
    expect((vfb.getFirstPropertyValue("dtstart") as ICAL.Time).toICALString()).toBe("20270201T000000Z");
    expect((vfb.getFirstPropertyValue("dtend") as ICAL.Time).toICALString()).toBe("20270202T000000Z");

    const carolA = answers.get(carol.address.toLowerCase())!;
    expect(carolA.status).toMatch(/^2\.0(;|$)/);
    expect(carolA.periods, "the one instance of the daily event inside the range").toEqual(["BUSY 20270201T090000Z/20270201T093000Z"]);

    const daveA = answers.get(dave.address.toLowerCase())!;
    expect(daveA.status).toMatch(/^2\.0(;|$)/);
    expect(daveA.data).toBeDefined();
    expect(daveA.periods, "nothing from a schedule-calendar-transp transparent calendar").toEqual([]);

    const none = answers.get(unknown.toLowerCase())!;
    expect(none.status).toMatch(/^3\.7(;|$)/);
    expect(none.data, "no busy time for an unknown calendar user").toBeUndefined();
  });

  it("answers the RFC's Appendix B.5 request (addresses made ours): one response per attendee", async () => {
    const { cyrus, wilfredo, bernard } = await cast("cyrus", "wilfredo", "bernard");
    const mike = `mike-${rnd()}@example.org`;
    await putOk(wilfredo, `/calendars/${wilfredo.user}/calendar/lunch.ics`, event(`w-${rnd()}`, "20090602T160000Z", "20090602T170000Z"));
    await putOk(bernard, `/calendars/${bernard.user}/calendar/call.ics`, event(`n-${rnd()}`, "20090603T150000Z", "20090603T160000Z"));
    const body = fromFixture(b5, {
      "cyrus@example.com": cyrus.email, "wilfredo@example.com": wilfredo.email, "bernard@example.net": bernard.email, "mike@example.org": mike,
    });
    const answers = await scheduleResponse(await post(cyrus, outbox(cyrus), body));
    expect(answers.size).toBe(3);
    expect(answers.get(wilfredo.address.toLowerCase())!.status).toMatch(/^2\.0/);
    expect(answers.get(wilfredo.address.toLowerCase())!.periods).toEqual(["BUSY 20090602T160000Z/20090602T170000Z"]);
    expect(answers.get(bernard.address.toLowerCase())!.periods).toEqual(["BUSY 20090603T150000Z/20090603T160000Z"]);
    expect(answers.get(`mailto:${mike}`)!.status).toMatch(/^3\.7/);
  });
});

describe("busy time request preconditions (RFC 6638 §5.2)", () => {
  it("refuses a POST to another user's outbox with 403 DAV:need-privileges", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const res = await post(alice, outbox(bob), fbRequest(alice.address, [bob.address]));
    expect(res.status).toBe(403);
    const doc = parseXml(await res.text());
    expect(doc.name).toBe(D("error"));
    expect(childElements(doc).map((e) => e.name)).toContain(D("need-privileges"));
  });

  it("refuses an ORGANIZER that is not the outbox owner with 403 CALDAV:valid-organizer", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const res = await post(alice, outbox(alice), fbRequest(bob.address, [carol.address]));
    expect(res.status).toBe(403);
    const doc = parseXml(await res.text());
    expect(childElements(doc).map((e) => e.name)).toContain(CAL("valid-organizer"));
  });

  it("answers malformed requests with 4xx and a DAV:error, never 5xx", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const ok = fbRequest(alice.address, [bob.address]);
    const cases: Array<[string, string, string?]> = [
      ["not iCalendar", "hello, world"],
      ["truncated", ok.slice(0, ok.indexOf("END:VFREEBUSY"))],
      ["no METHOD", ok.replace("METHOD:REQUEST\r\n", "")],
      ["METHOD:PUBLISH", ok.replace("METHOD:REQUEST", "METHOD:PUBLISH")],
      ["no ATTENDEE", ok.replace(/ATTENDEE:[^\r]*\r\n/, "")],
      ["no ORGANIZER", ok.replace(/ORGANIZER:[^\r]*\r\n/, "")],
      ["no DTSTART", ok.replace(/DTSTART:[^\r]*\r\n/, "")],
      ["DTEND before DTSTART", ok.replace("DTEND:20270202T000000Z", "DTEND:20270101T000000Z")],
      ["a VEVENT instead", ok.replaceAll("VFREEBUSY", "VEVENT")],
      ["two VFREEBUSY", ok.replace("END:VCALENDAR", ok.slice(ok.indexOf("BEGIN:VFREEBUSY"), ok.indexOf("END:VCALENDAR")) + "END:VCALENDAR")],
      ["invalid date", ok.replace("DTSTART:20270201T000000Z", "DTSTART:2027-02-01")],
      ["XML content type", ok, "application/xml"],
    ];
    for (const [label, body, type] of cases) {
      const res = await post(alice, outbox(alice), body, type);
      const text = await res.text();
      expect(res.status, `${label}: ${text}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${label}: ${text}`).toBeLessThan(500);
      expect(parseXml(text).name, `${label}: ${text}`).toBe(D("error"));
      expect(childElements(parseXml(text)).length, `${label}: a precondition element`).toBeGreaterThan(0);
    }
  });
});
