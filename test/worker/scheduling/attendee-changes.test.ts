// What an Attendee does with their copy (RFC 6638 §3.2.2): remove it with and
// without "Schedule-Reply: F" (§3.2.2.4, §8.1), write with
// If-Schedule-Tag-Match across organizer updates (§3.2.10, §8.3), try to
// change what only the Organizer may change (§3.2.2.1, §3.2.4.4), and the
// Appendix B.7 / B.8 examples: decline one instance, remove one instance.
import { describe, expect, it, vi } from "vitest";
import b7copy from "../../fixtures/itip/b7-bernard-copy.ics?raw";
import b7declines from "../../fixtures/itip/b7-bernard-declines-instance.ics?raw";
import b7reply from "../../fixtures/itip/b7-reply-declined-instance.ics?raw";
import b8removes from "../../fixtures/itip/b8-bernard-removes-instance.ics?raw";
import { dav, errorConditions } from "../../helpers/dav-client.js";
import { CAL, propText as davPropText, propfindOne, putOk } from "../../helpers/caldav.js";
import {
  cast, components, copyPath, eventually, fromFixture, getCopy, inboxFor, masterOf, meeting, methodOf, newUid, organizerStatusOf,
  nextSecond, overrideOf, partstatOf, propText, ps, replaceInFirst, ridOf, sequenceOf, sleep, ss, waitCopy, withPartstat, type Party,
} from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

async function invited(attendees: Party[], organizer: Party, uid: string, path: string, start = "20261220T100000Z", end = "20261220T110000Z") {
  const r = await dav("PUT", path, { as: organizer, body: meeting({ uid, organizer, attendees: attendees.map((who) => ({ who })), start, end }) });
  expect(r.status, await r.clone().text()).toBe(201);
  for (const who of attendees) await waitCopy(who, copyPath(who, uid));
  return eventually(() => getCopy(organizer, path), (c) => attendees.every((w) => ss(c.text, w) === "1.2"), "invitations delivered");
}

describe("attendee removes the copy (RFC 6638 §3.2.2.4, §8.1)", () => {
  it("without Schedule-Reply the organizer's copy shows the attendee DECLINED", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("bye");
    const path = `/calendars/${alice.user}/calendar/bye.ics`;
    await invited([bob, carol], alice, uid, path);
    const del = await dav("DELETE", copyPath(bob, uid), { as: bob });
    expect(del.status).toBe(204);
    expect((await dav("GET", copyPath(bob, uid), { as: bob })).status).toBe(404);
    const after = await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "DECLINED", "bob DECLINED on alice's copy");
    expect(ps(after.text, carol)).toBe("NEEDS-ACTION");
    expect((await inboxFor(alice, uid)).map(methodOf)).toEqual(["REPLY"]);
  });

  it("with Schedule-Reply: F nothing is sent and the organizer's copy is unchanged", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("quiet");
    const path = `/calendars/${alice.user}/calendar/quiet.ics`;
    const before = await invited([bob, carol], alice, uid, path);
    const del = await dav("DELETE", copyPath(bob, uid), { as: bob, headers: { "Schedule-Reply": "F" } });
    expect(del.status).toBe(204);
    expect((await dav("GET", copyPath(bob, uid), { as: bob })).status).toBe(404);
    // Synchronization point: carol's reply, sent after bob's removal, has been merged.
    const carolCopy = await getCopy(carol, copyPath(carol, uid));
    expect((await dav("PUT", copyPath(carol, uid), { as: carol, body: withPartstat(carolCopy.text, carol, "ACCEPTED") })).status).toBe(204);
    await eventually(() => getCopy(alice, path), (c) => ps(c.text, carol) === "ACCEPTED", "carol's reply merged");
    await sleep(500);
    const after = await getCopy(alice, path);
    expect(ps(after.text, bob), "no REPLY from bob (§8.1: the server MUST NOT send a scheduling message)").toBe("NEEDS-ACTION");
    expect(ss(after.text, bob)).toBe(ss(before.text, bob));
    const replies = (await inboxFor(alice, uid)).map((t) => components(t)[0]!.getAllProperties("attendee").map((p) => String(p.getFirstValue()).toLowerCase()));
    expect(replies.flat()).not.toContain(bob.address.toLowerCase());
  });
});

