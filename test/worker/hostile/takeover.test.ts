// Scheduling trusts only the Organizer (RFC 6638 §3.2, §4; RFC 5546 §6.1):
// UIDs are not secrets, so a principal who knows one cannot take over, change
// or cancel anyone else's copy with it, by inviting with it (as a stranger or
// as an invited Attendee), nor answer for anyone but themselves; an Attendee
// cannot make themselves Organizer nor change other Attendees' parameters in
// their own copy (§3.2.2.1). Refused messages change nothing and the sender's
// copy shows SCHEDULE-STATUS 3.8 (No authority, RFC 5546 §3.6).
import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { createUser, dav, errorConditions } from "../../helpers/dav-client.js";
import { homeStub, putOk, rnd } from "../../helpers/caldav.js";
import {
  cast, copyPath, eventually, getCopy, inbox, inboxFor, masterOf, meeting, methodOf, newUid, nextSecond, organizerStatusOf, partstatOf,
  propText, ps, replaceInFirst, sleep, ss, unfold, waitCopy, withPartstat, type Party,
} from "../../helpers/scheduling.js";
import type { ItipJob } from "../../../src/core/itip-job.js";

vi.setConfig({ testTimeout: 30_000 });

const ALLOWED_ATTENDEE_CHANGE = "{urn:ietf:params:xml:ns:caldav}allowed-attendee-scheduling-object-change";

/** Alice's meeting with bob and carol, delivered; returns the copies as they are before the attack. */
async function aliceMeeting(alice: Party, bob: Party, carol: Party, tag: string) {
  const uid = newUid(tag);
  const path = `/calendars/${alice.user}/calendar/${tag}.ics`;
  const body = meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20270301T100000Z", end: "20270301T110000Z", summary: "Board meeting", extra: ["LOCATION:Room 1"] });
  expect((await dav("PUT", path, { as: alice, body })).status).toBe(201);
  await waitCopy(bob, copyPath(bob, uid));
  await waitCopy(carol, copyPath(carol, uid));
  const organizerCopy = await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2" && ss(c.text, carol) === "1.2", "invitations delivered");
  return { uid, path, organizerCopy, bobCopy: await getCopy(bob, copyPath(bob, uid)), carolCopy: await getCopy(carol, copyPath(carol, uid)) };
}

const organizerOf = (text: string) => String(masterOf(text)?.getFirstPropertyValue("organizer") ?? "").toLowerCase();

describe("a stranger cannot take over a meeting by its UID (RFC 6638 §4, RFC 5546 §6.1)", () => {
  it("mallory's REQUEST and CANCEL with alice's UID change no copy, land in no inbox, and come back as 3.8", async () => {
    const { alice, bob, carol, mallory } = await cast("alice", "bob", "carol", "mallory");
    const before = await aliceMeeting(alice, bob, carol, "board");
    const inboxBefore = { alice: (await inbox(alice)).size, bob: (await inbox(bob)).size };

    // Mallory writes, into her own calendar, the same UID as Organizer, with a higher SEQUENCE and her own text.
    const forged = meeting({
      uid: before.uid, organizer: mallory, attendees: [{ who: alice }, { who: bob }], start: "20270301T120000Z", end: "20270301T130000Z",
      summary: "Moved: see mallory", sequence: 5, dtstamp: "20270101T000000Z", extra: ["LOCATION:Mallory's place"],
    });
    const mpath = `/calendars/${mallory.user}/calendar/forged.ics`;
    expect((await dav("PUT", mpath, { as: mallory, body: forged })).status).toBe(201);
    const refused = await eventually(
      () => getCopy(mallory, mpath),
      (c) => ss(c.text, alice) === "3.8" && ss(c.text, bob) === "3.8",
      "mallory's copy shows No authority for alice and bob",
    );
    expect(organizerOf(refused.text)).toBe(mallory.address.toLowerCase());

    for (const [who, path, was] of [[alice, before.path, before.organizerCopy], [bob, copyPath(bob, before.uid), before.bobCopy]] as const) {
      const now = await getCopy(who, path);
      expect(now.etag, `${who.user}'s copy is unchanged`).toBe(was.etag);
      expect(organizerOf(now.text)).toBe(alice.address.toLowerCase());
      expect(propText(masterOf(now.text), "summary")).toBe("Board meeting");
    }

    // Deleting her resource sends CANCELs: they are refused as well.
    expect((await dav("DELETE", mpath, { as: mallory })).status).toBe(204);
    await sleep(1500);
    for (const [who, path, was] of [[alice, before.path, before.organizerCopy], [bob, copyPath(bob, before.uid), before.bobCopy]] as const) {
      const now = await getCopy(who, path);
      expect(now.etag, `${who.user}'s copy is not cancelled`).toBe(was.etag);
      expect(propText(masterOf(now.text), "status")).toBeUndefined();
    }
    expect((await inbox(alice)).size, "nothing of mallory's in alice's inbox").toBe(inboxBefore.alice);
    expect((await inbox(bob)).size, "nothing of mallory's in bob's inbox").toBe(inboxBefore.bob);
  });

  it("an invitation with the UID of the recipient's own event (no ORGANIZER) leaves that event alone", async () => {
    const { alice, mallory } = await cast("alice", "mallory");
    const uid = newUid("own");
    const own = `/calendars/${alice.user}/calendar/dentist.ics`;
    const mine = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20270101T000000Z",
      "DTSTART:20270310T080000Z", "DTEND:20270310T090000Z", "SUMMARY:Dentist", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
    const etag = await putOk(alice, own, mine);
    const mpath = `/calendars/${mallory.user}/calendar/x.ics`;
    await putOk(mallory, mpath, meeting({ uid, organizer: mallory, attendees: [{ who: alice }], start: "20270310T080000Z", end: "20270310T090000Z", summary: "Not a dentist" }));
    await eventually(() => getCopy(mallory, mpath), (c) => ss(c.text, alice) === "3.8", "refused with 3.8");
    const after = await getCopy(alice, own);
    expect(after.etag).toBe(`"${etag.replace(/"/g, "")}"`);
    expect(propText(masterOf(after.text), "summary")).toBe("Dentist");
    expect(await inboxFor(alice, uid)).toHaveLength(0);
  });

  it("a new UID is an ordinary invitation: strangers may still invite", async () => {
    const { alice, mallory } = await cast("alice", "mallory");
    const uid = newUid("hello");
    const mpath = `/calendars/${mallory.user}/calendar/hello.ics`;
    await putOk(mallory, mpath, meeting({ uid, organizer: mallory, attendees: [{ who: alice }], start: "20270311T080000Z", end: "20270311T090000Z" }));
    const copy = await waitCopy(alice, copyPath(alice, uid));
    expect(organizerOf(copy.text)).toBe(mallory.address.toLowerCase());
    await eventually(() => getCopy(mallory, mpath), (c) => ss(c.text, alice) === "1.2", "delivered");
  });
});

