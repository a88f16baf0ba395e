// Who gets scheduling messages (RFC 6638 §7.1 SCHEDULE-AGENT, §3.2.9 status
// 3.7 for addresses of no calendar user, iMIP hand-off) and how a ROOM
// principal (§2.4.2 calendar-user-type) answers on its own: ACCEPTED for a
// free slot, DECLINED for a busy one.
import { describe, expect, it, vi } from "vitest";
import { homeStub } from "../../helpers/caldav.js";
import {
  copyPath, eventually, futureUtc, getCopy, inbox, masterOf, meeting, methodOf, newUid, party, ps, rowsWithUid, sleep, ss, unfold,
  waitCopy, attendeeOf, cast,
} from "../../helpers/scheduling.js";
import { dav } from "../../helpers/dav-client.js";
import { rnd } from "../../helpers/caldav.js";

vi.setConfig({ testTimeout: 30_000 });

describe("SCHEDULE-AGENT (RFC 6638 §7.1)", () => {
  it("sends nothing to an attendee with SCHEDULE-AGENT=CLIENT or NONE while the SERVER attendee of the same event gets a copy", async () => {
    const { alice, bob, carol, dave } = await cast("alice", "bob", "carol", "dave");
    const uid = newUid("agent");
    const path = `/calendars/${alice.user}/calendar/agent.ics`;
    const body = meeting({
      uid, organizer: alice, start: "20261222T100000Z", end: "20261222T110000Z",
      attendees: [{ who: bob, params: ";SCHEDULE-AGENT=CLIENT" }, { who: carol }, { who: dave, params: ";SCHEDULE-AGENT=NONE" }],
    });
    expect((await dav("PUT", path, { as: alice, body })).status).toBe(201);
    const carolCopy = await waitCopy(carol, copyPath(carol, uid), undefined, "carol's copy");
    expect(unfold(carolCopy.text), "SCHEDULE-AGENT is never sent in a message (§7.1)").not.toMatch(/SCHEDULE-AGENT/i);
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, carol) === "1.2", "carol's delivery recorded");
    await sleep(1_500);
    for (const who of [bob, dave]) {
      expect((await dav("GET", copyPath(who, uid), { as: who })).status, `${who.user} gets no copy`).toBe(404);
      expect(await rowsWithUid(who, uid)).toEqual([]);
      expect((await inbox(who)).size, `${who.user}'s inbox stays empty`).toBe(0);
    }
    const mine = await getCopy(alice, path);
    expect(ss(mine.text, bob), "no SCHEDULE-STATUS for an attendee the server sent nothing to (§7.3)").toBeUndefined();
    expect(ss(mine.text, dave)).toBeUndefined();
    expect(String(attendeeOf(masterOf(mine.text), bob)?.getParameter("schedule-agent") ?? "").toUpperCase(), "the organizer's choice is kept").toBe("CLIENT");
  });
});

describe("an address of no calendar user (RFC 6638 §3.2.9)", () => {
  it("marks the external attendee with SCHEDULE-STATUS=3.7 and keeps the message for e-mail delivery", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const external = `ext-${rnd()}@elsewhere.test`;
    const uid = newUid("ext");
    const path = `/calendars/${alice.user}/calendar/ext.ics`;
    const body = meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: `mailto:${external}` }], start: "20261223T100000Z", end: "20261223T110000Z" });
    expect((await dav("PUT", path, { as: alice, body })).status).toBe(201);
    // Known at the PUT (RFC 6638 §3.2.9): bob is on this server (1.2), the other address is not (3.7).
    const done = await getCopy(alice, path);
    expect(ss(done.text, bob)).toBe("1.2");
    expect(ss(done.text, `mailto:${external}`)).toBe("3.7");
    expect(ps(done.text, `mailto:${external}`)).toBe("NEEDS-ACTION");

    const kept = await eventually(() => homeStub(alice.user).emailOutbox(), (k) => k.some((j) => j.uid === uid), "the message kept for e-mail");
    const mine = kept.filter((j) => j.uid === uid);
    expect(mine, "one message kept for the external address").toHaveLength(1);
    expect(mine[0]!.recipient.toLowerCase()).toBe(`mailto:${external}`);
    expect(mine[0]!.method).toBe("REQUEST");
    expect(mine[0]!.originator.toLowerCase()).toBe(alice.address.toLowerCase());
    if (mine[0]!.body !== undefined) {
      expect(methodOf(mine[0]!.body)).toBe("REQUEST");
      expect(unfold(mine[0]!.body)).not.toMatch(/SCHEDULE-(STATUS|AGENT)/i);
    }
    expect((await homeStub(bob.user).emailOutbox()).filter((j) => j.uid === uid), "bob's message was delivered, not kept").toHaveLength(0);
  });
});

