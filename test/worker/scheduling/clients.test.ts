// Scheduling as real clients exercise it (RFC 6638, RFC 5546): a reply that
// answers the series and one instance, deleting a whole calendar of meetings,
// Schedule-Tags only on scheduling objects and checked by MOVE, every message
// kept in the inbox, ETags that stay as the PUT answered while delivery runs,
// and bodies free of the server's own bookkeeping.
import { describe, expect, it, vi } from "vitest";
import { dav } from "../../helpers/dav-client.js";
import { cal, mkcolBody, putOk } from "../../helpers/caldav.js";
import {
  cast, copyPath, eventually, getCopy, inboxFor, masterOf, meeting, methodOf, newUid, nextSecond, overrideOf, partstatOf, ps, replaceInFirst,
  sleep, ss, statusOf, unfold, waitCopy, withPartstat, type Party,
} from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

const weekly = (o: { uid: string; organizer: Party; attendees: Party[] }) =>
  meeting({ ...o, attendees: o.attendees.map((who) => ({ who })), start: "20270104T100000Z", end: "20270104T110000Z", extra: ["RRULE:FREQ=WEEKLY;COUNT=6"] });

describe("a REPLY for the series and one instance (RFC 5546 §3.2.3, RFC 6638 §3.2.2)", () => {
  it("accepting the series and declining one instance in one PUT shows both in the organizer's copy, per instance", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("series");
    const path = `/calendars/${alice.user}/calendar/series.ics`;
    await putOk(alice, path, weekly({ uid, organizer: alice, attendees: [bob] }));
    const copy = await waitCopy(bob, copyPath(bob, uid));
    // Bob's client: the series ACCEPTED, and an override of 11 January DECLINED, in one save.
    const accepted = withPartstat(copy.text, bob, "ACCEPTED");
    const override = unfold(accepted).split("\r\n").filter((l) => l && !/^(BEGIN|END):VCALENDAR$|^VERSION|^PRODID|^RRULE/.test(l));
    const start = override.findIndex((l) => l === "BEGIN:VEVENT");
    const end = override.indexOf("END:VEVENT");
    const instance = override.slice(start, end + 1).map((l) =>
      /^DTSTART/.test(l) ? "DTSTART:20270111T100000Z" : /^DTEND/.test(l) ? "DTEND:20270111T110000Z" : l);
    instance.splice(1, 0, "RECURRENCE-ID:20270111T100000Z");
    const body = withPartstat(accepted.replace("END:VCALENDAR", `${instance.join("\r\n")}\r\nEND:VCALENDAR`), bob, "ACCEPTED")
      .replace(/(RECURRENCE-ID:20270111T100000Z[\s\S]*?ATTENDEE[^\r\n]*?)PARTSTAT=ACCEPTED([^\r\n]*:mailto:bob)/i, "$1PARTSTAT=DECLINED$2");
    const r = await dav("PUT", copyPath(bob, uid), { as: bob, body });
    expect(r.status, await r.clone().text()).toBe(204);
    expect(partstatOf(overrideOf((await getCopy(bob, copyPath(bob, uid))).text, "20270111T100000Z"), bob)).toBe("DECLINED");

    const organizer = await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "ACCEPTED" && overrideOf(c.text, "20270111T100000Z") !== undefined,
      "both answers in alice's copy");
    expect(partstatOf(overrideOf(organizer.text, "20270111T100000Z"), bob), "the declined instance").toBe("DECLINED");
    expect(ps(organizer.text, bob), "the series").toBe("ACCEPTED");
    // Her client can go on writing the copy.
    const moved = replaceInFirst(organizer.text, "SUMMARY", "SUMMARY:Weekly, renamed");
    expect((await dav("PUT", path, { as: alice, body: moved, headers: { "If-Match": organizer.etag! } })).status).toBe(204);
  });
});

