// Invitations and replies over the real queue (RFC 6638 §3.2.1.1, §3.2.2.3,
// §4.1, §4.2, §3.2.9, §3.2.10): Alice organizes, Bob, Carol and Dave attend.
// Also the Appendix B.1–B.4 walk-through with the RFC's own bodies.
import { describe, expect, it, vi } from "vitest";
import b1 from "../../fixtures/itip/b1-organizer-invite.ics?raw";
import b3 from "../../fixtures/itip/b3-wilfredo-accepts.ics?raw";
import b4 from "../../fixtures/itip/b4-organizer-after-reply.ics?raw";
import { dav } from "../../helpers/dav-client.js";
import { putOk } from "../../helpers/caldav.js";
import {
  cast, components, copyPath, eventually, fromFixture, getCopy, inbox, inboxFor, masterOf, meeting, methodOf, newUid, organizerStatusOf,
  ps, rowsWithUid, sequenceOf, sleep, ss, unfold, waitCopy, withPartstat,
} from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

const NO_SERVER_PARAMS = /SCHEDULE-(STATUS|AGENT|FORCE-SEND)/i;

describe("invitation (RFC 6638 §3.2.1.1, §4.1)", () => {
  it("delivers a copy with PARTSTAT=NEEDS-ACTION to every attendee, an inbox item each, and SCHEDULE-STATUS=1.2 on the organizer's copy (§3.2.9)", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("invite");
    const body = meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20261210T100000Z", end: "20261210T110000Z", alarm: true });
    const res = await dav("PUT", `/calendars/${alice.user}/calendar/invite.ics`, { as: alice, body });
    expect(res.status, await res.clone().text()).toBe(201);
    const tag = res.headers.get("schedule-tag");
    expect(tag, "a scheduling object resource has a Schedule-Tag (§3.2.10)").toMatch(/^".+"$/);

    for (const who of [bob, carol]) {
      const copy = await waitCopy(who, copyPath(who, uid), undefined, `${who.user}'s copy`);
      const m = masterOf(copy.text)!;
      expect(ps(copy.text, who)).toBe("NEEDS-ACTION");
      expect(m.getFirstPropertyValue("dtstart")!.toString()).toBe("2026-12-10T10:00:00Z");
      expect(String(m.getFirstPropertyValue("summary"))).toBe("Planning");
      expect(m.getAllSubcomponents("valarm"), "the organizer's VALARM is not delivered").toHaveLength(0);
      expect(unfold(copy.text)).not.toMatch(NO_SERVER_PARAMS);
      expect(copy.scheduleTag, "a delivered copy is a scheduling object resource with a Schedule-Tag").toMatch(/^".+"$/);
      expect(await rowsWithUid(who, uid)).toEqual([{ collection: "calendar", name: copyPath(who, uid).split("/").pop() }]);

      const items = await inboxFor(who, uid);
      expect(items, "one inbox item per delivered message (§4)").toHaveLength(1);
      expect(methodOf(items[0]!)).toBe("REQUEST");
      expect(unfold(items[0]!)).not.toMatch(NO_SERVER_PARAMS);
      expect(items[0]!).not.toContain("BEGIN:VALARM");
    }

    const organizer = await eventually(
      () => getCopy(alice, `/calendars/${alice.user}/calendar/invite.ics`),
      (c) => ss(c.text, bob) === "1.2" && ss(c.text, carol) === "1.2",
      "SCHEDULE-STATUS=1.2 for bob and carol on alice's copy",
    );
    expect(ss(organizer.text, alice), "no SCHEDULE-STATUS on the organizer's own ATTENDEE (§7.3)").toBeUndefined();
    expect(masterOf(organizer.text)!.getAllSubcomponents("valarm"), "the organizer keeps her VALARM").toHaveLength(1);
    expect(organizer.scheduleTag, "recording delivery status is not a consequential change (§3.2.10)").toBe(tag);
    expect((await inbox(alice)).size, "the organizer gets no message for her own invitation").toBe(0);
  });
});

