// The Organizer changes a scheduled event (RFC 6638 §3.2.1.2, §3.2.1.3,
// §3.2.5, §3.2.8; RFC 5546 §3.2.2, §3.2.5): reschedule, attendees added and
// removed, one instance of a weekly meeting moved and then cancelled, and the
// whole event cancelled by DELETE or by STATUS:CANCELLED.
import { describe, expect, it, vi } from "vitest";
import weeklyOrganizer from "../../fixtures/itip/weekly-organizer.ics?raw";
import weeklyMoved from "../../fixtures/itip/weekly-instance-moved.ics?raw";
import weeklyInstanceCancelled from "../../fixtures/itip/weekly-instance-cancelled.ics?raw";
import weeklySeriesCancelled from "../../fixtures/itip/weekly-series-cancelled.ics?raw";
import { dav } from "../../helpers/dav-client.js";
import { putOk } from "../../helpers/caldav.js";
import {
  cast, components, copyPath, eventually, fromFixture, getCopy, inboxFor, masterOf, meeting, methodOf, newUid, overrideOf, propText, ps,
  replaceInFirst, ridOf, rowsWithUid, sequenceOf, ss, statusOf, waitCopy, withPartstat, attendeeLine, addToFirst, dropLines, type Party,
} from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

/** An attendee answers on their copy and the answer reaches the organizer's copy. */
async function answer(who: Party, uid: string, partstat: string, organizer: Party, organizerPath: string): Promise<void> {
  const copy = await waitCopy(who, copyPath(who, uid));
  const r = await dav("PUT", copyPath(who, uid), { as: who, body: withPartstat(copy.text, who, partstat) });
  expect(r.status, await r.clone().text()).toBe(204);
  await eventually(() => getCopy(organizer, organizerPath), (c) => ps(c.text, who) === partstat, `${who.user} ${partstat} on the organizer's copy`);
}

/** Waits for the CANCEL in the attendee's inbox and checks it supersedes the copy they had (RFC 5546 §3.2.5, §2.1.4). */
async function cancelArrives(who: Party, uid: string, before: { text: string }, rid = ""): Promise<void> {
  // The inbox keeps every message (RFC 6638 §2.2): the CANCEL is the latest, beside the invitation before it.
  const items = await eventually(() => inboxFor(who, uid), (i) => methodOf(i.at(-1)!) === "CANCEL", `CANCEL in ${who.user}'s inbox`);
  expect(items.map(methodOf)[0], "the invitation is still there").toBe("REQUEST");
  const cancel = components(items.at(-1)!).find((c) => (rid ? ridOf(c) === rid : !c.hasProperty("recurrence-id")))!;
  expect(cancel, "the CANCEL names the instance").toBeDefined();
  const had = rid ? (overrideOf(before.text, rid) ?? masterOf(before.text)) : masterOf(before.text);
  expect(sequenceOf(cancel), "a CANCEL carries an incremented SEQUENCE (RFC 5546 §3.2.5: \"the SEQUENCE property value MUST be incremented\")").toBeGreaterThan(sequenceOf(had));
}