describe("deleting a calendar that holds meetings (RFC 6638 §3.2.1.3, §3.2.2.4)", () => {
  it("sends the CANCELs of the meetings it organizes and the REPLYs (DECLINED) of the invitations it holds", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const mk = await dav("MKCOL", cal(alice, "meetings"), { as: alice, body: mkcolBody("<D:displayname>Meetings</D:displayname>") });
    expect(mk.status).toBe(201);
    // Alice organizes one meeting in that calendar, and holds carol's invitation there.
    const mine = newUid("mine");
    await putOk(alice, `${cal(alice, "meetings")}mine.ics`, meeting({ uid: mine, organizer: alice, attendees: [{ who: bob }], start: "20270201T100000Z", end: "20270201T110000Z" }));
    await waitCopy(bob, copyPath(bob, mine));
    const theirs = newUid("theirs");
    const carolPath = `/calendars/${carol.user}/calendar/theirs.ics`;
    await putOk(carol, carolPath, meeting({ uid: theirs, organizer: carol, attendees: [{ who: alice }], start: "20270202T100000Z", end: "20270202T110000Z" }));
    const invitation = await waitCopy(alice, copyPath(alice, theirs));
    expect((await dav("MOVE", copyPath(alice, theirs), { as: alice, headers: { Destination: `${cal(alice, "meetings")}theirs.ics` } })).status).toBe(201);
    expect(ps(invitation.text, alice)).toBe("NEEDS-ACTION");

    expect((await dav("DELETE", cal(alice, "meetings"), { as: alice })).status).toBe(204);
    expect((await dav("PROPFIND", cal(alice, "meetings"), { as: alice, headers: { Depth: "0" } })).status).toBe(404);
    await waitCopy(bob, copyPath(bob, mine), (c) => statusOf(masterOf(c.text)) === "CANCELLED", "bob's copy cancelled");
    await eventually(() => getCopy(carol, carolPath), (c) => ps(c.text, alice) === "DECLINED", "alice DECLINED on carol's copy");
  });
});

describe("Schedule-Tag (RFC 6638 §3.2.10, §8.3)", () => {
  it("is removed when a resource stops being a scheduling object", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("untag");
    const path = `/calendars/${alice.user}/calendar/untag.ics`;
    const r = await dav("PUT", path, { as: alice, body: meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20270203T100000Z", end: "20270203T110000Z" }) });
    expect(r.headers.get("schedule-tag")).toMatch(/^".+"$/);
    const plain = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20270101T000000Z",
      "DTSTART:20270203T100000Z", "DTEND:20270203T110000Z", "SUMMARY:Just mine now", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
    const put = await dav("PUT", path, { as: alice, body: plain });
    expect(put.status).toBe(204);
    expect(put.headers.get("schedule-tag")).toBeNull();
    expect((await getCopy(alice, path)).scheduleTag, "GET has no Schedule-Tag").toBeNull();
    await waitCopy(bob, copyPath(bob, uid), (c) => statusOf(masterOf(c.text)) === "CANCELLED", "bob's copy cancelled");
  });

  it("MOVE with a stale If-Schedule-Tag-Match answers 412 and moves nothing", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("mv");
    const path = `/calendars/${alice.user}/calendar/mv.ics`;
    const first = await dav("PUT", path, { as: alice, body: meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20270204T100000Z", end: "20270204T110000Z" }) });
    const tag = first.headers.get("schedule-tag")!;
    const current = await getCopy(alice, path);
    expect((await dav("PUT", path, { as: alice, body: replaceInFirst(current.text, "SUMMARY", "SUMMARY:Renamed") })).status).toBe(204);
    const dest = `/calendars/${alice.user}/calendar/moved.ics`;
    const stale = await dav("MOVE", path, { as: alice, headers: { Destination: dest, "If-Schedule-Tag-Match": tag } });
    expect(stale.status).toBe(412);
    expect((await getCopy(alice, path)).status).toBe(200);
    expect((await getCopy(alice, dest)).status).toBe(404);
    const fresh = (await getCopy(alice, path)).scheduleTag!;
    expect((await dav("MOVE", path, { as: alice, headers: { Destination: dest, "If-Schedule-Tag-Match": fresh } })).status).toBe(201);
  });
});

describe("the inbox keeps every message (RFC 6638 §2.2)", () => {
  it("an invitation, two updates and a cancellation are four inbox items", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("four");
    const path = `/calendars/${alice.user}/calendar/four.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20270205T100000Z", end: "20270205T110000Z" }));
    await waitCopy(bob, copyPath(bob, uid));
    for (const [summary, day] of [["Second", "06"], ["Third", "07"]] as const) {
      const current = await getCopy(alice, path);
      let next = replaceInFirst(current.text, "SUMMARY", `SUMMARY:${summary}`);
      next = replaceInFirst(replaceInFirst(next, "DTSTART", `DTSTART:202702${day}T100000Z`), "DTEND", `DTEND:202702${day}T110000Z`);
      expect((await dav("PUT", path, { as: alice, body: next })).status).toBe(204);
      await waitCopy(bob, copyPath(bob, uid), (c) => String(masterOf(c.text)?.getFirstPropertyValue("summary")) === summary, `bob's copy: ${summary}`);
    }
    expect((await dav("DELETE", path, { as: alice })).status).toBe(204);
    const items = await eventually(() => inboxFor(bob, uid), (i) => i.length === 4, "four inbox items");
    expect(items.map(methodOf)).toEqual(["REQUEST", "REQUEST", "REQUEST", "CANCEL"]);
  });
});