describe("replies (RFC 6638 §3.2.2.3, §4.2, §3.2.10)", () => {
  it("merges ACCEPTED, DECLINED and TENTATIVE into the organizer's copy; her Schedule-Tag stays while her ETag changes", async () => {
    const { alice, bob, carol, dave } = await cast("alice", "bob", "carol", "dave");
    const uid = newUid("replies");
    const path = `/calendars/${alice.user}/calendar/replies.ics`;
    const body = meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }, { who: dave }], start: "20261211T100000Z", end: "20261211T110000Z" });
    const put = await dav("PUT", path, { as: alice, body });
    expect(put.status).toBe(201);
    const tag = put.headers.get("schedule-tag");
    let before = await eventually(
      () => getCopy(alice, path),
      (c) => [bob, carol, dave].every((w) => ss(c.text, w) === "1.2"),
      "all invitations delivered",
    );
    expect(before.scheduleTag).toBe(tag);

    const answers: Array<[typeof bob, string]> = [[bob, "ACCEPTED"], [carol, "DECLINED"], [dave, "TENTATIVE"]];
    for (const [who, answer] of answers) {
      const copy = await waitCopy(who, copyPath(who, uid));
      const r = await dav("PUT", copyPath(who, uid), { as: who, body: withPartstat(copy.text, who, answer) });
      expect(r.status, await r.clone().text()).toBe(204);
      const after = await eventually(() => getCopy(alice, path), (c) => ps(c.text, who) === answer, `${who.user} ${answer} on alice's copy`);
      expect(after.scheduleTag, `merging ${who.user}'s REPLY keeps the organizer's Schedule-Tag (§3.2.10 organizer rule 1)`).toBe(tag);
      expect(after.etag, "the organizer's ETag changes with the merge").not.toBe(before.etag);
      expect(ss(after.text, who), "SCHEDULE-STATUS from the REPLY's REQUEST-STATUS (§4.2)").toBe("2.0");
      before = after;
    }
    const final = before.text;
    expect(ps(final, bob)).toBe("ACCEPTED");
    expect(ps(final, carol)).toBe("DECLINED");
    expect(ps(final, dave)).toBe("TENTATIVE");
    expect(ps(final, alice)).toBe("ACCEPTED");
    expect(sequenceOf(masterOf(final)), "replies do not change SEQUENCE").toBe(0);

    // Each REPLY is an item of the organizer's inbox (RFC 6638 §2.2: it keeps every message), and the attendee's copy
    // knows its delivery status (§7.3).
    const items = await inboxFor(alice, uid);
    expect(items.map(methodOf)).toEqual(["REPLY", "REPLY", "REPLY"]);
    expect(items.map((t) => components(t)[0]!.getFirstProperty("attendee")!.getFirstValue()).sort()).toEqual([bob.address, carol.address, dave.address].sort());
    const bobCopy = await eventually(() => getCopy(bob, copyPath(bob, uid)), (c) => organizerStatusOf(masterOf(c.text)) !== undefined, "SCHEDULE-STATUS on bob's ORGANIZER");
    expect(organizerStatusOf(masterOf(bobCopy.text))).toMatch(/^(1\.2|2\.0)$/);
    expect(ps(bobCopy.text, bob)).toBe("ACCEPTED");
  });

  it("sends the other attendees the new participation status without changing their Schedule-Tag (§4.2 SHOULD, §3.2.10 attendee rule 2)", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("refresh");
    const path = `/calendars/${alice.user}/calendar/refresh.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20261212T100000Z", end: "20261212T110000Z" }));
    const carolBefore = await waitCopy(carol, copyPath(carol, uid));
    const bobCopy = await waitCopy(bob, copyPath(bob, uid));
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2" && ss(c.text, carol) === "1.2", "delivered");
    const r = await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(bobCopy.text, bob, "ACCEPTED") });
    expect(r.status).toBe(204);
    await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "ACCEPTED", "bob's reply merged");
    const carolAfter = await eventually(() => getCopy(carol, copyPath(carol, uid)), (c) => ps(c.text, bob) === "ACCEPTED", "bob ACCEPTED on carol's copy", 5_000);
    expect(carolAfter.scheduleTag, "a participation-only update keeps the attendee's Schedule-Tag").toBe(carolBefore.scheduleTag);
    expect(ps(carolAfter.text, carol)).toBe("NEEDS-ACTION");
  });
});

describe("RFC 6638 Appendix B.1–B.4 with the RFC's bodies", () => {
  it("B.1 invite, B.2 the attendee's copy, B.3 the attendee accepts, B.4 the organizer's copy after the reply (external attendee 3.7)", async () => {
    const { cyrus, wilfredo, bernard } = await cast("cyrus", "wilfredo", "bernard");
    const uid = newUid("9263504FD3AD");
    const mike = `mike-${cyrus.user}@example.org`;
    const map = {
      "9263504FD3AD": uid,
      "cyrus@example.com": cyrus.email,
      "wilfredo@example.com": wilfredo.email,
      "bernard@example.net": bernard.email,
      "mike@example.org": mike,
    };
    const path = `/calendars/${cyrus.user}/calendar/lunch.ics`;
    // B.1: the organizer's client stores the event; the server sends the invitations.
    const put = await dav("PUT", path, { as: cyrus, body: fromFixture(b1, map) });
    expect(put.status, await put.clone().text()).toBe(201);
    const tag = put.headers.get("schedule-tag");

    // B.2: Wilfredo's copy: the invitation minus the organizer's alarm, PARTSTAT=NEEDS-ACTION.
    const copy = await waitCopy(wilfredo, copyPath(wilfredo, uid));
    const m = masterOf(copy.text)!;
    expect(String(m.getFirstPropertyValue("summary"))).toBe("Lunch");
    expect(ps(copy.text, wilfredo)).toBe("NEEDS-ACTION");
    expect(m.getAllSubcomponents("valarm")).toHaveLength(0);
    expect(m.getAllProperties("attendee")).toHaveLength(4);
    const req = await inboxFor(wilfredo, uid);
    expect(req.map(methodOf)).toEqual(["REQUEST"]);

    await eventually(() => getCopy(cyrus, path), (c) => ss(c.text, wilfredo) === "1.2" && ss(c.text, bernard) === "1.2" && ss(c.text, `mailto:${mike}`) === "3.7", "B.1 statuses");

    // B.3: Wilfredo's client stores his acceptance with his own alarm.
    const accept = await dav("PUT", copyPath(wilfredo, uid), { as: wilfredo, body: fromFixture(b3, map) });
    expect(accept.status, await accept.clone().text()).toBe(204);
    const mine = await getCopy(wilfredo, copyPath(wilfredo, uid));
    expect(masterOf(mine.text)!.getAllSubcomponents("valarm"), "the attendee keeps his own alarm").toHaveLength(1);

    // B.4: the organizer's copy, as the RFC shows it.
    const after = await eventually(() => getCopy(cyrus, path), (c) => ps(c.text, wilfredo) === "ACCEPTED", "wilfredo ACCEPTED on cyrus's copy");
    const expected = masterOf(fromFixture(b4, map))!;
    const got = masterOf(after.text)!;
    for (const who of [cyrus.address, wilfredo.address, bernard.address, `mailto:${mike}`]) {
      expect({ who, partstat: ps(after.text, who), status: ss(after.text, who) }).toEqual({
        who, partstat: ps(fromFixture(b4, map), who), status: ss(fromFixture(b4, map), who),
      });
    }
    expect(String(got.getFirstPropertyValue("summary"))).toBe(String(expected.getFirstPropertyValue("summary")));
    expect(got.getFirstPropertyValue("dtstart")!.toString()).toBe(expected.getFirstPropertyValue("dtstart")!.toString());
    expect(got.getAllSubcomponents("valarm"), "Cyrus's own reminder stays").toHaveLength(1);
    expect(sequenceOf(got)).toBe(0);
    expect(after.scheduleTag).toBe(tag);
    const reply = await inboxFor(cyrus, uid);
    expect(reply).toHaveLength(1);
    expect(methodOf(reply[0]!)).toBe("REPLY");
    const replyComp = components(reply[0]!)[0]!;
    expect(replyComp.getAllProperties("attendee"), "a REPLY names only the replying attendee (RFC 5546 §3.2.3)").toHaveLength(1);
    expect(ps(reply[0]!, wilfredo)).toBe("ACCEPTED");
    expect(replyComp.getAllSubcomponents("valarm")).toHaveLength(0);
    // Nothing more is delivered to the others by the reply than the SHOULD of §4.2 allows: no duplicate copy anywhere.
    await sleep(200);
    expect(await rowsWithUid(bernard, uid)).toHaveLength(1);
    expect(await rowsWithUid(wilfredo, uid)).toHaveLength(1);
  });
});