describe("a ROOM answers by itself (RFC 6638 §2.4.2 calendar-user-type ROOM)", () => {
  it("accepts a free slot and declines a busy one; the organizer's copy shows the room's PARTSTAT", async () => {
    const alice = await party("alice");
    const room = await party("room", { type: "ROOM" });
    const slot = (day: number, h: number, m = 0) => futureUtc(day, h, m);
    const invite = async (tag: string, start: string, end: string) => {
      const uid = newUid(tag);
      const path = `/calendars/${alice.user}/calendar/${tag}.ics`;
      const body = meeting({ uid, organizer: alice, attendees: [{ who: room, params: ";CUTYPE=ROOM" }], start, end, summary: tag });
      const r = await dav("PUT", path, { as: alice, body });
      expect(r.status, await r.clone().text()).toBe(201);
      const answered = await eventually(() => getCopy(alice, path), (c) => ps(c.text, room) !== "NEEDS-ACTION", `the room's answer to ${tag}`);
      await sleep(300);
      return { uid, path, answered: await getCopy(alice, path), first: answered };
    };

    const free = await invite("first", slot(40, 10), slot(40, 11));
    expect(ps(free.answered.text, room)).toBe("ACCEPTED");
    expect(ss(free.answered.text, room), "SCHEDULE-STATUS from the room's REPLY (§4.2)").toBe("2.0");
    const roomCopy = await waitCopy(room, copyPath(room, free.uid));
    expect(ps(roomCopy.text, room)).toBe("ACCEPTED");
    expect((await inbox(alice)).size).toBeGreaterThan(0);

    const busy = await invite("second", slot(40, 10, 30), slot(40, 11, 30));
    expect(ps(busy.answered.text, room), "the slot overlaps the accepted booking").toBe("DECLINED");
    expect(ss(busy.answered.text, room)).toBe("2.0");
    expect(ps((await waitCopy(room, copyPath(room, busy.uid))).text, room)).toBe("DECLINED");

    // Another day is free again.
    const later = await invite("third", slot(41, 10), slot(41, 11));
    expect(ps(later.answered.text, room)).toBe("ACCEPTED");
  });

  it("does not count a booking it declined as busy time (a slot taken only by a declined request is free)", async () => {
    const alice = await party("alice");
    const room = await party("room", { type: "ROOM" });
    const book = async (tag: string, start: string, end: string) => {
      const uid = newUid(tag);
      const path = `/calendars/${alice.user}/calendar/${tag}.ics`;
      const r = await dav("PUT", path, { as: alice, body: meeting({ uid, organizer: alice, attendees: [{ who: room, params: ";CUTYPE=ROOM" }], start, end, summary: tag }) });
      expect(r.status).toBe(201);
      return ps((await eventually(() => getCopy(alice, path), (c) => ps(c.text, room) !== "NEEDS-ACTION", `answer to ${tag}`)).text, room);
    };
    expect(await book("a", futureUtc(50, 9), futureUtc(50, 10))).toBe("ACCEPTED");
    expect(await book("b", futureUtc(50, 9, 30), futureUtc(50, 11))).toBe("DECLINED");
    // 10:00–11:00 overlaps only the declined request "b".
    expect(await book("c", futureUtc(50, 10), futureUtc(50, 11))).toBe("ACCEPTED");
  });
});