describe("ETags stay as the PUT answered while delivery runs (RFC 6638 §3.2.9)", () => {
  it("the organizer's next If-Match PUT with the ETag of her PUT succeeds, after delivery too", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("stable");
    const path = `/calendars/${alice.user}/calendar/stable.ics`;
    const outside = "mailto:friend@elsewhere.example";
    const put = await dav("PUT", path, { as: alice, body: meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }, { who: outside }], start: "20270208T100000Z", end: "20270208T110000Z" }) });
    expect(put.status).toBe(201);
    const etag = put.headers.get("etag")!;
    const copy = await getCopy(alice, path);
    expect(copy.etag).toBe(etag);
    expect([ss(copy.text, bob), ss(copy.text, carol), ss(copy.text, outside)], "known at the PUT").toEqual(["1.2", "1.2", "3.7"]);
    await waitCopy(bob, copyPath(bob, uid));
    await waitCopy(carol, copyPath(carol, uid));
    await sleep(500);
    expect((await getCopy(alice, path)).etag, "delivery kept its promise and left the copy alone").toBe(etag);
    const r = await dav("PUT", path, { as: alice, body: replaceInFirst(copy.text, "SUMMARY", "SUMMARY:Still mine"), headers: { "If-Match": etag } });
    expect(r.status).toBe(204);
  });

  it("an attendee's next If-Match PUT with the ETag of the PUT that answered succeeds", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("stable-a");
    await putOk(alice, `/calendars/${alice.user}/calendar/s.ics`, meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20270209T100000Z", end: "20270209T110000Z" }));
    const copy = await waitCopy(bob, copyPath(bob, uid));
    const answered = await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(copy.text, bob, "ACCEPTED"), headers: { "If-Match": copy.etag! } });
    expect(answered.status).toBe(204);
    const etag = answered.headers.get("etag")!;
    await eventually(() => getCopy(alice, `/calendars/${alice.user}/calendar/s.ics`), (c) => ps(c.text, bob) === "ACCEPTED", "the reply merged");
    await nextSecond();
    const again = await getCopy(bob, copyPath(bob, uid));
    expect(again.etag).toBe(etag);
    expect((await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(again.text, bob, "TENTATIVE"), headers: { "If-Match": etag } })).status).toBe(204);
  });
});

describe("the server's bookkeeping stays out of what clients read", () => {
  it("GET of copies whose replies were merged shows no X-EDGE-CALDAV parameter", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("clean");
    const path = `/calendars/${alice.user}/calendar/clean.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20270210T100000Z", end: "20270210T110000Z" }));
    for (const [who, answer] of [[bob, "ACCEPTED"], [carol, "DECLINED"]] as const) {
      const copy = await waitCopy(who, copyPath(who, uid));
      expect((await dav("PUT", copyPath(who, uid), { as: who, body: withPartstat(copy.text, who, answer) })).status).toBe(204);
    }
    const organizer = await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "ACCEPTED" && ps(c.text, carol) === "DECLINED", "replies merged");
    expect(organizer.text).not.toMatch(/X-EDGE-CALDAV/i);
    await sleep(3500); // the other attendees' refresh round (RFC 6638 §4.2)
    for (const who of [bob, carol]) expect((await getCopy(who, copyPath(who, uid))).text, who.user).not.toMatch(/X-EDGE-CALDAV/i);
  });
});

describe("addresses spelled one way (RFC 3986 §6.2.2.1, RFC 6638 §2.4.1)", () => {
  it("stores and sends mailto: in lower case, with a lower-case domain, whatever the client wrote", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("spell");
    const path = `/calendars/${alice.user}/calendar/spell.ics`;
    const shout = (p: Party) => `MAILTO:${p.email.split("@")[0]}@${p.email.split("@")[1]!.toUpperCase()}`;
    const body = meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20270211T100000Z", end: "20270211T110000Z" })
      .replaceAll(`:${alice.address}`, `:${shout(alice)}`).replaceAll(`:${bob.address}`, `:${shout(bob)}`);
    expect(body).toContain(`:${shout(bob)}`);
    expect((await dav("PUT", path, { as: alice, body })).status).toBe(201);
    const stored = await getCopy(alice, path);
    expect(unfold(stored.text), stored.text).not.toMatch(/MAILTO:/);
    expect(unfold(stored.text)).toContain(`:${bob.address}`);
    const copy = await waitCopy(bob, copyPath(bob, uid));
    expect(unfold(copy.text)).toContain(`ORGANIZER;CN=${alice.user}:${alice.address}`);
    expect(ss(stored.text, bob)).toBe("1.2");
  });
});

describe("RSVP (RFC 5545 §3.2.17)", () => {
  it("goes once the attendee has answered, in both copies, and comes back when a reschedule asks again", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("rsvp");
    const path = `/calendars/${alice.user}/calendar/rsvp.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20270212T100000Z", end: "20270212T110000Z" }));
    const copy = await waitCopy(bob, copyPath(bob, uid));
    const rsvp = (text: string) => masterOf(text)!.getAllProperties("attendee").find((p) => String(p.getFirstValue()).toLowerCase() === bob.address)?.getParameter("rsvp");
    expect(rsvp(copy.text)).toBe("TRUE");
    expect((await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(copy.text, bob, "ACCEPTED") })).status).toBe(204);
    expect(rsvp((await getCopy(bob, copyPath(bob, uid))).text), "bob's copy").toBeUndefined();
    const organizer = await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "ACCEPTED", "bob's answer merged");
    expect(rsvp(organizer.text), "alice's copy").toBeUndefined();
    const moved = replaceInFirst(replaceInFirst(organizer.text, "DTSTART", "DTSTART:20270213T100000Z"), "DTEND", "DTEND:20270213T110000Z");
    expect((await dav("PUT", path, { as: alice, body: moved })).status).toBe(204);
    const again = await getCopy(alice, path);
    expect([ps(again.text, bob), rsvp(again.text)]).toEqual(["NEEDS-ACTION", "TRUE"]);
    const bobAgain = await waitCopy(bob, copyPath(bob, uid), (c) => ps(c.text, bob) === "NEEDS-ACTION", "bob asked again");
    expect(rsvp(bobAgain.text)).toBe("TRUE");
  });
});

