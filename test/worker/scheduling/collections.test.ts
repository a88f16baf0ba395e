// Scheduling collections and properties (RFC 6638 §2, §3.2.4.1, §4.3, §6,
// §9.2): calendar-auto-schedule in the DAV header, the principal's inbox and
// outbox URLs, addresses and type, the scheduling privileges, one scheduling
// object resource per UID in a home, and the default calendar for new
// invitations.
import { describe, expect, it, vi } from "vitest";
import { parseXml } from "../../../src/core/xml/parse.js";
import { childElements, textOf } from "../../../src/core/xml/tree.js";
import { dav, hrefText, multistatus, type ResponseResult } from "../../helpers/dav-client.js";
import { CAL, D, mkcalendar, mkcalendarBody, privilegesOf, propfindOne, proppatchBody, putOk } from "../../helpers/caldav.js";
import b6 from "../../fixtures/itip/b6-on-behalf-invite.ics?raw";
import { cast, copyPath, fromFixture, getCopy, masterOf, meeting, newUid, party, ps, sleep, waitCopy, type Party } from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

const inboxPath = (p: Party) => `/calendars/${p.user}/inbox/`;
const VEVENT_ONLY = mkcalendarBody('<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>');

async function proppatch(p: Party, path: string, set: string): Promise<ResponseResult> {
  const ms = await multistatus(await dav("PROPPATCH", path, { as: p, body: proppatchBody(set) }));
  return ms.get(path)!;
}

const defaultHref = (href: string) => `<C:schedule-default-calendar-URL><D:href>${href}</D:href></C:schedule-default-calendar-URL>`;

async function defaultCalendar(p: Party): Promise<string[]> {
  const r = await propfindOne(p, inboxPath(p), ["C:schedule-default-calendar-URL"]);
  const prop = r.props.get(CAL("schedule-default-calendar-URL"));
  expect(prop?.status).toBe(200);
  return hrefText(prop!.element);
}

/** The DAV:error body's conditions with the hrefs each holds. */
async function errorBody(res: Response): Promise<Map<string, string[]>> {
  const doc = parseXml(await res.text());
  expect(doc.name).toBe(D("error"));
  return new Map(childElements(doc).map((e) => [e.name, hrefText(e)]));
}

describe("discovery (RFC 6638 §2, §6)", () => {
  it("advertises calendar-auto-schedule in the DAV header (§2)", async () => {
    const { alice } = await cast("alice");
    for (const path of ["/", `/calendars/${alice.user}/`, `/calendars/${alice.user}/calendar/`]) {
      const r = await dav("OPTIONS", path, { as: alice });
      const classes = (r.headers.get("dav") ?? "").split(",").map((s) => s.trim());
      expect(classes, path).toContain("calendar-auto-schedule");
    }
  });

  it("gives the principal schedule-inbox-URL, schedule-outbox-URL, calendar-user-address-set and calendar-user-type (§2.1, §2.2, §2.4.1, §2.4.2)", async () => {
    const alice = await party("alice");
    const room = await party("room", { type: "ROOM" });
    const props = ["C:schedule-inbox-URL", "C:schedule-outbox-URL", "C:calendar-user-address-set", "C:calendar-user-type"];
    for (const [p, type] of [[alice, "INDIVIDUAL"], [room, "ROOM"]] as const) {
      const r = await propfindOne(p, `/principals/${p.user}/`, props);
      for (const name of props) expect(r.props.get(CAL(name.slice(2)))?.status, name).toBe(200);
      expect(hrefText(r.props.get(CAL("schedule-inbox-URL"))!.element)).toEqual([`/calendars/${p.user}/inbox/`]);
      expect(hrefText(r.props.get(CAL("schedule-outbox-URL"))!.element)).toEqual([`/calendars/${p.user}/outbox/`]);
      expect(hrefText(r.props.get(CAL("calendar-user-address-set"))!.element).map((h) => h.toLowerCase())).toContain(p.address.toLowerCase());
      expect(textOf(r.props.get(CAL("calendar-user-type"))!.element).trim()).toBe(type);
    }
  });

  it("grants the owner schedule-deliver on the inbox and schedule-send on the outbox (current-user-privilege-set, §6.1, §6.2)", async () => {
    const alice = await party("alice");
    const ib = await propfindOne(alice, inboxPath(alice), ["D:current-user-privilege-set"]);
    expect(privilegesOf(ib.props.get(D("current-user-privilege-set"))!.element)).toContain(CAL("schedule-deliver"));
    const ob = await propfindOne(alice, `/calendars/${alice.user}/outbox/`, ["D:current-user-privilege-set"]);
    expect(privilegesOf(ob.props.get(D("current-user-privilege-set"))!.element)).toContain(CAL("schedule-send"));
    const rt = await propfindOne(alice, inboxPath(alice), ["D:resourcetype"]);
    expect(childElements(rt.props.get(D("resourcetype"))!.element).map((e) => e.name)).toContain(CAL("schedule-inbox"));
  });
});

