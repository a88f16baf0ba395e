// Calendars changed on the web page are changed for DAV clients the same way
// (RFC 5689 extended MKCOL, RFC 4918 PROPPATCH and DELETE through the method
// table): the calendar's ctag moves, the
// supported-calendar-component-set and calendar-timezone are what was chosen,
// the invitations calendar is schedule-default-calendar-URL (RFC 6638 §9.2),
// and what the DAV rules refuse (deleting the invitations calendar) is refused
// on the page with its reason.
import { describe, expect, it } from "vitest";
import { cal, CAL, CS, D, ics, newUser, propfindOne, propText, putOk } from "../helpers/caldav.js";
import { dav } from "../helpers/dav-client.js";
import { Browser } from "../helpers/web.js";

async function signedIn(prefix: string) {
  const u = await newUser(prefix);
  const b = new Browser();
  expect((await b.signIn(u.user, u.password)).status).toBe(303);
  return { u, b, token: await b.token("/app/calendars") };
}

describe("calendars on the web page, as DAV clients see them", () => {
  it("creates a task list with the components and timezone chosen", async () => {
    const { u, b, token } = await signedIn("mk");
    const res = await b.post("/app/calendars", { _csrf: token, name: "Chores", color: "#aa5500", comp: "VTODO", timezone: "America/New_York" });
    expect(res.status).toBe(303);
    const r = await propfindOne(u, cal(u, "chores"), ["D:displayname", "C:supported-calendar-component-set", "C:calendar-timezone"]);
    expect(propText(r, D("displayname"))).toBe("Chores");
    expect(JSON.stringify(r.props.get(CAL("supported-calendar-component-set"))!.element)).toContain("VTODO");
    expect(JSON.stringify(r.props.get(CAL("supported-calendar-component-set"))!.element)).not.toContain("VEVENT");
    expect(propText(r, CAL("calendar-timezone"))).toContain("TZID:America/New_York");
  });

  it("renames a calendar: its ctag moves and the page lists it with its count", async () => {
    const { u, b, token } = await signedIn("ren");
    await putOk(u, `${cal(u)}a.ics`, ics({ uid: "a" }));
    const ctag = propText(await propfindOne(u, cal(u), ["CS:getctag"]), CS("getctag"));
    expect((await b.post("/app/calendars/calendar", { _csrf: token, name: "Home", color: "#336699", description: "" })).status).toBe(303);
    expect(propText(await propfindOne(u, cal(u), ["CS:getctag"]), CS("getctag"))).not.toBe(ctag);
    expect(propText(await propfindOne(u, cal(u), ["D:displayname"]), D("displayname"))).toBe("Home");
    const page = (await (await b.fetch("/app/calendars")).text()).replace(/\s+/g, " ");
    expect(page).toContain("Home");
    expect(page).toContain("1 event");
  });

  it("chooses the invitations calendar, and refuses to delete it with the reason", async () => {
    const { u, b, token } = await signedIn("def");
    await b.post("/app/calendars", { _csrf: token, name: "Meetings", color: "#000000", comp: "VEVENT" });
    expect((await b.post("/app/calendars/meetings/default", { _csrf: token })).status).toBe(303);
    const inbox = await propfindOne(u, cal(u, "inbox"), ["C:schedule-default-calendar-URL"]);
    expect(propText(inbox, CAL("schedule-default-calendar-URL"))).toBe(cal(u, "meetings"));
    const refused = await b.post("/app/calendars/meetings/delete", { _csrf: token });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("default calendar");
    expect((await b.post("/app/calendars/calendar/delete", { _csrf: token })).status).toBe(303);
    expect((await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "0" } })).status).toBe(404);
  });

  it("answers 404 for a calendar that is not there, and never touches the inbox or another user's home", async () => {
    const { b, token } = await signedIn("nf");
    const other = await newUser("other");
    expect((await b.post("/app/calendars/inbox/delete", { _csrf: token })).status).toBe(404);
    expect((await b.post("/app/calendars/nothing/delete", { _csrf: token })).status).toBe(404);
    expect((await b.post(`/app/calendars/${encodeURIComponent(`../../${other.user}/calendar`)}/delete`, { _csrf: token })).status).toBe(404);
  });
});