describe("an invited Attendee cannot take over (RFC 6638 §3.1, §3.2.2.1, §3.2.4.4)", () => {
  it("changing ORGANIZER to herself in her own copy is refused with allowed-attendee-scheduling-object-change, and nothing is sent", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const before = await aliceMeeting(alice, bob, carol, "coup");
    const mine = copyPath(bob, before.uid);
    let text = replaceInFirst(before.bobCopy.text, "ORGANIZER", `ORGANIZER;CN=${bob.user}:${bob.address}`);
    text = replaceInFirst(text, "SUMMARY", "SUMMARY:Bob runs this now");
    const r = await dav("PUT", mine, { as: bob, body: text, headers: { "If-Match": before.bobCopy.etag! } });
    expect(r.status).toBe(403);
    expect(await errorConditions(r)).toEqual([ALLOWED_ATTENDEE_CHANGE]);
    // Even the summary alone is the Organizer's.
    const justOrganizer = replaceInFirst(before.bobCopy.text, "ORGANIZER", `ORGANIZER;CN=${bob.user}:${bob.address}`);
    expect((await dav("PUT", mine, { as: bob, body: justOrganizer })).status).toBe(403);
    // Nor may she remove the ORGANIZER to escape the rules.
    const noOrganizer = unfold(before.bobCopy.text).split("\r\n").filter((l) => !/^ORGANIZER[;:]/i.test(l)).join("\r\n");
    expect((await dav("PUT", mine, { as: bob, body: noOrganizer })).status).toBe(403);

    await sleep(1000);
    expect((await getCopy(bob, mine)).etag).toBe(before.bobCopy.etag);
    expect((await getCopy(carol, copyPath(carol, before.uid))).etag, "carol heard nothing").toBe(before.carolCopy.etag);
    expect((await getCopy(alice, before.path)).etag, "alice's copy is unchanged").toBe(before.organizerCopy.etag);
  });

  it("changing other Attendees' PARTSTAT, ROLE or CN is refused; her own PARTSTAT is hers", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const before = await aliceMeeting(alice, bob, carol, "params");
    const mine = copyPath(bob, before.uid);
    const carolLine = (params: string) => (text: string) =>
      unfold(text).split("\r\n").map((l) => (/^ATTENDEE[;:]/i.test(l) && l.toLowerCase().endsWith(carol.address.toLowerCase()) ? `ATTENDEE${params}:${carol.address}` : l)).join("\r\n");
    const edits: Record<string, (t: string) => string> = {
      "carol's PARTSTAT": (t) => withPartstat(t, carol, "DECLINED"),
      "carol's ROLE": carolLine(`;CN=${carol.user};PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=NON-PARTICIPANT`),
      "carol's CN": carolLine(";CN=Someone Else;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"),
    };
    for (const [what, edit] of Object.entries(edits)) {
      const r = await dav("PUT", mine, { as: bob, body: edit(before.bobCopy.text), headers: { "If-Match": before.bobCopy.etag! } });
      expect(r.status, what).toBe(403);
      expect(await errorConditions(r), what).toEqual([ALLOWED_ATTENDEE_CHANGE]);
    }
    expect((await getCopy(bob, mine)).etag).toBe(before.bobCopy.etag);

    // A client that only drops a parameter it does not know changes nothing of carol's: accepted.
    const dropped = carolLine(";PARTSTAT=NEEDS-ACTION")(withPartstat(before.bobCopy.text, bob, "ACCEPTED"));
    expect((await dav("PUT", mine, { as: bob, body: dropped, headers: { "If-Match": before.bobCopy.etag! } })).status).toBe(204);
    const merged = await eventually(() => getCopy(alice, before.path), (c) => ps(c.text, bob) === "ACCEPTED", "bob's answer reached alice");
    expect(ps(merged.text, carol), "carol's answer is carol's").toBe("NEEDS-ACTION");
  });
});