describe("RFC 6638 Appendix B.6: inviting on behalf of another organizer", () => {
  it("refuses a PUT of an invitation into another user's calendar with 403 DAV:need-privileges and sends nothing", async () => {
    const { cyrus, wilfredo, bernard } = await cast("cyrus", "wilfredo", "bernard");
    const uid = newUid("3504F926D3AD");
    const body = fromFixture(b6, { "3504F926D3AD": uid, "wilfredo@example.com": wilfredo.email, "bernard@example.net": bernard.email });
    const r = await dav("PUT", `/calendars/${wilfredo.user}/calendar/def456.ics`, { as: cyrus, body, headers: { "If-None-Match": "*" } });
    expect(r.status).toBe(403);
    const text = await r.text();
    expect(text, "the refusal names the missing privilege (RFC 3744 §7.1.1, as in B.6)").toContain("need-privileges");
    expect((await dav("GET", `/calendars/${wilfredo.user}/calendar/def456.ics`, { as: wilfredo })).status).toBe(404);
    await sleep(1_000);
    expect((await getCopy(bernard, copyPath(bernard, uid))).status, "no invitation went out").toBe(404);
  });
});

describe("unique-scheduling-object-resource (RFC 6638 §3.2.4.1)", () => {
  it("refuses the attendee's scheduled UID in a second calendar of the home with 403 and the href of the first", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("once");
    await putOk(alice, `/calendars/${alice.user}/calendar/once.ics`, meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20261228T100000Z", end: "20261228T110000Z" }));
    const copy = await waitCopy(bob, copyPath(bob, uid));
    expect((await mkcalendar(bob, `/calendars/${bob.user}/work/`, VEVENT_ONLY)).status).toBe(201);
    const r = await dav("PUT", `/calendars/${bob.user}/work/again.ics`, { as: bob, body: copy.text });
    expect(r.status).toBe(403);
    const errors = await errorBody(r);
    expect([...errors.keys()]).toContain(CAL("unique-scheduling-object-resource"));
    expect(errors.get(CAL("unique-scheduling-object-resource"))).toEqual([copyPath(bob, uid)]);
    expect((await dav("GET", `/calendars/${bob.user}/work/again.ics`, { as: bob })).status).toBe(404);
  });

  it("refuses the organizer's scheduled UID in a second calendar with 403 and the href of the first", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("twice");
    const first = `/calendars/${alice.user}/calendar/twice.ics`;
    const body = meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20261229T100000Z", end: "20261229T110000Z" });
    await putOk(alice, first, body);
    expect((await mkcalendar(alice, `/calendars/${alice.user}/other/`, VEVENT_ONLY)).status).toBe(201);
    const r = await dav("PUT", `/calendars/${alice.user}/other/twice.ics`, { as: alice, body });
    expect(r.status).toBe(403);
    const errors = await errorBody(r);
    expect(errors.get(CAL("unique-scheduling-object-resource"))).toEqual([first]);
  });
});