/** Bob's copy before and after an organizer update that moved the meeting (a consequential change). */
async function tagScenario(tagName: string) {
  const { alice, bob } = await cast("alice", "bob");
  const uid = newUid(tagName);
  const path = `/calendars/${alice.user}/calendar/${tagName}.ics`;
  await invited([bob], alice, uid, path);
  const old = await getCopy(bob, copyPath(bob, uid));
  expect(old.scheduleTag, "GET of a scheduling object resource returns Schedule-Tag (§3.2.10)").toMatch(/^".+"$/);
  const prop = await propfindOne(bob, copyPath(bob, uid), ["C:schedule-tag"]);
  expect(davPropText(prop, CAL("schedule-tag")), "the CALDAV:schedule-tag property equals the header (§9.3)").toBe(old.scheduleTag);
  const current = await getCopy(alice, path);
  const moved = replaceInFirst(replaceInFirst(current.text, "DTSTART", "DTSTART:20261221T100000Z"), "DTEND", "DTEND:20261221T110000Z");
  expect((await dav("PUT", path, { as: alice, body: moved })).status).toBe(204);
  const fresh = await waitCopy(bob, copyPath(bob, uid), (c) => propText(masterOf(c.text), "dtstart") === "20261221T100000Z", "bob's copy updated");
  expect(fresh.scheduleTag, "a new Schedule-Tag after the organizer's update (§3.2.10 attendee rule 1)").not.toBe(old.scheduleTag);
  return { alice, bob, uid, path, old, fresh };
}

describe("If-Schedule-Tag-Match (RFC 6638 §3.2.10, §8.3)", () => {
  it("refuses the attendee's PUT of the copy as it was before the organizer's update, with its old Schedule-Tag, with 412 (§3.2.10.1)", async () => {
    const { bob, uid, old, fresh } = await tagScenario("stale");
    const stale = await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(old.text, bob, "ACCEPTED"), headers: { "If-Schedule-Tag-Match": old.scheduleTag! } });
    expect(stale.status, `a stale If-Schedule-Tag-Match MUST fail with 412 (§3.2.10.1); got ${stale.status} ${await stale.clone().text()}`).toBe(412);
    const unchanged = await getCopy(bob, copyPath(bob, uid));
    expect(unchanged.etag).toBe(fresh.etag);
    expect(ps(unchanged.text, bob)).toBe("NEEDS-ACTION");
  });

  it("refuses a stale Schedule-Tag (412), takes the current one, and keeps the tag across the server's inconsequential changes", async () => {
    const { alice, bob, uid, path, old, fresh } = await tagScenario("tag");
    // An acceptable body, but the tag of before the update.
    const stale = await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(fresh.text, bob, "ACCEPTED"), headers: { "If-Schedule-Tag-Match": old.scheduleTag! } });
    expect(stale.status, await stale.clone().text()).toBe(412);
    const unchanged = await getCopy(bob, copyPath(bob, uid));
    expect(unchanged.etag).toBe(fresh.etag);
    expect(ps(unchanged.text, bob)).toBe("NEEDS-ACTION");

    const prop2 = await propfindOne(bob, copyPath(bob, uid), ["C:schedule-tag"]);
    expect(davPropText(prop2, CAL("schedule-tag"))).toBe(fresh.scheduleTag);
    const ok = await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(fresh.text, bob, "ACCEPTED"), headers: { "If-Schedule-Tag-Match": fresh.scheduleTag! } });
    expect(ok.status, await ok.clone().text()).toBe(204);
    const mine = ok.headers.get("schedule-tag");
    expect(mine, "a PUT response carries the Schedule-Tag (§3.2.10)").toMatch(/^".+"$/);
    expect(mine, "a client PUT changes the Schedule-Tag (§3.2.10 attendee rule 3)").not.toBe(fresh.scheduleTag);
    await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "ACCEPTED", "bob ACCEPTED on alice's copy");

    // The copy said at its PUT what the REPLY's delivery would be (§3.2.9: 1.2, alice is on this server), and the delivery
    // leaves it alone: tag and ETag stay as the PUT answered them.
    const noted = await getCopy(bob, copyPath(bob, uid));
    expect(organizerStatusOf(masterOf(noted.text))).toBe("1.2");
    expect(noted.scheduleTag).toBe(mine);
    expect(noted.etag).toBe(ok.headers.get("etag"));
    await nextSecond(); // a later DTSTAMP than the first reply (faults.test.ts has the same-second case)
    const again = await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(noted.text, bob, "TENTATIVE"), headers: { "If-Schedule-Tag-Match": mine! } });
    expect(again.status, await again.clone().text()).toBe(204);
    await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "TENTATIVE", "bob TENTATIVE on alice's copy");
  });
});