describe("repair rather than refuse for sloppy attendee clients (RFC 6638 §3.2.2.1)", () => {
  it("puts back an override the client dropped, the Organizer's X- properties and SEQUENCE, and accepts the answer", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("sloppy");
    const path = `/calendars/${alice.user}/calendar/sloppy.ics`;
    const series = weekly({ uid, organizer: alice, attendees: [bob] }).replace("SUMMARY:Planning", "SUMMARY:Planning\r\nX-ORGANIZER-ROOM:4th floor");
    await putOk(alice, path, series);
    await waitCopy(bob, copyPath(bob, uid));
    // Alice moves the 18 January instance: bob's copy gets an override of the Organizer's.
    const current = await getCopy(alice, path);
    const override = ["BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20270101T000000Z", "RECURRENCE-ID:20270118T100000Z", "DTSTART:20270118T150000Z",
      "DTEND:20270118T160000Z", "SUMMARY:Planning (moved)", `ORGANIZER;CN=${alice.user}:${alice.address}`,
      `ATTENDEE;CN=${alice.user};PARTSTAT=ACCEPTED;ROLE=CHAIR:${alice.address}`, `ATTENDEE;CN=${bob.user};PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${bob.address}`, "END:VEVENT"];
    expect((await dav("PUT", path, { as: alice, body: current.text.replace("END:VCALENDAR", `${override.join("\r\n")}\r\nEND:VCALENDAR`) })).status).toBe(204);
    const copy = await waitCopy(bob, copyPath(bob, uid), (c) => overrideOf(c.text, "20270118T100000Z") !== undefined, "bob's copy with the moved instance");
    expect(unfold(copy.text)).toContain("X-ORGANIZER-ROOM:4th floor");

    // Bob's client keeps only the master, forgets the X- property and bumps SEQUENCE; it means to accept.
    const lines = unfold(withPartstat(copy.text, bob, "ACCEPTED")).split("\r\n");
    const second = lines.indexOf("BEGIN:VEVENT", lines.indexOf("BEGIN:VEVENT") + 1);
    const sloppy = [...lines.slice(0, second), ...lines.slice(lines.indexOf("END:VEVENT", second) + 1)]
      .filter((l) => !l.startsWith("X-ORGANIZER-ROOM")).map((l) => (l.startsWith("SEQUENCE:") ? "SEQUENCE:7" : l)).join("\r\n");
    const r = await dav("PUT", copyPath(bob, uid), { as: bob, body: sloppy });
    expect(r.status, await r.clone().text()).toBe(204);
    const kept = await getCopy(bob, copyPath(bob, uid));
    expect(overrideOf(kept.text, "20270118T100000Z"), "the Organizer's override is back").toBeDefined();
    expect(unfold(kept.text)).toContain("X-ORGANIZER-ROOM:4th floor");
    expect(Number(masterOf(kept.text)!.getFirstPropertyValue("sequence"))).toBe(Number(masterOf(copy.text)!.getFirstPropertyValue("sequence")));
    await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "ACCEPTED", "bob's answer reached alice");
  });
});