describe("reschedule (RFC 6638 §3.2.8, §3.2.5)", () => {
  it("moves the attendee copies, resets PARTSTAT to NEEDS-ACTION and raises SEQUENCE", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("move");
    const path = `/calendars/${alice.user}/calendar/move.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20261214T100000Z", end: "20261214T110000Z" }));
    await answer(bob, uid, "ACCEPTED", alice, path);
    await answer(carol, uid, "TENTATIVE", alice, path);
    const bobBefore = await getCopy(bob, copyPath(bob, uid));

    // The organizer's client sends her copy back with new times, attendee answers as it last saw them, SEQUENCE untouched.
    const current = await getCopy(alice, path);
    let moved = replaceInFirst(current.text, "DTSTART", "DTSTART:20261215T140000Z");
    moved = replaceInFirst(moved, "DTEND", "DTEND:20261215T150000Z");
    const r = await dav("PUT", path, { as: alice, body: moved });
    expect(r.status, await r.clone().text()).toBe(204);
    // The body was rewritten (PARTSTAT, SEQUENCE, SCHEDULE-STATUS), yet the answer still names the stored version with
    // a strong ETag: Evolution refuses a PUT answer without one (cyrus-imapd#2456).
    expect(r.headers.get("etag"), "a strong ETag of the stored copy").toMatch(/^"[0-9a-f]{32}"$/);
    expect(r.headers.get("schedule-tag"), "a PUT by the organizer changes her Schedule-Tag (§3.2.10 organizer rule 2)").not.toBe(current.scheduleTag);

    const stored = await getCopy(alice, path);
    expect(sequenceOf(masterOf(stored.text)), "SEQUENCE raised by the server (§3.2.5, RFC 5546 §2.1.4)").toBe(1);
    expect(ps(stored.text, bob)).toBe("NEEDS-ACTION");
    expect(ps(stored.text, carol)).toBe("NEEDS-ACTION");
    expect(ps(stored.text, alice), "the organizer's own PARTSTAT is not reset").toBe("ACCEPTED");

    for (const who of [bob, carol]) {
      const copy = await waitCopy(who, copyPath(who, uid), (c) => propText(masterOf(c.text), "dtstart") === "20261215T140000Z", `${who.user}'s copy moved`);
      const m = masterOf(copy.text)!;
      expect(propText(m, "dtend")).toBe("20261215T150000Z");
      expect(ps(copy.text, who), "PARTSTAT reset to NEEDS-ACTION on a reschedule (§3.2.8)").toBe("NEEDS-ACTION");
      expect(sequenceOf(m)).toBe(1);
      expect(await rowsWithUid(who, uid), "the update replaced the copy, no second one").toHaveLength(1);
      const items = await inboxFor(who, uid);
      expect(items.map(methodOf), "the invitation and the update, each an item (RFC 6638 §2.2)").toEqual(["REQUEST", "REQUEST"]);
      expect(items.map((t) => sequenceOf(components(t)[0]))).toEqual([0, 1]);
    }
    const bobAfter = await getCopy(bob, copyPath(bob, uid));
    expect(bobAfter.scheduleTag, "an organizer update with real changes gives the attendee copy a new Schedule-Tag (§3.2.10 attendee rule 1)").not.toBe(bobBefore.scheduleTag);
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2" && ss(c.text, carol) === "1.2", "updates delivered");
  });
});