describe("a REPLY answers only for its sender, only to the Organizer (RFC 6638 §4.2, RFC 5546 §3.2.3)", () => {
  it("a reply to an event the recipient never had is dropped: not in the inbox, 3.8 on the replier's copy", async () => {
    const { alice, mallory } = await cast("alice", "mallory");
    const uid = newUid("ghost");
    const path = `/calendars/${mallory.user}/calendar/ghost.ics`;
    // Mallory makes up an attendee copy of an event "organized" by alice, then answers it.
    const fake = meeting({ uid, organizer: alice, attendees: [{ who: mallory }], start: "20270312T080000Z", end: "20270312T090000Z" });
    await putOk(mallory, path, fake);
    const stored = await getCopy(mallory, path);
    await nextSecond();
    expect((await dav("PUT", path, { as: mallory, body: withPartstat(stored.text, mallory, "ACCEPTED") })).status).toBe(204);
    await eventually(() => getCopy(mallory, path), (c) => organizerStatusOf(masterOf(c.text)) === "3.8", "mallory's copy shows No authority");
    expect(await inboxFor(alice, uid), "alice's inbox does not keep it").toHaveLength(0);
    expect((await dav("GET", `/calendars/${alice.user}/calendar/${uid}.ics`, { as: alice })).status).toBe(404);
  });

  it("a REPLY naming another attendee than its sender changes nothing (delivered straight to the home)", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const before = await aliceMeeting(alice, bob, carol, "spoof");
    // A REPLY in carol's name, but sent by bob's home.
    const body = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "METHOD:REPLY", "BEGIN:VEVENT", `UID:${before.uid}`, "DTSTAMP:20270201T000000Z",
      "SEQUENCE:0", `ORGANIZER:${alice.address}`, `ATTENDEE;PARTSTAT=DECLINED:${carol.address}`, "END:VEVENT", "END:VCALENDAR", "",
    ].join("\r\n");
    const job: ItipJob = {
      id: `spoof-${rnd()}`, fromHome: bob.user, originator: carol.address, recipient: alice.address, method: "REPLY",
      uid: before.uid, sequence: 0, dtstamp: "20270201T000000Z", body, created: Date.now(),
    };
    const dir = env.DIRECTORY.getByName("main");
    const { status } = await homeStub(alice.user).deliver(job, body, (await dir.getPrincipal(alice.user))!, (await dir.getPrincipal(bob.user))!);
    expect(status).toBe("3.8");
    const after = await getCopy(alice, before.path);
    expect(after.etag).toBe(before.organizerCopy.etag);
    expect(ps(after.text, carol)).toBe("NEEDS-ACTION");
    expect((await inboxFor(alice, before.uid)).filter((t) => methodOf(t) === "REPLY")).toHaveLength(0);
  });
});

describe("an Organizer with several addresses keeps scheduling (RFC 6638 §2.4.1)", () => {
  it("a REQUEST whose ORGANIZER is another address of the same principal updates the attendee's copy", async () => {
    const user = `multi-${rnd()}`;
    const a1 = `${user}@example.com`;
    const a2 = `${user}@other.example`;
    const creds = await createUser(user, { emails: [a1, a2] });
    const organizer: Party = { ...creds, email: a1, address: `mailto:${a1}` };
    const { bob } = await cast("bob");
    const uid = newUid("multi");
    const path = `/calendars/${user}/calendar/m.ics`;
    await putOk(organizer, path, meeting({ uid, organizer, attendees: [{ who: bob }], start: "20270313T080000Z", end: "20270313T090000Z", summary: "First" }));
    await waitCopy(bob, copyPath(bob, uid));
    const current = await eventually(() => getCopy(organizer, path), (c) => ss(c.text, bob) === "1.2", "delivered");
    let next = replaceInFirst(current.text, "ORGANIZER", `ORGANIZER:mailto:${a2}`);
    next = replaceInFirst(next, "SUMMARY", "SUMMARY:Second");
    expect((await dav("PUT", path, { as: organizer, body: next })).status).toBe(204);
    const updated = await waitCopy(bob, copyPath(bob, uid), (c) => propText(masterOf(c.text), "summary") === "Second", "bob's copy updated");
    expect(organizerOf(updated.text)).toBe(`mailto:${a2}`);
    expect(partstatOf(masterOf(updated.text), bob)).toBe("NEEDS-ACTION");
  });
});