describe("schedule-default-calendar-URL (RFC 6638 §9.2, §4.3)", () => {
  it("shows the default calendar on the inbox and moves new invitations to the calendar it is set to", async () => {
    const { alice, bob } = await cast("alice", "bob");
    expect(await defaultCalendar(bob)).toEqual([`/calendars/${bob.user}/calendar/`]);
    expect((await mkcalendar(bob, `/calendars/${bob.user}/work/`, VEVENT_ONLY)).status).toBe(201);
    const set = await proppatch(bob, inboxPath(bob), defaultHref(`/calendars/${bob.user}/work/`));
    expect(set.props.get(CAL("schedule-default-calendar-URL"))?.status).toBe(200);
    expect(await defaultCalendar(bob)).toEqual([`/calendars/${bob.user}/work/`]);

    const uid = newUid("lands");
    await putOk(alice, `/calendars/${alice.user}/calendar/lands.ics`, meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20261230T100000Z", end: "20261230T110000Z" }));
    const copy = await waitCopy(bob, copyPath(bob, uid, "work"), undefined, "bob's copy in work");
    expect(ps(copy.text, bob)).toBe("NEEDS-ACTION");
    expect((await getCopy(bob, copyPath(bob, uid))).status, "not in the old default").toBe(404);

    // The former default may go now; the current one may not (§4.3).
    const delWork = await dav("DELETE", `/calendars/${bob.user}/work/`, { as: bob });
    expect(delWork.status).toBe(403);
    expect([...(await errorBody(delWork)).keys()]).toContain(CAL("default-calendar-needed"));
    expect((await dav("DELETE", `/calendars/${bob.user}/calendar/`, { as: bob })).status).toBe(204);
  });

  it("refuses a task list or another user's calendar as the default (403 CALDAV:valid-schedule-default-calendar-URL) and keeps the old value", async () => {
    const { alice, bob } = await cast("alice", "bob");
    for (const href of [`/calendars/${bob.user}/tasks/`, `/calendars/${alice.user}/calendar/`, `/calendars/${bob.user}/nowhere/`, `/calendars/${bob.user}/outbox/`]) {
      const r = await proppatch(bob, inboxPath(bob), defaultHref(href));
      const p = r.props.get(CAL("schedule-default-calendar-URL"));
      expect(p?.status, href).toBe(403);
      expect(p?.error ? childElements(p.error).map((e) => e.name) : [], href).toContain(CAL("valid-schedule-default-calendar-URL"));
    }
    expect(await defaultCalendar(bob)).toEqual([`/calendars/${bob.user}/calendar/`]);
  });

  it("refuses to DELETE the default calendar with 403 CALDAV:default-calendar-needed (§4.3.1.1)", async () => {
    const bob = await party("bob");
    const r = await dav("DELETE", `/calendars/${bob.user}/calendar/`, { as: bob });
    expect(r.status).toBe(403);
    expect([...(await errorBody(r)).keys()]).toContain(CAL("default-calendar-needed"));
    expect((await dav("PROPFIND", `/calendars/${bob.user}/calendar/`, { as: bob, headers: { Depth: "0" } })).status).toBe(207);
  });

  it("delivers a VTODO invitation to the task list (§4.3)", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("todo");
    const body = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav scheduling tests//EN", "BEGIN:VTODO", `UID:${uid}`, "DTSTAMP:20261101T000000Z",
      "DUE:20261231T170000Z", "SUMMARY:Write the report", `ORGANIZER:${alice.address}`, `ATTENDEE;PARTSTAT=ACCEPTED:${alice.address}`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${bob.address}`, "END:VTODO", "END:VCALENDAR", "",
    ].join("\r\n");
    await putOk(alice, `/calendars/${alice.user}/tasks/todo.ics`, body);
    const copy = await waitCopy(bob, copyPath(bob, uid, "tasks"), undefined, "bob's task");
    expect(masterOf(copy.text)?.name).toBe("vtodo");
    expect(ps(copy.text, bob)).toBe("NEEDS-ACTION");
  });
});