describe("attendees added and removed (RFC 6638 §3.2.1.2, RFC 5546 §3.2.2.5, §3.2.5)", () => {
  it("sends the new attendee a copy and the removed one a CANCEL that marks their copy STATUS:CANCELLED", async () => {
    const { alice, bob, carol, dave } = await cast("alice", "bob", "carol", "dave");
    const uid = newUid("roster");
    const path = `/calendars/${alice.user}/calendar/roster.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20261216T100000Z", end: "20261216T110000Z" }));
    await waitCopy(bob, copyPath(bob, uid));
    const carolCopy = await waitCopy(carol, copyPath(carol, uid));
    expect(statusOf(masterOf(carolCopy.text))).toBeUndefined();
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2" && ss(c.text, carol) === "1.2", "invitations delivered");

    const current = await getCopy(alice, path);
    let next = dropLines(current.text, (l) => /^ATTENDEE/i.test(l) && l.toLowerCase().endsWith(carol.address.toLowerCase()));
    next = addToFirst(next, attendeeLine({ who: dave }));
    const r = await dav("PUT", path, { as: alice, body: next });
    expect([201, 204]).toContain(r.status);

    await cancelArrives(carol, uid, carolCopy);
    const daveCopy = await waitCopy(dave, copyPath(dave, uid), undefined, "dave's copy");
    expect(ps(daveCopy.text, dave)).toBe("NEEDS-ACTION");
    expect(propText(masterOf(daveCopy.text), "dtstart")).toBe("20261216T100000Z");
    expect(ps(daveCopy.text, carol), "dave's copy no longer lists carol").toBeUndefined();

    const cancelled = await waitCopy(carol, copyPath(carol, uid), (c) => statusOf(masterOf(c.text)) === "CANCELLED", "carol's copy cancelled");
    expect(propText(masterOf(cancelled.text), "dtstart"), "the cancelled copy still shows the event").toBe("20261216T100000Z");
    expect((await inboxFor(carol, uid)).map(methodOf)).toEqual(["REQUEST", "CANCEL"]);

    const organizer = await eventually(() => getCopy(alice, path), (c) => ss(c.text, dave) === "1.2", "dave's invitation delivered");
    expect(ps(organizer.text, carol)).toBeUndefined();
    const bobCopy = await getCopy(bob, copyPath(bob, uid));
    expect(statusOf(masterOf(bobCopy.text)), "bob stays invited").toBeUndefined();
  });
});

describe("one instance of a weekly meeting (RFC 6638 §3.2.6, RFC 5546 §3.2.2, §3.2.5)", () => {
  it("moves only that instance in the attendee copies, then cancels only that instance", async () => {
    const { cyrus, bernard, wilfredo } = await cast("cyrus", "bernard", "wilfredo");
    const uid = newUid("weekly-1");
    const map = { "UID:weekly-1": `UID:${uid}`, "cyrus@example.com": cyrus.email, "bernard@example.net": bernard.email, "wilfredo@example.com": wilfredo.email };
    const path = `/calendars/${cyrus.user}/calendar/weekly.ics`;
    await putOk(cyrus, path, fromFixture(weeklyOrganizer, map));
    // The fixtures list Bernard ACCEPTED and Wilfredo TENTATIVE: make it so, as the organizer may not answer for them.
    await answer(bernard, uid, "ACCEPTED", cyrus, path);
    await answer(wilfredo, uid, "TENTATIVE", cyrus, path);
    const before = await getCopy(bernard, copyPath(bernard, uid));
    const masterBefore = masterOf(before.text)!;

    // Move the instance of 2025-01-13 from 10:00 to 14:00 (Europe/Berlin).
    const moved = await dav("PUT", path, { as: cyrus, body: fromFixture(weeklyMoved, map) });
    expect(moved.status, await moved.clone().text()).toBe(204);
    for (const who of [bernard, wilfredo]) {
      const copy = await waitCopy(who, copyPath(who, uid), (c) => overrideOf(c.text, "20250113T100000") !== undefined, `${who.user}: moved instance`);
      const ov = overrideOf(copy.text, "20250113T100000")!;
      expect(propText(ov, "dtstart")).toBe("20250113T140000");
      expect(propText(ov, "dtend")).toBe("20250113T150000");
      expect(partstatOfOverride(copy.text, who), "the moved instance asks again").toBe("NEEDS-ACTION");
      const m = masterOf(copy.text)!;
      expect(propText(m, "dtstart"), "the series is unchanged").toBe(propText(masterBefore, "dtstart"));
      expect(propText(m, "rrule")).toBe(propText(masterBefore, "rrule"));
      expect(sequenceOf(m)).toBe(sequenceOf(masterBefore));
      expect(statusOf(m)).toBeUndefined();
      expect(components(copy.text)).toHaveLength(2);
    }
    const bernardMoved = await getCopy(bernard, copyPath(bernard, uid));
    expect(ps(bernardMoved.text, bernard), "bernard's answer for the rest of the series is kept").toBe("ACCEPTED");
    expect(ps((await getCopy(wilfredo, copyPath(wilfredo, uid))).text, wilfredo)).toBe("TENTATIVE");

    // Cancel that instance: EXDATE on the master, the override removed.
    const beforeCancel = new Map([bernard, wilfredo].map((w) => [w.user, null as null | { text: string }]));
    for (const who of [bernard, wilfredo]) beforeCancel.set(who.user, await getCopy(who, copyPath(who, uid)));
    const cancel = await dav("PUT", path, { as: cyrus, body: fromFixture(weeklyInstanceCancelled, map) });
    expect(cancel.status, await cancel.clone().text()).toBe(204);
    for (const who of [bernard, wilfredo]) await cancelArrives(who, uid, beforeCancel.get(who.user)!, "20250113T100000");
    for (const who of [bernard, wilfredo]) {
      const copy = await waitCopy(who, copyPath(who, uid), (c) => statusOf(overrideOf(c.text, "20250113T100000")) === "CANCELLED", `${who.user}: instance cancelled`);
      const m = masterOf(copy.text)!;
      expect(statusOf(m), "the rest of the series is not cancelled").toBeUndefined();
      expect(propText(m, "dtstart")).toBe(propText(masterBefore, "dtstart"));
      expect(propText(m, "rrule")).toBe(propText(masterBefore, "rrule"));
      expect(components(copy.text).filter((c) => statusOf(c) === "CANCELLED")).toHaveLength(1);
      expect(await rowsWithUid(who, uid)).toHaveLength(1);
      expect((await inboxFor(who, uid)).map(methodOf).at(-1), "the CANCEL is the latest of the inbox's items").toBe("CANCEL");
    }
    expect(ps((await getCopy(bernard, copyPath(bernard, uid))).text, bernard)).toBe("ACCEPTED");

    // And then the whole series, with STATUS:CANCELLED on the master.
    const all = await dav("PUT", path, { as: cyrus, body: fromFixture(weeklySeriesCancelled, map) });
    expect(all.status, await all.clone().text()).toBe(204);
    for (const who of [bernard, wilfredo]) {
      const copy = await waitCopy(who, copyPath(who, uid), (c) => statusOf(masterOf(c.text)) === "CANCELLED", `${who.user}: series cancelled`);
      for (const c of components(copy.text)) expect(statusOf(c)).toBe("CANCELLED");
    }
  });
});

describe("one instance cancelled with STATUS:CANCELLED on its override (RFC 5546 §3.2.5, RFC 6638 §3.2.6)", () => {
  it("marks only that instance cancelled in the attendee copies", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("series");
    const path = `/calendars/${alice.user}/calendar/series.ics`;
    const weekly = meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20270105T090000Z", end: "20270105T100000Z", summary: "Standup", extra: ["RRULE:FREQ=WEEKLY;COUNT=4"] });
    await putOk(alice, path, weekly);
    for (const who of [bob, carol]) await waitCopy(who, copyPath(who, uid));
    const override = (status: string[]) => [
      `UID:${uid}`, "DTSTAMP:20261101T000000Z", "RECURRENCE-ID:20270112T090000Z", "DTSTART:20270112T110000Z", "DTEND:20270112T120000Z",
      "SUMMARY:Standup", `ORGANIZER;CN=${alice.user}:${alice.address}`, `ATTENDEE;CN=${alice.user};PARTSTAT=ACCEPTED;ROLE=CHAIR:${alice.address}`,
      attendeeLine({ who: bob }), attendeeLine({ who: carol }), ...status,
    ];
    const current = await getCopy(alice, path);
    const withOverride = current.text.replace("END:VCALENDAR", `BEGIN:VEVENT\r\n${override([]).join("\r\n")}\r\nEND:VEVENT\r\nEND:VCALENDAR`);
    expect((await dav("PUT", path, { as: alice, body: withOverride })).status).toBe(204);
    for (const who of [bob, carol]) {
      const copy = await waitCopy(who, copyPath(who, uid), (c) => propText(overrideOf(c.text, "20270112T090000Z"), "dtstart") === "20270112T110000Z", `${who.user}: moved`);
      expect(statusOf(overrideOf(copy.text, "20270112T090000Z"))).toBeUndefined();
    }
    const before = new Map<string, { text: string }>();
    for (const who of [bob, carol]) before.set(who.user, await getCopy(who, copyPath(who, uid)));
    const stored = await getCopy(alice, path);
    const cancelled = stored.text.replace(/(RECURRENCE-ID:20270112T090000Z\r\n)/, "$1STATUS:CANCELLED\r\n");
    expect(cancelled).not.toBe(stored.text);
    expect((await dav("PUT", path, { as: alice, body: cancelled })).status).toBe(204);
    for (const who of [bob, carol]) {
      await cancelArrives(who, uid, before.get(who.user)!, "20270112T090000Z");
      const copy = await waitCopy(who, copyPath(who, uid), (c) => statusOf(overrideOf(c.text, "20270112T090000Z")) === "CANCELLED", `${who.user}: instance cancelled`);
      const m = masterOf(copy.text)!;
      expect(statusOf(m), "the series goes on").toBeUndefined();
      expect(propText(m, "dtstart")).toBe("20270105T090000Z");
      expect(propText(m, "rrule")).toBe("FREQ=WEEKLY;COUNT=4");
      expect(components(copy.text)).toHaveLength(2);
      expect(await rowsWithUid(who, uid)).toHaveLength(1);
    }
  });
});

const partstatOfOverride = (text: string, who: Party) => {
  const ov = overrideOf(text, "20250113T100000");
  const p = ov?.getAllProperties("attendee").find((a) => String(a.getFirstValue()).toLowerCase() === who.address.toLowerCase());
  return p ? String(p.getParameter("partstat") ?? "NEEDS-ACTION") : undefined;
};

describe("the whole event cancelled (RFC 6638 §3.2.1.3, RFC 5546 §3.2.5)", () => {
  it("organizer DELETE marks every attendee copy STATUS:CANCELLED and leaves it in place", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("gone");
    const path = `/calendars/${alice.user}/calendar/gone.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20261217T100000Z", end: "20261217T110000Z" }));
    const bobBefore = await waitCopy(bob, copyPath(bob, uid));
    const carolBefore = await waitCopy(carol, copyPath(carol, uid));
    const del = await dav("DELETE", path, { as: alice });
    expect(del.status).toBe(204);
    expect((await dav("GET", path, { as: alice })).status).toBe(404);
    await cancelArrives(bob, uid, bobBefore);
    await cancelArrives(carol, uid, carolBefore);
    for (const who of [bob, carol]) {
      const copy = await waitCopy(who, copyPath(who, uid), (c) => statusOf(masterOf(c.text)) === "CANCELLED", `${who.user}'s copy cancelled`);
      expect(propText(masterOf(copy.text), "dtstart")).toBe("20261217T100000Z");
      expect((await inboxFor(who, uid)).map(methodOf)).toEqual(["REQUEST", "CANCEL"]);
      expect(await rowsWithUid(who, uid)).toHaveLength(1);
    }
    const bobAfter = await getCopy(bob, copyPath(bob, uid));
    expect(bobAfter.scheduleTag, "a CANCEL is a consequential change (§3.2.10)").not.toBe(bobBefore.scheduleTag);
  });

  it("organizer PUT with STATUS:CANCELLED cancels the attendee copies and keeps hers", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("off");
    const path = `/calendars/${alice.user}/calendar/off.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20261218T100000Z", end: "20261218T110000Z" }));
    await waitCopy(bob, copyPath(bob, uid));
    await waitCopy(carol, copyPath(carol, uid));
    const current = await getCopy(alice, path);
    const r = await dav("PUT", path, { as: alice, body: addToFirst(current.text, "STATUS:CANCELLED") });
    expect(r.status, await r.clone().text()).toBe(204);
    for (const who of [bob, carol]) {
      const copy = await waitCopy(who, copyPath(who, uid), (c) => statusOf(masterOf(c.text)) === "CANCELLED", `${who.user}'s copy cancelled`);
      expect(sequenceOf(masterOf(copy.text)), "a cancellation is a significant change (RFC 5546 §2.1.4)").toBeGreaterThanOrEqual(1);
      expect((await inboxFor(who, uid)).map(methodOf)).toEqual(["REQUEST", "CANCEL"]);
    }
    const mine = await getCopy(alice, path);
    expect(statusOf(masterOf(mine.text))).toBe("CANCELLED");
    expect(sequenceOf(masterOf(mine.text))).toBe(1);
  });
});