describe("changes only the Organizer may make (RFC 6638 §3.2.2.1, §3.2.4.4)", () => {
  it("refuses an attendee's new DTSTART with 403 CALDAV:allowed-attendee-scheduling-object-change and keeps the copy", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const uid = newUid("mine");
    const path = `/calendars/${alice.user}/calendar/mine.ics`;
    await invited([bob], alice, uid, path);
    const copy = await getCopy(bob, copyPath(bob, uid));
    const body = replaceInFirst(withPartstat(copy.text, bob, "ACCEPTED"), "DTSTART", "DTSTART:20261220T120000Z");
    const r = await dav("PUT", copyPath(bob, uid), { as: bob, body: replaceInFirst(body, "DTEND", "DTEND:20261220T130000Z") });
    expect(r.status).toBe(403);
    expect(await errorConditions(r)).toContain(CAL("allowed-attendee-scheduling-object-change"));
    const after = await getCopy(bob, copyPath(bob, uid));
    expect(after.etag).toBe(copy.etag);
    expect(propText(masterOf(after.text), "dtstart")).toBe("20261220T100000Z");
    await sleep(300);
    expect(ps((await getCopy(alice, path)).text, bob), "a refused change sends no REPLY").toBe("NEEDS-ACTION");
  });
});

describe("RFC 6638 Appendix B.7 and B.8 with the RFC's bodies", () => {
  it("B.7 the attendee declines one instance, B.8 removes another: the organizer's copy gets overrides with DECLINED", async () => {
    const { cyrus, bernard } = await cast("cyrus", "bernard");
    const uid = newUid("9263504FD3AD");
    const map = { "9263504FD3AD": uid, "cyrus@example.com": cyrus.email, "bernard@example.net": bernard.email };
    const path = `/calendars/${cyrus.user}/calendar/review.ics`;
    // The organizer's event is Bernard's copy of B.7 as Cyrus wrote it; the server makes Bernard's answer NEEDS-ACTION (§3.2.8).
    await putOk(cyrus, path, fromFixture(b7copy, map));
    expect(ps((await getCopy(cyrus, path)).text, bernard)).toBe("NEEDS-ACTION");
    const delivered = await waitCopy(bernard, copyPath(bernard, uid));
    expect(propText(masterOf(delivered.text), "rrule")).toBe("FREQ=DAILY;COUNT=5");

    // Bernard accepts the series (the state B.7 starts from).
    expect((await dav("PUT", copyPath(bernard, uid), { as: bernard, body: fromFixture(b7copy, map) })).status).toBe(204);
    await eventually(() => getCopy(cyrus, path), (c) => ps(c.text, bernard) === "ACCEPTED", "bernard ACCEPTED the series");

    // B.7: an override for 2009-06-02 with PARTSTAT=DECLINED (and TRANSP, his own business).
    // A second apart from the acceptance: replies are ordered by DTSTAMP, which has one-second
    // resolution (the same-second case is its own test in faults.test.ts).
    await nextSecond();
    const decline = await dav("PUT", copyPath(bernard, uid), { as: bernard, body: fromFixture(b7declines, map) });
    expect(decline.status, await decline.clone().text()).toBe(204);
    const afterB7 = await eventually(() => getCopy(cyrus, path), (c) => partstatOf(overrideOf(c.text, "20090602T150000"), bernard) === "DECLINED", "B.7 merged");
    expect(ps(afterB7.text, bernard), "the rest of the series stays ACCEPTED").toBe("ACCEPTED");
    expect(propText(overrideOf(afterB7.text, "20090602T150000"), "dtstart")).toBe("20090602T150000");
    // The inbox keeps every message: the acceptance of the series, then the decline of one instance.
    const replies = await inboxFor(cyrus, uid);
    expect(replies.map(methodOf)).toEqual(["REPLY", "REPLY"]);
    const reply = replies.at(-1)!;
    const expected = components(fromFixture(b7reply, map));
    const got = components(reply);
    expect(methodOf(reply)).toBe("REPLY");
    expect(got.map(ridOf), "the REPLY names only the declined instance, as in B.7").toEqual(expected.map(ridOf));
    expect(partstatOf(got[0], bernard)).toBe("DECLINED");
    expect(got[0]!.getAllProperties("attendee")).toHaveLength(1);
    expect(String(got[0]!.getFirstPropertyValue("request-status") ?? "").startsWith("2.0")).toBe(true);
    expect(sequenceOf(got[0])).toBe(0);

    // B.8: Bernard removes the instance of 2009-06-03 with an EXDATE.
    const remove = await dav("PUT", copyPath(bernard, uid), { as: bernard, body: fromFixture(b8removes, map) });
    expect(remove.status, await remove.clone().text()).toBe(204);
    const afterB8 = await eventually(() => getCopy(cyrus, path), (c) => partstatOf(overrideOf(c.text, "20090603T150000"), bernard) === "DECLINED", "B.8 merged");
    expect(partstatOf(overrideOf(afterB8.text, "20090602T150000"), bernard)).toBe("DECLINED");
    expect(ps(afterB8.text, bernard)).toBe("ACCEPTED");
    expect(masterOf(afterB8.text)!.getAllProperties("exdate"), "the organizer's series keeps the instance").toHaveLength(0);
    expect(propText(overrideOf(afterB8.text, "20090603T150000"), "dtstart")).toBe("20090603T150000");
  });
});