describe("a raised SEQUENCE is news for the attendees (RFC 6638 §3.2.1.2, RFC 5546 §2.1.4)", () => {
  it("an organizer who changes only her own PARTSTAT and raises SEQUENCE updates every attendee's copy, their answers kept", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("seq");
    const path = `/calendars/${alice.user}/calendar/seq.ics`;
    await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20270115T100000Z", end: "20270115T110000Z" }));
    await answer(bob, uid, "ACCEPTED", alice, path);
    // The round that tells carol of bob's answer (RFC 6638 §4.2) is over before alice writes: only her PUT can update them now.
    const before = await waitCopy(carol, copyPath(carol, uid), (c) => ps(c.text, bob) === "ACCEPTED", "carol hears of bob's answer", 15_000);
    expect(sequenceOf(masterOf(before.text))).toBe(0);

    const current = await getCopy(alice, path);
    const mine = replaceInFirst(withPartstat(current.text, alice, "TENTATIVE"), "SEQUENCE", "SEQUENCE:1");
    expect((await dav("PUT", path, { as: alice, body: mine, headers: { "If-Match": current.etag! } })).status).toBe(204);

    for (const who of [bob, carol]) {
      const copy = await waitCopy(who, copyPath(who, uid), (c) => sequenceOf(masterOf(c.text)) === 1, `${who.user}'s copy at SEQUENCE 1`);
      expect(ps(copy.text, alice), `${who.user} sees the organizer TENTATIVE`).toBe("TENTATIVE");
    }
    expect(ps((await getCopy(bob, copyPath(bob, uid))).text, bob), "bob's own answer is kept (nothing significant changed)").toBe("ACCEPTED");
  });
});
